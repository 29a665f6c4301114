// UTF-8 decoding and emoji-aware clusters for the broadcast formatters (private to broadcast/).

#ifndef SUPERBET_LIB_BROADCAST_INTERNAL_UTF8_H_
#define SUPERBET_LIB_BROADCAST_INTERNAL_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"

namespace superbet::broadcast::internal {

// Decodes the code point at s[*pos] and advances *pos past it. An invalid or truncated sequence
// yields U+FFFD and advances one byte (so a cut never lands inside a sequence).
char32_t DecodeUtf8(absl::string_view s, size_t* pos);

// True when `cp` is a pictograph that starts an emoji sequence (U+2190-U+2BFF, U+1F000-U+1FAFF;
// U+1F1E6-U+1F1FF regional indicators included).
bool IsPictograph(char32_t cp);

// A run of bytes that is never split: a base code point with its extenders (combining marks,
// variation selectors, skin-tone modifiers, a keycap, tag characters, ZWJ and the code point it
// joins), or a pair of regional indicators.
struct Cluster {
  size_t begin = 0;  // Byte offsets into the text.
  size_t end = 0;
  bool emoji = false;  // Counts as one emoji (weight 2 on X).
  int weight = 0;      // X weight of the cluster (sum of its code points' weights when not emoji).
};

// The clusters of `s`, in order, covering every byte.
std::vector<Cluster> Clusters(absl::string_view s);

// The X weight of one code point (twitter-text config v3 ranges): 1 or 2.
int XCodePointWeight(char32_t cp);

}  // namespace superbet::broadcast::internal

#endif  // SUPERBET_LIB_BROADCAST_INTERNAL_UTF8_H_
