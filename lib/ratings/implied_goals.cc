#include "superbet/ratings/implied_goals.h"

#include <array>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace superbet::ratings {
namespace {

constexpr int kMaxGoals = 40;
constexpr double kMaxTotal = 20;

double OverTwoPointFive(double total) {
  return 1.0 - std::exp(-total) * (1.0 + total + 0.5 * total * total);
}

}  // namespace

double PoissonHomeMinusAway(double lambda, double mu) {
  std::array<double, kMaxGoals + 1> px{}, py{};
  px[0] = std::exp(-lambda);
  py[0] = std::exp(-mu);
  for (int k = 1; k <= kMaxGoals; ++k) {
    px[k] = px[k - 1] * lambda / k;
    py[k] = py[k - 1] * mu / k;
  }
  // P(X > Y) - P(Y > X) = sum_k px[k] F_y(k - 1) - py[k] F_x(k - 1).
  double fx = 0, fy = 0, d = 0;
  for (int k = 0; k <= kMaxGoals; ++k) {
    d += px[k] * fy - py[k] * fx;
    fx += px[k];
    fy += py[k];
  }
  return d;
}

absl::StatusOr<double> ImpliedTotalGoals(double over_2_5_probability) {
  const double p = over_2_5_probability;
  if (!std::isfinite(p) || !(p > 0) || !(p < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("P(over 2.5) must be in (0, 1), got ", over_2_5_probability));
  }
  if (p > OverTwoPointFive(kMaxTotal)) {
    return absl::OutOfRangeError(
        absl::StrCat("P(over 2.5) ", p, " needs more than ", kMaxTotal, " expected goals"));
  }
  double lo = 0, hi = kMaxTotal;
  for (int it = 0; it < 200 && hi - lo > 1e-13 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (OverTwoPointFive(mid) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

absl::StatusOr<ImpliedGoals> ImpliedPoissonMeans(double home_minus_away,
                                                 double over_2_5_probability) {
  if (!std::isfinite(home_minus_away)) {
    return absl::InvalidArgumentError(
        absl::StrCat("P(home) - P(away) must be finite, got ", home_minus_away));
  }
  auto total = ImpliedTotalGoals(over_2_5_probability);
  if (!total.ok()) return total.status();
  const double t = *total;
  const double reach = 1.0 - std::exp(-t);
  if (!(std::fabs(home_minus_away) < reach)) {
    return absl::OutOfRangeError(absl::StrCat("P(home) - P(away) = ", home_minus_away,
                                              " is out of reach at total ", t,
                                              " expected goals (|.| must be < ", reach, ")"));
  }
  double lo = 0, hi = 1;  // Home share lambda / T.
  for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
    const double mid = 0.5 * (lo + hi);
    (PoissonHomeMinusAway(mid * t, (1 - mid) * t) < home_minus_away ? lo : hi) = mid;
  }
  const double share = 0.5 * (lo + hi);
  return ImpliedGoals{share * t, (1 - share) * t};
}

}  // namespace superbet::ratings
