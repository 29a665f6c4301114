// The 2-state toy MDP both pre-match worker tests solve (prematch_q_test.cc, prematch_dqn_test.cc),
// with single-step episodes and a known optimum: state A (home favourite, margin-free market 0.65)
// pays +1 for backing home, 0 for no bet and −1 for any other bet; state B (market 0.25) pays +1
// for no bet and −1 for every bet. The optimal policy is (A: home, B: no bet).

#ifndef SUPERBET_TESTS_HRL_PREMATCH_TOY_MDP_H_
#define SUPERBET_TESTS_HRL_PREMATCH_TOY_MDP_H_

#include "superbet/hrl/prematch.h"

namespace superbet::hrl::testing {

// The observation of a state whose margin-free market gives `home` to the home side (A: 0.65,
// B: 0.25), the rest split evenly between draw and away.
inline PreMatchObservation Toy(double home) {
  PreMatchObservation o;
  o.match_id = home > 0.5 ? "A" : "B";
  o.decimal_odds = {1 / home, 4.0, 4.0};
  const double rest = (1 - home) / 2;
  o.value[kMarketHome] = static_cast<float>(home);
  o.value[kMarketDraw] = static_cast<float>(rest);
  o.value[kMarketAway] = static_cast<float>(rest);
  for (int i = 0; i < 3; ++i) o.mask[i] = 1;
  return o;
}

inline double ToyReward(bool state_a, PreMatchAction a) {
  if (state_a) return a == PreMatchAction::kBackHome ? 1.0 : a == PreMatchAction::kNoBet ? 0 : -1;
  return a == PreMatchAction::kNoBet ? 1.0 : -1.0;
}

}  // namespace superbet::hrl::testing

#endif  // SUPERBET_TESTS_HRL_PREMATCH_TOY_MDP_H_
