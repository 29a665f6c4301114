// ScoreGrid tests. Oracles: closed forms of two independent Poissons (rho = 0): the total goals
// are Poisson(lambda + mu); P(both score) = (1 - e^-lambda)(1 - e^-mu); P(x, y) =
// e^-lambda lambda^x / x! * e^-mu mu^y / y!. Quarter lines are checked against the bookmakers'
// rule (two half stakes on the neighbouring lines) written out by hand.
#include "superbet/ratings/score_grid.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "superbet/ratings/dixon_coles.h"

namespace superbet::ratings {
namespace {

constexpr double kLambda = 1.4, kMu = 1.1;
constexpr double kTol = 1e-9;  // 15 goals per side: the mass left out is < 1e-10.

double Pois(int k, double rate) { return std::exp(-rate) * std::pow(rate, k) / std::tgamma(k + 1); }
double TotalAtMost(int k) {
  double p = 0;
  for (int i = 0; i <= k; ++i) p += Pois(i, kLambda + kMu);
  return p;
}

ScoreGrid Independent() {
  auto g = ScoreGrid::FromRates(kLambda, kMu, 0.0, 15);
  REQUIRE(g.ok());
  return *g;
}

TEST_CASE("exact score and 1X2 of the independent grid are the Poisson closed form") {
  const ScoreGrid g = Independent();
  CHECK(g.ExactScore(2, 1) == Approx(Pois(2, kLambda) * Pois(1, kMu)).margin(kTol));
  CHECK(g.ExactScore(0, 0) == Approx(std::exp(-kLambda - kMu)).margin(kTol));
  CHECK(g.ExactScore(16, 0) == 0.0);
  CHECK(g.ExactScore(-1, 0) == 0.0);
  const OneXTwo p = g.OneXTwoProbabilities();
  CHECK(p.home + p.draw + p.away == Approx(1.0).margin(1e-12));
  double draw = 0;
  for (int k = 0; k <= 15; ++k) draw += Pois(k, kLambda) * Pois(k, kMu);
  CHECK(p.draw == Approx(draw).margin(kTol));
}

TEST_CASE("over/under: half, whole and quarter lines settle as bookmakers settle them") {
  const ScoreGrid g = Independent();
  auto half = g.Over(2.5);
  REQUIRE(half.ok());
  CHECK(half->win == Approx(1 - TotalAtMost(2)).margin(kTol));
  CHECK(half->push == 0.0);
  CHECK(half->loss == Approx(TotalAtMost(2)).margin(kTol));

  auto whole = g.Over(3.0);  // Exactly 3 goals returns the stake.
  REQUIRE(whole.ok());
  CHECK(whole->win == Approx(1 - TotalAtMost(3)).margin(kTol));
  CHECK(whole->push == Approx(Pois(3, kLambda + kMu)).margin(kTol));
  CHECK(whole->loss == Approx(TotalAtMost(2)).margin(kTol));

  // Over 2.25 = half on over 2, half on over 2.5: 2 goals lose half and push half.
  auto quarter = g.Over(2.25);
  REQUIRE(quarter.ok());
  CHECK(quarter->win == Approx(1 - TotalAtMost(2)).margin(kTol));
  CHECK(quarter->push == Approx(0.5 * Pois(2, kLambda + kMu)).margin(kTol));
  CHECK(quarter->loss == Approx(TotalAtMost(1) + 0.5 * Pois(2, kLambda + kMu)).margin(kTol));
  CHECK(quarter->win + quarter->push + quarter->loss == Approx(1.0).margin(1e-12));

  auto zero = g.Over(0.0);
  REQUIRE(zero.ok());
  CHECK(zero->push == Approx(std::exp(-kLambda - kMu)).margin(kTol));
}

TEST_CASE("both teams to score is (1 - e^-lambda)(1 - e^-mu)") {
  CHECK(Independent().BothTeamsToScore() ==
        Approx((1 - std::exp(-kLambda)) * (1 - std::exp(-kMu))).margin(kTol));
}

TEST_CASE("Asian handicap: 0 is draw-no-bet, -0.25 splits, -1 pushes on a one-goal win") {
  const ScoreGrid g = Independent();
  const OneXTwo p = g.OneXTwoProbabilities();
  auto dnb = g.AsianHandicapHome(0.0);
  REQUIRE(dnb.ok());
  CHECK(dnb->win == Approx(p.home).margin(kTol));
  CHECK(dnb->push == Approx(p.draw).margin(kTol));
  CHECK(dnb->loss == Approx(p.away).margin(kTol));

  auto q = g.AsianHandicapHome(-0.25);  // Half on 0, half on -0.5: a draw loses half.
  REQUIRE(q.ok());
  CHECK(q->win == Approx(p.home).margin(kTol));
  CHECK(q->push == Approx(0.5 * p.draw).margin(kTol));
  CHECK(q->loss == Approx(p.away + 0.5 * p.draw).margin(kTol));

  auto plus_half = g.AsianHandicapHome(0.5);  // Home or draw wins.
  REQUIRE(plus_half.ok());
  CHECK(plus_half->win == Approx(p.home + p.draw).margin(kTol));

  double by_one = 0, by_two_plus = 0;
  for (int x = 0; x <= 15; ++x) {
    for (int y = 0; y <= 15; ++y) {
      const double pxy = Pois(x, kLambda) * Pois(y, kMu);
      if (x - y == 1) by_one += pxy;
      if (x - y >= 2) by_two_plus += pxy;
    }
  }
  auto minus_one = g.AsianHandicapHome(-1.0);
  REQUIRE(minus_one.ok());
  CHECK(minus_one->win == Approx(by_two_plus).margin(kTol));
  CHECK(minus_one->push == Approx(by_one).margin(kTol));
}

TEST_CASE("lines that are not multiples of 0.25 are rejected, naming the value") {
  const ScoreGrid g = Independent();
  auto bad = g.Over(2.3);
  REQUIRE(absl::IsInvalidArgument(bad.status()));
  CHECK(bad.status().message() == "over/under line must be a multiple of 0.25 in [0, 30], got 2.3");
  CHECK(absl::IsInvalidArgument(g.Over(-0.5).status()));
  CHECK(absl::IsInvalidArgument(g.AsianHandicapHome(std::nan("")).status()));
  CHECK(absl::IsInvalidArgument(g.AsianHandicapHome(10.25).status()));
  CHECK(absl::IsInvalidArgument(
      g.AsianHandicapHome(std::numeric_limits<double>::infinity()).status()));
}

TEST_CASE("the Dixon-Coles grid keeps the tau-corrected low scores") {
  // rho = -0.1 raises 0-0 and 1-1 and lowers 1-0 and 0-1 against the independent grid
  // (Dixon & Coles 1997, eq. 4.2); the grid's 1X2 equals OutcomesFromRates on the same rates.
  auto dc = ScoreGrid::FromRates(kLambda, kMu, -0.1, 15);
  REQUIRE(dc.ok());
  const ScoreGrid ind = Independent();
  CHECK(dc->ExactScore(0, 0) > ind.ExactScore(0, 0));
  CHECK(dc->ExactScore(1, 1) > ind.ExactScore(1, 1));
  CHECK(dc->ExactScore(1, 0) < ind.ExactScore(1, 0));
  auto o = OutcomesFromRates(kLambda, kMu, -0.1, 15);
  REQUIRE(o.ok());
  CHECK(dc->OneXTwoProbabilities().draw == Approx(o->draw).margin(1e-12));
  auto over = dc->Over(2.5);
  REQUIRE(over.ok());
  CHECK(over->win == Approx(o->over_2_5).margin(1e-12));
  CHECK(absl::IsInvalidArgument(ScoreGrid::FromRates(0.0, 1.0, 0.0).status()));
}

}  // namespace
}  // namespace superbet::ratings
