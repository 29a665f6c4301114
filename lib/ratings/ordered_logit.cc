#include "superbet/ratings/ordered_logit.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace superbet::ratings {
namespace {

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// Log-likelihood, gradient and negative Hessian in (cut1, cut2, slope).
double Evaluate(absl::Span<const OrderedObservation> data, const OrderedLogit& m, double g[3],
                double H[3][3]) {
  if (!(m.cut1 < m.cut2)) return -std::numeric_limits<double>::infinity();
  double ll = 0;
  if (g != nullptr) {
    for (int i = 0; i < 3; ++i) {
      g[i] = 0;
      for (int j = 0; j < 3; ++j) H[i][j] = 0;
    }
  }
  for (const OrderedObservation& o : data) {
    if (o.weight <= 0) continue;
    const double f1 = Sigmoid(m.cut1 - m.slope * o.x), f2 = Sigmoid(m.cut2 - m.slope * o.x);
    // With y the 1X2 outcome: away (2) = F1, draw (1) = F2 - F1, home (0) = 1 - F2.
    // d F / d z = F (1 - F); p = F_u - F_l with u, l the upper/lower cut (absent = +/-inf).
    double p, du1 = 0, du2 = 0, dd1 = 0, dd2 = 0;  // dp/dcut1, dp/dcut2, second derivatives.
    const double q1 = f1 * (1 - f1), q2 = f2 * (1 - f2);
    if (o.outcome == 2) {
      p = f1;
      du1 = q1;
      dd1 = q1 * (1 - 2 * f1);
    } else if (o.outcome == 1) {
      p = f2 - f1;
      du1 = -q1;
      du2 = q2;
      dd1 = -q1 * (1 - 2 * f1);
      dd2 = q2 * (1 - 2 * f2);
    } else {
      p = 1 - f2;
      du2 = -q2;
      dd2 = -q2 * (1 - 2 * f2);
    }
    if (!(p > 0)) return -std::numeric_limits<double>::infinity();
    ll += o.weight * std::log(p);
    if (g == nullptr) continue;
    // z_k = cut_k - slope x: dp/dslope = -x (du1 + du2).
    const double d[3] = {du1, du2, -o.x * (du1 + du2)};
    // Second derivatives of p: cut1 only touches F1, cut2 only F2.
    const double s11 = dd1, s22 = dd2, s12 = 0;
    const double s13 = -o.x * dd1, s23 = -o.x * dd2, s33 = o.x * o.x * (dd1 + dd2);
    const double S[3][3] = {{s11, s12, s13}, {s12, s22, s23}, {s13, s23, s33}};
    for (int i = 0; i < 3; ++i) {
      g[i] += o.weight * d[i] / p;
      for (int j = 0; j < 3; ++j) {
        // -(d2 log p) = (d_i d_j) / p^2 - S_ij / p.
        H[i][j] += o.weight * (d[i] * d[j] / (p * p) - S[i][j] / p);
      }
    }
  }
  return ll;
}

bool Solve3(double A[3][3], double b[3], double x[3]) {
  const double det = A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1]) -
                     A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0]) +
                     A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]);
  if (!(std::abs(det) > 0) || !std::isfinite(det)) return false;
  for (int c = 0; c < 3; ++c) {
    double M[3][3];
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) M[i][j] = j == c ? b[i] : A[i][j];
    }
    x[c] = (M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
            M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
            M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0])) /
           det;
  }
  return true;
}

}  // namespace

OneXTwo OrderedLogitProbabilities(const OrderedLogit& model, double x) {
  const double f1 = Sigmoid(model.cut1 - model.slope * x);
  const double f2 = Sigmoid(model.cut2 - model.slope * x);
  return {1 - f2, f2 - f1, f1};
}

absl::StatusOr<OrderedLogit> FitOrderedLogit(absl::Span<const OrderedObservation> data,
                                             const OrderedLogit* start, int max_iterations,
                                             double tolerance) {
  if (data.empty()) return absl::InvalidArgumentError("ordered logit needs observations, got 0");
  double total[3] = {0, 0, 0};
  for (size_t k = 0; k < data.size(); ++k) {
    const OrderedObservation& o = data[k];
    if (o.outcome < 0 || o.outcome > 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("observation ", k, ": outcome must be 0, 1 or 2, got ", o.outcome));
    }
    if (!(o.weight >= 0) || !std::isfinite(o.weight) || !std::isfinite(o.x)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "observation ", k, ": weight must be finite and >= 0 and x finite, got weight ", o.weight,
          ", x ", o.x));
    }
    total[o.outcome] += o.weight;
  }
  if (!(total[0] > 0) || !(total[1] > 0) || !(total[2] > 0)) {
    return absl::FailedPreconditionError(
        absl::StrCat("ordered logit: every outcome needs weight > 0 (home, draw, away: ", total[0],
                     ", ", total[1], ", ", total[2], ")"));
  }
  OrderedLogit m;
  if (start != nullptr && start->cut1 < start->cut2) {
    m = *start;
  } else {
    const double all = total[0] + total[1] + total[2];
    m.cut1 = std::log(total[2] / (all - total[2]));
    m.cut2 = std::log((total[2] + total[1]) / total[0]);
    m.slope = 0;
  }
  double g[3], H[3][3];
  double ll = Evaluate(data, m, g, H);
  for (int it = 0; it < max_iterations; ++it) {
    double step[3];
    if (!Solve3(H, g, step)) {
      return absl::FailedPreconditionError("ordered logit: singular information matrix");
    }
    double scale = 1;
    OrderedLogit next = m;
    double next_ll = ll;
    for (int k = 0; k < 40; ++k) {
      next = {m.cut1 + scale * step[0], m.cut2 + scale * step[1], m.slope + scale * step[2]};
      next_ll = Evaluate(data, next, nullptr, nullptr);
      if (next_ll >= ll) break;
      scale *= 0.5;
    }
    const double moved = std::max({std::abs(next.cut1 - m.cut1), std::abs(next.cut2 - m.cut2),
                                   std::abs(next.slope - m.slope)});
    m = next;
    ll = Evaluate(data, m, g, H);
    if (moved < tolerance) return m;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("ordered logit did not converge in ", max_iterations, " Newton iterations"));
}

}  // namespace superbet::ratings
