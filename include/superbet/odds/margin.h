// Margin removal: turning a bookmaker's decimal odds for ONE market into probabilities that sum to
// 1. Every function takes the prices of all outcomes of one market, in the market's outcome order
// (for 1X2: home, draw, away), and returns probabilities in the same order. With π_i = 1/o_i and
// S = Σ π_i (so S − 1 is the overround, implied.h):
//
//   multiplicative ("basic")  p_i = π_i / S
//   additive ("equal margin") p_i = π_i − (S − 1) / n      (the margin is split equally)
//   power                     p_i = π_i^k, k such that Σ π_i^k = 1
//   shin                      p_i = (√(z² + 4(1 − z) π_i²/S) − z) / (2(1 − z)), Σ p_i = 1
//
// A market with zero overround (S = 1) comes back unchanged (p_i = π_i) under every method.
// The multiplicative method keeps the ratios of the π_i; the additive, power and Shin methods move
// probability from the long shots to the favourite (the favourite-longshot bias), and the
// favourite stays the favourite under all four.
//
// Sources: Shin (1993), "Measuring the incidence of insider trading in a market for
// state-contingent claims", Economic Journal 103(420): 1141-1153; Jullien & Salanié (1994) and
// Štrumbelj (2014), "On determining probability forecasts from betting odds", International
// Journal of Forecasting 30(4): 934-943 — the power method and the closed form of p_i(z) used for
// Shin's method. Reference values: penaltyblog 1.9.0 `implied.calculate_implied` (tests).
//
// All functions are pure and thread-safe.
//
// Errors (every RemoveMargin*): InvalidArgument when fewer than 2 outcomes are given, or when a
// price is not finite or not > 1.0 (the message names the index and the value: "decimal_odds[2]
// must be finite and > 1.0, got 0.97").

#ifndef SUPERBET_ODDS_MARGIN_H_
#define SUPERBET_ODDS_MARGIN_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace superbet::odds {

enum class MarginMethod { kMultiplicative, kAdditive, kPower, kShin };

// Parses a method name: "multiplicative" (alias "basic"), "additive", "power", "shin"; ASCII case
// is ignored.
// Errors: InvalidArgument naming the unknown text and the accepted names.
[[nodiscard]] absl::StatusOr<MarginMethod> ParseMarginMethod(absl::string_view name);

// The canonical lower-case name of `m` ("multiplicative", "additive", "power", "shin"), which
// ParseMarginMethod reads back.
absl::string_view MarginMethodName(MarginMethod m);

// Multiplicative (normalisation, "basic") method: p_i = π_i / S. Closed form.
// Returns: probabilities in (0, 1) summing to 1 (to rounding).
[[nodiscard]] absl::StatusOr<std::vector<double>> RemoveMarginMultiplicative(
    absl::Span<const double> decimal_odds);

// Additive method, also called the "equal margin" method: every outcome carries the same share
// (S − 1)/n of the overround, p_i = π_i − (S − 1)/n. Closed form.
// Returns: probabilities summing to 1 (to rounding).
// Errors: as above; also InvalidArgument when a long shot's probability would come out <= 0 (an
// overround larger than n·π_i): the message names the index and the price; use power or Shin.
[[nodiscard]] absl::StatusOr<std::vector<double>> RemoveMarginAdditive(
    absl::Span<const double> decimal_odds);

// Power method (Štrumbelj 2014): p_i = π_i^k with k > 0 solved so that Σ π_i^k = 1 by
// safeguarded Newton iteration (bisection fallback) to |Σ p_i − 1| < 1e-12. k > 1 when the
// overround is positive.
// Returns: probabilities in (0, 1) summing to 1 within 1e-12.
// Errors: as above; Internal if the solver does not converge in 200 steps (names k, residual).
[[nodiscard]] absl::StatusOr<std::vector<double>> RemoveMarginPower(
    absl::Span<const double> decimal_odds);

// Shin's method (Shin 1993; Jullien & Salanié / Štrumbelj closed form of p_i(z)): the share z of
// insider money is solved so that Σ p_i(z) = 1 by safeguarded Newton iteration (bisection
// fallback) to |Σ p_i − 1| < 1e-12; z is in [0, 1) when the overround is >= 0 (negative for an
// arbitrage market, where the model does not strictly apply but the formula still normalises).
// Returns: probabilities in (0, 1) summing to 1 within 1e-12.
// Errors: as above; Internal if the solver does not converge in 200 steps (names z, residual).
[[nodiscard]] absl::StatusOr<std::vector<double>> RemoveMarginShin(
    absl::Span<const double> decimal_odds);

// Dispatches to the RemoveMargin* function for `method`.
// Errors: those of the dispatched function; InvalidArgument for a `method` outside the enum.
[[nodiscard]] absl::StatusOr<std::vector<double>> RemoveMargin(
    absl::Span<const double> decimal_odds, MarginMethod method);

// Diagnostics of the iterative methods.
//
// The exponent k of the power method for this market (1 when the overround is 0).
// Errors: as RemoveMarginPower.
[[nodiscard]] absl::StatusOr<double> PowerExponent(absl::Span<const double> decimal_odds);
// Shin's z, the estimated share of insider trading, for this market (0 when the overround is 0).
// Errors: as RemoveMarginShin.
[[nodiscard]] absl::StatusOr<double> ShinInsiderShare(absl::Span<const double> decimal_odds);

}  // namespace superbet::odds

#endif  // SUPERBET_ODDS_MARGIN_H_
