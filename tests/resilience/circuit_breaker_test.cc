// CircuitBreaker tests: every state transition of Resilience4j's state machine
// (resilience4j.readme.io/docs/circuitbreaker) and the consecutive-failures mode of
// ARCHITECTURE.md §2.4. Oracle: the documented rules, applied by hand to each scripted sequence of
// outcomes (noted beside each check).

#include "superbet/resilience/circuit_breaker.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "superbet/core/clock.h"

namespace sr = superbet::resilience;
using sr::BreakerState;
using superbet::core::FakeClock;

namespace {

// Records every (from, to) the breaker reports.
struct Recorder {
  absl::Mutex mu;
  std::vector<std::pair<BreakerState, BreakerState>> changes;
  std::function<void(BreakerState, BreakerState)> Callback() {
    return [this](BreakerState from, BreakerState to) {
      absl::MutexLock lock(&mu);
      changes.emplace_back(from, to);
    };
  }
};

const absl::Duration kFast = absl::Milliseconds(10);

sr::CircuitBreakerOptions RateOptions(int window, int minimum) {
  sr::CircuitBreakerOptions o;
  o.name = "test";
  o.window_size = window;
  o.minimum_calls = minimum;
  o.failure_rate_threshold = 50;
  o.permitted_calls_in_half_open = 3;
  o.wait_in_open = absl::Seconds(30);
  return o;
}

}  // namespace

TEST_CASE("consecutive mode: 3 failures in a row open, 60 s wait, one trial", "[breaker]") {
  FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  Recorder rec;
  auto options = sr::ProviderBreakerOptions("api-football");
  options.on_state_change = rec.Callback();
  sr::CircuitBreaker b(options, clock);

  // F F S F F: the success resets the run, so still CLOSED.
  for (bool ok : {false, false, true, false, false}) {
    REQUIRE(b.Allow());
    b.Record(ok, kFast);
  }
  CHECK(b.state() == BreakerState::kClosed);
  CHECK(b.metrics().consecutive_failures == 2);
  REQUIRE(b.Allow());
  b.OnError(kFast);  // Third in a row.
  CHECK(b.state() == BreakerState::kOpen);
  CHECK(b.opened_at() == clock.Now());

  // OPEN rejects and counts the rejection until 60 s have passed.
  CHECK_FALSE(b.TryAcquirePermission());
  clock.Advance(absl::Seconds(59));
  CHECK_FALSE(b.TryAcquirePermission());
  CHECK(b.metrics().not_permitted_calls == 2);
  CHECK(b.state() == BreakerState::kOpen);  // No transition on reading.

  SECTION("trial fails: re-open for another 60 s") {
    clock.Advance(absl::Seconds(1));
    REQUIRE(b.TryAcquirePermission());
    CHECK(b.state() == BreakerState::kHalfOpen);
    CHECK_FALSE(b.TryAcquirePermission());  // Only one trial.
    b.OnError(kFast);
    CHECK(b.state() == BreakerState::kOpen);
    CHECK(b.opened_at() == clock.Now());
    clock.Advance(absl::Seconds(30));
    CHECK_FALSE(b.TryAcquirePermission());
    clock.Advance(absl::Seconds(30));
    REQUIRE(b.TryAcquirePermission());
    b.OnSuccess(kFast);
    CHECK(b.state() == BreakerState::kClosed);
  }
  SECTION("trial succeeds: close with a fresh run") {
    clock.Advance(absl::Seconds(1));
    REQUIRE(b.TryAcquirePermission());
    b.OnSuccess(kFast);
    CHECK(b.state() == BreakerState::kClosed);
    CHECK(b.metrics().consecutive_failures == 0);
    // Two failures after closing do not re-open.
    b.Record(false);
    b.Record(false);
    CHECK(b.state() == BreakerState::kClosed);
  }
  SECTION("an ignored call gives the trial permit back") {
    clock.Advance(absl::Seconds(60));
    REQUIRE(b.TryAcquirePermission());
    b.ReleasePermission();
    CHECK(b.state() == BreakerState::kHalfOpen);
    REQUIRE(b.TryAcquirePermission());
    CHECK_FALSE(b.TryAcquirePermission());
  }
  // Every change was reported exactly once, in order.
  absl::MutexLock lock(&rec.mu);
  REQUIRE(rec.changes.size() >= 1);
  CHECK(rec.changes[0] == std::make_pair(BreakerState::kClosed, BreakerState::kOpen));
  CHECK(static_cast<int64_t>(rec.changes.size()) == b.metrics().state_changes);
  for (size_t i = 1; i < rec.changes.size(); ++i) {
    CHECK(rec.changes[i].first == rec.changes[i - 1].second);
    CHECK(rec.changes[i].first != rec.changes[i].second);
  }
}

TEST_CASE("rate mode: nothing opens below the minimum number of calls", "[breaker]") {
  FakeClock clock;
  sr::CircuitBreaker b(RateOptions(10, 5), clock);
  for (int i = 0; i < 4; ++i) b.Record(false);
  // 4 failures = 100 % but only 4 < 5 calls: CLOSED, no rate yet.
  CHECK(b.state() == BreakerState::kClosed);
  CHECK(b.metrics().failure_rate == -1.0);
  b.Record(false);
  CHECK(b.state() == BreakerState::kOpen);
}

TEST_CASE("rate mode: count window slides over the last N calls", "[breaker]") {
  FakeClock clock;
  sr::CircuitBreaker b(RateOptions(4, 4), clock);
  // S F S F -> 50 % >= 50 %: opens (Resilience4j compares with >=).
  for (bool ok : {true, true, true, false, true, false}) b.Record(ok);
  // Window holds the last 4: S F S F.
  CHECK(b.state() == BreakerState::kOpen);

  // With minimum_calls > window_size the minimum is the window size (Resilience4j).
  sr::CircuitBreaker c(RateOptions(4, 100), clock);
  for (int i = 0; i < 4; ++i) c.Record(false);
  CHECK(c.state() == BreakerState::kOpen);
}

TEST_CASE("rate mode: >= threshold (Resilience4j) versus > threshold (§5.8)", "[breaker]") {
  FakeClock clock;
  auto options = RateOptions(10, 10);
  sr::CircuitBreaker at_least(options, clock);
  options.open_only_above_threshold = true;
  sr::CircuitBreaker above(options, clock);
  for (int i = 0; i < 10; ++i) {
    at_least.Record(i % 2 == 0);  // 5 failures out of 10 = 50 %.
    above.Record(i % 2 == 0);
  }
  CHECK(at_least.state() == BreakerState::kOpen);
  CHECK(above.state() == BreakerState::kClosed);
  CHECK(above.metrics().failure_rate == 50.0);
}

TEST_CASE("rate mode: slow calls open the breaker", "[breaker]") {
  FakeClock clock;
  auto options = RateOptions(4, 4);
  options.slow_call_duration = absl::Seconds(1);
  options.slow_call_rate_threshold = 50;
  sr::CircuitBreaker b(options, clock);
  b.OnSuccess(absl::Milliseconds(200));
  b.OnSuccess(absl::Seconds(1));  // Exactly the threshold: not slow (slow means longer).
  b.OnSuccess(absl::Seconds(2));  // Slow.
  CHECK(b.state() == BreakerState::kClosed);
  b.OnSuccess(absl::Seconds(3));  // Slow: 2 of 4 = 50 %.
  CHECK(b.state() == BreakerState::kOpen);
  CHECK(b.metrics().slow_calls == 2);
  CHECK(b.metrics().failed_calls == 0);
}

TEST_CASE("rate mode: half-open permits N trials, then closes or re-opens", "[breaker]") {
  FakeClock clock;
  Recorder rec;
  auto options = RateOptions(10, 5);
  options.on_state_change = rec.Callback();
  sr::CircuitBreaker b(options, clock);
  for (int i = 0; i < 5; ++i) b.Record(false);
  REQUIRE(b.state() == BreakerState::kOpen);
  clock.Advance(absl::Seconds(30));
  // Three trials, a fourth is rejected.
  REQUIRE(b.TryAcquirePermission());
  REQUIRE(b.TryAcquirePermission());
  REQUIRE(b.TryAcquirePermission());
  CHECK_FALSE(b.TryAcquirePermission());
  CHECK(b.state() == BreakerState::kHalfOpen);

  SECTION("1 failure of 3 = 33 % < 50 %: closes") {
    b.OnError(kFast);
    b.OnSuccess(kFast);
    CHECK(b.state() == BreakerState::kHalfOpen);  // Not decided before all trials report.
    b.OnSuccess(kFast);
    CHECK(b.state() == BreakerState::kClosed);
    CHECK(b.metrics().buffered_calls == 0);  // Fresh window.
  }
  SECTION("2 failures of 3: re-opens") {
    b.OnError(kFast);
    b.OnSuccess(kFast);
    b.OnError(kFast);
    CHECK(b.state() == BreakerState::kOpen);
    CHECK_FALSE(b.TryAcquirePermission());
  }
  absl::MutexLock lock(&rec.mu);
  REQUIRE(rec.changes.size() == 3);  // CLOSED->OPEN, OPEN->HALF_OPEN, HALF_OPEN->{CLOSED,OPEN}.
  CHECK(rec.changes[1] == std::make_pair(BreakerState::kOpen, BreakerState::kHalfOpen));
}

TEST_CASE("rate mode: time-based window keeps the last N seconds", "[breaker]") {
  FakeClock clock(absl::FromUnixSeconds(100));
  auto options = RateOptions(10, 3);
  options.window_type = sr::SlidingWindowType::kTimeBased;
  sr::CircuitBreaker b(options, clock);
  b.Record(false);  // t = 100
  clock.Advance(absl::Seconds(1));
  b.Record(false);  // t = 101
  clock.Advance(absl::Seconds(10));
  b.Record(true);  // t = 111: seconds 100 and 101 have left the window [102, 111].
  CHECK(b.metrics().buffered_calls == 1);
  CHECK(b.state() == BreakerState::kClosed);
  b.Record(false);
  CHECK(b.state() == BreakerState::kClosed);  // 2 calls < 3.
  clock.Advance(absl::Seconds(9));
  b.Record(false);  // t = 120: window [111, 120] holds S F F = 67 %.
  CHECK(b.state() == BreakerState::kOpen);

  // The same outcomes inside one window open it at the third call.
  FakeClock clock2(absl::FromUnixSeconds(100));
  sr::CircuitBreaker c(options, clock2);
  c.Record(false);
  clock2.Advance(absl::Seconds(1));
  c.Record(false);
  clock2.Advance(absl::Seconds(1));
  c.Record(true);
  CHECK(c.state() == BreakerState::kOpen);
}

TEST_CASE("manual states: forced open, disabled, reset", "[breaker]") {
  FakeClock clock;
  Recorder rec;
  auto options = sr::ProviderBreakerOptions("p");
  options.on_state_change = rec.Callback();
  sr::CircuitBreaker b(options, clock);
  b.TransitionToForcedOpen();
  CHECK_FALSE(b.Allow());
  clock.Advance(absl::Hours(1));
  CHECK_FALSE(b.Allow());  // Forced open never half-opens.
  b.TransitionToDisabled();
  for (int i = 0; i < 10; ++i) {
    REQUIRE(b.Allow());
    b.Record(false);
  }
  CHECK(b.state() == BreakerState::kDisabled);
  CHECK(b.metrics().failed_calls == 0);  // Not recorded.
  b.Reset();
  CHECK(b.state() == BreakerState::kClosed);
  CHECK(b.metrics().not_permitted_calls == 0);
  b.TransitionToClosed();  // Already closed: no callback.
  absl::MutexLock lock(&rec.mu);
  CHECK(rec.changes.size() == 3);
}

TEST_CASE("option validation and presets", "[breaker]") {
  CHECK(sr::ValidateOptions(sr::ProviderBreakerOptions("p")).ok());
  auto platform = sr::PlatformBreakerOptions("telegram");
  CHECK(sr::ValidateOptions(platform).ok());
  CHECK(platform.wait_in_open == absl::Seconds(300));
  CHECK(platform.permitted_calls_in_half_open == 3);
  sr::CircuitBreakerOptions bad;
  bad.window_size = 0;
  CHECK(sr::ValidateOptions(bad).message() == "window_size must be in [1, 1000000], got 0");
  bad = {};
  bad.failure_rate_threshold = 150;
  CHECK(sr::ValidateOptions(bad).code() == absl::StatusCode::kInvalidArgument);
  CHECK(sr::BreakerStateName(BreakerState::kHalfOpen) == "HALF_OPEN");
  CHECK(static_cast<int>(BreakerState::kOpen) == 1);  // §5.8 gauge value.
}

TEST_CASE("concurrency smoke test: counts add up, one transition reported", "[breaker]") {
  FakeClock clock;
  Recorder rec;
  auto options = RateOptions(100, 100);
  options.on_state_change = rec.Callback();
  sr::CircuitBreaker b(options, clock);
  constexpr int kThreads = 4;
  constexpr int kCalls = 5000;
  std::atomic<int64_t> permitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&b, &permitted] {
      for (int i = 0; i < kCalls; ++i) {
        if (!b.Allow()) continue;
        ++permitted;
        b.Record(true, kFast);
      }
    });
  }
  for (auto& th : threads) th.join();
  auto m = b.metrics();
  CHECK(m.successful_calls + m.failed_calls == permitted.load());
  CHECK(permitted.load() == kThreads * kCalls);
  CHECK(m.not_permitted_calls == 0);
  CHECK(b.state() == BreakerState::kClosed);
  // Now everyone fails: the breaker opens exactly once (the clock does not move).
  threads.clear();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&b] {
      for (int i = 0; i < kCalls; ++i) {
        if (b.Allow()) b.Record(false, kFast);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(b.state() == BreakerState::kOpen);
  absl::MutexLock lock(&rec.mu);
  CHECK(rec.changes.size() == static_cast<size_t>(b.metrics().state_changes));
  CHECK(rec.changes.back() == std::make_pair(BreakerState::kClosed, BreakerState::kOpen));
}
