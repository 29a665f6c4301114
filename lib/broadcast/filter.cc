#include "superbet/broadcast/filter.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace superbet::broadcast {
namespace {

constexpr std::pair<DropReason, absl::string_view> kDropReasonNames[] = {
    {DropReason::kLowConfidence, "low_confidence"},
    {DropReason::kLowVsnr, "low_vsnr"},
    {DropReason::kLowCas, "low_cas"},
    {DropReason::kMissingVsnr, "missing_vsnr"},
    {DropReason::kMissingCas, "missing_cas"},
};

}  // namespace

absl::string_view DropReasonName(DropReason reason) {
  for (const auto& [r, name] : kDropReasonNames) {
    if (r == reason) return name;
  }
  return "unknown";
}

absl::Status ValidateThresholds(const FilterThresholds& t) {
  const std::pair<absl::string_view, double> fields[] = {
      {"min_confidence", t.min_confidence}, {"min_vsnr", t.min_vsnr}, {"min_cas", t.min_cas}};
  for (const auto& [name, value] : fields) {
    if (!std::isfinite(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter threshold ", name, " must be finite, got ", value));
    }
  }
  if (t.min_confidence < 0 || t.min_confidence > 1) {  // A probability.
    return absl::InvalidArgumentError(
        absl::StrCat("filter threshold min_confidence must be in [0, 1], got ", t.min_confidence));
  }
  return absl::OkStatus();
}

std::optional<DropReason> FilterPrediction(const superbet::v1::Prediction& p,
                                           const FilterThresholds& t) {
  // A NaN compares false with everything: `!(x >= t)` drops it.
  if (!(p.confidence() >= t.min_confidence)) return DropReason::kLowConfidence;
  if (!p.has_vsnr()) return DropReason::kMissingVsnr;
  if (!(p.vsnr() >= t.min_vsnr)) return DropReason::kLowVsnr;
  if (!p.has_cas()) return DropReason::kMissingCas;
  if (!(p.cas() >= t.min_cas)) return DropReason::kLowCas;
  return std::nullopt;
}

}  // namespace superbet::broadcast
