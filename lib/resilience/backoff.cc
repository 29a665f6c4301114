#include "superbet/resilience/backoff.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace superbet::resilience {

double RandomBetween(std::mt19937_64& rng, double lo, double hi) {
  if (!(hi > lo)) return lo;
  const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return lo + (hi - lo) * u;
}

double CappedExponentialS(double base_s, double cap_s, int attempt) {
  attempt = std::max(0, attempt);
  if (attempt >= 1023) return cap_s;  // 2^attempt would overflow a double.
  return std::min(cap_s, base_s * std::ldexp(1.0, attempt));
}

double FullJitterS(std::mt19937_64& rng, double base_s, double cap_s, int attempt) {
  return RandomBetween(rng, 0.0, CappedExponentialS(base_s, cap_s, attempt));
}

double EqualJitterS(std::mt19937_64& rng, double base_s, double cap_s, int attempt) {
  const double temp = CappedExponentialS(base_s, cap_s, attempt);
  return temp / 2 + RandomBetween(rng, 0.0, temp / 2);
}

double DecorrelatedJitterS(std::mt19937_64& rng, double base_s, double cap_s, double prev_s) {
  return std::min(cap_s, RandomBetween(rng, base_s, prev_s * 3));
}

absl::Status ValidateOptions(const BackoffOptions& o) {
  if (o.base <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("backoff base must be > 0, got ", absl::FormatDuration(o.base)));
  }
  if (o.cap < o.base) {
    return absl::InvalidArgumentError(absl::StrCat("backoff cap must be >= base (",
                                                   absl::FormatDuration(o.base), "), got ",
                                                   absl::FormatDuration(o.cap)));
  }
  if (o.max_attempts < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("backoff max_attempts must be >= 1, got ", o.max_attempts));
  }
  return absl::OkStatus();
}

Backoff::Backoff(BackoffOptions options, uint64_t seed)
    : options_(options), rng_(seed), prev_s_(absl::ToDoubleSeconds(options.base)) {}

absl::Duration Backoff::NextDelay(std::optional<absl::Duration> retry_after) {
  const double base_s = absl::ToDoubleSeconds(options_.base);
  const double cap_s = absl::ToDoubleSeconds(options_.cap);
  const int attempt = attempts_started_ - 1;
  double s = 0;
  switch (options_.jitter) {
    case Jitter::kNone:
      s = CappedExponentialS(base_s, cap_s, attempt);
      break;
    case Jitter::kFull:
      s = FullJitterS(rng_, base_s, cap_s, attempt);
      break;
    case Jitter::kEqual:
      s = EqualJitterS(rng_, base_s, cap_s, attempt);
      break;
    case Jitter::kDecorrelated:
      s = DecorrelatedJitterS(rng_, base_s, cap_s, prev_s_);
      prev_s_ = s;
      break;
  }
  ++attempts_started_;
  absl::Duration d = absl::Seconds(s);
  if (retry_after.has_value() && *retry_after > d) d = *retry_after;
  return d;
}

void Backoff::Reset() {
  attempts_started_ = 1;
  prev_s_ = absl::ToDoubleSeconds(options_.base);
}

absl::StatusOr<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  const absl::string_view v = absl::StripAsciiWhitespace(value);
  if (!v.empty() && std::all_of(v.begin(), v.end(), absl::ascii_isdigit)) {
    int64_t seconds = 0;
    if (!absl::SimpleAtoi(v, &seconds)) {
      return absl::InvalidArgumentError(
          absl::StrCat("Retry-After delay-seconds out of range: \"", value, "\""));
    }
    return absl::Seconds(seconds);
  }
  // IMF-fixdate, obsolete RFC 850, asctime (RFC 9110 §5.6.7).
  static const char* const kFormats[] = {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                         "%a %b %e %H:%M:%S %Y"};
  const std::string text(v);
  for (const char* format : kFormats) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(format, text, absl::UTCTimeZone(), &t, &err)) {
      return std::max(absl::ZeroDuration(), t - now);
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("Retry-After is neither delay-seconds nor an HTTP-date: \"", value, "\""));
}

std::optional<absl::Duration> RetryAfterFromStatus(const absl::Status& status) {
  constexpr absl::string_view kKey = "retry_after_s=";
  const absl::string_view msg = status.message();
  const size_t pos = msg.find(kKey);
  if (pos == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = msg.substr(pos + kKey.size());
  size_t end = 0;
  while (end < rest.size() && (absl::ascii_isdigit(rest[end]) || rest[end] == '.')) ++end;
  double seconds = 0;
  if (end == 0 || !absl::SimpleAtod(rest.substr(0, end), &seconds) || !(seconds >= 0) ||
      !std::isfinite(seconds)) {
    return std::nullopt;
  }
  return absl::Seconds(seconds);
}

}  // namespace superbet::resilience
