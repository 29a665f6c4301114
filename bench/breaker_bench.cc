// Circuit breaker and backoff micro-benchmarks (issue 9 target: Allow() + Record() uncontended
// <= 50 ns). The original design (../shared/anchors/original_design.py) has no breaker, so there
// is no baseline figure; see bench/README.md.

#include <benchmark/benchmark.h>

#include "superbet/core/clock.h"
#include "superbet/resilience/backoff.h"
#include "superbet/resilience/circuit_breaker.h"
#include "superbet/resilience/token_bucket.h"

namespace sr = superbet::resilience;

namespace {

// The provider breaker of ARCHITECTURE §2.4 (consecutive failures), always succeeding.
void BM_BreakerAllowRecord_Consecutive(benchmark::State& state) {
  superbet::core::FakeClock clock;
  sr::CircuitBreaker breaker(sr::ProviderBreakerOptions("bench"), clock);
  for (auto _ : state) {
    bool ok = breaker.Allow();
    benchmark::DoNotOptimize(ok);
    breaker.Record(true, absl::Milliseconds(5));
  }
}
BENCHMARK(BM_BreakerAllowRecord_Consecutive);

// The platform breaker of §5.8 (count window of 10, rate > 50 %), 1 failure in 4 (stays closed).
void BM_BreakerAllowRecord_CountWindow(benchmark::State& state) {
  superbet::core::FakeClock clock;
  sr::CircuitBreaker breaker(sr::PlatformBreakerOptions("bench"), clock);
  uint32_t i = 0;
  for (auto _ : state) {
    bool ok = breaker.Allow();
    benchmark::DoNotOptimize(ok);
    breaker.Record((++i & 3) != 0, absl::Milliseconds(5));
  }
}
BENCHMARK(BM_BreakerAllowRecord_CountWindow);

// Time-based window of 60 s on the real clock (reads absl::Now() per record).
void BM_BreakerAllowRecord_TimeWindow(benchmark::State& state) {
  sr::CircuitBreakerOptions options;
  options.window_type = sr::SlidingWindowType::kTimeBased;
  options.window_size = 60;
  options.minimum_calls = 10;
  sr::CircuitBreaker breaker(options, superbet::core::SystemClock::Instance());
  for (auto _ : state) {
    bool ok = breaker.Allow();
    benchmark::DoNotOptimize(ok);
    breaker.Record(true, absl::Milliseconds(5));
  }
}
BENCHMARK(BM_BreakerAllowRecord_TimeWindow);

void BM_BackoffEqualJitter(benchmark::State& state) {
  sr::Backoff backoff({sr::Jitter::kEqual, absl::Seconds(1), absl::Seconds(60), 1 << 30}, 42);
  for (auto _ : state) {
    if (!backoff.CanRetry() || backoff.attempts_started() > 5) backoff.Reset();
    benchmark::DoNotOptimize(backoff.NextDelay());
  }
}
BENCHMARK(BM_BackoffEqualJitter);

void BM_TokenBucketTryAcquire(benchmark::State& state) {
  superbet::core::FakeClock clock;
  sr::TokenBucket bucket(1e12, 1.0, clock);
  for (auto _ : state) benchmark::DoNotOptimize(bucket.TryAcquire());
}
BENCHMARK(BM_TokenBucketTryAcquire);

}  // namespace

BENCHMARK_MAIN();
