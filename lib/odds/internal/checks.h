// Argument checks shared by the odds functions. Each returns OK or InvalidArgument with a message
// that names the argument (and index) and the offending value.

#ifndef SUPERBET_LIB_ODDS_INTERNAL_CHECKS_H_
#define SUPERBET_LIB_ODDS_INTERNAL_CHECKS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/internal/number_text.h"

namespace superbet::odds::internal {

// The shortest decimal text that reads back as `x` ("0.97", "1.0000001", "nan", "inf").
using core::internal::ShortestText;

// `name` must be finite and > 1.0: "<name> must be finite and > 1.0, got 0.97".
absl::Status CheckDecimalOdds(double decimal_odds, absl::string_view name);

// Every element finite and > 1.0 ("decimal_odds[2] must be finite and > 1.0, got 0.97"), and at
// least `min_size` elements ("decimal_odds needs at least 2 outcomes, got 1").
absl::Status CheckDecimalOddsSpan(absl::Span<const double> decimal_odds, size_t min_size);

// `name` must be finite and in [0, 1].
absl::Status CheckProbability(double probability, absl::string_view name);

// `name` must be finite and in (0, 1].
absl::Status CheckUnitFraction(double value, absl::string_view name);

}  // namespace superbet::odds::internal

#endif  // SUPERBET_LIB_ODDS_INTERNAL_CHECKS_H_
