// The store suite: the same checks run against SQLite (store_sqlite_test.cc, fast) and against a
// real PostgreSQL 15 (store_postgres_itest.cc, integration). Each check takes a StoreBackend that
// hands out fresh, empty stores.
//
// Oracles, per check: the football-data parser's own output (what was written is what is read,
// proto for proto, in file order); the CSV cells read by a plain comma split (JSON statistics
// queries); a direct grouping of the StatsBomb timeline in this file (momentum); the in-process
// providers::LiveStatsWindow (fallback); hand-placed rows around the 30-day horizon (retention).

#ifndef SUPERBET_TESTS_STORE_STORE_SUITE_H_
#define SUPERBET_TESTS_STORE_STORE_SUITE_H_

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "superbet/core/clock.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/providers/live_stats_window.h"
#include "superbet/providers/statsbomb/statsbomb.h"
#include "superbet/store/ingest.h"
#include "superbet/store/store.h"
#include "support/test_data.h"

namespace superbet::store::suite {

using google::protobuf::util::MessageDifferencer;

struct StoreBackend {
  std::string name;                        // "sqlite", "postgres".
  std::function<std::string()> fresh_url;  // URL of a new, empty store.
  std::function<bool(const std::string& url, const std::string& sql)> exec_raw;
  // The first row of a query, columns joined by '|' (SQL NULL as "").
  std::function<std::string(const std::string& url, const std::string& sql)> query_raw;
};

// A temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/superbet-store-XXXXXX";
    path_ = mkdtemp(tmpl) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline core::FakeClock& TestClock() {
  static auto* clock = new core::FakeClock(absl::FromUnixSeconds(1767225600));  // 2026-01-01.
  return *clock;
}

inline std::unique_ptr<Store> OpenOrDie(const std::string& url, StoreOptions options = {}) {
  auto s = Store::Open(url, TestClock(), std::move(options));
  INFO(url);
  REQUIRE(s.ok());
  return std::move(*s);
}

// The football-data parse of one season file, rows in file order, with their lines.
struct ParsedSeason {
  std::vector<superbet::v1::Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;
};
inline ParsedSeason ParseSeason(const std::string& file) {
  auto s = providers::football_data::LoadSeasonFile(
      testing::DataPath(absl::StrCat("football-data/", file)),
      providers::football_data::ParseMode::kLenient);
  REQUIRE(s.ok());
  return {s->fixtures, s->lines};
}

inline void CheckSeasonRoundTripAndIdempotence(const StoreBackend& backend) {
  auto store = OpenOrDie(backend.fresh_url());
  IngestSummary first;
  REQUIRE(
      IngestFootballDataFile(*store, testing::DataPath("football-data/E0_1516.csv"), first).ok());
  const ParsedSeason parsed = ParseSeason("E0_1516.csv");
  CHECK(first.written.matches == 380);
  CHECK(first.written.lines == static_cast<int64_t>(parsed.lines.size()));
  CHECK(first.unexpected == 0);

  auto fixtures = store->FixturesOfFile("E0_1516.csv");
  REQUIRE(fixtures.ok());
  REQUIRE(fixtures->size() == parsed.fixtures.size());
  for (size_t i = 0; i < parsed.fixtures.size(); ++i) {
    INFO(parsed.fixtures[i].id());
    CHECK(MessageDifferencer::Equals((*fixtures)[i], parsed.fixtures[i]));
  }
  auto lines = store->LinesOfFile("E0_1516.csv");
  REQUIRE(lines.ok());
  REQUIRE(lines->size() == parsed.lines.size());
  size_t differing = 0;
  for (size_t i = 0; i < parsed.lines.size(); ++i) {
    if (!MessageDifferencer::Equals((*lines)[i], parsed.lines[i])) ++differing;
  }
  CHECK(differing == 0);

  // Re-ingesting the file changes nothing.
  IngestSummary second;
  REQUIRE(
      IngestFootballDataFile(*store, testing::DataPath("football-data/E0_1516.csv"), second).ok());
  CHECK(second.written.matches == 0);
  CHECK(second.written.lines == 0);
  CHECK(second.written.source_files == 0);
  auto counts = store->CountRows();
  REQUIRE(counts.ok());
  CHECK(counts->at("matches_master") == 380);
  CHECK(counts->at("daily_betting_lines") == static_cast<int64_t>(parsed.lines.size()));

  auto files = store->SourceFiles("football-data");
  REQUIRE(files.ok());
  REQUIRE(files->size() == 1);
  CHECK(files->front().season_label == "2015/16");
  CHECK(files->front().fixtures == 380);
}

// The packed prices (schema 5) follow every write of the odds history. Oracle: the parser's
// lines plus the prices added later, compared as sets (a price added by PutLines after the
// season has no place of its own in the file order); and ReadFile, FixturesOfFile and
// LinesOfFile agree.
inline void CheckPackedPricesFollowWrites(const StoreBackend& backend) {
  auto store = OpenOrDie(backend.fresh_url());
  IngestSummary summary;
  REQUIRE(
      IngestFootballDataFile(*store, testing::DataPath("football-data/E0_1516.csv"), summary).ok());
  const ParsedSeason parsed = ParseSeason("E0_1516.csv");
  auto contents = store->ReadFile("E0_1516.csv");
  REQUIRE(contents.ok());
  REQUIRE(contents->fixtures.size() == 380);
  REQUIRE(contents->line_begin.size() == 381);
  CHECK(contents->line_begin.back() == contents->lines.size());
  CHECK(contents->lines.size() == parsed.lines.size());
  const auto fixtures = store->FixturesOfFile("E0_1516.csv");
  REQUIRE(fixtures.ok());
  for (size_t i = 0; i < 380; ++i) {
    CHECK(MessageDifferencer::Equals(contents->fixtures[i], (*fixtures)[i]));
    for (size_t k = contents->line_begin[i]; k < contents->line_begin[i + 1]; ++k) {
      CHECK(contents->lines[k].fixture_id() == (*fixtures)[i].id());
    }
  }
  const std::string id = contents->fixtures[7].id();
  // A live price and a later pre-match price of one match, written afterwards.
  superbet::v1::BettingLine live;
  live.set_fixture_id(id);
  live.set_bookmaker("Bet365");
  live.set_market(superbet::v1::MARKET_1X2);
  live.set_selection(superbet::v1::SELECTION_AWAY);
  live.set_decimal_odds(3.75);
  live.set_is_live(true);
  live.mutable_timestamp()->set_seconds(contents->fixtures[7].kickoff().seconds() + 600);
  superbet::v1::BettingLine late = live;
  late.set_is_live(false);
  late.set_bookmaker("Betfair");
  late.set_decimal_odds(3.6);
  late.mutable_timestamp()->set_seconds(contents->fixtures[7].kickoff().seconds() - 60);
  auto added = store->PutLines({live, late});
  REQUIRE(added.ok());
  CHECK(*added == 2);
  std::multiset<std::string> expected, got;
  for (const auto& l : parsed.lines) {
    if (l.fixture_id() == id) expected.insert(l.SerializeAsString());
  }
  expected.insert(live.SerializeAsString());
  expected.insert(late.SerializeAsString());
  auto after = store->ReadFile("E0_1516.csv");
  REQUIRE(after.ok());
  for (size_t k = after->line_begin[7]; k < after->line_begin[8]; ++k) {
    got.insert(after->lines[k].SerializeAsString());
  }
  CHECK(got == expected);
  CHECK(after->lines.size() == parsed.lines.size() + 2);
  // The bookmaker filter sees the new prices too.
  auto betfair = store->LinesOfFile("E0_1516.csv", {"Betfair"});
  REQUIRE(betfair.ok());
  REQUIRE(betfair->size() == 1);
  CHECK(MessageDifferencer::Equals(betfair->front(), late));
  // Re-ingesting the season writes nothing and leaves the added prices in place.
  IngestSummary again;
  REQUIRE(
      IngestFootballDataFile(*store, testing::DataPath("football-data/E0_1516.csv"), again).ok());
  CHECK(again.written.matches == 0);
  CHECK(again.written.lines == 0);
  auto still = store->LinesOfFile("E0_1516.csv");
  REQUIRE(still.ok());
  CHECK(still->size() == parsed.lines.size() + 2);
}

// A store written before schema 5 (no prices column) is packed when newer code opens it.
// Oracle: the parser's lines, in file order, as for a store written by this code.
inline void CheckVersion4StoreIsPackedOnOpen(const StoreBackend& backend) {
  const std::string url = backend.fresh_url();
  {
    auto store = OpenOrDie(url);
    IngestSummary summary;
    REQUIRE(IngestFootballDataFile(*store, testing::DataPath("football-data/E0_1516.csv"), summary)
                .ok());
  }
  // Back to version 4, as the previous code left it.
  REQUIRE(backend.exec_raw(url,
                           "ALTER TABLE matches_master DROP COLUMN prices; DELETE FROM "
                           "schema_migrations WHERE version = 5"));
  REQUIRE(backend.query_raw(url, "SELECT MAX(version) FROM schema_migrations") == "4");
  auto store = OpenOrDie(url);
  CHECK(store->SchemaVersion().value() == 5);
  CHECK(backend.query_raw(url, "SELECT COUNT(*) FROM matches_master WHERE prices IS NULL") == "0");
  const ParsedSeason parsed = ParseSeason("E0_1516.csv");
  auto lines = store->LinesOfFile("E0_1516.csv");
  REQUIRE(lines.ok());
  REQUIRE(lines->size() == parsed.lines.size());
  size_t differing = 0;
  for (size_t i = 0; i < parsed.lines.size(); ++i) {
    if (!MessageDifferencer::Equals((*lines)[i], parsed.lines[i])) ++differing;
  }
  CHECK(differing == 0);
}

inline void CheckOddsHistoryKeepsEveryChange(const StoreBackend& backend) {
  auto store = OpenOrDie(backend.fresh_url());
  superbet::v1::BettingLine line;
  line.set_fixture_id("api-football:1");
  line.set_bookmaker("Bet365");
  line.set_market(superbet::v1::MARKET_1X2);
  line.set_selection(superbet::v1::SELECTION_HOME);
  line.set_decimal_odds(2.10);
  line.mutable_timestamp()->set_seconds(1700000000);
  superbet::v1::BettingLine later = line;  // A price change one minute later.
  later.set_decimal_odds(2.05);
  later.mutable_timestamp()->set_seconds(1700000060);
  superbet::v1::BettingLine closing = later;  // The closing price, same time: another phase.
  closing.set_is_closing(true);
  superbet::v1::BettingLine live = later;
  live.set_is_live(true);
  live.set_decimal_odds(1.8);
  live.mutable_timestamp()->set_seconds(1700003000);
  const std::vector<superbet::v1::BettingLine> all = {line, later, closing, live};
  auto n = store->PutLines(all);
  REQUIRE(n.ok());
  CHECK(*n == 4);
  auto again = store->PutLines(all);
  REQUIRE(again.ok());
  CHECK(*again == 0);
  auto history = store->OddsHistory("api-football:1");
  REQUIRE(history.ok());
  REQUIRE(history->size() == 4);
  CHECK((*history)[0].decimal_odds() == 2.10);
  CHECK((*history)[3].decimal_odds() == 1.8);
  CHECK((*history)[3].is_live());
  int closing_rows = 0;
  for (const auto& l : *history) closing_rows += l.is_closing() ? 1 : 0;
  CHECK(closing_rows == 1);
}

// The StatsBomb timeline of match 3754097 (Manchester United 1-0 Tottenham, 2015-08-08).
inline providers::statsbomb::Timeline Timeline3754097() {
  auto matches =
      providers::statsbomb::LoadMatchesFile(testing::DataPath("statsbomb/matches/2/27.json"));
  REQUIRE(matches.ok());
  for (const auto& f : *matches) {
    if (f.id() == "statsbomb:3754097") {
      auto t = providers::statsbomb::LoadTimelineFile(
          testing::DataPath("statsbomb/events/3754097.json"), f);
      REQUIRE(t.ok());
      return *t;
    }
  }
  FAIL("statsbomb:3754097 is not in matches/2/27.json");
  return {};
}

inline absl::Time TimeOf(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

inline MatchRecord RecordOf(const providers::statsbomb::Timeline& t) {
  MatchRecord r;
  r.fixture = t.fixture;
  r.source_file = "matches/2/27.json";
  for (const auto& s : t.states) r.live.push_back({TimeOf(s.observed_at()), s, "replay"});
  return r;
}

inline void CheckMomentumEqualsDirectComputation(const StoreBackend& backend) {
  auto store = OpenOrDie(backend.fresh_url());
  const auto timeline = Timeline3754097();
  REQUIRE(timeline.states.size() > 90);
  auto w = store->PutMatches({RecordOf(timeline)});
  REQUIRE(w.ok());
  CHECK(w->live_stats == static_cast<int64_t>(timeline.states.size()));
  for (MomentumWidth width : {MomentumWidth::k1Min, MomentumWidth::k5Min, MomentumWidth::k15Min}) {
    const int64_t w_s = static_cast<int64_t>(width) * 60;
    // Direct computation: group the states by floor(observed_at / width).
    struct Acc {
      double da_sum = 0, xgh_sum = 0, xga_sum = 0;
      int da_n = 0, xgh_n = 0, xga_n = 0, rows = 0;
      std::optional<int> max_sh, max_sa;
    };
    std::map<int64_t, Acc> expected;
    for (const auto& s : timeline.states) {
      Acc& a = expected[(s.observed_at().seconds() / w_s) * w_s];
      ++a.rows;
      if (s.home().has_dangerous_attacks() && s.away().has_dangerous_attacks()) {
        a.da_sum += s.home().dangerous_attacks() + s.away().dangerous_attacks();
        ++a.da_n;
      }
      if (s.home().has_xg()) a.xgh_sum += s.home().xg(), ++a.xgh_n;
      if (s.away().has_xg()) a.xga_sum += s.away().xg(), ++a.xga_n;
      if (s.has_score_home()) a.max_sh = std::max(a.max_sh.value_or(0), s.score_home());
      if (s.has_score_away()) a.max_sa = std::max(a.max_sa.value_or(0), s.score_away());
    }
    auto buckets = store->Momentum("statsbomb:3754097", width);
    REQUIRE(buckets.ok());
    REQUIRE(buckets->size() == expected.size());
    size_t i = 0;
    for (const auto& [start, a] : expected) {
      const MomentumBucket& b = (*buckets)[i++];
      INFO("width " << w_s << " s, bucket " << start);
      CHECK(absl::ToUnixSeconds(b.bucket_start) == start);
      CHECK(b.rows == a.rows);
      REQUIRE(b.avg_da.has_value() == (a.da_n > 0));
      if (a.da_n > 0) CHECK(std::abs(*b.avg_da - a.da_sum / a.da_n) < 1e-9);
      REQUIRE(b.avg_xg_home.has_value() == (a.xgh_n > 0));
      if (a.xgh_n > 0) CHECK(std::abs(*b.avg_xg_home - a.xgh_sum / a.xgh_n) < 1e-9);
      REQUIRE(b.avg_xg_away.has_value() == (a.xga_n > 0));
      if (a.xga_n > 0) CHECK(std::abs(*b.avg_xg_away - a.xga_sum / a.xga_n) < 1e-9);
      CHECK(b.max_sh == a.max_sh);
      CHECK(b.max_sa == a.max_sa);
    }
    // As of a moment inside a bucket: only the rows up to that moment.
    const auto& s40 = timeline.states[40];
    auto as_of = store->MomentumAsOf("statsbomb:3754097", width, TimeOf(s40.observed_at()));
    REQUIRE(as_of.ok());
    REQUIRE(as_of->has_value());
    const int64_t start = (s40.observed_at().seconds() / w_s) * w_s;
    int rows = 0;
    for (const auto& s : timeline.states) {
      const int64_t t = s.observed_at().seconds();
      if (t >= start && t <= s40.observed_at().seconds()) ++rows;
    }
    CHECK((*as_of)->rows == rows);
  }
  // The final score is the maximum of the last 15-minute bucket.
  auto last = store->Momentum("statsbomb:3754097", MomentumWidth::k15Min);
  REQUIRE(last.ok());
  CHECK(last->back().max_sh == 1);
  CHECK(last->back().max_sa == 0);
}

inline void CheckFallbackAgreesWithLiveStatsWindow(const StoreBackend& backend) {
  const std::string backend_url = backend.fresh_url();
  auto store = OpenOrDie(backend_url);
  auto timeline = Timeline3754097();
  // Give some rows live odds and staleness, so every averaged field is exercised.
  for (size_t k = 0; k < timeline.states.size(); ++k) {
    auto& s = timeline.states[k];
    if (k % 3 == 0) {
      auto* o = s.mutable_live_odds();
      o->set_home(1.6 + 0.01 * static_cast<double>(k % 7));
      o->set_draw(3.9);
      o->set_away(5.5 - 0.02 * static_cast<double>(k % 5));
      o->set_bookmaker("Bet365");
      *o->mutable_timestamp() = s.observed_at();
    }
  }
  REQUIRE(store->PutMatches({RecordOf(timeline)}).ok());
  providers::LiveStatsWindow window(1000);
  for (const auto& s : timeline.states) window.Record(s, TimeOf(s.observed_at()));
  const absl::Time kickoff = TimeOf(timeline.states.front().observed_at());
  int compared = 0, not_found = 0;
  for (int offset_s = -120; offset_s <= 120 * 60; offset_s += 37) {
    const absl::Time now = kickoff + absl::Seconds(offset_s);
    auto from_store = store->Fallback("statsbomb:3754097", now);
    auto in_process = window.Fallback("statsbomb:3754097", now);
    INFO("now = kickoff + " << offset_s << " s");
    REQUIRE(from_store.ok() == in_process.ok());
    if (!in_process.ok()) {
      CHECK(absl::IsNotFound(from_store.status()));
      ++not_found;
      continue;
    }
    CHECK(MessageDifferencer::Equals(*from_store, *in_process));
    ++compared;
  }
  CHECK(compared > 150);
  CHECK(not_found == 4);  // -120, -83, -46, -9 s: before the first row (kickoff).
  auto none = store->Fallback("statsbomb:1", kickoff);
  CHECK(absl::IsNotFound(none.status()));
  // The live_matches_cache view: the same averages as of the newest row.
  const auto& newest = timeline.states.back();
  auto at_newest = window.Fallback("statsbomb:3754097", TimeOf(newest.observed_at()));
  REQUIRE(at_newest.ok());
  REQUIRE(backend.query_raw);
  const std::string cached = backend.query_raw(
      backend_url,
      "SELECT CAST(ROUND(xg_home * 1000000) AS BIGINT), CAST(ROUND(odds_home * 1000000) AS "
      "BIGINT) FROM "
      "live_matches_cache WHERE match_id = 'statsbomb:3754097'");
  CHECK(cached == absl::StrCat(std::llround(at_newest->home().xg() * 1e6), "|",
                               std::llround(at_newest->live_odds().home() * 1e6)));
}

// football-data's HS/AS cells by a plain comma split of E0_1516.csv (no quoted cells there).
inline std::map<std::string, std::pair<int, int>> ShotsByTeams() {
  const std::string text = testing::ReadFileOrEmpty(testing::DataPath("football-data/E0_1516.csv"));
  std::vector<std::string> rows = absl::StrSplit(text, absl::ByAnyChar("\r\n"), absl::SkipEmpty());
  std::vector<std::string> header = absl::StrSplit(rows[0], ',');
  int home = -1, away = -1, hs = -1, as = -1;
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    if (header[i] == "HomeTeam") home = i;
    if (header[i] == "AwayTeam") away = i;
    if (header[i] == "HS") hs = i;
    if (header[i] == "AS") as = i;
  }
  std::map<std::string, std::pair<int, int>> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    std::vector<std::string> c = absl::StrSplit(rows[r], ',');
    out[absl::StrCat(c[home], " v ", c[away])] = {std::stoi(c[hs]), std::stoi(c[as])};
  }
  return out;
}

inline void CheckJsonStatisticsQueries(const StoreBackend& backend) {
  auto store = OpenOrDie(backend.fresh_url());
  IngestSummary summary;
  REQUIRE(
      IngestFootballDataFile(*store, testing::DataPath("football-data/E0_1516.csv"), summary).ok());
  const auto oracle = ShotsByTeams();
  REQUIRE(oracle.size() == 380);
  auto home_shots = store->StatisticNumbers("home.shots", "E0", "2015/16");
  REQUIRE(home_shots.ok());
  REQUIRE(home_shots->size() == 380);
  auto fixtures = store->FixturesOfFile("E0_1516.csv");
  REQUIRE(fixtures.ok());
  std::map<std::string, std::string> teams_of;
  for (const auto& f : *fixtures) {
    teams_of[f.id()] = absl::StrCat(f.home().name(), " v ", f.away().name());
  }
  int checked = 0, twenty_plus = 0;
  for (const auto& [id, shots] : *home_shots) {
    const auto it = oracle.find(teams_of[id]);
    REQUIRE(it != oracle.end());
    CHECK(shots == it->second.first);
    ++checked;
  }
  CHECK(checked == 380);
  auto away = store->StatisticNumbers("away.shots", "E0", "2015/16");
  REQUIRE(away.ok());
  for (const auto& [id, shots] : *away) CHECK(shots == oracle.at(teams_of[id]).second);
  // Containment: matches whose statistics hold {"home": {...}} are all; an absent key none.
  for (const auto& [teams, s] : oracle) twenty_plus += s.first >= 20 ? 1 : 0;
  int counted = 0;
  for (const auto& [id, shots] : *home_shots) counted += shots >= 20 ? 1 : 0;
  CHECK(counted == twenty_plus);
  auto none = store->StatisticNumbers("home.no_such_stat");
  REQUIRE(none.ok());
  CHECK(none->empty());
  CHECK(absl::IsInvalidArgument(store->StatisticNumbers("home'; DROP TABLE x").status()));
  // A top-level scalar key: ingest a fixture with {"referee_id": 7} and find it by containment.
  MatchRecord r;
  r.fixture.set_id("test:1");
  r.fixture.set_provider("test");
  r.statistics_json = "{\"referee_id\":7,\"home\":{\"shots\":3}}";
  REQUIRE(store->PutMatches({r}).ok());
  auto with = store->MatchesWithStatistics("referee_id", "7");
  REQUIRE(with.ok());
  REQUIRE(with->size() == 1);
  CHECK(with->front() == "test:1");
}

inline void CheckRetention(const StoreBackend& backend) {
  auto store = OpenOrDie(backend.fresh_url());
  const absl::Time now = absl::FromUnixSeconds(1767225600);
  std::vector<LiveStatsRow> rows;
  for (absl::Duration age : {absl::Hours(24 * 31), kLiveStatsRetention + absl::Microseconds(1),
                             kLiveStatsRetention, absl::Hours(24 * 29), absl::ZeroDuration()}) {
    LiveStatsRow r;
    r.timestamp = now - age;
    r.state.set_match_id("test:retention");
    r.state.set_minute(1);
    rows.push_back(r);
  }
  auto n = store->PutLiveStats(rows);
  REQUIRE(n.ok());
  REQUIRE(*n == 5);
  auto removed = store->ApplyRetention(now);
  REQUIRE(removed.ok());
  CHECK(*removed == 2);  // 31 days, and 30 days + 1 us; exactly 30 days is kept.
  auto left = store->LiveStats("test:retention");
  REQUIRE(left.ok());
  REQUIRE(left->size() == 3);
  CHECK(left->front().timestamp == now - kLiveStatsRetention);
  CHECK(left->back().timestamp == now);
  auto again = store->ApplyRetention(now);
  REQUIRE(again.ok());
  CHECK(*again == 0);
}

inline void CheckNewerSchemaFailsNamingBothVersions(const StoreBackend& backend) {
  const std::string url = backend.fresh_url();
  {
    auto store = OpenOrDie(url);
    auto v = store->SchemaVersion();
    REQUIRE(v.ok());
    CHECK(*v == kSchemaVersion);
  }
  REQUIRE(backend.exec_raw(url,
                           "INSERT INTO schema_migrations (version, description, "
                           "applied_at) VALUES (9, 'from the future', 0)"));
  auto reopened = Store::Open(url, TestClock());
  REQUIRE(!reopened.ok());
  CHECK(absl::IsFailedPrecondition(reopened.status()));
  CHECK_THAT(std::string(reopened.status().message()),
             Catch::Contains("store schema version 9 is newer than this code's " +
                             std::to_string(kSchemaVersion)));
}

inline void CheckLedgerAndPlayers(const StoreBackend& backend) {
  auto store = OpenOrDie(backend.fresh_url());
  LedgerRecord bet;
  bet.bet_id = "prematch:football-data:E0:2015-08-08:Man United:Tottenham";
  auto* p = bet.decision.mutable_prediction();
  p->set_match_id("football-data:E0:2015-08-08:Man United:Tottenham");
  p->set_agent("prematch");
  p->set_pick("home");
  p->mutable_odds()->set_home(1.65);
  p->set_action(superbet::v1::ACTION_BET_HOME);
  p->mutable_decided_at()->set_seconds(1439035200);
  p->set_data_staleness_s(0);
  bet.decision.set_stake(12.5);
  bet.decision.set_verdict(superbet::v1::VERDICT_ACCEPTED);
  bet.metrics_json = "{\"cas\":1.04}";
  auto n = store->PutLedger({bet});
  REQUIRE(n.ok());
  CHECK(*n == 1);
  auto same = store->PutLedger({bet});
  REQUIRE(same.ok());
  CHECK(*same == 0);
  bet.settled_at = absl::FromUnixSeconds(1439042400);
  bet.payout = 20.625;  // 12.5 x 1.65.
  bet.decision.set_profit(8.125);
  auto settled = store->PutLedger({bet});
  REQUIRE(settled.ok());
  CHECK(*settled == 1);
  auto ledger = store->Ledger();
  REQUIRE(ledger.ok());
  REQUIRE(ledger->size() == 1);
  CHECK(MessageDifferencer::Equals(ledger->front().decision, bet.decision));
  CHECK(ledger->front().payout == 20.625);
  CHECK(ledger->front().settled_at == bet.settled_at);
  CHECK(!ledger->front().reward.has_value());  // Absent stays absent, never 0.

  PlayerRecord player;
  player.provider = "api-football";
  player.player.set_id("api-football:276");
  player.player.set_name("Neymar");
  player.player.set_team_id("api-football:85");
  player.player.set_injury_status("out");
  (*player.player.mutable_performance())["minutes"] = 90;
  auto np = store->PutPlayers({player});
  REQUIRE(np.ok());
  CHECK(*np == 1);
  auto again = store->PutPlayers({player});
  REQUIRE(again.ok());
  CHECK(*again == 0);
}

// A process killed inside the write transaction of a match leaves no trace of it.
inline void CheckKilledWriterLeavesNoPartialFixture(const StoreBackend& backend) {
  const std::string url = backend.fresh_url();
  { auto created = OpenOrDie(url); }  // Schema first, so the child dies in the match write.
  const auto timeline = Timeline3754097();
  const MatchRecord record = RecordOf(timeline);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    StoreOptions options;
    options.fault_hook = [](absl::string_view) { kill(getpid(), SIGKILL); };
    auto store = Store::Open(url, TestClock(), options);
    if (store.ok()) (void)(*store)->PutMatches({record});
    _exit(0);  // Not reached when the hook fired.
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  auto store = OpenOrDie(url);
  auto fixture = store->GetFixture("statsbomb:3754097");
  REQUIRE(fixture.ok());
  CHECK(!fixture->has_value());
  auto live = store->LiveStats("statsbomb:3754097");
  REQUIRE(live.ok());
  CHECK(live->empty());
  // The same write, not interrupted, stores all of it.
  auto w = store->PutMatches({record});
  REQUIRE(w.ok());
  CHECK(w->matches == 1);
  CHECK(w->live_stats == static_cast<int64_t>(timeline.states.size()));
}

// Two processes writing the same store at once: every write lands, nothing is corrupted.
inline void CheckTwoProcessesWriteOneStore(const StoreBackend& backend) {
  const std::string url = backend.fresh_url();
  { auto created = OpenOrDie(url); }
  constexpr int kRowsPerChild = 200;
  pid_t children[2];
  for (int c = 0; c < 2; ++c) {
    children[c] = fork();
    REQUIRE(children[c] >= 0);
    if (children[c] == 0) {
      auto store = Store::Open(url, TestClock());
      if (!store.ok()) _exit(2);
      for (int i = 0; i < kRowsPerChild; ++i) {
        MatchRecord r;
        r.fixture.set_id(absl::StrCat("test:", c, ":", i));
        r.fixture.set_provider("test");
        LiveStatsRow row;
        row.timestamp = absl::FromUnixSeconds(1767225600 + i);
        row.state.set_match_id(r.fixture.id());
        r.live.push_back(row);
        // Both processes also write one shared match: idempotent upserts, no conflict error.
        MatchRecord shared;
        shared.fixture.set_id("test:shared");
        shared.fixture.set_provider("test");
        if (!(*store)->PutMatches({r, shared}).ok()) _exit(3);
      }
      _exit(0);
    }
  }
  for (pid_t child : children) {
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto store = OpenOrDie(url);
  auto counts = store->CountRows();
  REQUIRE(counts.ok());
  CHECK(counts->at("matches_master") == 2 * kRowsPerChild + 1);
  CHECK(counts->at("live_stats") == 2 * kRowsPerChild);
}

// Ingest of the whole shared data root: nothing unexpected skipped; every row the parsers offer
// is stored (oracle: the parsers' own counts, summed file by file here); a second ingest writes
// nothing.
inline void CheckIngestOfAllSharedData(const StoreBackend& backend) {
  namespace fd = providers::football_data;
  namespace sb = providers::statsbomb;
  auto store = OpenOrDie(backend.fresh_url());
  auto summary = IngestDataRoot(*store, testing::DataDir());
  REQUIRE(summary.ok());
  for (const auto& s : summary->skipped_shown) {
    if (!s.expected) FAIL_CHECK(s.where << ": " << s.reason);
  }
  CHECK(summary->unexpected == 0);
  int64_t fd_fixtures = 0, fd_lines = 0, seasons = 0;
  for (const auto& e : std::filesystem::directory_iterator(testing::DataPath("football-data"))) {
    if (e.path().extension() != ".csv") continue;
    auto s = fd::LoadSeasonFile(e.path().string(), fd::ParseMode::kLenient);
    REQUIRE(s.ok());
    fd_fixtures += s->stats.fixtures;
    fd_lines += s->stats.lines;
    ++seasons;
  }
  auto matches = sb::LoadMatchesFile(testing::DataPath("statsbomb/matches/2/27.json"));
  REQUIRE(matches.ok());
  int64_t states = 0, with_events = 0;
  for (const auto& f : *matches) {
    const std::string events =
        testing::DataPath(absl::StrCat("statsbomb/events/", f.id().substr(10), ".json"));
    if (!std::filesystem::exists(events)) continue;
    auto t = sb::LoadTimelineFile(events, f);
    REQUIRE(t.ok());
    states += static_cast<int64_t>(t->states.size());
    ++with_events;
  }
  CHECK(with_events == 35);
  auto counts = store->CountRows();
  REQUIRE(counts.ok());
  CHECK(counts->at("source_files") == seasons);
  CHECK(counts->at("matches_master") >= fd_fixtures + 380);
  CHECK(counts->at("daily_betting_lines") >= fd_lines);
  CHECK(counts->at("daily_betting_lines") == summary->rows_read.at("daily_betting_lines"));
  CHECK(counts->at("live_stats") >= states);
  CHECK(counts->at("live_stats") == summary->rows_read.at("live_stats"));
  CHECK(counts->at("provider_responses") == 20);  // Every recorded API-Football file.
  CHECK(counts->at("players_db") > 0);
  CHECK(summary->skipped_by_reason.at(
            "StatsBomb match without an events file (fixture stored alone)") == 380 - 35);
  // Statistics of a replayed match as JSON: 3754097's home shots = its last timeline state's.
  auto shots = store->StatisticNumbers("home.shots", "Premier League", "2015/16");
  REQUIRE(shots.ok());
  CHECK(shots->size() == 35);

  auto again = IngestDataRoot(*store, testing::DataDir());
  REQUIRE(again.ok());
  CHECK(again->written.matches == 0);
  CHECK(again->written.lines == 0);
  CHECK(again->written.live_stats == 0);
  CHECK(again->written.players == 0);
  CHECK(again->written.responses == 0);
  CHECK(again->written.source_files == 0);
  auto counts_again = store->CountRows();
  REQUIRE(counts_again.ok());
  CHECK(*counts_again == *counts);
}

}  // namespace superbet::store::suite

#endif  // SUPERBET_TESTS_STORE_STORE_SUITE_H_
