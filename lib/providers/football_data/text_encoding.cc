// UTF-8 validation and Windows-1252 decoding; see
// include/superbet/providers/football_data/text_encoding.h.

#include "superbet/providers/football_data/text_encoding.h"

#include <cstdint>
#include <cstring>
#include <string>

namespace superbet::providers::football_data {
namespace {

// WHATWG index-windows-1252 for bytes 0x80-0x9F (undefined bytes → the C1 control of that value).
constexpr char16_t kWindows1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 0x80-0x87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 0x88-0x8F
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 0x90-0x97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 0x98-0x9F
};

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

inline bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence starting at s[i] (>= 0x80), or 0 when it is not one.
// Ranges from RFC 3629 §4 (the Unicode Standard's table 3-7).
size_t SequenceLength(absl::string_view s, size_t i) {
  const auto at = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = at(i);
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // Allowed range of the second byte.
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // No overlong forms.
    if (b0 == 0xED) hi = 0x9F;  // No surrogates.
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // No overlong forms.
    if (b0 == 0xF4) hi = 0x8F;  // Nothing above U+10FFFF.
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (!IsContinuation(at(i + k))) return 0;
  }
  return len;
}

}  // namespace

size_t Utf8SequenceLength(absl::string_view bytes, size_t i) {
  if (i >= bytes.size()) return 0;
  if (static_cast<uint8_t>(bytes[i]) < 0x80) return 1;
  return SequenceLength(bytes, i);
}

bool IsValidUtf8(absl::string_view bytes, size_t* first_bad) {
  size_t i = 0;
  const size_t n = bytes.size();
  while (i < n) {
    // ASCII fast path, 8 bytes at a time (the real files are almost all ASCII).
    uint64_t word = 0;
    while (i + sizeof(word) <= n) {
      std::memcpy(&word, bytes.data() + i, sizeof(word));
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += sizeof(word);
    }
    if (i >= n) break;
    if (static_cast<uint8_t>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t len = SequenceLength(bytes, i);
    if (len == 0) {
      if (first_bad != nullptr) *first_bad = i;
      return false;
    }
    i += len;
  }
  if (first_bad != nullptr) *first_bad = n;
  return true;
}

std::string DecodeWindows1252(absl::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (char c : bytes) {
    const uint8_t b = static_cast<uint8_t>(c);
    if (b < 0x80) {
      out.push_back(c);
    } else if (b < 0xA0) {
      AppendUtf8(kWindows1252High[b - 0x80], &out);
    } else {
      AppendUtf8(b, &out);
    }
  }
  return out;
}

}  // namespace superbet::providers::football_data
