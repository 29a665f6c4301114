#include "superbet/adapter/live_publisher.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/live_odds.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/providers/api_football/api_football.h"

namespace superbet::adapter {
namespace {

namespace v1 = superbet::v1;

void Count(core::CounterFamily* family, double amount = 1.0) {
  if (auto c = family->WithLabels({}); c.ok()) (*c)->Increment(amount);
}

}  // namespace

absl::Status ValidatePollInterval(double interval_s) {
  if (!std::isfinite(interval_s) || interval_s < 0.01) {  // As a request's interval_s.
    return absl::InvalidArgumentError(
        absl::StrCat("--interval_s must be >= 0.01 s, got ", interval_s));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<bus::Transport>> ConnectLiveTransport(const std::string& redis_url) {
  auto address = bus::ParseRedisUrl(redis_url);
  if (!address.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--redis: ", address.status().message()));
  }
  auto transport = bus::RedisTransport::Connect(*address);
  if (!transport.ok()) {
    // A connection failure is never a usage error, whatever the transport's code.
    const absl::StatusCode code = absl::IsInvalidArgument(transport.status())
                                      ? absl::StatusCode::kFailedPrecondition
                                      : transport.status().code();
    return absl::Status(code,
                        absl::StrCat("--redis ", redis_url, ": ", transport.status().message()));
  }
  return std::unique_ptr<bus::Transport>(*std::move(transport));
}

absl::StatusOr<LivePublisherMetrics> RegisterAdapterMetrics(core::MetricsRegistry& registry,
                                                            LiveSource& source) {
  if (absl::Status s = providers::RegisterProviderMetrics(registry, source.provider()); !s.ok()) {
    return s;
  }
  LivePublisherMetrics m;
  auto counter = [&](const char* name, const char* help, core::CounterFamily** out) {
    auto f = registry.AddCounter(name, help, {});
    if (f.ok()) *out = *f;
    return f.status();
  };
  auto gauge = [&](const char* name, const char* help, core::GaugeFamily** out) {
    auto f = registry.AddGauge(name, help, {});
    if (f.ok()) *out = *f;
    return f.status();
  };
  for (const absl::Status& s :
       {counter("adapter_live_published_total", "Updates published to match.live", &m.published),
        counter("adapter_live_publish_errors_total", "Updates that could not be published",
                &m.errors),
        gauge("adapter_live_feed_done", "1 once every published match has finished", &m.done),
        gauge("adapter_store_live_rows_written",
              "live_stats rows written by this process (--store)", &m.store_rows),
        counter("adapter_odds_published_total", "Live 1X2 price changes published to odds.live",
                &m.odds_published),
        counter("adapter_odds_publish_errors_total",
                "Live price changes that could not be published, or /odds/live reads that failed",
                &m.odds_errors),
        counter("adapter_odds_rejected_total",
                "States whose live 1X2 prices were invalid (not published)", &m.odds_rejected)}) {
    if (!s.ok()) return s;
  }
  registry.AddCollector([g = m.store_rows, counters = &source.store_counters()] {
    if (auto c = g->WithLabels({}); c.ok()) (*c)->Set(counters->rows_written.load());
  });
  return m;
}

bool ApplyModelledOdds(const hrl::LiveMatch& match, v1::LiveMatchState& state) {
  const int k = state.minute();
  if (k < 0 || k >= static_cast<int>(match.quoted.size())) return false;
  const auto& q = match.quoted[k];
  state.mutable_live_odds()->set_home(q[0].value_or(0.0));
  state.mutable_live_odds()->set_draw(q[1].value_or(0.0));
  state.mutable_live_odds()->set_away(q[2].value_or(0.0));
  return true;
}

LivePublishOptions PublishOptionsFor(LiveSource& source, absl::Duration interval, bool odds_live) {
  LivePublishOptions o;
  o.match_ids = source.publish_ids();
  o.interval = interval;
  o.replay_clock = source.replay_clock();
  o.speed = source.options().speed;
  o.provider = source.provider_name();
  o.odds_live = odds_live;
  o.read_live_odds = odds_live && !source.replay();
  o.modelled = &source.modelled();
  return o;
}

absl::StatusOr<providers::LiveStreamSummary> RunLivePublisher(providers::Provider& provider,
                                                              bus::Transport& transport,
                                                              const core::Clock& clock,
                                                              const LivePublisherMetrics& metrics,
                                                              const LivePublishOptions& options) {
  providers::LiveStreamOptions o;
  o.match_ids = options.match_ids;
  o.interval = options.replay_clock != nullptr ? absl::Seconds(1) : options.interval;
  o.stop = options.stop;
  o.wait = [&](absl::Duration d) {
    if (options.replay_clock == nullptr) return options.sleep(d);
    options.sleep(d * (60.0 / options.speed));
    options.replay_clock->Advance(d);
  };
  bus::LiveOddsTracker odds_tracker;
  int64_t odds_rejected_shown = 0;
  auto summary = providers::StreamLiveUpdates(provider, o, [&](v1::LiveMatchUpdate u) {
    if (options.modelled != nullptr) {
      auto m = options.modelled->find(u.state().match_id());
      if (m != options.modelled->end()) ApplyModelledOdds(m->second, *u.mutable_state());
    }
    std::vector<v1::BettingLine> lines;
    if (options.read_live_odds) {
      // Live: the provider's in-play prices (/odds/live), through the breaker.
      auto read = provider.LiveOdds(u.state().match_id());
      if (read.ok()) {
        lines = *std::move(read);
        auto triple = providers::api_football::OddsTripleOf(lines);
        if (triple.has_value()) *u.mutable_state()->mutable_live_odds() = *triple;
      } else {
        Count(metrics.odds_errors);
        spdlog::warn("odds.live: /odds/live {}: {}", u.state().match_id(),
                     read.status().ToString());
      }
    }
    // Trimmed on the wall clock: Redis stream ids are the server's wall-clock ms.
    auto id = bus::PublishLiveUpdate(transport, u, options.provider, {}, clock.Now());
    Count(id.ok() ? metrics.published : metrics.errors);
    if (!id.ok()) spdlog::error("match.live: {}", id.status().ToString());
    if (options.odds_live) {
      if (auto change = odds_tracker.Observe(u.state(), lines); change.has_value()) {
        auto oid = bus::PublishLiveOdds(transport, *change, options.provider, clock.Now());
        Count(oid.ok() ? metrics.odds_published : metrics.odds_errors);
        if (!oid.ok()) spdlog::error("odds.live: {}", oid.status().ToString());
      }
      if (odds_tracker.rejected() > odds_rejected_shown) {
        Count(metrics.odds_rejected, odds_tracker.rejected() - odds_rejected_shown);
        odds_rejected_shown = odds_tracker.rejected();
      }
    }
    return true;
  });
  if (!summary.ok()) {
    spdlog::error("match.live publisher: {}", summary.status().ToString());
    return summary.status();
  }
  if (!(options.stop && options.stop())) {
    if (auto g = metrics.done->WithLabels({}); g.ok()) (*g)->Set(1);
  }
  spdlog::info("match.live: {} updates published in {} rounds", summary->updates, summary->rounds);
  return summary;
}

}  // namespace superbet::adapter
