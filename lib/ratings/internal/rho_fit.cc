#include "ratings/internal/rho_fit.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace superbet::ratings::internal {
namespace {

// The pairs with a 0-0, 0-1 or 1-0 result, in pair order, with the products Derivatives needs
// (l * m as the plain formula computes it): the other pairs add nothing to the derivatives.
struct LowScorePair {
  double w00, w01, w10;
  double l, m, lm;
};

// First and second derivative of the weighted sum of log tau: the terms of every pair in pair
// order (the same arithmetic, in the same order, as summing over all pairs).
void Derivatives(const std::vector<LowScorePair>& pairs, double w11, double rho, double& d1,
                 double& d2) {
  d1 = 0;
  d2 = 0;
  for (const LowScorePair& s : pairs) {
    if (s.w00 > 0) {
      const double q = s.lm / (1 - s.lm * rho);
      d1 -= s.w00 * q;
      d2 -= s.w00 * q * q;
    }
    if (s.w01 > 0) {
      const double q = s.l / (1 + s.l * rho);
      d1 += s.w01 * q;
      d2 -= s.w01 * q * q;
    }
    if (s.w10 > 0) {
      const double q = s.m / (1 + s.m * rho);
      d1 += s.w10 * q;
      d2 -= s.w10 * q * q;
    }
  }
  if (w11 > 0) {
    const double q = 1 / (1 - rho);
    d1 -= w11 * q;
    d2 -= w11 * q * q;
  }
}

}  // namespace

double RhoLogLikelihood(const FitData& data, const std::vector<double>& lambda,
                        const std::vector<double>& mu, double rho) {
  double f = 0;
  auto term = [&](double w, double tau) {
    if (w > 0) f += tau > 0 ? w * std::log(tau) : -std::numeric_limits<double>::infinity();
  };
  for (size_t p = 0; p < data.pairs.size(); ++p) {
    const PairStats& s = data.pairs[p];
    term(s.w00, 1 - lambda[p] * mu[p] * rho);
    term(s.w01, 1 + lambda[p] * rho);
    term(s.w10, 1 + mu[p] * rho);
  }
  term(data.w11, 1 - rho);
  return f;
}

double FitRho(const FitData& data, const std::vector<double>& lambda, const std::vector<double>& mu,
              double rho_min, double rho_max) {
  double lo = rho_min, hi = rho_max;
  bool any = data.w11 > 0;
  if (data.w11 > 0) hi = std::min(hi, 1 - 1e-9);
  for (size_t p = 0; p < data.pairs.size(); ++p) {
    const PairStats& s = data.pairs[p];
    if (s.w00 > 0) hi = std::min(hi, (1 - 1e-9) / (lambda[p] * mu[p]));
    if (s.w01 > 0) lo = std::max(lo, -(1 - 1e-9) / lambda[p]);
    if (s.w10 > 0) lo = std::max(lo, -(1 - 1e-9) / mu[p]);
    any = any || s.w00 > 0 || s.w01 > 0 || s.w10 > 0;
  }
  if (!any || !(lo < hi)) return 0.0;
  thread_local std::vector<LowScorePair> low;  // A walk-forward fits rho every match day.
  low.clear();
  for (size_t p = 0; p < data.pairs.size(); ++p) {
    const PairStats& s = data.pairs[p];
    if (!(s.w00 > 0 || s.w01 > 0 || s.w10 > 0)) continue;
    low.push_back({s.w00, s.w01, s.w10, lambda[p], mu[p], lambda[p] * mu[p]});
  }
  double d1 = 0, d2 = 0;
  Derivatives(low, data.w11, lo, d1, d2);
  if (d1 <= 0) return lo;  // Decreasing on the whole interval.
  Derivatives(low, data.w11, hi, d1, d2);
  if (d1 >= 0) return hi;
  // Bracket [a, b] with f'(a) > 0 > f'(b); Newton from the midpoint, bisection when it leaves.
  double a = lo, b = hi, rho = 0.5 * (lo + hi);
  if (rho_min <= 0 && 0 <= rho_max && lo < 0 && 0 < hi) rho = 0;
  for (int it = 0; it < 200; ++it) {
    Derivatives(low, data.w11, rho, d1, d2);
    if (d1 > 0) {
      a = rho;
    } else {
      b = rho;
    }
    double next = d2 < 0 ? rho - d1 / d2 : 0.5 * (a + b);
    if (!(next > a && next < b)) next = 0.5 * (a + b);
    if (std::abs(next - rho) < 1e-12 || b - a < 1e-12) {
      rho = next;
      break;
    }
    rho = next;
  }
  return rho;
}

}  // namespace superbet::ratings::internal
