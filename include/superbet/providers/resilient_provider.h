// A Provider decorator that adds provider resilience: a circuit
// breaker, retries with jittered backoff, and the 5-minute fallback for live reads.
//
// Every call of every endpoint:
//   1. asks the breaker for permission (consecutive-failures mode by default: 3 failed attempts in
//      a row open it, 60 s in OPEN, then one trial call; success closes it, failure re-opens it);
//   2. calls the inner provider; the attempt's outcome is recorded in the breaker:
//        failure  kUnavailable, kResourceExhausted, kDataLoss, kDeadlineExceeded (network error,
//                 timeout, HTTP 429 / 5xx, unparsable body) — retried;
//        ignored  every other error (kInvalidArgument, kUnauthenticated, kNotFound,
//                 kUnimplemented, ... — permanent, "any other 4xx"): returned at once, not
//                 retried, not counted (the breaker permission is released, as Resilience4j does
//                 for ignored exceptions);
//   3. on a failure, waits Backoff::NextDelay() through the injected sleeper — raised to the
//      server's "retry_after_s=N" hint — and tries again, up to backoff.max_attempts attempts. A
//      Retry-After longer than `max_retry_after` is not waited for: the call fails at once.
//      Each attempt is one breaker call, so a single call can open the breaker.
// Live reads: successful GetFixture / LiveFixtures results are recorded into a LiveStatsWindow
// (and the fixture record kept), successful Statistics results into a second window (statistics
// states carry no minute/score, so they are not mixed with fixture states). When GetFixture or
// Statistics fail with a failure-class error or are rejected by the open breaker, they return the
// window's Fallback() instead: the 5-minute average with data_staleness_s = age of the newest
// observation, which grows as the clock advances. With nothing recorded the error is NotFound
// ("... no fallback: no live stats recorded for match X; live read failed: <cause>").
// The other endpoints have no fallback; an open breaker makes them fail with kUnavailable
// ("circuit breaker 'NAME' is OPEN ...").
//
// Degraded modes are logged once per transition with spdlog (breaker state changes; first
// fallback served after a live read; first live read after fallbacks) and counted (counters()).
//
// Thread-safety: thread-safe when the inner provider is. Ownership: `inner` and `clock` are not
// owned and must outlive this object.

#ifndef SUPERBET_PROVIDERS_RESILIENT_PROVIDER_H_
#define SUPERBET_PROVIDERS_RESILIENT_PROVIDER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/core/clock.h"
#include "superbet/providers/live_stats_window.h"
#include "superbet/providers/provider.h"
#include "superbet/resilience/backoff.h"
#include "superbet/resilience/circuit_breaker.h"

namespace superbet::providers {

// Waits for a duration. Production: a function calling absl::SleepFor; tests: one that advances a
// FakeClock (or records the delays) without sleeping.
using Sleeper = std::function<void(absl::Duration)>;

struct ResilientProviderOptions {
  // The breaker; its name defaults to the inner provider's name when empty. A user
  // on_state_change callback is called after the provider's own logging.
  resilience::CircuitBreakerOptions breaker = resilience::ProviderBreakerOptions("");
  // Retries of one call: 3 attempts, equal jitter, base 0.5 s, cap 8 s (waits in [0.25, 0.5) s and
  // [0.5, 1) s), so a live read never blocks for more than ~1.5 s plus the attempts themselves.
  resilience::BackoffOptions backoff{resilience::Jitter::kEqual, absl::Milliseconds(500),
                                     absl::Seconds(8), 3};
  // Seed of the jitter RNG; call number k uses seed + k.
  uint64_t seed = 0;
  // A server asking to wait longer than this is not waited for.
  absl::Duration max_retry_after = absl::Seconds(30);
  // Rows kept per match in each LiveStatsWindow.
  int window_capacity = 64;
  // A time-series store behind GetFixture's fallback (superbet/store/provider_fallback.h connects
  // a store::Store): when set, every live fixture state recorded into the window is also passed to
  // `record_live` (with its observation time), and the fallback is `fallback_source(match key,
  // now)` instead of the window's, so it survives a restart. Both unset: the window only.
  std::function<void(const superbet::v1::LiveMatchState& state, absl::Time observed_at)>
      record_live;
  std::function<absl::StatusOr<superbet::v1::LiveMatchState>(const std::string& match_key,
                                                             absl::Time now)>
      fallback_source;
};

// Counters since construction.
struct ResilientProviderCounters {
  int64_t calls = 0;             // Public method calls.
  int64_t attempts = 0;          // Calls made to the inner provider.
  int64_t retries = 0;           // Backoff waits.
  int64_t failures = 0;          // Failure-class attempt outcomes.
  int64_t permanent_errors = 0;  // Ignored (permanent) errors returned.
  int64_t rejected = 0;          // Calls not attempted because the breaker was open.
  int64_t fallbacks_served = 0;  // GetFixture / Statistics answered from the window.
  int64_t fallback_misses = 0;   // Fallback wanted but nothing recorded (NotFound returned).
};

// True for the failure-class codes above (retried and counted by the breaker).
bool IsTransientFailure(const absl::Status& status);

class ResilientProvider final : public Provider {
 public:
  ResilientProvider(Provider* inner, const superbet::core::Clock& clock, Sleeper sleeper,
                    ResilientProviderOptions options = {});
  ResilientProvider(const ResilientProvider&) = delete;
  ResilientProvider& operator=(const ResilientProvider&) = delete;

  // The inner provider's name.
  std::string name() const override;
  [[nodiscard]] absl::StatusOr<std::vector<LiveFixture>> LiveFixtures() override;
  [[nodiscard]] absl::StatusOr<LiveFixture> GetFixture(const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<superbet::v1::LiveMatchState> Statistics(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::MatchEvent>> Events(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Lineup>> Lineups(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::BettingLine>> PrematchOdds(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::BettingLine>> LiveOdds(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Injury>> Injuries(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<PlayerPage> Players(const std::string& team_id, int season,
                                                   int page) override;

  ResilientProviderCounters counters() const;
  resilience::BreakerState breaker_state() const { return breaker_.state(); }
  const resilience::CircuitBreaker& breaker() const { return breaker_; }
  // The canonical "<provider>:<id>" key of a fixture id given bare or canonical.
  std::string MatchKey(const std::string& fixture_id) const;

 private:
  // Runs `attempt` under breaker + retry. `what` names the call in messages ("GetFixture(123)").
  template <typename T>
  [[nodiscard]] absl::StatusOr<T> Call(const std::string& what,
                                       const std::function<absl::StatusOr<T>()>& attempt);
  void NoteLiveRead();
  void NoteFallback(const std::string& what, const superbet::v1::LiveMatchState& state);
  void RememberFixture(const LiveFixture& live);
  [[nodiscard]] absl::StatusOr<superbet::v1::LiveMatchState> FallbackState(
      const LiveStatsWindow& window, const std::string& key, const absl::Status& cause);
  resilience::CircuitBreakerOptions BreakerOptions(resilience::CircuitBreakerOptions options);

  Provider* const inner_;
  const superbet::core::Clock& clock_;
  const Sleeper sleeper_;
  const ResilientProviderOptions options_;
  const std::string name_;
  resilience::CircuitBreaker breaker_;
  LiveStatsWindow fixture_window_;
  LiveStatsWindow stats_window_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, LiveFixture> last_fixture_ ABSL_GUARDED_BY(mu_);

  std::atomic<uint64_t> call_number_{0};
  std::atomic<bool> degraded_{false};
  std::atomic<int64_t> calls_{0}, attempts_{0}, retries_{0}, failures_{0}, permanent_{0},
      rejected_{0}, fallbacks_{0}, fallback_misses_{0};
};

}  // namespace superbet::providers

#endif  // SUPERBET_PROVIDERS_RESILIENT_PROVIDER_H_
