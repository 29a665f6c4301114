#include "superbet/providers/resilient_provider.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace superbet::providers {

using resilience::Backoff;
using resilience::BreakerState;
using resilience::BreakerStateName;
using superbet::v1::LiveMatchState;

bool IsTransientFailure(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kDeadlineExceeded:
      return true;
    default:
      return false;
  }
}

resilience::CircuitBreakerOptions ResilientProvider::BreakerOptions(
    resilience::CircuitBreakerOptions options) {
  if (options.name.empty()) options.name = name_;
  auto user = std::move(options.on_state_change);
  const std::string breaker_name = options.name;
  options.on_state_change = [breaker_name, user](BreakerState from, BreakerState to) {
    if (to == BreakerState::kOpen) {
      spdlog::warn(
          "provider '{}': circuit breaker {} -> OPEN; live reads degrade to the 5-minute "
          "fallback",
          breaker_name, std::string(BreakerStateName(from)));
    } else {
      spdlog::info("provider '{}': circuit breaker {} -> {}", breaker_name,
                   std::string(BreakerStateName(from)), std::string(BreakerStateName(to)));
    }
    if (user) user(from, to);
  };
  return options;
}

ResilientProvider::ResilientProvider(Provider* inner, const superbet::core::Clock& clock,
                                     Sleeper sleeper, ResilientProviderOptions options)
    : inner_(inner),
      clock_(clock),
      sleeper_(std::move(sleeper)),
      options_(std::move(options)),
      name_(inner->name()),
      breaker_(BreakerOptions(options_.breaker), clock),
      fixture_window_(options_.window_capacity),
      stats_window_(options_.window_capacity) {}

std::string ResilientProvider::name() const { return name_; }

std::string ResilientProvider::MatchKey(const std::string& fixture_id) const {
  if (absl::StrContains(fixture_id, ':')) return fixture_id;
  return absl::StrCat(name_, ":", fixture_id);
}

template <typename T>
absl::StatusOr<T> ResilientProvider::Call(const std::string& what,
                                          const std::function<absl::StatusOr<T>()>& attempt) {
  ++calls_;
  Backoff backoff(options_.backoff, options_.seed + call_number_.fetch_add(1));
  absl::Status last;
  while (true) {
    if (!breaker_.TryAcquirePermission()) {
      ++rejected_;
      return absl::UnavailableError(absl::StrCat(
          "circuit breaker '", breaker_.name(), "' is ", BreakerStateName(breaker_.state()), "; ",
          what, " not attempted", last.ok() ? "" : "; last error: ", last.message()));
    }
    ++attempts_;
    const absl::Time start = clock_.Now();
    absl::StatusOr<T> result = attempt();
    const absl::Duration took = clock_.Now() - start;
    if (result.ok()) {
      breaker_.OnSuccess(took);
      return result;
    }
    last = result.status();
    if (!IsTransientFailure(last)) {
      breaker_.ReleasePermission();
      ++permanent_;
      return last;
    }
    breaker_.OnError(took);
    ++failures_;
    if (!backoff.CanRetry()) return last;
    const absl::Duration delay = backoff.NextDelay(resilience::RetryAfterFromStatus(last));
    if (delay > options_.max_retry_after) {
      return absl::Status(
          last.code(),
          absl::StrCat(last.message(), " (retry after ", absl::FormatDuration(delay),
                       " exceeds the limit of ", absl::FormatDuration(options_.max_retry_after),
                       "; not retried)"));
    }
    ++retries_;
    if (sleeper_) sleeper_(delay);
  }
}

void ResilientProvider::NoteLiveRead() {
  if (degraded_.exchange(false)) {
    spdlog::info("provider '{}': live reads restored; fallback no longer served", name_);
  }
}

void ResilientProvider::NoteFallback(const std::string& what, const LiveMatchState& state) {
  ++fallbacks_;
  if (!degraded_.exchange(true)) {
    spdlog::warn("provider '{}': {} failed; serving the 5-minute fallback (staleness {} s)", name_,
                 what, state.data_staleness_s());
  }
}

void ResilientProvider::RememberFixture(const LiveFixture& live) {
  LiveMatchState state = live.state;
  std::string key = MatchKey(state.match_id().empty() ? live.fixture.id() : state.match_id());
  if (key.empty()) return;
  state.set_match_id(key);
  const absl::Time now = clock_.Now();
  fixture_window_.Record(state, now);
  if (options_.record_live) options_.record_live(state, now);
  absl::MutexLock lock(&mu_);
  last_fixture_[key] = live;
}

absl::StatusOr<LiveMatchState> ResilientProvider::FallbackState(const LiveStatsWindow& window,
                                                                const std::string& key,
                                                                const absl::Status& cause) {
  absl::StatusOr<LiveMatchState> state = (&window == &fixture_window_ && options_.fallback_source)
                                             ? options_.fallback_source(key, clock_.Now())
                                             : window.Fallback(key, clock_.Now());
  if (!state.ok()) {
    ++fallback_misses_;
    return absl::NotFoundError(absl::StrCat("no fallback: ", state.status().message(),
                                            "; live read failed: ", cause.message()));
  }
  return state;
}

absl::StatusOr<std::vector<LiveFixture>> ResilientProvider::LiveFixtures() {
  auto result =
      Call<std::vector<LiveFixture>>("LiveFixtures()", [this] { return inner_->LiveFixtures(); });
  if (result.ok()) {
    for (const LiveFixture& live : *result) RememberFixture(live);
    NoteLiveRead();
  }
  return result;
}

absl::StatusOr<LiveFixture> ResilientProvider::GetFixture(const std::string& fixture_id) {
  const std::string what = absl::StrCat("GetFixture(", fixture_id, ")");
  auto result = Call<LiveFixture>(what, [&] { return inner_->GetFixture(fixture_id); });
  if (result.ok()) {
    RememberFixture(*result);
    NoteLiveRead();
    return result;
  }
  if (!IsTransientFailure(result.status())) return result;
  const std::string key = MatchKey(fixture_id);
  absl::StatusOr<LiveMatchState> state = FallbackState(fixture_window_, key, result.status());
  if (!state.ok()) return state.status();
  LiveFixture out;
  {
    absl::MutexLock lock(&mu_);
    auto it = last_fixture_.find(key);
    if (it != last_fixture_.end()) {
      out.fixture = it->second.fixture;
      out.events = it->second.events;
    } else {
      out.fixture.set_id(key);
    }
  }
  if (state->has_minute()) out.fixture.set_elapsed_minute(state->minute());
  out.state = *std::move(state);
  NoteFallback(what, out.state);
  return out;
}

absl::StatusOr<LiveMatchState> ResilientProvider::Statistics(const std::string& fixture_id) {
  const std::string what = absl::StrCat("Statistics(", fixture_id, ")");
  auto result = Call<LiveMatchState>(what, [&] { return inner_->Statistics(fixture_id); });
  const std::string key = MatchKey(fixture_id);
  if (result.ok()) {
    LiveMatchState state = *result;
    state.set_match_id(key);
    stats_window_.Record(state, clock_.Now());
    NoteLiveRead();
    return result;
  }
  if (!IsTransientFailure(result.status())) return result;
  absl::StatusOr<LiveMatchState> state = FallbackState(stats_window_, key, result.status());
  if (!state.ok()) return state.status();
  NoteFallback(what, *state);
  return state;
}

absl::StatusOr<std::vector<superbet::v1::MatchEvent>> ResilientProvider::Events(
    const std::string& fixture_id) {
  return Call<std::vector<superbet::v1::MatchEvent>>(absl::StrCat("Events(", fixture_id, ")"),
                                                     [&] { return inner_->Events(fixture_id); });
}

absl::StatusOr<std::vector<superbet::v1::Lineup>> ResilientProvider::Lineups(
    const std::string& fixture_id) {
  return Call<std::vector<superbet::v1::Lineup>>(absl::StrCat("Lineups(", fixture_id, ")"),
                                                 [&] { return inner_->Lineups(fixture_id); });
}

absl::StatusOr<std::vector<superbet::v1::BettingLine>> ResilientProvider::PrematchOdds(
    const std::string& fixture_id) {
  return Call<std::vector<superbet::v1::BettingLine>>(
      absl::StrCat("PrematchOdds(", fixture_id, ")"),
      [&] { return inner_->PrematchOdds(fixture_id); });
}

absl::StatusOr<std::vector<superbet::v1::BettingLine>> ResilientProvider::LiveOdds(
    const std::string& fixture_id) {
  return Call<std::vector<superbet::v1::BettingLine>>(absl::StrCat("LiveOdds(", fixture_id, ")"),
                                                      [&] { return inner_->LiveOdds(fixture_id); });
}

absl::StatusOr<std::vector<superbet::v1::Injury>> ResilientProvider::Injuries(
    const std::string& fixture_id) {
  return Call<std::vector<superbet::v1::Injury>>(absl::StrCat("Injuries(", fixture_id, ")"),
                                                 [&] { return inner_->Injuries(fixture_id); });
}

absl::StatusOr<PlayerPage> ResilientProvider::Players(const std::string& team_id, int season,
                                                      int page) {
  return Call<PlayerPage>(absl::StrCat("Players(", team_id, ", ", season, ", ", page, ")"),
                          [&] { return inner_->Players(team_id, season, page); });
}

ResilientProviderCounters ResilientProvider::counters() const {
  ResilientProviderCounters c;
  c.calls = calls_.load();
  c.attempts = attempts_.load();
  c.retries = retries_.load();
  c.failures = failures_.load();
  c.permanent_errors = permanent_.load();
  c.rejected = rejected_.load();
  c.fallbacks_served = fallbacks_.load();
  c.fallback_misses = fallback_misses_.load();
  return c;
}

}  // namespace superbet::providers
