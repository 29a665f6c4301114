// Minimal JSON writing helpers for the broadcast plant's hot path (private to broadcast/).

#ifndef SUPERBET_LIB_BROADCAST_INTERNAL_JSON_WRITER_H_
#define SUPERBET_LIB_BROADCAST_INTERNAL_JSON_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace superbet::broadcast::internal {

// Appends `s` as a JSON string literal (quotes included; control characters as \u00XX).
void AppendJsonString(std::string* out, absl::string_view s);
// Appends the shortest round-trip decimal form of `v`, or null when not finite.
void AppendJsonNumber(std::string* out, double v);
// Writes what AppendJsonNumber appends at `dst` (room for kJsonNumberMaxBytes); returns its end.
inline constexpr size_t kJsonNumberMaxBytes = 32;
char* WriteJsonNumber(char* dst, double v);
// Appends v or null.
void AppendJsonOptional(std::string* out, bool has, double v);
// RFC 3339 UTC with "Z" and fractional seconds only when non-zero (3, 6 or 9 digits).
void AppendRfc3339(std::string* out, int64_t unix_seconds, int32_t nanos);
// Writes what AppendRfc3339 appends at `dst` (room for kRfc3339MaxBytes); returns its end.
// Years 1970-9999 are converted with integer arithmetic (Hinnant's civil_from_days), others by
// absl::ToCivilSecond, which gives the same fields.
inline constexpr size_t kRfc3339MaxBytes = 48;
char* WriteRfc3339(char* dst, int64_t unix_seconds, int32_t nanos);

}  // namespace superbet::broadcast::internal

#endif  // SUPERBET_LIB_BROADCAST_INTERNAL_JSON_WRITER_H_
