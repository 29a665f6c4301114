// A circuit breaker with Resilience4j's semantics (resilience4j.readme.io/docs/circuitbreaker),
// plus the consecutive-failures mode of pybreaker (`fail_max`) used by the seed design.
//
// States (a metrics gauge exports the enum values):
//   CLOSED (0)     calls are permitted; their outcomes are recorded in a sliding window.
//   OPEN (1)       calls are rejected (TryAcquirePermission() returns false and the rejection is
//                  counted) until `wait_in_open` has elapsed since the breaker opened; the first
//                  TryAcquirePermission() after that moves it to HALF_OPEN (as Resilience4j without
//                  automaticTransitionFromOpenToHalfOpenEnabled: state() keeps reporting OPEN until
//                  a call is attempted).
//   HALF_OPEN (2)  exactly `permitted_calls_in_half_open` trial calls are permitted; further calls
//                  are rejected. When all trial calls have recorded an outcome the breaker
//                  evaluates them alone: if the failure rate or the slow-call rate reaches its
//                  threshold it re-opens (for another `wait_in_open`), otherwise it closes with an
//                  empty window. In consecutive-failures mode any failed trial re-opens it at once
//                  and the trials all succeeding closes it.
//   DISABLED (3), FORCED_OPEN (4)  manual states: always permit / always reject, record nothing,
//                  until TransitionToClosed() or Reset().
//
// Rate mode (Resilience4j), evaluated after each recorded outcome in CLOSED:
//   * the window holds the last `window_size` calls (COUNT_BASED) or the calls of the last
//     `window_size` seconds (TIME_BASED, aggregated into one bucket per epoch second);
//   * nothing is evaluated until the window holds at least `minimum_calls` calls (for a count
//     window, min(minimum_calls, window_size));
//   * failure rate = failures / calls * 100, slow-call rate = slow calls / calls * 100; a call is
//     slow when its duration is > `slow_call_duration` (a failed slow call counts in both rates);
//   * the breaker opens when a rate is >= its threshold (Resilience4j), or strictly > it when
//     `open_only_above_threshold` is set (the broadcast breaker opens above 50 %).
// Consecutive-failures mode (`consecutive_failures` > 0): the window is ignored; the breaker
// opens when that many failures are recorded in a row in CLOSED (a success resets the run).
// Slow calls are still counted in metrics but do not open the breaker in this mode.
//
// Usage, for each protected call:
//   if (!breaker.TryAcquirePermission()) { /* rejected: fall back */ }
//   absl::Time t0 = clock.Now(); status = Call(); absl::Duration d = clock.Now() - t0;
//   if (counts_as_failure(status)) breaker.OnError(d);
//   else if (ignored(status)) breaker.ReleasePermission();
//   else breaker.OnSuccess(d);
// Allow() / Record(bool success, Duration) are shorter names for the same calls.
//
// Callbacks: `on_state_change(from, to)` is called exactly once per state change, after the
// breaker's lock is released (a callback may call back into the breaker), in the thread whose
// call caused the change.
//
// Thread-safety: thread-safe (one absl::Mutex). The clock is not owned and must outlive the
// breaker; it is read only when the state or a time window needs it.

#ifndef SUPERBET_RESILIENCE_CIRCUIT_BREAKER_H_
#define SUPERBET_RESILIENCE_CIRCUIT_BREAKER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/core/clock.h"

namespace superbet::resilience {

enum class BreakerState : int {
  kClosed = 0,
  kOpen = 1,
  kHalfOpen = 2,
  kDisabled = 3,
  kForcedOpen = 4,
};

// "CLOSED", "OPEN", "HALF_OPEN", "DISABLED", "FORCED_OPEN".
absl::string_view BreakerStateName(BreakerState state);

enum class SlidingWindowType { kCountBased, kTimeBased };

struct CircuitBreakerOptions {
  // Name used in logs and errors ("api-football").
  std::string name = "breaker";
  // > 0 selects consecutive-failures mode: open after this many failures in a row.
  int consecutive_failures = 0;
  // Rate mode. Resilience4j's defaults except where noted.
  SlidingWindowType window_type = SlidingWindowType::kCountBased;
  int window_size = 100;                    // Calls (count-based) or seconds (time-based), 1..1e6.
  int minimum_calls = 100;                  // Calls needed before a rate is evaluated, >= 1.
  double failure_rate_threshold = 50.0;     // Percent, in (0, 100].
  double slow_call_rate_threshold = 100.0;  // Percent, in (0, 100].
  absl::Duration slow_call_duration = absl::Seconds(60);  // A call longer than this is slow.
  bool open_only_above_threshold =
      false;  // true: rate > threshold opens; false: rate >= threshold.
  // Both modes.
  absl::Duration wait_in_open = absl::Seconds(60);  // Time OPEN before a trial is allowed, > 0.
  int permitted_calls_in_half_open = 10;            // Trial calls in HALF_OPEN, >= 1.
  // Called once per state change (from, to), outside the breaker's lock. May be empty.
  std::function<void(BreakerState from, BreakerState to)> on_state_change;
};

// The provider breaker: 3 consecutive failures open it, 60 s in OPEN,
// one trial call in HALF_OPEN.
CircuitBreakerOptions ProviderBreakerOptions(std::string name);

// The per-platform broadcast breaker: failure rate > 50 % over the last
// 10 calls once at least 5 were made, 300 s in OPEN, 3 trial calls.
CircuitBreakerOptions PlatformBreakerOptions(std::string name);

// Checks the options. Errors: InvalidArgument naming the field and its value
// ("window_size must be in [1, 1000000], got 0").
[[nodiscard]] absl::Status ValidateOptions(const CircuitBreakerOptions& options);

// Counters since construction (or Reset()). `calls` counts recorded outcomes; `buffered_*` is what
// the current window (or half-open trial set) holds.
struct BreakerMetrics {
  int64_t successful_calls = 0;
  int64_t failed_calls = 0;
  int64_t slow_calls = 0;
  int64_t not_permitted_calls = 0;
  int64_t state_changes = 0;
  int buffered_calls = 0;
  int buffered_failed_calls = 0;
  int buffered_slow_calls = 0;
  int consecutive_failures = 0;
  // Rates of the current window in percent; -1 while fewer than the minimum calls are buffered.
  double failure_rate = -1.0;
  double slow_call_rate = -1.0;
};

class CircuitBreaker {
 public:
  // Invalid option values are replaced by their defaults (clamped into range); call
  // ValidateOptions() first to report them. `clock` is not owned.
  CircuitBreaker(CircuitBreakerOptions options, const superbet::core::Clock& clock);
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // True when the caller may make the call; it must then report the outcome with OnSuccess /
  // OnError / ReleasePermission. False (counted in not_permitted_calls) when OPEN and the wait has
  // not elapsed, FORCED_OPEN, or HALF_OPEN with all trial permits taken.
  bool TryAcquirePermission();
  // Records a successful call that took `duration` (slow when > slow_call_duration).
  void OnSuccess(absl::Duration duration);
  // Records a failed call that took `duration`.
  void OnError(absl::Duration duration);
  // Gives back a permission whose call is not recorded (an ignored error, e.g. a permanent 4xx).
  // In HALF_OPEN it frees the trial permit; otherwise it has no effect.
  void ReleasePermission();

  // Short names: Allow() == TryAcquirePermission(); Record(true, d) == OnSuccess(d),
  // Record(false, d) == OnError(d).
  bool Allow() { return TryAcquirePermission(); }
  void Record(bool success, absl::Duration duration = absl::ZeroDuration()) {
    success ? OnSuccess(duration) : OnError(duration);
  }

  // The current state (no transition happens on reading; see OPEN above).
  BreakerState state() const;
  BreakerMetrics metrics() const;
  const std::string& name() const { return options_.name; }
  // When the breaker last opened (InfinitePast() if never).
  absl::Time opened_at() const;

  // Manual transitions (each fires the callback if the state changes). TransitionToClosed()
  // clears the window.
  void TransitionToClosed();
  void TransitionToOpen();
  void TransitionToDisabled();
  void TransitionToForcedOpen();
  // Back to CLOSED with empty window and zeroed counters.
  void Reset();

 private:
  struct Transition {
    BreakerState from;
    BreakerState to;
  };
  // Transitions made under the lock, fired after it is released (at most 2 per call; no heap).
  struct Pending {
    Transition t[2];
    int n = 0;
  };
  // Per-epoch-second aggregate of a time-based window, or one call of a count window.
  struct Bucket {
    int64_t epoch_s = INT64_MIN;
    int32_t calls = 0;
    int32_t failures = 0;
    int32_t slow = 0;
  };

  void RecordOutcome(bool failure, absl::Duration duration);
  void RecordClosedLocked(bool failure, bool slow, Pending* out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RecordHalfOpenLocked(bool failure, bool slow, Pending* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddToWindowLocked(bool failure, bool slow) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EvictTimeWindowLocked(int64_t now_s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool RatesExceededLocked(int calls, int failures, int slow, int min_calls) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ClearWindowLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetStateLocked(BreakerState to, Pending* out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Fire(const Pending& pending) const;
  int EffectiveMinimumCalls() const;

  const CircuitBreakerOptions options_;
  const superbet::core::Clock& clock_;

  mutable absl::Mutex mu_;
  BreakerState state_ ABSL_GUARDED_BY(mu_) = BreakerState::kClosed;
  // A copy of state_ written under mu_, read without it by TryAcquirePermission's fast path
  // (CLOSED / DISABLED permit without taking the lock, as Resilience4j reads an AtomicReference).
  std::atomic<BreakerState> fast_state_{BreakerState::kClosed};
  absl::Time opened_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Window: a ring of `window_size` buckets (count: one call each; time: one second each).
  std::vector<Bucket> ring_ ABSL_GUARDED_BY(mu_);
  int ring_next_ ABSL_GUARDED_BY(mu_) = 0;                  // Count window: next slot to overwrite.
  int64_t newest_second_ ABSL_GUARDED_BY(mu_) = INT64_MIN;  // Time window: newest bucket.
  int window_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int window_failures_ ABSL_GUARDED_BY(mu_) = 0;
  int window_slow_ ABSL_GUARDED_BY(mu_) = 0;
  int consecutive_failures_ ABSL_GUARDED_BY(mu_) = 0;
  // Half-open trials.
  int half_open_permits_left_ ABSL_GUARDED_BY(mu_) = 0;
  int half_open_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int half_open_failures_ ABSL_GUARDED_BY(mu_) = 0;
  int half_open_slow_ ABSL_GUARDED_BY(mu_) = 0;
  // Counters.
  int64_t successful_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t slow_total_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t not_permitted_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t state_changes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace superbet::resilience

#endif  // SUPERBET_RESILIENCE_CIRCUIT_BREAKER_H_
