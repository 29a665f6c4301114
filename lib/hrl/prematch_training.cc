// Offline training loop of the pre-match worker (include/superbet/hrl/prematch_training.h).

#include "superbet/hrl/prematch_training.h"

#include "absl/strings/str_cat.h"

namespace superbet::hrl {

absl::StatusOr<std::vector<PreMatchEpisodeLog>> TrainPreMatch(
    PreMatchEnv& env, PreMatchWorker& worker, const PreMatchTrainOptions& options,
    const std::function<void(const PreMatchEpisodeLog&)>& on_episode) {
  if (options.episodes < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("episodes must be >= 1, got ", options.episodes));
  }
  if (env.size() == 0) return absl::InvalidArgumentError("the environment has no step to train on");
  std::vector<PreMatchEpisodeLog> logs;
  std::vector<WorkerDecision> decisions(static_cast<size_t>(env.size()));
  for (int e = 1; e <= options.episodes; ++e) {
    if (options.stop_requested && options.stop_requested()) {
      return absl::CancelledError(absl::StrCat("training stopped on request after ", e - 1, " of ",
                                               options.episodes, " episodes"));
    }
    env.Reset();
    worker.BeginEpisode();
    PreMatchEpisodeLog log;
    log.episode = e;
    double reward_sum = 0, loss_sum = 0, turnover = 0, profit = 0;
    auto learn = [&](const std::vector<SettledStep>& settled) {
      for (const SettledStep& s : settled) {
        const WorkerDecision& d = decisions[static_cast<size_t>(s.step)];
        const double td = s.reward.reward - d.q[static_cast<int>(s.action)];
        loss_sum += td * td;
        reward_sum += s.reward.reward;
        if (s.action != PreMatchAction::kNoBet) {
          ++log.bets;
          turnover += s.stake;
          profit += s.payout - s.stake;
        }
        worker.Learn(env.ObserveAt(s.step), d, s, /*learn_policy=*/true);
      }
    };
    while (!env.done()) {
      const int64_t step = env.index();
      WorkerDecision d = worker.Act(env.Observe(), /*explore=*/true);
      if (d.explored) ++log.explored;
      decisions[static_cast<size_t>(step)] = d;
      if (absl::Status s = env.Act(d.action, d.confidence); !s.ok()) return s;
      ++log.steps;
      learn(env.TakeSettled());
    }
    learn(env.TakeSettled());
    log.mean_reward = reward_sum / static_cast<double>(log.steps);
    log.loss = loss_sum / static_cast<double>(log.steps);
    log.epsilon_end = worker.epsilon();
    if (turnover > 0) log.roi = profit / turnover;
    log.final_budget = env.budget();
    if (on_episode) on_episode(log);
    logs.push_back(log);
  }
  return logs;
}

}  // namespace superbet::hrl
