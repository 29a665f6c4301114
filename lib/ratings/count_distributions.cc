#include "superbet/ratings/count_distributions.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace superbet::ratings {

double BivariatePoissonLogPmf(int x, int y, double lambda1, double lambda2, double lambda3) {
  const double base = -(lambda1 + lambda2 + lambda3) + x * std::log(lambda1) -
                      std::lgamma(x + 1.0) + y * std::log(lambda2) - std::lgamma(y + 1.0);
  if (lambda3 <= 0) return base;
  // sum_k C(x,k) C(y,k) k! r^k, r = l3 / (l1 l2); term_{k+1} = term_k (x-k)(y-k) r / (k+1).
  const double r = lambda3 / (lambda1 * lambda2);
  double term = 1, sum = 1;
  for (int k = 0; k < std::min(x, y); ++k) {
    term *= static_cast<double>(x - k) * (y - k) * r / (k + 1);
    sum += term;
  }
  return base + std::log(sum);
}

absl::StatusOr<std::vector<double>> BivariatePoissonMatrix(double lambda1, double lambda2,
                                                           double lambda3, int max_goals) {
  if (!std::isfinite(lambda1) || !std::isfinite(lambda2) || !(lambda1 > 0) || !(lambda2 > 0) ||
      !std::isfinite(lambda3) || lambda3 < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("bivariate Poisson needs lambda1, lambda2 > 0 and lambda3 >= 0, finite, got ",
                     lambda1, ", ", lambda2, ", ", lambda3));
  }
  if (max_goals < 1 || max_goals > 30) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_goals must be in [1, 30], got ", max_goals));
  }
  const int n = max_goals + 1;
  std::vector<double> m(static_cast<size_t>(n) * n);
  for (int x = 0; x < n; ++x) {
    for (int y = 0; y < n; ++y) {
      m[x * n + y] = std::exp(BivariatePoissonLogPmf(x, y, lambda1, lambda2, lambda3));
    }
  }
  return m;
}

double NegativeBinomialLogPmf(int k, double mean, double alpha) {
  if (alpha <= 0) return k * std::log(mean) - mean - std::lgamma(k + 1.0);
  const double r = 1.0 / alpha;
  // ln Gamma(k + r) - ln Gamma(r) = sum_{j<k} ln(r + j): exact and cheap for goal counts.
  double log_rising = 0;
  for (int j = 0; j < k; ++j) log_rising += std::log(r + j);
  return log_rising - std::lgamma(k + 1.0) + r * std::log(r / (r + mean)) +
         k * std::log(mean / (r + mean));
}

}  // namespace superbet::ratings
