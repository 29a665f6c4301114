// The backtest hook of the HRL agent (lib/cli/hrl_strategy.h).
//
// Oracles: the backtest engine settles every bet itself (backtest/engine.h); the manager's budget
// after SettleRemaining must equal the engine's final bankroll (two independent settlements of the
// same bets), the ledger must hold one decision line per match of the bet season plus one
// settlement line per accepted bet, and the gate's counts must add up to the decisions. A worker
// trained on 2014/15 is evaluated on 2015/16.

#include "cli/hrl_strategy.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "superbet/backtest/engine.h"
#include "superbet/hrl/env.h"
#include "superbet/hrl/prematch.h"
#include "superbet/hrl/prematch_training.h"
#include "superbet/providers/football_data/football_data.h"
#include "support/test_data.h"

namespace superbet::cli {
namespace {

namespace fd = superbet::providers::football_data;

TEST_CASE("hrl strategy: manager budget equals the engine's bankroll, one ledger line per decision",
          "[hrl_strategy]") {
  std::vector<superbet::v1::Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;
  for (const char* code : {"1314", "1415", "1516"}) {
    auto s = fd::LoadSeasonFile(
        superbet::testing::DataPath(std::string("football-data/E0_") + code + ".csv"),
        fd::ParseMode::kStrict);
    REQUIRE(s.ok());
    fixtures.insert(fixtures.end(), s->fixtures.begin(), s->fixtures.end());
    lines.insert(lines.end(), s->lines.begin(), s->lines.end());
  }
  hrl::PreMatchEnvOptions eo;
  eo.step_seasons = {"2014/15"};
  auto env = hrl::PreMatchEnv::Create(fixtures, lines, eo);
  REQUIRE(env.ok());
  hrl::TabularQOptions qo;
  qo.seed = 3;
  qo.epsilon_decay_steps = 600;
  auto worker = hrl::TabularQWorker::Create(qo);
  REQUIRE(worker.ok());
  REQUIRE(hrl::TrainPreMatch(*env, **worker, {.episodes = 3}).ok());
  superbet::v1::Checkpoint c = (*worker)->ToCheckpoint();
  c.set_model_version("test");

  std::ostringstream ledger;
  auto strategy = MakeHrlStrategy(c, {"2015/16"}, 1000.0, &ledger);
  REQUIRE(strategy.ok());
  backtest::EngineOptions options;
  options.bet_seasons = {"2015/16"};
  options.initial_bankroll = 1000.0;
  auto report = backtest::RunBacktest(fixtures, lines, **strategy, options);
  REQUIRE(report.ok());
  REQUIRE((*strategy)->SettleRemaining(fixtures).ok());

  const auto counts = (*strategy)->gate_counts();
  CHECK((*strategy)->decisions() == 380);
  CHECK(counts.accepted + counts.denied == 380);
  CHECK(report->overall.bets == counts.accepted);
  CHECK(counts.accepted > 0);
  CHECK((*strategy)->manager().budget() == Approx(report->overall.final_bankroll).epsilon(1e-12));
  int decision_lines = 0, settlement_lines = 0;
  std::istringstream in(ledger.str());
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"profit\":") != std::string::npos) {
      ++settlement_lines;
    } else {
      ++decision_lines;
      CHECK(line.find("\"manager\":{\"budget_remaining\":") != std::string::npos);
    }
  }
  CHECK(decision_lines == 380);
  CHECK(settlement_lines == counts.accepted);
}

}  // namespace
}  // namespace superbet::cli
