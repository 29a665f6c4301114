// Logarithmic opinion pool and its walk-forward weight fit (backtest/opinion_pool.h).
//
// Oracles:
//  * LogOpinionPool: a hand computation. m = (0.5, 0.3, 0.2), d = (0.6, 0.2, 0.2), w = 0.5:
//    sqrt(m d) = (0.5477226, 0.2449490, 0.2), sum 0.9926716 ->
//    p = (0.5517638, 0.2467599, 0.2014763) (python3: [math.sqrt(a*b)/s for ...]);
//  * FitLogPoolWeight: L(w) is concave (header), so an interior maximiser has L(w) >= L(w +- h)
//    and a central-difference derivative ~ 0; a model that always puts 0.9 on the result wins
//    against a uniform market (w = w_max) and one that always puts 0.05 on it loses (w = w_min);
//  * the walk-forward guard: a forecast kicking off at the decision time is refused.

#include "superbet/backtest/opinion_pool.h"

#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

namespace superbet::backtest {
namespace {

absl::Time Day(int d) { return absl::FromUnixSeconds(1700000000) + absl::Hours(24) * d; }

// Deterministic forecasts in which the model is informative but noisy: the outcome cycles, the
// market is mildly right, the model is sharply right two times in three and wrong otherwise.
std::vector<PoolForecast> Mixed(int n) {
  std::vector<PoolForecast> out;
  for (int k = 0; k < n; ++k) {
    PoolForecast f;
    f.kickoff = Day(k);
    f.outcome = k % 3;
    f.market = {0.3, 0.3, 0.3};
    f.market[f.outcome] = 0.4;
    f.model = {0.25, 0.25, 0.25};
    f.model[(k / 3) % 3 != 2 ? f.outcome : (f.outcome + 1) % 3] = 0.5;
    out.push_back(f);
  }
  return out;
}

TEST_CASE("log opinion pool matches the hand computation and its end points") {
  const std::array<double, 3> m = {0.5, 0.3, 0.2}, d = {0.6, 0.2, 0.2};
  auto p = LogOpinionPool(m, d, 0.5);
  REQUIRE(p.ok());
  CHECK((*p)[0] == Approx(0.5517638).margin(1e-7));
  CHECK((*p)[1] == Approx(0.2467599).margin(1e-7));
  CHECK((*p)[2] == Approx(0.2014763).margin(1e-7));
  auto p0 = LogOpinionPool(m, d, 0.0), p1 = LogOpinionPool(m, d, 1.0);
  REQUIRE(p0.ok());
  REQUIRE(p1.ok());
  for (int i = 0; i < 3; ++i) {
    CHECK((*p0)[i] == Approx(m[i]).margin(1e-15));
    CHECK((*p1)[i] == Approx(d[i]).margin(1e-15));
  }
  CHECK(LogOpinionPool({0.5, 0.5, 0.0}, d, 0.5).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(!LogOpinionPool(m, d, std::nan("")).ok());
}

TEST_CASE("pool weight fit maximises the likelihood") {
  const std::vector<PoolForecast> data = Mixed(600);
  auto w = FitLogPoolWeight(data, Day(600));
  REQUIRE(w.ok());
  REQUIRE(*w > 0.01);
  REQUIRE(*w < 0.99);
  const double h = 1e-4;
  auto l = PoolLogLikelihood(data, *w), lo = PoolLogLikelihood(data, *w - h),
       hi = PoolLogLikelihood(data, *w + h);
  REQUIRE(l.ok());
  CHECK(*l >= *lo);
  CHECK(*l >= *hi);
  CHECK((*hi - *lo) / (2 * h) == Approx(0).margin(1e-4));
}

TEST_CASE("pool weight fit goes to the bounds for a perfect and a useless model") {
  std::vector<PoolForecast> good = Mixed(30), bad = Mixed(30);
  for (PoolForecast& f : good) {
    f.model = {0.05, 0.05, 0.05};
    f.model[f.outcome] = 0.9;
  }
  for (PoolForecast& f : bad) {
    f.model = {0.475, 0.475, 0.475};
    f.model[f.outcome] = 0.05;
  }
  CHECK(*FitLogPoolWeight(good, Day(30)) == 1.0);
  CHECK(*FitLogPoolWeight(bad, Day(30)) == 0.0);
  PoolFitOptions wide;
  wide.w_max = 3.0;
  auto w = FitLogPoolWeight(good, Day(30), wide);
  REQUIRE(w.ok());
  CHECK(*w == 3.0);  // Sharper still only helps a model that is always right.
}

TEST_CASE("pool weight fit refuses look-ahead and bad input") {
  std::vector<PoolForecast> data = Mixed(10);
  CHECK(FitLogPoolWeight(data, Day(10)).ok());
  auto s = FitLogPoolWeight(data, Day(9));  // Forecast 9 kicks off at the decision time.
  CHECK(s.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.status().message().find("look-ahead") != absl::string_view::npos);
  CHECK(!FitLogPoolWeight(std::vector<PoolForecast>{}, Day(0)).ok());
  data[3].outcome = 3;
  CHECK(FitLogPoolWeight(data, Day(10)).status().code() == absl::StatusCode::kInvalidArgument);
  data[3].outcome = 0;
  data[4].model[1] = 0;
  CHECK(FitLogPoolWeight(data, Day(10)).status().code() == absl::StatusCode::kInvalidArgument);
  PoolFitOptions bad;
  bad.w_min = 1;
  bad.w_max = 0;
  CHECK(!FitLogPoolWeight(Mixed(10), Day(10), bad).ok());
}

TEST_CASE("pool weight on converted forecasts: the same maximiser from any start") {
  // Oracle: the fit on the unconverted forecasts (the maximiser of a strictly concave function
  // is unique, so the start only changes the iteration count) and the w = 0 / w = 1 shortcuts
  // agree with the general path.
  const std::vector<PoolForecast> data = Mixed(40);
  std::vector<LogPoolForecast> logs;
  for (const PoolForecast& f : data) {
    auto l = ToLogForecast(f);
    REQUIRE(l.ok());
    logs.push_back(*l);
  }
  auto reference = FitLogPoolWeight(data, Day(40));
  REQUIRE(reference.ok());
  for (double start : {-1.0, 0.01, 0.5, 0.99}) {
    PoolFitOptions o;
    o.start = start;
    auto w = FitLogPoolWeightOnLogs(logs, Day(40), o);
    REQUIRE(w.ok());
    CHECK(*w == Approx(*reference).margin(1e-9));
  }
  PoolForecast bad = data[0];
  bad.market[0] = 1.5;
  CHECK(ToLogForecast(bad).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("the cached end terms are L'(0), L'(1) and the variances of the pools there") {
  // Oracle: central differences of PoolLogLikelihood (the general path, with exp) at w = 0 and
  // w = 1 for L'; for -L'' the variance of delta under the market / model probabilities computed
  // here from the forecast's own numbers (Var = E[x^2] - E[x]^2, header file comment).
  const std::vector<PoolForecast> data = Mixed(60);
  double slope0 = 0, slope1 = 0;
  for (const PoolForecast& f : data) {
    auto l = ToLogForecast(f);
    REQUIRE(l.ok());
    slope0 += l->slope_at_market;
    slope1 += l->slope_at_model;
    for (int end = 0; end < 2; ++end) {
      const std::array<double, 3>& raw = end == 0 ? f.market : f.model;
      const double sum = raw[0] + raw[1] + raw[2];
      double mean = 0, second = 0;
      for (int i = 0; i < 3; ++i) {
        const double delta = std::log(f.model[i]) - std::log(f.market[i]);
        mean += raw[i] / sum * delta;
        second += raw[i] / sum * delta * delta;
      }
      CHECK((end == 0 ? l->variance_at_market : l->variance_at_model) ==
            Approx(second - mean * mean).margin(1e-12));
    }
  }
  const double h = 1e-5;
  for (double w : {0.0, 1.0}) {
    auto lo = PoolLogLikelihood(data, w - h), hi = PoolLogLikelihood(data, w + h);
    REQUIRE(lo.ok());
    REQUIRE(hi.ok());
    CHECK((*hi - *lo) / (2 * h) == Approx(w == 0 ? slope0 : slope1).margin(1e-5));
  }
  CHECK(slope0 > 0);  // The model helps at w = 0 and hurts at w = 1: an interior optimum.
  CHECK(slope1 < 0);
}

}  // namespace
}  // namespace superbet::backtest
