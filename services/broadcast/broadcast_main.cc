// broadcast-svc: runs the broadcast plant (superbet/broadcast/plant.h) against Redis and serves
// superbet.v1.BroadcastService: Publish (an accepted decision's prediction -> risk.verified),
// GetStatus (per-platform breaker state, token-bucket levels, digest size and staleness; DLQ
// depth) and FlushDigest (broadcast/status.h).
// A pump thread runs the plant's stages. Publish never waits for it: it adds to risk.verified once
// per event on a pooled connection of its own (broadcast/publish.h, --publish_connections) and
// answers the entry's stream id; the pump consumes the entry as any other producer's. /metrics
// adds the plant's broadcast_* metrics (Publish's input and rejected lines included). Ready
// once Redis answers and the consumer groups exist. SIGTERM: NOT_SERVING, the pump stops taking
// new work, the plant drains what it holds for up to --drain_deadline_s, exit 0; entries still
// pending stay in Redis for another replica's XAUTOCLAIM.
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "broadcast/publish.h"
#include "broadcast/status.h"
#include "common/flags.h"
#include "common/server.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/broadcast/metrics.h"
#include "superbet/broadcast/plant.h"
#include "superbet/broadcast/publishers.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/bus/transport_pool.h"
#include "superbet/core/clock.h"
#include "superbet/core/file.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::services {
namespace {

namespace v1 = superbet::v1;
constexpr char kService[] = "BroadcastService";

// The plant is driven by one thread at a time: the pump thread and GetStatus / FlushDigest share
// `mu`.
struct PlantHolder {
  absl::Mutex mu;
  std::unique_ptr<broadcast::BroadcastPlant> plant ABSL_GUARDED_BY(mu);
};

class BroadcastServiceImpl final : public v1::BroadcastService::Service {
 public:
  BroadcastServiceImpl(ServiceRuntime* rt, PlantHolder* holder, PublishHandler* publish)
      : rt_(rt), holder_(holder), publish_(publish) {}

  // Publish does not take the plant's lock: it adds to risk.verified on a pooled connection
  // (broadcast/publish.h) and the pump consumes the entry as any other producer's.
  grpc::Status Publish(grpc::ServerContext* ctx, const v1::PublishRequest* req,
                       v1::PublishResponse* resp) override {
    return rt_->Handle(ctx, kService, "Publish",
                       [&]() -> absl::Status { return publish_->Publish(*req, resp); });
  }

  grpc::Status GetStatus(grpc::ServerContext* ctx, const v1::GetStatusRequest*,
                         v1::BroadcastStatus* resp) override {
    return rt_->Handle(ctx, kService, "GetStatus", [&]() -> absl::Status {
      absl::MutexLock lock(&holder_->mu);
      FillBroadcastStatus(*holder_->plant, absl::Now(), resp);
      return absl::OkStatus();
    });
  }

  grpc::Status FlushDigest(grpc::ServerContext* ctx, const v1::FlushDigestRequest* req,
                           v1::FlushDigestResponse* resp) override {
    return rt_->Handle(ctx, kService, "FlushDigest", [&]() -> absl::Status {
      absl::MutexLock lock(&holder_->mu);
      return FlushBroadcastDigest(*holder_->plant, *req, resp);
    });
  }

 private:
  ServiceRuntime* const rt_;
  PlantHolder* const holder_;
  PublishHandler* const publish_;
};

int Main(int argc, char** argv) {
  ServerOptions server;
  server.service = "broadcast-svc";
  server.grpc_address = "0.0.0.0:50053";
  server.metrics_address = "0.0.0.0:9103";
  std::string redis, platforms = "telegram", consumer = absl::StrCat("broadcast-svc-", getpid());
  std::string telegram_base_url = "https://api.telegram.org", telegram_token_file, telegram_chat;
  FlagSet flags("broadcast-svc",
                "Runs the broadcast plant against Redis and serves superbet.v1.BroadcastService.");
  server.Register(flags);
  flags.String("redis", &redis, "Redis URL redis://HOST[:PORT][/DB] (required)");
  flags.String("platforms", &platforms, "comma-separated: twitter, telegram, android");
  flags.String("consumer", &consumer, "consumer name of this replica in every group");
  flags.String("telegram_base_url", &telegram_base_url, "Telegram Bot API base URL");
  flags.String("telegram_token_file", &telegram_token_file,
               "file holding the Telegram bot token; empty = $TELEGRAM_BOT_TOKEN(_FILE)");
  flags.String("telegram_chat_id", &telegram_chat, "Telegram chat; empty = $TELEGRAM_CHAT_ID");
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
  const core::Clock& clock = core::SystemClock::Instance();
  auto rt = ServiceRuntime::Create(server, clock);
  if (!rt.ok()) {
    std::fprintf(stderr, "broadcast-svc: %s\n", std::string(rt.status().ToString()).c_str());
    return absl::IsInvalidArgument(rt.status()) ? 2 : 1;
  }
  auto address = bus::ParseRedisUrl(redis);
  if (!address.ok()) {
    spdlog::error("--redis: {}", address.status().ToString());
    return 2;
  }
  options.platforms = absl::StrSplit(platforms, ',', absl::SkipEmpty());
  options.consumer = consumer;
  std::vector<std::unique_ptr<broadcast::Publisher>> owned;
  std::map<std::string, broadcast::Publisher*> publishers;
  for (const std::string& p : options.platforms) {
    if (p == "telegram") {
      broadcast::TelegramOptions t;
      if (telegram_token_file.empty() || telegram_chat.empty()) {
        auto env = broadcast::LoadTelegramCredentials();
        if (!env.ok()) {
          spdlog::error(
              "telegram: {} (give --telegram_token_file and --telegram_chat_id, or leave telegram "
              "out of --platforms)",
              env.status().ToString());
          return 1;
        }
        t = *env;
      }
      t.base_url = telegram_base_url;
      if (!telegram_token_file.empty()) {
        auto token = core::ReadFile(telegram_token_file);
        if (!token.ok()) {
          spdlog::error("--telegram_token_file: {}", token.status().ToString());
          return 1;
        }
        t.bot_token = token->substr(0, token->find_first_of("\r\n"));
      }
      if (!telegram_chat.empty()) t.chat_id = telegram_chat;
      owned.push_back(std::make_unique<broadcast::TelegramPublisher>(t));
    } else if (p == "twitter") {
      auto c = broadcast::LoadXCredentials();
      if (!c.ok()) return spdlog::error("twitter: {}", c.status().ToString()), 1;
      owned.push_back(std::make_unique<broadcast::XPublisher>(*c, clock, options.seed));
    } else if (p == "android") {
      auto c = broadcast::LoadFcmCredentials();
      if (!c.ok()) return spdlog::error("android: {}", c.status().ToString()), 1;
      owned.push_back(std::make_unique<broadcast::FcmPublisher>(*c, clock));
    } else {
      spdlog::error("--platforms: unknown platform \"{}\"", p);
      return 2;
    }
    publishers[p] = owned.back().get();
  }

  auto transport = bus::RedisTransport::Connect(*address);
  if (!transport.ok()) {
    spdlog::error("{}", transport.status().ToString());
    return 1;
  }
  auto plant = broadcast::BroadcastPlant::Create(
      options, transport->get(), &clock, [](absl::Duration d) { absl::SleepFor(d); }, publishers);
  if (!plant.ok()) {
    spdlog::error("{}", plant.status().ToString());
    return 2;
  }
  PlantHolder holder;
  {
    absl::MutexLock lock(&holder.mu);
    holder.plant = *std::move(plant);
  }
  bus::TransportPool pool(
      [&]() -> absl::StatusOr<std::unique_ptr<bus::Transport>> {
        auto t = bus::RedisTransport::Connect(*address);
        if (!t.ok()) return t.status();
        return std::unique_ptr<bus::Transport>(*std::move(t));
      },
      static_cast<int>(publish_connections));
  auto duplicates = (*rt)->metrics().AddCounter(
      "broadcast_publish_duplicates_total",
      "Publish calls whose event was already in risk.verified (answered with its stream id)", {});
  if (!duplicates.ok()) return spdlog::error("{}", duplicates.status().ToString()), 1;
  auto duplicates_child = (*duplicates)->WithLabels({});
  if (!duplicates_child.ok()) return spdlog::error("{}", duplicates_child.status().ToString()), 1;
  broadcast::VerifiedAddOptions verified;
  verified.marker_ttl = options.sent_ttl;
  PublishHandler publish(&pool, &clock, options.retention, verified, *duplicates_child);
  BroadcastServiceImpl service(rt->get(), &holder, &publish);
  (*rt)->AddService(&service, "superbet.v1.BroadcastService");
  (*rt)->AddExpositionText([&holder, &publish] {
    broadcast::PlantMetrics m;
    {
      absl::MutexLock lock(&holder.mu);
      m = holder.plant->metrics();
    }
    publish.AddCountsTo(&m);
    absl::StatusOr<std::string> text = broadcast::PrometheusText(m);
    return text.ok() ? *std::move(text) : "# broadcast metrics: " + text.status().ToString() + "\n";
  });
  if (absl::Status s = (*rt)->Start(); !s.ok()) return spdlog::error("{}", s.ToString()), 1;
  {
    absl::MutexLock lock(&holder.mu);
    if (absl::Status s = holder.plant->Start(); !s.ok()) {
      return spdlog::error("redis: {}", s.ToString()), 1;
    }
  }
  // Persistent stage workers: main, priority and each platform stage on their own connection
  // and thread; this thread only reports their errors (RunUntil with a past deadline returns a
  // worker's error, else OK at once).
  {
    absl::MutexLock lock(&holder.mu);
    absl::Status s =
        holder.plant->StartWorkers([&]() -> absl::StatusOr<std::unique_ptr<bus::Transport>> {
          auto t = bus::RedisTransport::Connect(*address);
          if (!t.ok()) return t.status();
          return std::unique_ptr<bus::Transport>(*std::move(t));
        });
    if (!s.ok()) return spdlog::error("redis: {}", s.ToString()), 1;
  }
  std::atomic<bool> stop{false};
  std::thread pump([&] {
    while (!stop.load()) {
      absl::Status s;
      {
        absl::MutexLock lock(&holder.mu);
        s = holder.plant->RunUntil(absl::InfinitePast());
      }
      if (!s.ok()) spdlog::error("plant: {}", s.ToString());
      for (int i = 0; i < 10 && !stop.load(); ++i) absl::SleepFor(absl::Milliseconds(50));
    }
  });
  (*rt)->SetReady(true);
  return (*rt)->WaitForShutdown([&] {
    stop.store(true);
    pump.join();
    absl::MutexLock lock(&holder.mu);
    // The workers stop (each finishes its step); what they hold is drained below by Pump.
    if (absl::Status s = holder.plant->StopWorkers(); !s.ok()) {
      spdlog::warn("plant workers: {}", s.ToString());
    }
    const absl::Time until = absl::Now() + absl::Seconds(server.drain_deadline_s);
    absl::Status s = holder.plant->RunUntil(until);
    if (!s.ok()) spdlog::warn("drain: {}", s.ToString());
    auto outstanding = holder.plant->Outstanding();
    spdlog::info("plant drained; outstanding work left in Redis: {}",
                 outstanding.ok() && *outstanding ? "yes" : "no");
  });
}

}  // namespace
}  // namespace superbet::services

int main(int argc, char** argv) { return superbet::services::Main(argc, argv); }
