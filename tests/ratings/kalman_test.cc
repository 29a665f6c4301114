// Kalman measurement updates (kalman.h).
// Oracles:
//  * closed form, batch posterior: with no process noise, sequential scalar updates of a
//    Gaussian prior N(m0, P0) by observations z_k = H_k x + e_k, var r_k, must end at the batch
//    posterior P = (P0^-1 + sum H_k' H_k / r_k)^-1, m = P (P0^-1 m0 + sum H_k' z_k / r_k), which
//    the test computes by its own Gauss-Jordan inversion (the normal equations of the
//    generalised ridge regression the filter solves recursively);
//  * closed form, one Newton step: a scalar state N(m, p) updated by a Poisson count y through
//    Fahrmeir (1992)'s working observation must land at one Newton step of the log posterior
//    from m: m + (y - e^m) / (1 / p + e^m), with posterior variance 1 / (1 / p + e^m).

#include "superbet/ratings/kalman.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

namespace superbet::ratings {
namespace {

using Matrix = std::vector<std::vector<double>>;

Matrix Inverse(Matrix a) {
  const size_t n = a.size();
  Matrix inv(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) inv[i][i] = 1;
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < n; ++r) {
      if (std::fabs(a[r][col]) > std::fabs(a[pivot][col])) pivot = r;
    }
    std::swap(a[col], a[pivot]);
    std::swap(inv[col], inv[pivot]);
    const double d = a[col][col];
    for (size_t j = 0; j < n; ++j) a[col][j] /= d, inv[col][j] /= d;
    for (size_t r = 0; r < n; ++r) {
      if (r == col) continue;
      const double f = a[r][col];
      for (size_t j = 0; j < n; ++j) a[r][j] -= f * a[col][j], inv[r][j] -= f * inv[col][j];
    }
  }
  return inv;
}

struct Observation {
  std::vector<SparseTerm> h;
  double z, r;
};

TEST_CASE("sequential Kalman updates reach the batch Gaussian posterior") {
  const int n = 6;  // [c, h, a0, d0, a1, d1]-like: a small strength state.
  GaussianState s;
  s.mean = {0.1, 0.3, -0.2, 0.05, 0.15, -0.1};
  s.covariance.assign(n * n, 0.0);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j)
      s.covariance[i * n + j] = (i == j ? 0.5 : 0.0) + 0.02 * (i + j == 5);
  }
  const GaussianState prior = s;
  std::vector<Observation> obs;
  for (int k = 0; k < 12; ++k) {
    const int i = 2 + (k % 2) * 2, j = 5 - (k % 2) * 2;  // Alternate which side is at home.
    obs.push_back({{{0, 1.0}, {1, k % 3 == 0 ? 1.0 : 0.0}, {i, 1.0}, {j, 1.0}},
                   0.2 + 0.03 * k - 0.01 * (k % 4),
                   0.01 + 0.002 * k});
  }
  for (const Observation& o : obs) REQUIRE(KalmanUpdate(s, o.h, o.z, o.r).ok());

  Matrix p0(n, std::vector<double>(n));
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) p0[i][j] = prior.covariance[i * n + j];
  }
  Matrix precision = Inverse(p0);
  std::vector<double> rhs(n, 0.0);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) rhs[i] += precision[i][j] * prior.mean[j];
  }
  for (const Observation& o : obs) {
    for (const auto& [i, ci] : o.h) {
      rhs[i] += ci * o.z / o.r;
      for (const auto& [j, cj] : o.h) precision[i][j] += ci * cj / o.r;
    }
  }
  const Matrix post = Inverse(precision);
  for (int i = 0; i < n; ++i) {
    double m = 0;
    for (int j = 0; j < n; ++j) m += post[i][j] * rhs[j];
    CHECK(s.mean[i] == Approx(m).margin(1e-10));
    for (int j = 0; j < n; ++j) {
      CHECK(s.covariance[i * n + j] == Approx(post[i][j]).margin(1e-10));
      CHECK(s.covariance[i * n + j] == s.covariance[j * n + i]);
    }
  }
}

TEST_CASE("a Poisson count through the working observation is one Newton step") {
  for (auto [m, p, y] : {std::tuple{0.2, 0.3, 0.0}, {0.2, 0.3, 3.0}, {-0.5, 0.05, 1.0}}) {
    GaussianState s{{m}, {p}};
    const auto [z, r] = PoissonWorkingObservation(m, y);
    CHECK(z == Approx(m + (y - std::exp(m)) / std::exp(m)));
    CHECK(r == Approx(std::exp(-m)));
    REQUIRE(KalmanUpdate(s, std::vector<SparseTerm>{{0, 1.0}}, z, r).ok());
    CHECK(s.mean[0] == Approx(m + (y - std::exp(m)) / (1 / p + std::exp(m))).epsilon(1e-12));
    CHECK(s.covariance[0] == Approx(1 / (1 / p + std::exp(m))).epsilon(1e-12));
  }
}

TEST_CASE("Kalman update rejects bad input and leaves the state unchanged") {
  GaussianState s{{0.0, 1.0}, {1.0, 0.0, 0.0, 1.0}};
  const GaussianState before = s;
  auto st = KalmanUpdate(s, std::vector<SparseTerm>{{2, 1.0}}, 0.5, 0.1);
  CHECK(st.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(st.message()), Catch::Contains("index 2"));
  st = KalmanUpdate(s, std::vector<SparseTerm>{{0, 1.0}}, 0.5, 0.0);
  CHECK(st.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(st.message()), Catch::Contains("got 0"));
  st = KalmanUpdate(s, std::vector<SparseTerm>{{0, 1.0}}, std::nan(""), 0.1);
  CHECK(st.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.mean == before.mean);
  CHECK(s.covariance == before.covariance);
  GaussianState bad{{0.0, 1.0}, {1.0}};
  CHECK(KalmanUpdate(bad, std::vector<SparseTerm>{{0, 1.0}}, 0.5, 0.1).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ResetComponent decouples a state and process noise widens it") {
  GaussianState s{{0.0, 1.0}, {1.0, 0.4, 0.4, 2.0}};
  ResetComponent(s, 1, -0.3, 0.09);
  CHECK(s.mean[1] == -0.3);
  CHECK(s.covariance == std::vector<double>{1.0, 0.0, 0.0, 0.09});
  AddProcessNoise(s, std::vector<int>{0, 1}, 0.01);
  CHECK(s.covariance[0] == Approx(1.01));
  CHECK(s.covariance[3] == Approx(0.1));
}

}  // namespace
}  // namespace superbet::ratings
