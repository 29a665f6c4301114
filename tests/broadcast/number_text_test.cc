// The integer fast paths of broadcast/internal/number_text.h against their oracle, std::to_chars
// (libstdc++'s Ryu: shortest round-trip text, and fixed-precision text of the exact binary value
// rounded half-to-even), on the numbers the plant prints: odds with 2 decimals, probabilities and
// percentages, exact binary ties (0.125 to 2 decimals, 2.5 to 0), decimals just beside a tie,
// negative values and zeros, the range limits, and a million random doubles. Wherever a fast path
// answers, its bytes equal to_chars'; and it does answer for the common cases (else it is no fast
// path at all).

#include "broadcast/internal/number_text.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "catch2/catch.hpp"

namespace superbet::broadcast::internal {
namespace {

std::string Ryu(double v) {
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}
std::string RyuFixed(double v, int decimals) {
  char buf[400];
  return std::string(
      buf, std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, decimals).ptr);
}

// Checks both fast paths on `v`; returns how many answered (0-4).
int Check(double v) {
  int answered = 0;
  char buf[kNumberTextMaxBytes];
  if (char* end = FastShortest(buf, v)) {
    INFO("shortest of " << Ryu(v));
    REQUIRE(std::string(buf, end) == Ryu(v));
    ++answered;
  }
  for (int d = 0; d <= 2; ++d) {
    if (char* end = FastFixed(buf, v, d)) {
      INFO("fixed " << d << " of " << Ryu(v));
      REQUIRE(std::string(buf, end) == RyuFixed(v, d));
      ++answered;
    }
  }
  return answered;
}

TEST_CASE("number text: the fast paths write to_chars' bytes on the plant's numbers",
          "[number_text]") {
  std::vector<double> values = {0.0,          -0.0,         1.0,
                                2.0,          1.33,         8.75,
                                9.62,         100.0,        0.5,
                                0.125,        0.375,        2.5,
                                3.5,          -2.5,         0.005,
                                0.015,        0.045,        1e-3,
                                9.99e-4,      1e5,          99999.999999,
                                10000.0,      12000.0,      0.001234,
                                1.005,        2.675,        -1.33,
                                2147483647.5, 2147483648.0, -2147483647.0,
                                1e-300,       1e300,        4503599627370496.5};
  // Odds as football-data writes them (2 decimals) and as percentages.
  for (int k = 101; k <= 100000; ++k) values.push_back(k / 100.0);
  // Exact binary ties and their neighbours, to 0, 1 and 2 decimals.
  for (int k = 0; k < 4000; ++k) {
    for (double t : {(k + 0.5) / 100.0, (k + 0.5) / 10.0, k + 0.5, k / 8.0}) {
      values.push_back(t);
      values.push_back(std::nextafter(t, 0.0));
      values.push_back(std::nextafter(t, 1e9));
      values.push_back(-t);
    }
  }
  std::mt19937_64 rng(20261129);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 100000; ++i) {
    const double p = unit(rng);
    values.push_back(p);                          // a probability
    values.push_back(p * 100.0);                  // a percentage
    values.push_back(1.0 + 20.0 * p);             // odds
    values.push_back(std::round(p * 1e6) / 1e6);  // 6 decimals
  }
  size_t answered = 0;
  for (double v : values) answered += static_cast<size_t>(Check(v));
  // Every value above is in range: fixed (3 precisions) answers for all but the ties, and the
  // shortest form for the short decimals (odds, 6-decimal values): well over half.
  CHECK(answered > 2 * values.size());
}

TEST_CASE("number text: the fast paths answer the common cases and decline the rest",
          "[number_text]") {
  char buf[kNumberTextMaxBytes];
  REQUIRE(FastShortest(buf, 1.33) != nullptr);
  CHECK(std::string(buf, FastShortest(buf, 1.33)) == "1.33");
  CHECK(std::string(buf, FastShortest(buf, 2.0)) == "2");
  CHECK(std::string(buf, FastFixed(buf, 0.5, 2)) == "0.50");
  CHECK(std::string(buf, FastFixed(buf, 47.6, 0)) == "48");
  CHECK(FastShortest(buf, 0.1 + 0.2) == nullptr);  // 0.30000000000000004: 17 digits
  CHECK(FastShortest(buf, 1e-4) == nullptr);       // below the fixed-form range
  CHECK(FastShortest(buf, 1e5) == nullptr);        // "1e+05" is shorter than "100000"
  CHECK(FastFixed(buf, 0.125, 2) == nullptr);      // an exact tie: to_chars decides
  CHECK(FastFixed(buf, 2147483648.0, 0) == nullptr);
  CHECK(FastFixed(buf, std::numeric_limits<double>::quiet_NaN(), 1) == nullptr);
  CHECK(FastFixed(buf, 1.0, 3) == nullptr);
}

}  // namespace
}  // namespace superbet::broadcast::internal
