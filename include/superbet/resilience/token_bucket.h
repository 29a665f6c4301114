// A token bucket (rate limiter): holds at most `capacity` tokens, refilled continuously at
// `refill_per_second` tokens per second from an injected clock. Starts full. Used for provider
// quotas and the broadcast plant's platform rate limits.
//
// Thread-safety: thread-safe (absl::Mutex). The clock is not owned and must outlive the bucket.

#ifndef SUPERBET_RESILIENCE_TOKEN_BUCKET_H_
#define SUPERBET_RESILIENCE_TOKEN_BUCKET_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/core/clock.h"

namespace superbet::resilience {

class TokenBucket {
 public:
  // `capacity` > 0 tokens and `refill_per_second` >= 0 (0: a fixed budget that never refills);
  // values out of range are clamped (capacity to 1, refill to 0).
  TokenBucket(double capacity, double refill_per_second, const superbet::core::Clock& clock);
  TokenBucket(const TokenBucket&) = delete;
  TokenBucket& operator=(const TokenBucket&) = delete;

  // Takes `tokens` (> 0) if that many are available now; false (nothing taken) otherwise, and
  // always false when tokens > capacity.
  bool TryAcquire(double tokens = 1.0);
  // How long until `tokens` will be available (zero if they are now; InfiniteDuration() when
  // tokens > capacity or the bucket never refills). Takes nothing.
  absl::Duration TimeUntilAvailable(double tokens = 1.0) const;
  // Tokens available now, in [0, capacity].
  double available() const;
  // Sets the tokens to `tokens` (clamped to [0, capacity]), e.g. from a server's
  // "x-ratelimit-requests-remaining" header.
  void SetAvailable(double tokens);

  double capacity() const { return capacity_; }
  double refill_per_second() const { return refill_per_second_; }

 private:
  // Tokens at `now` without mutating (refill applied).
  double TokensAtLocked(absl::Time now) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const double capacity_;
  const double refill_per_second_;
  const superbet::core::Clock& clock_;
  mutable absl::Mutex mu_;
  double tokens_ ABSL_GUARDED_BY(mu_);
  absl::Time last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace superbet::resilience

#endif  // SUPERBET_RESILIENCE_TOKEN_BUCKET_H_
