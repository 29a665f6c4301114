// The store suite (store_suite.h) against a real PostgreSQL server started by the harness
// (postgres_harness.h): one server per test case, one fresh database per check. Skips with the
// harness's message only when the PostgreSQL binaries are missing.

#include <atomic>
#include <cstdlib>

#include "postgres_harness.h"
#include "store_suite.h"

namespace superbet::store::suite {
namespace {

// The server of this process, started once and shared by the sections (stopped and removed at
// exit), or nullptr after a warning when the binaries are missing.
testing::PostgresServer* StartOrSkip() {
  static auto* server = new absl::StatusOr<std::unique_ptr<testing::PostgresServer>>(
      testing::PostgresServer::Start());
  static const int stop_at_exit = std::atexit([] {
    if (server->ok()) server->value().reset();
  });
  (void)stop_at_exit;
  if (absl::IsUnavailable(server->status())) {
    WARN(std::string(server->status().message()));
    return nullptr;
  }
  INFO(server->status().ToString());
  REQUIRE(server->ok());
  return server->value().get();
}

StoreBackend Postgres(const testing::PostgresServer& server) {
  static std::atomic<int> n{0};
  StoreBackend b;
  b.name = "postgres";
  b.fresh_url = [&server] {
    auto url = server.CreateDatabase(absl::StrCat("store", n++));
    REQUIRE(url.ok());
    return *url;
  };
  b.exec_raw = [&server](const std::string& url, const std::string& sql) {
    return server.Psql(url, sql);
  };
  b.query_raw = [&server](const std::string& url, const std::string& sql) {
    return server.QueryOne(url, sql);
  };
  return b;
}

TEST_CASE("postgres store: the store suite (same checks as sqlite)", "[store][postgres]") {
  testing::PostgresServer* server = StartOrSkip();
  if (!server) return;
  const StoreBackend backend = Postgres(*server);
  SECTION("a season round-trips proto for proto, re-ingest changes nothing") {
    CheckSeasonRoundTripAndIdempotence(backend);
  }
  SECTION("the packed prices follow every write of the odds history") {
    CheckPackedPricesFollowWrites(backend);
  }
  SECTION("a version-4 store is packed when opened") { CheckVersion4StoreIsPackedOnOpen(backend); }
  SECTION("the odds history keeps every price change") {
    CheckOddsHistoryKeepsEveryChange(backend);
  }
  SECTION("momentum 1/5/15 min equals a direct grouping of the timeline") {
    CheckMomentumEqualsDirectComputation(backend);
  }
  SECTION("the fallback equals LiveStatsWindow on the same rows") {
    CheckFallbackAgreesWithLiveStatsWindow(backend);
  }
  SECTION("JSON statistics queries match the CSV cells (jsonb, GIN containment)") {
    CheckJsonStatisticsQueries(backend);
  }
  SECTION("retention removes only rows older than 30 days") { CheckRetention(backend); }
  SECTION("a newer schema fails naming both versions") {
    CheckNewerSchemaFailsNamingBothVersions(backend);
  }
  SECTION("bets ledger and players upsert idempotently") { CheckLedgerAndPlayers(backend); }
  SECTION("a writer killed mid-transaction leaves no partial fixture") {
    CheckKilledWriterLeavesNoPartialFixture(backend);
  }
  SECTION("two processes writing at once neither fail nor corrupt it") {
    CheckTwoProcessesWriteOneStore(backend);
  }
}

TEST_CASE("postgres store: ingest of all shared data, then a re-ingest that writes nothing",
          "[store][postgres][ingest]") {
  testing::PostgresServer* server = StartOrSkip();
  if (!server) return;
  CheckIngestOfAllSharedData(Postgres(*server));
}

TEST_CASE("postgres store: row-by-row and COPY write the same rows", "[store][postgres]") {
  testing::PostgresServer* server = StartOrSkip();
  if (!server) return;
  const StoreBackend backend = Postgres(*server);
  std::map<std::string, int64_t> counts[2];
  std::vector<superbet::v1::BettingLine> lines[2];
  int i = 0;
  for (BulkMode mode : {BulkMode::kCopy, BulkMode::kRowByRow}) {
    StoreOptions options;
    options.bulk = mode;
    auto store = OpenOrDie(backend.fresh_url(), options);
    IngestSummary summary;
    REQUIRE(IngestFootballDataFile(*store, testing::DataPath("football-data/E0_2425.csv"), summary)
                .ok());
    counts[i] = store->CountRows().value();
    lines[i] = store->LinesOfFile("E0_2425.csv").value();
    ++i;
  }
  CHECK(counts[0] == counts[1]);
  REQUIRE(lines[0].size() == lines[1].size());
  for (size_t k = 0; k < lines[0].size(); ++k) {
    if (!MessageDifferencer::Equals(lines[0][k], lines[1][k])) FAIL("line " << k << " differs");
  }
}

}  // namespace
}  // namespace superbet::store::suite
