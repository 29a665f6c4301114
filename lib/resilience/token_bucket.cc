#include "superbet/resilience/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace superbet::resilience {

TokenBucket::TokenBucket(double capacity, double refill_per_second,
                         const superbet::core::Clock& clock)
    : capacity_(capacity > 0 && std::isfinite(capacity) ? capacity : 1.0),
      refill_per_second_(
          refill_per_second > 0 && std::isfinite(refill_per_second) ? refill_per_second : 0.0),
      clock_(clock),
      tokens_(capacity_),
      last_(clock.Now()) {}

double TokenBucket::TokensAtLocked(absl::Time now) const {
  const double elapsed_s = std::max(0.0, absl::ToDoubleSeconds(now - last_));
  return std::min(capacity_, tokens_ + elapsed_s * refill_per_second_);
}

bool TokenBucket::TryAcquire(double tokens) {
  if (!(tokens > 0) || tokens > capacity_) return false;
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_.Now();
  tokens_ = TokensAtLocked(now);
  last_ = std::max(last_, now);
  if (tokens_ < tokens) return false;
  tokens_ -= tokens;
  return true;
}

absl::Duration TokenBucket::TimeUntilAvailable(double tokens) const {
  if (tokens > capacity_) return absl::InfiniteDuration();
  absl::MutexLock lock(&mu_);
  const double have = TokensAtLocked(clock_.Now());
  if (have >= tokens) return absl::ZeroDuration();
  if (refill_per_second_ == 0) return absl::InfiniteDuration();
  return absl::Seconds((tokens - have) / refill_per_second_);
}

double TokenBucket::available() const {
  absl::MutexLock lock(&mu_);
  return TokensAtLocked(clock_.Now());
}

void TokenBucket::SetAvailable(double tokens) {
  absl::MutexLock lock(&mu_);
  tokens_ = std::clamp(std::isfinite(tokens) ? tokens : 0.0, 0.0, capacity_);
  last_ = std::max(last_, clock_.Now());
}

}  // namespace superbet::resilience
