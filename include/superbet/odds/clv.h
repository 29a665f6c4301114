// Closing line value (CLV): how much better the price a bet was taken at is than the market's
// closing price for the same selection. The closing price is the market's sharpest estimate, so a
// bettor who beats it on average has an edge, whatever the bets' results.
//
// Pure and thread-safe.

#ifndef SUPERBET_ODDS_CLV_H_
#define SUPERBET_ODDS_CLV_H_

#include "absl/status/statusor.h"

namespace superbet::odds {

// Closing line value of a bet taken at `taken_decimal_odds` against the closing price
// `closing_decimal_odds` of the same selection (football-data's PSCH/B365CH… columns):
// taken / closing − 1. Positive when the bet beat the close (2.10 taken, 2.00 closing → +0.05),
// 0 at the closing price, in (−1, ∞).
//
// Errors: InvalidArgument when either price is not finite or not > 1.0; the message names the
// argument ("closing_decimal_odds must be finite and > 1.0, got 0").
[[nodiscard]] absl::StatusOr<double> ClosingLineValue(double taken_decimal_odds,
                                                      double closing_decimal_odds);

}  // namespace superbet::odds

#endif  // SUPERBET_ODDS_CLV_H_
