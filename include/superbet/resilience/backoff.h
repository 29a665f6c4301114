// Exponential backoff with jitter, exactly as Marc Brooker, "Exponential Backoff and Jitter", AWS
// Architecture Blog (2015), with `attempt` counted from 0 and temp = min(cap, base * 2^attempt):
//
//   full jitter          sleep = random_between(0, temp)
//   equal jitter         sleep = temp / 2 + random_between(0, temp / 2)
//   decorrelated jitter  sleep = min(cap, random_between(base, prev_sleep * 3)), prev_sleep starts
//                        at base
//   none                 sleep = temp (plain capped exponential backoff)
//
// random_between(a, b) is uniform on [a, b): a + (b - a) * u, with u = (x >> 11) * 2^-53 for the
// next 64-bit output x of std::mt19937_64 seeded with the injected seed. The sequence for a seed is
// therefore identical on every platform (std::uniform_real_distribution is not).
//
// The broadcast plant's policy: equal jitter, base 1 s, cap 60 s, 5 attempts, no sleep
// after the last attempt; a server's Retry-After is honoured when it is >= the jittered wait, i.e.
// the wait is max(jittered, retry_after).

#ifndef SUPERBET_RESILIENCE_BACKOFF_H_
#define SUPERBET_RESILIENCE_BACKOFF_H_

#include <cstdint>
#include <optional>
#include <random>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace superbet::resilience {

enum class Jitter { kNone, kFull, kEqual, kDecorrelated };

// A deterministic uniform draw on [lo, hi) from `rng` (see above). Returns lo when hi <= lo.
double RandomBetween(std::mt19937_64& rng, double lo, double hi);

// min(cap, base * 2^attempt) in seconds; attempt >= 0 (negative is treated as 0); never overflows.
double CappedExponentialS(double base_s, double cap_s, int attempt);

// The three formulas of Brooker (2015), in seconds.
double FullJitterS(std::mt19937_64& rng, double base_s, double cap_s, int attempt);
double EqualJitterS(std::mt19937_64& rng, double base_s, double cap_s, int attempt);
double DecorrelatedJitterS(std::mt19937_64& rng, double base_s, double cap_s, double prev_s);

struct BackoffOptions {
  Jitter jitter = Jitter::kEqual;
  absl::Duration base = absl::Seconds(1);  // > 0.
  absl::Duration cap = absl::Seconds(60);  // >= base.
  int max_attempts = 5;                    // Total attempts including the first, >= 1.
};

// Checks the options. Errors: InvalidArgument naming the field and value.
[[nodiscard]] absl::Status ValidateOptions(const BackoffOptions& options);

// The retry schedule of one logical call. Usage:
//   Backoff backoff(options, seed);
//   while (true) {
//     status = Attempt();
//     if (status.ok() || !retryable(status) || !backoff.CanRetry()) break;
//     sleep(backoff.NextDelay(RetryAfterFromStatus(status)));
//   }
// Thread-compatible (one logical call per Backoff object). Owns its RNG.
class Backoff {
 public:
  Backoff(BackoffOptions options, uint64_t seed);

  // True while another attempt is allowed: fewer than max_attempts have been started. The first
  // attempt is implicitly started at construction; each NextDelay() starts one more.
  bool CanRetry() const { return attempts_started_ < options_.max_attempts; }
  // The wait before the next attempt: the jittered delay for the failed attempt number
  // attempts_started - 1 (0-based), raised to `retry_after` when the server asked for longer.
  // Counts the next attempt as started.
  absl::Duration NextDelay(std::optional<absl::Duration> retry_after = std::nullopt);
  // Attempts started so far (>= 1).
  int attempts_started() const { return attempts_started_; }
  // Starts over (attempt 0, decorrelated state back to base); the RNG is not reseeded.
  void Reset();

  const BackoffOptions& options() const { return options_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 rng_;
  int attempts_started_ = 1;
  double prev_s_;
};

// Parses an HTTP Retry-After header value (RFC 9110 §10.2.3): either delay-seconds (a
// non-negative integer, "120") or an HTTP-date in any of the three forms a recipient must accept
// ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994").
// A date is turned into a delay relative to `now`; a date in the past gives zero.
// Errors: InvalidArgument quoting the value when it is neither form.
[[nodiscard]] absl::StatusOr<absl::Duration> ParseRetryAfter(absl::string_view value,
                                                             absl::Time now);

// The "retry_after_s=N" hint that providers put in kResourceExhausted / kUnavailable messages
// (superbet/providers/provider.h); nullopt when absent or malformed. N may be fractional.
std::optional<absl::Duration> RetryAfterFromStatus(const absl::Status& status);

}  // namespace superbet::resilience

#endif  // SUPERBET_RESILIENCE_BACKOFF_H_
