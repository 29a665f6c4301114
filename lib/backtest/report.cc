#include "superbet/backtest/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace superbet::backtest {
namespace {

constexpr char kHeader[] = "%-8s %7s %5s %5s %6s %9s %9s %7s %9s %6s %7s %7s %12s %6s %7s\n";

std::string Row(const Metrics& m) {
  const std::string clv =
      m.clv_bets > 0 ? absl::StrFormat("%+.2f(%d)", 100 * m.clv, m.clv_bets) : std::string("-");
  const std::string brier = m.forecasts > 0 ? absl::StrFormat("%.4f", m.brier) : "-";
  const std::string log_loss = m.forecasts > 0 ? absl::StrFormat("%.4f", m.log_loss) : "-";
  return absl::StrFormat(
      "%-8s %7d %5d %5d %6.1f %9.2f %+9.2f %+7.2f %9.2f %6.1f %+7.3f %+7.3f %12s %6s %7s\n",
      m.season, m.matches, m.skipped_no_odds, m.bets, 100 * m.hit_rate, m.turnover, m.pnl,
      100 * m.roi, m.final_bankroll, 100 * m.max_drawdown, m.sharpe, m.sortino, clv, brier,
      log_loss);
}

}  // namespace

std::string StakingLabel(const BacktestReport& report) {
  const EngineOptions& o = report.options;
  if (o.staking == Staking::kFlat) return absl::StrFormat("flat %g unit", o.flat_stake);
  return absl::StrFormat("kelly x%g cap %g%%", o.kelly_multiplier, 100 * o.kelly_cap);
}

std::string FormatReportTable(const BacktestReport& report, absl::string_view title) {
  std::string out = absl::StrCat("== ", title, " ==\n");
  absl::StrAppend(&out, absl::StrFormat(kHeader, "season", "matches", "skip", "bets", "hit%",
                                        "turnover", "P&L", "ROI%", "bankroll", "maxDD%", "sharpe",
                                        "sortino", "CLV%(n)", "brier", "logloss"));
  for (const Metrics& m : report.per_season) absl::StrAppend(&out, Row(m));
  absl::StrAppend(&out, Row(report.overall));
  return out;
}

}  // namespace superbet::backtest
