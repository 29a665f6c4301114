// Live updates for adapter-svc's AdapterService (proto/superbet/v1/services.proto), built from any
// Provider: one match's state, the list of live matches, a change-only stream of states, the
// coverage matrix as a message, and the provider metrics of a ResilientProvider.
//
// The stream polls provider.GetFixture(id) for each match every `interval` and emits an update
// only when the state differs from the last one sent for that match (compared field by field on
// the canonical message, observed_at and data_staleness_s excluded, so a re-read of the same
// minute is not news). A match's last update has finished = true (status FINISHED); updates
// carry sequence numbers 1, 2, ... without gaps.
//
// Thread-safety: the functions are reentrant; they are as thread-safe as the provider passed.
#ifndef SUPERBET_PROVIDERS_LIVE_UPDATES_H_
#define SUPERBET_PROVIDERS_LIVE_UPDATES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "superbet/core/metrics.h"
#include "superbet/providers/provider.h"
#include "superbet/providers/resilient_provider.h"
#include "superbet/v1/services.pb.h"

namespace superbet::providers {

// One match's state now. finished = status FINISHED; degraded = served from the fallback window
// (data_staleness_s > 0); kickoff = the fixture's, when it has one.
// Errors: InvalidArgument "match_id: empty"; otherwise the provider's (NotFound for an unknown
// match).
[[nodiscard]] absl::StatusOr<superbet::v1::LiveMatchUpdate> ReadLiveMatch(
    Provider& provider, const std::string& match_id);

// The states of every fixture in play, sorted by match_id. Errors: the provider's.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::LiveMatchState>> ListLiveStates(
    Provider& provider);

// The poll period of a stream: `requested_s` seconds, or `default_s` when requested_s is 0.
// Errors: InvalidArgument "interval_s must be 0 (default) or >= 0.01 s, got X" for a negative,
// non-finite or too small value.
[[nodiscard]] absl::StatusOr<absl::Duration> StreamInterval(double requested_s, double default_s);

struct LiveStreamOptions {
  std::vector<std::string> match_ids;  // Empty: the matches live at the first poll.
  absl::Duration interval = absl::Seconds(15);
  int64_t max_updates = 0;                   // > 0: stop after this many updates.
  std::function<bool()> stop;                // Polled between reads; true ends the stream (OK).
  std::function<void(absl::Duration)> wait;  // Sleeps (tests: advances a FakeClock).
};

// Streams updates to `emit` until every match has finished, max_updates were sent, stop()
// returns true, or emit returns false (the reader went away: OK, nothing more is sent).
// A provider error on one match's poll skips that match for that round (counted in the
// returned value's errors) unless it is NotFound/InvalidArgument on the first round, which ends
// the stream with that error (the match was never there).
struct LiveStreamSummary {
  int64_t updates = 0;
  int64_t poll_errors = 0;
  int64_t rounds = 0;
};
[[nodiscard]] absl::StatusOr<LiveStreamSummary> StreamLiveUpdates(
    Provider& provider, const LiveStreamOptions& options,
    const std::function<bool(const superbet::v1::LiveMatchUpdate&)>& emit);

// The coverage matrix of coverage_registry.h as a message; `adapter` "" = every adapter.
// Errors: NotFound "adapter: unknown adapter \"x\" (have: api-football, football-data,
// statsbomb)".
[[nodiscard]] absl::StatusOr<superbet::v1::GetCoverageResponse> CoverageResponse(
    const std::string& adapter);

// Registers, and refreshes at every scrape from provider.counters() / breaker_state():
//   adapter_provider_breaker_state{provider}        gauge: 0 closed, 1 open, 2 half-open
//   adapter_fallback_total{provider}                 counter: answers served from the window
//   adapter_provider_requests_total{provider,status} counter: attempts by outcome, status one of
//                                                    ok, failure, permanent_error, rejected
// `provider` must outlive `registry`'s scrapes. Errors: AlreadyExists when registered twice.
[[nodiscard]] absl::Status RegisterProviderMetrics(core::MetricsRegistry& registry,
                                                   const ResilientProvider& provider);

}  // namespace superbet::providers

#endif  // SUPERBET_PROVIDERS_LIVE_UPDATES_H_
