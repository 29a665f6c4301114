// Live worker with the design's LSTM + attention network (slower than the fast tests' MLP).
//
// Oracles: the contextual bandit's known optimum (return 1 per episode; random play earns 0) and
// byte equality of two training runs' checkpoints with the same seed.

#include <vector>

#include "catch2/catch.hpp"
#include "hrl/ppo_toy_env.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/providers/replay_provider.h"
#include "support/test_data.h"

namespace {

TEST_CASE("PPO with the LSTM + attention network learns the contextual bandit",
          "[ppo][train][lstm]") {
  const superbet::hrl::testing::BanditRun run =
      superbet::hrl::testing::TrainBandit(3, 30, /*lstm=*/true);
  CHECK(std::abs(run.returns.front()) < 0.25);
  CHECK(run.returns.back() > 0.8);
  CHECK(run.p_correct_home > 0.85);
}

TEST_CASE("Live worker with LSTM + attention trains deterministically on real matches",
          "[live][worker][lstm]") {
  superbet::providers::ReplayLoadOptions load;
  load.only_matches = {"3754097", "3754237"};
  auto d = superbet::providers::LoadReplayData(superbet::testing::DataDir(), load);
  REQUIRE(d.ok());
  std::vector<superbet::hrl::LiveMatch> matches;
  for (const auto& t : d->timelines) matches.push_back(*superbet::hrl::PrepareLiveMatch(t, {}));
  superbet::hrl::LiveTrainOptions o;
  o.total_env_steps = 200;
  o.ppo.rollout_steps = 150;
  o.seed = 4;
  auto a = superbet::hrl::TrainLiveWorker(matches, o, {});
  auto b = superbet::hrl::TrainLiveWorker(matches, o, {});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->checkpoint.metadata().at("architecture") == "lstm-attention-128");
  CHECK(superbet::hrl::CheckpointBytes(a->checkpoint) ==
        superbet::hrl::CheckpointBytes(b->checkpoint));
  auto worker = superbet::hrl::LoadLiveWorker(a->checkpoint);
  REQUIRE(worker.ok());
  CHECK(worker->network().architecture() == "lstm-attention-128");
}

}  // namespace
