// Decimal text of doubles for the broadcast plant's hot path (private to broadcast/): integer fast
// paths that write the same bytes as std::to_chars (libstdc++'s Ryu, ~60 ns a number here) for the
// common cases (odds with 2 decimals, percentages, short decimals), and decline the rest (nullptr:
// the caller uses std::to_chars). Thread-safe: no state.

#ifndef SUPERBET_LIB_BROADCAST_INTERNAL_NUMBER_TEXT_H_
#define SUPERBET_LIB_BROADCAST_INTERNAL_NUMBER_TEXT_H_

#include <cstddef>

namespace superbet::broadcast::internal {

// Room a caller must leave at `dst` for either function (what they write is at most 24 bytes).
inline constexpr size_t kNumberTextMaxBytes = 32;

// What std::to_chars(dst, end, v) writes (the shortest text that reads back as v, fixed or
// scientific, whichever is shorter, fixed on a tie), for a value with at most 6 decimals in
// [1e-3, 1e5) in magnitude (k / 10^6 == |v| for an integer k, which is exactly "the decimal k·10^-6
// reads back as |v|"); returns the end, or nullptr (nothing written) for any other value.
char* FastShortest(char* dst, double v);

// What std::to_chars(dst, end, v, std::chars_format::fixed, decimals) writes (the exact binary
// value rounded half-to-even) for decimals in 0..2 and |v| < 2^31: the product v·10^decimals is
// split exactly (hi + lo with an FMA) and rounded with integers. Returns the end, or nullptr
// (nothing written) for other arguments, NaN, and when the rounding cannot be decided that way
// (an exact tie, or a fraction within the FMA residual of 1/2, 0 or 1).
char* FastFixed(char* dst, double v, int decimals);

}  // namespace superbet::broadcast::internal

#endif  // SUPERBET_LIB_BROADCAST_INTERNAL_NUMBER_TEXT_H_
