#include "superbet/providers/live_updates.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "superbet/providers/coverage_registry.h"

namespace superbet::providers {
namespace {

namespace v1 = superbet::v1;

// The state's bytes without the fields that change on every read.
std::string Comparable(const v1::LiveMatchState& state) {
  v1::LiveMatchState copy = state;
  copy.clear_observed_at();
  copy.clear_data_staleness_s();
  return copy.SerializeAsString();
}

}  // namespace

absl::StatusOr<v1::LiveMatchUpdate> ReadLiveMatch(Provider& provider, const std::string& match_id) {
  if (match_id.empty()) return absl::InvalidArgumentError("match_id: empty");
  auto live = provider.GetFixture(match_id);
  if (!live.ok()) return live.status();
  v1::LiveMatchUpdate update;
  *update.mutable_state() = std::move(live->state);
  // The state carries the kickoff (the plant's reader needs it in every prediction); a provider
  // whose state lacks it (a fallback row) takes the fixture's.
  if (!update.state().has_kickoff() && live->fixture.has_kickoff()) {
    *update.mutable_state()->mutable_kickoff() = live->fixture.kickoff();
  }
  update.set_finished(live->fixture.status() == v1::FIXTURE_STATUS_FINISHED ||
                      update.state().status() == v1::FIXTURE_STATUS_FINISHED);
  update.set_degraded(update.state().data_staleness_s() > 0);
  return update;
}

absl::StatusOr<std::vector<v1::LiveMatchState>> ListLiveStates(Provider& provider) {
  auto live = provider.LiveFixtures();
  if (!live.ok()) return live.status();
  std::vector<v1::LiveMatchState> states;
  states.reserve(live->size());
  for (auto& f : *live) states.push_back(std::move(f.state));
  std::sort(states.begin(), states.end(),
            [](const auto& a, const auto& b) { return a.match_id() < b.match_id(); });
  return states;
}

absl::StatusOr<absl::Duration> StreamInterval(double requested_s, double default_s) {
  if (requested_s == 0) return absl::Seconds(default_s);
  if (!std::isfinite(requested_s) || requested_s < 0.01) {
    return absl::InvalidArgumentError(
        absl::StrCat("interval_s must be 0 (default) or >= 0.01 s, got ", requested_s));
  }
  return absl::Seconds(requested_s);
}

absl::StatusOr<LiveStreamSummary> StreamLiveUpdates(
    Provider& provider, const LiveStreamOptions& options,
    const std::function<bool(const v1::LiveMatchUpdate&)>& emit) {
  LiveStreamSummary summary;
  std::vector<std::string> pending = options.match_ids;
  if (pending.empty()) {
    auto live = provider.LiveFixtures();
    if (!live.ok()) return live.status();
    for (const auto& f : *live) pending.push_back(f.state.match_id());
    std::sort(pending.begin(), pending.end());
  }
  std::map<std::string, std::string> last_sent;
  auto stopped = [&] { return options.stop && options.stop(); };
  while (!pending.empty() && !stopped()) {
    std::vector<std::string> still;
    for (const std::string& id : pending) {
      auto update = ReadLiveMatch(provider, id);
      if (!update.ok()) {
        if (summary.rounds == 0 &&
            (absl::IsNotFound(update.status()) || absl::IsInvalidArgument(update.status()))) {
          return update.status();
        }
        ++summary.poll_errors;
        still.push_back(id);
        continue;
      }
      std::string key = Comparable(update->state());
      auto it = last_sent.find(id);
      const bool changed = it == last_sent.end() || it->second != key;
      if (!update->finished()) still.push_back(id);
      if (!changed && !update->finished()) continue;
      update->set_sequence(summary.updates + 1);
      if (!emit(*update)) return summary;
      ++summary.updates;
      last_sent[id] = std::move(key);
      if (options.max_updates > 0 && summary.updates >= options.max_updates) return summary;
    }
    ++summary.rounds;
    pending = std::move(still);
    if (pending.empty()) break;
    // Wait in slices so that stop() (a cancelled client, a draining server) is seen quickly.
    for (absl::Duration left = options.interval; left > absl::ZeroDuration() && !stopped();) {
      const absl::Duration slice = std::min(left, absl::Milliseconds(50));
      if (options.wait) options.wait(slice);
      left -= slice;
    }
  }
  return summary;
}

absl::StatusOr<v1::GetCoverageResponse> CoverageResponse(const std::string& adapter) {
  v1::GetCoverageResponse response;
  std::vector<std::string> names;
  for (const AdapterCoverage& a : AllCoverage()) {
    names.push_back(a.adapter);
    if (!adapter.empty() && a.adapter != adapter) continue;
    v1::AdapterCoverage* out = response.add_adapters();
    out->set_adapter(a.adapter);
    for (const FieldCoverage& f : a.fields) {
      v1::FieldCoverage* field = out->add_fields();
      field->set_field(f.field);
      field->set_coverage(std::string(CoverageName(f.coverage)));
      field->set_note(f.note);
    }
  }
  if (response.adapters_size() == 0) {
    return absl::NotFoundError(absl::StrCat("adapter: unknown adapter \"", adapter,
                                            "\" (have: ", absl::StrJoin(names, ", "), ")"));
  }
  return response;
}

absl::Status RegisterProviderMetrics(core::MetricsRegistry& registry,
                                     const ResilientProvider& provider) {
  auto state =
      registry.AddGauge("adapter_provider_breaker_state",
                        "Provider circuit breaker: 0 closed, 1 open, 2 half-open.", {"provider"});
  if (!state.ok()) return state.status();
  auto fallback =
      registry.AddCounter("adapter_fallback_total",
                          "Live reads answered from the 5-minute fallback window.", {"provider"});
  if (!fallback.ok()) return fallback.status();
  auto requests = registry.AddCounter("adapter_provider_requests_total",
                                      "Provider calls by outcome: ok, failure (transient), "
                                      "permanent_error, rejected (breaker open).",
                                      {"provider", "status"});
  if (!requests.ok()) return requests.status();
  const std::string name = provider.name();
  // Library counters are totals; the metric counters receive the difference since the last
  // scrape, so they stay monotonic.
  struct Last {
    absl::Mutex mu;
    ResilientProviderCounters counters;
  };
  auto shared = std::make_shared<Last>();
  registry.AddCollector([=, &provider] {
    absl::MutexLock lock(&shared->mu);  // Two concurrent scrapes must not count a delta twice.
    ResilientProviderCounters* last = &shared->counters;
    const ResilientProviderCounters now = provider.counters();
    (*(*state)->WithLabels({name}))->Set(static_cast<int>(provider.breaker_state()));
    auto bump = [&](core::CounterFamily* f, std::vector<std::string> labels, int64_t delta) {
      (*f->WithLabels(labels))->Increment(static_cast<double>(std::max<int64_t>(delta, 0)));
    };
    bump(*fallback, {name}, now.fallbacks_served - last->fallbacks_served);
    const int64_t ok_now = now.attempts - now.failures - now.permanent_errors;
    const int64_t ok_last = last->attempts - last->failures - last->permanent_errors;
    bump(*requests, {name, "ok"}, ok_now - ok_last);
    bump(*requests, {name, "failure"}, now.failures - last->failures);
    bump(*requests, {name, "permanent_error"}, now.permanent_errors - last->permanent_errors);
    bump(*requests, {name, "rejected"}, now.rejected - last->rejected);
    *last = now;
  });
  return absl::OkStatus();
}

}  // namespace superbet::providers
