// LiveDecider: the live worker as a service-side decision loop. It loads a live checkpoint
// (feature spec live-v1, superbet/hrl/live_worker.h), keeps per-match state built from canonical
// superbet.v1.LiveMatchState updates, decides greedily, computes the per-decision metrics
// (superbet/scoring/metrics.h: Kelly fraction, CAS; superbet/scoring/tracker.h: VSNR, gamma) and
// passes every decision through a risk::RiskGate (superbet/risk/gate.h).
//
// Live prices: the live-v1 slots 14-17 and σ (slot 25) are computed from the states' live_odds
// (the provider's in-play 1X2) where the training environment used its modelled prices. A price
// that is not finite and > 1 (0 included) counts as not quoted: slots 14-17 need all three, σ of
// home and away each needs 3 consecutive quoted minutes of its own selection (else 1), and a bet
// on an unquoted pick is denied by the gate (invalid_decision).
//
// Stake: stake_fraction (5 %) of the free bankroll (initial bankroll minus accepted stakes plus
// the gross payouts of settled bets; the caller settles them through RecordSettlement). A no_bet
// decision goes through the gate too and is denied "no_bet", so every state gets exactly one
// Decision with a verdict. The gate is told the state's status (risk::MatchContext): a decision on
// a match that is not in play (FIXTURE_STATUS_FINISHED, as the last state of a match is, SCHEDULED,
// POSTPONED, CANCELLED or UNSPECIFIED) is denied not_in_play.
//
// An accepted decision carries pick_sigma: σ of its pick at the decision (PickSigma, superbet/hrl/
// settlement.h, on the same history the window was built from), the σ its settlement's reward reads.
//
// Recording: a non-dry-run decision is recorded (gate counts and exposure, bankroll debit, VSNR /
// gamma history) only once its ledger line is written. When the write fails nothing is recorded,
// so retrying a decision whose write keeps failing never stakes the bankroll twice.
//
// Thread-safety: all public methods are thread-safe (one internal mutex serialises decisions; the
// network caches activations). Owns its worker, gate and per-match history; borrows the optional
// ledger stream, which must outlive it.

#ifndef SUPERBET_HRL_LIVE_DECIDER_H_
#define SUPERBET_HRL_LIVE_DECIDER_H_

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "superbet/hrl/live_env.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/risk/gate.h"
#include "superbet/scoring/tracker.h"
#include "superbet/v1/checkpoint.pb.h"
#include "superbet/v1/decision.pb.h"
#include "superbet/v1/model.pb.h"

namespace superbet::hrl {

using LiveRow = std::array<float, kLiveInputWidth>;

// The live-v1 row (64 slots, layout in superbet/hrl/live_env.h) of `state` at minute
// state.minute(). `history` maps earlier minutes of the same match to their states (used for the
// momentum slots 18-23 and σ); `budget_ratio` is B/B₀ (slot 24); `sigma_training_median_sd` is
// σ's normaliser (> 0). Prices: the state's live_odds when all three are > 1.
// Errors: InvalidArgument when the state has no minute or a negative one ("state.minute must be
// >= 0, got -1").
[[nodiscard]] absl::StatusOr<LiveRow> LiveRowFromState(
    const superbet::v1::LiveMatchState& state,
    const std::map<int, superbet::v1::LiveMatchState>& history, double budget_ratio,
    double sigma_training_median_sd);

struct LiveDeciderOptions {
  risk::RiskLimits limits;            // The gate's rules (decision core defaults).
  double initial_bankroll = 10000.0;  // B₀, currency units, > 0.
  double stake_fraction = 0.05;       // Of the free bankroll, in (0, 1].
  std::ostream* ledger = nullptr;     // When set, one Decision JSON line per non-dry-run decision.
  // True when `ledger` drops the text of a failed write itself and leaves no torn line in its
  // file (a superbet/core/append_log.h stream): a ledger still failed from an earlier write is
  // then cleared (std::ios::clear) and written to again, so decisions are recorded again once the
  // disk has space. False: such a decision fails (DataLoss) until the stream's owner clears it.
  bool ledger_recovers = false;
};

class LiveDecider {
 public:
  // Loads <dir>/checkpoint.pb (superbet/hrl/checkpoint.h LoadCheckpoint against live-v1).
  // Errors: those of LoadCheckpoint (NotFound, DataLoss, FailedPrecondition for an incompatible
  // feature spec naming both), LoadLiveWorker, LiveEnvOptionsFromCheckpoint; InvalidArgument for
  // a bad option (naming it).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LiveDecider>> Load(
      const std::string& dir, const LiveDeciderOptions& options);
  // The same from a checkpoint in memory; `path` only names it in GetModelInfo.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LiveDecider>> FromCheckpoint(
      superbet::v1::Checkpoint checkpoint, std::string path, const LiveDeciderOptions& options);

  // Records `state` in its match's history and decides on the last 10 minutes. `now` is the
  // decision time (decided_at; injected, never read from a clock). The prediction's match_id,
  // teams and kickoff are the state's (kickoff absent when the state has none: such a prediction
  // is not a valid prediction line, superbet/scoring/prediction_json.h). dry_run: the gate's
  // verdict is RiskGate::Preview's, so nothing is recorded (no exposure, no bankroll change, no
  // ledger line). Errors: InvalidArgument naming the field when match_id is empty or the minute is
  // absent or negative; DataLoss when the ledger write fails or the ledger stream is already in a
  // failed state: then the decision is not recorded (no gate count or exposure, no bankroll change,
  // no tracker evaluation; only the match history of the window is kept, which the same state
  // rewrites). Unless LiveDeciderOptions::ledger_recovers, the decider never clears the stream's
  // state: its owner does (std::ios::clear) once writes can succeed again, and discards what the
  // stream may still buffer of a failed line.
  [[nodiscard]] absl::StatusOr<superbet::v1::Decision> Decide(
      const superbet::v1::LiveMatchState& state, absl::Time now, bool dry_run);

  // Decides `state` on a match history kept by the caller (e.g. in Redis, shared by several
  // replicas: superbet/bus/live_feed.h) instead of the decider's own: `history` maps earlier
  // minutes of the same match to their states (minutes >= state.minute() are ignored; the
  // decider reads at most the 24 before it: the window's oldest row, k-9, looks back 15 minutes
  // for momentum and σ). The window rows k-9 .. k are all computed from
  // `history` and `state` with the budget ratio B/B₀ of now (slot 24), so the decision depends
  // only on (history, state, bankroll, now): two deciders with the same checkpoint and bankroll
  // decide an entry identically whatever else they have seen. While no bet has been accepted
  // (B = B₀) it equals Decide on the same states fed in minute order. The decider's own per-match
  // history is neither read nor changed; the gate, bankroll, tracker and ledger are as in Decide.
  // Errors: as Decide.
  [[nodiscard]] absl::StatusOr<superbet::v1::Decision> DecideWithHistory(
      const superbet::v1::LiveMatchState& state,
      const std::map<int, superbet::v1::LiveMatchState>& history, absl::Time now, bool dry_run);

  // Credits the settlement of a bet this decider accepted on `match_id`: the free bankroll gains
  // the gross `payout` (stake × decimal odds on a win, the stake on a void, 0 on a loss, as
  // superbet/hrl/settlement.h GrossPayout computes it), so bankroll() and budget_ratio() (the
  // live-v1 budget slot) rise with it, and the gate is told (risk::RiskGate::RecordSettlement):
  // `stake` leaves the match's open exposure and payout − stake adds to the realised profit of
  // the UTC day of `settled_at` (the daily stop-loss). Money in the bankroll's currency unit;
  // `settled_at` is injected, never read from a clock. No ledger line is written (the settler
  // writes the settlement line).
  // Errors (nothing changes): InvalidArgument when match_id is empty, stake is not finite or
  // <= 0, or payout is not finite or < 0 ("payout must be finite and >= 0, got -1");
  // FailedPrecondition when the match's open stake (accepted here, not yet settled) is less than
  // `stake`: a bet settled twice, or one this decider never accepted.
  [[nodiscard]] absl::Status RecordSettlement(const std::string& match_id, double stake,
                                              double payout, absl::Time settled_at);

  // Restoring from the decider's own ledger (one call per line, in the ledger's order; nothing is
  // written). RestoreDecision takes a decision line (no `profit`):
  //   * VERDICT_ACCEPTED: the free bankroll loses `stake` and the gate records the decision as
  //     accepted at its decided_at (risk::RiskGate::RecordAccepted: open exposure of the match,
  //     stake of its UTC day, counts) without checking it again;
  //   * VERDICT_DENIED: the gate counts it under its `reason` (risk::RiskGate::RecordDenied);
  //   * either, when it has a pick whose metrics can be computed (the decisions Decide tracked):
  //     the VSNR / gamma tracker records (match, pick, decided_at, prob and odds of the pick), as
  //     Decide did, so later decisions of the match get the same vsnr and gamma.
  // Not restored (the line does not carry it): Decide's per-match feature history (the last 16
  // states and their live-v1 rows). A restarted decider decides the first minutes of a running
  // match on a shorter window (the missing minutes are invalid steps) until the caller has sent
  // 10 more minutes; a caller may re-send the match's last 24 states as a dry run to rebuild it
  // (the window's oldest row, k-9, looks 15 minutes back; the rebuilt rows carry the restored
  // budget ratio, not the one of their minute, so they equal the lost ones unless a bet was
  // accepted on the match in the last 10 minutes).
  // Errors (nothing changes): InvalidArgument naming the field for a line with `profit` (a
  // settlement line: RestoreSettlement), an empty match_id, VERDICT_UNSPECIFIED, an accepted
  // stake not finite and > 0 or a denied line without reason; FailedPrecondition when an accepted
  // stake exceeds the restored free bankroll (the ledger is not this bankroll's).
  [[nodiscard]] absl::Status RestoreDecision(const superbet::v1::Decision& line);
  // Restores a settlement line (an accepted Decision with `profit` set, superbet/hrl/settlement.h):
  // RecordSettlement with the gross payout the settler credited (recomputed from the result the
  // profit says: stake × the pick's decimal odds when profit > 0, the stake when 0, nothing when
  // −stake, so the bankroll is restored bit for bit) at `settled_at`. The line has no settlement
  // time of its own: agent::RestoreFromLedger passes the decided_at of the next decision line
  // (the final state that settled the bet is decided right after, at the same injected time), or
  // the last decided_at of the ledger when none follows.
  // Errors (nothing changes): InvalidArgument when `profit` is absent or not finite, the pick has
  // no price > 1, or the profit is none of the three results (naming the values); those of
  // RecordSettlement (FailedPrecondition for a bet with no open stake).
  [[nodiscard]] absl::Status RestoreSettlement(const superbet::v1::Decision& line,
                                               absl::Time settled_at);

  const superbet::v1::Checkpoint& checkpoint() const { return checkpoint_; }
  const std::string& path() const { return path_; }
  double bankroll() const;               // Free bankroll, currency units.
  double budget_ratio() const;           // bankroll / B₀.
  risk::GateCounts gate_counts() const;  // Non-dry-run verdicts only.
  // The stake accepted on `match_id` and not yet settled, currency units (0 when none).
  double open_stake(const std::string& match_id) const;

 private:
  LiveDecider(superbet::v1::Checkpoint checkpoint, std::string path, LiveWorker worker,
              risk::RiskGate gate, double sigma_median, const LiveDeciderOptions& options);
  // The worker, metrics, gate and ledger on a built window (kLiveWindow rows, oldest first).
  // `history`: the match's earlier states (for an accepted decision's pick_sigma).
  [[nodiscard]] absl::StatusOr<superbet::v1::Decision> DecideOnWindow(
      const superbet::v1::LiveMatchState& state,
      const std::map<int, superbet::v1::LiveMatchState>& history, const std::vector<float>& obs,
      const std::vector<float>& valid, absl::Time now, bool dry_run)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  superbet::v1::Checkpoint checkpoint_;
  std::string path_;
  double sigma_median_;
  LiveDeciderOptions options_;
  mutable absl::Mutex mu_;
  LiveWorker worker_ ABSL_GUARDED_BY(mu_);
  risk::RiskGate gate_ ABSL_GUARDED_BY(mu_);
  double bankroll_ ABSL_GUARDED_BY(mu_);
  scoring::EvaluationTracker tracker_ ABSL_GUARDED_BY(mu_);
  struct MatchHistory {
    std::map<int, superbet::v1::LiveMatchState> states;  // Minute -> state (the last 16 kept).
    std::map<int, LiveRow> rows;                         // Minute -> row written at that minute.
  };
  std::map<std::string, MatchHistory> history_ ABSL_GUARDED_BY(mu_);
  std::vector<float> obs_ ABSL_GUARDED_BY(mu_);    // The window being decided (scratch).
  std::vector<float> valid_ ABSL_GUARDED_BY(mu_);  // Its step validity (scratch).
};

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_LIVE_DECIDER_H_
