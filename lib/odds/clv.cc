#include "superbet/odds/clv.h"

#include "odds/internal/checks.h"
#include "superbet/core/status_macros.h"

namespace superbet::odds {

absl::StatusOr<double> ClosingLineValue(double taken_decimal_odds, double closing_decimal_odds) {
  SUPERBET_RETURN_IF_ERROR(internal::CheckDecimalOdds(taken_decimal_odds, "taken_decimal_odds"));
  SUPERBET_RETURN_IF_ERROR(
      internal::CheckDecimalOdds(closing_decimal_odds, "closing_decimal_odds"));
  return taken_decimal_odds / closing_decimal_odds - 1.0;
}

}  // namespace superbet::odds
