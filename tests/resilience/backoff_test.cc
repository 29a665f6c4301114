// Backoff and Retry-After tests.
// Oracles: the formulas of Brooker (2015) evaluated by hand for the bounds; for the exact
// sequences, an independent Python implementation of the MT19937-64 reference algorithm
// (Nishimura & Matsumoto 2000; it reproduces the C++ standard's mandated 10000th output
// 9981545732273789042 for the default seed) fed through the same u = (x >> 11) * 2^-53 mapping.
// Retry-After: the RFC 9110 §5.6.7 example dates.

#include "superbet/resilience/backoff.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

namespace sr = superbet::resilience;

TEST_CASE("mt19937_64 matches the standard's mandated value", "[backoff]") {
  std::mt19937_64 rng;  // Default seed 5489.
  REQUIRE(rng() == 14514284786278117030ULL);
  rng.discard(9998);
  REQUIRE(rng() == 9981545732273789042ULL);
}

TEST_CASE("capped exponential: base * 2^attempt up to cap, no overflow", "[backoff]") {
  CHECK(sr::CappedExponentialS(1, 60, 0) == 1);
  CHECK(sr::CappedExponentialS(1, 60, 4) == 16);
  CHECK(sr::CappedExponentialS(1, 60, 6) == 60);
  CHECK(sr::CappedExponentialS(1, 60, 5000) == 60);
  CHECK(sr::CappedExponentialS(0.5, 60, -3) == 0.5);
}

TEST_CASE("jitter bounds over many draws", "[backoff]") {
  std::mt19937_64 rng(7);
  for (int attempt = 0; attempt < 8; ++attempt) {
    const double temp = std::min(60.0, std::ldexp(1.0, attempt));
    double lo_full = 1e9, hi_full = -1, lo_eq = 1e9, hi_eq = -1;
    for (int i = 0; i < 2000; ++i) {
      const double f = sr::FullJitterS(rng, 1, 60, attempt);
      const double e = sr::EqualJitterS(rng, 1, 60, attempt);
      REQUIRE(f >= 0);
      REQUIRE(f < temp);
      REQUIRE(e >= temp / 2);
      REQUIRE(e < temp);
      lo_full = std::min(lo_full, f);
      hi_full = std::max(hi_full, f);
      lo_eq = std::min(lo_eq, e);
      hi_eq = std::max(hi_eq, e);
    }
    // 2000 uniform draws cover the range: within 1 % of each end.
    CHECK(lo_full < 0.01 * temp);
    CHECK(hi_full > 0.99 * temp);
    CHECK(lo_eq < 0.505 * temp);
    CHECK(hi_eq > 0.995 * temp);
  }
  // §5.9: equal jitter with base 1 s, cap 60 s: attempt 4 waits in [8, 16] s.
  double prev = 1.0;
  for (int i = 0; i < 2000; ++i) {
    const double d = sr::DecorrelatedJitterS(rng, 1, 10, prev);
    REQUIRE(d >= 1);
    REQUIRE(d <= 10);
    REQUIRE(d < std::max(1.0, prev * 3) + 1e-12);
    prev = d;
  }
}

TEST_CASE("exact sequences for seed 42", "[backoff]") {
  const std::vector<double> equal = {0.8775777664772695, 1.6390313938546974, 3.5042904014960534,
                                     4.545090734529748, 15.226151731427027};
  const std::vector<double> full = {0.755155532954539, 1.2780627877093949, 3.0085808029921064,
                                    1.0901814690594964, 14.452303462854053};
  const std::vector<double> decorrelated = {
      2.510311065909078, 5.1734713445155505, 10.0, 4.951907825340674, 10.0, 3.727981041122274};
  SECTION("equal jitter, base 1 s, cap 60 s, 5 attempts (ARCHITECTURE §5.9)") {
    sr::Backoff b({sr::Jitter::kEqual, absl::Seconds(1), absl::Seconds(60), 6}, 42);
    for (double want : equal) {
      REQUIRE(b.CanRetry());
      CHECK(absl::ToDoubleSeconds(b.NextDelay()) == Approx(want).epsilon(0).margin(1e-9));
    }
  }
  SECTION("full jitter") {
    sr::Backoff b({sr::Jitter::kFull, absl::Seconds(1), absl::Seconds(60), 6}, 42);
    for (double want : full) {
      CHECK(absl::ToDoubleSeconds(b.NextDelay()) == Approx(want).epsilon(0).margin(1e-9));
    }
  }
  SECTION("decorrelated jitter, cap 10 s") {
    sr::Backoff b({sr::Jitter::kDecorrelated, absl::Seconds(1), absl::Seconds(10), 7}, 42);
    for (double want : decorrelated) {
      CHECK(absl::ToDoubleSeconds(b.NextDelay()) == Approx(want).epsilon(0).margin(1e-9));
    }
  }
  SECTION("no jitter") {
    sr::Backoff b({sr::Jitter::kNone, absl::Seconds(1), absl::Seconds(5), 6}, 42);
    CHECK(b.NextDelay() == absl::Seconds(1));
    CHECK(b.NextDelay() == absl::Seconds(2));
    CHECK(b.NextDelay() == absl::Seconds(4));
    CHECK(b.NextDelay() == absl::Seconds(5));
  }
}

TEST_CASE("max attempts: 5 attempts give 4 waits", "[backoff]") {
  sr::Backoff b({sr::Jitter::kEqual, absl::Seconds(1), absl::Seconds(60), 5}, 1);
  int waits = 0;
  absl::Duration total;
  while (b.CanRetry() && waits < 100) {  // Bounded: a CanRetry bug must fail, not hang.
    total += b.NextDelay();
    ++waits;
  }
  CHECK(waits == 4);
  CHECK(b.attempts_started() == 5);
  CHECK(total <= absl::Seconds(15));  // §5.9: at most 1 + 2 + 4 + 8 = 15 s.
  b.Reset();
  CHECK(b.CanRetry());
  CHECK(b.attempts_started() == 1);
}

TEST_CASE("Retry-After raises the delay, never lowers it", "[backoff]") {
  sr::Backoff b({sr::Jitter::kEqual, absl::Seconds(1), absl::Seconds(60), 5}, 42);
  CHECK(b.NextDelay(absl::Seconds(30)) == absl::Seconds(30));
  // Attempt 1 waits in [1, 2) s; a 0.1 s Retry-After does not shorten it.
  const absl::Duration d = b.NextDelay(absl::Milliseconds(100));
  CHECK(d >= absl::Seconds(1));
  CHECK(d < absl::Seconds(2));
}

TEST_CASE("ParseRetryAfter: delay-seconds and the three HTTP-date forms", "[backoff]") {
  const absl::Time now = absl::FromUnixSeconds(784111717);  // Sun, 06 Nov 1994 08:48:37 GMT.
  auto seconds = sr::ParseRetryAfter("120", now);
  REQUIRE(seconds.ok());
  CHECK(*seconds == absl::Seconds(120));
  CHECK(*sr::ParseRetryAfter(" 0 ", now) == absl::ZeroDuration());
  for (const char* date : {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                           "Sun Nov  6 08:49:37 1994"}) {
    INFO(date);
    auto d = sr::ParseRetryAfter(date, now);
    REQUIRE(d.ok());
    CHECK(*d == absl::Seconds(60));
  }
  // A date in the past means "now".
  CHECK(*sr::ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now) == absl::ZeroDuration());
  for (const char* bad : {"", "-5", "soon", "1.5", "Sun, 06 Nov 1994"}) {
    INFO(bad);
    auto d = sr::ParseRetryAfter(bad, now);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("RetryAfterFromStatus reads the provider hint", "[backoff]") {
  CHECK(sr::RetryAfterFromStatus(absl::ResourceExhaustedError("HTTP 429; retry_after_s=12")) ==
        absl::Seconds(12));
  CHECK(sr::RetryAfterFromStatus(absl::ResourceExhaustedError("retry_after_s=1.5 quota")) ==
        absl::Milliseconds(1500));
  CHECK_FALSE(sr::RetryAfterFromStatus(absl::ResourceExhaustedError("HTTP 429")).has_value());
  CHECK_FALSE(sr::RetryAfterFromStatus(absl::UnavailableError("retry_after_s=x")).has_value());
}

TEST_CASE("ValidateOptions names the bad field", "[backoff]") {
  CHECK(sr::ValidateOptions(sr::BackoffOptions{}).ok());
  sr::BackoffOptions o;
  o.max_attempts = 0;
  CHECK(sr::ValidateOptions(o).message() == "backoff max_attempts must be >= 1, got 0");
  o = {};
  o.cap = absl::Milliseconds(10);
  CHECK(sr::ValidateOptions(o).code() == absl::StatusCode::kInvalidArgument);
}
