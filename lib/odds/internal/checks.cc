#include "odds/internal/checks.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace superbet::odds::internal {

absl::Status CheckDecimalOdds(double decimal_odds, absl::string_view name) {
  if (std::isfinite(decimal_odds) && decimal_odds > 1.0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(name, " must be finite and > 1.0, got ", ShortestText(decimal_odds)));
}

absl::Status CheckDecimalOddsSpan(absl::Span<const double> decimal_odds, size_t min_size) {
  if (decimal_odds.size() < min_size) {
    return absl::InvalidArgumentError(absl::StrCat("decimal_odds needs at least ", min_size,
                                                   " outcome(s), got ", decimal_odds.size()));
  }
  for (size_t i = 0; i < decimal_odds.size(); ++i) {
    const double o = decimal_odds[i];
    if (!(std::isfinite(o) && o > 1.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("decimal_odds[", i, "] must be finite and > 1.0, got ", ShortestText(o)));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckProbability(double probability, absl::string_view name) {
  if (std::isfinite(probability) && probability >= 0.0 && probability <= 1.0) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(name, " must be finite and in [0, 1], got ", ShortestText(probability)));
}

absl::Status CheckUnitFraction(double value, absl::string_view name) {
  if (std::isfinite(value) && value > 0.0 && value <= 1.0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(name, " must be finite and in (0, 1], got ", ShortestText(value)));
}

}  // namespace superbet::odds::internal
