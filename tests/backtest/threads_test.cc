// Issue 16's concurrency leaves results unchanged. Oracle: the serial run of the same code on the
// same real data (E0 2013/14-2015/16, Bet365 prices), compared bit for bit (every forecast
// probability and bet, and the JSON report): a threaded run that read a half-written weight or
// fitted the pool on another day's forecasts would differ in some forecast of the 1,140 matches.
//  * ModelStrategy with threads = 2 (the day's pool-weight fit on its helper thread) against
//    threads = 1;
//  * RunBacktest on one shared ReplayInput, from two threads at once, against RunBacktest on the
//    spans (which builds its own index), and the input's odds / closing sources enforced.

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "superbet/backtest/engine.h"
#include "superbet/backtest/report.h"
#include "superbet/backtest/strategies.h"
#include "superbet/providers/football_data/football_data.h"
#include "support/test_data.h"

namespace superbet::backtest {
namespace {

namespace fd = superbet::providers::football_data;

struct Data {
  std::vector<superbet::v1::Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;
};

const Data& Seasons() {
  static const Data* data = [] {
    auto* d = new Data;
    for (const char* code : {"1314", "1415", "1516"}) {
      auto s = fd::LoadSeasonFile(
          superbet::testing::DataPath(std::string("football-data/E0_") + code + ".csv"),
          fd::ParseMode::kStrict);
      REQUIRE(s.ok());
      d->fixtures.insert(d->fixtures.end(), s->fixtures.begin(), s->fixtures.end());
      d->lines.insert(d->lines.end(), s->lines.begin(), s->lines.end());
    }
    return d;
  }();
  return *data;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void CheckSameReport(const BacktestReport& a, const BacktestReport& b) {
  REQUIRE(a.forecasts.size() == b.forecasts.size());
  for (size_t i = 0; i < a.forecasts.size(); ++i) {
    for (int k = 0; k < 3; ++k) {
      INFO("forecast " << i << " outcome " << k);
      CHECK(SameBits(a.forecasts[i].probabilities[k], b.forecasts[i].probabilities[k]));
    }
  }
  REQUIRE(a.bets.size() == b.bets.size());
  for (size_t i = 0; i < a.bets.size(); ++i) {
    CHECK(a.bets[i].fixture_id == b.bets[i].fixture_id);
    CHECK(SameBits(a.bets[i].stake, b.bets[i].stake));
  }
  auto ja = FormatRunJson(a), jb = FormatRunJson(b);
  REQUIRE(ja.ok());
  REQUIRE(jb.ok());
  CHECK(*ja == *jb);
}

BacktestReport RunModel(int threads) {
  ModelStrategyOptions o;
  o.threads = threads;
  o.pool_min_forecasts = 100;  // Fit the weight from the second season on (the default is 380).
  o.edge_threshold = 0.005;    // Some bets, so that stakes are compared too.
  ModelStrategy strategy(o, Seasons().lines);
  EngineOptions e;
  e.staking = Staking::kKelly;
  auto r = RunBacktest(Seasons().fixtures, Seasons().lines, strategy, e);
  REQUIRE(r.ok());
  CHECK(strategy.fits() > 150);            // Refitted on (nearly) every match day.
  CHECK(strategy.last_pool_fit().fitted);  // The pool weight was fitted, not fixed at 0.
  CHECK(strategy.last_pool_fit().weight > 0);
  return *std::move(r);
}

TEST_CASE("model strategy: the pool fit on a helper thread gives the serial run's bits") {
  const BacktestReport serial = RunModel(1);
  const BacktestReport threaded = RunModel(2);
  CHECK(serial.forecasts.size() > 700);
  CHECK(serial.bets.size() > 0);
  CheckSameReport(serial, threaded);
}

TEST_CASE("one ReplayInput shared by two threads gives the reports of separate runs") {
  const Data& d = Seasons();
  EngineOptions options;  // Bet365, flat stakes, CLV against the Pinnacle close.
  auto input =
      ReplayInput::Build(d.fixtures, d.lines, options.odds_source, options.clv_closing_source);
  REQUIRE(input.ok());
  FavouriteStrategy fav_alone, fav_shared;
  HomeStrategy home_alone, home_shared;
  auto fav_expected = RunBacktest(d.fixtures, d.lines, fav_alone, options);
  auto home_expected = RunBacktest(d.fixtures, d.lines, home_alone, options);
  REQUIRE(fav_expected.ok());
  REQUIRE(home_expected.ok());
  absl::StatusOr<BacktestReport> fav = absl::UnknownError("not run");
  std::thread other([&] { fav = RunBacktest(*input, fav_shared, options); });
  auto home = RunBacktest(*input, home_shared, options);
  other.join();
  REQUIRE(fav.ok());
  REQUIRE(home.ok());
  CHECK(fav->bets.size() == 1140);  // Every match of the three seasons has Bet365 prices.
  CheckSameReport(*fav_expected, *fav);
  CheckSameReport(*home_expected, *home);
}

TEST_CASE("a ReplayInput refuses options for another odds or closing source") {
  const Data& d = Seasons();
  auto input =
      ReplayInput::Build(d.fixtures, d.lines, OddsSource::kBet365, ClosingSource::kPinnacle);
  REQUIRE(input.ok());
  HomeStrategy home;
  EngineOptions options;
  options.odds_source = OddsSource::kPinnacle;
  auto r = RunBacktest(*input, home, options);
  REQUIRE(absl::IsInvalidArgument(r.status()));
  CHECK(r.status().message() ==
        "the replay input was built for odds source b365 and closing source pinnacle, the options "
        "ask for pinnacle and pinnacle");
}

}  // namespace
}  // namespace superbet::backtest
