// `superbet backtest --emit-predictions` with the Dixon–Coles `model` strategy on real seasons:
// history E0 2014/15, bets E0 2015/16 (Kelly stakes, raw model forecast). Every bet is one Prediction line that the
// contract reader accepts, with model_version "dixon-coles" and the metrics of its own pick.
// Oracle: the engine's bet count; Kelly (1956) and the margin-free CAS recomputed by hand from
// each line's own prob and odds (closed forms, not the code under test's helper).

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

TEST_CASE("every model bet of E0 2015/16 is one valid Prediction line", "[emit_predictions]") {
  std::vector<superbet::v1::Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;
  for (const char* code : {"1415", "1516"}) {
    auto s = fd::LoadSeasonFile(
        superbet::testing::DataPath(std::string("football-data/E0_") + code + ".csv"),
        fd::ParseMode::kStrict);
    REQUIRE(s.ok());
    fixtures.insert(fixtures.end(), s->fixtures.begin(), s->fixtures.end());
    lines.insert(lines.end(), s->lines.begin(), s->lines.end());
  }
  // Pool weight 1 (the raw Dixon-Coles forecast): the fitted weight needs 380 earlier scored
  // forecasts and would bet the market only (no bets) with one season of history.
  backtest::ModelStrategyOptions model_options;
  model_options.pool_weight = 1.0;
  backtest::ModelStrategy model(model_options);
  std::ostringstream out;
  superbet::cli::PredictionEmitter emitter(&out);
  backtest::EngineOptions options;
  options.staking = backtest::Staking::kKelly;
  options.bet_seasons = {"2015/16"};
  options.on_bet = emitter.ObserverFor(model.name());
  auto report = backtest::RunBacktest(fixtures, lines, model, options);
  REQUIRE(report.ok());
  REQUIRE(report->overall.bets > 0);
  std::istringstream in(out.str());
  scoring::PredictionStreamReader reader(in);
  int64_t n = 0;
  while (auto p = reader.Next()) {
    ++n;
    CHECK(p->agent() == "model");
    CHECK(p->model_version() == "dixon-coles");
    const double prob = p->pick() == "home"   ? p->prob().home()
                        : p->pick() == "draw" ? p->prob().draw()
                                              : p->prob().away();
    const double o = p->pick() == "home"   ? p->odds().home()
                     : p->pick() == "draw" ? p->odds().draw()
                                           : p->odds().away();
    const double kelly = (prob * o - 1) / (o - 1);
    CHECK(kelly > 0);  // a Kelly-staked bet has an edge
    CHECK(p->kelly_fraction() == Approx(kelly).epsilon(1e-12));
    const double sum = 1 / p->odds().home() + 1 / p->odds().draw() + 1 / p->odds().away();
    CHECK(p->cas() == Approx(prob / ((1 / o) / sum)).epsilon(1e-12));
  }
  CHECK(reader.rejected() == 0);
  CHECK(n == report->overall.bets);
}
