// Decimal odds: the one price format of the library. A decimal price o pays o units (stake
// included) per unit staked on a win, so o > 1.0 for any price a bookmaker can offer; its implied
// probability is 1 / o.
//
// Every module that takes decimal odds from outside (CSV columns, provider JSON, user flags) checks
// them with ValidateDecimalOdds or builds a DecimalOdds, so a bad price (0, 1.0, negative, NaN,
// infinite) is reported where it enters and never reaches the maths.

#ifndef SUPERBET_MODEL_DECIMAL_ODDS_H_
#define SUPERBET_MODEL_DECIMAL_ODDS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace superbet::model {

// OK when `decimal_odds` is finite and > 1.0.
//
// Errors: InvalidArgument "decimal odds must be finite and > 1.0, got 0.97 (<where>)" otherwise.
// `where` names the origin of the value (a file:line:column, a JSON path, a column name); when it
// is empty the parenthesised part is left out.
absl::Status ValidateDecimalOdds(double decimal_odds, absl::string_view where = "");

// A validated decimal price: value() is always finite and > 1.0.
//
// Value type (one double); copyable; thread-compatible (immutable after construction).
class DecimalOdds {
 public:
  // Builds a price from `decimal_odds`.
  // Errors: as ValidateDecimalOdds (InvalidArgument naming the value and `where`).
  static absl::StatusOr<DecimalOdds> Create(double decimal_odds, absl::string_view where = "");

  // The decimal price, > 1.0.
  double value() const { return value_; }
  // 1 / value(), in (0, 1): the probability implied by the price, margin included.
  double implied_probability() const { return 1.0 / value_; }

  friend bool operator==(DecimalOdds a, DecimalOdds b) { return a.value_ == b.value_; }
  friend bool operator!=(DecimalOdds a, DecimalOdds b) { return a.value_ != b.value_; }
  friend bool operator<(DecimalOdds a, DecimalOdds b) { return a.value_ < b.value_; }

 private:
  explicit DecimalOdds(double value) : value_(value) {}
  double value_;
};

}  // namespace superbet::model

#endif  // SUPERBET_MODEL_DECIMAL_ODDS_H_
