// The environment interface the PPO trainer (superbet/hrl/ppo_trainer.h) drives: episodic, with
// windowed observations, three discrete actions and rewards that may arrive after the step they
// belong to (a bet is settled at the end of its match).
//
// An observation is a window of `window()` steps of `features()` floats, row-major [T, F], oldest
// first, plus a [T] step-validity mask (1 = the step has a snapshot, 0 = padding). Only what was
// known at the decision time is written into it.

#ifndef SUPERBET_HRL_EPISODIC_ENV_H_
#define SUPERBET_HRL_EPISODIC_ENV_H_

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace superbet::hrl {

// A reward fixed after its step: `step` counts the steps of the current episode from 0.
struct DeferredReward {
  int step;
  double reward;
};

// What one Step returned.
struct EnvStep {
  double reward = 0;  // Reward of this step known now (added to any deferred reward for it).
  bool done = false;  // The episode ended with this step; the observation is then not written.
  // When done: rewards for earlier (or this) steps of the episode settled at the end.
  std::vector<DeferredReward> deferred;
  // When done, for supervised heads: the episode's outcome class (0 home, 1 draw, 2 away for a
  // match), absent when the environment has none.
  std::optional<int> outcome;
};

// Thread-safety: not thread-safe; one trainer drives one environment.
class EpisodicEnv {
 public:
  virtual ~EpisodicEnv() = default;
  virtual int window() const = 0;    // T >= 1.
  virtual int features() const = 0;  // F >= 1.
  virtual int episodes() const = 0;  // Episodes available (e.g. matches), >= 1.
  // Starts episode `episode` (0 .. episodes() - 1) and writes its first observation.
  // Errors: InvalidArgument for an episode out of range or buffers of the wrong size.
  [[nodiscard]] virtual absl::Status Reset(int episode, absl::Span<float> observation,
                                           absl::Span<float> step_valid) = 0;
  // Applies `action` (0 .. 2) chosen with policy probability `confidence` in [0, 1], and writes the
  // next observation unless the episode ended.
  // Errors: FailedPrecondition outside an episode; InvalidArgument for a bad action or buffer.
  [[nodiscard]] virtual absl::Status Step(int action, double confidence,
                                          absl::Span<float> observation,
                                          absl::Span<float> step_valid, EnvStep* out) = 0;
};

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_EPISODIC_ENV_H_
