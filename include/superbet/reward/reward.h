// The reward of one settled decision of the betting agent, in its decided final form:
//
//   ROI = (payout − stake) / (stake + ε)
//   R   = ROI / (σ·ρ + ε)                 risk-adjusted ("Sharpe-like") return
//       − 0.3 · max(0, 0.8 − B/B₀)        budget protection
//       − 0.001 · (τ / 300)               stale-data penalty, τ = data staleness [s]
//       + 0.2 · (WR₁₀ − 1/(ō + ε))        bonus above the dynamic break-even
//
// with ε = 1e-6 and the coefficients of RewardOptions' defaults. Consequences (tested): the budget
// term is exactly 0 while B >= 0.8·B₀ and 0.24 at B = 0; the staleness term is <= 0.001 within
// 5 min and makes R strictly decrease as τ grows; the break-even is 1/ō (50 % at ō = 2.00, 33.3 %
// at 3.00); a `no_bet` decision (stake 0, payout 0) has ROI 0 and the other terms still apply.
// There is no drawdown term. σ and ρ are project choices, defined below with their defaults.
//
// All functions are pure and thread-safe.

#ifndef SUPERBET_REWARD_REWARD_H_
#define SUPERBET_REWARD_REWARD_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace superbet::reward {

// The constants of the reward. The defaults are the decided final form; tests and experiments may
// change them.
struct RewardOptions {
  double epsilon = 1e-6;                 // Regulariser of the three divisions; > 0.
  double budget_coefficient = 0.3;       // Weight of the budget penalty; >= 0.
  double budget_floor_fraction = 0.8;    // B/B₀ below which the budget penalty starts; in [0, 1].
  double staleness_coefficient = 0.001;  // Weight of the staleness penalty; >= 0.
  double staleness_scale_s = 300.0;      // τ is normalised as τ / scale [s]; > 0.
  double win_rate_coefficient = 0.2;     // Weight of the break-even bonus; >= 0.
};

// One settled decision. Money is in the bankroll's currency unit (the same unit for payout,
// stake and both budgets).
struct RewardInputs {
  // Gross amount returned by the bet: stake × decimal odds on a win, the stake on a void, 0 on a
  // loss (and 0 for `no_bet`). >= 0.
  double payout;
  // Amount staked; 0 for `no_bet`. >= 0.
  double stake;
  // σ, the pick's normalised volatility (see Sigma below; >= 0.1 when it comes from there). >= 0.
  double sigma;
  // ρ, the risk score from the decision's confidence (see Rho below; in [0.5, 1.5]). >= 0.
  double rho;
  // B, the remaining budget read AFTER this bet is settled. >= 0.
  double budget_remaining;
  // B₀, the initial budget. > 0.
  double initial_budget;
  // τ, the age of the data the decision was made on, in seconds. >= 0.
  double data_staleness_s;
  // WR₁₀, the fraction of the last 10 settled bets that won, in [0, 1].
  double win_rate_last10;
  // ō, the mean decimal odds of the same last 10 bets (project choice); > 1.0.
  double mean_decimal_odds_last10;
};

// The reward and its four terms, so that each can be logged and tested on its own.
// reward == risk_adjusted_return − budget_penalty − staleness_penalty + win_rate_bonus.
struct RewardTerms {
  double roi;                   // (payout − stake) / (stake + ε); 0 for `no_bet`.
  double risk_adjusted_return;  // roi / (σ·ρ + ε).
  double budget_penalty;        // budget_coefficient · max(0, floor − B/B₀); >= 0, subtracted.
  double staleness_penalty;     // staleness_coefficient · τ / scale; >= 0, subtracted.
  double win_rate_bonus;  // win_rate_coefficient · (WR₁₀ − 1/(ō + ε)); signed, added.
  double reward;          // The total R.
};

// Computes R and its terms for `in`. The budget term is computed as exactly 0 whenever
// B >= floor·B₀ (no rounding of B/B₀ can make it positive there).
//
// Errors: InvalidArgument when an input is not finite or outside the range documented on its
// field, or an option outside its range; the message names the field and the value
// ("stake must be finite and >= 0, got -5").
[[nodiscard]] absl::StatusOr<RewardTerms> ComputeReward(const RewardInputs& in,
                                                        const RewardOptions& options = {});

// ρ = 0.5 + (1 − confidence), in [0.5, 1.5]: 0.5 for a certain decision, 1.5 for none.
// `confidence` is the policy probability of the chosen action; it is clamped to [0, 1],
// and NaN is taken as 0 (the most cautious ρ = 1.5).
double Rho(double confidence);

// σ: the sample standard deviation (n − 1) of the pick's one-minute log-odds changes
// ln(o_t / o_{t−1}) over the last 15 minutes, divided by `training_median_sd` (the training set's
// median of that same quantity), floored at `floor`.
//
// `one_minute_decimal_odds`: the pick's decimal price at each one-minute bucket, oldest first
// (16 prices span 15 minutes; any length >= 3 is accepted, the caller chooses the window).
// Returns: a value >= floor; 1 for a market exactly as volatile as the training median.
// Errors: InvalidArgument when fewer than 3 prices are given (2 changes are needed for a sample
// sd), when a price is not finite or not > 1.0 ("one_minute_decimal_odds[4] must be finite and
// > 1.0, got 0"), when `training_median_sd` is not finite or not > 0, or `floor` not finite or < 0.
[[nodiscard]] absl::StatusOr<double> Sigma(absl::Span<const double> one_minute_decimal_odds,
                                           double training_median_sd, double floor = 0.1);

}  // namespace superbet::reward

#endif  // SUPERBET_REWARD_REWARD_H_
