#include "superbet/odds/kelly.h"

#include <algorithm>

#include "odds/internal/checks.h"
#include "superbet/core/status_macros.h"

namespace superbet::odds {
namespace {

absl::Status CheckBet(double probability, double decimal_odds) {
  SUPERBET_RETURN_IF_ERROR(internal::CheckProbability(probability, "probability"));
  return internal::CheckDecimalOdds(decimal_odds, "decimal_odds");
}

}  // namespace

absl::StatusOr<double> KellyFraction(double probability, double decimal_odds) {
  SUPERBET_RETURN_IF_ERROR(CheckBet(probability, decimal_odds));
  return (probability * decimal_odds - 1.0) / (decimal_odds - 1.0);
}

absl::StatusOr<double> FractionalKelly(double probability, double decimal_odds, double multiplier,
                                       double cap) {
  SUPERBET_RETURN_IF_ERROR(CheckBet(probability, decimal_odds));
  SUPERBET_RETURN_IF_ERROR(internal::CheckUnitFraction(multiplier, "multiplier"));
  SUPERBET_RETURN_IF_ERROR(internal::CheckUnitFraction(cap, "cap"));
  const double full = (probability * decimal_odds - 1.0) / (decimal_odds - 1.0);
  return std::clamp(multiplier * full, 0.0, cap);
}

absl::StatusOr<double> ExpectedValue(double probability, double decimal_odds) {
  SUPERBET_RETURN_IF_ERROR(CheckBet(probability, decimal_odds));
  return probability * decimal_odds - 1.0;
}

}  // namespace superbet::odds
