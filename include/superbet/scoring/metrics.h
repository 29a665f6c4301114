// Prediction metrics of the decision core: prob, confidence, kelly_fraction, VSNR, CAS, gamma.
// The risk gate reads kelly_fraction; the broadcast plant's filter and priority score read
// confidence, VSNR, CAS and kelly_fraction; gamma is informational.
//
// Notation: p is the calibrated probability of the pick, o its decimal odds (> 1), 1X2 arrays are
// in the order home, draw, away (superbet/model/selection.h).
//
//   prob           p.
//   confidence     π(a*|s): the policy's probability of the action it chose (Boltzmann / softmax
//                  probability for a value-based agent, BoltzmannProbability below). A
//                  deterministic policy (a fixed backtest strategy) has π(a*|s) = 1.
//   kelly_fraction f* = (p·o − 1)/(o − 1) clamped to [0, 1] (Kelly 1956, Bell System Technical
//                  Journal 35(4)); a fraction of bankroll.
//   VSNR           value signal-to-noise ratio. EV_k = p_k·o_k − 1 over the last 10 evaluations of
//                  the same match and selection (within 15 min live, 24 h pre-match; the window
//                  is kept by EvaluationTracker, tracker.h); VSNR = mean(EV)/(sd_{n−1}(EV) + 1e-6).
//                  With fewer than 3 evaluations the original design writes VSNR = 0; this library
//                  writes ABSENT instead (std::nullopt, no "vsnr" key in JSON): "not enough
//                  evaluations" is not an observed ratio of 0. A filter comparing VSNR to a
//                  threshold must treat absent as failing it, which is what the design's 0 did.
//   CAS            calibrated advantage score p/q, where q = (1/o_pick)/Σ_j(1/o_j) is the
//                  margin-free (multiplicative / basic normalisation) market probability of the
//                  pick; when any other 1X2 price is missing, q = 1/o_pick (margin included, so
//                  CAS is then conservative). CAS > 1 means the model sees value.
//   gamma          second difference of the pick's implied probability 1/o over the last three
//                  consecutive 1-minute buckets: x_t − 2·x_{t−1} + x_{t−2} (an "odds
//                  acceleration"); absent when any of the three buckets has no price.
//
// These definitions are the project's own choices (the seeds name the metrics without defining
// them); Kelly's formula is from Kelly (1956); the de-margining is the basic normalisation of
// Štrumbelj (2014), "On determining probability forecasts from betting odds", IJF 30.
//
// All functions are pure and thread-safe.

#ifndef SUPERBET_SCORING_METRICS_H_
#define SUPERBET_SCORING_METRICS_H_

#include <array>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::scoring {

// The VSNR window: at most this many most recent evaluations.
inline constexpr int kVsnrMaxEvaluations = 10;
// VSNR needs at least this many evaluations; fewer gives an absent VSNR.
inline constexpr int kVsnrMinEvaluations = 3;
// The regulariser added to the standard deviation.
inline constexpr double kVsnrEpsilon = 1e-6;

// f* = (p·o − 1)/(o − 1) clamped to [0, 1]. Example: p = 0.5, o = 2.2 → 0.083333…; p = 0.3,
// o = 2.0 → 0 (negative edge clamps to 0).
//
// Errors: InvalidArgument when p is not finite or outside [0, 1] or o is not finite or not > 1
// (the message names the argument and the value).
[[nodiscard]] absl::StatusOr<double> ClampedKellyFraction(double probability, double decimal_odds);

// VSNR of the expected values EV_k = p_k·o_k − 1 of one match and selection, oldest first. Only
// the last kVsnrMaxEvaluations values are used. Returns mean/(sd_{n−1} + 1e-6), or std::nullopt
// when fewer than kVsnrMinEvaluations values are given. n identical values give mean/1e-6.
//
// Errors: InvalidArgument naming the index and value of a non-finite EV.
[[nodiscard]] absl::StatusOr<std::optional<double>> Vsnr(absl::Span<const double> expected_values);

// CAS = p/q for the pick `pick_index` (0 home, 1 draw, 2 away) of a 1X2 market whose prices are
// `decimal_odds` (home, draw, away; a missing price is std::nullopt). q is the margin-free
// probability of the pick when all three prices are present, else 1/o_pick.
// Example: p = 0.5 at 2.0 / 3.5 / 4.0: q = 0.5/(0.5 + 0.285714… + 0.25) = 0.482758…, CAS = 1.0357….
//
// Errors: InvalidArgument when pick_index is not 0, 1 or 2; p is not finite or outside [0, 1];
// the pick's price is missing; a present price is not finite or not > 1 (index and value named).
[[nodiscard]] absl::StatusOr<double> Cas(double probability, int pick_index,
                                         const std::array<std::optional<double>, 3>& decimal_odds);

// Gamma from the pick's implied probabilities of three consecutive 1-minute buckets, oldest
// first: x[2] − 2·x[1] + x[0].
//
// Errors: InvalidArgument naming the index and value of a value that is not finite or outside
// [0, 1].
[[nodiscard]] absl::StatusOr<double> Gamma(const std::array<double, 3>& implied_probabilities);

// The Boltzmann (softmax) probability of action `chosen` given action values `values` and a
// temperature τ > 0: exp(v_c/τ) / Σ_j exp(v_j/τ), computed with the max subtracted so that large
// values do not overflow. The pre-match worker's confidence.
//
// Errors: InvalidArgument when `values` is empty, `chosen` is out of range, a value is not finite,
// or τ is not finite and > 0.
[[nodiscard]] absl::StatusOr<double> BoltzmannProbability(absl::Span<const double> values,
                                                          int chosen, double temperature);

// Fills the per-decision metrics of `prediction` from its pick, prob and odds: kelly_fraction
// (clamped Kelly of the pick) and cas. Leaves vsnr and gamma alone (they need history:
// EvaluationTracker) and confidence alone (it is the policy's).
//
// Errors: InvalidArgument when pick is not home|draw|away, or the pick's probability or price is
// missing or invalid (the message names the field, e.g. "odds.away", and the value).
[[nodiscard]] absl::Status SetPickMetrics(v1::Prediction& prediction);

// 0, 1, 2 for "home", "draw", "away"; −1 otherwise.
int PickIndex(absl::string_view pick);
// "home", "draw", "away" for 0, 1, 2; "" otherwise.
absl::string_view PickName(int index);

}  // namespace superbet::scoring

#endif  // SUPERBET_SCORING_METRICS_H_
