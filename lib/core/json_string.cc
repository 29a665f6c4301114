#include "superbet/core/json_string.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace superbet::core {
namespace {

// Index of the first byte of s[from, size) that needs an escape (< 0x20, '"' or '\\'), or size.
// SSE2 (every x86-64) tests 16 bytes at a time; the tail and other targets test byte by byte.
size_t SafePrefixEnd(const char* s, size_t from, size_t size) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i max_control = _mm_set1_epi8(0x1F);
  for (; i + 16 <= size; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    // v <= 0x1F (unsigned) <=> max(v, 0x1F) == 0x1F.
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, max_control), max_control);
    const __m128i hit =
        _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < size; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return size;
}

}  // namespace

char* WriteJsonEscaped(char* dst, absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = 0;
  while (true) {
    const size_t end = SafePrefixEnd(s.data(), i, s.size());
    std::memcpy(dst, s.data() + i, end - i);
    dst += end - i;
    if (end == s.size()) return dst;
    const auto c = static_cast<unsigned char>(s[end]);
    *dst++ = '\\';
    switch (c) {
      case '"':
      case '\\':
        *dst++ = static_cast<char>(c);
        break;
      case '\n':
        *dst++ = 'n';
        break;
      case '\r':
        *dst++ = 'r';
        break;
      case '\t':
        *dst++ = 't';
        break;
      case '\b':
        *dst++ = 'b';
        break;
      case '\f':
        *dst++ = 'f';
        break;
      default:
        std::memcpy(dst, "u00", 3);
        dst[3] = kHex[c >> 4];
        dst[4] = kHex[c & 15];
        dst += 5;
    }
    i = end + 1;
  }
}

void AppendJsonEscaped(std::string* out, absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t run = 0;  // Start of the bytes not yet copied.
  for (size_t i = SafePrefixEnd(s.data(), 0, s.size()); i < s.size();
       i = SafePrefixEnd(s.data(), i + 1, s.size())) {
    const auto c = static_cast<unsigned char>(s[i]);
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
}

void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  AppendJsonEscaped(out, s);
  out->push_back('"');
}

std::string JsonString(absl::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonString(&out, s);
  return out;
}

}  // namespace superbet::core
