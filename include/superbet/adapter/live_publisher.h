// The live publisher of a long-running live-data process (adapter-svc's --redis thread, without
// gRPC): streams every live update of a provider (providers/live_updates.h StreamLiveUpdates) to
// the stream match.live (bus/live_feed.h PublishLiveUpdate: window key, then XADD) and each change
// of a match's live 1X2 prices to the stream odds.live (bus/live_odds.h LiveOddsTracker +
// PublishLiveOdds), counting both in Prometheus metrics.
//
// Per update, in order:
//   1. modelled odds (a replay with ReplayLiveOdds::kModelled): the state's live_odds become the
//      match's modelled prices of the state's minute (an unquoted selection is 0, never a price:
//      the decider reads it as not quoted); a minute outside the prepared range keeps its odds;
//   2. live odds (read_live_odds, live mode): the provider's /odds/live lines through the breaker;
//      their 1X2 triple (api_football::OddsTripleOf), when complete, becomes the state's live_odds;
//      a failed read is logged and counted in adapter_odds_publish_errors_total;
//   3. match.live: the update, trimmed on the wall clock (Redis stream ids are the server's
//      wall-clock milliseconds);
//   4. odds.live (odds_live): the tracker's change, if any; invalid prices counted as rejected.
// A publish error costs that update only (logged and counted). With a replay_clock (a stepped
// replay) each poll waits `interval` = 1 s of replay clock (one match minute) and sleeps
// 60 / speed wall seconds for it, after the minute's updates are published, so no minute is
// skipped on a loaded machine.
//
// Metrics (RegisterAdapterMetrics), all without labels unless said:
//   adapter_live_published_total          counter: updates published to match.live
//   adapter_live_publish_errors_total     counter: updates that could not be published
//   adapter_live_feed_done                gauge: 1 once every published match has finished
//   adapter_store_live_rows_written       gauge: live_stats rows written by this process (--store)
//   adapter_odds_published_total          counter: live 1X2 price changes published to odds.live
//   adapter_odds_publish_errors_total     counter: price changes not published, or failed
//                                         /odds/live reads
//   adapter_odds_rejected_total           counter: states whose live 1X2 prices were invalid
//   and the provider's: adapter_provider_breaker_state{provider}, adapter_fallback_total{provider},
//   adapter_provider_requests_total{provider,status} (providers/live_updates.h).
//
// Thread-safety and ownership: RunLivePublisher runs on one thread (its LiveOddsTracker is local
// to the run) and is as thread-safe as the provider and transport it is given (ResilientProvider
// and both transports are thread-safe); the metric families are thread-safe. Nothing is owned:
// the provider, transport, clock, registry, replay clock and modelled prices must outlive the run.
//
// Sources: redis.io/docs/data-types/streams (XADD, MINID trimming); Prometheus exposition format
// 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats).
#ifndef SUPERBET_ADAPTER_LIVE_PUBLISHER_H_
#define SUPERBET_ADAPTER_LIVE_PUBLISHER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/adapter/provider_setup.h"
#include "superbet/bus/transport.h"
#include "superbet/core/clock.h"
#include "superbet/core/metrics.h"
#include "superbet/hrl/live_env.h"
#include "superbet/providers/live_updates.h"
#include "superbet/providers/provider.h"
#include "superbet/v1/services.pb.h"

namespace superbet::adapter {

// The poll period of a live stream, --interval_s seconds. Errors: InvalidArgument "--interval_s
// must be >= 0.01 s, got X" (NaN and infinities too).
[[nodiscard]] absl::Status ValidatePollInterval(double interval_s);

// The transport a publisher writes to: Redis at "redis://HOST[:PORT][/DB]" (--redis).
// Errors: InvalidArgument "--redis: ..." for a malformed URL; "--redis URL: ..." with the
// connection's code (Unavailable when the server cannot be reached).
[[nodiscard]] absl::StatusOr<std::unique_ptr<bus::Transport>> ConnectLiveTransport(
    const std::string& redis_url);

// The publisher's metric families (see the file comment), owned by the registry.
struct LivePublisherMetrics {
  core::CounterFamily* published = nullptr;
  core::CounterFamily* errors = nullptr;
  core::GaugeFamily* done = nullptr;
  core::GaugeFamily* store_rows = nullptr;
  core::CounterFamily* odds_published = nullptr;
  core::CounterFamily* odds_errors = nullptr;
  core::CounterFamily* odds_rejected = nullptr;
};

// Registers every adapter_* metric of the file comment on `registry`: the provider's (refreshed
// from source.provider() at each scrape) and the publisher's (adapter_store_live_rows_written
// refreshed from source.store_counters() at each scrape). `source` must outlive the registry's
// scrapes. Errors: AlreadyExists when a name is already registered (e.g. registered twice).
[[nodiscard]] absl::StatusOr<LivePublisherMetrics> RegisterAdapterMetrics(
    core::MetricsRegistry& registry, LiveSource& source);

// Modelled prices (step 1 of the file comment): sets `state`'s live_odds home/draw/away to
// match.quoted[state.minute] (0 for an unquoted selection). Returns false, state unchanged, when
// the minute is outside [0, match.quoted.size()).
bool ApplyModelledOdds(const hrl::LiveMatch& match, superbet::v1::LiveMatchState& state);

struct LivePublishOptions {
  std::vector<std::string> match_ids;           // Empty: the matches live at the first poll.
  absl::Duration interval = absl::Seconds(15);  // Poll period (not stepped).
  core::FakeClock* replay_clock = nullptr;      // Non-null: a stepped replay (file comment).
  double speed = 60;            // Stepped: match minutes per wall-clock minute, > 0.
  std::string provider;         // The entries' provider field ("replay", "api-football").
  bool odds_live = true;        // Publish price changes to odds.live.
  bool read_live_odds = false;  // Live mode: read /odds/live for each update (step 2).
  // Modelled prices by match id (step 1); not owned, may be nullptr; must outlive the run.
  const std::map<std::string, hrl::LiveMatch>* modelled = nullptr;
  std::function<bool()> stop;                 // Polled between reads; true ends the run (OK).
  std::function<void(absl::Duration)> sleep;  // The wall-clock sleep (tests: a no-op).
};

// The options adapter-svc publishes `source` with: its publish_ids, replay clock, speed,
// provider name and modelled prices; read_live_odds = odds_live in live mode. `stop` and `sleep`
// are left for the caller.
LivePublishOptions PublishOptionsFor(LiveSource& source, absl::Duration interval, bool odds_live);

// Runs the publisher until every match has finished (then sets adapter_live_feed_done to 1) or
// stop() is true (the gauge stays 0). `clock`: the wall clock that trims the streams. Logs the
// run's end ("match.live: N updates published in R rounds") or its error.
// Errors: those of StreamLiveUpdates (NotFound / InvalidArgument when a requested match was
// never there); publish errors are counted, never returned.
[[nodiscard]] absl::StatusOr<providers::LiveStreamSummary> RunLivePublisher(
    providers::Provider& provider, bus::Transport& transport, const core::Clock& clock,
    const LivePublisherMetrics& metrics, const LivePublishOptions& options);

}  // namespace superbet::adapter

#endif  // SUPERBET_ADAPTER_LIVE_PUBLISHER_H_
