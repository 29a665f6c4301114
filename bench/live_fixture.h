// Shared by the benchmarks that decide live states (live_decider_bench, grpc_load_bench): the
// recorded StatsBomb matches as live-worker inputs, the tiny live checkpoint both train, and a
// match's states with their quoted 1X2 prices. Aborts on any error: a benchmark has no one to
// report to.

#ifndef SUPERBET_BENCH_LIVE_FIXTURE_H_
#define SUPERBET_BENCH_LIVE_FIXTURE_H_

#include <cstdlib>
#include <string>
#include <vector>

#include "superbet/hrl/live_worker.h"
#include "superbet/providers/replay_provider.h"

namespace superbet::bench {

inline constexpr char kLiveData[] = SUPERBET_SOURCE_DIR "/../shared/data";

// Match `id` of the recorded StatsBomb timelines (e.g. "3754237"), prepared for the live worker.
inline hrl::LiveMatch LoadLiveMatch(const std::string& id) {
  providers::ReplayLoadOptions options;
  options.only_matches = {id};
  auto d = providers::LoadReplayData(kLiveData, options);
  if (!d.ok() || d->timelines.size() != 1) std::abort();
  auto m = hrl::PrepareLiveMatch(d->timelines[0], {});
  if (!m.ok()) std::abort();
  return *m;
}

// The tiny MLP live checkpoint the benchmarks decide with: seed 7, 300 environment steps on
// matches 3754097 and 3754300.
inline superbet::v1::Checkpoint TrainTinyLiveCheckpoint() {
  hrl::LiveTrainOptions o;
  o.architecture = hrl::LiveArchitecture::kMlp;
  o.seed = 7;
  o.total_env_steps = 300;
  o.ppo.rollout_steps = 300;
  auto trained = hrl::TrainLiveWorker({LoadLiveMatch("3754097"), LoadLiveMatch("3754300")}, o, {});
  if (!trained.ok()) std::abort();
  return trained->checkpoint;
}

// Every state of `m` with the 1X2 prices quoted at it set as its live odds.
inline std::vector<superbet::v1::LiveMatchState> QuotedStates(const hrl::LiveMatch& m) {
  std::vector<superbet::v1::LiveMatchState> states;
  for (size_t k = 0; k < m.states.size(); ++k) {
    superbet::v1::LiveMatchState s = m.states[k];
    if (m.quoted[k][0]) s.mutable_live_odds()->set_home(*m.quoted[k][0]);
    if (m.quoted[k][1]) s.mutable_live_odds()->set_draw(*m.quoted[k][1]);
    if (m.quoted[k][2]) s.mutable_live_odds()->set_away(*m.quoted[k][2]);
    states.push_back(s);
  }
  return states;
}

}  // namespace superbet::bench

#endif  // SUPERBET_BENCH_LIVE_FIXTURE_H_
