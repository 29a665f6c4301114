#include "superbet/backtest/report.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "superbet/core/status_macros.h"

namespace superbet::backtest {
namespace {

constexpr char kHeader[] = "%-8s %7s %5s %5s %6s %9s %9s %7s %9s %6s %7s %7s %7s %12s %6s %7s\n";

// Every Metrics of the report, checked finite.
absl::Status CheckReportFinite(const BacktestReport& report) {
  for (const Metrics& m : report.per_season) SUPERBET_RETURN_IF_ERROR(CheckMetricsFinite(m));
  return CheckMetricsFinite(report.overall);
}

// `value` formatted by `format` (one %-conversion), or "-" when absent.
std::string Cell(const absl::ParsedFormat<'f'>& format, std::optional<double> value,
                 double scale = 1.0) {
  return value.has_value() ? absl::StrFormat(format, scale * *value) : std::string("-");
}

std::string Row(const Metrics& m) {
  static const auto* const kPercent1 = new absl::ParsedFormat<'f'>("%.1f");
  static const auto* const kSignedPercent2 = new absl::ParsedFormat<'f'>("%+.2f");
  static const auto* const kSigned3 = new absl::ParsedFormat<'f'>("%+.3f");
  static const auto* const kFixed4 = new absl::ParsedFormat<'f'>("%.4f");
  const std::string clv =
      m.clv.has_value() ? absl::StrFormat("%+.2f(%d)", 100 * *m.clv, m.clv_bets) : "-";
  return absl::StrFormat(
      "%-8s %7d %5d %5d %6s %9.2f %+9.2f %7s %9.2f %6.1f %7.1f %7s %7s %12s %6s %7s\n", m.season,
      m.matches, m.skipped_no_odds, m.bets, Cell(*kPercent1, m.hit_rate, 100), m.turnover, m.pnl,
      Cell(*kSignedPercent2, m.roi, 100), m.final_bankroll, 100 * m.max_drawdown,
      m.max_drawdown_units, Cell(*kSigned3, m.sharpe), Cell(*kSigned3, m.sortino), clv,
      Cell(*kFixed4, m.brier), Cell(*kFixed4, m.log_loss));
}

nlohmann::json Optional(std::optional<double> value) {
  return value.has_value() ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json MetricsJson(const Metrics& m) {
  return {{"season", m.season},
          {"matches", m.matches},
          {"skipped_no_odds", m.skipped_no_odds},
          {"skipped_stake_over_bankroll", m.skipped_stake_over_bankroll},
          {"bets", m.bets},
          {"wins", m.wins},
          {"hit_rate", Optional(m.hit_rate)},
          {"turnover", m.turnover},
          {"pnl", m.pnl},
          {"roi", Optional(m.roi)},
          {"start_bankroll", m.start_bankroll},
          {"final_bankroll", m.final_bankroll},
          {"max_drawdown", m.max_drawdown},
          {"max_drawdown_units", m.max_drawdown_units},
          {"sharpe", Optional(m.sharpe)},
          {"sortino", Optional(m.sortino)},
          {"clv", Optional(m.clv)},
          {"clv_bets", m.clv_bets},
          {"forecasts", m.forecasts},
          {"brier", Optional(m.brier)},
          {"log_loss", Optional(m.log_loss)}};
}

// The line under a table that names what CLV and maxDDu are measured against.
std::string ClvNote(const BacktestReport& report) {
  return absl::StrFormat(
      "CLV vs the %s close; maxDDu = max drawdown in units of %g\n",
      ClosingBookmaker(report.options.clv_closing_source, report.options.odds_source),
      report.options.flat_stake);
}

}  // namespace

std::string StakingLabel(const BacktestReport& report) {
  const EngineOptions& o = report.options;
  if (o.staking == Staking::kFlat) return absl::StrFormat("flat %g unit", o.flat_stake);
  return absl::StrFormat("kelly x%g cap %g%%", o.kelly_multiplier, 100 * o.kelly_cap);
}

absl::StatusOr<std::string> FormatReportTable(const BacktestReport& report,
                                              absl::string_view title) {
  SUPERBET_RETURN_IF_ERROR(CheckReportFinite(report));
  std::string out = absl::StrCat("== ", title, " ==\n");
  absl::StrAppend(&out, absl::StrFormat(kHeader, "season", "matches", "skip", "bets", "hit%",
                                        "turnover", "P&L", "ROI%", "bankroll", "maxDD%", "maxDDu",
                                        "sharpe", "sortino", "CLV%(n)", "brier", "logloss"));
  for (const Metrics& m : report.per_season) absl::StrAppend(&out, Row(m));
  absl::StrAppend(&out, Row(report.overall));
  absl::StrAppend(&out, ClvNote(report));
  return out;
}

absl::StatusOr<std::string> FormatComparisonTable(absl::Span<const BacktestReport> reports) {
  for (const BacktestReport& r : reports) SUPERBET_RETURN_IF_ERROR(CheckReportFinite(r));
  size_t width = 8;
  for (const BacktestReport& r : reports) width = std::max(width, r.strategy.size());
  const int w = static_cast<int>(width);
  std::string out =
      absl::StrFormat("%-*s %7s %5s %6s %9s %9s %7s %9s %6s %7s %12s %6s %7s\n", w, "strategy",
                      "matches", "bets", "hit%", "turnover", "P&L", "ROI%", "bankroll", "maxDD%",
                      "maxDDu", "CLV%(n)", "brier", "logloss");
  static const auto* const kPercent1 = new absl::ParsedFormat<'f'>("%.1f");
  static const auto* const kSignedPercent2 = new absl::ParsedFormat<'f'>("%+.2f");
  static const auto* const kFixed4 = new absl::ParsedFormat<'f'>("%.4f");
  for (const BacktestReport& r : reports) {
    const Metrics& m = r.overall;
    const std::string clv =
        m.clv.has_value() ? absl::StrFormat("%+.2f(%d)", 100 * *m.clv, m.clv_bets) : "-";
    absl::StrAppend(
        &out, absl::StrFormat("%-*s %7d %5d %6s %9.2f %+9.2f %7s %9.2f %6.1f %7.1f %12s %6s %7s\n",
                              w, r.strategy, m.matches, m.bets, Cell(*kPercent1, m.hit_rate, 100),
                              m.turnover, m.pnl, Cell(*kSignedPercent2, m.roi, 100),
                              m.final_bankroll, 100 * m.max_drawdown, m.max_drawdown_units, clv,
                              Cell(*kFixed4, m.brier), Cell(*kFixed4, m.log_loss)));
  }
  if (!reports.empty()) absl::StrAppend(&out, ClvNote(reports.front()));
  return out;
}

std::string ClvCloseLabel(const BacktestReport& report) {
  return ClosingBookmaker(report.options.clv_closing_source, report.options.odds_source);
}

absl::StatusOr<std::string> FormatRunJson(const BacktestReport& report) {
  SUPERBET_RETURN_IF_ERROR(CheckReportFinite(report));
  nlohmann::json j = MetricsJson(report.overall);
  j["strategy"] = report.strategy;
  j["staking"] = std::string(StakingName(report.options.staking));
  j["clv_closing_source"] = std::string(ClosingSourceName(report.options.clv_closing_source));
  j["clv_closing_bookmaker"] = ClvCloseLabel(report);
  j["overall"] = MetricsJson(report.overall);
  j["per_season"] = nlohmann::json::array();
  for (const Metrics& m : report.per_season) j["per_season"].push_back(MetricsJson(m));
  try {
    return j.dump(2);
  } catch (const nlohmann::json::exception& e) {  // Invalid UTF-8 in a name.
    return absl::InvalidArgumentError(absl::StrCat("writing the JSON report: ", e.what()));
  }
}

}  // namespace superbet::backtest
