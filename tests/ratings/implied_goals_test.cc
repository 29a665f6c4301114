// Market-implied expected goals (implied_goals.h).
// Oracles:
//  * closed form: P(over 2.5) of Poisson(T) is 1 - exp(-T) (1 + T + T^2 / 2), so
//    ImpliedTotalGoals must return T for that probability;
//  * round trip through an independent brute-force grid: for known (lambda, mu), the test sums
//    the two Poisson pmfs (its own lgamma-based pmf, 60 goals a side) into P(home) - P(away) and
//    P(total >= 3); ImpliedPoissonMeans of those must give back (lambda, mu);
//  * brute force on real prices: for every Pinnacle closing 1X2 and over/under 2.5 price of
//    E0 2023/24 (../shared/data/football-data/E0_2324.csv, margin removed multiplicatively in the
//    test), a scan of the home share (steps of 0.01, then 1e-4) at the closed-form total finds its
//    best fit within one step of the solver's, and the solver's means reproduce both probabilities.

#include "superbet/ratings/implied_goals.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "support/test_data.h"

namespace superbet::ratings {
namespace {

double Pmf(int k, double m) { return std::exp(k * std::log(m) - m - std::lgamma(k + 1.0)); }

struct GridProbabilities {
  double home_minus_away = 0;
  double over_2_5 = 0;
};

GridProbabilities BruteForce(double lambda, double mu) {
  GridProbabilities g;
  double under = 0;
  std::vector<double> px(61), py(61);
  for (int k = 0; k <= 60; ++k) px[k] = Pmf(k, lambda), py[k] = Pmf(k, mu);
  for (int x = 0; x <= 60; ++x) {
    for (int y = 0; y <= 60; ++y) {
      const double p = px[x] * py[y];
      if (x > y) g.home_minus_away += p;
      if (x < y) g.home_minus_away -= p;
      if (x + y <= 2) under += p;
    }
  }
  g.over_2_5 = 1 - under;
  return g;
}

TEST_CASE("implied total goals inverts the closed-form P(over 2.5) of a Poisson total") {
  for (double t : {0.4, 1.0, 2.0, 2.6, 2.75, 3.1, 4.5, 7.0}) {
    const double p = 1 - std::exp(-t) * (1 + t + t * t / 2);
    auto got = ImpliedTotalGoals(p);
    REQUIRE(got.ok());
    CHECK(*got == Approx(t).epsilon(1e-11));
  }
}

TEST_CASE("implied Poisson means round-trip through an independent brute-force grid") {
  for (double lambda : {0.3, 0.9, 1.5, 2.2, 3.4}) {
    for (double mu : {0.25, 0.8, 1.3, 2.0, 3.0}) {
      INFO(lambda << " " << mu);
      const GridProbabilities g = BruteForce(lambda, mu);
      CHECK(PoissonHomeMinusAway(lambda, mu) == Approx(g.home_minus_away).margin(1e-13));
      auto got = ImpliedPoissonMeans(g.home_minus_away, g.over_2_5);
      REQUIRE(got.ok());
      CHECK(got->home == Approx(lambda).epsilon(1e-9));
      CHECK(got->away == Approx(mu).epsilon(1e-9));
    }
  }
}

TEST_CASE("implied Poisson means errors name the value") {
  for (double bad : {0.0, 1.0, -0.2, 1.5, std::nan("")}) {
    auto got = ImpliedPoissonMeans(0.1, bad);
    CHECK(got.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(got.status().message()), Catch::Contains("P(over 2.5)"));
  }
  CHECK(ImpliedPoissonMeans(std::nan(""), 0.5).status().code() ==
        absl::StatusCode::kInvalidArgument);
  // At P(over 2.5) = 0.05 the total is about 0.8 goals: P(total > 0) is about 0.56, so a
  // P(home) - P(away) of 0.9 is out of reach of any pair of Poisson means.
  auto far = ImpliedPoissonMeans(0.9, 0.05);
  CHECK(far.status().code() == absl::StatusCode::kOutOfRange);
  CHECK_THAT(std::string(far.status().message()), Catch::Contains("0.9"));
}

TEST_CASE("implied Poisson means of every Pinnacle close of E0 2023/24 match a brute-force scan") {
  const std::string text =
      superbet::testing::ReadFileOrEmpty(superbet::testing::DataPath("football-data/E0_2324.csv"));
  REQUIRE(!text.empty());
  std::map<std::string, int> col;
  bool header = true;
  int rows = 0;
  for (absl::string_view line : absl::StrSplit(text, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (header) {
      for (size_t i = 0; i < f.size(); ++i) col[f[i]] = static_cast<int>(i);
      header = false;
      for (const char* c : {"PSCH", "PSCD", "PSCA", "PC>2.5", "PC<2.5"}) REQUIRE(col.count(c));
      continue;
    }
    double h, d, a, o, u;
    if (!absl::SimpleAtod(f[col["PSCH"]], &h) || !absl::SimpleAtod(f[col["PSCD"]], &d) ||
        !absl::SimpleAtod(f[col["PSCA"]], &a) || !absl::SimpleAtod(f[col["PC>2.5"]], &o) ||
        !absl::SimpleAtod(f[col["PC<2.5"]], &u)) {
      continue;
    }
    const double s3 = 1 / h + 1 / d + 1 / a, s2 = 1 / o + 1 / u;
    const double hma = (1 / h - 1 / a) / s3, over = (1 / o) / s2;
    auto got = ImpliedPoissonMeans(hma, over);
    REQUIRE(got.ok());
    const GridProbabilities g = BruteForce(got->home, got->away);
    CHECK(g.home_minus_away == Approx(hma).margin(1e-11));
    CHECK(g.over_2_5 == Approx(over).margin(1e-11));
    if (rows % 4 == 0) {  // The scan on every fourth match keeps the test fast.
      const double t = got->home + got->away;
      auto err = [&](double share) {
        return std::fabs(BruteForce(share * t, (1 - share) * t).home_minus_away - hma);
      };
      double coarse = 0, best = 0, best_err = 1e9;
      for (int k = 1; k < 100; ++k) {  // Steps of 0.01, then 1e-4 around the best.
        if (err(k * 1e-2) < best_err) best_err = err(k * 1e-2), coarse = k * 1e-2;
      }
      best_err = 1e9;
      for (int k = -100; k <= 100; ++k) {
        const double share = coarse + k * 1e-4;
        if (share > 0 && share < 1 && err(share) < best_err) best_err = err(share), best = share;
      }
      CHECK(std::fabs(best - got->home / t) <= 1e-4);
    }
    ++rows;
  }
  CHECK(rows == 373);  // 7 of the 380 rows have no Pinnacle closing over/under price.
}

}  // namespace
}  // namespace superbet::ratings
