// TokenBucket tests. Oracle: hand computation of tokens = min(capacity, left + elapsed * rate).

#include "superbet/resilience/token_bucket.h"

#include <catch2/catch.hpp>

#include "superbet/core/clock.h"

namespace sr = superbet::resilience;
using superbet::core::FakeClock;

TEST_CASE("token bucket starts full, drains, refills at the rate, caps", "[token_bucket]") {
  FakeClock clock(absl::FromUnixSeconds(1000));
  sr::TokenBucket bucket(3, 0.5, clock);  // 3 tokens, one every 2 s.
  CHECK(bucket.available() == 3);
  CHECK(bucket.TryAcquire());
  CHECK(bucket.TryAcquire(2));
  CHECK_FALSE(bucket.TryAcquire());
  CHECK(bucket.TimeUntilAvailable() == absl::Seconds(2));
  clock.Advance(absl::Seconds(1));
  CHECK(bucket.available() == Approx(0.5));
  CHECK_FALSE(bucket.TryAcquire());
  clock.Advance(absl::Seconds(1));
  CHECK(bucket.TryAcquire());
  clock.Advance(absl::Hours(1));
  CHECK(bucket.available() == 3);     // Capped.
  CHECK_FALSE(bucket.TryAcquire(4));  // More than capacity: never.
  CHECK(bucket.TimeUntilAvailable(4) == absl::InfiniteDuration());
  bucket.SetAvailable(1);
  CHECK(bucket.available() == 1);
}

TEST_CASE("token bucket without refill is a fixed budget", "[token_bucket]") {
  FakeClock clock;
  sr::TokenBucket bucket(2, 0, clock);
  CHECK(bucket.TryAcquire());
  CHECK(bucket.TryAcquire());
  clock.Advance(absl::Hours(24));
  CHECK_FALSE(bucket.TryAcquire());
  CHECK(bucket.TimeUntilAvailable() == absl::InfiniteDuration());
}
