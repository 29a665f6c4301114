// The live agent's decisions on a Prometheus registry, and a batch of live states decided in one
// call (the body of agent-svc's Decide RPC, usable without gRPC).
//
// Metrics registered by DecisionMetrics::Create (Prometheus text format, core/metrics.h):
//   hrl_bets_total{agent="live"}          accepted non-dry-run decisions
//   hrl_risk_gate_rejected_total{reason}  decisions the risk gate denied, by its reason id
//                                         (risk/gate.h: "daily_exposure_limit", ...)
//   hrl_budget_remaining                  free bankroll / initial bankroll B0 (a fraction)
//   hrl_data_staleness_seconds            data staleness of the last decided state, seconds
//                                         (no sample before the first decided state)
//
// Source: the live worker and risk gate of superbet/hrl/live_decider.h; metric names follow the
// Prometheus naming conventions (prometheus.io/docs/practices/naming).

#ifndef SUPERBET_AGENT_DECISION_METRICS_H_
#define SUPERBET_AGENT_DECISION_METRICS_H_

#include <array>
#include <atomic>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "superbet/agent/settlement_sync.h"
#include "superbet/core/clock.h"
#include "superbet/core/metrics.h"
#include "superbet/hrl/live_decider.h"
#include "superbet/risk/gate.h"
#include "superbet/v1/decision.pb.h"
#include "superbet/v1/model.pb.h"
#include "superbet/v1/services.pb.h"

namespace superbet::agent {

// At most this many states per DecideBatch call (agent-svc's Decide RPC limit).
inline constexpr int kMaxDecideBatch = 256;

// The four series above, updated after each recorded decision.
//
// Thread-safety: Count and UpdateBudget are thread-safe (atomic metrics; a reason's counter is
// looked up once and cached atomically). Ownership: borrows the registry and the decider, which
// must outlive it.
class DecisionMetrics {
 public:
  // Registers the four families on `registry` and sets hrl_budget_remaining from
  // `decider.budget_ratio()`.
  // Errors: the registry's (AlreadyExists when one of the names is taken).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<DecisionMetrics>> Create(
      core::MetricsRegistry& registry, const hrl::LiveDecider& decider);

  // Counts one non-dry-run decision taken on `state`: hrl_data_staleness_seconds :=
  // state.data_staleness_s; accepted -> hrl_bets_total{agent="live"} + 1; otherwise
  // hrl_risk_gate_rejected_total{reason=d.reason} + 1 (a reason this build's gate does not know is
  // counted all the same); then hrl_budget_remaining from the decider.
  void Count(const superbet::v1::LiveMatchState& state, const superbet::v1::Decision& d);

  // Sets hrl_budget_remaining from the decider (after a settlement credited its bankroll).
  void UpdateBudget();

 private:
  static constexpr int kDenialReasons =
      static_cast<int>(risk::DenialReason::kDailyExposureLimit) + 1;
  explicit DecisionMetrics(const hrl::LiveDecider& decider) : decider_(decider) {}

  const hrl::LiveDecider& decider_;
  core::Counter* bets_live_ = nullptr;
  core::CounterFamily* rejected_ = nullptr;
  // rejected_'s child of each risk::DenialReason, looked up on first use (the family's
  // WithLabels builds a key and takes its mutex: not once per decision).
  std::array<std::atomic<core::Counter*>, kDenialReasons> rejected_by_reason_{};
  core::Gauge* budget_ = nullptr;
  core::GaugeFamily* staleness_family_ = nullptr;
  // hrl_data_staleness_seconds' series, created by the first Count: absent until a state is
  // decided (never a 0 that would read as fresh data).
  std::atomic<core::Gauge*> staleness_{nullptr};
};

// Decides every state of `request` in order into `response` (appended), each at `clock.Now()`
// (decided_at), with request.dry_run passed to the decider (a dry run records nothing, counts
// nothing and settles nothing). Each non-dry-run decision is counted on `metrics` (may be null:
// not counted). With `settlement` (may be null), not in a dry run: a final state (FINISHED or
// CANCELLED) first settles its match's open bets (SettlementSync::OnState, at `clock.Now()`), and
// each accepted decision is opened for settlement, σ from the decider's recorded states
// (SettlementSync::OnDecision), so the bets of a caller's states settle when the caller sends the
// match's final state.
// The whole batch is validated before any state is decided, so a bad state decides nothing.
//
// Errors: InvalidArgument for more than kMaxDecideBatch states ("states: at most 256 per call,
// got 300"), a state without match_id ("states[1].match_id is empty") or without a minute >= 0
// ("states[1].minute must be >= 0, got absent"), live odds that are neither 0 (not quoted) nor
// finite decimal odds > 1 ("states[1].live_odds.home must be decimal odds > 1 (or 0: not quoted),
// got 0.97"), a data_staleness_s that is negative or not finite; the decider's errors, same code,
// the message prefixed with "states[i]: " (the states before i are decided and in `response`).
[[nodiscard]] absl::Status DecideBatch(hrl::LiveDecider& decider, const core::Clock& clock,
                                       const superbet::v1::DecideRequest& request,
                                       DecisionMetrics* metrics,
                                       superbet::v1::DecideResponse* response,
                                       SettlementSync* settlement = nullptr);

}  // namespace superbet::agent

#endif  // SUPERBET_AGENT_DECISION_METRICS_H_
