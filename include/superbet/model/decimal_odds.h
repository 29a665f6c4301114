// Decimal odds: the one price format of the library. A decimal price o pays o units (stake
// included) per unit staked on a win, so o > 1.0 for any price a bookmaker can offer; its implied
// probability is 1 / o.
//
// Every module that takes decimal odds from outside (CSV columns, provider JSON, user flags) checks
// them with ValidateDecimalOdds or builds a DecimalOdds, so a bad price (0, 1.0, negative, NaN,
// infinite, or absurdly large such as 1e308) is reported where it enters and never reaches the
// maths, where a finite but absurd price would overflow a P&L to inf or NaN.

#ifndef SUPERBET_MODEL_DECIMAL_ODDS_H_
#define SUPERBET_MODEL_DECIMAL_ODDS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace superbet::model {

// The largest decimal price the library accepts from outside: 1000. Reason: 1000 is the highest
// price a betting exchange offers (Betfair's price ladder ends at 1000) and no bookmaker quotes
// above it; the largest 1X2 price in the 25 football-data.co.uk Premier League seasons is below
// 100. A larger value is a data error (a misplaced decimal point, a corrupt cell), and accepting it
// would let one cell dominate a backtest's P&L.
inline constexpr double kMaxDecimalOdds = 1000.0;

// OK when `decimal_odds` is finite, > 1.0 and <= kMaxDecimalOdds.
//
// Errors: InvalidArgument "decimal odds must be finite and > 1.0, got 0.97 (<where>)" for a value
// <= 1.0, NaN or infinite; InvalidArgument "decimal odds must be <= 1000, got 1e+308 (<where>)"
// for a value above kMaxDecimalOdds.
// `where` names the origin of the value (a file:line:column, a JSON path, a column name); when it
// is empty the parenthesised part is left out.
[[nodiscard]] absl::Status ValidateDecimalOdds(double decimal_odds, absl::string_view where = "");

// A validated decimal price: value() is always finite, > 1.0 and <= kMaxDecimalOdds.
//
// Value type (one double); copyable; thread-compatible (immutable after construction).
class DecimalOdds {
 public:
  // Builds a price from `decimal_odds`.
  // Errors: as ValidateDecimalOdds (InvalidArgument naming the value and `where`).
  [[nodiscard]] static absl::StatusOr<DecimalOdds> Create(double decimal_odds,
                                                          absl::string_view where = "");

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
