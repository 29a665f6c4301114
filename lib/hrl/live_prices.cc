#include "superbet/hrl/live_prices.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace superbet::hrl {
namespace {

constexpr int kMaxGoals = 25;  // Per side; P(X > 25) < 1e-15 for every mean below 6.

// Poisson pmf 0..kMaxGoals of mean `m` (m = 0 gives a point mass at 0).
std::array<double, kMaxGoals + 1> PoissonPmf(double m) {
  std::array<double, kMaxGoals + 1> p{};
  p[0] = std::exp(-m);
  for (int k = 1; k <= kMaxGoals; ++k) p[k] = p[k - 1] * m / k;
  return p;
}

// P(home), P(draw), P(away) when the goals still to come have means (mh, ma) and the home side
// leads by `lead` goals.
std::array<double, 3> Outcome(double mh, double ma, int lead) {
  const auto ph = PoissonPmf(mh);
  const auto pa = PoissonPmf(ma);
  std::array<double, 3> out{0, 0, 0};
  for (int x = 0; x <= kMaxGoals; ++x) {
    for (int y = 0; y <= kMaxGoals; ++y) {
      const double p = ph[x] * pa[y];
      const int d = lead + x - y;
      out[d > 0 ? 0 : (d == 0 ? 1 : 2)] += p;
    }
  }
  const double s = out[0] + out[1] + out[2];
  for (double& v : out) v /= s;
  return out;
}

}  // namespace

absl::StatusOr<PoissonRates> FitPoissonRates(const std::array<double, 3>& margin_free) {
  double sum = 0;
  for (int i = 0; i < 3; ++i) {
    const double p = margin_free[i];
    if (!std::isfinite(p) || p <= 0 || p >= 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("margin-free probability [", i, "] must be in (0, 1), got ", p));
    }
    sum += p;
  }
  if (std::abs(sum - 1.0) > 1e-6) {
    return absl::InvalidArgumentError(
        absl::StrCat("margin-free probabilities must sum to 1 within 1e-6, got ", sum));
  }
  // Damped Gauss-Newton on u = log λ, v = log μ with a finite-difference Jacobian.
  double u = std::log(1.4), v = std::log(1.1);
  auto residual = [&](double uu, double vv) {
    const auto o = Outcome(std::exp(uu), std::exp(vv), 0);
    return std::array<double, 2>{o[0] - margin_free[0], o[2] - margin_free[2]};
  };
  auto sse = [](const std::array<double, 2>& r) { return r[0] * r[0] + r[1] * r[1]; };
  std::array<double, 2> r = residual(u, v);
  constexpr double kH = 1e-6;
  for (int it = 0; it < 200 && sse(r) > 1e-24; ++it) {
    const auto ru = residual(u + kH, v);
    const auto rv = residual(u, v + kH);
    const double j00 = (ru[0] - r[0]) / kH, j01 = (rv[0] - r[0]) / kH;
    const double j10 = (ru[1] - r[1]) / kH, j11 = (rv[1] - r[1]) / kH;
    // Levenberg-style damping keeps the step defined when the draw cannot be matched.
    const double damp = 1e-9;
    const double a00 = j00 * j00 + j10 * j10 + damp, a01 = j00 * j01 + j10 * j11;
    const double a11 = j01 * j01 + j11 * j11 + damp;
    const double g0 = j00 * r[0] + j10 * r[1], g1 = j01 * r[0] + j11 * r[1];
    const double det = a00 * a11 - a01 * a01;
    if (!(std::abs(det) > 0)) break;
    double du = -(a11 * g0 - a01 * g1) / det, dv = -(a00 * g1 - a01 * g0) / det;
    double step = 1.0;
    bool improved = false;
    for (int ls = 0; ls < 30; ++ls, step *= 0.5) {
      const double nu = std::clamp(u + step * du, -6.0, 2.5);
      const double nv = std::clamp(v + step * dv, -6.0, 2.5);
      const auto nr = residual(nu, nv);
      if (sse(nr) < sse(r)) {
        u = nu, v = nv, r = nr, improved = true;
        break;
      }
    }
    if (!improved) break;
  }
  return PoissonRates{std::exp(u), std::exp(v), std::sqrt(sse(r))};
}

std::array<double, 3> InPlayProbabilities(const PoissonRates& rates, double minute, int score_home,
                                          int score_away, double match_minutes) {
  const double left = std::clamp((match_minutes - minute) / match_minutes, 0.0, 1.0);
  return Outcome(rates.home_goals * left, rates.away_goals * left, score_home - score_away);
}

std::array<std::optional<double>, 3> QuotePrices(const std::array<double, 3>& fair,
                                                 const InPlayPriceOptions& options) {
  std::array<std::optional<double>, 3> out;
  for (int k = 0; k < 3; ++k) {
    if (!(fair[k] >= options.min_quoted_probability)) continue;
    out[k] = std::max(options.min_decimal_odds, 1.0 / (fair[k] * (1.0 + options.margin)));
  }
  return out;
}

absl::Status ValidateInPlayPriceOptions(const InPlayPriceOptions& o) {
  if (!std::isfinite(o.margin) || o.margin < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("margin must be finite and >= 0, got ", o.margin));
  }
  if (!std::isfinite(o.latency_s) || o.latency_s < 0 || o.latency_s > 600) {
    return absl::InvalidArgumentError(
        absl::StrCat("latency_s must be in [0, 600], got ", o.latency_s));
  }
  if (!std::isfinite(o.match_minutes) || o.match_minutes <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("match_minutes must be finite and > 0, got ", o.match_minutes));
  }
  if (!std::isfinite(o.min_decimal_odds) || o.min_decimal_odds <= 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_decimal_odds must be > 1, got ", o.min_decimal_odds));
  }
  if (!(o.min_quoted_probability > 0 && o.min_quoted_probability < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_quoted_probability must be in (0, 1), got ", o.min_quoted_probability));
  }
  return absl::OkStatus();
}

}  // namespace superbet::hrl
