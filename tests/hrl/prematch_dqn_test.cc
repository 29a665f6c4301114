// DQN pre-match worker tests.
//
// Oracles: the 2-state toy MDP of prematch_q_test.cc with its known optimum (state A: back home
// pays +1, other bets −1, no bet 0; state B: no bet pays +1, every bet −1): after training, the
// greedy actions are (home, no bet) and the network's Q of those actions is within 0.1 of the
// rewards (the regression target of a terminal transition is r); a checkpoint round trip gives
// bit-identical Q values and probabilities; the factory refuses an unknown agent.

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "absl/strings/match.h"
#include "prematch_toy_mdp.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/prematch.h"

namespace superbet::hrl {
namespace {

using testing::Toy;
using testing::ToyReward;

DqnOptions ToyOptions() {
  DqnOptions o;
  o.seed = 5;
  o.learning_rate = 1e-3;
  o.batch_size = 32;
  o.learning_starts = 64;
  o.train_frequency = 1;
  o.target_sync_steps = 100;
  o.epsilon_decay_steps = 800;
  o.outcome_learning_rate = 1e-9;  // Keep the state fixed.
  return o;
}

TEST_CASE("DQN solves a 2-state toy MDP", "[prematch][dqn]") {
  auto w = MakeDqnWorker(ToyOptions());
  REQUIRE(w.ok());
  const PreMatchObservation a = Toy(0.65), b = Toy(0.25);
  for (int t = 0; t < 2000; ++t) {
    const bool in_a = t % 2 == 0;
    const PreMatchObservation& obs = in_a ? a : b;
    const WorkerDecision d = (*w)->Act(obs, true);
    SettledStep s;
    s.action = d.action;
    s.reward.reward = ToyReward(in_a, d.action);
    (*w)->Learn(obs, d, s, true);
  }
  const WorkerDecision da = (*w)->Act(a, false), db = (*w)->Act(b, false);
  CHECK(da.action == PreMatchAction::kBackHome);
  CHECK(db.action == PreMatchAction::kNoBet);
  CHECK(da.q[0] == Approx(1.0).margin(0.1));
  CHECK(db.q[3] == Approx(1.0).margin(0.1));

  // Round trip through a checkpoint: identical outputs.
  superbet::v1::Checkpoint c = (*w)->ToCheckpoint();
  c.set_format_version(kCheckpointFormatVersion);
  REQUIRE(CheckCheckpoint(c, PreMatchFeatureSpec(), "memory").ok());
  auto back = PreMatchWorkerFromCheckpoint(c);
  REQUIRE(back.ok());
  CHECK((*back)->agent() == "prematch-dqn");
  for (const PreMatchObservation* o : {&a, &b}) {
    const WorkerDecision x = (*w)->Act(*o, false), y = (*back)->Act(*o, false);
    CHECK(x.q == y.q);
    CHECK(x.probabilities == y.probabilities);
  }
}

TEST_CASE("DQN: same seed gives the same decisions and invalid options are refused",
          "[prematch][dqn]") {
  auto w1 = MakeDqnWorker(ToyOptions()), w2 = MakeDqnWorker(ToyOptions());
  REQUIRE(w1.ok());
  REQUIRE(w2.ok());
  const PreMatchObservation a = Toy(0.65);
  for (int t = 0; t < 300; ++t) {
    const WorkerDecision d1 = (*w1)->Act(a, true), d2 = (*w2)->Act(a, true);
    REQUIRE(d1.action == d2.action);
    REQUIRE(d1.q == d2.q);
    SettledStep s;
    s.action = d1.action;
    s.reward.reward = ToyReward(true, d1.action);
    (*w1)->Learn(a, d1, s, true);
    (*w2)->Learn(a, d2, s, true);
  }
  DqnOptions bad;
  bad.batch_size = 0;
  CHECK_FALSE(MakeDqnWorker(bad).ok());
  superbet::v1::Checkpoint other;
  other.set_agent("live-ppo");
  const auto refused = PreMatchWorkerFromCheckpoint(other);
  REQUIRE_FALSE(refused.ok());
  CHECK(absl::StrContains(refused.status().message(), "'live-ppo'"));
}

}  // namespace
}  // namespace superbet::hrl

namespace superbet::hrl {
namespace {

TEST_CASE("DQN and tabular Q refuse the same bad exploration options, naming them",
          "[prematch][dqn]") {
  // Oracle: the option bounds documented in prematch.h; both workers validate them with one
  // function, so an infinite temperature is refused by the DQN worker too (it was accepted).
  DqnOptions d = ToyOptions();
  TabularQOptions q;
  d.tau = q.tau = INFINITY;
  auto dw = MakeDqnWorker(d);
  auto qw = TabularQWorker::Create(q);
  CHECK(dw.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(qw.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(dw.status().message(), "tau must be finite and > 0, got inf"));
  CHECK(dw.status().message() == qw.status().message());
  d = ToyOptions();
  d.epsilon_end = 0.9;
  d.epsilon_start = 0.5;
  CHECK(absl::StrContains(MakeDqnWorker(d).status().message(), "epsilon_end must be in"));
}

}  // namespace
}  // namespace superbet::hrl
