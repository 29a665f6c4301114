// Combining a model's 1X2 forecast with the market's: the logarithmic (geometric) opinion pool,
// and its weight fitted by maximum likelihood on earlier, out-of-sample forecasts only.
//
//   p_i = m_i^(1-w) d_i^w / sum_j m_j^(1-w) d_j^w,   i in {home, draw, away},
// m the margin-free market probabilities, d the model's, w in [w_min, w_max] (default [0, 1]):
// w = 0 is the market, w = 1 the model. With delta_i = ln d_i - ln m_i this is the multinomial
// logit p_i ∝ m_i exp(w delta_i), so the log-likelihood of outcomes y_k,
//   L(w) = sum_k [ln m_{k,y} + w delta_{k,y} - ln sum_i m_{k,i} exp(w delta_{k,i})],
// is concave in w (its second derivative is -sum_k Var_{p_k}(delta_k) <= 0) and the maximiser on
// an interval is unique up to flat stretches.
//
// Sources: Genest & Zidek (1986), "Combining probability distributions: a critique and an
// annotated bibliography", Statistical Science 1(1) (logarithmic pool); Štrumbelj (2014),
// "On determining probability forecasts from betting odds", IJF 30 (market as a forecast);
// Ranjan & Gneiting (2010), "Combining probability forecasts", JRSS B 72 (weights by likelihood).

#ifndef SUPERBET_BACKTEST_OPINION_POOL_H_
#define SUPERBET_BACKTEST_OPINION_POOL_H_

#include <array>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace superbet::backtest {

// One scored out-of-sample forecast pair: what the market and the model said before `kickoff`,
// and what happened.
struct PoolForecast {
  absl::Time kickoff;              // UTC kickoff of the match forecast.
  std::array<double, 3> market{};  // Margin-free market probabilities, home, draw, away.
  std::array<double, 3> model{};   // Model probabilities, home, draw, away.
  int outcome = 0;                 // 0 home win, 1 draw, 2 away win.
};

// The pooled probabilities for weight `w` (see file comment); they sum to 1.
// Errors: InvalidArgument when w is not finite, or a probability is not finite or not in (0, 1]
// (names "market"/"model", the index and the value).
[[nodiscard]] absl::StatusOr<std::array<double, 3>> LogOpinionPool(
    const std::array<double, 3>& market, const std::array<double, 3>& model, double w);

// L(w) of the file comment over `forecasts` (natural log, summed, not averaged). Pure.
// Errors: as FitLogPoolWeight's input checks (no look-ahead check).
[[nodiscard]] absl::StatusOr<double> PoolLogLikelihood(absl::Span<const PoolForecast> forecasts,
                                                       double w);

struct PoolFitOptions {
  double w_min = 0.0;  // Search interval for w; w_min <= w_max, both finite.
  double w_max = 1.0;
  int max_iterations = 100;  // Safeguarded Newton steps on L'(w).
  double tolerance = 1e-10;  // Stop when the bracket or the step is narrower than this.
  // First Newton iterate when inside (w_min, w_max), e.g. the previous match day's weight;
  // otherwise the midpoint. The maximiser is unique, so only the iteration count depends on it.
  double start = -1;
};

// The w in [w_min, w_max] maximising L(w) on `forecasts`, by safeguarded Newton on the
// decreasing L'(w) (bisection whenever a Newton step leaves the bracket). Returns w_min when
// L'(w_min) <= 0 and w_max when L'(w_max) >= 0. Walk-forward guard: every forecast must have
// kicked off strictly before `decision_time` (the start of the day being decided).
//
// Errors: InvalidArgument when `forecasts` is empty, a probability is not finite or not in (0, 1]
// or an outcome is not 0, 1 or 2 (names the index and value), the options are invalid, or a
// forecast kicks off at or after `decision_time` (a look-ahead: names the index and both times).
[[nodiscard]] absl::StatusOr<double> FitLogPoolWeight(absl::Span<const PoolForecast> forecasts,
                                                      absl::Time decision_time,
                                                      const PoolFitOptions& options = {});

// A PoolForecast in the form the fit reads: logs taken once. A walk-forward that refits the
// weight every match day on an overlapping window converts each forecast once (ToLogForecast)
// instead of once per fit. Make one with ToLogForecast only: the fields are derived from each
// other.
struct LogPoolForecast {
  absl::Time kickoff;
  std::array<double, 3> market{};      // m_i / sum(m): the pool at w = 0, without exp/log.
  std::array<double, 3> model{};       // d_i / sum(d): the pool at w = 1.
  std::array<double, 3> log_market{};  // ln m_i.
  std::array<double, 3> delta{};       // ln d_i - ln m_i.
  int outcome = 0;
  // This forecast's terms of L'(w) and -L''(w) at w = 0 (the market) and w = 1 (the model):
  // delta_y - E_p[delta] and Var_p(delta) with p = `market` or `model`. The fit checks both ends
  // of [0, 1] every day; summing these (in window order, the same operations) gives the same bits
  // as recomputing them.
  double slope_at_market = 0, variance_at_market = 0;
  double slope_at_model = 0, variance_at_model = 0;
};

// Validates and converts one forecast.
// Errors: InvalidArgument as FitLogPoolWeight (a probability outside (0, 1], an outcome not 0-2).
[[nodiscard]] absl::StatusOr<LogPoolForecast> ToLogForecast(const PoolForecast& forecast);

// As FitLogPoolWeight above, on converted forecasts (the same weight, bit for bit).
// Errors: as above.
[[nodiscard]] absl::StatusOr<double> FitLogPoolWeightOnLogs(
    absl::Span<const LogPoolForecast> forecasts, absl::Time decision_time,
    const PoolFitOptions& options = {});

}  // namespace superbet::backtest

#endif  // SUPERBET_BACKTEST_OPINION_POOL_H_
