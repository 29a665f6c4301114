// Training throughput of the pre-match worker (tabular Q) in environment steps per second.
//
//   BM_PreMatchTrainEpisode   one training pass (TrainPreMatch, 1 episode) over E0 2014/15 +
//                             2015/16 stepped (760 steps, 2013/14 as history): per step an
//                             ε-greedy action (outcome model + state index), env settlement and
//                             reward (reward::ComputeReward), Q and outcome-model updates.
//                             items_per_second = env steps/s.
//   BM_PreMatchTrainEpisodeDqn the same pass with the DQN worker (after 2 warm-up passes).
//   BM_PreMatchEnvBuild       building the env's observations (features + weekly Dixon-Coles
//                             refits) for the same seasons, once per run of `superbet train`.
// The CSV files are parsed once outside the timed loops.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "superbet/hrl/env.h"
#include "superbet/hrl/prematch.h"
#include "superbet/hrl/prematch_training.h"
#include "superbet/providers/football_data/football_data.h"

namespace {

namespace fd = superbet::providers::football_data;
namespace hrl = superbet::hrl;

struct Data {
  std::vector<superbet::v1::Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;
};

std::string DataRoot() {
  if (const char* env = std::getenv("SUPERBET_DATA"); env != nullptr && *env != '\0') return env;
  return std::string(SUPERBET_SOURCE_DIR) + "/../shared/data";
}

const Data& Seasons() {
  static const Data* d = [] {
    auto* data = new Data;
    for (const char* code : {"1314", "1415", "1516"}) {
      auto s = fd::LoadSeasonFile(DataRoot() + "/football-data/E0_" + code + ".csv",
                                  fd::ParseMode::kStrict);
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
        std::exit(1);
      }
      data->fixtures.insert(data->fixtures.end(), s->fixtures.begin(), s->fixtures.end());
      data->lines.insert(data->lines.end(), s->lines.begin(), s->lines.end());
    }
    return data;
  }();
  return *d;
}

hrl::PreMatchEnvOptions Options() {
  hrl::PreMatchEnvOptions o;
  o.step_seasons = {"2014/15", "2015/16"};
  return o;
}

void BM_PreMatchTrainEpisode(benchmark::State& state) {
  auto env = hrl::PreMatchEnv::Create(Seasons().fixtures, Seasons().lines, Options());
  if (!env.ok()) {
    state.SkipWithError(std::string(env.status().message()).c_str());
    return;
  }
  hrl::TabularQOptions qo;
  qo.seed = 1;
  qo.epsilon_decay_steps = 10000;
  auto worker = hrl::TabularQWorker::Create(qo);
  int64_t steps = 0;
  for (auto _ : state) {
    auto logs = hrl::TrainPreMatch(*env, **worker, {.episodes = 1});
    if (!logs.ok()) state.SkipWithError(std::string(logs.status().message()).c_str());
    steps += env->size();
    benchmark::DoNotOptimize(logs);
  }
  state.SetItemsProcessed(steps);
  state.counters["steps_per_episode"] = static_cast<double>(env->size());
}
BENCHMARK(BM_PreMatchTrainEpisode)->Unit(benchmark::kMicrosecond);

// The same pass with the DQN worker (one gradient step of batch 64 every 4 transitions after the
// first 1000).
void BM_PreMatchTrainEpisodeDqn(benchmark::State& state) {
  auto env = hrl::PreMatchEnv::Create(Seasons().fixtures, Seasons().lines, Options());
  if (!env.ok()) {
    state.SkipWithError(std::string(env.status().message()).c_str());
    return;
  }
  hrl::DqnOptions o;
  o.seed = 1;
  auto worker = hrl::MakeDqnWorker(o);
  auto warm = hrl::TrainPreMatch(*env, **worker, {.episodes = 2});  // Past learning_starts.
  int64_t steps = 0;
  for (auto _ : state) {
    auto logs = hrl::TrainPreMatch(*env, **worker, {.episodes = 1});
    if (!logs.ok()) state.SkipWithError(std::string(logs.status().message()).c_str());
    steps += env->size();
    benchmark::DoNotOptimize(logs);
  }
  state.SetItemsProcessed(steps);
}
BENCHMARK(BM_PreMatchTrainEpisodeDqn)->Unit(benchmark::kMillisecond);

void BM_PreMatchEnvBuild(benchmark::State& state) {
  for (auto _ : state) {
    auto env = hrl::PreMatchEnv::Create(Seasons().fixtures, Seasons().lines, Options());
    if (!env.ok()) state.SkipWithError(std::string(env.status().message()).c_str());
    benchmark::DoNotOptimize(env);
  }
}
BENCHMARK(BM_PreMatchEnvBuild)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
