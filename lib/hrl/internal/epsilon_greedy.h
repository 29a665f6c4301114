// ε-greedy action choice shared by the two pre-match workers (TabularQWorker in prematch_q.cc,
// the DQN worker in prematch_dqn.cc): the linear ε schedule of SB3's / CleanRL's
// linear_schedule and the greedy / Boltzmann-confidence / exploration draw of Act.

#ifndef SUPERBET_LIB_HRL_INTERNAL_EPSILON_GREEDY_H_
#define SUPERBET_LIB_HRL_INTERNAL_EPSILON_GREEDY_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "superbet/hrl/prematch.h"

namespace superbet::hrl::internal {

// The options both workers share: the ε schedule, the Boltzmann temperature τ of the confidence
// and the outcome model's SGD step and L2. Errors: InvalidArgument naming the option, the bound
// and the value ("epsilon_end must be in [0, epsilon_start], got 0.5").
inline absl::Status ValidateExplorationOptions(double epsilon_start, double epsilon_end,
                                               int64_t epsilon_decay_steps, double tau,
                                               double outcome_learning_rate, double outcome_l2) {
  auto bad = [](const char* name, double v, const char* want) {
    return absl::InvalidArgumentError(absl::StrCat(name, " must be ", want, ", got ", v));
  };
  if (!(epsilon_start >= 0 && epsilon_start <= 1)) {
    return bad("epsilon_start", epsilon_start, "in [0, 1]");
  }
  if (!(epsilon_end >= 0 && epsilon_end <= epsilon_start)) {
    return bad("epsilon_end", epsilon_end, "in [0, epsilon_start]");
  }
  if (epsilon_decay_steps < 1) {
    return bad("epsilon_decay_steps", static_cast<double>(epsilon_decay_steps), ">= 1");
  }
  if (!(tau > 0 && std::isfinite(tau))) return bad("tau", tau, "finite and > 0");
  if (!(outcome_learning_rate > 0 && std::isfinite(outcome_learning_rate))) {
    return bad("outcome_learning_rate", outcome_learning_rate, "finite and > 0");
  }
  if (!(outcome_l2 >= 0 && std::isfinite(outcome_l2))) {
    return bad("outcome_l2", outcome_l2, "finite and >= 0");
  }
  return absl::OkStatus();
}

// ε after `steps` exploring decisions: start + min(1, steps / decay_steps) · (end − start).
inline double LinearEpsilon(double start, double end, int64_t decay_steps, int64_t steps) {
  const double frac = std::min(1.0, static_cast<double>(steps) / static_cast<double>(decay_steps));
  return start + frac * (end - start);
}

// A double in [0, 1) from the top 53 bits of one draw (not std::uniform_real_distribution, whose
// output is not specified by the standard).
inline double Uniform53(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// Given d->q: the greedy action and its Boltzmann probability at temperature `tau` as the
// confidence; with `explore`, counts the step in *steps and, with probability `epsilon` (the ε
// before this step), replaces the action by a uniform one (d->explored = true). Draws from `rng`
// only when exploring: one Uniform53, then one draw for the action when it explores.
inline void ChooseEpsilonGreedy(double tau, bool explore, double epsilon, std::mt19937_64& rng,
                                int64_t* steps, WorkerDecision* d) {
  d->action = GreedyAction(d->q);
  d->confidence = BoltzmannProbability(d->q, d->action, tau);
  if (!explore) return;
  ++*steps;
  if (Uniform53(rng) < epsilon) {
    d->action = static_cast<PreMatchAction>(rng() % kPreMatchActions);
    d->explored = true;
  }
}

}  // namespace superbet::hrl::internal

#endif  // SUPERBET_LIB_HRL_INTERNAL_EPSILON_GREEDY_H_
