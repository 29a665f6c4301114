// `superbet backtest --emit-predictions`: the Prediction lines of every bet of a backtest, read
// back with the contract reader (superbet/scoring/prediction_json.h) on a real season.
// Oracle: the E0 2015/16 file itself (row 1: Bournemouth v Aston Villa, Bet365 2.0 / 3.6 / 4.0,
// read by hand), the engine's own bet count, and a closed form: a baseline's probability IS the
// margin-free market price, so its CAS = p / q = 1 and its Kelly fraction (p·o − 1 < 0 at a
// margin > 0) clamps to 0.

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "catch2/catch.hpp"
#include "cli/prediction_emitter.h"
#include "superbet/backtest/engine.h"
#include "superbet/backtest/strategies.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/scoring/prediction_json.h"
#include "support/test_data.h"

namespace backtest = superbet::backtest;
namespace fd = superbet::providers::football_data;
namespace scoring = superbet::scoring;

namespace {

fd::SeasonData Season1516() {
  auto s = fd::LoadSeasonFile(superbet::testing::DataPath("football-data/E0_1516.csv"),
                              fd::ParseMode::kStrict);
  REQUIRE(s.ok());
  return *std::move(s);
}

struct Emitted {
  std::string text;
  int64_t bets = 0;
};

Emitted Emit(backtest::Strategy& strategy, const fd::SeasonData& season) {
  std::ostringstream out;
  superbet::cli::PredictionEmitter emitter(&out);
  backtest::EngineOptions options;
  options.on_bet = emitter.ObserverFor(strategy.name(), "dixon-coles");
  auto report = backtest::RunBacktest(season.fixtures, season.lines, strategy, options);
  REQUIRE(report.ok());
  CHECK(emitter.lines() == report->overall.bets);
  return {out.str(), report->overall.bets};
}

}  // namespace

TEST_CASE("every favourite and home bet of E0 2015/16 is one valid Prediction line",
          "[emit_predictions]") {
  const fd::SeasonData season = Season1516();
  backtest::FavouriteStrategy favourite;
  backtest::HomeStrategy home;
  for (backtest::Strategy* s : std::vector<backtest::Strategy*>{&favourite, &home}) {
    const Emitted e = Emit(*s, season);
    CHECK(e.bets == 380);  // flat stakes: a bet on every match with Bet365 prices
    std::istringstream in(e.text);
    scoring::PredictionStreamReader reader(in);
    std::vector<superbet::v1::Prediction> lines;
    while (auto p = reader.Next()) lines.push_back(*p);
    CHECK(reader.rejected() == 0);
    REQUIRE(static_cast<int64_t>(lines.size()) == e.bets);
    const superbet::v1::Prediction& first = lines.front();
    CHECK(first.home() == "Bournemouth");
    CHECK(first.away() == "Aston Villa");
    CHECK(first.pick() == "home");  // favourite: 2.0 is the lowest price; home: always home
    CHECK(first.odds().home() == 2.0);
    CHECK(first.odds().draw() == 3.6);
    CHECK(first.odds().away() == 4.0);
    CHECK(first.agent() == s->name());
    CHECK(first.model_version() == "market-margin-free");
    for (const auto& p : lines) {
      CHECK(p.cas() == Approx(1.0).epsilon(1e-12));
      CHECK(p.kelly_fraction() == 0.0);
      CHECK_FALSE(p.has_vsnr());
      CHECK_FALSE(p.has_gamma());
      CHECK_FALSE(p.has_data_staleness_s());  // football-data prices have no collection time
      CHECK(p.confidence() == 1.0);
    }
  }
}

TEST_CASE("the emitted lines are byte-identical run to run", "[emit_predictions]") {
  const fd::SeasonData season = Season1516();
  backtest::FavouriteStrategy a;
  backtest::FavouriteStrategy b;
  CHECK(Emit(a, season).text == Emit(b, season).text);
}

// VSNR from the closing quotes (cli/prediction_emitter.h). Oracle: E0_2324.csv row 1, Burnley v
// Man City, read by hand: Bet365 pre-closing 8 / 5.5 / 1.33 (the favourite bets away with the
// margin-free probability p = (1/1.33) / (1/8 + 1/5.5 + 1/1.33)); the closing away prices of the
// six bookmakers B365CA 1.33, BWCA 1.33, IWCA 1.35, PSCA 1.33, WHCA 1.29, VCCA 1.3 (MaxCA and
// AvgCA are aggregates, left out). VSNR = mean(EV) / (sd_(n-1)(EV) + 1e-6), EV_k = p·o_k − 1
// (the design's definition), computed here by hand. E0 2015/16 has Pinnacle's closing prices
// only: one quote, so no VSNR on any line (absent, never 0).
TEST_CASE("vsnr is computed from the closing quotes where 3 or more exist, else absent",
          "[emit_predictions]") {
  auto s2324 = fd::LoadSeasonFile(superbet::testing::DataPath("football-data/E0_2324.csv"),
                                  fd::ParseMode::kStrict);
  REQUIRE(s2324.ok());
  backtest::FavouriteStrategy favourite;
  std::ostringstream out;
  superbet::cli::PredictionEmitter emitter(&out, s2324->lines);
  backtest::EngineOptions options;
  options.on_bet = emitter.ObserverFor(favourite.name(), "dixon-coles");
  auto report = backtest::RunBacktest(s2324->fixtures, s2324->lines, favourite, options);
  REQUIRE(report.ok());
  CHECK(emitter.lines() == 380);
  CHECK(emitter.rejected_quotes() == 0);
  std::istringstream in(out.str());
  scoring::PredictionStreamReader reader(in);
  std::vector<superbet::v1::Prediction> lines;
  while (auto p = reader.Next()) lines.push_back(*p);
  REQUIRE(lines.size() == 380);
  CHECK(emitter.lines_with_vsnr() ==
        std::count_if(lines.begin(), lines.end(), [](const auto& p) { return p.has_vsnr(); }));
  CHECK(emitter.lines_with_vsnr() > 300);  // 2023/24 carries six bookmakers' closing prices
  const superbet::v1::Prediction& first = lines.front();
  REQUIRE(first.home() == "Burnley");
  REQUIRE(first.pick() == "away");
  const double p = (1 / 1.33) / (1 / 8.0 + 1 / 5.5 + 1 / 1.33);
  const std::vector<double> closing = {1.33, 1.33, 1.35, 1.33, 1.29, 1.3};
  double mean = 0;
  for (double o : closing) mean += (p * o - 1) / closing.size();
  double ss = 0;
  for (double o : closing) ss += (p * o - 1 - mean) * (p * o - 1 - mean);
  const double vsnr = mean / (std::sqrt(ss / (closing.size() - 1)) + 1e-6);
  REQUIRE(first.has_vsnr());
  CHECK(first.vsnr() == Approx(vsnr).epsilon(1e-9));
  CHECK(first.vsnr() < 0);  // the favourite at a margin: negative expected value
  CHECK_FALSE(first.has_gamma());

  // E0 2015/16: Pinnacle's closing price only.
  const fd::SeasonData s1516 = Season1516();
  std::ostringstream out1516;
  superbet::cli::PredictionEmitter emitter1516(&out1516, s1516.lines);
  backtest::FavouriteStrategy favourite1516;
  backtest::EngineOptions options1516;
  options1516.on_bet = emitter1516.ObserverFor(favourite1516.name(), "dixon-coles");
  REQUIRE(backtest::RunBacktest(s1516.fixtures, s1516.lines, favourite1516, options1516).ok());
  CHECK(emitter1516.lines() == 380);
  CHECK(emitter1516.lines_with_vsnr() == 0);
  CHECK(out1516.str().find("vsnr") == std::string::npos);
}

TEST_CASE("a vsnr quote is a closing 1X2 price of one bookmaker, not an aggregate",
          "[emit_predictions]") {
  superbet::v1::BettingLine l;
  l.set_market(superbet::v1::MARKET_1X2);
  l.set_is_closing(true);
  l.set_bookmaker("Pinnacle");
  CHECK(superbet::cli::IsVsnrQuote(l));
  l.set_bookmaker("market_average");
  CHECK_FALSE(superbet::cli::IsVsnrQuote(l));
  l.set_bookmaker("market_max");
  CHECK_FALSE(superbet::cli::IsVsnrQuote(l));
  l.set_bookmaker("Bet365");
  l.set_is_closing(false);
  CHECK_FALSE(superbet::cli::IsVsnrQuote(l));
  l.set_is_closing(true);
  l.set_market(superbet::v1::MARKET_OVER_UNDER);
  CHECK_FALSE(superbet::cli::IsVsnrQuote(l));
}
