// The store suite (store_suite.h) against the embedded SQLite backend; each case uses fresh
// database files in a temporary directory that is removed afterwards.

#include <sqlite3.h>

#include <atomic>

#include "store_suite.h"

namespace superbet::store::suite {
namespace {

StoreBackend Sqlite(const TempDir& dir) {
  static std::atomic<int> n{0};
  StoreBackend b;
  b.name = "sqlite";
  b.fresh_url = [&dir] { return absl::StrCat("sqlite:", dir.path(), "/store", n++, ".db"); };
  b.exec_raw = [](const std::string& url, const std::string& sql) {
    sqlite3* db = nullptr;
    bool ok = sqlite3_open(url.substr(7).c_str(), &db) == SQLITE_OK &&
              sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
  };
  b.query_raw = [](const std::string& url, const std::string& sql) {
    sqlite3* db = nullptr;
    std::string row;
    bool first = true;
    if (sqlite3_open(url.substr(7).c_str(), &db) == SQLITE_OK) {
      struct Out {
        std::string* row;
        bool* first;
      } out{&row, &first};
      sqlite3_exec(
          db, sql.c_str(),
          [](void* p, int n, char** values, char**) {
            auto* o = static_cast<Out*>(p);
            if (!*o->first) return 0;
            *o->first = false;
            for (int i = 0; i < n; ++i) {
              if (i) o->row->push_back('|');
              o->row->append(values[i] ? values[i] : "");
            }
            return 0;
          },
          &out, nullptr);
    }
    sqlite3_close(db);
    return row;
  };
  return b;
}

TEST_CASE("sqlite store: a season round-trips proto for proto, re-ingest changes nothing",
          "[store][sqlite]") {
  TempDir dir;
  CheckSeasonRoundTripAndIdempotence(Sqlite(dir));
}

TEST_CASE("sqlite store: the packed prices follow every write of the odds history",
          "[store][sqlite]") {
  TempDir dir;
  CheckPackedPricesFollowWrites(Sqlite(dir));
}

TEST_CASE("sqlite store: a version-4 store is packed when opened", "[store][sqlite]") {
  TempDir dir;
  CheckVersion4StoreIsPackedOnOpen(Sqlite(dir));
}

TEST_CASE("sqlite store: the odds history keeps every price change", "[store][sqlite]") {
  TempDir dir;
  CheckOddsHistoryKeepsEveryChange(Sqlite(dir));
}

TEST_CASE("sqlite store: momentum 1/5/15 min equals a direct grouping of the timeline",
          "[store][sqlite]") {
  TempDir dir;
  CheckMomentumEqualsDirectComputation(Sqlite(dir));
}

TEST_CASE("sqlite store: the fallback equals LiveStatsWindow on the same rows", "[store][sqlite]") {
  TempDir dir;
  CheckFallbackAgreesWithLiveStatsWindow(Sqlite(dir));
}

TEST_CASE("sqlite store: JSON statistics queries match the CSV cells", "[store][sqlite]") {
  TempDir dir;
  CheckJsonStatisticsQueries(Sqlite(dir));
}

TEST_CASE("sqlite store: retention removes only rows older than 30 days", "[store][sqlite]") {
  TempDir dir;
  CheckRetention(Sqlite(dir));
}

TEST_CASE("sqlite store: a newer schema fails naming both versions", "[store][sqlite]") {
  TempDir dir;
  CheckNewerSchemaFailsNamingBothVersions(Sqlite(dir));
}

TEST_CASE("sqlite store: bets ledger and players upsert idempotently", "[store][sqlite]") {
  TempDir dir;
  CheckLedgerAndPlayers(Sqlite(dir));
}

TEST_CASE("sqlite store: a writer killed mid-transaction leaves no partial fixture",
          "[store][sqlite]") {
  TempDir dir;
  CheckKilledWriterLeavesNoPartialFixture(Sqlite(dir));
}

TEST_CASE("sqlite store: two processes writing at once neither fail nor corrupt it",
          "[store][sqlite]") {
  TempDir dir;
  const StoreBackend backend = Sqlite(dir);
  CheckTwoProcessesWriteOneStore(backend);
  // PRAGMA integrity_check over the file both wrote.
  const std::string path = absl::StrCat(dir.path(), "/store0.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  std::string result;
  sqlite3_exec(
      db, "PRAGMA integrity_check",
      [](void* out, int, char** values, char**) {
        static_cast<std::string*>(out)->append(values[0] ? values[0] : "");
        return 0;
      },
      &result, nullptr);
  sqlite3_close(db);
  CHECK(result == "ok");
}

TEST_CASE("store URL: only sqlite:PATH and postgres:// are accepted", "[store]") {
  CHECK(ParseStoreUrl("sqlite:/tmp/x.db").value() == Backend::kSqlite);
  CHECK(ParseStoreUrl("postgres://u@127.0.0.1:5432/db").value() == Backend::kPostgres);
  CHECK(ParseStoreUrl("postgresql://u@h/db").value() == Backend::kPostgres);
  auto bad = ParseStoreUrl("mysql://x");
  CHECK(absl::IsInvalidArgument(bad.status()));
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("got 'mysql://x'"));
  CHECK(absl::IsInvalidArgument(ParseStoreUrl("sqlite:").status()));
  StoreOptions options;
  options.pool_size = 0;
  CHECK(
      absl::IsInvalidArgument(Store::Open("sqlite:/tmp/unused.db", TestClock(), options).status()));
}

}  // namespace
}  // namespace superbet::store::suite
