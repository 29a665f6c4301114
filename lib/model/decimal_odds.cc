#include "superbet/model/decimal_odds.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace superbet::model {
namespace {

// The shortest decimal text that reads back as `x` ("0.97", "1.0000001"), so that a message
// never shows a rounded value such as "1" for 1.0000001.
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

}  // namespace

absl::Status ValidateDecimalOdds(double decimal_odds, absl::string_view where) {
  if (std::isfinite(decimal_odds) && decimal_odds > 1.0) return absl::OkStatus();
  std::string message =
      absl::StrCat("decimal odds must be finite and > 1.0, got ", ShortestText(decimal_odds));
  if (!where.empty()) absl::StrAppend(&message, " (", where, ")");
  return absl::InvalidArgumentError(message);
}

absl::StatusOr<DecimalOdds> DecimalOdds::Create(double decimal_odds, absl::string_view where) {
  absl::Status status = ValidateDecimalOdds(decimal_odds, where);
  if (!status.ok()) return status;
  return DecimalOdds(decimal_odds);
}

}  // namespace superbet::model
