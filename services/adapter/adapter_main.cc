// adapter-svc: serves canonical live data over gRPC (superbet.v1.AdapterService).
//
// Source: `--replay DIR` replays the recorded StatsBomb timelines (minute by minute, --speed
// match minutes per clock minute) and API-Football live snapshots of a data root laid out like
// ../shared/data; otherwise the live API-Football v3 API over HTTP (key from --api_key_file or
// $SUPERBET_APIFOOTBALL_KEY). Reads go through the data layer's ResilientProvider (breaker,
// jittered retries, the 5-minute fallback; --store adds the store's live_stats and fallback):
// superbet/adapter/provider_setup.h opens it all.
//
// --redis URL: a publisher thread streams every live update to the Redis stream match.live and
// each change of a match's live 1X2 prices to odds.live (unless --odds_live=false); with --replay
// it steps the replay clock, one match minute per 60/--speed wall seconds. --replay_live_odds
// modelled publishes the training environment's in-play prices instead of the recorded
// pre-match 1X2: superbet/adapter/live_publisher.h, which also lists the adapter_* metrics.
//
// This file only wires flags -> library -> gRPC (adapter_service.h holds the handlers).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "adapter/adapter_service.h"
#include "common/flags.h"
#include "common/server.h"
#include "superbet/adapter/live_publisher.h"
#include "superbet/adapter/provider_setup.h"
#include "superbet/core/clock.h"

namespace superbet::services {
namespace {

// Logs `status`; exit code 2 for a usage error (InvalidArgument), 1 otherwise.
int Fail(const absl::Status& status) {
  spdlog::error("{}", status.ToString());
  return absl::IsInvalidArgument(status) ? 2 : 1;
}

int Main(int argc, char** argv) {
  ServerOptions server;
  server.service = "adapter-svc";
  server.grpc_address = "0.0.0.0:50051";
  server.metrics_address = "0.0.0.0:9101";
  adapter::LiveSourceOptions source_options;
  std::string matches, redis, live_odds = "prematch";
  double interval_s = 15;
  int64_t seed = 0;
  bool odds_live = true;
  FlagSet flags("adapter-svc",
                "Serves canonical live football data over gRPC "
                "(superbet.v1.AdapterService).");
  server.Register(flags);
  flags.String("replay", &source_options.replay_root,
               "replay this data root (StatsBomb timelines, API-Football snapshots) instead of "
               "calling API-Football");
  flags.String("matches", &matches, "with --replay: comma-separated StatsBomb ids; empty = all");
  flags.Double("speed", &source_options.speed, "with --replay: match minutes per clock minute");
  flags.Double("interval_s", &interval_s, "default StreamLiveMatches poll period, seconds");
  flags.String("api_base_url", &source_options.api_base_url, "API-Football base URL (live mode)");
  flags.String("api_key_file", &source_options.api_key_file,
               "file holding the API-Football key; empty = $SUPERBET_APIFOOTBALL_KEY");
  flags.Int("seed", &seed, "seed of the retry jitter");
  flags.String("store", &source_options.store_url,
               "sqlite:PATH or postgres://...: write live_stats as states are read, and answer a "
               "failed live read from the store's 5-minute fallback");
  flags.String("redis", &redis,
               "redis://HOST[:PORT][/DB]: publish every live update to the stream match.live");
  flags.String("replay_live_odds", &live_odds,
               "with --replay --redis: live_odds of the published states: prematch (the recorded "
               "1X2) or modelled (the training environment's in-play prices, hrl/live_prices.h)");
  flags.Bool("odds_live", &odds_live,
             "with --redis: publish each change of a match's live 1X2 prices to odds.live");
  flags.ParseOrExit(argc, argv);
  source_options.match_ids = absl::StrSplit(matches, ',', absl::SkipEmpty());
  source_options.seed = static_cast<uint64_t>(seed);
  const char* env_key = std::getenv("SUPERBET_APIFOOTBALL_KEY");
  source_options.env_api_key = env_key == nullptr ? "" : env_key;
  auto parsed_odds = adapter::ParseReplayLiveOdds(live_odds);
  if (parsed_odds.ok()) source_options.live_odds = *parsed_odds;
  for (const absl::Status& s :
       {adapter::ValidatePollInterval(interval_s),
        adapter::ValidateLiveSourceOptions(source_options), parsed_odds.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "adapter-svc: %s\n", std::string(s.message()).c_str());
      return 2;
    }
  }

  const core::Clock& clock = core::SystemClock::Instance();
  auto rt = ServiceRuntime::Create(server, clock);
  if (!rt.ok()) {
    std::fprintf(stderr, "adapter-svc: %s\n", std::string(rt.status().message()).c_str());
    return absl::IsInvalidArgument(rt.status()) ? 2 : 1;
  }
  std::unique_ptr<bus::Transport> transport;
  if (!redis.empty()) {
    auto connected = adapter::ConnectLiveTransport(redis);
    if (!connected.ok()) return Fail(connected.status());
    transport = *std::move(connected);
  }
  // With --replay and --redis, the publisher steps the replay clock (one match minute per step).
  source_options.stepped = transport != nullptr;
  auto source =
      adapter::LiveSource::Open(source_options, clock, [](absl::Duration d) { absl::SleepFor(d); });
  if (!source.ok()) return Fail(source.status());
  auto metrics = adapter::RegisterAdapterMetrics((*rt)->metrics(), **source);
  if (!metrics.ok()) return Fail(metrics.status());

  AdapterServiceImpl service(rt->get(), &(*source)->provider(), interval_s);
  (*rt)->AddService(&service, "superbet.v1.AdapterService");
  if (absl::Status s = (*rt)->Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  (*rt)->SetReady(true);
  std::thread publisher;
  if (transport) {
    adapter::LivePublishOptions publish =
        adapter::PublishOptionsFor(**source, absl::Seconds(interval_s), odds_live);
    publish.stop = [&] { return (*rt)->draining(); };
    publish.sleep = [](absl::Duration d) { absl::SleepFor(d); };
    publisher = std::thread([&, publish] {
      // Logs its end or its error itself.
      (void)adapter::RunLivePublisher((*source)->provider(), *transport, clock, *metrics, publish);
    });
  }
  return (*rt)->WaitForShutdown([&] {
    if (publisher.joinable()) publisher.join();
  });
}

}  // namespace
}  // namespace superbet::services

int main(int argc, char** argv) { return superbet::services::Main(argc, argv); }
