// Implied probabilities, overround and break-even rates of decimal odds.
//
// A decimal price o pays o units (stake included) per unit staked on a win. Its implied
// probability 1/o still contains the bookmaker's margin; margin.h removes it for a whole market.
// All functions are pure and thread-safe.
//
// Errors (every function): InvalidArgument when a price is not finite or not > 1.0. The message
// names the offending value, and for a span its index: "decimal_odds[2] must be finite and > 1.0,
// got 0.97".

#ifndef SUPERBET_ODDS_IMPLIED_H_
#define SUPERBET_ODDS_IMPLIED_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace superbet::odds {

// 1 / decimal_odds, in (0, 1): the probability implied by one price, margin included.
//
// Errors: InvalidArgument "decimal odds must be finite and > 1.0, got 0.97".
[[nodiscard]] absl::StatusOr<double> ImpliedProbability(double decimal_odds);

// 1 / decimal_odds[i] for every price, same length and order as the input.
//
// Errors: InvalidArgument when the span is empty, or naming the index and value of a bad price.
[[nodiscard]] absl::StatusOr<std::vector<double>> ImpliedProbabilities(
    absl::Span<const double> decimal_odds);

// Overround (bookmaker's margin) of one market: sum(1 / decimal_odds[i]) - 1, where the span holds
// the prices of ALL outcomes of the market (for 1X2: home, draw, away). A fair market has 0; a
// typical Premier League 1X2 market at Bet365 0.04-0.07; a negative value is an arbitrage.
//
// Errors: InvalidArgument when fewer than 2 outcomes are given, or naming a bad price.
[[nodiscard]] absl::StatusOr<double> Overround(absl::Span<const double> decimal_odds);

// The probability of winning needed for a bet at `decimal_odds` to break even: 1 / decimal_odds
// (expected value p·o − 1 = 0).
//
// Errors: InvalidArgument "decimal odds must be finite and > 1.0, got ...".
[[nodiscard]] absl::StatusOr<double> BreakEvenProbability(double decimal_odds);

// The dynamic break-even win rate of a series of bets whose mean decimal odds is
// `mean_decimal_odds` ("başabaş", the dynamic break-even of the original design): 1 / ō. 0.5 at ō
// = 2.00, 1/3 at ō = 3.00. (The reward of reward.h uses the regularised 1 / (ō + 1e-6) instead.)
//
// Errors: InvalidArgument "mean decimal odds must be finite and > 1.0, got ..." (a mean of prices
// that are each > 1.0 is itself > 1.0).
[[nodiscard]] absl::StatusOr<double> BreakEvenWinRate(double mean_decimal_odds);

}  // namespace superbet::odds

#endif  // SUPERBET_ODDS_IMPLIED_H_
