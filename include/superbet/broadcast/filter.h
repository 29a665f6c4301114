// The broadcast filter: which verified predictions are worth publishing. Three thresholds checked
// in a fixed order (confidence, VSNR, CAS); the first one that fails names the drop reason. A value
// equal to its threshold passes (drop iff value < threshold). Defaults are the seed design's
// numbers: confidence 0.65, VSNR 2.2, CAS 1.0.
//
// An absent VSNR or CAS cannot pass its threshold: it is dropped with its own reason
// (`missing_vsnr`, `missing_cas`) so that reports never count an absent metric as a low one.

#ifndef SUPERBET_BROADCAST_FILTER_H_
#define SUPERBET_BROADCAST_FILTER_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::broadcast {

enum class DropReason {
  kLowConfidence = 0,
  kLowVsnr = 1,
  kLowCas = 2,
  kMissingVsnr = 3,
  kMissingCas = 4,
};
inline constexpr int kDropReasonCount = 5;

// "low_confidence", "low_vsnr", "low_cas", "missing_vsnr", "missing_cas" (metric label values).
absl::string_view DropReasonName(DropReason reason);

struct FilterThresholds {
  double min_confidence = 0.65;  // Policy probability, in [0, 1].
  double min_vsnr = 2.2;
  double min_cas = 1.0;  // p / q; 1 = no value.
};

// Errors: InvalidArgument naming the threshold when it is not finite, or min_confidence outside
// [0, 1] (a probability) ("filter threshold min_confidence must be in [0, 1], got 65").
[[nodiscard]] absl::Status ValidateThresholds(const FilterThresholds& thresholds);

// The first failing check, or nullopt when the prediction passes all three.
std::optional<DropReason> FilterPrediction(const superbet::v1::Prediction& prediction,
                                           const FilterThresholds& thresholds);

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_FILTER_H_
