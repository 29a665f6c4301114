// Human-readable rendering of backtest reports (the `superbet backtest` table).

#ifndef SUPERBET_BACKTEST_REPORT_H_
#define SUPERBET_BACKTEST_REPORT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "superbet/backtest/engine.h"

namespace superbet::backtest {

// A fixed-width table (ASCII, '\n' line ends): a title line "== <title> ==", a header, one row per
// season and an "overall" row. Columns: season, matches, skipped (no prices), bets, hit %,
// turnover, P&L, ROI %, final bankroll, max drawdown %, Sharpe, Sortino, CLV % (with the number of
// bets that had a Pinnacle close), Brier, log loss. Money to 2 decimals. Pure; thread-safe.
std::string FormatReportTable(const BacktestReport& report, absl::string_view title);

// One-line label of the staking of `report`: "flat 1 unit" or "kelly x0.25 cap 5%".
std::string StakingLabel(const BacktestReport& report);

}  // namespace superbet::backtest

#endif  // SUPERBET_BACKTEST_REPORT_H_
