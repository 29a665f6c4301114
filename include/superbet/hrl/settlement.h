// Settlement of the live worker's accepted bets once a match's final state is known, and the
// reward of each settled bet.
//
// A match settles when its final superbet.v1.LiveMatchState arrives: FINISHED (the last state of a
// match on the live feed carries the final score), or CANCELLED (every bet void). Every open
// accepted bet of that match is settled in the order it was accepted:
//
//   payout (gross) = stake × decimal odds on a win, the stake on a void, 0 on a loss
//   profit         = payout − stake
//   B              = the manager's budget AFTER the payout returned (B₀ − open stakes + payouts)
//   R              = reward::ComputeReward (superbet/reward/reward.h) with
//                    σ   = the pick's volatility when the bet was accepted (PickSigma),
//                    ρ   = reward::Rho(the decision's confidence),
//                    τ   = the decision's data_staleness_s,
//                    WR₁₀ = the fraction of the worker's last 10 settled bets that won (this one
//                          included; a win is payout > stake, so a void is not a win),
//                    ō   = the mean decimal odds of the same last 10 bets.
// and the manager (superbet/hrl/manager.h) is told: Placed when a bet is opened, Settled when it
// settles (its UCB1 counts and last-10 win rate).
//
// Idempotent: a match settles once. A FINISHED state delivered again (at-least-once streams), or
// a later FINISHED state of the same match, settles nothing and says so (already_settled); a bet
// opened on a match that has already settled is refused (FailedPrecondition) and counted.
//
// Ledger: each settled bet is written as one Decision JSON line (superbet/scoring/
// prediction_json.h), the accepted Decision with `profit` set (as risk::PaperLedger's settlement
// lines, superbet/risk/ledger.h) and `manager` holding the state after settlement: budget_remaining
// = B/B₀, risk_score = ρ, market_volatility = σ, live_agent_wr = WR₁₀, data_staleness = τ/300, the
// UCB1 scores. From such a line and the earlier ones the reward can be recomputed.
//
// Determinism: no clock, no randomness; the results depend only on the sequence of calls.
//
// Sources: the reward and payout conventions are the design's final reward; UCB1 is Auer,
// Cesa-Bianchi & Fischer (2002), "Finite-time Analysis of the Multiarmed Bandit Problem",
// Machine Learning 47.

#ifndef SUPERBET_HRL_SETTLEMENT_H_
#define SUPERBET_HRL_SETTLEMENT_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/hrl/manager.h"
#include "superbet/reward/reward.h"
#include "superbet/v1/decision.pb.h"
#include "superbet/v1/model.pb.h"

namespace superbet::hrl {

// How a bet ended.
enum class BetResult { kWon, kLost, kVoid };

// "won", "lost", "void".
absl::string_view BetResultName(BetResult result);

// The final 1X2 result of a match's final state: for FIXTURE_STATUS_FINISHED, 0 home won, 1 draw,
// 2 away won; for FIXTURE_STATUS_CANCELLED (cancelled, abandoned, suspended: the market is void),
// std::nullopt, every bet void.
// Errors: FailedPrecondition for any other status ("match statsbomb:1 is not final (status
// 2)"; a postponed match is still to be played); InvalidArgument when a FINISHED state's
// score_home or score_away is absent or negative (a final score that is not known settles
// nothing).
[[nodiscard]] absl::StatusOr<std::optional<int>> FinalResult(
    const superbet::v1::LiveMatchState& state);

// The result of a bet on `pick` ("home", "draw", "away") given the match's final result (0, 1, 2),
// or std::nullopt for a void match (stakes returned).
// Errors: InvalidArgument for another pick or a result outside 0..2.
[[nodiscard]] absl::StatusOr<BetResult> ResultOfPick(absl::string_view pick,
                                                     std::optional<int> final_result);

// The gross payout, currency units: stake × decimal_odds (won), stake (void), 0 (lost).
// Errors: InvalidArgument when the stake is not finite or < 0, or the odds not finite or <= 1.
[[nodiscard]] absl::StatusOr<double> GrossPayout(double stake, double decimal_odds,
                                                 BetResult result);

// What a settlement line (an accepted Decision with `profit` set, as BetSettler writes it) says the
// bet paid: its result from the sign of the profit (won > 0, void = 0, lost < 0) and the gross
// payout GrossPayout gives for the line's stake and the pick's decimal odds.
struct SettlementLinePayout {
  BetResult result = BetResult::kLost;
  double payout = 0;  // Gross, currency units.
};
// Errors: InvalidArgument when `profit` is absent ("profit is absent: not a settlement line") or
// not finite, the pick is not home|draw|away, the pick's price is absent, not finite or <= 1, the
// stake is not finite or < 0, or the profit is none of won, void or lost for that stake and price
// ("profit 10 is none of won (5), void (0) or lost (-5) for stake 5 at odds 2").
[[nodiscard]] absl::StatusOr<SettlementLinePayout> PayoutOfSettlementLine(
    const superbet::v1::Decision& line);

// σ of selection `selection` (0 home, 1 draw, 2 away) at `state`'s minute k, as the live worker's
// features compute it: the selection's live decimal odds over the consecutive quoted minutes
// ending at k (state at k, `history` for the earlier minutes; at most 16 prices = 15 minutes;
// a price that is absent, not finite or <= 1 ends the run), reward::Sigma with floor 0.1 and
// normaliser `training_median_sd` (> 0, the checkpoint's); 1 when fewer than 3 prices are quoted
// or the state has no minute (the live worker's convention: a typical market).
double PickSigma(const superbet::v1::LiveMatchState& state,
                 const std::map<int, superbet::v1::LiveMatchState>& history, int selection,
                 double training_median_sd);

struct SettlerOptions {
  double initial_budget = 10000.0;  // B₀, currency units; finite, > 0.
  int win_rate_window = 10;         // Bets in WR₁₀ and ō; in [1, 1000].
  int sharpe_window = 100;          // Rewards in RewardSharpe; in [2, 100000].
  reward::RewardOptions reward;     // The reward's constants (defaults: the final form).
  // True when the ledger stream drops a failed line itself (a superbet/core/append_log.h
  // stream): a stream still failed from an earlier write is cleared and written to again.
  bool ledger_recovers = false;
};

// One settled bet.
struct SettledBet {
  superbet::v1::Decision line;  // The settlement line as written (profit and manager set).
  BetResult result = BetResult::kLost;
  double payout = 0;              // Gross, currency units.
  reward::RewardInputs inputs{};  // What the reward was computed from.
  reward::RewardTerms terms{};    // The reward and its terms.
};

// What one Settle call did.
struct MatchSettlement {
  bool already_settled = false;  // The match had settled before: nothing was done.
  std::vector<SettledBet> bets;  // In the order the bets were accepted.
  // OK, or the error of a settlement line that could not be written (DataLoss for a failed write)
  // (the bets are settled all the same, and `bets` says what to credit: a caller's bankroll must
  // not miss their payouts).
  absl::Status ledger_write;
};

// Running figures for the metrics; absent means not defined yet.
struct SettlerStats {
  int64_t opened = 0;   // Bets opened.
  int64_t open = 0;     // Bets opened and not settled.
  int64_t settled = 0;  // Bets settled (= rewards computed).
  int64_t matches_settled = 0;
  int64_t refused = 0;    // Open calls refused (bad decision, match already settled).
  double reward_sum = 0;  // Sum of every reward so far.
  double budget = 0;      // B, currency units (B₀ − open stakes + payouts).
  // mean / sample sd (n − 1) of the last sharpe_window rewards; absent with fewer than 2 or when
  // the sd is 0 (the ratio is undefined, never reported as 0 or infinity).
  std::optional<double> reward_sharpe;
  std::optional<double> ucb_live;  // Manager UCB1 score of the live worker; after a settlement.
  std::optional<double> win_rate_live;  // WR₁₀ of the live worker; after a settlement.
};

// BetSettler: the open bets of the live worker, the manager and the recent rewards.
//
// Thread-safety: all methods are thread-safe (one internal mutex; ledger lines are written whole,
// in call order, each followed by a flush). Ownership: owns its manager and book; borrows the
// optional ledger stream, which must outlive it.
class BetSettler {
 public:
  // Errors: InvalidArgument naming the option and its value.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<BetSettler>> Create(
      const SettlerOptions& options, std::ostream* ledger_out = nullptr);

  // Opens an accepted bet of the live worker (the manager's Placed: n_live += 1, B −= stake).
  // `sigma` is the pick's σ when it was decided (PickSigma), >= 0.
  // Errors (the bet is not opened, and counted in `refused`): InvalidArgument when the decision
  // is not VERDICT_ACCEPTED, has no match_id, a pick other than home|draw|away, no finite price
  // > 1 for the pick, a stake not finite or <= 0, no data_staleness_s, or a bad sigma (naming the
  // field and value); FailedPrecondition when its match has already settled; the manager's
  // InvalidArgument when the stake exceeds the budget.
  [[nodiscard]] absl::Status Open(const superbet::v1::Decision& accepted, double sigma);

  // Settles every open bet of `final_state`'s match (see the file comment). A match with no open
  // bet settles (0 bets) and is marked settled all the same. `settled_at` is informational
  // (logged by callers); nothing reads a clock.
  // Errors: those of FinalResult (nothing is marked settled then). A failed ledger write is not an
  // error: the bets are settled and marked all the same (the book stays consistent) and
  // MatchSettlement::ledger_write is DataLoss.
  [[nodiscard]] absl::StatusOr<MatchSettlement> Settle(
      const superbet::v1::LiveMatchState& final_state, absl::Time settled_at);

  // Restoring from a ledger (superbet/agent/ledger_restore.h), one line at a time in the ledger's
  // order, writing nothing: Open (which writes no line) on each accepted decision line, and
  // RestoreSettlement on each settlement line. RestoreSettlement settles the first open bet of the
  // line's match (bets settle in the order they were accepted) with the result its `profit` says
  // (> 0 won, 0 void, −stake lost) and σ = the line's manager.market_volatility (the σ the reward
  // used then, whatever σ the bet was reopened with), as Settle did: the manager's Settled (UCB1
  // counts, last-10 win rate), the last-10 odds, the reward into the last-100 rewards (Sharpe),
  // the stats; the match is marked settled (a later final state settles nothing). So UCB1, WR₁₀,
  // Sharpe and reward_sum continue where the ledger stopped.
  // Not restored: a match that settled with no open bet left no line, so it is not marked settled
  // (a later final state of it settles 0 bets again, counted in matches_settled); refused counts
  // only Open calls replayed here.
  // Errors (nothing changes): InvalidArgument when `profit` is absent or not finite, the pick or
  // its price is invalid, manager.market_volatility is not finite and >= 0, or the profit is none
  // of the three results; FailedPrecondition when the match has no open bet, or its first open
  // bet is not this line's (stake, pick or decided_at differ: naming both).
  [[nodiscard]] absl::Status RestoreSettlement(const superbet::v1::Decision& line);

  bool IsSettled(absl::string_view match_id) const;
  // The match ids with open bets, in increasing order.
  std::vector<std::string> OpenMatchIds() const;
  SettlerStats stats() const;

 private:
  BetSettler(const SettlerOptions& options, Manager manager, std::ostream* ledger_out);
  struct OpenBet {
    superbet::v1::Decision decision;
    double sigma = 1;
  };
  // Settles `bet` (result and gross payout given, reward with `sigma`): manager, windows, stats
  // and the settlement line (not written). Errors: the manager's or the reward's.
  [[nodiscard]] absl::StatusOr<SettledBet> SettleBetLocked(OpenBet bet, BetResult result,
                                                           double payout, double sigma)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The budget, UCB, WR₁₀ and Sharpe of stats_ after settlements.
  void UpdateStatsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SettlerOptions options_;
  std::ostream* const ledger_out_;
  mutable absl::Mutex mu_;
  Manager manager_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<OpenBet>> open_ ABSL_GUARDED_BY(mu_);  // By match id.
  std::set<std::string> settled_matches_ ABSL_GUARDED_BY(mu_);
  std::deque<double> recent_odds_ ABSL_GUARDED_BY(mu_);     // Last win_rate_window settled.
  std::deque<double> recent_rewards_ ABSL_GUARDED_BY(mu_);  // Last sharpe_window rewards.
  SettlerStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_SETTLEMENT_H_
