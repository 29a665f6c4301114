// agent-svc's match.live consumer (--redis): one thread running a bus::LiveFeedConsumer of group
// agent-svc-live (superbet/bus/live_feed.h) that decides each entry with the service's
// hrl::LiveDecider (DecideWithHistory on the window kept in Redis, decided_at = the entry's
// time), settles a match's accepted bets when its final state arrives (agent/settlement.h),
// publishes accepted predictions to risk.verified in the broadcast plant's format
// (broadcast::RiskVerifiedFields; the state's kickoff carried by the decider) and acks.
//
// Metrics: hrl_live_entries_total{outcome} (accepted, denied, dlq, duplicate),
// hrl_live_dlq_total{reason} (unparseable, max_deliveries: entries moved to match.live.dlq),
// hrl_live_retries_total (decide errors left pending for another delivery),
// hrl_live_reclaimed_total, bus_stream_pending{stream="match.live",group} (refreshed at most once
// a second by the consumer thread). SIGTERM: the thread stops reading when the runtime drains; the
// poll in flight finishes (decided, published, acked) before Join returns.
//
// Thread-safety: Start and Join from main only. Ownership: owns its Redis connection and
// thread; borrows the runtime and the decider, which must outlive it.
#ifndef SUPERBET_SERVICES_AGENT_LIVE_CONSUMER_H_
#define SUPERBET_SERVICES_AGENT_LIVE_CONSUMER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "agent/settlement.h"
#include "common/server.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/hrl/live_decider.h"

namespace superbet::services {

struct AgentLiveOptions {
  std::string redis_url;  // redis://HOST[:PORT][/DB].
  std::string consumer;   // Unique per replica.
  int64_t claim_idle_ms = 60000;
  int64_t hold_after = -1;  // Tests only: >= 0 holds the batch after this many entries.
  int max_deliveries = 5;   // Retry cap before match.live.dlq (bus::LiveConsumerOptions).
};

class AgentLiveConsumer {
 public:
  // Counts one non-dry-run decision on the service's gate metrics.
  using CountFn =
      std::function<void(const superbet::v1::LiveMatchState&, const superbet::v1::Decision&)>;
  // Connects, creates the group, registers the metrics. `settlement` (may be null) settles a
  // match's bets when its final state arrives, before that state is decided, and opens each
  // accepted decision (agent/settlement.h).
  // Errors: InvalidArgument for a bad URL or option (usage: exit 2); Unavailable when Redis
  // cannot be reached; the metrics registry's.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<AgentLiveConsumer>> Create(
      const AgentLiveOptions& options, ServiceRuntime* rt, hrl::LiveDecider* decider, CountFn count,
      AgentSettlement* settlement = nullptr);
  ~AgentLiveConsumer() { Join(); }

  void Start();
  void Join();

 private:
  AgentLiveConsumer() = default;
  void Loop();
  absl::StatusOr<bus::LiveOutcome> Decide(
      const bus::LiveFeedEntry& e, const std::map<int, superbet::v1::LiveMatchState>& history);
  void Refresh();

  AgentLiveOptions options_;
  ServiceRuntime* rt_ = nullptr;
  hrl::LiveDecider* decider_ = nullptr;
  CountFn count_;
  AgentSettlement* settlement_ = nullptr;
  std::unique_ptr<bus::RedisTransport> transport_;
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

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_AGENT_LIVE_CONSUMER_H_
