// adapter-svc: serves canonical live data over gRPC (superbet.v1.AdapterService).
//
// Source: `--replay DIR` replays the recorded StatsBomb timelines (minute by minute, --speed
// match minutes per clock minute) and API-Football live snapshots of a data root laid out like
// ../shared/data; otherwise the live API-Football v3 API over HTTP (key from --api_key_file or
// $SUPERBET_APIFOOTBALL_KEY). Either way reads go through the data layer's ResilientProvider:
// breaker (3 failures open it for 60 s), jittered retries and the 5-minute fallback average.
// Metrics besides the gRPC ones: adapter_provider_breaker_state{provider} (0 closed, 1 open,
// 2 half-open), adapter_fallback_total{provider}, adapter_provider_requests_total{provider,
// status}. Logic lives in the library; this file only wires flags -> library -> gRPC.
//
// --redis URL: a publisher thread streams every live update (providers/live_updates.h) to the
// Redis stream match.live (bus/live_feed.h PublishLiveUpdate: window key, then XADD). With
// --replay the replay clock is then stepped by that thread, one match minute per 60/--speed
// wall seconds after the minute's updates are published, so no minute is skipped on a loaded
// machine; only the StatsBomb matches are published (the API-Football snapshots are fixed
// moments). Metrics: adapter_live_published_total, adapter_live_publish_errors_total,
// adapter_live_feed_done (1 once every replayed match has finished). --replay_live_odds modelled
// replaces the recorded pre-match 1X2 in the published states with the in-play prices the
// agents' training environment models for each minute (no in-play prices were recorded).
// --store URL (store/provider_fallback.h): live states are written to live_stats as they are
// read, and a failed live read is answered from the store (adapter_store_live_rows_written).
// odds.live (bus/live_odds.h, with --redis unless --odds_live=false): each change of a match's
// live 1X2 prices is published as one entry: in replay, the published states' live_odds (those of
// --replay_live_odds); live, the provider's /odds/live read each time a match's state changes (its
// 1X2 also becomes the match.live state's live_odds). Metrics: adapter_odds_published_total,
// adapter_odds_publish_errors_total, adapter_odds_rejected_total.
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "adapter/adapter_service.h"
#include "common/flags.h"
#include "common/server.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/live_odds.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/core/clock.h"
#include "superbet/core/file.h"
#include "superbet/hrl/live_env.h"
#include "superbet/providers/api_football/api_football.h"
#include "superbet/providers/api_football/api_football_client.h"
#include "superbet/providers/live_updates.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/providers/resilient_provider.h"
#include "superbet/store/provider_fallback.h"
#include "superbet/store/store.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::services {
namespace {

namespace v1 = superbet::v1;
using providers::Provider;
using providers::RegisterProviderMetrics;

int Main(int argc, char** argv) {
  ServerOptions server;
  server.service = "adapter-svc";
  server.grpc_address = "0.0.0.0:50051";
  server.metrics_address = "0.0.0.0:9101";
  std::string replay, matches, api_base_url = "https://v3.football.api-sports.io", api_key_file;
  double speed = 60, interval_s = 15;
  int64_t seed = 0;
  FlagSet flags("adapter-svc",
                "Serves canonical live football data over gRPC "
                "(superbet.v1.AdapterService).");
  server.Register(flags);
  flags.String("replay", &replay,
               "replay this data root (StatsBomb timelines, API-Football snapshots) instead of "
               "calling API-Football");
  flags.String("matches", &matches, "with --replay: comma-separated StatsBomb ids; empty = all");
  flags.Double("speed", &speed, "with --replay: match minutes per clock minute");
  flags.Double("interval_s", &interval_s, "default StreamLiveMatches poll period, seconds");
  flags.String("api_base_url", &api_base_url, "API-Football base URL (live mode)");
  flags.String("api_key_file", &api_key_file,
               "file holding the API-Football key; empty = $SUPERBET_APIFOOTBALL_KEY");
  flags.Int("seed", &seed, "seed of the retry jitter");
  std::string redis, live_odds = "prematch", store_url;
  flags.String("store", &store_url,
               "sqlite:PATH or postgres://...: write live_stats as states are read, and answer a "
               "failed live read from the store's 5-minute fallback");
  flags.String("redis", &redis,
               "redis://HOST[:PORT][/DB]: publish every live update to the stream match.live");
  flags.String("replay_live_odds", &live_odds,
               "with --replay --redis: live_odds of the published states: prematch (the recorded "
               "1X2) or modelled (the training environment's in-play prices, hrl/live_prices.h)");
  bool odds_live = true;
  flags.Bool("odds_live", &odds_live,
             "with --redis: publish each change of a match's live 1X2 prices to odds.live");
  flags.ParseOrExit(argc, argv);
  if (!std::isfinite(interval_s) || interval_s < 0.01) {  // As a request's interval_s.
    std::fprintf(stderr, "adapter-svc: --interval_s must be >= 0.01 s, got %g\n", interval_s);
    return 2;
  }

  const core::Clock& clock = core::SystemClock::Instance();
  auto rt = ServiceRuntime::Create(server, clock);
  if (!rt.ok()) {
    std::fprintf(stderr, "adapter-svc: %s\n", std::string(rt.status().message()).c_str());
    return absl::IsInvalidArgument(rt.status()) ? 2 : 1;
  }
  // With --replay and --redis, the publisher steps this clock (one match minute per step).
  core::FakeClock replay_clock(clock.Now());
  const bool stepped = !replay.empty() && !redis.empty();
  const core::Clock& provider_clock = stepped ? replay_clock : clock;
  if (!(speed > 0) || !std::isfinite(speed)) {
    std::fprintf(stderr, "adapter-svc: --speed must be > 0, got %g\n", speed);
    return 2;
  }
  std::unique_ptr<bus::RedisTransport> transport;
  if (!redis.empty()) {
    auto address = bus::ParseRedisUrl(redis);
    if (!address.ok()) {
      spdlog::error("--redis: {}", address.status().ToString());
      return 2;
    }
    auto t = bus::RedisTransport::Connect(*address);
    if (!t.ok()) {
      spdlog::error("--redis {}: {}", redis, t.status().ToString());
      return 1;
    }
    transport = *std::move(t);
  }
  if (live_odds != "prematch" && live_odds != "modelled") {
    std::fprintf(stderr, "adapter-svc: --replay_live_odds must be prematch or modelled, got %s\n",
                 live_odds.c_str());
    return 2;
  }
  std::vector<std::string> publish_ids;
  std::map<std::string, hrl::LiveMatch> modelled;  // By match id, with --replay_live_odds modelled.
  std::unique_ptr<Provider> inner;
  if (!replay.empty()) {
    providers::ReplayLoadOptions load;
    if (!matches.empty()) load.only_matches = absl::StrSplit(matches, ',', absl::SkipEmpty());
    auto data = providers::LoadReplayData(replay, load);
    if (!data.ok()) {
      spdlog::error("--replay {}: {}", replay, data.status().ToString());
      return 1;
    }
    spdlog::info("replay: {} StatsBomb matches, {} API-Football snapshot fixtures, speed {}",
                 data->timelines.size(), data->api_football.size(), speed);
    // Stepped: the replay clock's second is one match minute.
    auto p =
        providers::ReplayProvider::Create(*std::move(data), provider_clock, stepped ? 60 : speed);
    if (!p.ok()) {
      spdlog::error("--speed: {}", p.status().ToString());
      return 2;
    }
    publish_ids = (*p)->MatchIds();
    for (const std::string& id :
         live_odds == "modelled" ? publish_ids : std::vector<std::string>{}) {
      auto m = hrl::PrepareLiveMatch(*(*p)->FindTimeline(id), {});
      if (!m.ok()) {
        spdlog::error("--replay_live_odds modelled: {}", m.status().ToString());
        return 1;
      }
      modelled.emplace(id, *std::move(m));
    }
    inner = *std::move(p);
  } else {
    providers::ApiFootballOptions api;
    api.base_url = api_base_url;
    if (!api_key_file.empty()) {
      auto key = core::ReadFile(api_key_file);
      if (!key.ok()) {
        spdlog::error("--api_key_file: {}", key.status().ToString());
        return 1;
      }
      api.api_key = key->substr(0, key->find_first_of("\r\n"));
    }
    const char* env_key = std::getenv("SUPERBET_APIFOOTBALL_KEY");
    if (api.api_key.empty() && (env_key == nullptr || *env_key == '\0')) {
      // Every live read would fail: refuse to start rather than serve nothing but errors.
      std::fprintf(stderr,
                   "adapter-svc: live mode (no --replay) needs the API-Football key: "
                   "--api_key_file FILE (first line) or $SUPERBET_APIFOOTBALL_KEY\n");
      return 2;
    }
    inner = std::make_unique<providers::ApiFootballClient>(api, clock);
  }
  providers::ResilientProviderOptions resilient;
  resilient.seed = static_cast<uint64_t>(seed);
  std::unique_ptr<store::Store> db;
  store::StoreFallbackCounters store_counters;
  if (!store_url.empty()) {
    auto opened = store::Store::Open(store_url, provider_clock);
    if (!opened.ok()) {
      spdlog::error("--store: {}", opened.status().ToString());
      return absl::IsInvalidArgument(opened.status()) ? 2 : 1;
    }
    db = *std::move(opened);
    store::UseStoreForFallback(*db, resilient, &store_counters);
  }
  providers::ResilientProvider provider(
      inner.get(), provider_clock, [](absl::Duration d) { absl::SleepFor(d); }, resilient);
  if (absl::Status s = RegisterProviderMetrics((*rt)->metrics(), provider); !s.ok()) {
    spdlog::error("metrics: {}", s.ToString());
    return 1;
  }

  AdapterServiceImpl service(rt->get(), &provider, interval_s);
  (*rt)->AddService(&service, "superbet.v1.AdapterService");
  if (absl::Status s = (*rt)->Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  auto published = (*rt)->metrics().AddCounter("adapter_live_published_total",
                                               "Updates published to match.live", {});
  auto errors = (*rt)->metrics().AddCounter("adapter_live_publish_errors_total",
                                            "Updates that could not be published", {});
  auto done = (*rt)->metrics().AddGauge("adapter_live_feed_done",
                                        "1 once every published match has finished", {});
  auto rows = (*rt)->metrics().AddGauge("adapter_store_live_rows_written",
                                        "live_stats rows written by this process (--store)", {});
  if (rows.ok()) {
    (*rt)->metrics().AddCollector([&, g = *rows] {
      if (auto c = g->WithLabels({}); c.ok()) (*c)->Set(store_counters.rows_written.load());
    });
  }
  auto odds_published = (*rt)->metrics().AddCounter(
      "adapter_odds_published_total", "Live 1X2 price changes published to odds.live", {});
  auto odds_errors = (*rt)->metrics().AddCounter(
      "adapter_odds_publish_errors_total",
      "Live price changes that could not be published, or /odds/live reads that failed", {});
  auto odds_rejected =
      (*rt)->metrics().AddCounter("adapter_odds_rejected_total",
                                  "States whose live 1X2 prices were invalid (not published)", {});
  if (!published.ok() || !errors.ok() || !done.ok() || !rows.ok() || !odds_published.ok() ||
      !odds_errors.ok() || !odds_rejected.ok()) {
    spdlog::error("metrics: adapter_live_*");
    return 1;
  }
  (*rt)->SetReady(true);
  std::thread publisher;
  bus::LiveOddsTracker odds_tracker;  // Used by the publisher thread only.
  int64_t odds_rejected_shown = 0;
  auto count = [](core::CounterFamily* family) {
    if (auto c = family->WithLabels({}); c.ok()) (*c)->Increment();
  };
  if (transport) {
    publisher = std::thread([&] {
      providers::LiveStreamOptions o;
      o.match_ids = publish_ids;
      o.interval = stepped ? absl::Seconds(1) : absl::Seconds(interval_s);
      o.stop = [&] { return (*rt)->draining(); };
      o.wait = [&](absl::Duration d) {
        if (!stepped) return absl::SleepFor(d);
        absl::SleepFor(d * (60.0 / speed));
        replay_clock.Advance(d);
      };
      auto summary = providers::StreamLiveUpdates(provider, o, [&](v1::LiveMatchUpdate u) {
        auto m = modelled.find(u.state().match_id());
        const int k = u.state().minute();
        if (m != modelled.end() && k >= 0 && k < static_cast<int>(m->second.quoted.size())) {
          // An unquoted selection is 0, never a price (the decider reads it as not quoted).
          const auto& q = m->second.quoted[k];
          u.mutable_state()->mutable_live_odds()->set_home(q[0].value_or(0.0));
          u.mutable_state()->mutable_live_odds()->set_draw(q[1].value_or(0.0));
          u.mutable_state()->mutable_live_odds()->set_away(q[2].value_or(0.0));
        }
        std::vector<v1::BettingLine> lines;
        if (odds_live && replay.empty()) {
          // Live: the provider's in-play prices (/odds/live), through the breaker.
          auto read = provider.LiveOdds(u.state().match_id());
          if (read.ok()) {
            lines = *std::move(read);
            auto triple = providers::api_football::OddsTripleOf(lines);
            if (triple.has_value()) *u.mutable_state()->mutable_live_odds() = *triple;
          } else {
            count(*odds_errors);
            spdlog::warn("odds.live: /odds/live {}: {}", u.state().match_id(),
                         read.status().ToString());
          }
        }
        // Trimmed on the wall clock: Redis stream ids are the server's wall-clock ms.
        auto id = bus::PublishLiveUpdate(*transport, u, inner->name(), {}, clock.Now());
        count(id.ok() ? *published : *errors);
        if (!id.ok()) spdlog::error("match.live: {}", id.status().ToString());
        if (odds_live) {
          if (auto change = odds_tracker.Observe(u.state(), lines); change.has_value()) {
            auto oid = bus::PublishLiveOdds(*transport, *change, inner->name(), clock.Now());
            count(oid.ok() ? *odds_published : *odds_errors);
            if (!oid.ok()) spdlog::error("odds.live: {}", oid.status().ToString());
          }
          if (odds_tracker.rejected() > odds_rejected_shown) {
            if (auto c = (*odds_rejected)->WithLabels({}); c.ok()) {
              (*c)->Increment(odds_tracker.rejected() - odds_rejected_shown);
            }
            odds_rejected_shown = odds_tracker.rejected();
          }
        }
        return true;
      });
      if (!summary.ok()) {
        spdlog::error("match.live publisher: {}", summary.status().ToString());
        return;
      }
      if (auto g = (*done)->WithLabels({}); g.ok() && !(*rt)->draining()) (*g)->Set(1);
      spdlog::info("match.live: {} updates published in {} rounds", summary->updates,
                   summary->rounds);
    });
  }
  return (*rt)->WaitForShutdown([&] {
    if (publisher.joinable()) publisher.join();
  });
}

}  // namespace
}  // namespace superbet::services

int main(int argc, char** argv) { return superbet::services::Main(argc, argv); }
