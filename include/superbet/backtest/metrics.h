// Backtest report metrics: what a run of bets and forecasts adds up to.
//
// Definitions (per bet k with stake s_k > 0 and profit q_k = s_k (o_k - 1) if won else -s_k):
//   turnover = sum s_k; pnl = sum q_k; roi (yield) = pnl / turnover; hit_rate = wins / bets;
//   per-bet return r_k = q_k / s_k (per unit staked);
//   sharpe  = mean(r) / sd(r), sd the sample standard deviation (n - 1);
//   sortino = mean(r) / sqrt(mean(min(r, 0)^2));
//   max_drawdown = max over the bankroll path of (peak - bankroll) / peak, a fraction of the peak
//     bankroll (the path starts at start_bankroll and steps at each settled bet; 0 with no bet:
//     the path is the start bankroll alone, an observed flat path);
//   max_drawdown_units = the same largest peak-to-trough fall in units staked: (peak - bankroll)
//     / unit_stake, unit_stake being one flat stake (EngineOptions::flat_stake), so "down 23.5
//     units" reads the same whatever the bankroll;
//   clv = mean over bets with a closing price (from EngineOptions::clv_closing_source, Pinnacle by
//     default) of taken_odds / closing_odds - 1;
//   brier = mean over forecasts of sum_i (p_i - y_i)^2 over the 3 outcomes (in [0, 2]);
//   log_loss = mean over forecasts of -ln p_outcome (p floored at 1e-15).
//
// Absent means absent: a ratio with no sample is std::nullopt, never a 0 that looks observed
// (Brier 0 would be a perfect forecast). The report writers (report.h) print it as JSON `null`
// beside its count and as `-` in the table:
//   hit_rate, roi         nullopt when bets = 0 (roi: when turnover = 0);
//   sharpe                nullopt when bets < 2 or sd(r) = 0;
//   sortino               nullopt when bets = 0 or no bet lost (downside deviation 0);
//   clv                   nullopt when clv_bets = 0 (no bet had a closing price);
//   brier, log_loss       nullopt when forecasts = 0.
// Sums (turnover, pnl) are 0 over no bets, and the bankrolls are observed, so they are plain.

#ifndef SUPERBET_BACKTEST_METRICS_H_
#define SUPERBET_BACKTEST_METRICS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "superbet/v1/model.pb.h"

namespace superbet::backtest {

// One settled bet.
struct BetRecord {
  std::string fixture_id;
  std::string season;
  absl::Time kickoff;
  superbet::v1::Selection selection = superbet::v1::SELECTION_UNSPECIFIED;
  double decimal_odds = 0;    // Taken (pre-match price of the odds source).
  double probability = 0;     // The strategy's probability of the pick.
  double stake = 0;           // Bankroll currency units, > 0.
  double profit = 0;          // stake * (odds - 1) if won, else -stake.
  double bankroll_after = 0;  // After this bet's settlement.
  bool won = false;
  std::optional<double> closing_odds;  // Closing price of the selection (the CLV source), if any.
};

// One scored 1X2 forecast.
struct ForecastRecord {
  std::string season;
  std::array<double, 3> probabilities{};  // home, draw, away
  int outcome = 0;                        // 0 home win, 1 draw, 2 away win
};

struct Metrics {
  std::string season;           // "2015/16"; "overall" for the whole run.
  int64_t matches = 0;          // Matches with the source's three prices (replayed).
  int64_t skipped_no_odds = 0;  // Matches without them (not replayed).
  int64_t forecasts = 0;
  int64_t bets = 0;
  int64_t wins = 0;
  int64_t skipped_stake_over_bankroll = 0;
  std::optional<double> hit_rate;  // Fraction of bets won (see the top for when absent).
  double turnover = 0;
  double pnl = 0;
  std::optional<double> roi;
  double start_bankroll = 0;
  double final_bankroll = 0;
  double max_drawdown = 0;        // Fraction of the peak bankroll.
  double max_drawdown_units = 0;  // Currency units / the unit stake.
  std::optional<double> sharpe;
  std::optional<double> sortino;
  std::optional<double> clv;
  int64_t clv_bets = 0;  // Bets with a closing price (the clv sample).
  std::optional<double> brier;
  std::optional<double> log_loss;
};

// Fills the bet, forecast and bankroll fields of a Metrics (season, matches, skipped_* are left
// to the caller). `bets` in settlement order; `start_bankroll` is the bankroll before the first,
// in the bankroll's currency unit; `unit_stake` (> 0, currency units) is one unit for
// max_drawdown_units (a value <= 0 leaves it 0). Pure function; thread-safe.
//
// Never fails. Records that break the field contracts are tolerated, not trusted: a forecast whose
// outcome is not 0, 1 or 2 is not scored (and not counted in `forecasts`); a bet with stake <= 0
// counts towards bets/turnover/pnl with a per-bet return of 0 (no division by zero).
Metrics ComputeMetrics(absl::Span<const BetRecord> bets, absl::Span<const ForecastRecord> forecasts,
                       double start_bankroll, double unit_stake = 1.0);

// OK when every number of `m` that is present is finite.
// Errors: OutOfRange naming the season, the field and the value (e.g. "2015/16: pnl is inf").
[[nodiscard]] absl::Status CheckMetricsFinite(const Metrics& m);

}  // namespace superbet::backtest

#endif  // SUPERBET_BACKTEST_METRICS_H_
