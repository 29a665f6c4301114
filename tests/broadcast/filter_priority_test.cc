// Filter, priority score and tier tables. Oracle: the design's formula evaluated by hand (values
// below computed with Python's math module: log1p, sqrt), and the thresholds' closed-form edges.

#include <catch2/catch.hpp>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "superbet/broadcast/filter.h"
#include "superbet/broadcast/priority.h"

namespace sb = superbet::broadcast;

namespace {
superbet::v1::Prediction P(double conf, std::optional<double> vsnr, std::optional<double> cas) {
  superbet::v1::Prediction p;
  p.set_confidence(conf);
  if (vsnr) p.set_vsnr(*vsnr);
  if (cas) p.set_cas(*cas);
  return p;
}
}  // namespace

TEST_CASE("filter: first failing check names the reason, equal passes", "[filter]") {
  const sb::FilterThresholds t;
  struct Row {
    double conf;
    std::optional<double> vsnr, cas;
    std::optional<sb::DropReason> want;
  };
  const Row rows[] = {
      {0.70, 3.0, 1.2, std::nullopt},
      {0.65, 2.2, 1.0, std::nullopt},  // Each exactly at its threshold.
      {0.6499, 3.0, 1.2, sb::DropReason::kLowConfidence},
      {0.60, 1.0, 0.5, sb::DropReason::kLowConfidence},  // All fail: the first is named.
      {0.70, 2.19, 0.5, sb::DropReason::kLowVsnr},       // VSNR before CAS.
      {0.70, 3.0, 0.99, sb::DropReason::kLowCas},
      {0.70, std::nullopt, 1.2, sb::DropReason::kMissingVsnr},
      {0.70, 3.0, std::nullopt, sb::DropReason::kMissingCas},
      {NAN, 3.0, 1.2, sb::DropReason::kLowConfidence},
  };
  for (const Row& r : rows) {
    INFO("conf " << r.conf);
    CHECK(sb::FilterPrediction(P(r.conf, r.vsnr, r.cas), t) == r.want);
  }
  CHECK(sb::DropReasonName(sb::DropReason::kLowVsnr) == "low_vsnr");
  CHECK(sb::DropReasonName(sb::DropReason::kLowConfidence) == "low_confidence");
  CHECK(sb::DropReasonName(sb::DropReason::kLowCas) == "low_cas");
  CHECK_FALSE(sb::ValidateThresholds({NAN, 2.2, 1.0}).ok());
  // A confidence is a probability: a threshold above 1 (a typo of 65 for 0.65) would drop every
  // prediction silently, one below 0 means nothing; both refused, naming the value (broadcast-svc
  // started with --min_confidence=2 before this check).
  for (double bad : {2.0, 65.0, -0.1}) {
    const absl::Status s = sb::ValidateThresholds({bad, 2.2, 1.0});
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message() ==
          absl::StrCat("filter threshold min_confidence must be in [0, 1], got ", bad));
  }
  CHECK(sb::ValidateThresholds({0.0, 2.2, 1.0}).ok());
  CHECK(sb::ValidateThresholds({1.0, 2.2, 1.0}).ok());
}

TEST_CASE("priority: formula, VSNR and CAS clipping", "[priority]") {
  // ln(1 + 2.2) = 1.16315080980568; sqrt(1.2) = 1.09544511501033.
  CHECK(sb::PriorityScore(0.8, 0.1, 2.2, 1.2) ==
        Approx(0.8 * 0.1 * 1.16315080980568 * 1.09544511501033).epsilon(1e-12));
  // VSNR factor saturates at 1.5 (VSNR >= e^1.5 - 1 = 3.4817), CAS factor at 1.2 (CAS >= 1.44).
  CHECK(sb::PriorityScore(1.0, 0.1, 100.0, 9.0) == Approx(0.1 * 1.5 * 1.2).epsilon(1e-12));
  CHECK(sb::PriorityScore(1.0, 0.1, 3.4817, 1.44) == Approx(0.1 * 1.5 * 1.2).epsilon(1e-4));
  // Lower clips: ln(1 + 0.5) < 1 -> 1; sqrt(0.25) < 1 -> 1.
  CHECK(sb::PriorityScore(0.5, 0.2, 0.5, 0.25) == Approx(0.1).epsilon(1e-12));
  CHECK(sb::PriorityScore(0.5, 0.2, -5.0, -1.0) == Approx(0.1).epsilon(1e-12));
  // Bounds after the filter: S in [1.163 c k, 1.8 c k].
  for (double v : {2.2, 2.5, 3.0, 4.0, 10.0}) {
    for (double c : {1.0, 1.2, 1.44, 3.0}) {
      const double s = sb::PriorityScore(0.7, 0.1, v, c);
      CHECK(s >= 0.07 * 1.1631508 - 1e-9);
      CHECK(s <= 0.07 * 1.8 + 1e-12);
    }
  }
}

TEST_CASE("priority tiers: strict thresholds 0.12, 0.08, 0.05", "[priority]") {
  using T = sb::PriorityTier;
  const std::pair<double, T> rows[] = {
      {0.13, T::kCritical}, {0.12, T::kHigh}, {0.0801, T::kHigh}, {0.08, T::kMedium},
      {0.0501, T::kMedium}, {0.05, T::kLow},  {0.0, T::kLow}};
  for (const auto& [s, t] : rows) {
    INFO("S=" << s);
    CHECK(sb::TierOf(s) == t);
  }
  CHECK(sb::TierName(T::kCritical) == "critical");
  CHECK(sb::TierFromName("medium") == T::kMedium);
  CHECK_FALSE(sb::TierFromName("urgent").has_value());
}
