// Ordered logit mapping and forecast scores.
// Oracles: Fisher consistency — on "expected data" (each covariate value carrying the three
// outcomes weighted by their true probabilities) the maximum-likelihood fit returns the true
// parameters exactly; closed forms for the scores of the uniform and of a sure forecast.

#include "superbet/ratings/ordered_logit.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "superbet/ratings/forecast_scores.h"

namespace superbet::ratings {
namespace {

TEST_CASE("ordered logit recovers the true parameters from expected data") {
  const OrderedLogit truth{-1.1, 0.2, 1.7};
  std::vector<OrderedObservation> data;
  for (int i = -10; i <= 10; ++i) {
    const double x = i / 10.0;
    const OneXTwo p = OrderedLogitProbabilities(truth, x);
    data.push_back({x, 0, p.home});
    data.push_back({x, 1, p.draw});
    data.push_back({x, 2, p.away});
  }
  auto fit = FitOrderedLogit(data);
  REQUIRE(fit.ok());
  CHECK(fit->cut1 == Approx(truth.cut1).margin(1e-7));
  CHECK(fit->cut2 == Approx(truth.cut2).margin(1e-7));
  CHECK(fit->slope == Approx(truth.slope).margin(1e-7));
  const OneXTwo p = OrderedLogitProbabilities(truth, 0.3);
  CHECK(p.home + p.draw + p.away == Approx(1.0).epsilon(1e-15));
  CHECK(OrderedLogitProbabilities(truth, 1.0).home > OrderedLogitProbabilities(truth, 0.0).home);
  // Warm start from the answer: the same fit.
  auto warm = FitOrderedLogit(data, &truth);
  REQUIRE(warm.ok());
  CHECK(warm->slope == Approx(truth.slope).margin(1e-7));
}

TEST_CASE("ordered logit errors: empty, bad outcome, an outcome never seen") {
  CHECK(FitOrderedLogit({}).status().code() == absl::StatusCode::kInvalidArgument);
  std::vector<OrderedObservation> bad = {{0.1, 3, 1}};
  CHECK(FitOrderedLogit(bad).status().code() == absl::StatusCode::kInvalidArgument);
  std::vector<OrderedObservation> no_draw = {{0.1, 0, 1}, {-0.2, 2, 1}};
  CHECK(FitOrderedLogit(no_draw).status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("forecast scores: closed forms") {
  const OneXTwo uniform{1.0 / 3, 1.0 / 3, 1.0 / 3};
  for (int o = 0; o < 3; ++o) {
    CHECK(BrierScore(uniform, o) == Approx(2.0 / 3));
    CHECK(LogLoss(uniform, o) == Approx(std::log(3.0)));
  }
  // RPS of the uniform forecast: home (1/3-1)^2 + (2/3-1)^2 = 5/9 -> 5/18; draw (1/9 + 1/9)/2.
  CHECK(RankedProbabilityScore(uniform, 0) == Approx(5.0 / 18));
  CHECK(RankedProbabilityScore(uniform, 1) == Approx(1.0 / 9));
  CHECK(RankedProbabilityScore(uniform, 2) == Approx(5.0 / 18));
  const OneXTwo sure{1, 0, 0};
  CHECK(BrierScore(sure, 0) == 0);
  CHECK(BrierScore(sure, 2) == 2);
  CHECK(RankedProbabilityScore(sure, 2) == 1);  // (1-0)^2 + (1-0)^2, halved.
  CalibrationTable t;
  t.Add({0.55, 0.25, 0.20}, 0);
  t.Add({0.52, 0.28, 0.20}, 1);
  const std::vector<CalibrationBin> bins = t.Bins();
  CHECK(bins[5].count == 2);
  CHECK(bins[5].frequency == Approx(0.5));
  CHECK(bins[5].mean_probability == Approx(0.535));
  CHECK(bins[2].count == 4);
  CHECK(bins[2].frequency == Approx(0.25));
}

}  // namespace
}  // namespace superbet::ratings
