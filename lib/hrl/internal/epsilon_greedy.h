// ε-greedy action choice shared by the two pre-match workers (TabularQWorker in prematch_q.cc,
// the DQN worker in prematch_dqn.cc): the linear ε schedule of SB3's / CleanRL's
// linear_schedule and the greedy / Boltzmann-confidence / exploration draw of Act.

#ifndef SUPERBET_LIB_HRL_INTERNAL_EPSILON_GREEDY_H_
#define SUPERBET_LIB_HRL_INTERNAL_EPSILON_GREEDY_H_

#include <algorithm>
#include <cstdint>
#include <random>

#include "superbet/hrl/prematch.h"

namespace superbet::hrl::internal {

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
