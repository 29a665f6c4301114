// The live agent's match.live consumer: a bus::LiveFeedConsumer of group agent-svc-live
// (superbet/bus/live_feed.h) that decides each entry with an hrl::LiveDecider
// (DecideWithHistory on the window kept in the transport, decided_at = the entry's time), settles
// a match's accepted bets when its final state arrives (superbet/agent/settlement_sync.h),
// publishes accepted predictions to risk.verified in the broadcast plant's format
// (broadcast::RiskVerifiedFields; the state's kickoff carried by the decider) and acks.
//
// An accepted prediction the plant's reader refuses (a state without kickoff) fails before the
// gate records its stake: a dry run (RiskGate::Preview) comes first, so the entry is retried and
// ends in match.live.dlq after max_deliveries without ever staking the bankroll.
//
// Metrics registered by Create (Prometheus text format, core/metrics.h):
//   hrl_live_entries_total{outcome}   entries acked: accepted, denied, dlq, duplicate
//   hrl_live_dlq_total{reason}        entries moved to match.live.dlq: unparseable, max_deliveries
//   hrl_live_retries_total            decide errors left pending for another delivery
//   hrl_live_reclaimed_total          entries claimed from idle consumers (XAUTOCLAIM)
//   bus_stream_pending{stream="match.live",group}  the group's pending entries, refreshed at most
//                                     once a second (by the injected clock)
// Counters are brought up to the consumer's counts after every poll.
//
// Source: Redis Streams consumer groups (redis.io/docs/data-types/streams: XREADGROUP,
// XAUTOCLAIM, XACK); the dead-letter queue pattern of the bus (superbet/bus/live_feed.h).
//
// Thread-safety: Start, Join and Run from one owning thread; the consumer thread (Start) is the
// only one touching the transport. Ownership: owns its transport and thread; borrows the
// registry, the decider, the clock and the settlement, which must outlive it.

#ifndef SUPERBET_AGENT_LIVE_CONSUMER_H_
#define SUPERBET_AGENT_LIVE_CONSUMER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "superbet/agent/settlement_sync.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/transport.h"
#include "superbet/core/clock.h"
#include "superbet/core/metrics.h"
#include "superbet/hrl/live_decider.h"
#include "superbet/v1/decision.pb.h"
#include "superbet/v1/model.pb.h"

namespace superbet::agent {

struct LiveConsumerConfig {
  std::string consumer;           // This replica's name, unique in the group; required.
  int64_t claim_idle_ms = 60000;  // Reclaim entries pending longer than this, ms, >= 1.
  int64_t max_deliveries = 5;     // Deliveries of a failing entry before match.live.dlq, [1, 100].
  // Tests only: >= 0 holds the entry after this many handled entries unacked forever (the
  // consumer thread sleeps; logs "holding entry <id> unacked"), to test reclaiming.
  int64_t hold_after = -1;
};

class LiveConsumer {
 public:
  // Counts one non-dry-run decision (e.g. DecisionMetrics::Count,
  // superbet/agent/decision_metrics.h).
  using CountFn =
      std::function<void(const superbet::v1::LiveMatchState&, const superbet::v1::Decision&)>;

  // Creates the group on match.live (MKSTREAM) and registers the metrics. `count` (may be empty)
  // is called for every decision that is recorded; `settlement` (may be null) settles a match's
  // bets when its final state arrives, before that state is decided, and opens each accepted
  // decision.
  // Errors: InvalidArgument naming a bad option (consumer empty, max_deliveries outside [1, 100],
  // claim_idle_ms < 1); the transport's (Unavailable when the
  // server cannot be reached); the registry's AlreadyExists (a metric name taken).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LiveConsumer>> Create(
      const LiveConsumerConfig& config, std::unique_ptr<bus::Transport> transport,
      core::MetricsRegistry& registry, hrl::LiveDecider& decider, const core::Clock& clock,
      CountFn count = {}, SettlementSync* settlement = nullptr);
  ~LiveConsumer() { Join(); }

  // Polls on the calling thread until `stop()` is true (polled before each poll; the poll in
  // flight finishes: decided, published, acked). Transport errors are logged and retried after
  // 1 s; an idle poll waits 20 ms. Logs "match.live: stopped reading (...)" when it returns.
  void Run(const std::function<bool()>& stop);
  // Run on a thread of its own; Join waits for it (call Join after `stop` turned true).
  void Start(std::function<bool()> stop);
  void Join();

  // The consumer's counts (read them from Run's thread, or after Join).
  const bus::LiveConsumerCounts& counts() const { return consumer_->counts(); }

 private:
  LiveConsumer(const core::Clock& clock, hrl::LiveDecider& decider)
      : clock_(clock), decider_(decider) {}
  [[nodiscard]] absl::StatusOr<bus::LiveOutcome> Decide(
      const bus::LiveFeedEntry& e, const std::map<int, superbet::v1::LiveMatchState>& history);
  void Refresh();

  const core::Clock& clock_;
  hrl::LiveDecider& decider_;
  LiveConsumerConfig config_;
  CountFn count_;
  SettlementSync* settlement_ = nullptr;
  std::unique_ptr<bus::Transport> transport_;
  std::unique_ptr<bus::LiveFeedConsumer> consumer_;
  core::CounterFamily* entries_ = nullptr;
  core::CounterFamily* dlq_ = nullptr;
  core::Counter* retries_ = nullptr;
  core::Counter* reclaimed_ = nullptr;
  core::Gauge* pending_ = nullptr;
  absl::Time pending_read_at_ = absl::InfinitePast();
  bus::LiveConsumerCounts shown_;
  int64_t handled_ = 0;
  std::thread thread_;
};

}  // namespace superbet::agent

#endif  // SUPERBET_AGENT_LIVE_CONSUMER_H_
