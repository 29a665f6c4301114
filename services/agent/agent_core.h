// agent-svc's Decide, whatever API serves it: a batch of live states decided through the live
// decider and the risk gate (hrl/live_decider.h), and the gate's metrics on /metrics.
//
// Thread-safety: Decide() and Count() are thread-safe (the decider serialises decisions; the
// metrics are atomic). Ownership: the runtime and the decider are not owned and must outlive it.
#ifndef SUPERBET_SERVICES_AGENT_AGENT_CORE_H_
#define SUPERBET_SERVICES_AGENT_AGENT_CORE_H_

#include <array>
#include <atomic>

#include "absl/status/status.h"
#include "common/server.h"
#include "superbet/core/clock.h"
#include "superbet/core/metrics.h"
#include "superbet/hrl/live_decider.h"
#include "superbet/risk/gate.h"
#include "superbet/v1/services.pb.h"

namespace superbet::services {

class AgentCore {
 public:
  static constexpr int kMaxBatch = 256;  // States per Decide call.
  static constexpr int kDenialReasons =
      static_cast<int>(risk::DenialReason::kDailyExposureLimit) + 1;

  AgentCore(ServiceRuntime* rt, hrl::LiveDecider* decider, const core::Clock& clock)
      : rt_(rt), decider_(decider), clock_(clock) {}
  ServiceRuntime* rt() const { return rt_; }
  hrl::LiveDecider* decider() const { return decider_; }

  // Registers hrl_bets_total{agent}, hrl_risk_gate_rejected_total{reason},
  // hrl_budget_remaining and hrl_data_staleness_seconds. Errors: the registry's (a name taken).
  [[nodiscard]] absl::Status RegisterMetrics();

  // Counts a non-dry-run decision on /metrics (RPC and live feed alike).
  void Count(const v1::LiveMatchState& state, const v1::Decision& d);
  // Sets hrl_budget_remaining from the decider (after a settlement credited its bankroll).
  void UpdateBudget();

  // Decide's body: every state of `req` decided in order into `resp` (CPU only; the decider's
  // mutex is held while one state is decided). Errors: InvalidArgument for more than kMaxBatch
  // states or a state without match_id or minute ("states[1].minute must be >= 0, got absent":
  // then nothing of the batch is decided); the decider's errors prefixed with "states[i]: ".
  [[nodiscard]] absl::Status Decide(const v1::DecideRequest& req, v1::DecideResponse* resp);

 private:
  ServiceRuntime* const rt_;
  hrl::LiveDecider* const decider_;
  const core::Clock& clock_;
  core::Counter* bets_live_ = nullptr;
  core::CounterFamily* rejected_ = nullptr;
  // rejected_'s child of each risk::DenialReason, looked up on first use (the family's
  // WithLabels builds a key and takes its mutex: not once per decision).
  std::array<std::atomic<core::Counter*>, kDenialReasons> rejected_by_reason_{};
  core::Gauge* budget_ = nullptr;
  core::Gauge* staleness_ = nullptr;
};

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_AGENT_AGENT_CORE_H_
