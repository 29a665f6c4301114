// Bivariate Poisson and negative binomial pmfs.
// Oracles (closed forms): the bivariate Poisson's marginals are Poisson(l1 + l3) and
// Poisson(l2 + l3), P(0, 0) = e^-(l1+l2+l3), its covariance is l3, and with l3 = 0 it is the
// product of two Poissons (Karlis & Ntzoufras 2003 §2); the negative binomial with alpha = 1
// (r = 1) is the geometric distribution P(k) = (1/(1+m)) (m/(1+m))^k, and alpha -> 0 gives the
// Poisson.

#include "superbet/ratings/count_distributions.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "superbet/ratings/score_grid.h"

namespace superbet::ratings {
namespace {

double Poisson(int k, double m) { return std::exp(k * std::log(m) - m - std::lgamma(k + 1.0)); }

TEST_CASE("bivariate Poisson: marginals, P(0,0), covariance and independence (closed forms)") {
  const double l1 = 1.1, l2 = 0.8, l3 = 0.25;
  auto m = BivariatePoissonMatrix(l1, l2, l3, 25);
  REQUIRE(m.ok());
  const int n = 26;
  double total = 0, ex = 0, ey = 0, exy = 0;
  for (int x = 0; x < n; ++x) {
    double row = 0;
    for (int y = 0; y < n; ++y) {
      const double p = (*m)[x * n + y];
      row += p;
      total += p;
      ex += x * p;
      ey += y * p;
      exy += x * y * p;
    }
    if (x <= 8) CHECK(row == Approx(Poisson(x, l1 + l3)).epsilon(1e-10));
  }
  CHECK(total == Approx(1.0).epsilon(1e-12));
  CHECK((*m)[0] == Approx(std::exp(-(l1 + l2 + l3))).epsilon(1e-12));
  CHECK(exy - ex * ey == Approx(l3).epsilon(1e-9));
  for (int x = 0; x < 6; ++x) {
    for (int y = 0; y < 6; ++y) {
      CHECK(std::exp(BivariatePoissonLogPmf(x, y, l1, l2, 0.0)) ==
            Approx(Poisson(x, l1) * Poisson(y, l2)).epsilon(1e-12));
    }
  }
  CHECK(BivariatePoissonMatrix(0.0, 1.0, 0.1, 10).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(BivariatePoissonMatrix(1.0, 1.0, -0.1, 10).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("negative binomial: geometric at alpha = 1, Poisson as alpha -> 0, sums to 1") {
  const double mean = 1.4;
  for (int k = 0; k < 10; ++k) {
    const double geometric = (1 / (1 + mean)) * std::pow(mean / (1 + mean), k);
    CHECK(std::exp(NegativeBinomialLogPmf(k, mean, 1.0)) == Approx(geometric).epsilon(1e-12));
    CHECK(std::exp(NegativeBinomialLogPmf(k, mean, 1e-9)) ==
          Approx(Poisson(k, mean)).epsilon(1e-6));
    CHECK(NegativeBinomialLogPmf(k, mean, 0.0) == Approx(std::log(Poisson(k, mean))));
  }
  double total = 0, var = 0;
  for (int k = 0; k < 200; ++k) {
    const double p = std::exp(NegativeBinomialLogPmf(k, mean, 0.3));
    total += p;
    var += (k - mean) * (k - mean) * p;
  }
  CHECK(total == Approx(1.0).epsilon(1e-10));
  CHECK(var == Approx(mean + 0.3 * mean * mean).epsilon(1e-8));  // NB2 variance.
}

TEST_CASE("ScoreGrid::FromMatrix renormalises and rejects bad cells") {
  std::vector<double> p(4, 0.5);  // max_goals 1: four equal cells.
  auto g = ScoreGrid::FromMatrix(p, 1);
  REQUIRE(g.ok());
  CHECK(g->ExactScore(1, 0) == Approx(0.25));
  CHECK(g->lambda() == Approx(0.5));
  p[2] = -1;
  auto bad = ScoreGrid::FromMatrix(p, 1);
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("1-0") != absl::string_view::npos);
  CHECK(ScoreGrid::FromMatrix({1, 2, 3}, 1).status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace superbet::ratings
