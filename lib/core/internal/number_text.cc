#include "core/internal/number_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace superbet::core::internal {

std::string ShortestText(double x) {
  char buf[32];
  // Start with as many digits as the integer part has, so that 300 prints as "300", not "3e+02".
  int start = 1;
  if (std::isfinite(x) && std::fabs(x) >= 1.0) {
    start = std::min(17, 1 + static_cast<int>(std::floor(std::log10(std::fabs(x)))));
  }
  for (int precision = start; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, x);
    if (!std::isfinite(x) || std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

}  // namespace superbet::core::internal
