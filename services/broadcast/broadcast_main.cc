// broadcast-svc: runs the broadcast plant (superbet/broadcast/plant.h) against Redis and serves
// superbet.v1.BroadcastService: Publish (an accepted decision's prediction -> risk.verified),
// GetStatus (per-platform breaker state, token-bucket levels, digest size and staleness; DLQ
// depth) and FlushDigest. Thin: flags -> library -> gRPC. The library does the work:
//   superbet/broadcast/publishers_from_config.h  the Telegram / X / FCM publishers from the flags
//                                                and the environment;
//   superbet/broadcast/plant_runner.h            the plant's lock, persistent stage workers, the
//                                                pump thread and the drain on SIGTERM;
//   superbet/broadcast/publish_handler.h         Publish: risk.verified once per event on a pooled
//                                                connection (--publish_connections), counted;
//   superbet/broadcast/service_status.h          the GetStatus and FlushDigest answers.
// Publish never waits for the pump: it answers the entry's stream id and the pump consumes the
// entry as any other producer's. /metrics adds the plant's broadcast_* metrics (Publish's input
// and rejected lines included). Ready once Redis answers and the consumer groups exist. SIGTERM:
// NOT_SERVING, the pump stops taking new work, the plant drains what it holds for what is left of
// --drain_deadline_s after the in-flight calls (one deadline for both), exit 0; entries still
// pending stay in Redis for another replica's XAUTOCLAIM.
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/flags.h"
#include "common/server.h"
#include "superbet/broadcast/filter.h"
#include "superbet/broadcast/plant_runner.h"
#include "superbet/broadcast/publish_handler.h"
#include "superbet/broadcast/publishers_from_config.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/bus/transport_pool.h"
#include "superbet/core/clock.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::services {
namespace {

namespace v1 = superbet::v1;
constexpr char kService[] = "BroadcastService";

class BroadcastServiceImpl final : public v1::BroadcastService::Service {
 public:
  BroadcastServiceImpl(ServiceRuntime* rt, broadcast::PlantRunner* runner,
                       broadcast::PublishHandler* publish)
      : rt_(rt), runner_(runner), publish_(publish) {}

  // Publish does not take the plant's lock (broadcast/publish_handler.h).
  grpc::Status Publish(grpc::ServerContext* ctx, const v1::PublishRequest* req,
                       v1::PublishResponse* resp) override {
    return rt_->Handle(ctx, kService, "Publish",
                       [&]() -> absl::Status { return publish_->Publish(*req, resp); });
  }

  grpc::Status GetStatus(grpc::ServerContext* ctx, const v1::GetStatusRequest*,
                         v1::BroadcastStatus* resp) override {
    return rt_->Handle(ctx, kService, "GetStatus", [&]() -> absl::Status {
      absl::Status s = runner_->Status(resp);  // A bucket read error is logged, not returned.
      if (!s.ok()) spdlog::warn("GetStatus: bucket levels: {}", s.ToString());
      return absl::OkStatus();
    });
  }

  grpc::Status FlushDigest(grpc::ServerContext* ctx, const v1::FlushDigestRequest* req,
                           v1::FlushDigestResponse* resp) override {
    return rt_->Handle(ctx, kService, "FlushDigest",
                       [&]() -> absl::Status { return runner_->FlushDigest(*req, resp); });
  }

 private:
  ServiceRuntime* const rt_;
  broadcast::PlantRunner* const runner_;
  broadcast::PublishHandler* const publish_;
};

int Main(int argc, char** argv) {
  ServerOptions server;
  server.service = "broadcast-svc";
  server.grpc_address = "0.0.0.0:50053";
  server.metrics_address = "0.0.0.0:9103";
  // <hostname>-<pid>, as agent-svc's: in a container the pid is 1, the hostname the container's.
  char host[256] = "broadcast-svc";
  ::gethostname(host, sizeof(host) - 1);
  std::string redis, platforms = "telegram", consumer = absl::StrCat(host, "-", getpid());
  broadcast::PublisherConfig publishers_config;
  FlagSet flags("broadcast-svc",
                "Runs the broadcast plant against Redis and serves superbet.v1.BroadcastService.");
  server.Register(flags);
  flags.String("redis", &redis, "Redis URL redis://HOST[:PORT][/DB] (required)");
  flags.String("platforms", &platforms, "comma-separated: twitter, telegram, android");
  flags.String("consumer", &consumer,
               "consumer name of this replica in every group, unique per replica; default "
               "<hostname>-<pid>");
  flags.String("telegram_base_url", &publishers_config.telegram_base_url,
               "Telegram Bot API base URL");
  flags.String("telegram_token_file", &publishers_config.telegram_token_file,
               "file holding the Telegram bot token; empty = $TELEGRAM_BOT_TOKEN(_FILE)");
  flags.String("telegram_chat_id", &publishers_config.telegram_chat_id,
               "Telegram chat; empty = $TELEGRAM_CHAT_ID");
  int64_t publish_connections = 8;
  flags.Int("publish_connections", &publish_connections,
            "Redis connections Publish adds to risk.verified on (a pool beside the pump's)");
  broadcast::PlantOptions options;
  flags.Double("min_confidence", &options.thresholds.min_confidence,
               "filter: publish only predictions with confidence >= this (policy probability)");
  flags.Double("min_vsnr", &options.thresholds.min_vsnr, "filter: minimum VSNR");
  flags.Double("min_cas", &options.thresholds.min_cas, "filter: minimum CAS (p / q)");
  flags.ParseOrExit(argc, argv);
  if (redis.empty()) {
    std::fprintf(stderr, "broadcast-svc: --redis is required\n");
    return 2;
  }
  if (publish_connections < 1 || publish_connections > 256) {
    std::fprintf(stderr, "broadcast-svc: --publish_connections must be in [1, 256], got %lld\n",
                 static_cast<long long>(publish_connections));
    return 2;
  }
  if (absl::Status s = broadcast::ValidateThresholds(options.thresholds); !s.ok()) {
    std::fprintf(stderr, "broadcast-svc: %s\n", std::string(s.message()).c_str());
    return 2;  // Before Redis is asked: a usage error whatever the state of Redis.
  }
  const core::Clock& clock = core::SystemClock::Instance();
  auto rt = ServiceRuntime::Create(server, clock);
  if (!rt.ok()) {
    std::fprintf(stderr, "broadcast-svc: %s\n", std::string(rt.status().ToString()).c_str());
    return absl::IsInvalidArgument(rt.status()) ? 2 : 1;
  }
  auto address = bus::ParseRedisUrl(redis);
  if (!address.ok()) return spdlog::error("--redis: {}", address.status().ToString()), 2;
  options.platforms = absl::StrSplit(platforms, ',', absl::SkipEmpty());
  options.consumer = consumer;
  publishers_config.platforms = options.platforms;
  auto publishers = broadcast::PublishersFromConfig(publishers_config, clock, options.seed);
  if (!publishers.ok()) {
    const bool usage = absl::IsInvalidArgument(publishers.status());
    spdlog::error("{}{}", usage ? "--platforms: " : "", std::string(publishers.status().message()));
    return usage ? 2 : 1;
  }
  const bus::TransportPool::Factory connect =
      [&]() -> absl::StatusOr<std::unique_ptr<bus::Transport>> {
    auto t = bus::RedisTransport::Connect(*address);
    if (!t.ok()) return t.status();
    return std::unique_ptr<bus::Transport>(*std::move(t));
  };
  auto transport = connect();
  if (!transport.ok()) return spdlog::error("{}", transport.status().ToString()), 1;
  broadcast::PlantRunnerOptions run;
  run.worker_connect = connect;
  run.on_pump_error = [](const absl::Status& s) { spdlog::error("plant: {}", s.ToString()); };
  run.on_degraded = [](const std::string& line) { spdlog::warn("plant: {}", line); };
  auto runner = broadcast::PlantRunner::Create(
      options, transport->get(), &clock, [](absl::Duration d) { absl::SleepFor(d); },
      publishers->by_platform, run);
  if (!runner.ok()) return spdlog::error("{}", runner.status().ToString()), 2;
  bus::TransportPool pool(connect, static_cast<int>(publish_connections));
  auto publish = broadcast::PublishHandler::Create(&pool, &clock, options, &(*rt)->metrics());
  if (!publish.ok()) return spdlog::error("{}", publish.status().ToString()), 1;
  BroadcastServiceImpl service(rt->get(), runner->get(), publish->get());
  (*rt)->AddService(&service, "superbet.v1.BroadcastService");
  (*rt)->AddExpositionText(
      [&] { return broadcast::BroadcastMetricsText((*runner)->Metrics(), **publish); });
  if (absl::Status s = (*rt)->Start(); !s.ok()) return spdlog::error("{}", s.ToString()), 1;
  if (absl::Status s = (*runner)->Start(); !s.ok()) {
    return spdlog::error("redis: {}", s.ToString()), 1;
  }
  (*rt)->SetReady(true);
  return (*rt)->WaitForShutdown([&] {
    const broadcast::DrainReport r = (*runner)->Drain((*rt)->DrainTimeLeft());
    if (!r.stop_workers.ok()) spdlog::warn("plant workers: {}", r.stop_workers.ToString());
    if (!r.run.ok()) spdlog::warn("drain: {}", r.run.ToString());
    spdlog::info("plant drained; outstanding work left in Redis: {}",
                 !r.outstanding.ok() ? "unknown (" + r.outstanding.status().ToString() + ")"
                 : *r.outstanding    ? std::string("yes")
                                     : std::string("no"));
  });
}

}  // namespace
}  // namespace superbet::services

int main(int argc, char** argv) { return superbet::services::Main(argc, argv); }
