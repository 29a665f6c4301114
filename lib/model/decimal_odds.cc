#include "superbet/model/decimal_odds.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/internal/number_text.h"

namespace superbet::model {

using core::internal::ShortestText;

absl::Status ValidateDecimalOdds(double decimal_odds, absl::string_view where) {
  if (std::isfinite(decimal_odds) && decimal_odds > 1.0 && decimal_odds <= kMaxDecimalOdds) {
    return absl::OkStatus();
  }
  std::string message =
      std::isfinite(decimal_odds) && decimal_odds > kMaxDecimalOdds
          ? absl::StrCat("decimal odds must be <= ", ShortestText(kMaxDecimalOdds), ", got ",
                         ShortestText(decimal_odds))
          : absl::StrCat("decimal odds must be finite and > 1.0, got ", ShortestText(decimal_odds));
  if (!where.empty()) absl::StrAppend(&message, " (", where, ")");
  return absl::InvalidArgumentError(message);
}

absl::StatusOr<DecimalOdds> DecimalOdds::Create(double decimal_odds, absl::string_view where) {
  absl::Status status = ValidateDecimalOdds(decimal_odds, where);
  if (!status.ok()) return status;
  return DecimalOdds(decimal_odds);
}

}  // namespace superbet::model
