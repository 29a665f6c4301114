#include "superbet/broadcast/priority.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace superbet::broadcast {
namespace {

constexpr std::pair<PriorityTier, absl::string_view> kTierNames[] = {
    {PriorityTier::kLow, "low"},
    {PriorityTier::kMedium, "medium"},
    {PriorityTier::kHigh, "high"},
    {PriorityTier::kCritical, "critical"},
};

double Clip(double x, double lo, double hi) {
  if (!(x >= lo)) return lo;  // NaN and below.
  return std::min(x, hi);
}

}  // namespace

absl::string_view TierName(PriorityTier tier) {
  for (const auto& [t, name] : kTierNames) {
    if (t == tier) return name;
  }
  return "low";
}

std::optional<PriorityTier> TierFromName(absl::string_view name) {
  for (const auto& [t, n] : kTierNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

double PriorityScore(double confidence, double kelly_fraction, double vsnr, double cas) {
  const double vsnr_factor = vsnr > -1.0 ? Clip(std::log1p(vsnr), 1.0, 1.5) : 1.0;
  const double cas_factor = cas >= 0.0 ? Clip(std::sqrt(cas), 1.0, 1.2) : 1.0;
  return confidence * kelly_fraction * vsnr_factor * cas_factor;
}

PriorityTier TierOf(double s) {
  if (s > 0.12) return PriorityTier::kCritical;
  if (s > 0.08) return PriorityTier::kHigh;
  if (s > 0.05) return PriorityTier::kMedium;
  return PriorityTier::kLow;
}

}  // namespace superbet::broadcast
