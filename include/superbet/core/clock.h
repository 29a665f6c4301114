// Injected time. Library logic never reads the wall clock: it takes a Clock& (or an absl::Time)
// from its caller, so that backtests, training runs and tests are reproducible.

#ifndef SUPERBET_CORE_CLOCK_H_
#define SUPERBET_CORE_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace superbet::core {

// A source of the current time (UTC). Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // The current time.
  virtual absl::Time Now() const = 0;
};

// The real wall clock. Only binaries (CLI, services) create one; library code receives it.
// Thread-safe; stateless.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  // A process-wide instance.
  static SystemClock& Instance();
};

// A manually advanced clock for tests and replays. Thread-safe (atomic nanoseconds since epoch).
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::UnixEpoch()) : ns_(absl::ToUnixNanos(start)) {}
  absl::Time Now() const override { return absl::FromUnixNanos(ns_.load()); }
  // Moves the clock forward by `d` (a negative duration moves it back).
  void Advance(absl::Duration d) { ns_.fetch_add(absl::ToInt64Nanoseconds(d)); }
  // Sets the clock to `t`.
  void Set(absl::Time t) { ns_.store(absl::ToUnixNanos(t)); }

 private:
  std::atomic<int64_t> ns_;
};

}  // namespace superbet::core

#endif  // SUPERBET_CORE_CLOCK_H_
