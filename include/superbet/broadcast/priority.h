// The broadcast priority score S and its tier (seed design 000):
//
//   S = (confidence * kelly_fraction) * clip(ln(1 + VSNR), 1.0, 1.5) * clip(sqrt(CAS), 1.0, 1.2)
//
// The logarithm keeps VSNR outliers from blocking the queue, the square root gives bounded growth
// above the CAS threshold, and both clips keep extreme values from unbalancing the system. After
// the filter (VSNR >= 2.2, CAS >= 1) S lies in [1.163 c k, 1.8 c k].
//
// Tiers: critical S > 0.12, high S > 0.08, medium S > 0.05, low otherwise (strict inequalities).

#ifndef SUPERBET_BROADCAST_PRIORITY_H_
#define SUPERBET_BROADCAST_PRIORITY_H_

#include <optional>

#include "absl/strings/string_view.h"

namespace superbet::broadcast {

enum class PriorityTier { kLow = 0, kMedium = 1, kHigh = 2, kCritical = 3 };
inline constexpr int kTierCount = 4;

// "low", "medium", "high", "critical".
absl::string_view TierName(PriorityTier tier);
// The tier named `name`, nullopt for any other string.
std::optional<PriorityTier> TierFromName(absl::string_view name);

// S for confidence in [0, 1], kelly_fraction in [0, 1] (fraction of bankroll), VSNR and CAS as in
// the prediction metrics. A negative VSNR (ln(1 + VSNR) undefined below -1) and a negative CAS are
// clipped to the factor's lower bound 1.0, as any value below the clip's range is.
double PriorityScore(double confidence, double kelly_fraction, double vsnr, double cas);

// The tier of score S.
PriorityTier TierOf(double score);

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_PRIORITY_H_
