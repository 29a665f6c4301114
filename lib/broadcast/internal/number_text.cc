#include "broadcast/internal/number_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace superbet::broadcast::internal {
namespace {

// Writes the decimal digits of `v` (>= 0) at `dst`; returns the end.
char* WriteUnsigned(char* dst, uint64_t v) { return std::to_chars(dst, dst + 24, v).ptr; }

// Writes `frac` as exactly `width` digits (leading zeros kept).
char* WriteFraction(char* dst, uint64_t frac, int width) {
  for (int i = width - 1; i >= 0; --i) {
    dst[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  return dst + width;
}

constexpr double kPow10[] = {1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6};
constexpr uint64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

}  // namespace

char* FastShortest(char* dst, double v) {
  const double a = std::fabs(v);
  if (a >= 1e-3 && a < 1e5) {
    // k / 10^6 == v: the decimal k·10^-6 is the value's text, possibly with trailing zeros.
    // Decimals are 10^-6 apart, far more than v's spacing (< 2e-11 below 1e5), so at most one
    // decimal with <= 6 places reads back as v, and it is the shortest text (a shorter one would
    // have fewer places and so be this one with trailing zeros removed); in [1e-3, 1e5) the fixed
    // form is never longer than the scientific one.
    const double scaled = a * 1e6;
    const double rounded = std::nearbyint(scaled);
    // A value with <= 6 decimals is within 1e-4 of an integer once scaled (the scaling's relative
    // error is 2^-53, times < 1e11); anything farther is declined without the division.
    if (std::fabs(scaled - rounded) < 1e-3 && rounded / 1e6 == a) {
      uint64_t k = static_cast<uint64_t>(rounded);
      int places = 6;
      while (places > 0 && k % 10 == 0) {
        k /= 10;
        --places;
      }
      if (std::signbit(v)) *dst++ = '-';
      dst = WriteUnsigned(dst, k / kPow10Int[places]);
      if (places > 0) {
        *dst++ = '.';
        dst = WriteFraction(dst, k % kPow10Int[places], places);
      }
      return dst;
    }
  }
  return nullptr;
}

char* FastFixed(char* dst, double v, int decimals) {
  const double a = std::fabs(v);
  if (decimals >= 0 && decimals <= 2 && a < 2147483648.0) {
    // a·10^d = hi + lo exactly (lo is the FMA residual, |lo| <= ulp(hi) / 2).
    const double p = kPow10[decimals];
    const double hi = a * p;
    const double lo = std::fma(a, p, -hi);
    const double fl = std::floor(hi);
    // t = frac(hi) - 1/2, exact (a multiple of ulp(fl) below 1 in magnitude). The exact fraction
    // of a·10^d is t + 1/2 + lo (possibly outside [0, 1) when lo moves it across an integer).
    const double t = (hi - fl) - 0.5;
    if (std::fabs(t) > std::fabs(lo) && (hi - fl) + lo >= 0.0 && (hi - fl) + lo < 1.0) {
      // Not a tie and not near one: the sign of t decides, and floor(a·10^d) = fl.
      const uint64_t k = static_cast<uint64_t>(fl) + (t > 0 ? 1 : 0);
      if (std::signbit(v)) *dst++ = '-';
      dst = WriteUnsigned(dst, k / kPow10Int[decimals]);
      if (decimals > 0) {
        *dst++ = '.';
        dst = WriteFraction(dst, k % kPow10Int[decimals], decimals);
      }
      return dst;
    }
  }
  return nullptr;
}

}  // namespace superbet::broadcast::internal
