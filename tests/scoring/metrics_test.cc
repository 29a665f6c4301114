// Prediction metrics (superbet/scoring/metrics.h) and their history (tracker.h).
// Oracle: closed forms computed by hand (each expected value's arithmetic is in the comment);
// Kelly (1956) for kelly_fraction.

#include "superbet/scoring/metrics.h"

#include <cmath>
#include <vector>

#include "catch2/catch.hpp"
#include "superbet/scoring/tracker.h"

namespace scoring = superbet::scoring;
namespace v1 = superbet::v1;

TEST_CASE("kelly_fraction is (p*o - 1)/(o - 1) clamped to [0, 1]", "[metrics]") {
  CHECK(*scoring::ClampedKellyFraction(0.5, 2.2) == Approx(0.1 / 1.2).epsilon(1e-15));
  CHECK(*scoring::ClampedKellyFraction(0.3, 2.0) == 0.0);  // (0.6 - 1)/1 = -0.4 -> 0
  CHECK(*scoring::ClampedKellyFraction(1.0, 5.0) == 1.0);  // (5 - 1)/4 = 1
  auto bad = scoring::ClampedKellyFraction(0.5, 0.97);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "decimal odds must be finite and > 1, got 0.97");
  CHECK_FALSE(scoring::ClampedKellyFraction(1.2, 2.0).ok());
}

TEST_CASE("VSNR is mean/(sd_(n-1) + 1e-6), absent below 3 evaluations", "[metrics]") {
  // EV 0.1, 0.2, 0.3: mean 0.2, sd_(n-1) = sqrt((0.01 + 0 + 0.01)/2) = 0.1.
  const std::vector<double> three = {0.1, 0.2, 0.3};
  CHECK(**scoring::Vsnr(three) == Approx(0.2 / (0.1 + 1e-6)).epsilon(1e-12));
  const std::vector<double> two = {0.1, 0.2};
  CHECK_FALSE(scoring::Vsnr(two)->has_value());
  // Only the last 10 count: 5 leading 100s are ignored; the last ten are 0.1,0.2 alternating
  // (mean 0.15, sd_(n-1) = sqrt(10 * 0.0025 / 9) = 0.0527046...).
  std::vector<double> fifteen = {100, 100, 100, 100, 100};
  for (int i = 0; i < 10; ++i) fifteen.push_back(i % 2 == 0 ? 0.1 : 0.2);
  CHECK(**scoring::Vsnr(fifteen) ==
        Approx(0.15 / (std::sqrt(10 * 0.0025 / 9) + 1e-6)).epsilon(1e-12));
  // Equal values: sd 0, VSNR = mean / 1e-6.
  const std::vector<double> flat = {0.05, 0.05, 0.05};
  CHECK(**scoring::Vsnr(flat) == Approx(0.05 / 1e-6).epsilon(1e-9));
  const std::vector<double> nan = {0.1, NAN, 0.3};
  CHECK(scoring::Vsnr(nan).status().message() == "expected_values[1] must be finite, got nan");
}

TEST_CASE("CAS is p over the margin-free market probability", "[metrics]") {
  // p = 0.5 at 2.0 / 3.5 / 4.0: sum(1/o) = 0.5 + 0.2857142857 + 0.25 = 1.0357142857;
  // q = 0.5 / 1.0357142857; CAS = p / q = 0.5 * 2.0 * 1.0357142857 = 1.0357142857.
  CHECK(*scoring::Cas(0.5, 0, {2.0, 3.5, 4.0}) == Approx(0.5 + 1 / 3.5 + 0.25).epsilon(1e-14));
  // Draw price missing: q = 1/o_pick = 0.5, CAS = 1.
  CHECK(*scoring::Cas(0.5, 0, {2.0, std::nullopt, 4.0}) == Approx(1.0).epsilon(1e-15));
  // Away pick, p = 0.3 at 4.0: 0.3 * 4.0 * 1.0357142857 = 1.242857...
  CHECK(*scoring::Cas(0.3, 2, {2.0, 3.5, 4.0}) == Approx(1.2 * (0.5 + 1 / 3.5 + 0.25)));
  CHECK(scoring::Cas(0.5, 1, {2.0, std::nullopt, 4.0}).status().message() ==
        "decimal_odds[1] (the pick's price) is missing");
  CHECK(scoring::Cas(0.5, 0, {2.0, 1.0, 4.0}).status().message() ==
        "decimal_odds[1] must be finite and > 1, got 1");
  CHECK_FALSE(scoring::Cas(0.5, 3, {2.0, 3.5, 4.0}).ok());
}

TEST_CASE("gamma is the second difference of implied probability", "[metrics]") {
  // 0.56 - 2 * 0.52 + 0.50 = 0.02.
  CHECK(*scoring::Gamma({0.50, 0.52, 0.56}) == Approx(0.02).margin(1e-15));
  CHECK(*scoring::Gamma({0.5, 0.5, 0.5}) == 0.0);
  CHECK_FALSE(scoring::Gamma({0.5, 1.5, 0.5}).ok());
}

TEST_CASE("Boltzmann probability is the softmax of the chosen value", "[metrics]") {
  // exp(ln 3) / (exp(0) + exp(ln 3)) = 3 / 4.
  const std::vector<double> v = {0.0, std::log(3.0)};
  CHECK(*scoring::BoltzmannProbability(v, 1, 1.0) == Approx(0.75).epsilon(1e-15));
  // Large values do not overflow: 1000 and 1000 + ln 3 at temperature 1 -> 0.75 again.
  const std::vector<double> big = {1000.0, 1000.0 + std::log(3.0)};
  CHECK(*scoring::BoltzmannProbability(big, 1, 1.0) == Approx(0.75).epsilon(1e-12));
  // Temperature 2 halves the log-ratio: sqrt(3) / (1 + sqrt(3)).
  CHECK(*scoring::BoltzmannProbability(v, 1, 2.0) ==
        Approx(std::sqrt(3.0) / (1 + std::sqrt(3.0))).epsilon(1e-15));
  CHECK_FALSE(scoring::BoltzmannProbability(v, 2, 1.0).ok());
  CHECK_FALSE(scoring::BoltzmannProbability(v, 0, 0.0).ok());
}

TEST_CASE("SetPickMetrics fills kelly_fraction and cas from pick, prob and odds", "[metrics]") {
  v1::Prediction p;
  p.set_pick("home");
  p.mutable_prob()->set_home(0.5);
  p.mutable_odds()->set_home(2.2);
  p.mutable_odds()->set_draw(3.5);
  p.mutable_odds()->set_away(4.0);
  REQUIRE(scoring::SetPickMetrics(p).ok());
  CHECK(p.kelly_fraction() == Approx(0.1 / 1.2).epsilon(1e-15));
  CHECK(p.cas() == Approx(0.5 * 2.2 * (1 / 2.2 + 1 / 3.5 + 0.25)).epsilon(1e-14));
  CHECK_FALSE(p.has_vsnr());
  p.set_pick("away");
  CHECK(scoring::SetPickMetrics(p).message() == "prob.away is missing");
  p.set_pick("x");
  CHECK(scoring::SetPickMetrics(p).message() == "pick must be one of home|draw|away, got \"x\"");
}

TEST_CASE("the tracker keeps the last 10 evaluations within the window", "[tracker]") {
  scoring::EvaluationTracker live(scoring::EvaluationTracker::kLiveWindow);
  const absl::Time t0 = absl::FromUnixSeconds(1439034300);
  // p = 0.55 at odds 2.0, 2.1, 2.2: EV 0.1, 0.155, 0.21; mean 0.155, sd_(n-1) 0.055.
  CHECK_FALSE(live.Record("m", 0, t0, 0.55, 2.0)->vsnr.has_value());
  CHECK_FALSE(live.Record("m", 0, t0 + absl::Minutes(1), 0.55, 2.1)->vsnr.has_value());
  auto third = live.Record("m", 0, t0 + absl::Minutes(2), 0.55, 2.2);
  REQUIRE(third.ok());
  CHECK(third->evaluations == 3);
  CHECK(*third->vsnr == Approx(0.155 / (0.055 + 1e-6)).epsilon(1e-9));
  // Another selection of the same match has its own history.
  CHECK(live.Record("m", 2, t0 + absl::Minutes(2), 0.2, 5.0)->evaluations == 1);
  // 20 minutes later the first three are outside the 15-minute window.
  CHECK(live.Record("m", 0, t0 + absl::Minutes(20), 0.55, 2.0)->evaluations == 1);
  // 12 evaluations within a minute: only the last 10 count.
  scoring::EvaluationTracker many(scoring::EvaluationTracker::kPreMatchWindow);
  scoring::TrackedMetrics last;
  for (int i = 0; i < 12; ++i) last = *many.Record("m", 1, t0 + absl::Seconds(i), 0.3, 3.5);
  CHECK(last.evaluations == 10);
  // Time going backwards is an error and changes nothing.
  auto back = many.Record("m", 1, t0, 0.3, 3.5);
  REQUIRE_FALSE(back.ok());
  CHECK(back.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(many.Record("m", 1, t0 + absl::Seconds(12), 0.3, 3.5)->evaluations == 10);
  many.Forget("m");
  CHECK(many.size() == 0);
}

TEST_CASE("the tracker's gamma needs three consecutive 1-minute buckets", "[tracker]") {
  scoring::EvaluationTracker t(scoring::EvaluationTracker::kLiveWindow);
  const absl::Time t0 = absl::FromUnixSeconds(1439034300);  // a whole minute
  // Bucket 0: 1/2.5 = 0.4 then overwritten by 1/2.0 = 0.5 (the last price of the bucket counts).
  CHECK_FALSE(t.Record("m", 0, t0, 0.5, 2.5)->gamma.has_value());
  CHECK_FALSE(t.Record("m", 0, t0 + absl::Seconds(30), 0.5, 2.0)->gamma.has_value());
  CHECK_FALSE(t.Record("m", 0, t0 + absl::Seconds(70), 0.5, 1.0 / 0.52)->gamma.has_value());
  auto g = t.Record("m", 0, t0 + absl::Seconds(150), 0.5, 1.0 / 0.56);
  REQUIRE(g->gamma.has_value());
  CHECK(*g->gamma == Approx(0.56 - 2 * 0.52 + 0.5).margin(1e-12));  // 0.02
  // A skipped minute (bucket 4 after bucket 2): absent.
  CHECK_FALSE(t.Record("m", 0, t0 + absl::Seconds(250), 0.5, 2.0)->gamma.has_value());
}

TEST_CASE("the tracker's Preview returns Record's metrics and records nothing", "[tracker]") {
  // Oracle: the closed forms of the tests above (VSNR of EVs 0.1, 0.155, 0.21; gamma 0.56 - 2 *
  // 0.52 + 0.5) and a twin tracker fed only the Record calls.
  scoring::EvaluationTracker t(scoring::EvaluationTracker::kLiveWindow);
  scoring::EvaluationTracker twin(scoring::EvaluationTracker::kLiveWindow);
  const absl::Time t0 = absl::FromUnixSeconds(1439034300);
  const double odds[] = {2.0, 2.1, 2.2};
  for (int i = 0; i < 3; ++i) {
    const absl::Time at = t0 + absl::Minutes(i);
    // Previewed three times (a decision retried while its ledger write fails), then recorded.
    for (int retry = 0; retry < 3; ++retry) {
      auto p = t.Preview("m", 0, at, 0.55, odds[i]);
      REQUIRE(p.ok());
      CHECK(p->evaluations == i + 1);
    }
    auto p = t.Preview("m", 0, at, 0.55, odds[i]);
    auto r = t.Record("m", 0, at, 0.55, odds[i]);
    auto w = twin.Record("m", 0, at, 0.55, odds[i]);
    REQUIRE(r.ok());
    CHECK(p->evaluations == r->evaluations);
    CHECK(p->vsnr == r->vsnr);
    CHECK(p->gamma == r->gamma);
    CHECK(r->vsnr == w->vsnr);
    CHECK(r->gamma == w->gamma);
    if (i == 2) CHECK(*r->vsnr == Approx(0.155 / (0.055 + 1e-6)).epsilon(1e-9));
  }
  // After 12 previews and 3 records, exactly the 3 recorded evaluations are in the sample.
  auto fourth = t.Preview("m", 0, t0 + absl::Minutes(3), 0.55, 2.2);
  REQUIRE(fourth.ok());
  CHECK(fourth->evaluations == 4);
  auto last = t.Preview("m", 0, t0 + absl::Minutes(2), 0.55, 2.2);
  CHECK(*last->vsnr != Approx(0.155 / (0.055 + 1e-6)).epsilon(1e-9));  // 4 samples, not 3.
  scoring::EvaluationTracker fresh(scoring::EvaluationTracker::kLiveWindow);
  CHECK_FALSE(fresh.Preview("x", 1, t0, 0.3, 3.0)->vsnr.has_value());
  CHECK(fresh.size() == 0);
  // Errors as Record, naming the value.
  CHECK(fresh.Preview("x", 1, t0, 0.3, 0.97).status().message() ==
        "decimal odds must be finite and > 1, got 0.97");
  CHECK(t.Preview("m", 0, t0, 0.55, 2.0).status().code() == absl::StatusCode::kInvalidArgument);
}
