#include "broadcast/internal/json_writer.h"

#include <charconv>
#include <cmath>

#include "absl/time/civil_time.h"
#include "superbet/core/json_string.h"

namespace superbet::broadcast::internal {

void AppendJsonString(std::string* out, absl::string_view s) { core::AppendJsonString(out, s); }

void AppendJsonNumber(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

void AppendJsonOptional(std::string* out, bool has, double v) {
  if (has) {
    AppendJsonNumber(out, v);
  } else {
    out->append("null");
  }
}

namespace {
void Digits(std::string* out, int64_t v, int width) {
  char buf[24];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out->append(buf, width);
}
}  // namespace

void AppendRfc3339(std::string* out, int64_t unix_seconds, int32_t nanos) {
  const absl::CivilSecond c =
      absl::ToCivilSecond(absl::FromUnixSeconds(unix_seconds), absl::UTCTimeZone());
  Digits(out, c.year(), 4);
  out->push_back('-');
  Digits(out, c.month(), 2);
  out->push_back('-');
  Digits(out, c.day(), 2);
  out->push_back('T');
  Digits(out, c.hour(), 2);
  out->push_back(':');
  Digits(out, c.minute(), 2);
  out->push_back(':');
  Digits(out, c.second(), 2);
  if (nanos > 0) {
    out->push_back('.');
    if (nanos % 1000000 == 0) {
      Digits(out, nanos / 1000000, 3);
    } else if (nanos % 1000 == 0) {
      Digits(out, nanos / 1000, 6);
    } else {
      Digits(out, nanos, 9);
    }
  }
  out->push_back('Z');
}

}  // namespace superbet::broadcast::internal
