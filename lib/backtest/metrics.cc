#include "superbet/backtest/metrics.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "superbet/core/status_macros.h"

namespace superbet::backtest {
namespace {

constexpr double kMinProbability = 1e-15;

void AddBetMetrics(absl::Span<const BetRecord> bets, double start_bankroll, double unit_stake,
                   Metrics& m) {
  m.start_bankroll = start_bankroll;
  m.final_bankroll = start_bankroll;
  double peak = start_bankroll;
  double sum_r = 0, sum_r2 = 0, sum_down2 = 0, sum_clv = 0;
  for (const BetRecord& b : bets) {
    ++m.bets;
    if (b.won) ++m.wins;
    m.turnover += b.stake;
    m.pnl += b.profit;
    m.final_bankroll = b.bankroll_after;
    peak = std::max(peak, b.bankroll_after);
    if (peak > 0) m.max_drawdown = std::max(m.max_drawdown, (peak - b.bankroll_after) / peak);
    if (unit_stake > 0) {
      m.max_drawdown_units = std::max(m.max_drawdown_units, (peak - b.bankroll_after) / unit_stake);
    }
    const double r = b.stake > 0 ? b.profit / b.stake : 0.0;  // Guard: stake <= 0 is bad input.
    sum_r += r;
    sum_r2 += r * r;
    if (r < 0) sum_down2 += r * r;
    if (b.closing_odds.has_value() && *b.closing_odds > 1.0) {
      ++m.clv_bets;
      sum_clv += b.decimal_odds / *b.closing_odds - 1.0;
    }
  }
  if (m.bets == 0) return;
  const double n = static_cast<double>(m.bets);
  m.hit_rate = m.wins / n;
  if (m.turnover > 0) m.roi = m.pnl / m.turnover;
  const double mean = sum_r / n;
  if (m.bets >= 2) {
    const double var = (sum_r2 - n * mean * mean) / (n - 1);
    if (var > 0) m.sharpe = mean / std::sqrt(var);
  }
  if (sum_down2 > 0) m.sortino = mean / std::sqrt(sum_down2 / n);
  if (m.clv_bets > 0) m.clv = sum_clv / static_cast<double>(m.clv_bets);
}

void AddForecastMetrics(absl::Span<const ForecastRecord> forecasts, Metrics& m) {
  double brier = 0, log_loss = 0;
  for (const ForecastRecord& f : forecasts) {
    if (f.outcome < 0 || f.outcome > 2) continue;  // Not a 1X2 outcome: not scored.
    ++m.forecasts;
    for (int i = 0; i < 3; ++i) {
      const double y = (i == f.outcome) ? 1.0 : 0.0;
      brier += (f.probabilities[i] - y) * (f.probabilities[i] - y);
    }
    log_loss -= std::log(std::max(f.probabilities[f.outcome], kMinProbability));
  }
  if (m.forecasts == 0) return;
  m.brier = brier / static_cast<double>(m.forecasts);
  m.log_loss = log_loss / static_cast<double>(m.forecasts);
}

absl::Status CheckFinite(const Metrics& m, absl::string_view field, std::optional<double> value) {
  if (!value.has_value() || std::isfinite(*value)) return absl::OkStatus();
  return absl::OutOfRangeError(absl::StrCat(m.season, ": ", field, " is ", *value));
}

}  // namespace

Metrics ComputeMetrics(absl::Span<const BetRecord> bets, absl::Span<const ForecastRecord> forecasts,
                       double start_bankroll, double unit_stake) {
  Metrics m;
  AddBetMetrics(bets, start_bankroll, unit_stake, m);
  AddForecastMetrics(forecasts, m);
  return m;
}

absl::Status CheckMetricsFinite(const Metrics& m) {
  const std::pair<absl::string_view, std::optional<double>> fields[] = {
      {"hit_rate", m.hit_rate},
      {"turnover", m.turnover},
      {"pnl", m.pnl},
      {"roi", m.roi},
      {"start_bankroll", m.start_bankroll},
      {"final_bankroll", m.final_bankroll},
      {"max_drawdown", m.max_drawdown},
      {"max_drawdown_units", m.max_drawdown_units},
      {"sharpe", m.sharpe},
      {"sortino", m.sortino},
      {"clv", m.clv},
      {"brier", m.brier},
      {"log_loss", m.log_loss}};
  for (const auto& [field, value] : fields) SUPERBET_RETURN_IF_ERROR(CheckFinite(m, field, value));
  return absl::OkStatus();
}

}  // namespace superbet::backtest
