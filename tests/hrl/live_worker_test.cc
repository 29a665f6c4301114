// The live worker: training on real replayed matches is deterministic for a seed, a checkpoint
// round trip gives identical decisions, a checkpoint with another feature spec is refused naming
// both, and the held-out evaluation counts what the environment settled.
//
// Oracles: byte equality of two runs' checkpoints; the network's own outputs before and after
// serialisation; the environment's settled bets recomputed from their prices and the final score.

#include "superbet/hrl/live_worker.h"

#include <cstdio>
#include <filesystem>
#include <vector>

#include "catch2/catch.hpp"
#include "superbet/providers/replay_provider.h"
#include "support/test_data.h"

namespace {

std::vector<superbet::hrl::LiveMatch> Load(std::vector<std::string> ids) {
  superbet::providers::ReplayLoadOptions options;
  options.only_matches = ids;
  auto d = superbet::providers::LoadReplayData(superbet::testing::DataDir(), options);
  REQUIRE(d.ok());
  std::vector<superbet::hrl::LiveMatch> out;
  for (const auto& t : d->timelines) {
    auto m = superbet::hrl::PrepareLiveMatch(t, {});
    REQUIRE(m.ok());
    out.push_back(*m);
  }
  return out;
}

// The MLP network keeps this fast test fast; live_worker_itest.cc trains the LSTM + attention one.
superbet::hrl::LiveTrainResult Train(uint64_t seed) {
  superbet::hrl::LiveTrainOptions o;
  o.architecture = superbet::hrl::LiveArchitecture::kMlp;
  o.seed = seed;
  o.total_env_steps = 600;
  o.ppo.rollout_steps = 300;
  auto r = superbet::hrl::TrainLiveWorker(Load({"3754097", "3754237", "3754300"}), o, {});
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("Live worker training is deterministic and its checkpoint round-trips",
          "[live][worker]") {
  const auto a = Train(5), b = Train(5), c = Train(6);
  CHECK(superbet::hrl::CheckpointBytes(a.checkpoint) ==
        superbet::hrl::CheckpointBytes(b.checkpoint));
  CHECK(superbet::hrl::CheckpointBytes(a.checkpoint) !=
        superbet::hrl::CheckpointBytes(c.checkpoint));
  CHECK(a.checkpoint.feature_spec().name() == "live-v1");
  CHECK(a.checkpoint.feature_spec().slots_size() == 64);
  CHECK(a.checkpoint.train_match_ids_size() == 3);
  CHECK(a.checkpoint.seed() == 5);
  CHECK(a.checkpoint.hyperparameters().at("clip_epsilon") == 0.2);
  CHECK(a.checkpoint.metadata().at("in_play_prices").find("modelled") != std::string::npos);

  const std::string dir =
      (std::filesystem::temp_directory_path() / "superbet_live_worker_test").string();
  REQUIRE(superbet::hrl::SaveCheckpoint(dir, a.checkpoint).ok());
  auto read = superbet::hrl::LoadCheckpoint(dir, superbet::hrl::LiveFeatureSpec());
  std::filesystem::remove_all(dir);
  REQUIRE(read.ok());
  auto w1 = superbet::hrl::LoadLiveWorker(a.checkpoint);
  auto w2 = superbet::hrl::LoadLiveWorker(*read);
  REQUIRE(w1.ok());
  REQUIRE(w2.ok());
  std::vector<float> obs(superbet::hrl::kLiveWindow * superbet::hrl::kLiveInputWidth);
  std::vector<float> valid(superbet::hrl::kLiveWindow, 1.0f);
  for (size_t i = 0; i < obs.size(); ++i) obs[i] = 0.01f * static_cast<float>(i % 37);
  auto d1 = w1->Decide(obs, valid);
  auto d2 = w2->Decide(obs, valid);
  REQUIRE(d1.ok());
  REQUIRE(d2.ok());
  CHECK(d1->policy == d2->policy);
  CHECK(d1->outcome == d2->outcome);
  CHECK(d1->value == d2->value);
}

TEST_CASE("A checkpoint with another feature spec is refused naming both", "[live][worker]") {
  auto ckpt = Train(5).checkpoint;
  ckpt.mutable_feature_spec()->set_name("prematch-v1");
  auto w = superbet::hrl::LoadLiveWorker(ckpt);
  REQUIRE(w.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(w.status().message()).find("prematch-v1") != std::string::npos);
  CHECK(std::string(w.status().message()).find("live-v1") != std::string::npos);
  ckpt = Train(5).checkpoint;
  ckpt.mutable_feature_spec()->set_slots(24, "bankroll");
  w = superbet::hrl::LoadLiveWorker(ckpt);
  CHECK(w.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(w.status().message()).find("budget_ratio") != std::string::npos);
}

TEST_CASE("Held-out evaluation settles bets on the final score at their modelled prices",
          "[live][worker]") {
  const auto trained = Train(5);
  auto worker = superbet::hrl::LoadLiveWorker(trained.checkpoint);
  REQUIRE(worker.ok());
  auto options = superbet::hrl::LiveEnvOptionsFromCheckpoint(trained.checkpoint);
  REQUIRE(options.ok());
  const auto held_out = Load({"3754138", "3754112"});
  auto ev = superbet::hrl::EvaluateLiveWorker(*worker, held_out, *options);
  REQUIRE(ev.ok());
  CHECK(ev->matches == 2);
  CHECK(ev->bets == static_cast<int64_t>(ev->bet_list.size()));
  double profit = 0;
  for (const auto& b : ev->bet_list) {
    const auto& m = b.match_id == held_out[0].match_id ? held_out[0] : held_out[1];
    const int diff = m.full_time.score_home() - m.full_time.score_away();
    const bool won = (b.action == superbet::hrl::kBetHome && diff > 0) ||
                     (b.action == superbet::hrl::kBetAway && diff < 0);
    if (!b.void_latency) profit += won ? b.stake * (b.decimal_odds - 1) : -b.stake;
  }
  CHECK(ev->profit == Approx(profit).margin(1e-9));
  CHECK(ev->roi.has_value() == (ev->staked > 0));
  // Brier of the margin-free market at kick-off: a 3-outcome score in [0, 2].
  CHECK(ev->brier_market_kickoff > 0);
  CHECK(ev->brier_market_kickoff < 2);
}

}  // namespace
