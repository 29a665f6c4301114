// live_updates.h: adapter-svc's reads, change-only stream, coverage message and provider metrics.
//
// Oracles: the replay formula minute = floor(elapsed x speed / 60 s) (speed 60: one match minute
// per clock second) and the hand-read match 3754097 Manchester United 1-0 Tottenham (last event
// minute 94, full time at replay minute 95, see replay_provider_test.cc), so a stream polled once
// per match minute sees 96 distinct states (minutes 0..95) and one polled twice per minute sees
// the same 96, not 192; the documented
// provider breaker (3 consecutive failures open it; an open breaker rejects without calling);
// the coverage registry's CanonicalFields().
#include "superbet/providers/live_updates.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "superbet/core/clock.h"
#include "superbet/providers/coverage_registry.h"
#include "superbet/providers/replay_provider.h"
#include "support/test_data.h"

namespace superbet::providers {
namespace {

namespace v1 = superbet::v1;

const ReplayData& OneMatch() {
  static const ReplayData* data = [] {
    ReplayLoadOptions options;
    options.only_matches = {"statsbomb:3754097"};
    auto d = LoadReplayData(superbet::testing::DataDir(), options);
    REQUIRE(d.ok());
    return new ReplayData(*std::move(d));
  }();
  return *data;
}

struct Run {
  std::vector<v1::LiveMatchUpdate> updates;
  LiveStreamSummary summary;
};

Run Stream(absl::Duration interval, int64_t max_updates = 0) {
  core::FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  auto replay = ReplayProvider::Create(OneMatch(), clock, 60.0);  // 1 match minute per second.
  REQUIRE(replay.ok());
  LiveStreamOptions options;
  // Named: the API-Football snapshot fixtures of the replay are live forever (fixed moments).
  options.match_ids = {"statsbomb:3754097"};
  options.interval = interval;
  options.max_updates = max_updates;
  options.wait = [&](absl::Duration d) { clock.Advance(d); };
  Run run;
  auto summary = StreamLiveUpdates(**replay, options, [&](const v1::LiveMatchUpdate& u) {
    run.updates.push_back(u);
    return true;
  });
  REQUIRE(summary.ok());
  run.summary = *summary;
  return run;
}

TEST_CASE("live stream: one update per match minute, change-only, ends at full time",
          "[live_updates]") {
  const Run per_minute = Stream(absl::Seconds(1));
  REQUIRE(per_minute.updates.size() == 96);
  for (size_t i = 0; i < per_minute.updates.size(); ++i) {
    CHECK(per_minute.updates[i].sequence() == static_cast<int64_t>(i) + 1);
    CHECK(per_minute.updates[i].state().match_id() == "statsbomb:3754097");
    CHECK(per_minute.updates[i].finished() == (i + 1 == per_minute.updates.size()));
  }
  const v1::LiveMatchState& last = per_minute.updates.back().state();
  CHECK(last.minute() == 95);
  CHECK(last.score_home() == 1);
  CHECK(last.score_away() == 0);
  CHECK(per_minute.updates.front().state().minute() == 0);

  // Polled every 0.5 s each state is read twice but sent once.
  const Run twice = Stream(absl::Milliseconds(500));
  CHECK(twice.updates.size() == 96);
  CHECK(twice.summary.rounds >= 2 * 95);
  CHECK(twice.summary.poll_errors == 0);

  // max_updates bounds the stream.
  CHECK(Stream(absl::Seconds(1), 5).updates.size() == 5);
}

TEST_CASE("live stream: an unknown match ends the stream with NotFound, stop() ends it OK",
          "[live_updates]") {
  core::FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  auto replay = ReplayProvider::Create(OneMatch(), clock, 60.0);
  REQUIRE(replay.ok());
  LiveStreamOptions options;
  options.match_ids = {"statsbomb:1"};
  auto unknown = StreamLiveUpdates(**replay, options, [](const auto&) { return true; });
  CHECK(absl::IsNotFound(unknown.status()));

  options.match_ids = {"3754097"};  // A bare id is accepted too.
  int polls = 0;
  options.stop = [&] { return ++polls > 3; };
  options.wait = [&](absl::Duration d) { clock.Advance(d); };
  int sent = 0;
  auto stopped = StreamLiveUpdates(**replay, options, [&](const auto&) { return ++sent > 0; });
  REQUIRE(stopped.ok());
  CHECK(sent == 1);  // Minute 0, then stop() during the wait.

  auto empty_id = ReadLiveMatch(**replay, "");
  CHECK(empty_id.status().message() == "match_id: empty");
}

TEST_CASE("live stream: interval_s 0 means the default, bad values are refused", "[live_updates]") {
  CHECK(*StreamInterval(0, 15) == absl::Seconds(15));
  CHECK(*StreamInterval(0.5, 15) == absl::Milliseconds(500));
  CHECK(StreamInterval(-1, 15).status().message() ==
        "interval_s must be 0 (default) or >= 0.01 s, got -1");
  CHECK(absl::IsInvalidArgument(StreamInterval(0.001, 15).status()));
  CHECK(absl::IsInvalidArgument(StreamInterval(std::nan(""), 15).status()));
}

TEST_CASE("coverage message lists every canonical field per adapter", "[live_updates]") {
  auto all = CoverageResponse("");
  REQUIRE(all.ok());
  REQUIRE(all->adapters_size() == 3);
  auto sb = CoverageResponse("statsbomb");
  REQUIRE(sb.ok());
  REQUIRE(sb->adapters_size() == 1);
  CHECK(static_cast<size_t>(sb->adapters(0).fields_size()) == CanonicalFields().size());
  auto bad = CoverageResponse("opta");
  CHECK(bad.status().message() ==
        "adapter: unknown adapter \"opta\" (have: api-football, football-data, statsbomb)");
}

// Every call fails with Unavailable (a provider that is down).
class DownProvider final : public Provider {
 public:
  std::string name() const override { return "api-football"; }
  absl::StatusOr<std::vector<LiveFixture>> LiveFixtures() override { return Down(); }
  absl::StatusOr<LiveFixture> GetFixture(const std::string&) override { return Down(); }
  absl::StatusOr<v1::LiveMatchState> Statistics(const std::string&) override { return Down(); }
  absl::StatusOr<std::vector<v1::MatchEvent>> Events(const std::string&) override { return Down(); }
  absl::StatusOr<std::vector<v1::Lineup>> Lineups(const std::string&) override { return Down(); }
  absl::StatusOr<std::vector<v1::BettingLine>> PrematchOdds(const std::string&) override {
    return Down();
  }
  absl::StatusOr<std::vector<v1::BettingLine>> LiveOdds(const std::string&) override {
    return Down();
  }
  absl::StatusOr<std::vector<v1::Injury>> Injuries(const std::string&) override { return Down(); }
  absl::StatusOr<PlayerPage> Players(const std::string&, int, int) override { return Down(); }

 private:
  static absl::Status Down() { return absl::UnavailableError("HTTP 503"); }
};

TEST_CASE("provider metrics follow the breaker: 3 failures open it, then calls are rejected",
          "[live_updates]") {
  core::FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  DownProvider down;
  ResilientProviderOptions options;
  options.backoff.max_attempts = 1;
  ResilientProvider provider(
      &down, clock, [&](absl::Duration d) { clock.Advance(d); }, options);
  core::MetricsRegistry registry;
  REQUIRE(RegisterProviderMetrics(registry, provider).ok());
  CHECK(absl::IsAlreadyExists(RegisterProviderMetrics(registry, provider)));

  std::string text = registry.Exposition();
  CHECK(text.find("adapter_provider_breaker_state{provider=\"api-football\"} 0\n") !=
        std::string::npos);
  for (int i = 0; i < 4; ++i) CHECK_FALSE(provider.Events("1").ok());
  text = registry.Exposition();
  CHECK(text.find("adapter_provider_breaker_state{provider=\"api-football\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("adapter_provider_requests_total{provider=\"api-football\",status=\"failure\"} "
                  "3\n") != std::string::npos);
  CHECK(text.find("adapter_provider_requests_total{provider=\"api-football\",status=\"rejected\"} "
                  "1\n") != std::string::npos);
  CHECK(text.find("adapter_provider_requests_total{provider=\"api-football\",status=\"ok\"} 0\n") !=
        std::string::npos);
  // A second scrape with nothing new adds nothing (deltas, not totals twice).
  CHECK(registry.Exposition() == text);
}

}  // namespace
}  // namespace superbet::providers
