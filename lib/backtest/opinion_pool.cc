#include "superbet/backtest/opinion_pool.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "superbet/core/status_macros.h"

namespace superbet::backtest {
namespace {

absl::Status CheckProbabilities(const std::array<double, 3>& p, const char* what, size_t k) {
  for (int i = 0; i < 3; ++i) {
    if (!std::isfinite(p[i]) || p[i] <= 0 || p[i] > 1) {
      return absl::InvalidArgumentError(absl::StrCat("forecast ", k, ": ", what, " probability ", i,
                                                     " must be in (0, 1], got ", p[i]));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckForecasts(absl::Span<const PoolForecast> forecasts) {
  if (forecasts.empty()) return absl::InvalidArgumentError("no forecasts to fit the pool on");
  for (size_t k = 0; k < forecasts.size(); ++k) {
    const PoolForecast& f = forecasts[k];
    SUPERBET_RETURN_IF_ERROR(CheckProbabilities(f.market, "market", k));
    SUPERBET_RETURN_IF_ERROR(CheckProbabilities(f.model, "model", k));
    if (f.outcome < 0 || f.outcome > 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("forecast ", k, ": outcome must be 0, 1 or 2, got ", f.outcome));
    }
  }
  return absl::OkStatus();
}

// delta_y - E_p[delta] and E_p[delta^2] - E_p[delta]^2: one forecast's terms of L'(w) and
// -L''(w) where the pool is p (w = 0 or 1: no exp). Derivatives sums them in this form.
void EndTerms(const std::array<double, 3>& p, const std::array<double, 3>& delta, int outcome,
              double* slope, double* variance) {
  double mean = 0, second = 0;
  for (int i = 0; i < 3; ++i) {
    mean += p[i] * delta[i];
    second += p[i] * delta[i] * delta[i];
  }
  *slope = delta[outcome] - mean;
  *variance = second - mean * mean;
}

LogPoolForecast ToLogUnchecked(const PoolForecast& f) {
  LogPoolForecast l;
  l.kickoff = f.kickoff;
  const double sum = f.market[0] + f.market[1] + f.market[2];
  const double model_sum = f.model[0] + f.model[1] + f.model[2];
  for (int i = 0; i < 3; ++i) {
    l.market[i] = f.market[i] / sum;
    l.model[i] = f.model[i] / model_sum;
    l.log_market[i] = std::log(f.market[i]);
    l.delta[i] = std::log(f.model[i]) - l.log_market[i];
  }
  l.outcome = f.outcome;
  EndTerms(l.market, l.delta, l.outcome, &l.slope_at_market, &l.variance_at_market);
  EndTerms(l.model, l.delta, l.outcome, &l.slope_at_model, &l.variance_at_model);
  return l;
}

std::vector<LogPoolForecast> ToLog(absl::Span<const PoolForecast> forecasts) {
  std::vector<LogPoolForecast> out;
  out.reserve(forecasts.size());
  for (const PoolForecast& f : forecasts) out.push_back(ToLogUnchecked(f));
  return out;
}

// L'(w) and L''(w) (file comment of the header); also L(w) when `value` is given.
void Derivatives(absl::Span<const LogPoolForecast> data, double w, double* d1, double* d2,
                 double* value = nullptr) {
  double g = 0, h = 0, v = 0;
  if ((w == 0 || w == 1) && value == nullptr) {  // The pool is the market or the model: no exp.
    // The per-forecast terms were computed once by ToLogUnchecked (EndTerms).
    if (w == 0) {
      for (const LogPoolForecast& l : data) {
        g += l.slope_at_market;
        h -= l.variance_at_market;
      }
    } else {
      for (const LogPoolForecast& l : data) {
        g += l.slope_at_model;
        h -= l.variance_at_model;
      }
    }
    *d1 = g;
    *d2 = h;
    return;
  }
  // The same arithmetic, in the same order, as the plain formula; two shortcuts that give the
  // same bits: exp(z_max - z_max) = exp(0) is exactly 1 (no call), and ln s is taken only when
  // L(w) itself is asked for (a Newton step needs L' and L'' only).
  for (const LogPoolForecast& l : data) {
    double z[3], zmax = -INFINITY;
    for (int i = 0; i < 3; ++i) {
      z[i] = l.log_market[i] + w * l.delta[i];
      zmax = std::max(zmax, z[i]);
    }
    double s = 0, e[3];
    for (int i = 0; i < 3; ++i) s += (e[i] = z[i] == zmax ? 1.0 : std::exp(z[i] - zmax));
    double mean = 0, second = 0;
    for (int i = 0; i < 3; ++i) {
      const double p = e[i] / s;
      mean += p * l.delta[i];
      second += p * l.delta[i] * l.delta[i];
    }
    g += l.delta[l.outcome] - mean;
    h -= second - mean * mean;
    if (value != nullptr) v += z[l.outcome] - zmax - std::log(s);
  }
  *d1 = g;
  *d2 = h;
  if (value != nullptr) *value = v;
}

}  // namespace

absl::StatusOr<std::array<double, 3>> LogOpinionPool(const std::array<double, 3>& market,
                                                     const std::array<double, 3>& model, double w) {
  if (!std::isfinite(w)) {
    return absl::InvalidArgumentError(absl::StrCat("pool weight must be finite, got ", w));
  }
  SUPERBET_RETURN_IF_ERROR(CheckProbabilities(market, "market", 0));
  SUPERBET_RETURN_IF_ERROR(CheckProbabilities(model, "model", 0));
  std::array<double, 3> z;
  double zmax = -INFINITY;
  for (int i = 0; i < 3; ++i) {
    z[i] = (1 - w) * std::log(market[i]) + w * std::log(model[i]);
    zmax = std::max(zmax, z[i]);
  }
  double s = 0;
  for (double& x : z) s += (x = std::exp(x - zmax));
  for (double& x : z) x /= s;
  return z;
}

absl::StatusOr<double> PoolLogLikelihood(absl::Span<const PoolForecast> forecasts, double w) {
  SUPERBET_RETURN_IF_ERROR(CheckForecasts(forecasts));
  double d1, d2, value;
  Derivatives(ToLog(forecasts), w, &d1, &d2, &value);
  return value;
}

absl::StatusOr<double> FitLogPoolWeight(absl::Span<const PoolForecast> forecasts,
                                        absl::Time decision_time, const PoolFitOptions& options) {
  if (!std::isfinite(options.w_min) || !std::isfinite(options.w_max) ||
      options.w_min > options.w_max) {
    return absl::InvalidArgumentError(absl::StrCat("pool weight interval [", options.w_min, ", ",
                                                   options.w_max, "] is not a finite interval"));
  }
  if (options.max_iterations < 1 || !(options.tolerance > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_iterations must be >= 1 and tolerance > 0, got ", options.max_iterations,
                     " and ", options.tolerance));
  }
  SUPERBET_RETURN_IF_ERROR(CheckForecasts(forecasts));
  const std::vector<LogPoolForecast> data = ToLog(forecasts);
  return FitLogPoolWeightOnLogs(data, decision_time, options);
}

absl::StatusOr<LogPoolForecast> ToLogForecast(const PoolForecast& forecast) {
  SUPERBET_RETURN_IF_ERROR(CheckForecasts(absl::MakeConstSpan(&forecast, 1)));
  return ToLogUnchecked(forecast);
}

absl::StatusOr<double> FitLogPoolWeightOnLogs(absl::Span<const LogPoolForecast> data,
                                              absl::Time decision_time,
                                              const PoolFitOptions& options) {
  if (!std::isfinite(options.w_min) || !std::isfinite(options.w_max) ||
      options.w_min > options.w_max) {
    return absl::InvalidArgumentError(absl::StrCat("pool weight interval [", options.w_min, ", ",
                                                   options.w_max, "] is not a finite interval"));
  }
  if (options.max_iterations < 1 || !(options.tolerance > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_iterations must be >= 1 and tolerance > 0, got ", options.max_iterations,
                     " and ", options.tolerance));
  }
  if (data.empty()) return absl::InvalidArgumentError("no forecasts to fit the pool on");
  for (size_t k = 0; k < data.size(); ++k) {
    if (data[k].kickoff >= decision_time) {
      return absl::InvalidArgumentError(absl::StrCat(
          "forecast ", k, " kicks off at ", absl::FormatTime(data[k].kickoff),
          ", not before the decision time ", absl::FormatTime(decision_time), " (look-ahead)"));
    }
  }
  double lo = options.w_min, hi = options.w_max, g, h;
  Derivatives(data, lo, &g, &h);
  if (g <= 0) return lo;
  Derivatives(data, hi, &g, &h);
  if (g >= 0) return hi;
  double w = options.start > lo && options.start < hi ? options.start : 0.5 * (lo + hi);
  for (int it = 0; it < options.max_iterations && hi - lo > options.tolerance; ++it) {
    Derivatives(data, w, &g, &h);
    if (g > 0)
      lo = w;
    else
      hi = w;
    double next = h < 0 ? w - g / h : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const double step = std::abs(next - w);
    w = next;
    if (step < options.tolerance) break;
  }
  return w;
}

}  // namespace superbet::backtest
