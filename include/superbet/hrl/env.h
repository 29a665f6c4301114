// PreMatchEnv: football-data.co.uk seasons replayed "as if live" for the pre-match worker, one step
// per fixture in kickoff order (input order breaks ties).
//
// What must not be seen is not passed: the environment holds each fixture's result privately and
// hands the agent only a PreMatchObservation (prematch_features.h), computed from the matches over
// by that fixture's kickoff (kickoff + 2 h 15 min, or the end of the UTC date without a kickoff
// time; the backtest engine's rule). A decision's reward and the fixture's result come back
// (TakeSettled) only once the match is over by the kickoff of the step the agent is about to see,
// so a 15:00 decision never learns the result of another 15:00 match. Tested by altering every
// result and price after step t: observations and decisions up to t stay the same.
//
// Actions: back home, back draw, back away (stake = `stake_fraction` of the remaining budget B,
// never more than B) or no bet. Settlement at the decision prices: payout = stake × odds on a win,
// 0 on a loss (1X2 has no void). Reward: reward::ComputeReward (the decided final form) with
//   σ = 1 (pre-match prices have no one-minute history; 1 is the training median by construction),
//   ρ = reward::Rho(confidence of the decision),
//   B after settlement, B₀ = initial_budget, τ = 0 s (historical prices carry no age),
//   WR₁₀ and ō over the worker's last 10 settled bets (this one included when it is a bet); with
//   no settled bet yet ō = 2.0 (a coin flip's fair odds; project choice).
//
// Decision prices: the bookmaker's pre-match ("opening", football-data's B365H...) prices by
// default; with `decide_at_closing` the closing prices (B365CH..., football-data's prices just
// before kickoff, Bet365 from 2019/20), bet at those, and line movement opening → closing observed.
//
// Not thread-safe; owns its copy of the observations and results.

#ifndef SUPERBET_HRL_ENV_H_
#define SUPERBET_HRL_ENV_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "superbet/hrl/prematch_features.h"
#include "superbet/reward/reward.h"
#include "superbet/v1/model.pb.h"

namespace superbet::hrl {

// The pre-match worker's actions, in Q-table column order.
enum class PreMatchAction : int { kBackHome = 0, kBackDraw = 1, kBackAway = 2, kNoBet = 3 };
inline constexpr int kPreMatchActions = 4;
// "home", "draw", "away", "no_bet".
absl::string_view PreMatchActionName(PreMatchAction action);

// Match outcome index: 0 home win, 1 draw, 2 away win.
int OutcomeIndex(const superbet::v1::Score& full_time);

struct PreMatchEnvOptions {
  std::string bookmaker = "Bet365";  // BettingLine.bookmaker whose 1X2 prices are used.
  bool decide_at_closing = false;    // See the top of this file.
  // Fixture.season values ("2015/16") that are stepped through; empty = every season. Fixtures of
  // other seasons only feed the features (history) and are never stepped.
  std::vector<std::string> step_seasons;
  PreMatchFeatureOptions features;
  double initial_budget = 10000.0;  // B₀; finite, > 0.
  double stake_fraction = 0.05;     // Of the remaining budget; in (0, 1].
  reward::RewardOptions reward;
};

// A decision whose match is over: everything the agent may learn from it.
struct SettledStep {
  int64_t step = 0;  // Index of the step in the environment.
  PreMatchAction action = PreMatchAction::kNoBet;
  double confidence = 0;    // As given to Act.
  double stake = 0;         // Currency units; 0 for no bet.
  double decimal_odds = 0;  // Price of the pick; 0 for no bet.
  double payout = 0;        // Gross, currency units.
  int outcome = 0;          // OutcomeIndex of the result.
  reward::RewardTerms reward{};
};

class PreMatchEnv {
 public:
  // Builds the steps from `fixtures` (any order; sorted by kickoff here) and `lines` (the
  // bookmaker's 1X2 lines are read; every other line is ignored). A fixture without a result or
  // without the three decision prices (each finite and > 1) is not stepped and counted
  // (skipped_no_odds()); it still joins the history once over, when it has a result.
  // Errors: InvalidArgument for invalid options (naming the field and value); a features error
  // (a Dixon-Coles fit that fails), prefixed with the fixture id.
  [[nodiscard]] static absl::StatusOr<PreMatchEnv> Create(
      absl::Span<const superbet::v1::Fixture> fixtures,
      absl::Span<const superbet::v1::BettingLine> lines, const PreMatchEnvOptions& options);

  int64_t size() const { return static_cast<int64_t>(observations_.size()); }
  int64_t index() const { return next_; }
  bool done() const { return next_ >= size(); }
  int64_t skipped_no_odds() const { return skipped_no_odds_; }
  int dixon_coles_fits() const { return dixon_coles_fits_; }

  // The current step's observation. Precondition: !done().
  const PreMatchObservation& Observe() const { return observations_[next_]; }
  // The observation of an earlier step (< index()), e.g. to learn from a settled decision; the
  // same object Observe() returned then. Precondition: 0 <= step < index().
  const PreMatchObservation& ObserveAt(int64_t step) const { return observations_[step]; }

  // Takes `action` on the current step with the policy probability `confidence` (in [0, 1]) and
  // moves to the next step; the decisions whose matches are over by the next step's kickoff (all
  // of them after the last step) become available to TakeSettled, in the order they ended.
  // Errors: FailedPrecondition when done(); InvalidArgument for a confidence outside [0, 1].
  [[nodiscard]] absl::Status Act(PreMatchAction action, double confidence);

  // The settled decisions not taken yet (see Act), oldest first.
  std::vector<SettledStep> TakeSettled();

  // Back to step 0 with the initial budget and an empty bet history (a new training episode over
  // the same seasons).
  void Reset();

  double budget() const { return cash_; }  // B: cash not staked.

 private:
  PreMatchEnv() = default;
  struct Pending {
    int64_t step;
    PreMatchAction action;
    double confidence;
    double stake;
  };
  [[nodiscard]] absl::Status Settle(const Pending& p);
  PreMatchEnvOptions options_;
  std::vector<PreMatchObservation> observations_;
  std::vector<int> outcomes_;     // Private: never handed out before the match is over.
  std::vector<absl::Time> ends_;  // MatchEnd of each step.
  int64_t skipped_no_odds_ = 0;
  int dixon_coles_fits_ = 0;
  int64_t next_ = 0;
  double cash_ = 0;
  std::vector<Pending> pending_;
  std::vector<SettledStep> settled_;
  std::vector<std::pair<bool, double>> last_bets_;  // (won, odds), at most 10, oldest first.
};

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_ENV_H_
