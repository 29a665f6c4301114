// Test support for the agent module: a real StatsBomb match replayed as live states, a tiny live
// checkpoint trained on two real matches (seed 3, 200 PPO steps: well under a second), a
// temporary folder and a reader of one sample of a registry's Prometheus exposition.
#ifndef SUPERBET_TESTS_AGENT_AGENT_SUPPORT_H_
#define SUPERBET_TESTS_AGENT_AGENT_SUPPORT_H_

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "superbet/core/metrics.h"
#include "superbet/hrl/live_env.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/v1/services.pb.h"
#include "support/test_data.h"

namespace superbet::agent_testing {

inline hrl::LiveMatch LoadMatch(const std::string& id) {
  providers::ReplayLoadOptions options;
  options.only_matches = {id};
  auto d = providers::LoadReplayData(testing::DataDir(), options);
  REQUIRE(d.ok());
  REQUIRE(d->timelines.size() == 1);
  auto m = hrl::PrepareLiveMatch(d->timelines[0], {});
  REQUIRE(m.ok());
  return *m;
}

// The match's states with live_odds set to the environment's modelled prices of the same minute
// (0 where a selection is not quoted) and a kickoff, as the adapter would send them.
inline std::vector<superbet::v1::LiveMatchState> QuotedStates(const hrl::LiveMatch& m) {
  std::vector<superbet::v1::LiveMatchState> out = m.states;
  for (size_t k = 0; k < out.size(); ++k) {
    const auto& q = m.quoted[k];
    out[k].mutable_live_odds()->set_home(q[0].value_or(0.0));
    out[k].mutable_live_odds()->set_draw(q[1].value_or(0.0));
    out[k].mutable_live_odds()->set_away(q[2].value_or(0.0));
    if (!out[k].has_kickoff()) out[k].mutable_kickoff()->set_seconds(1450000000);
  }
  return out;
}

inline const superbet::v1::Checkpoint& TinyCheckpoint() {
  static const superbet::v1::Checkpoint* c = [] {
    hrl::LiveTrainOptions o;
    o.architecture = hrl::LiveArchitecture::kMlp;
    o.seed = 3;
    o.total_env_steps = 200;
    o.ppo.rollout_steps = 200;
    auto r = hrl::TrainLiveWorker({LoadMatch("3754097"), LoadMatch("3754300")}, o, {});
    REQUIRE(r.ok());
    return new superbet::v1::Checkpoint(r->checkpoint);
  }();
  return *c;
}

// A fresh folder under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "agent_test_XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path_ = t;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The value of the sample written exactly as `series` ("hrl_bets_total{agent=\"live\"}") in the
// registry's exposition; nullopt when there is no such sample (absent, not 0).
inline std::optional<double> Sample(const core::MetricsRegistry& registry,
                                    const std::string& series) {
  std::istringstream in(registry.Exposition());
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

// A short live training request (64 environment steps, seed 11, match 3754097) writing to
// `output`, as StartTraining receives it.
inline superbet::v1::StartTrainingRequest LiveTrainingRequest(const std::string& output) {
  superbet::v1::StartTrainingRequest r;
  r.set_agent("live");
  r.set_output(output);
  r.set_steps(64);
  r.set_seed(11);
  r.add_train_matches("3754097");
  return r;
}

// The minute a restart test stops its first agent before: the first minute k >= n / 2 with a bet
// accepted before minute k - 10 and none in the 10 minutes before k (the window a restarted
// decider rebuilds from re-sent states, superbet/hrl/live_decider.h RestoreDecision); -1 when
// there is none. `accepted_at`: the minutes (state indexes) of the accepted bets.
inline int QuietRestartMinute(const std::vector<int>& accepted_at, int n) {
  for (int k = n / 2; k < n; ++k) {
    bool quiet = true, bet_before = false;
    for (int m : accepted_at) {
      quiet = quiet && !(m >= k - 10 && m < k);
      bet_before = bet_before || m < k - 10;
    }
    if (quiet && bet_before) return k;
  }
  return -1;
}

}  // namespace superbet::agent_testing

#endif  // SUPERBET_TESTS_AGENT_AGENT_SUPPORT_H_
