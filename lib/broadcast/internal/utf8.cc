#include "broadcast/internal/utf8.h"

namespace superbet::broadcast::internal {

char32_t DecodeUtf8(absl::string_view s, size_t* pos) {
  const size_t i = *pos;
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  int len = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    *pos = i + 1;
    return 0xFFFD;
  }
  if (i + len > s.size()) {
    *pos = i + 1;
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      *pos = i + 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and values above U+10FFFF are invalid.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    *pos = i + 1;
    return 0xFFFD;
  }
  *pos = i + len;
  return cp;
}

bool IsPictograph(char32_t cp) {
  return (cp >= 0x2190 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF) || cp == 0x00A9 ||
         cp == 0x00AE || cp == 0x203C || cp == 0x2049 || cp == 0x2122 || cp == 0x2139 ||
         cp == 0x3030 || cp == 0x303D;
}

namespace {

bool IsRegionalIndicator(char32_t cp) { return cp >= 0x1F1E6 && cp <= 0x1F1FF; }
bool IsVariationSelector(char32_t cp) { return cp >= 0xFE00 && cp <= 0xFE0F; }
bool IsSkinTone(char32_t cp) { return cp >= 0x1F3FB && cp <= 0x1F3FF; }
bool IsTag(char32_t cp) { return cp >= 0xE0020 && cp <= 0xE007F; }
bool IsCombiningMark(char32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
         (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE20 && cp <= 0xFE2F);
}

}  // namespace

int XCodePointWeight(char32_t cp) {
  if (cp <= 4351 || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) ||
      (cp >= 8242 && cp <= 8247)) {
    return 1;
  }
  return 2;
}

std::vector<Cluster> Clusters(absl::string_view s) {
  std::vector<Cluster> out;
  size_t pos = 0;
  while (pos < s.size()) {
    Cluster c;
    c.begin = pos;
    const char32_t base = DecodeUtf8(s, &pos);
    c.weight = XCodePointWeight(base);
    bool emoji = IsPictograph(base);
    if (IsRegionalIndicator(base) && pos < s.size()) {
      size_t next = pos;
      if (IsRegionalIndicator(DecodeUtf8(s, &next))) pos = next;
      emoji = true;
    }
    // Extenders.
    while (pos < s.size()) {
      size_t next = pos;
      const char32_t cp = DecodeUtf8(s, &next);
      if (IsVariationSelector(cp)) {
        if (cp == 0xFE0F && !emoji && base < 0x80) {
          // "1\uFE0F\u20E3": a keycap starts with a digit, '#' or '*'.
          emoji = false;
        }
        pos = next;
        c.weight += XCodePointWeight(cp);
      } else if (cp == 0x20E3) {
        emoji = true;
        pos = next;
      } else if (IsSkinTone(cp) || IsTag(cp)) {
        emoji = emoji || IsSkinTone(cp) || IsPictograph(base);
        pos = next;
        c.weight += XCodePointWeight(cp);
      } else if (IsCombiningMark(cp)) {
        pos = next;
        c.weight += XCodePointWeight(cp);
      } else if (cp == 0x200D && emoji && next < s.size()) {
        size_t after = next;
        const char32_t joined = DecodeUtf8(s, &after);
        if (!IsPictograph(joined)) break;
        pos = after;
      } else {
        break;
      }
    }
    c.end = pos;
    c.emoji = emoji;
    if (emoji) c.weight = 2;
    out.push_back(c);
  }
  return out;
}

}  // namespace superbet::broadcast::internal
