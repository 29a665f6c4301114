// Modelled in-play 1X2 prices for replayed matches.
//
// IN-PLAY PRICES ARE MODELLED, NOT RECORDED. Neither StatsBomb open data nor football-data.co.uk
// carries in-play prices, so the live environment quotes prices from a model:
//
//   1. Calibration. The margin-free pre-match 1X2 probabilities (p_home, p_draw, p_away) are
//      matched by two independent Poisson goal counts with full-match means λ (home) and μ
//      (away): the pair minimising (P_H(λ, μ) − p_home)² + (P_A(λ, μ) − p_away)² (damped
//      Gauss-Newton in log λ, log μ). The double-Poisson model cannot reproduce every draw
//      probability, so the fit residual is returned with the rates.
//   2. Conditioning. At match minute m with score (h, a) the goals still to come are independent
//      Poisson(λ·r) and Poisson(μ·r), r = max(0, (L − m)/L) the share of the match left (L = 90
//      minutes; stoppage time is not modelled, r = 0 from minute 90 on). Then
//      P(home) = P(h + X > a + Y), P(draw) = P(h + X = a + Y), P(away) = P(h + X < a + Y).
//   3. Margin. The quoted decimal odds are o_k = 1 / (p_k · (1 + margin)), so the book's
//      overround is exactly `margin`; a price that would be below 1.01 is quoted at 1.01, and an
//      outcome with p_k < 1e-4 has no price (absent: the market is suspended for it).
//   4. Latency. A bet decided at minute m is matched at the price of minute m + latency_s / 60
//      (the same score, less time left): the bookmaker's price after the bet's delay.
//
// Sources: Maher (1982), "Modelling association football scores", Statistica Neerlandica 36
// (independent Poisson goals); Dixon & Robinson (1998), "A birth process model for association
// football matches", JRSS D 47 (in-play scoring rates proportional to time left).
//
// All functions are pure and thread-safe.

#ifndef SUPERBET_HRL_LIVE_PRICES_H_
#define SUPERBET_HRL_LIVE_PRICES_H_

#include <array>
#include <optional>

#include "absl/status/statusor.h"

namespace superbet::hrl {

// Options of the in-play price model.
struct InPlayPriceOptions {
  double margin = 0.05;                  // Overround of the quoted book, >= 0 (0.05 = 105 % book).
  double latency_s = 5.0;                // Bet delay in seconds, in [0, 600].
  double match_minutes = 90.0;           // L, the regular length of a match in minutes, > 0.
  double min_decimal_odds = 1.01;        // Floor of a quoted price, > 1.
  double min_quoted_probability = 1e-4;  // Below this p an outcome has no price, in (0, 1).
};

// Full-match Poisson goal means fitted to a margin-free 1X2.
struct PoissonRates {
  double home_goals;  // λ, expected home goals over the whole match, > 0.
  double away_goals;  // μ, expected away goals over the whole match, > 0.
  // sqrt of the fitted sum of squared errors over P(home) and P(away); 0 for an exact fit.
  double fit_residual;
};

// Fits λ, μ to `margin_free` = {p_home, p_draw, p_away} (step 1 above).
// Errors: InvalidArgument when a probability is not finite or not in (0, 1), or the three do not
// sum to 1 within 1e-6 (the message names the index and the value).
[[nodiscard]] absl::StatusOr<PoissonRates> FitPoissonRates(
    const std::array<double, 3>& margin_free);

// The fair in-play probabilities {home, draw, away} at `minute` (fractional minutes allowed) with
// the current score (step 2). Sums to 1 within 1e-9 (goal counts truncated at 25 per side).
// Inputs are trusted (the caller validated them): rates > 0, scores >= 0.
std::array<double, 3> InPlayProbabilities(const PoissonRates& rates, double minute, int score_home,
                                          int score_away, double match_minutes = 90.0);

// The quoted decimal odds {home, draw, away} for fair probabilities `fair` (step 3); an entry is
// absent when its probability is below options.min_quoted_probability.
std::array<std::optional<double>, 3> QuotePrices(const std::array<double, 3>& fair,
                                                 const InPlayPriceOptions& options);

// Errors: InvalidArgument naming the field and the value when an option is out of range.
[[nodiscard]] absl::Status ValidateInPlayPriceOptions(const InPlayPriceOptions& options);

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_LIVE_PRICES_H_
