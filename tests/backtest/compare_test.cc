// Several strategies in one call, the CLV closing source, drawdown in units, and decisions the
// engine cannot honour.
//
// Oracles, computed independently of this library with Python's csv module on the real files:
//  * favourite and home at Bet365, 1 unit flat, E0 2015/16: P&L -41.66 and -33.67 (the hand checks
//    of engine_test.cc);
//  * home at Bet365 on E0 2015/16, bets settled in date order (file order within a date): the
//    largest peak-to-trough fall of the bankroll is 41.61 units, 4.161 % of the peak (1000);
//  * home at Bet365 on E0 2024/25, mean of B365H / close - 1 over the 380 matches:
//      Pinnacle close PSCH      -0.022134492427209138
//      Bet365 close B365CH      +0.004461119410389477
//      market average AvgCH    -0.01081065478787111
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "superbet/backtest/engine.h"
#include "superbet/backtest/report.h"
#include "superbet/backtest/strategies.h"
#include "superbet/providers/football_data/football_data.h"
#include "support/test_data.h"

namespace superbet::backtest {
namespace {

namespace fd = superbet::providers::football_data;

const fd::SeasonData& Load(const char* file) {
  auto s = fd::LoadSeasonFile(superbet::testing::DataPath(file), fd::ParseMode::kStrict);
  REQUIRE(s.ok());
  return *new fd::SeasonData(std::move(*s));
}

const fd::SeasonData& Season1516() {
  static const fd::SeasonData& s = Load("football-data/E0_1516.csv");
  return s;
}

TEST_CASE("RunBacktests runs several strategies over the same matches, in order") {
  const fd::SeasonData& s = Season1516();
  FavouriteStrategy favourite;
  HomeStrategy home;
  Strategy* strategies[] = {&favourite, &home};
  auto reports = RunBacktests(s.fixtures, s.lines, strategies, EngineOptions{});
  REQUIRE(reports.ok());
  REQUIRE(reports->size() == 2);
  CHECK((*reports)[0].strategy == "favourite");
  CHECK((*reports)[0].overall.pnl == Approx(-41.66).margin(1e-9));
  CHECK((*reports)[1].strategy == "home");
  CHECK((*reports)[1].overall.pnl == Approx(-33.67).margin(1e-9));

  auto table = FormatComparisonTable(*reports);
  REQUIRE(table.ok());
  const size_t fav_row = table->find("\nfavourite ");
  const size_t home_row = table->find("\nhome ");
  REQUIRE(fav_row != std::string::npos);
  REQUIRE(home_row != std::string::npos);
  CHECK(fav_row < home_row);
  CHECK(absl::StrContains(*table, "-41.66"));
  CHECK(absl::StrContains(*table, "-33.67"));
  CHECK(absl::StrContains(*table, "CLV vs the Pinnacle close"));

  CHECK(absl::IsInvalidArgument(
      RunBacktests(s.fixtures, s.lines, absl::Span<Strategy* const>(), EngineOptions{}).status()));
  Strategy* with_null[] = {&home, nullptr};
  auto null_error = RunBacktests(s.fixtures, s.lines, with_null, EngineOptions{});
  REQUIRE(absl::IsInvalidArgument(null_error.status()));
  CHECK(null_error.status().message() == "strategies[1] is null");
}

TEST_CASE("max drawdown in units staked (home, E0 2015/16: 41.61 units)") {
  const fd::SeasonData& s = Season1516();
  HomeStrategy home;
  auto r = RunBacktest(s.fixtures, s.lines, home, EngineOptions{});
  REQUIRE(r.ok());
  CHECK(r->overall.max_drawdown_units == Approx(41.61).margin(1e-9));
  CHECK(r->overall.max_drawdown == Approx(0.04161).margin(1e-12));
  // Units scale with the unit stake, the fraction of the peak does not.
  EngineOptions two;
  two.flat_stake = 2.0;
  two.initial_bankroll = 2000.0;
  auto r2 = RunBacktest(s.fixtures, s.lines, home, two);
  REQUIRE(r2.ok());
  CHECK(r2->overall.max_drawdown_units == Approx(41.61).margin(1e-9));
  CHECK(r2->overall.max_drawdown == Approx(0.04161).margin(1e-12));
  auto json = FormatRunJson(*r);
  REQUIRE(json.ok());
  CHECK(absl::StrContains(*json, "\"max_drawdown_units\": 41.6"));  // 41.6099999... in binary.
}

TEST_CASE("CLV against the chosen closing source, named in the report (home, E0 2024/25)") {
  static const fd::SeasonData& s = Load("football-data/E0_2425.csv");
  HomeStrategy home;
  struct Case {
    ClosingSource source;
    const char* bookmaker;
    double clv;
  };
  for (const Case& c :
       {Case{ClosingSource::kPinnacle, "Pinnacle", -0.022134492427209138},
        Case{ClosingSource::kOddsSource, "Bet365", 0.004461119410389477},
        Case{ClosingSource::kMarketAverage, "market_average", -0.01081065478787111}}) {
    EngineOptions o;
    o.clv_closing_source = c.source;
    auto r = RunBacktest(s.fixtures, s.lines, home, o);
    REQUIRE(r.ok());
    CHECK(r->overall.clv_bets == 380);
    REQUIRE(r->overall.clv.has_value());
    CHECK(*r->overall.clv == Approx(c.clv).margin(1e-12));
    CHECK(ClvCloseLabel(*r) == c.bookmaker);
    auto table = FormatReportTable(*r, "home");
    REQUIRE(table.ok());
    CHECK(absl::StrContains(*table, absl::StrCat("CLV vs the ", c.bookmaker, " close")));
    auto json = FormatRunJson(*r);
    REQUIRE(json.ok());
    CHECK(
        absl::StrContains(*json, absl::StrCat("\"clv_closing_bookmaker\": \"", c.bookmaker, "\"")));
  }
  CHECK(ParseClosingSource("AVG").value() == ClosingSource::kMarketAverage);
  CHECK(ClosingSourceName(ClosingSource::kOddsSource) == "source");
  auto bad = ParseClosingSource("betfair");
  REQUIRE(absl::IsInvalidArgument(bad.status()));
  CHECK(absl::StrContains(bad.status().message(), "'betfair'"));
}

// Bets on a market the 1X2 engine cannot settle.
class OverStrategy : public Strategy {
 public:
  std::string name() const override { return "over"; }
  absl::StatusOr<Decision> Decide(const MatchView&, absl::Span<const v1::Fixture>) override {
    Decision d;
    d.selection = v1::SELECTION_OVER;
    d.probability = 0.5;
    return d;
  }
};

TEST_CASE("a decision outside 1X2 is an error naming the match and the field, not a no-bet") {
  const fd::SeasonData& s = Season1516();
  OverStrategy over;
  auto r = RunBacktest(s.fixtures, s.lines, over, EngineOptions{});
  REQUIRE(absl::IsInvalidArgument(r.status()));
  CHECK(absl::StartsWith(r.status().message(), "football-data:E0:2015-08-08:"));
  CHECK(absl::StrContains(r.status().message(), "selection SELECTION_OVER is not a 1X2 outcome"));
}

TEST_CASE("a finished fixture without a kickoff is an error naming it, not a 1970 match") {
  std::vector<v1::Fixture> fixtures = Season1516().fixtures;
  fixtures[7].clear_kickoff();
  HomeStrategy home;
  auto r = RunBacktest(fixtures, Season1516().lines, home, EngineOptions{});
  REQUIRE(absl::IsInvalidArgument(r.status()));
  CHECK(r.status().message() == fixtures[7].id() + ": a finished fixture has no kickoff");
}

}  // namespace
}  // namespace superbet::backtest
