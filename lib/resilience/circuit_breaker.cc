#include "superbet/resilience/circuit_breaker.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace superbet::resilience {
namespace {

constexpr int kMaxWindow = 1000000;

int64_t EpochSecond(absl::Time t) { return absl::ToUnixSeconds(t); }

double Percent(int part, int whole) { return whole == 0 ? 0.0 : 100.0 * part / whole; }

CircuitBreakerOptions Clamped(CircuitBreakerOptions o) {
  o.consecutive_failures = std::max(0, o.consecutive_failures);
  o.window_size = std::clamp(o.window_size, 1, kMaxWindow);
  o.minimum_calls = std::max(1, o.minimum_calls);
  o.permitted_calls_in_half_open = std::max(1, o.permitted_calls_in_half_open);
  if (!(o.failure_rate_threshold > 0 && o.failure_rate_threshold <= 100)) {
    o.failure_rate_threshold = 50.0;
  }
  if (!(o.slow_call_rate_threshold > 0 && o.slow_call_rate_threshold <= 100)) {
    o.slow_call_rate_threshold = 100.0;
  }
  if (o.wait_in_open <= absl::ZeroDuration()) o.wait_in_open = absl::Seconds(60);
  return o;
}

}  // namespace

absl::string_view BreakerStateName(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "CLOSED";
    case BreakerState::kOpen:
      return "OPEN";
    case BreakerState::kHalfOpen:
      return "HALF_OPEN";
    case BreakerState::kDisabled:
      return "DISABLED";
    case BreakerState::kForcedOpen:
      return "FORCED_OPEN";
  }
  return "UNKNOWN";
}

CircuitBreakerOptions ProviderBreakerOptions(std::string name) {
  CircuitBreakerOptions o;
  o.name = std::move(name);
  o.consecutive_failures = 3;
  o.wait_in_open = absl::Seconds(60);
  o.permitted_calls_in_half_open = 1;
  return o;
}

CircuitBreakerOptions PlatformBreakerOptions(std::string name) {
  CircuitBreakerOptions o;
  o.name = std::move(name);
  o.window_type = SlidingWindowType::kCountBased;
  o.window_size = 10;
  o.minimum_calls = 5;
  o.failure_rate_threshold = 50.0;
  o.open_only_above_threshold = true;
  o.wait_in_open = absl::Seconds(300);
  o.permitted_calls_in_half_open = 3;
  return o;
}

absl::Status ValidateOptions(const CircuitBreakerOptions& o) {
  if (o.consecutive_failures < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("consecutive_failures must be >= 0, got ", o.consecutive_failures));
  }
  if (o.window_size < 1 || o.window_size > kMaxWindow) {
    return absl::InvalidArgumentError(
        absl::StrCat("window_size must be in [1, 1000000], got ", o.window_size));
  }
  if (o.minimum_calls < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("minimum_calls must be >= 1, got ", o.minimum_calls));
  }
  if (!(o.failure_rate_threshold > 0 && o.failure_rate_threshold <= 100)) {
    return absl::InvalidArgumentError(
        absl::StrCat("failure_rate_threshold must be in (0, 100], got ", o.failure_rate_threshold));
  }
  if (!(o.slow_call_rate_threshold > 0 && o.slow_call_rate_threshold <= 100)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "slow_call_rate_threshold must be in (0, 100], got ", o.slow_call_rate_threshold));
  }
  if (o.wait_in_open <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("wait_in_open must be > 0, got ", absl::FormatDuration(o.wait_in_open)));
  }
  if (o.permitted_calls_in_half_open < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "permitted_calls_in_half_open must be >= 1, got ", o.permitted_calls_in_half_open));
  }
  return absl::OkStatus();
}

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, const superbet::core::Clock& clock)
    : options_(Clamped(std::move(options))), clock_(clock) {
  absl::MutexLock lock(&mu_);
  if (options_.consecutive_failures == 0) ring_.resize(options_.window_size);
}

int CircuitBreaker::EffectiveMinimumCalls() const {
  if (options_.window_type == SlidingWindowType::kCountBased) {
    return std::min(options_.minimum_calls, options_.window_size);
  }
  return options_.minimum_calls;
}

bool CircuitBreaker::TryAcquirePermission() {
  const BreakerState fast = fast_state_.load(std::memory_order_acquire);
  if (fast == BreakerState::kClosed || fast == BreakerState::kDisabled) return true;
  Pending pending;
  bool permitted = false;
  {
    absl::MutexLock lock(&mu_);
    switch (state_) {
      case BreakerState::kClosed:
      case BreakerState::kDisabled:
        return true;
      case BreakerState::kForcedOpen:
        break;
      case BreakerState::kOpen:
        if (clock_.Now() - opened_at_ >= options_.wait_in_open) {
          SetStateLocked(BreakerState::kHalfOpen, &pending);
          --half_open_permits_left_;
          permitted = true;
        }
        break;
      case BreakerState::kHalfOpen:
        if (half_open_permits_left_ > 0) {
          --half_open_permits_left_;
          permitted = true;
        }
        break;
    }
    if (!permitted) ++not_permitted_;
  }
  Fire(pending);
  return permitted;
}

void CircuitBreaker::OnSuccess(absl::Duration duration) { RecordOutcome(false, duration); }

void CircuitBreaker::OnError(absl::Duration duration) { RecordOutcome(true, duration); }

void CircuitBreaker::ReleasePermission() {
  absl::MutexLock lock(&mu_);
  if (state_ == BreakerState::kHalfOpen &&
      half_open_permits_left_ + half_open_calls_ < options_.permitted_calls_in_half_open) {
    ++half_open_permits_left_;
  }
}

void CircuitBreaker::RecordOutcome(bool failure, absl::Duration duration) {
  const bool slow = duration > options_.slow_call_duration;
  Pending pending;
  {
    absl::MutexLock lock(&mu_);
    switch (state_) {
      case BreakerState::kClosed:
        RecordClosedLocked(failure, slow, &pending);
        break;
      case BreakerState::kHalfOpen:
        RecordHalfOpenLocked(failure, slow, &pending);
        break;
      default:  // OPEN, DISABLED, FORCED_OPEN: late or unprotected outcomes are not recorded.
        return;
    }
    failure ? ++failed_ : ++successful_;
    if (slow) ++slow_total_;
  }
  Fire(pending);
}

void CircuitBreaker::RecordClosedLocked(bool failure, bool slow, Pending* out) {
  if (options_.consecutive_failures > 0) {
    consecutive_failures_ = failure ? consecutive_failures_ + 1 : 0;
    if (consecutive_failures_ >= options_.consecutive_failures) {
      SetStateLocked(BreakerState::kOpen, out);
    }
    return;
  }
  AddToWindowLocked(failure, slow);
  if (RatesExceededLocked(window_calls_, window_failures_, window_slow_, EffectiveMinimumCalls())) {
    SetStateLocked(BreakerState::kOpen, out);
  }
}

void CircuitBreaker::RecordHalfOpenLocked(bool failure, bool slow, Pending* out) {
  ++half_open_calls_;
  if (failure) ++half_open_failures_;
  if (slow) ++half_open_slow_;
  const int n = options_.permitted_calls_in_half_open;
  if (options_.consecutive_failures > 0) {
    if (failure) {
      SetStateLocked(BreakerState::kOpen, out);
    } else if (half_open_calls_ >= n) {
      SetStateLocked(BreakerState::kClosed, out);
    }
    return;
  }
  if (half_open_calls_ < n) return;
  const bool reopen =
      RatesExceededLocked(half_open_calls_, half_open_failures_, half_open_slow_, n);
  SetStateLocked(reopen ? BreakerState::kOpen : BreakerState::kClosed, out);
}

void CircuitBreaker::AddToWindowLocked(bool failure, bool slow) {
  const int size = options_.window_size;
  Bucket* bucket;
  if (options_.window_type == SlidingWindowType::kCountBased) {
    bucket = &ring_[ring_next_];
    ring_next_ = ring_next_ + 1 == size ? 0 : ring_next_ + 1;
    window_calls_ -= bucket->calls;
    window_failures_ -= bucket->failures;
    window_slow_ -= bucket->slow;
    *bucket = Bucket{};
  } else {
    EvictTimeWindowLocked(EpochSecond(clock_.Now()));
    bucket = &ring_[static_cast<size_t>(((newest_second_ % size) + size) % size)];
    bucket->epoch_s = newest_second_;
  }
  ++bucket->calls;
  ++window_calls_;
  if (failure) {
    ++bucket->failures;
    ++window_failures_;
  }
  if (slow) {
    ++bucket->slow;
    ++window_slow_;
  }
}

void CircuitBreaker::EvictTimeWindowLocked(int64_t now_s) {
  const int64_t size = options_.window_size;
  if (newest_second_ == INT64_MIN || now_s - newest_second_ >= size) {
    ClearWindowLocked();
    newest_second_ = now_s;
    return;
  }
  // A clock that went back records into the newest bucket.
  for (int64_t s = newest_second_ + 1; s <= now_s; ++s) {
    Bucket& b = ring_[static_cast<size_t>(((s % size) + size) % size)];
    window_calls_ -= b.calls;
    window_failures_ -= b.failures;
    window_slow_ -= b.slow;
    b = Bucket{};
  }
  newest_second_ = std::max(newest_second_, now_s);
}

bool CircuitBreaker::RatesExceededLocked(int calls, int failures, int slow, int min_calls) const {
  if (calls < min_calls || calls == 0) return false;
  const double failure_rate = Percent(failures, calls);
  const double slow_rate = Percent(slow, calls);
  if (options_.open_only_above_threshold) {
    return failure_rate > options_.failure_rate_threshold ||
           slow_rate > options_.slow_call_rate_threshold;
  }
  return failure_rate >= options_.failure_rate_threshold ||
         slow_rate >= options_.slow_call_rate_threshold;
}

void CircuitBreaker::ClearWindowLocked() {
  std::fill(ring_.begin(), ring_.end(), Bucket{});
  ring_next_ = 0;
  newest_second_ = INT64_MIN;
  window_calls_ = window_failures_ = window_slow_ = 0;
  consecutive_failures_ = 0;
}

void CircuitBreaker::SetStateLocked(BreakerState to, Pending* out) {
  const BreakerState from = state_;
  if (from == to) return;
  state_ = to;
  fast_state_.store(to, std::memory_order_release);
  ++state_changes_;
  if (out->n < 2) out->t[out->n++] = Transition{from, to};
  switch (to) {
    case BreakerState::kOpen:
      opened_at_ = clock_.Now();
      break;
    case BreakerState::kHalfOpen:
      half_open_permits_left_ = options_.permitted_calls_in_half_open;
      half_open_calls_ = half_open_failures_ = half_open_slow_ = 0;
      break;
    case BreakerState::kClosed:
      ClearWindowLocked();
      break;
    default:
      break;
  }
}

void CircuitBreaker::Fire(const Pending& pending) const {
  if (pending.n == 0 || !options_.on_state_change) return;
  for (int i = 0; i < pending.n; ++i) options_.on_state_change(pending.t[i].from, pending.t[i].to);
}

BreakerState CircuitBreaker::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

absl::Time CircuitBreaker::opened_at() const {
  absl::MutexLock lock(&mu_);
  return opened_at_;
}

BreakerMetrics CircuitBreaker::metrics() const {
  absl::MutexLock lock(&mu_);
  BreakerMetrics m;
  m.successful_calls = successful_;
  m.failed_calls = failed_;
  m.slow_calls = slow_total_;
  m.not_permitted_calls = not_permitted_;
  m.state_changes = state_changes_;
  m.consecutive_failures = consecutive_failures_;
  int min_calls = EffectiveMinimumCalls();
  if (state_ == BreakerState::kHalfOpen) {
    m.buffered_calls = half_open_calls_;
    m.buffered_failed_calls = half_open_failures_;
    m.buffered_slow_calls = half_open_slow_;
    min_calls = options_.permitted_calls_in_half_open;
  } else {
    m.buffered_calls = window_calls_;
    m.buffered_failed_calls = window_failures_;
    m.buffered_slow_calls = window_slow_;
  }
  if (options_.consecutive_failures == 0 && m.buffered_calls >= min_calls && m.buffered_calls > 0) {
    m.failure_rate = Percent(m.buffered_failed_calls, m.buffered_calls);
    m.slow_call_rate = Percent(m.buffered_slow_calls, m.buffered_calls);
  }
  return m;
}

void CircuitBreaker::TransitionToClosed() {
  Pending pending;
  {
    absl::MutexLock lock(&mu_);
    SetStateLocked(BreakerState::kClosed, &pending);
    ClearWindowLocked();
  }
  Fire(pending);
}

void CircuitBreaker::TransitionToOpen() {
  Pending pending;
  {
    absl::MutexLock lock(&mu_);
    SetStateLocked(BreakerState::kOpen, &pending);
  }
  Fire(pending);
}

void CircuitBreaker::TransitionToDisabled() {
  Pending pending;
  {
    absl::MutexLock lock(&mu_);
    SetStateLocked(BreakerState::kDisabled, &pending);
  }
  Fire(pending);
}

void CircuitBreaker::TransitionToForcedOpen() {
  Pending pending;
  {
    absl::MutexLock lock(&mu_);
    SetStateLocked(BreakerState::kForcedOpen, &pending);
  }
  Fire(pending);
}

void CircuitBreaker::Reset() {
  Pending pending;
  {
    absl::MutexLock lock(&mu_);
    SetStateLocked(BreakerState::kClosed, &pending);
    ClearWindowLocked();
    successful_ = failed_ = slow_total_ = not_permitted_ = state_changes_ = 0;
    opened_at_ = absl::InfinitePast();
  }
  Fire(pending);
}

}  // namespace superbet::resilience
