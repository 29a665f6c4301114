// `superbet backtest --emit-predictions`: the Prediction lines of every bet of a backtest, read
// back with the contract reader (superbet/scoring/prediction_json.h) on a real season.
// Oracle: the E0 2015/16 file itself (row 1: Bournemouth v Aston Villa, Bet365 2.0 / 3.6 / 4.0,
// read by hand), the engine's own bet count, and a closed form: a baseline's probability IS the
// margin-free market price, so its CAS = p / q = 1 and its Kelly fraction (p·o − 1 < 0 at a
// margin > 0) clamps to 0.

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
  options.on_bet = emitter.ObserverFor(strategy.name());
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
