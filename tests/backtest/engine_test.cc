// Backtest engine tests on the real E0 files.
//
// Oracles:
//  * hand check of the favourite and home baselines on E0_1516.csv at Bet365 prices, 1 unit flat,
//    computed independently of this library with
//      awk -F, 'NR>1{h=$24;d=$25;a=$26; m=h; s="H"; if(d<m){m=d;s="D"} if(a<m){m=a;s="A"}
//               n++; if(s==$7){p+=m-1;w++} else p-=1} END{printf "%d %d %.6f\n",n,w,p}' E0_1516.csv
//      -> 380 bets, 180 won, P&L -41.660000 (columns 24-26 are B365H/D/A, 7 is FTR)
//    and the same in Python (csv.DictReader; home: +B365H-1 when FTR == 'H' else -1)
//      -> home P&L -33.67 over 380 bets;
//  * the no-leak contract of strategy.h, checked by a "cheating" strategy that looks for
//    everything it must not see;
//  * Kelly: FractionalKelly(0.9, o, 0.25, 0.05) at odds > 2 is capped, so the stake is exactly 5 %
//    of the bankroll at the start of the day;
//  * the history a strategy is handed, against a brute-force oracle computed here from the rule
//    of engine.h (a match is over at kickoff + 2 h 15 min when its time is known, at the end of its
//    UTC date otherwise): for every decision, the set of fixtures over by its kickoff, ordered by
//    the time they ended; on E0 2015/16 (dates only) and E0 2023/24 (kickoff times known);
//  * two real 2023/24 fixtures moved to 23:30 and 00:30 UTC on consecutive dates: the first is not
//    in the second's history and its bet has not settled (its cash is still staked);
//  * bet_seasons: on E0 2014/15 + 2015/16 with only 2015/16 bet, the home baseline equals the hand
//    check of 2015/16 alone while the strategy is still asked about all 760 matches;
//  * no number of a report is inf or NaN: a flat stake of 1e306 won at odds 1000 overflows a
//    double (999e306 > 1.8e308) and must be an error naming the match.

#include "superbet/backtest/engine.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "superbet/backtest/report.h"
#include "superbet/backtest/strategies.h"
#include "superbet/providers/football_data/football_data.h"
#include "support/test_data.h"

namespace superbet::backtest {
namespace {

using superbet::providers::football_data::LoadSeasonFile;
using superbet::providers::football_data::ParseMode;
using superbet::providers::football_data::SeasonData;
using superbet::v1::BettingLine;
using superbet::v1::Fixture;

const SeasonData& LoadSeason(const char* file) {
  auto s = LoadSeasonFile(superbet::testing::DataPath(file), ParseMode::kStrict);
  REQUIRE(s.ok());
  return *new SeasonData(std::move(*s));
}

const SeasonData& Season1516() {
  static const SeasonData& data = LoadSeason("football-data/E0_1516.csv");
  return data;
}

const SeasonData& Season2324() {  // Kickoff times known (football-data has Time since 2019/20).
  static const SeasonData& data = LoadSeason("football-data/E0_2324.csv");
  return data;
}

absl::Time Kickoff(const Fixture& f) { return absl::FromUnixSeconds(f.kickoff().seconds()); }
absl::CivilDay Day(const Fixture& f) { return absl::ToCivilDay(Kickoff(f), absl::UTCTimeZone()); }

// The oracle's end of a match, written out from engine.h's rule.
absl::Time End(const Fixture& f) {
  if (f.kickoff_time_known()) return Kickoff(f) + absl::Hours(2) + absl::Minutes(15);
  return absl::FromCivil(Day(f) + 1, absl::UTCTimeZone());
}

// Records the ids of the history handed to each decision; backs the home side.
class HistorySpy final : public Strategy {
 public:
  std::string name() const override { return "spy"; }
  absl::StatusOr<Decision> Decide(const MatchView& match,
                                  absl::Span<const Fixture> history) override {
    std::vector<std::string>& ids = seen[match.fixture.id()];
    for (const Fixture& h : history) ids.push_back(h.id());
    Decision d;
    d.selection = superbet::v1::SELECTION_HOME;
    d.probability = 0.5;
    return d;
  }
  std::map<std::string, std::vector<std::string>> seen;
};

// For every decision: the history is exactly the fixtures over by its kickoff, in the order they
// ended (ties: kickoff order, then input order).
void CheckHistoryAgainstOracle(const SeasonData& s) {
  HistorySpy spy;
  REQUIRE(RunBacktest(s.fixtures, s.lines, spy, EngineOptions{}).ok());
  REQUIRE(spy.seen.size() == s.fixtures.size());
  std::vector<size_t> by_end(s.fixtures.size());
  for (size_t k = 0; k < by_end.size(); ++k) by_end[k] = k;
  std::stable_sort(by_end.begin(), by_end.end(), [&](size_t a, size_t b) {
    const Fixture &x = s.fixtures[a], &y = s.fixtures[b];
    return std::make_pair(End(x), Kickoff(x)) < std::make_pair(End(y), Kickoff(y));
  });
  int mismatches = 0, same_day_in_history = 0;
  for (const Fixture& f : s.fixtures) {
    std::vector<std::string> expected;
    for (size_t k : by_end) {
      const Fixture& g = s.fixtures[k];
      if (End(g) <= Kickoff(f)) {
        expected.push_back(g.id());
        if (Day(g) == Day(f)) ++same_day_in_history;
      }
    }
    if (spy.seen.at(f.id()) != expected) ++mismatches;
  }
  CHECK(mismatches == 0);
  // Times known: a 12:30 result is history at 15:00 the same day; dates only: never.
  CHECK((same_day_in_history > 0) == s.fixtures[0].kickoff_time_known());
}

TEST_CASE("the history is exactly the matches over by the kickoff, in the order they ended") {
  CheckHistoryAgainstOracle(Season1516());
  CheckHistoryAgainstOracle(Season2324());
}

// Burnley v Man City (0-3) and Arsenal v Nott'm Forest (2-1, home win at Bet365 1.18), the first
// two rows of E0_2324.csv, moved to 2023-08-11 23:30 and 2023-08-12 00:30 UTC.
std::vector<Fixture> LateAndEarly(absl::Duration gap) {
  const SeasonData& s = Season2324();
  std::vector<Fixture> two = {s.fixtures[1], s.fixtures[0]};
  REQUIRE(two[0].full_time().home() > two[0].full_time().away());
  const absl::Time late =
      absl::FromCivil(absl::CivilMinute(2023, 8, 11, 23, 30), absl::UTCTimeZone());
  for (Fixture& f : two) REQUIRE(f.kickoff_time_known());
  two[0].mutable_kickoff()->set_seconds(absl::ToUnixSeconds(late));
  two[1].mutable_kickoff()->set_seconds(absl::ToUnixSeconds(late + gap));
  return two;
}

TEST_CASE("a 23:30 UTC match is not the history of a 00:30 UTC match the next day") {
  const SeasonData& s = Season2324();
  {
    HistorySpy spy;
    const auto two = LateAndEarly(absl::Hours(1));
    REQUIRE(RunBacktest(two, s.lines, spy, EngineOptions{}).ok());
    CHECK(spy.seen.at(two[0].id()).empty());
    CHECK(spy.seen.at(two[1].id()).empty());  // Still being played at 00:30.
  }
  {
    HistorySpy spy;  // Kicked off 2 h 15 min later: the first match is over.
    const auto two = LateAndEarly(absl::Hours(2) + absl::Minutes(15));
    REQUIRE(RunBacktest(two, s.lines, spy, EngineOptions{}).ok());
    CHECK(spy.seen.at(two[1].id()) == std::vector<std::string>{two[0].id()});
  }
  {
    // Its bet has not settled either: with 1.5 units, 1 staked on the 23:30 home win leaves 0.5,
    // so the 00:30 bet of 1 is skipped (settling the win first would have left 1.68).
    HomeStrategy home;
    EngineOptions o;
    o.initial_bankroll = 1.5;
    const auto two = LateAndEarly(absl::Hours(1));
    auto report = RunBacktest(two, s.lines, home, o);
    REQUIRE(report.ok());
    CHECK(report->overall.bets == 1);
    CHECK(report->overall.skipped_stake_over_bankroll == 1);
    CHECK(report->overall.final_bankroll == Approx(1.5 + 0.18));
  }
}

// Sets every Bet365 home price of a home win in `lines` to `price`.
std::vector<superbet::v1::BettingLine> HomeWinPricesAt(const SeasonData& s, double price) {
  std::map<std::string, bool> home_won;
  for (const Fixture& f : s.fixtures)
    home_won[f.id()] = f.full_time().home() > f.full_time().away();
  std::vector<superbet::v1::BettingLine> lines = s.lines;
  for (auto& l : lines) {
    if (l.bookmaker() == "Bet365" && !l.is_closing() && l.market() == superbet::v1::MARKET_1X2 &&
        l.selection() == superbet::v1::SELECTION_HOME && home_won[l.fixture_id()]) {
      l.set_decimal_odds(price);
    }
  }
  return lines;
}

TEST_CASE("a stake that overflows at odds 1000 is an error naming the match, not an inf report") {
  const SeasonData& s = Season1516();
  const auto lines = HomeWinPricesAt(s, 1000);
  HomeStrategy home;
  EngineOptions o;
  o.initial_bankroll = 1e307;
  o.flat_stake = 1e306;  // Won at 1000: a profit of 9.99e308, past the largest double.
  auto report = RunBacktest(s.fixtures, lines, home, o);
  REQUIRE(!report.ok());
  CHECK(report.status().code() == absl::StatusCode::kOutOfRange);
  INFO(report.status().message());
  CHECK(absl::StrContains(report.status().message(), "football-data:E0:"));
}

// Stakes the whole bankroll (p = 1, full Kelly, cap 1) on every home side priced at 1000.
class AllInStrategy final : public Strategy {
 public:
  std::string name() const override { return "all-in"; }
  absl::StatusOr<Decision> Decide(const MatchView& match, absl::Span<const Fixture>) override {
    Decision d;
    if (match.decimal_odds[0] == 1000) {
      d.selection = superbet::v1::SELECTION_HOME;
      d.probability = 1.0;
    }
    return d;
  }
};

TEST_CASE("a strategy staking everything at odds 1000 is an error naming the match, not inf") {
  // One all-in bet a day (the day's other stakes exceed the cash left), each a win at 1000: from
  // 1e100, 1e100 x 1000^k passes the largest double (1.8e308) at k = 70; the 157 home wins of
  // E0 2015/16 fall on 74 dates (awk -F, 'NR>1 && $7=="H" {print $2}' E0_1516.csv | sort -u).
  const SeasonData& s = Season1516();
  const auto lines = HomeWinPricesAt(s, 1000);
  AllInStrategy all_in;
  EngineOptions o;
  o.staking = Staking::kKelly;
  o.kelly_multiplier = 1;
  o.kelly_cap = 1;
  o.initial_bankroll = 1e100;
  auto report = RunBacktest(s.fixtures, lines, all_in, o);
  REQUIRE(!report.ok());
  INFO(report.status().message());
  CHECK(report.status().code() == absl::StatusCode::kOutOfRange);
  CHECK(absl::StartsWith(report.status().message(), "football-data:E0:201"));
}

TEST_CASE("prices of 1000 give finite figures in the table and the JSON") {
  const SeasonData& s = Season1516();
  const auto lines = HomeWinPricesAt(s, 1000);
  HomeStrategy home;
  auto report = RunBacktest(s.fixtures, lines, home, EngineOptions{});
  REQUIRE(report.ok());
  // Oracle: each home win pays 999, each other match loses 1 (E0 2015/16: 157 home wins).
  CHECK(report->overall.pnl == Approx(157 * 999.0 - (380 - 157)));
  auto table = FormatReportTable(*report, "t");
  REQUIRE(table.ok());
  for (const char* bad : {"inf", "nan", "null"}) CHECK(!absl::StrContains(*table, bad));
  auto json = FormatRunJson(*report);
  REQUIRE(json.ok());
  for (const char* bad : {"inf", "nan", "null"}) CHECK(!absl::StrContains(*json, bad));
}

TEST_CASE("the report writers refuse a non-finite number") {
  BacktestReport report;
  report.overall.season = "overall";
  report.per_season.push_back(report.overall);
  report.per_season[0].season = "2015/16";
  report.per_season[0].roi = std::numeric_limits<double>::quiet_NaN();
  CHECK(FormatReportTable(report, "t").status().code() == absl::StatusCode::kOutOfRange);
  CHECK(FormatRunJson(report).status().message() == "2015/16: roi is nan");
}

TEST_CASE("bet_seasons: earlier seasons are shown to the strategy but not bet or reported") {
  std::vector<Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;
  for (const SeasonData* s : {&LoadSeason("football-data/E0_1415.csv"), &Season1516()}) {
    fixtures.insert(fixtures.end(), s->fixtures.begin(), s->fixtures.end());
    lines.insert(lines.end(), s->lines.begin(), s->lines.end());
  }
  EngineOptions o;
  o.bet_seasons = {"2015/16"};
  HistorySpy spy;  // Backs the home side, like the home baseline.
  auto report = RunBacktest(fixtures, lines, spy, o);
  REQUIRE(report.ok());
  CHECK(spy.seen.size() == 760);  // Both seasons decided.
  REQUIRE(report->per_season.size() == 1);
  CHECK(report->per_season[0].season == "2015/16");
  CHECK(report->overall.matches == 380);
  CHECK(report->overall.bets == 380);
  CHECK(report->overall.pnl == Approx(-33.67).margin(1e-9));  // The home hand check above.
  CHECK(report->overall.start_bankroll == 1000);
}

// Returns a forecast that is not a probability vector.
class NanForecastStrategy final : public Strategy {
 public:
  std::string name() const override { return "nan"; }
  absl::StatusOr<Decision> Decide(const MatchView&, absl::Span<const Fixture>) override {
    Decision d;
    d.probabilities = std::array<double, 3>{std::nan(""), 0.5, 0.5};
    return d;
  }
};

TEST_CASE("a forecast with NaN is an error naming the match, not a NaN Brier score") {
  const SeasonData& s = Season1516();
  NanForecastStrategy nan;
  auto report = RunBacktest(s.fixtures, s.lines, nan, EngineOptions{});
  REQUIRE(!report.ok());
  CHECK(report.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(report.status().message(), "football-data:E0:2015-08-08:"));
}

TEST_CASE("favourite baseline on E0 2015/16 at Bet365 equals the hand check") {
  const SeasonData& s = Season1516();
  FavouriteStrategy favourite;
  auto report = RunBacktest(s.fixtures, s.lines, favourite, EngineOptions{});
  REQUIRE(report.ok());
  const Metrics& m = report->overall;
  CHECK(m.matches == 380);
  CHECK(m.skipped_no_odds == 0);
  CHECK(m.bets == 380);
  CHECK(m.wins == 180);
  CHECK(m.turnover == Approx(380.0));
  CHECK(m.pnl == Approx(-41.66).margin(1e-9));
  CHECK(m.roi == Approx(-41.66 / 380).margin(1e-12));
  CHECK(m.hit_rate == Approx(180.0 / 380));
  CHECK(m.final_bankroll == Approx(1000 - 41.66).margin(1e-9));
  CHECK(m.forecasts == 380);
  REQUIRE(report->per_season.size() == 1);
  CHECK(report->per_season[0].season == "2015/16");
  CHECK(report->per_season[0].pnl == Approx(-41.66).margin(1e-9));
  // Every 2015/16 row has PSCH/PSCD/PSCA: every bet has a Pinnacle close.
  CHECK(m.clv_bets == 380);
  CHECK(m.brier > 0.5);
  CHECK(m.brier < 0.65);
}

TEST_CASE("home baseline on E0 2015/16 at Bet365 equals the hand check") {
  const SeasonData& s = Season1516();
  HomeStrategy home;
  auto report = RunBacktest(s.fixtures, s.lines, home, EngineOptions{});
  REQUIRE(report.ok());
  CHECK(report->overall.bets == 380);
  CHECK(report->overall.pnl == Approx(-33.67).margin(1e-9));
  for (const BetRecord& b : report->bets) CHECK(b.selection == superbet::v1::SELECTION_HOME);
}

// Records what it is shown and tries to find what it must not see.
class CheatingStrategy final : public Strategy {
 public:
  std::string name() const override { return "cheat"; }
  absl::StatusOr<Decision> Decide(const MatchView& match,
                                  absl::Span<const Fixture> history) override {
    ++calls;
    if (match.fixture.has_full_time() || match.fixture.has_half_time() ||
        !match.fixture.statistics().empty() ||
        match.fixture.status() != superbet::v1::FIXTURE_STATUS_SCHEDULED) {
      ++saw_result;
    }
    for (const auto& l : match.lines) {
      if (l.is_closing()) ++saw_closing;
      if (l.bookmaker() != "Bet365") ++saw_other_bookmaker;
    }
    const absl::CivilDay day = Day(match.fixture);
    for (const Fixture& h : history) {
      if (Day(h) >= day) ++saw_same_or_later_day;
      if (h.id() == match.fixture.id()) ++saw_own_result;
    }
    if (Kickoff(match.fixture) < last_kickoff_seen) ++calls_out_of_order;
    last_kickoff_seen = Kickoff(match.fixture);
    history_sizes[day] = history.size();
    Decision d;
    d.selection = superbet::v1::SELECTION_HOME;
    return d;
  }
  int calls = 0, saw_result = 0, saw_closing = 0, saw_other_bookmaker = 0;
  int saw_same_or_later_day = 0, saw_own_result = 0;
  int calls_out_of_order = 0;
  absl::Time last_kickoff_seen = absl::InfinitePast();
  std::map<absl::CivilDay, size_t> history_sizes;
};

TEST_CASE("a strategy cannot see the result, closing odds or same-day results before settlement") {
  const SeasonData& s = Season1516();
  CheatingStrategy cheat;
  auto report = RunBacktest(s.fixtures, s.lines, cheat, EngineOptions{});
  REQUIRE(report.ok());
  CHECK(cheat.calls == 380);
  CHECK(cheat.saw_result == 0);
  CHECK(cheat.saw_closing == 0);
  CHECK(cheat.saw_other_bookmaker == 0);
  CHECK(cheat.saw_same_or_later_day == 0);
  CHECK(cheat.saw_own_result == 0);
  CHECK(cheat.calls_out_of_order == 0);
  // The history is complete: on each day it holds every match of the earlier days.
  for (const auto& [day, size] : cheat.history_sizes) {
    const auto earlier = std::count_if(s.fixtures.begin(), s.fixtures.end(),
                                       [&](const Fixture& f) { return Day(f) < day; });
    CHECK(size == static_cast<size_t>(earlier));
  }
  // The input fixtures were not modified (results still there for settlement).
  CHECK(report->bets.size() == 380);
}

// Records the fixture each call sees, to compare it with protobuf's own copy-then-clear.
struct RecordingStrategy : Strategy {
  std::string name() const override { return "recording"; }
  absl::StatusOr<Decision> Decide(const MatchView& match, absl::Span<const Fixture>) override {
    seen.push_back(match.fixture);
    lines_seen.push_back(match.lines.size());
    for (const auto& l : match.lines) lines_wire.push_back(l.SerializeAsString());
    for (const auto& l : match.lines) foreign_lines += l.fixture_id() != match.fixture.id();
    return Decision{};
  }
  std::vector<Fixture> seen;
  std::vector<size_t> lines_seen;
  std::vector<std::string> lines_wire;  // Every line seen, serialized, in call order.
  int foreign_lines = 0;
};

TEST_CASE("the fixture a strategy sees equals the whole message copied with the result cleared") {
  // Oracle: protobuf's copy of the whole fixture, then clear_* of the fields the strategy must not
  // see. The engine copies field by field (and reuses one view); a field added to Fixture must be
  // added to that copy, which the field count below flags.
  REQUIRE(Fixture::descriptor()->field_count() == 16);
  const SeasonData& s = Season1516();
  RecordingStrategy rec;
  REQUIRE(RunBacktest(s.fixtures, s.lines, rec, EngineOptions{}).ok());
  REQUIRE(rec.seen.size() == 380);
  std::map<std::string, const Fixture*> by_id;
  for (const Fixture& f : s.fixtures) by_id[f.id()] = &f;
  for (const Fixture& seen : rec.seen) {
    Fixture expected = *by_id.at(seen.id());
    expected.clear_full_time();
    expected.clear_half_time();
    expected.clear_statistics();
    expected.clear_elapsed_minute();
    expected.set_status(superbet::v1::FIXTURE_STATUS_SCHEDULED);
    CHECK(seen.SerializeAsString() == expected.SerializeAsString());
  }
  // Each match sees the Bet365 pre-match lines of its own fixture only (reused view: no leftovers).
  CHECK(*std::min_element(rec.lines_seen.begin(), rec.lines_seen.end()) > 0);
  CHECK(rec.foreign_lines == 0);
}

TEST_CASE("the lines a strategy sees equal protobuf's copies of the input's lines") {
  // Oracle: protobuf's own serialization of the input lines (the odds source's pre-match lines
  // of each match, input order). The engine copies lines field by field into a reused view; a
  // field added to BettingLine must be added to that copy, which the field count below flags.
  // Bet365 (1X2 only in 2015/16) and the market average (1X2, over/under and Asian handicap:
  // lines with and without `line`) on the same reused view.
  REQUIRE(BettingLine::descriptor()->field_count() == 9);
  const SeasonData& s = Season1516();
  for (const OddsSource source : {OddsSource::kMarketAverage, OddsSource::kBet365}) {
    const std::string bookmaker(OddsSourceBookmaker(source));
    INFO(bookmaker);
    EngineOptions options;
    options.odds_source = source;
    RecordingStrategy rec;
    REQUIRE(RunBacktest(s.fixtures, s.lines, rec, options).ok());
    REQUIRE(rec.seen.size() == 380);
    std::map<std::string, std::vector<std::string>> expected_by_id;
    int with_line = 0;
    for (const BettingLine& l : s.lines) {
      if (l.bookmaker() == bookmaker && !l.is_closing() && !l.is_live()) {
        expected_by_id[l.fixture_id()].push_back(l.SerializeAsString());
        with_line += l.has_line();
      }
    }
    if (source == OddsSource::kMarketAverage) CHECK(with_line > 0);
    std::vector<std::string> expected;
    for (const Fixture& seen : rec.seen) {
      const auto& v = expected_by_id.at(seen.id());
      expected.insert(expected.end(), v.begin(), v.end());
    }
    REQUIRE(rec.lines_wire.size() == expected.size());
    CHECK(rec.lines_wire == expected);
  }
}

TEST_CASE("replay is chronological whatever the input order") {
  const SeasonData& s = Season1516();
  std::vector<Fixture> reversed(s.fixtures.rbegin(), s.fixtures.rend());
  CheatingStrategy cheat;
  auto shuffled = RunBacktest(reversed, s.lines, cheat, EngineOptions{});
  REQUIRE(shuffled.ok());
  CHECK(cheat.calls_out_of_order == 0);
  CHECK(cheat.saw_same_or_later_day == 0);
  HomeStrategy home;
  auto ordered = RunBacktest(s.fixtures, s.lines, home, EngineOptions{});
  REQUIRE(ordered.ok());
  CHECK(shuffled->overall.pnl == Approx(ordered->overall.pnl).margin(1e-9));
  for (size_t k = 1; k < shuffled->bets.size(); ++k) {
    CHECK(shuffled->bets[k - 1].kickoff <= shuffled->bets[k].kickoff);
  }
}

// Records, at each call, the ids of the history it is handed and whether that history lies in
// the engine's input (no copy).
class HistoryRecorder final : public Strategy {
 public:
  explicit HistoryRecorder(absl::Span<const Fixture> input) : input_(input) {}
  std::string name() const override { return "recorder"; }
  absl::StatusOr<Decision> Decide(const MatchView&, absl::Span<const Fixture> history) override {
    sizes.push_back(history.size());
    last.clear();
    for (const Fixture& f : history) last.push_back(f.id());
    std::sort(last.begin(), last.end());
    if (!history.empty()) in_input += history.data() == input_.data();
    return Decision{};
  }
  std::vector<size_t> sizes;
  std::vector<std::string> last;  // The ids of the last call's history, sorted.
  int in_input = 0;

 private:
  absl::Span<const Fixture> input_;
};

TEST_CASE("an input in end order is the history itself, the same history as a copied one") {
  // E0 2015/16 in file order is in kickoff order, and with dates only the matches end in that
  // order: the engine hands a prefix of its input. Reversed, it must copy; the histories seen
  // hold the same matches at every call (same-day ties are in input order, so not the same order).
  const SeasonData& s = Season1516();
  HistoryRecorder in_order(s.fixtures);
  REQUIRE(RunBacktest(s.fixtures, s.lines, in_order, EngineOptions{}).ok());
  std::vector<Fixture> reversed(s.fixtures.rbegin(), s.fixtures.rend());
  HistoryRecorder copied(reversed);
  REQUIRE(RunBacktest(reversed, s.lines, copied, EngineOptions{}).ok());
  CHECK(in_order.in_input > 300);  // Every call after the first day.
  CHECK(copied.in_input == 0);
  CHECK(in_order.sizes == copied.sizes);
  CHECK(in_order.last == copied.last);
  CHECK(in_order.last.size() > 370);
}

// Claims 90 % on the away side of every match.
class OverconfidentStrategy final : public Strategy {
 public:
  std::string name() const override { return "overconfident"; }
  absl::StatusOr<Decision> Decide(const MatchView& match, absl::Span<const Fixture>) override {
    Decision d;
    d.selection = superbet::v1::SELECTION_AWAY;
    d.probability = 0.9;
    d.probabilities = std::array<double, 3>{0.05, 0.05, 0.9};
    (void)match;
    return d;
  }
};

TEST_CASE("Kelly stakes are capped at 5 % of the bankroll at the start of the day") {
  const SeasonData& s = Season1516();
  OverconfidentStrategy strategy;
  EngineOptions o;
  o.staking = Staking::kKelly;
  auto report = RunBacktest(s.fixtures, s.lines, strategy, o);
  REQUIRE(report.ok());
  REQUIRE(!report->bets.empty());
  // First day (2015-08-08): 6 matches, each staked 5 % of 1000 = 50 (full Kelly at p = 0.9 and
  // away odds >= 1.4 is >= 0.65; a quarter of it >= 0.16 > 0.05).
  double bankroll = 1000;
  absl::CivilDay day = absl::ToCivilDay(report->bets[0].kickoff, absl::UTCTimeZone());
  double day_start = bankroll;
  for (const BetRecord& b : report->bets) {
    const absl::CivilDay d = absl::ToCivilDay(b.kickoff, absl::UTCTimeZone());
    if (d != day) {
      day = d;
      day_start = bankroll;
    }
    CHECK(b.stake <= 0.05 * day_start + 1e-9);
    CHECK(b.stake > 0);
    bankroll = b.bankroll_after;
  }
  CHECK(report->bets[0].stake == Approx(50.0));
  CHECK(report->overall.max_drawdown > 0);
  CHECK(report->overall.max_drawdown <= 1.0);
}

TEST_CASE("a stake larger than the remaining bankroll is skipped and counted") {
  const SeasonData& s = Season1516();
  HomeStrategy home;
  EngineOptions o;
  o.initial_bankroll = 2.5;
  o.flat_stake = 1.0;
  auto report = RunBacktest(s.fixtures, s.lines, home, o);
  REQUIRE(report.ok());
  // 2015-08-08 has 6 matches: 2 bets fit in 2.5 units, the other 4 are skipped.
  CHECK(report->overall.skipped_stake_over_bankroll >= 4);
  for (const BetRecord& b : report->bets) CHECK(b.bankroll_after >= -1e-9);
}

TEST_CASE("matches without the source's three prices are skipped and counted") {
  const SeasonData& s = Season1516();
  std::vector<superbet::v1::BettingLine> lines;
  const std::string dropped = s.fixtures[0].id();
  for (const auto& l : s.lines) {
    if (!(l.fixture_id() == dropped && l.bookmaker() == "Bet365" &&
          l.selection() == superbet::v1::SELECTION_DRAW)) {
      lines.push_back(l);
    }
  }
  FavouriteStrategy favourite;
  auto report = RunBacktest(s.fixtures, lines, favourite, EngineOptions{});
  REQUIRE(report.ok());
  CHECK(report->overall.matches == 379);
  CHECK(report->overall.skipped_no_odds == 1);
  CHECK(report->overall.bets == 379);
}

TEST_CASE("odds sources select the bookmaker, bad options are rejected") {
  const SeasonData& s = Season1516();
  FavouriteStrategy favourite;
  EngineOptions o;
  o.odds_source = OddsSource::kPinnacle;
  auto report = RunBacktest(s.fixtures, s.lines, favourite, o);
  REQUIRE(report.ok());
  CHECK(report->overall.bets == 380);
  // Taken at PSH/PSD/PSA, closing at PSCH/PSCD/PSCA: row 2 (Bournemouth v Aston Villa, PSH 1.95,
  // PSCH 1.82) is the first bet, on the home favourite.
  CHECK(report->bets[0].decimal_odds == Approx(1.95));
  REQUIRE(report->bets[0].closing_odds.has_value());
  CHECK(*report->bets[0].closing_odds == Approx(1.82));
  o.kelly_cap = 1.5;
  CHECK(RunBacktest(s.fixtures, s.lines, favourite, o).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ParseOddsSource("MAX").value() == OddsSource::kMarketMax);
  CHECK(!ParseOddsSource("betfair").ok());
  CHECK(ParseStaking("kelly").value() == Staking::kKelly);
  CHECK(!ParseStaking("martingale").ok());
}

TEST_CASE("model strategy: walk-forward over two seasons, forecasts beat the uniform Brier") {
  std::vector<Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;
  for (const char* file : {"football-data/E0_1415.csv", "football-data/E0_1516.csv"}) {
    auto s = LoadSeasonFile(superbet::testing::DataPath(file), ParseMode::kStrict);
    REQUIRE(s.ok());
    fixtures.insert(fixtures.end(), s->fixtures.begin(), s->fixtures.end());
    lines.insert(lines.end(), s->lines.begin(), s->lines.end());
  }
  ModelStrategyOptions raw;
  raw.pool_weight = 1;  // The raw Dixon-Coles model (the default pool bets at w = 0 here).
  ModelStrategy model(raw);
  EngineOptions o;
  o.staking = Staking::kKelly;
  auto report = RunBacktest(fixtures, lines, model, o);
  REQUIRE(report.ok());
  REQUIRE(report->per_season.size() == 2);
  const Metrics& second = report->per_season[1];
  CHECK(second.season == "2015/16");
  CHECK(second.forecasts > 300);    // Promoted sides need 5 matches first.
  CHECK(second.brier < 2.0 / 3.0);  // Uniform forecast's Brier score.
  CHECK(second.log_loss < std::log(3.0));
  CHECK(report->overall.bets > 0);
  CHECK(model.fits() > 100);
  for (const BetRecord& b : report->bets) {
    CHECK(b.stake <= 0.05 * 2000);  // Never more than the cap of any reachable bankroll.
  }
}

}  // namespace
}  // namespace superbet::backtest
