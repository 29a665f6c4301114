// agent-svc: the live worker and the risk gate over gRPC (superbet.v1.AgentService).
//
// Loads a live checkpoint made by `superbet train --agent live` (--checkpoint DIR, refused when its
// feature spec is not live-v1: hrl/checkpoint.h) into an hrl::LiveDecider, which keeps per-match
// state, decides and passes every decision through risk::RiskGate. Health is NOT_SERVING until the
// checkpoint is loaded. --ledger PATH appends one Decision JSON line per non-dry-run decision
// (core/append_log.h: whole lines; after a failed write, e.g. a full disk, the partial line is
// truncated away and decisions are recorded again once the write succeeds).
//
// --busy_poll: Decide is served by one thread that busy-polls its completion queue
// (common/server.h, "Busy polling": lower latency for one core's worth of CPU, all the time; the
// same admission, decisions, metrics and drain). Default: gRPC's callback API.
// RPCs: Decide (<= 256 states per call), GetModelInfo, Allocate (hrl::Manager's UCB1 split);
// StartTraining / WatchTraining: one training job (live or pre-match worker) at a time under
// --training_dir (agent/training_service.h).
// With --redis URL, a consumer thread reads match.live as consumer group agent-svc-live
// (bus/live_feed.h: window in Redis, so any replica decides any entry; XAUTOCLAIM after
// --claim_idle_ms), decides each entry through the same decider and gate, publishes accepted
// predictions to risk.verified in the broadcast plant's format, and acks; an entry whose decision
// fails --max_deliveries times, or that does not parse, goes to match.live.dlq. SIGTERM stops
// reading; the poll in flight finishes and acks before exit 0.
//
// Metrics besides the gRPC ones: hrl_bets_total{agent} (accepted non-dry-run decisions),
// hrl_risk_gate_rejected_total{reason}, hrl_budget_remaining (free bankroll / B₀),
// hrl_data_staleness_seconds (of the last decided state), and with --redis
// hrl_live_entries_total{outcome} (accepted, denied, dlq, duplicate), hrl_live_dlq_total{reason},
// hrl_live_retries_total and hrl_live_reclaimed_total; with --redis the settlement of match.live
// bets when a match's final state arrives (agent/settlement.h): hrl_reward, hrl_reward_sharpe,
// hrl_ucb_score{agent}, hrl_win_rate_last10{agent}, hrl_bets_settled_total{result}, with one
// settlement line per bet in the --ledger file.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/agent_core.h"
#include "agent/live_consumer.h"
#include "agent/settlement.h"
#include "agent/training_service.h"
#include "common/flags.h"
#include "common/server.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/core/append_log.h"
#include "superbet/core/clock.h"
#include "superbet/hrl/live_decider.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/hrl/manager.h"
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
  AgentServiceImpl(AgentCore* core, TrainingService* training)
      : core_(core), rt_(core->rt()), decider_(core->decider()), training_(training) {}

  grpc::Status Allocate(grpc::ServerContext* ctx, const v1::AllocateRequest* req,
                        v1::AllocateResponse* resp) override {
    return rt_->Handle(ctx, kService, "Allocate", [&]() -> absl::Status {
      hrl::ManagerOptions o;
      o.initial_budget = req->bankroll();
      auto m = hrl::Manager::Create(o);
      if (!m.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("bankroll must be finite and > 0, got ", req->bankroll()));
      }
      // Only the live worker is loaded in this service: it gets the manager's stake fraction of
      // the bankroll, and its UCB score is absent until a bet has settled.
      auto a = m->Allocate({true, false}, 0.0, 0.0, 0.0);
      if (!a.ok()) return a.status();
      auto* live = resp->add_allocations();
      live->set_agent("live");
      live->set_fraction_of_bankroll(a->skipped ? 0.0 : a->stake / req->bankroll());
      live->set_settled_bets(m->settled_total());
      return absl::OkStatus();
    });
  }

  grpc::Status GetModelInfo(grpc::ServerContext* ctx, const v1::GetModelInfoRequest*,
                            v1::GetModelInfoResponse* resp) override {
    return rt_->Handle(ctx, kService, "GetModelInfo", [&]() -> absl::Status {
      const v1::Checkpoint& c = decider_->checkpoint();
      auto* m = resp->add_models();
      m->set_agent(c.agent());
      m->set_model_version(c.model_version());
      m->set_format_version(c.format_version());
      m->set_feature_spec(absl::StrCat(c.feature_spec().name(), " v", c.feature_spec().version()));
      m->set_library_version(c.library_version());
      m->set_seed(c.seed());
      m->set_path(decider_->path());
      return absl::OkStatus();
    });
  }

  grpc::Status StartTraining(grpc::ServerContext* ctx, const v1::StartTrainingRequest* req,
                             v1::TrainingJob* job) override {
    return rt_->Handle(ctx, kService, "StartTraining", [&]() -> absl::Status {
      absl::StatusOr<std::string> id = training_->Start(*req);
      if (id.ok()) job->set_job_id(*id);
      return id.status();
    });
  }

  grpc::Status WatchTraining(grpc::ServerContext* ctx, const v1::WatchTrainingRequest* req,
                             grpc::ServerWriter<v1::TrainingProgress>* writer) override {
    return rt_->Handle(ctx, kService, "WatchTraining", [&]() -> absl::Status {
      return training_->Watch(req->job_id(), ctx, writer, [this] { return rt_->draining(); });
    });
  }

 protected:
  AgentCore* const core_;
  ServiceRuntime* const rt_;
  hrl::LiveDecider* const decider_;
  TrainingService* const training_;
};

class CallbackAgentService final
    : public AgentServiceImpl<
          v1::AgentService::WithCallbackMethod_Decide<v1::AgentService::Service>> {
 public:
  using AgentServiceImpl::AgentServiceImpl;
  grpc::ServerUnaryReactor* Decide(grpc::CallbackServerContext* ctx, const v1::DecideRequest* req,
                                   v1::DecideResponse* resp) override {
    return rt_->HandleUnary(ctx, kService, "Decide", [&] { return core_->Decide(*req, resp); });
  }
};

using AsyncAgentService =
    AgentServiceImpl<v1::AgentService::WithAsyncMethod_Decide<v1::AgentService::Service>>;

int Main(int argc, char** argv) {
  ServerOptions server;
  server.service = "agent-svc";
  server.grpc_address = "0.0.0.0:50052";
  server.metrics_address = "0.0.0.0:9102";
  std::string checkpoint, ledger_path;
  double bankroll = 10000;
  FlagSet flags("agent-svc",
                "Decides on live match states with a trained live worker through the risk gate "
                "(superbet.v1.AgentService).");
  server.Register(flags);
  TrainingServiceOptions training_options;
  training_options.Register(flags);
  flags.String("checkpoint", &checkpoint,
               "required: directory of a live checkpoint (superbet train --agent live)");
  flags.String("ledger", &ledger_path, "append one Decision JSON line per decision to this file");
  flags.Double("bankroll", &bankroll, "initial bankroll B0, currency units");
  char host[256] = "agent";
  ::gethostname(host, sizeof(host) - 1);
  std::string redis, consumer = absl::StrCat(host, "-", ::getpid());
  int64_t claim_idle_ms = 60000, hold_after = -1, max_deliveries = 5;
  flags.String("redis", &redis,
               "redis://HOST[:PORT][/DB]: consume match.live (group agent-svc-live), publish "
               "accepted decisions to risk.verified; empty = gRPC only");
  flags.String(
      "consumer", &consumer,
      "with --redis: this replica's consumer name, unique in the group; default <hostname>-<pid>");
  flags.Int("claim_idle_ms", &claim_idle_ms,
            "with --redis: reclaim match.live entries pending longer than this, ms");
  flags.Int("max_deliveries", &max_deliveries,
            "with --redis: a match.live entry whose decision fails this many deliveries goes to "
            "match.live.dlq");
  bool busy_poll = false;
  flags.Bool("busy_poll", &busy_poll,
             "serve Decide from one thread that busy-polls its completion queue (lower latency, "
             "costs one CPU core all the time; gRPC's poll engine for the process)");
  flags.Int("debug_hold_after", &hold_after,
            "tests only: after this many live entries, hold the next batch unacked forever");
  flags.ParseOrExit(argc, argv);
  if (checkpoint.empty()) {
    std::fprintf(stderr, "agent-svc: --checkpoint DIR is required (see --help)\n");
    return 2;
  }
  // Usage errors before any work (the checkpoint is loaded next).
  if (auto url = bus::ParseRedisUrl(redis); !redis.empty() && !url.ok()) {
    std::fprintf(stderr, "agent-svc: --redis: %s\n", std::string(url.status().message()).c_str());
    return 2;
  }
  if (max_deliveries < 1 || max_deliveries > 100 || claim_idle_ms < 1) {
    std::fprintf(stderr,
                 "agent-svc: --max_deliveries must be in [1, 100] and --claim_idle_ms >= 1, got "
                 "%lld and %lld\n",
                 static_cast<long long>(max_deliveries), static_cast<long long>(claim_idle_ms));
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
  // The --ledger file: whole lines only; a failed write (full disk) is truncated away and the
  // next decision writes again once there is space (core/append_log.h).
  std::unique_ptr<core::AppendLog> ledger_log;
  std::unique_ptr<std::ostream> ledger, settle_ledger;  // Decisions; settlement lines.
  if (!ledger_path.empty()) {
    auto opened = core::AppendLog::Open(ledger_path);
    if (!opened.ok()) {
      spdlog::error("--ledger {}: {}", ledger_path, opened.status().ToString());
      return 1;
    }
    ledger_log = *std::move(opened);
    ledger = ledger_log->NewStream();
    settle_ledger = ledger_log->NewStream();
  }
  // The gRPC port opens only after the checkpoint is loaded; health says SERVING after Start.
  std::unique_ptr<hrl::LiveDecider> decider;
  hrl::LiveDeciderOptions options;
  options.initial_bankroll = bankroll;
  options.ledger = ledger.get();
  options.ledger_recovers = true;
  auto loaded = hrl::LiveDecider::Load(checkpoint, options);
  if (!loaded.ok()) {
    spdlog::error("--checkpoint {}: {}", checkpoint, loaded.status().ToString());
    return 1;
  }
  decider = *std::move(loaded);
  spdlog::info("loaded {} ({})", decider->checkpoint().model_version(), decider->path());

  AgentCore agent(rt->get(), decider.get(), clock);
  TrainingService training(training_options, clock);
  if (absl::Status s = agent.RegisterMetrics(); !s.ok()) {
    spdlog::error("metrics: {}", s.ToString());
    return 1;
  }
  std::unique_ptr<grpc::Service> service;
  if (busy_poll) {
    auto async = std::make_unique<AsyncAgentService>(&agent, &training);
    (*rt)->ServeUnaryBusyPoll<v1::DecideRequest, v1::DecideResponse>(
        kService, "Decide",
        [s = async.get()](auto* ctx, auto* req, auto* writer, auto* cq, auto* notify, void* tag) {
          s->RequestDecide(ctx, req, writer, cq, notify, tag);
        },
        [&agent](const v1::DecideRequest& req, v1::DecideResponse* resp) {
          return agent.Decide(req, resp);
        });
    service = std::move(async);
  } else {
    service = std::make_unique<CallbackAgentService>(&agent, &training);
  }
  (*rt)->AddService(service.get(), "superbet.v1.AgentService");
  std::unique_ptr<AgentLiveConsumer> live;
  std::unique_ptr<AgentSettlement> settlement;
  if (!redis.empty()) {
    auto env = hrl::LiveEnvOptionsFromCheckpoint(decider->checkpoint());
    if (!env.ok()) {
      spdlog::error("--checkpoint {}: {}", checkpoint, env.status().ToString());
      return 1;
    }
    auto st = AgentSettlement::Create(rt->get(), bankroll, env->sigma_training_median_sd,
                                      settle_ledger.get(), decider.get(),
                                      [&agent] { agent.UpdateBudget(); });
    if (!st.ok()) {
      spdlog::error("settlement: {}", st.status().ToString());
      return 1;
    }
    settlement = *std::move(st);
    AgentLiveOptions lo{redis, consumer, claim_idle_ms, hold_after,
                        static_cast<int>(max_deliveries)};
    auto c = AgentLiveConsumer::Create(
        lo, rt->get(), decider.get(),
        [&](const v1::LiveMatchState& s, const v1::Decision& d) { agent.Count(s, d); },
        settlement.get());
    if (!c.ok()) {
      spdlog::error("--redis {}: {}", redis, c.status().ToString());
      return absl::IsInvalidArgument(c.status()) ? 2 : 1;
    }
    live = *std::move(c);
  }
  if (absl::Status s = (*rt)->Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  (*rt)->SetReady(true);
  if (live) live->Start();
  return (*rt)->WaitForShutdown([&] {
    training.CancelAll();
    if (live) live->Join();
    if (ledger) ledger->flush();
    if (settle_ledger) settle_ledger->flush();
  });
}

}  // namespace
}  // namespace superbet::services

int main(int argc, char** argv) { return superbet::services::Main(argc, argv); }
