// Offline training of a pre-match worker on a PreMatchEnv: `episodes` passes over the env's steps
// ("as if live": each pass replays the seasons in kickoff order; the worker learns a decision only
// once its match is over, env.h). Deterministic: the worker's seed fixes every random draw; no
// clock is read (steps per second are measured by the caller, e.g. bench/).

#ifndef SUPERBET_HRL_PREMATCH_TRAINING_H_
#define SUPERBET_HRL_PREMATCH_TRAINING_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "superbet/hrl/env.h"
#include "superbet/hrl/prematch.h"

namespace superbet::hrl {

struct PreMatchTrainOptions {
  int episodes = 10;  // Passes over the env; >= 1.
  // Polled before each pass; true stops the training (Cancelled). Null: never stops.
  std::function<bool()> stop_requested;
};

// One pass. Money in the env's currency unit.
struct PreMatchEpisodeLog {
  int episode = 0;            // 1-based.
  int64_t steps = 0;          // Decisions.
  int64_t bets = 0;           // Decisions that were a bet.
  int64_t explored = 0;       // Random (ε) actions.
  double mean_reward = 0;     // Mean reward over the steps.
  double loss = 0;            // Mean squared TD error (r − Q(s, a))² of the updates.
  double epsilon_end = 0;     // ε after the pass.
  std::optional<double> roi;  // Profit / turnover of the bets; nullopt without a bet.
  double final_budget = 0;    // B at the end of the pass.
};

// Trains `worker` on `env` (reset at the start of every pass). `on_episode`, when set, is called
// after each pass (progress bars, logs).
// Errors: InvalidArgument when episodes < 1 or the env has no step; Cancelled when
// options.stop_requested() turned true (the passes done are lost to the caller); any env error.
[[nodiscard]] absl::StatusOr<std::vector<PreMatchEpisodeLog>> TrainPreMatch(
    PreMatchEnv& env, PreMatchWorker& worker, const PreMatchTrainOptions& options,
    const std::function<void(const PreMatchEpisodeLog&)>& on_episode = nullptr);

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_PREMATCH_TRAINING_H_
