// Live worker training throughput (environment steps per second) on the 35 recorded StatsBomb
// matches (in-play prices modelled, superbet/hrl/live_prices.h):
//   BM_LiveEnvStep      LiveEnv::Step alone (uniform random actions): the environment's cost.
//   BM_LiveWorkerDecide one greedy decision on a [10, 64] window (batch 1, full window).
//   BM_LivePpoTraining  whole PPO updates (rollout of >= 2048 steps + 4 epochs of minibatch 64):
//                       items/s = environment steps per second of training.
// Baseline in the same run: `python3 ../shared/anchors/original_design.py bench-agent
// --batch 1` (the original design's LiveWorkerAgent decision, one per rollout step).

#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "superbet/hrl/live_env.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/hrl/ppo_trainer.h"
#include "superbet/providers/replay_provider.h"

namespace {

std::string DataRoot() {
  const char* env = std::getenv("SUPERBET_DATA");
  return env != nullptr ? env : std::string(SUPERBET_SOURCE_DIR) + "/../shared/data";
}

const std::vector<superbet::hrl::LiveMatch>& Matches() {
  static const auto* m = [] {
    auto* out = new std::vector<superbet::hrl::LiveMatch>();
    auto data = superbet::providers::LoadReplayData(DataRoot());
    if (!data.ok()) return out;
    for (const auto& t : data->timelines) {
      auto lm = superbet::hrl::PrepareLiveMatch(t, {});
      if (lm.ok()) out->push_back(std::move(*lm));
    }
    return out;
  }();
  return *m;
}

void BM_LiveEnvStep(benchmark::State& state) {
  if (Matches().empty()) {
    state.SkipWithError("no data");
    return;
  }
  auto env = superbet::hrl::LiveEnv::Create(Matches(), {});
  std::vector<float> obs(superbet::hrl::kLiveWindow * superbet::hrl::kLiveInputWidth),
      valid(superbet::hrl::kLiveWindow);
  superbet::hrl::EnvStep step;
  step.done = true;
  int episode = 0;
  uint64_t x = 88172645463325252ULL;
  for (auto _ : state) {
    if (step.done) {
      (void)env->Reset(episode++ % env->episodes(), absl::MakeSpan(obs), absl::MakeSpan(valid));
    }
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    (void)env->Step(static_cast<int>(x % 3), 0.5, absl::MakeSpan(obs), absl::MakeSpan(valid),
                    &step);
    benchmark::DoNotOptimize(obs.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LiveEnvStep);

// Arg 0: MLP 2x64 over the flattened window; arg 1: LSTM + attention (hrl/nn/live_network.h).
std::unique_ptr<superbet::hrl::ActorCritic> Net(int64_t arch) {
  if (arch == 0) {
    superbet::hrl::MlpOptions o;
    o.input_scale = superbet::hrl::LiveInputScale();
    return std::move(*superbet::hrl::MakeMlpActorCritic(o));
  }
  return std::move(*superbet::hrl::MakeLstmAttentionActorCritic(
      superbet::hrl::kLiveWindow, superbet::hrl::kLiveInputWidth, superbet::hrl::LiveInputScale(),
      1));
}

void BM_LiveWorkerDecide(benchmark::State& state) {
  superbet::hrl::LiveWorker worker(Net(state.range(0)), "bench");
  std::vector<float> obs(superbet::hrl::kLiveWindow * superbet::hrl::kLiveInputWidth, 0.3f),
      valid(superbet::hrl::kLiveWindow, 1.0f);
  for (auto _ : state) {
    auto d = worker.Decide(obs, valid);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LiveWorkerDecide)->Arg(0)->Arg(1);

void BM_LivePpoTraining(benchmark::State& state) {
  if (Matches().empty()) {
    state.SkipWithError("no data");
    return;
  }
  auto env = superbet::hrl::LiveEnv::Create(Matches(), {});
  auto net = Net(state.range(0));
  auto trainer = superbet::hrl::PpoTrainer::Create(&*env, net.get(), {}, 1);
  int64_t steps = 0;
  for (auto _ : state) {
    auto s = trainer->Update();
    if (!s.ok()) {
      state.SkipWithError("update failed");
      return;
    }
    steps += s->env_steps;
  }
  state.SetItemsProcessed(steps);
}
BENCHMARK(BM_LivePpoTraining)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
