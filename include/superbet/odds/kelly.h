// Kelly staking and expected value of a single bet at decimal odds.
//
// `probability` is the bettor's (calibrated) probability that the bet wins, in [0, 1];
// `decimal_odds` the price taken, > 1.0. Stakes are fractions of the current bankroll.
//
// Source: Kelly (1956), "A new interpretation of information rate", Bell System Technical Journal
// 35(4): 917-926. For a bet paying b = o − 1 net per unit, the growth-optimal stake is
// f* = (b·p − (1 − p)) / b = (p·o − 1) / (o − 1).
//
// All functions are pure and thread-safe.
//
// Errors (every function): InvalidArgument when `probability` is not finite or outside [0, 1]
// ("probability must be finite and in [0, 1], got 1.2"), or `decimal_odds` is not finite or not
// > 1.0 ("decimal_odds must be finite and > 1.0, got 0.97").

#ifndef SUPERBET_ODDS_KELLY_H_
#define SUPERBET_ODDS_KELLY_H_

#include "absl/status/statusor.h"

namespace superbet::odds {

// The full Kelly fraction of bankroll, (p·o − 1)/(o − 1). NOT clamped: it is negative when the
// bet has negative expected value (do not bet) and at most p (reached as o → ∞).
// Example: p = 0.5, o = 2.2 → (1.1 − 1)/1.2 = 0.08333…
[[nodiscard]] absl::StatusOr<double> KellyFraction(double probability, double decimal_odds);

// The fraction of bankroll to stake: clamp(multiplier · KellyFraction(p, o), 0, cap).
// `multiplier` in (0, 1] (e.g. 0.25 for quarter Kelly); `cap` in (0, 1] (e.g. 0.05, the risk
// gate's default cap of 5 % of bankroll). 0 for a bet with no edge.
//
// Errors: as above; also InvalidArgument when `multiplier` or `cap` is not finite or outside
// (0, 1] (the message names the argument and the value).
[[nodiscard]] absl::StatusOr<double> FractionalKelly(double probability, double decimal_odds,
                                                     double multiplier, double cap);

// Expected profit per unit staked, p·o − 1 (EV_k in the decision core's metrics); in [−1, o − 1].
[[nodiscard]] absl::StatusOr<double> ExpectedValue(double probability, double decimal_odds);

}  // namespace superbet::odds

#endif  // SUPERBET_ODDS_KELLY_H_
