// Tabular-Q pre-match worker and checkpoint tests.
//
// Oracles:
//  * a 2-state toy MDP with single-step episodes and a known optimum: state A (home favourite,
//    market 0.65) pays +1 for backing home and −1 for any other bet, state B (market 0.25) pays
//    +1 for no bet and −1 for every bet; the optimal policy is (A: home, B: no bet) and Q converges
//    to the expected rewards (α = 0.1, deterministic rewards: |Q − r| ≤ 0.9^k after k updates);
//  * the Boltzmann probability against exp/Σexp computed by hand;
//  * the outcome model: with zero weights it returns the market exactly; one SGD step moves the
//    probability of the observed outcome up (the cross-entropy gradient's sign);
//  * checkpoint round trip: a trained worker saved and loaded decides identically (bitwise Q
//    values and probabilities) on 380 real observations; a checkpoint with another feature spec or
//    format version is refused with an error naming both.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "prematch_toy_mdp.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/env.h"
#include "superbet/hrl/prematch.h"
#include "superbet/providers/football_data/football_data.h"
#include "support/test_data.h"

namespace superbet::hrl {
namespace {

using testing::Toy;
using testing::ToyReward;

TEST_CASE("tabular Q solves a 2-state toy MDP", "[prematch][q]") {
  TabularQOptions o;
  o.seed = 3;
  o.epsilon_decay_steps = 400;
  o.outcome_learning_rate = 1e-9;  // Keep the outcome model (and so the state) fixed.
  auto w = TabularQWorker::Create(o);
  REQUIRE(w.ok());
  const PreMatchObservation a = Toy(0.65), b = Toy(0.25);
  REQUIRE(TabularQWorker::StateIndex(a, {0.65, 0.175, 0.175}) !=
          TabularQWorker::StateIndex(b, {0.25, 0.375, 0.375}));
  for (int t = 0; t < 1000; ++t) {
    const bool in_a = t % 2 == 0;
    const PreMatchObservation& obs = in_a ? a : b;
    const WorkerDecision d = (*w)->Act(obs, true);
    SettledStep s;
    s.action = d.action;
    s.outcome = 0;
    s.reward.reward = ToyReward(in_a, d.action);
    (*w)->Learn(obs, d, s, true);
  }
  CHECK((*w)->epsilon() == Approx(0.05));
  const WorkerDecision da = (*w)->Act(a, false), db = (*w)->Act(b, false);
  CHECK(da.action == PreMatchAction::kBackHome);
  CHECK(db.action == PreMatchAction::kNoBet);
  CHECK(da.q[0] == Approx(1.0).margin(1e-3));
  CHECK(db.q[3] == Approx(1.0).margin(1e-3));
  // Confidence = Boltzmann probability (τ = 1) of the greedy action, by hand.
  double sum = 0;
  for (double q : da.q) sum += std::exp(q);
  CHECK(da.confidence == Approx(std::exp(da.q[0]) / sum).epsilon(1e-12));
}

TEST_CASE("tabular Q: ties go to no bet, so an unvisited state stays out", "[prematch][q]") {
  auto w = TabularQWorker::Create({});
  REQUIRE(w.ok());
  const WorkerDecision d = (*w)->Act(Toy(0.45), false);
  CHECK(d.action == PreMatchAction::kNoBet);
  CHECK(d.confidence == Approx(0.25));
  CHECK(GreedyAction({0.1, 0.2, 0.2, 0.0}) == PreMatchAction::kBackDraw);
}

TEST_CASE("outcome model: zero weights give the market, SGD moves toward the result",
          "[prematch][outcome]") {
  OutcomeModel m(0.5, 0);
  const PreMatchObservation o = Toy(0.5);
  const auto p0 = m.Predict(o);
  CHECK(p0[0] == Approx(0.5).epsilon(1e-7));
  CHECK(p0[1] == Approx(0.25).epsilon(1e-7));
  m.Update(o, 1);
  const auto p1 = m.Predict(o);
  CHECK(p1[1] > p0[1]);
  CHECK(p1[0] + p1[1] + p1[2] == Approx(1.0));
}

TEST_CASE("checkpoint: round trip decides identically, other specs are refused",
          "[prematch][checkpoint]") {
  namespace fd = superbet::providers::football_data;
  std::vector<superbet::v1::Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;
  for (const char* f : {"football-data/E0_1415.csv", "football-data/E0_1516.csv"}) {
    auto s = fd::LoadSeasonFile(superbet::testing::DataPath(f), fd::ParseMode::kLenient);
    REQUIRE(s.ok());
    fixtures.insert(fixtures.end(), s->fixtures.begin(), s->fixtures.end());
    lines.insert(lines.end(), s->lines.begin(), s->lines.end());
  }
  PreMatchEnvOptions eo;
  eo.step_seasons = {"2015/16"};
  auto env = PreMatchEnv::Create(fixtures, lines, eo);
  REQUIRE(env.ok());
  TabularQOptions qo;
  qo.seed = 11;
  qo.epsilon_decay_steps = 300;
  auto w = TabularQWorker::Create(qo);
  REQUIRE(w.ok());
  std::vector<WorkerDecision> ds;
  while (!env->done()) {
    ds.push_back((*w)->Act(env->Observe(), true));
    REQUIRE(env->Act(ds.back().action, ds.back().confidence).ok());
    for (const SettledStep& s : env->TakeSettled()) {
      (*w)->Learn(env->ObserveAt(s.step), ds[s.step], s, true);
    }
  }
  const std::string dir =
      (std::filesystem::temp_directory_path() / "superbet_hrl_checkpoint_test").string();
  std::filesystem::remove_all(dir);
  superbet::v1::Checkpoint c = (*w)->ToCheckpoint();
  c.add_train_seasons("E0:2015/16");
  REQUIRE(SaveCheckpoint(dir, c).ok());
  auto loaded = LoadCheckpoint(dir, PreMatchFeatureSpec());
  REQUIRE(loaded.ok());
  CHECK(loaded->format_version() == kCheckpointFormatVersion);
  CHECK(loaded->seed() == 11);
  CHECK(absl::StrContains(loaded->library_version(), "git"));
  auto back = TabularQWorker::FromCheckpoint(*loaded);
  REQUIRE(back.ok());
  int differ = 0, nonzero = 0;
  for (int64_t i = 0; i < env->size(); ++i) {
    const WorkerDecision a = (*w)->Act(env->ObserveAt(i), false);
    const WorkerDecision b = (*back)->Act(env->ObserveAt(i), false);
    differ += (a.q == b.q && a.probabilities == b.probabilities && a.action == b.action) ? 0 : 1;
    nonzero += a.q != std::array<double, 4>{} ? 1 : 0;
  }
  CHECK(differ == 0);
  CHECK(nonzero > 100);  // The table was trained: the comparison is not of zeros.

  // Another feature spec: refused, naming both.
  superbet::v1::FeatureSpec other = PreMatchFeatureSpec();
  other.set_slots(3, "form_home");
  auto refused = LoadCheckpoint(dir, other);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(refused.status().message(), "'form.home' vs 'form_home'"));
  // Another format version: refused.
  superbet::v1::Checkpoint v2 = *loaded;
  v2.set_format_version(2);
  const absl::Status s = CheckCheckpoint(v2, PreMatchFeatureSpec(), "memory");
  CHECK(absl::StrContains(s.message(),
                          "format version 2 in memory, this build reads format "
                          "version 1"));
  CHECK(LoadCheckpoint(dir + "/missing", PreMatchFeatureSpec()).status().code() ==
        absl::StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace superbet::hrl
