// Rendering of backtest reports: the `superbet backtest` table and the JSON of one run.
//
// Absent means absent. A metric without a sample (metrics.h: hit_rate and roi with no bet, sharpe
// with fewer than 2 bets or no spread, sortino with no losing bet, clv with no Pinnacle close,
// brier and log_loss with no forecast) is never written as 0:
//   JSON   the field is present with the value `null`, beside its count (bets, clv_bets,
//          forecasts), so the schema is the same for every run and a reader sees why it is absent;
//   table  the cell is `-`.
// No writer ever prints inf or NaN: a report holding a non-finite number is refused (OutOfRange
// naming the season, the field and the value, from CheckMetricsFinite) and nothing is written.

#ifndef SUPERBET_BACKTEST_REPORT_H_
#define SUPERBET_BACKTEST_REPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "superbet/backtest/engine.h"

namespace superbet::backtest {

// A fixed-width table (ASCII, '\n' line ends): a title line "== <title> ==", a header, one row per
// season and an "overall" row. Columns: season, matches, skipped (no prices), bets, hit %,
// turnover, P&L, ROI %, final bankroll, max drawdown % (of the peak bankroll), max drawdown in
// units (maxDDu), Sharpe, Sortino, CLV % (with the number of bets that had a closing price), Brier,
// log loss; `-` where the metric is absent; then a line naming the CLV closing source ("CLV vs the
// Pinnacle close") and the unit. Money to 2 decimals. Pure; thread-safe.
// Errors: OutOfRange when a number of the report is not finite (names the season and the field).
[[nodiscard]] absl::StatusOr<std::string> FormatReportTable(const BacktestReport& report,
                                                            absl::string_view title);

// One run as a JSON object (2-space indent): the overall metrics at the top level (so
// `baselines.home.roi` works), plus "strategy", "staking" ("flat" or "kelly"), "overall" and
// "per_season" (array, in the report's order). Every metrics object has season, matches,
// skipped_no_odds, skipped_stake_over_bankroll, bets, wins, hit_rate, turnover, pnl, roi,
// start_bankroll, final_bankroll, max_drawdown, max_drawdown_units, sharpe, sortino, clv,
// clv_bets, forecasts, brier, log_loss; absent metrics are `null` (see the top of this file). The
// top level also names "clv_closing_source" ("pinnacle", "source", "avg") and
// "clv_closing_bookmaker" ("Pinnacle", "Bet365", ...). Pure; thread-safe.
// Errors: OutOfRange when a number of the report is not finite (names the season and the field).
[[nodiscard]] absl::StatusOr<std::string> FormatRunJson(const BacktestReport& report);

// Several runs side by side (from RunBacktests, engine.h): one row per report, in the given order,
// with the overall metrics: strategy, matches, bets, hit %, turnover, P&L, ROI %, final bankroll,
// max drawdown % and in units, CLV % (n), Brier, log loss; `-` where absent; then the CLV source
// line of the first report. Pure; thread-safe.
// Errors: OutOfRange when a number of a report is not finite (names the season and the field).
[[nodiscard]] absl::StatusOr<std::string> FormatComparisonTable(
    absl::Span<const BacktestReport> reports);

// The BettingLine.bookmaker whose closing prices the CLV of `report` is measured against.
std::string ClvCloseLabel(const BacktestReport& report);

// One-line label of the staking of `report`: "flat 1 unit" or "kelly x0.25 cap 5%".
std::string StakingLabel(const BacktestReport& report);

}  // namespace superbet::backtest

#endif  // SUPERBET_BACKTEST_REPORT_H_
