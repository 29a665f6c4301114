// Settlement of the live worker's bets, shared across replicas (superbet/hrl/settlement.h's
// BetSettler) and the reward metrics on a Prometheus registry (core/metrics.h):
//   hrl_reward                  histogram of the rewards of settled bets, buckets −2, −1, −0.5,
//                               −0.1, 0, 0.1, 0.5, 1, 2, 5
//   hrl_reward_sharpe           mean / sd of the last 100 rewards
//   hrl_ucb_score{agent}        the manager's UCB1 score of the worker
//   hrl_win_rate_last10{agent}  the worker's win rate over its last 10 settled bets
//   hrl_bets_settled_total{result}  settled bets by result (won, lost, void)
//   hrl_settle_refused_total    accepted decisions not opened for settlement (logged)
// Absent means absent: the histogram, UCB and win-rate series appear with the first settled bet,
// the Sharpe series once it is defined (>= 2 rewards, sd > 0; should the last 100 rewards later
// all be equal, it keeps its last defined value).
//
// Replicas: each replica settles the bets it accepted (its own bankroll and manager). A match's
// final state reaches one replica only (consumer group), so the replica that reads it also
// stores it under `live:final:{match_id}` (SET, 7 days, the state's binary encoding), and every
// replica looks up the final states of its open matches there (Sync, at most once a second, one
// MGET) and settles them.
//
// Every accepted bet of the decider is settled, whichever way it was decided: a match.live entry
// (superbet/agent/live_consumer.h) or a Decide call (DecideBatch,
// superbet/agent/decision_metrics.h: the bets of a caller's states settle when the same caller
// sends the match's final state). The settlement lines go to the ledger stream (appended whole, one
// write per line, beside the decider's own lines: agent-svc's --ledger file).
//
// Source: the bet settlement and reward of superbet/hrl/settlement.h; the key layout is Redis's
// SET with EX and MGET (redis.io/commands/set, redis.io/commands/mget).
//
// Thread-safety: OnState and OnDecision are thread-safe (the settler's mutex, atomic metrics);
// Sync is called from one thread only (the live consumer's). Ownership: owns its BetSettler;
// borrows the registry, the ledger stream and the decider, which must outlive it.

#ifndef SUPERBET_AGENT_SETTLEMENT_SYNC_H_
#define SUPERBET_AGENT_SETTLEMENT_SYNC_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/bus/transport.h"
#include "superbet/core/metrics.h"
#include "superbet/hrl/live_decider.h"
#include "superbet/hrl/settlement.h"
#include "superbet/v1/decision.pb.h"
#include "superbet/v1/model.pb.h"

namespace superbet::agent {

// The Redis key of a match's final state: "live:final:<match_id>" (SET for 7 days).
std::string FinalStateKey(const std::string& match_id);

class SettlementSync {
 public:
  // `initial_budget` B₀ (the decider's bankroll). `ledger` (may be null) must be a core::AppendLog
  // stream (it is cleared and written again after a failed write). `decider` (may be null) is
  // credited with every settled bet (LiveDecider::RecordSettlement: gross payout back into its
  // bankroll, the stake out of the gate's open exposure), so its bankroll and the settler's B agree
  // on match.live bets; `credited` (may be empty) is called after a match's bets were credited (to
  // export the budget). Registers the metrics above on `registry`. Errors: the settler's
  // InvalidArgument (initial_budget not finite and > 0); the registry's AlreadyExists (a name
  // taken).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SettlementSync>> Create(
      core::MetricsRegistry& registry, double initial_budget, std::ostream* ledger,
      hrl::LiveDecider* decider = nullptr, std::function<void()> credited = {});

  // From now on, a final state not yet settled that OnState sees is queued for Sync to store in
  // Redis (call once a transport is connected; without one nothing is queued, so nothing grows).
  void ShareFinalStates() { sharing_.store(true); }

  // Settles the state's match when the state is final (FINISHED or CANCELLED), credits the
  // decider and exports the metrics; call before the state is decided. `at` is the settlement
  // time (injected). After ShareFinalStates, a final state not yet settled here is queued for Sync
  // to store in Redis.
  // Errors: none returned (a state that settles nothing is logged; never retried).
  void OnState(const superbet::v1::LiveMatchState& state, absl::Time at);
  // Opens an accepted non-dry-run decision with σ = its pick_sigma (hrl::LiveDecider writes the
  // pick's hrl::PickSigma there; 1, the live worker's neutral convention, when absent); a denied
  // decision is ignored. A bet the settler refuses is logged and counted in
  // hrl_settle_refused_total.
  void OnDecision(const superbet::v1::Decision& decision);

  // On the consumer thread after each poll: stores the final states this replica read, then (at
  // most once a second by `now`) settles the open matches whose final state another replica
  // stored (one MGET of their live:final keys). Redis errors are logged and retried at the next
  // call; a key whose value is not a state of its match is logged and skipped.
  void Sync(bus::Transport& transport, absl::Time now);

  // The settler (open bets, stats), for reports and tests.
  const hrl::BetSettler& settler() const { return *settler_; }
  // The settler, to restore it from a ledger (superbet/agent/ledger_restore.h) before serving.
  hrl::BetSettler& mutable_settler() { return *settler_; }
  // Sets the UCB, win-rate and Sharpe gauges from the settler's stats (those defined): after a
  // restore, so a restarted agent exports them before its next settlement. The counters
  // (hrl_bets_settled_total, hrl_reward) count this process's settlements only.
  void ExportStats();

 private:
  SettlementSync() = default;
  void Export(const std::string& match_id, const hrl::MatchSettlement& m);
  void SettleFinal(const superbet::v1::LiveMatchState& state, absl::Time at);

  absl::Mutex mu_;
  std::vector<superbet::v1::LiveMatchState> to_store_ ABSL_GUARDED_BY(mu_);
  absl::Time looked_up_at_ = absl::InfinitePast();  // Sync's thread only.
  std::atomic<bool> sharing_{false};

  std::unique_ptr<hrl::BetSettler> settler_;
  hrl::LiveDecider* decider_ = nullptr;
  std::function<void()> credited_;
  core::HistogramFamily* reward_ = nullptr;
  core::GaugeFamily* sharpe_ = nullptr;
  core::GaugeFamily* ucb_ = nullptr;
  core::GaugeFamily* win_rate_ = nullptr;
  core::CounterFamily* settled_ = nullptr;
  core::Counter* refused_ = nullptr;
};

}  // namespace superbet::agent

#endif  // SUPERBET_AGENT_SETTLEMENT_SYNC_H_
