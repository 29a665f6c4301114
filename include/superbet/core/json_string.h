// JSON string literals (RFC 8259 §7) for the places that write JSON text by hand (JSON lines,
// structured logs, the CloudEvents writer): one escaping rule for the whole library.
//
// Escapes the quotation mark and reverse solidus, writes \b, \f, \n, \r and \t in their
// two-character forms and every other control character U+0000–U+001F as \u00xx (lower-case hex, as
// nlohmann::json and Python's json module write them). Bytes >= 0x20 are copied unchanged: UTF-8
// passes through and is NOT validated here (callers that take untrusted bytes validate UTF-8
// first).
//
// Thread-safety: free functions, no state.

#ifndef SUPERBET_CORE_JSON_STRING_H_
#define SUPERBET_CORE_JSON_STRING_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace superbet::core {

// Appends `text` escaped, WITHOUT the surrounding quotation marks.
void AppendJsonEscaped(std::string* out, absl::string_view text);

// Writes `text` escaped, WITHOUT the quotation marks, at `dst`, which must have room for
// kJsonEscapedMaxGrowth * text.size() bytes; returns the end of what was written. The same bytes as
// AppendJsonEscaped, for writers that fill one pre-sized buffer (no per-run append).
inline constexpr size_t kJsonEscapedMaxGrowth = 6;  // A control byte becomes \u00xx.
char* WriteJsonEscaped(char* dst, absl::string_view text);

// Appends `text` as a complete JSON string literal: "..." with the escapes above.
void AppendJsonString(std::string* out, absl::string_view text);

// `text` as a complete JSON string literal.
std::string JsonString(absl::string_view text);

}  // namespace superbet::core

#endif  // SUPERBET_CORE_JSON_STRING_H_
