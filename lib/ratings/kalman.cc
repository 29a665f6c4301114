#include "superbet/ratings/kalman.h"

#include <cmath>
#include <cstddef>

#include "absl/strings/str_cat.h"

namespace superbet::ratings {

double SparseDot(const GaussianState& state, absl::Span<const SparseTerm> h) {
  double s = 0;
  for (const auto& [i, coef] : h) s += coef * state.mean[i];
  return s;
}

absl::Status KalmanUpdate(GaussianState& state, absl::Span<const SparseTerm> h, double z,
                          double variance) {
  const int n = state.size();
  if (state.covariance.size() != static_cast<size_t>(n) * n) {
    return absl::InvalidArgumentError(
        absl::StrCat("covariance has ", state.covariance.size(), " entries, want ", n, " x ", n));
  }
  if (!(variance > 0) || !std::isfinite(variance)) {
    return absl::InvalidArgumentError(
        absl::StrCat("observation variance must be finite and > 0, got ", variance));
  }
  if (!std::isfinite(z)) {
    return absl::InvalidArgumentError(absl::StrCat("observation must be finite, got ", z));
  }
  for (const auto& [i, coef] : h) {
    if (i < 0 || i >= n) {
      return absl::InvalidArgumentError(
          absl::StrCat("observation index ", i, " outside the state [0, ", n, ")"));
    }
  }
  // ph = P H' (column), s = H P H' + r.
  std::vector<double> ph(static_cast<size_t>(n), 0.0);
  const double* p = state.covariance.data();
  for (const auto& [j, coef] : h) {
    for (int i = 0; i < n; ++i) ph[i] += p[static_cast<size_t>(i) * n + j] * coef;
  }
  double s = variance;
  for (const auto& [j, coef] : h) s += coef * ph[j];
  if (!(s > 0) || !std::isfinite(s)) {
    return absl::FailedPreconditionError(
        absl::StrCat("innovation variance H P H' + r must be > 0, got ", s));
  }
  const double innovation = z - SparseDot(state, h);
  for (int i = 0; i < n; ++i) state.mean[i] += ph[i] / s * innovation;
  double* c = state.covariance.data();
  for (int i = 0; i < n; ++i) {
    const double ki = ph[i] / s;
    if (ki == 0) continue;
    double* row = c + static_cast<size_t>(i) * n;
    for (int j = 0; j < n; ++j) row[j] -= ki * ph[j];
  }
  // P - ph ph' / s written row by row is symmetric up to rounding; make it exactly so.
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      const double v =
          0.5 * (c[static_cast<size_t>(i) * n + j] + c[static_cast<size_t>(j) * n + i]);
      c[static_cast<size_t>(i) * n + j] = v;
      c[static_cast<size_t>(j) * n + i] = v;
    }
  }
  return absl::OkStatus();
}

std::pair<double, double> PoissonWorkingObservation(double eta, double count) {
  const double mean = std::exp(eta);
  return {eta + (count - mean) / mean, 1.0 / mean};
}

void AddProcessNoise(GaussianState& state, absl::Span<const int> indices, double variance) {
  const size_t n = state.mean.size();
  for (int i : indices) state.covariance[static_cast<size_t>(i) * n + i] += variance;
}

void ResetComponent(GaussianState& state, int index, double mean, double variance) {
  const size_t n = state.mean.size();
  for (size_t j = 0; j < n; ++j) {
    state.covariance[static_cast<size_t>(index) * n + j] = 0;
    state.covariance[j * n + index] = 0;
  }
  state.covariance[static_cast<size_t>(index) * n + index] = variance;
  state.mean[index] = mean;
}

}  // namespace superbet::ratings
