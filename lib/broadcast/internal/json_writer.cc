#include "broadcast/internal/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "absl/time/civil_time.h"
#include "broadcast/internal/number_text.h"
#include "superbet/core/json_string.h"

namespace superbet::broadcast::internal {

void AppendJsonString(std::string* out, absl::string_view s) { core::AppendJsonString(out, s); }

char* WriteJsonNumber(char* dst, double v) {
  if (!std::isfinite(v)) {
    std::memcpy(dst, "null", 4);
    return dst + 4;
  }
  if (char* end = FastShortest(dst, v)) return end;
  return std::to_chars(dst, dst + kJsonNumberMaxBytes, v).ptr;
}

void AppendJsonNumber(std::string* out, double v) {
  char buf[kJsonNumberMaxBytes];
  out->append(buf, WriteJsonNumber(buf, v));
}

void AppendJsonOptional(std::string* out, bool has, double v) {
  if (has) {
    AppendJsonNumber(out, v);
  } else {
    out->append("null");
  }
}

namespace {

char* Digits(char* dst, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    dst[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return dst + width;
}

struct Civil {
  int64_t year;
  int month, day, hour, minute, second;
};

// 1970-01-01T00:00:00Z up to (excluding) 10000-01-01T00:00:00Z.
constexpr int64_t kYear10000 = 253402300800;

Civil ToCivil(int64_t unix_seconds) {
  if (unix_seconds >= 0 && unix_seconds < kYear10000) {
    // H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", civil_from_days (days >= 0).
    const int64_t days = unix_seconds / 86400;
    const int64_t secs = unix_seconds % 86400;
    const int64_t z = days + 719468;
    const int64_t era = z / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    return {y,
            m,
            d,
            static_cast<int>(secs / 3600),
            static_cast<int>(secs / 60 % 60),
            static_cast<int>(secs % 60)};
  }
  const absl::CivilSecond c =
      absl::ToCivilSecond(absl::FromUnixSeconds(unix_seconds), absl::UTCTimeZone());
  return {c.year(), c.month(), c.day(), c.hour(), c.minute(), c.second()};
}

}  // namespace

char* WriteRfc3339(char* dst, int64_t unix_seconds, int32_t nanos) {
  const Civil c = ToCivil(unix_seconds);
  dst = Digits(dst, c.year, 4);
  *dst++ = '-';
  dst = Digits(dst, c.month, 2);
  *dst++ = '-';
  dst = Digits(dst, c.day, 2);
  *dst++ = 'T';
  dst = Digits(dst, c.hour, 2);
  *dst++ = ':';
  dst = Digits(dst, c.minute, 2);
  *dst++ = ':';
  dst = Digits(dst, c.second, 2);
  if (nanos > 0) {
    *dst++ = '.';
    if (nanos % 1000000 == 0) {
      dst = Digits(dst, nanos / 1000000, 3);
    } else if (nanos % 1000 == 0) {
      dst = Digits(dst, nanos / 1000, 6);
    } else {
      dst = Digits(dst, nanos, 9);
    }
  }
  *dst++ = 'Z';
  return dst;
}

void AppendRfc3339(std::string* out, int64_t unix_seconds, int32_t nanos) {
  char buf[kRfc3339MaxBytes];
  out->append(buf, WriteRfc3339(buf, unix_seconds, nanos));
}

}  // namespace superbet::broadcast::internal
