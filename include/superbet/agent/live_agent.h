// The live agent as a long-running process, without gRPC: everything agent-svc builds besides
// its RPC plumbing, from one options struct.
//
//   agent::LiveAgentOptions o;
//   o.checkpoint = "ckpt/live";                  // superbet train --agent live
//   o.ledger = "decisions.jsonl";                // optional
//   o.redis = "redis://127.0.0.1:6379";          // optional: consume match.live
//   auto agent = agent::LiveAgent::Create(o, registry, core::SystemClock::Instance());
//   if (agent.ok() && (*agent)->ConnectLiveFeed().ok()) (*agent)->StartLiveFeed(stop);
//   ... (*agent)->Decide(request, &response) from any thread ...
//   (*agent)->Shutdown();                        // after `stop` turned true
//
// What Create assembles:
//   * the ledger file (core::AppendLog, superbet/core/append_log.h: whole lines; after a failed
//     write, e.g. a full disk, the partial line is truncated away and decisions are recorded again
//     once the write succeeds): one Decision JSON line per non-dry-run decision and one
//     settlement line per settled bet. It is the agent's state: an existing file is replayed
//     before serving (superbet/agent/ledger_restore.h), so a restarted agent continues from it;
//   * the hrl::LiveDecider of the checkpoint (feature spec live-v1, refused otherwise) with its
//     risk gate, on a bankroll of `bankroll`;
//   * the decision metrics (superbet/agent/decision_metrics.h) on the caller's registry;
//   * the training jobs (superbet/agent/training_jobs.h);
//   * the settlement of every accepted bet and the reward metrics (superbet/agent/
//     settlement_sync.h): a bet decided by Decide settles when a later Decide call carries the
//     match's final state (FINISHED or CANCELLED), a match.live bet when the feed does.
// ConnectLiveFeed adds the match.live consumer (superbet/agent/live_consumer.h), which also shares
// final states with the other replicas through Redis.
//
// Source: the live worker of superbet/hrl/live_decider.h; Redis Streams consumer groups
// (redis.io/docs/data-types/streams).
//
// Thread-safety: Decide, decider(), training() and metrics() are thread-safe; ConnectLiveFeed,
// StartLiveFeed and Shutdown are called from the owning thread only, in that order. Ownership:
// owns the ledger, decider, metrics, training jobs, settlement and consumer; borrows the registry
// and the clock, which must outlive it.

#ifndef SUPERBET_AGENT_LIVE_AGENT_H_
#define SUPERBET_AGENT_LIVE_AGENT_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "superbet/agent/decision_metrics.h"
#include "superbet/agent/live_consumer.h"
#include "superbet/agent/settlement_sync.h"
#include "superbet/agent/training_jobs.h"
#include "superbet/bus/transport.h"
#include "superbet/core/append_log.h"
#include "superbet/core/clock.h"
#include "superbet/core/metrics.h"
#include "superbet/hrl/live_decider.h"
#include "superbet/v1/services.pb.h"

namespace superbet::agent {

struct LiveAgentOptions {
  std::string checkpoint;   // Required: folder of a live checkpoint (superbet train --agent live).
  std::string ledger;       // Path of the ledger file; "" = none.
  double bankroll = 10000;  // Initial bankroll B0, currency units, finite and > 0.
  std::string redis;        // redis://HOST[:PORT][/DB]; "" = no live feed.
  LiveConsumerConfig live;  // The match.live consumer (with redis).
  TrainingJobsOptions training;
};

// The checks that need no work (a usage error of the options, before any file is read). The
// message starts with the option's name, so a program whose flags have the same names can print
// it after "--".
// Errors: InvalidArgument: checkpoint empty ("checkpoint DIR is required"), redis not empty and
// not a redis:// URL ("redis: " and bus::ParseRedisUrl's message), live.max_deliveries outside
// [1, 100] ("max_deliveries must be in [1, 100], got 0"), live.claim_idle_ms < 1
// ("claim_idle_ms must be >= 1 ms, got 0"), bankroll not finite and > 0 ("bankroll must be a
// finite amount > 0 (currency units), got -5").
[[nodiscard]] absl::Status CheckLiveAgentOptions(const LiveAgentOptions& options);

class LiveAgent {
 public:
  // Opens the ledger, loads the checkpoint, registers the decision metrics on `registry`. When
  // the ledger file already has lines, restores the decider and the settlement from them before
  // returning (superbet/agent/ledger_restore.h: bankroll, gate exposure and counts, open bets,
  // manager and reward statistics; one info log line says what): the ledger is the agent's state,
  // and a fresh start is a new ledger file.
  // Errors of the restore: RestoreFromLedger's, prefixed "ledger: " (a bad line names the file,
  // the line number and the field); the agent must not serve then.
  // Errors, each message prefixed with what failed ("ledger <path>: ", "checkpoint <dir>: ",
  // "metrics: "): the ledger's open error; LiveDecider::Load's (NotFound, DataLoss,
  // FailedPrecondition for a checkpoint of another feature spec, naming both; InvalidArgument for
  // a bankroll that is not finite and > 0); the registry's AlreadyExists.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LiveAgent>> Create(
      const LiveAgentOptions& options, core::MetricsRegistry& registry, const core::Clock& clock);
  ~LiveAgent();

  // With a redis URL: connects (bus::RedisTransport), then as the overload; without one, does
  // nothing. The overload taking a transport (e.g. a bus::EmbeddedTransport) creates the
  // consumer (its group and metrics) on the agent's settlement.
  // Errors: InvalidArgument for a bad URL or consumer option (a usage error); Unavailable when
  // Redis cannot be reached; the registry's AlreadyExists (e.g. called twice).
  [[nodiscard]] absl::Status ConnectLiveFeed();
  [[nodiscard]] absl::Status ConnectLiveFeed(std::unique_ptr<bus::Transport> transport);
  // Starts the consumer's thread (if connected); it stops reading once `stop()` is true.
  void StartLiveFeed(std::function<bool()> stop);
  // Cancels the running training job, joins the consumer (call after `stop` turned true) and
  // flushes the ledger streams. Idempotent.
  void Shutdown();

  // The Decide RPC: DecideBatch (superbet/agent/decision_metrics.h) on this agent's decider,
  // clock, metrics and settlement (final states settle the bets of earlier calls). Errors: as
  // DecideBatch.
  [[nodiscard]] absl::Status Decide(const superbet::v1::DecideRequest& request,
                                    superbet::v1::DecideResponse* response);

  hrl::LiveDecider& decider() { return *decider_; }
  TrainingJobs& training() { return *training_; }
  DecisionMetrics& metrics() { return *metrics_; }
  SettlementSync* settlement() { return settlement_.get(); }
  // Null before ConnectLiveFeed.
  LiveConsumer* live_consumer() { return live_.get(); }

 private:
  LiveAgent(const LiveAgentOptions& options, core::MetricsRegistry& registry,
            const core::Clock& clock)
      : options_(options), registry_(registry), clock_(clock) {}

  const LiveAgentOptions options_;
  core::MetricsRegistry& registry_;
  const core::Clock& clock_;
  std::unique_ptr<core::AppendLog> ledger_log_;
  std::unique_ptr<std::ostream> ledger_, settle_ledger_;  // Decisions; settlement lines.
  std::unique_ptr<hrl::LiveDecider> decider_;
  std::unique_ptr<DecisionMetrics> metrics_;
  std::unique_ptr<TrainingJobs> training_;
  std::unique_ptr<SettlementSync> settlement_;
  std::unique_ptr<LiveConsumer> live_;
};

}  // namespace superbet::agent

#endif  // SUPERBET_AGENT_LIVE_AGENT_H_
