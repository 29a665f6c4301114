// agent-svc: the live worker and the risk gate over gRPC (superbet.v1.AgentService).
//
// This file is flags -> options -> library -> gRPC: all the logic is in libsuperbet's agent module
// (superbet/agent/live_agent.h assembles it; usable without gRPC):
//   * superbet/agent/decision_metrics.h  Decide (<= 256 states per call, validated whole) and
//     hrl_bets_total{agent}, hrl_risk_gate_rejected_total{reason}, hrl_budget_remaining,
//     hrl_data_staleness_seconds;
//   * superbet/agent/model_info.h  Allocate (hrl::Manager's UCB1 split) and GetModelInfo;
//   * superbet/agent/training_jobs.h  StartTraining / WatchTraining: one training job (live or
//     pre-match worker) at a time under --training_dir;
//   * superbet/agent/live_consumer.h  with --redis: match.live read as consumer group
//     agent-svc-live (window in Redis, so any replica decides any entry; XAUTOCLAIM after
//     --claim_idle_ms), accepted predictions published to risk.verified, an entry failing
//     --max_deliveries times or unparseable moved to match.live.dlq; hrl_live_* metrics;
//   * superbet/agent/settlement_sync.h  settlement of the accepted bets when a match's final state
//     arrives (on match.live or in a Decide call; with --redis live:final:{match} is shared by the
//     replicas), hrl_reward* metrics, one settlement line per bet in the --ledger file.
// Loads a live checkpoint made by `superbet train --agent live` (--checkpoint DIR, refused when its
// feature spec is not live-v1). Health is NOT_SERVING until the checkpoint is loaded. --ledger
// PATH appends one Decision JSON line per non-dry-run decision (core/append_log.h: whole lines,
// recovered after a failed write such as a full disk).
// --busy_poll: Decide is served by one thread that busy-polls its completion queue
// (common/server.h, "Busy polling"); default: gRPC's callback API. SIGTERM stops reading
// match.live; the poll in flight finishes and acks before exit 0.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/flags.h"
#include "common/server.h"
#include "superbet/agent/live_agent.h"
#include "superbet/agent/model_info.h"
#include "superbet/core/clock.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::services {
namespace {

namespace v1 = superbet::v1;
constexpr char kService[] = "AgentService";

// The synchronous methods (Allocate and GetModelInfo are rare, the training RPCs block); `Base`
// says how Decide is served: on gRPC's callback API (CallbackAgentService, the default: it runs
// on the polling thread, no thread handoff) or on the asynchronous API for --busy_poll
// (ServiceRuntime::ServeUnaryBusyPoll).
template <class Base>
class AgentServiceImpl : public Base {
 public:
  AgentServiceImpl(ServiceRuntime* rt, agent::LiveAgent* agent) : rt_(rt), agent_(agent) {}

  grpc::Status Allocate(grpc::ServerContext* ctx, const v1::AllocateRequest* req,
                        v1::AllocateResponse* resp) override {
    return rt_->Handle(ctx, kService, "Allocate",
                       [&] { return agent::AllocateBankroll(*req, resp); });
  }

  grpc::Status GetModelInfo(grpc::ServerContext* ctx, const v1::GetModelInfoRequest*,
                            v1::GetModelInfoResponse* resp) override {
    return rt_->Handle(ctx, kService, "GetModelInfo", [&] {
      agent::DescribeModel(agent_->decider(), resp);
      return absl::OkStatus();
    });
  }

  grpc::Status StartTraining(grpc::ServerContext* ctx, const v1::StartTrainingRequest* req,
                             v1::TrainingJob* job) override {
    return rt_->Handle(ctx, kService, "StartTraining", [&]() -> absl::Status {
      absl::StatusOr<std::string> id = agent_->training().Start(*req);
      if (id.ok()) job->set_job_id(*id);
      return id.status();
    });
  }

  grpc::Status WatchTraining(grpc::ServerContext* ctx, const v1::WatchTrainingRequest* req,
                             grpc::ServerWriter<v1::TrainingProgress>* writer) override {
    return rt_->Handle(ctx, kService, "WatchTraining", [&] {
      return agent_->training().Watch(
          req->job_id(), [writer](const v1::TrainingProgress& p) { return writer->Write(p); },
          [ctx] { return ctx->IsCancelled(); }, [this] { return rt_->draining(); });
    });
  }

 protected:
  ServiceRuntime* const rt_;
  agent::LiveAgent* const agent_;
};

class CallbackAgentService final
    : public AgentServiceImpl<
          v1::AgentService::WithCallbackMethod_Decide<v1::AgentService::Service>> {
 public:
  using AgentServiceImpl::AgentServiceImpl;
  grpc::ServerUnaryReactor* Decide(grpc::CallbackServerContext* ctx, const v1::DecideRequest* req,
                                   v1::DecideResponse* resp) override {
    return rt_->HandleUnary(ctx, kService, "Decide", [&] { return agent_->Decide(*req, resp); });
  }
};

using AsyncAgentService =
    AgentServiceImpl<v1::AgentService::WithAsyncMethod_Decide<v1::AgentService::Service>>;

int Main(int argc, char** argv) {
  ServerOptions server;
  server.service = "agent-svc";
  server.grpc_address = "0.0.0.0:50052";
  server.metrics_address = "0.0.0.0:9102";
  agent::LiveAgentOptions o;
  FlagSet flags("agent-svc",
                "Decides on live match states with a trained live worker through the risk gate "
                "(superbet.v1.AgentService).");
  server.Register(flags);
  flags.String("training_dir", &o.training.training_dir,
               "StartTraining writes checkpoints only under this folder (empty: StartTraining "
               "is refused)");
  flags.String("training_data", &o.training.training_data,
               "data root (like ../shared/data) for StartTraining requests without data_dir");
  flags.String("checkpoint", &o.checkpoint,
               "required: directory of a live checkpoint (superbet train --agent live)");
  flags.String("ledger", &o.ledger, "append one Decision JSON line per decision to this file");
  flags.Double("bankroll", &o.bankroll, "initial bankroll B0, currency units");
  char host[256] = "agent";
  ::gethostname(host, sizeof(host) - 1);
  o.live.consumer = absl::StrCat(host, "-", ::getpid());
  flags.String("redis", &o.redis,
               "redis://HOST[:PORT][/DB]: consume match.live (group agent-svc-live), publish "
               "accepted decisions to risk.verified; empty = gRPC only");
  flags.String(
      "consumer", &o.live.consumer,
      "with --redis: this replica's consumer name, unique in the group; default <hostname>-<pid>");
  flags.Int("claim_idle_ms", &o.live.claim_idle_ms,
            "with --redis: reclaim match.live entries pending longer than this, ms");
  flags.Int("max_deliveries", &o.live.max_deliveries,
            "with --redis: a match.live entry whose decision fails this many deliveries goes to "
            "match.live.dlq");
  bool busy_poll = false;
  flags.Bool("busy_poll", &busy_poll,
             "serve Decide from one thread that busy-polls its completion queue (lower latency, "
             "costs one CPU core all the time; gRPC's poll engine for the process)");
  flags.Int("debug_hold_after", &o.live.hold_after,
            "tests only: after this many live entries, hold the next batch unacked forever");
  flags.ParseOrExit(argc, argv);
  // Usage errors before any work (the checkpoint is loaded next); messages name the flag.
  if (absl::Status s = agent::CheckLiveAgentOptions(o); !s.ok()) {
    std::fprintf(stderr, "agent-svc: --%s (see --help)\n", std::string(s.message()).c_str());
    return 2;
  }
  // A file size limit (ulimit -f) fails a ledger append (EFBIG, recovered like a full disk)
  // instead of killing the process with SIGXFSZ.
  ::signal(SIGXFSZ, SIG_IGN);
  if (busy_poll) UseBusyPollEngine();  // Before anything starts gRPC.
  const core::Clock& clock = core::SystemClock::Instance();
  auto rt = ServiceRuntime::Create(server, clock);
  if (!rt.ok()) {
    std::fprintf(stderr, "agent-svc: %s\n", std::string(rt.status().message()).c_str());
    return absl::IsInvalidArgument(rt.status()) ? 2 : 1;
  }
  // The gRPC port opens only after the checkpoint is loaded; health says SERVING after Start.
  auto agent = agent::LiveAgent::Create(o, (*rt)->metrics(), clock);
  if (!agent.ok()) {
    spdlog::error("{}", agent.status().ToString());
    return 1;
  }
  agent::LiveAgent* a = agent->get();
  std::unique_ptr<grpc::Service> service;
  if (busy_poll) {
    auto async = std::make_unique<AsyncAgentService>(rt->get(), a);
    (*rt)->ServeUnaryBusyPoll<v1::DecideRequest, v1::DecideResponse>(
        kService, "Decide",
        [s = async.get()](auto* ctx, auto* req, auto* writer, auto* cq, auto* notify, void* tag) {
          s->RequestDecide(ctx, req, writer, cq, notify, tag);
        },
        [a](const v1::DecideRequest& req, v1::DecideResponse* resp) {
          return a->Decide(req, resp);
        });
    service = std::move(async);
  } else {
    service = std::make_unique<CallbackAgentService>(rt->get(), a);
  }
  (*rt)->AddService(service.get(), "superbet.v1.AgentService");
  if (absl::Status s = a->ConnectLiveFeed(); !s.ok()) {
    spdlog::error("--redis {}: {}", o.redis, s.ToString());
    return absl::IsInvalidArgument(s) ? 2 : 1;
  }
  if (absl::Status s = (*rt)->Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  (*rt)->SetReady(true);
  a->StartLiveFeed([r = rt->get()] { return r->draining(); });
  return (*rt)->WaitForShutdown([a] { a->Shutdown(); });
}

}  // namespace
}  // namespace superbet::services

int main(int argc, char** argv) { return superbet::services::Main(argc, argv); }
