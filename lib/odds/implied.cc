#include "superbet/odds/implied.h"

#include "odds/internal/checks.h"
#include "superbet/core/status_macros.h"

namespace superbet::odds {

absl::StatusOr<double> ImpliedProbability(double decimal_odds) {
  SUPERBET_RETURN_IF_ERROR(internal::CheckDecimalOdds(decimal_odds, "decimal odds"));
  return 1.0 / decimal_odds;
}

absl::StatusOr<std::vector<double>> ImpliedProbabilities(absl::Span<const double> decimal_odds) {
  SUPERBET_RETURN_IF_ERROR(internal::CheckDecimalOddsSpan(decimal_odds, 1));
  std::vector<double> out;
  out.reserve(decimal_odds.size());
  for (double o : decimal_odds) out.push_back(1.0 / o);
  return out;
}

absl::StatusOr<double> Overround(absl::Span<const double> decimal_odds) {
  SUPERBET_RETURN_IF_ERROR(internal::CheckDecimalOddsSpan(decimal_odds, 2));
  double sum = 0.0;
  for (double o : decimal_odds) sum += 1.0 / o;
  return sum - 1.0;
}

absl::StatusOr<double> BreakEvenProbability(double decimal_odds) {
  SUPERBET_RETURN_IF_ERROR(internal::CheckDecimalOdds(decimal_odds, "decimal odds"));
  return 1.0 / decimal_odds;
}

absl::StatusOr<double> BreakEvenWinRate(double mean_decimal_odds) {
  SUPERBET_RETURN_IF_ERROR(internal::CheckDecimalOdds(mean_decimal_odds, "mean decimal odds"));
  return 1.0 / mean_decimal_odds;
}

}  // namespace superbet::odds
