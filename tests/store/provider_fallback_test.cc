// The provider fallback read from the store (store/provider_fallback.h). Oracle: the same
// ResilientProvider with the in-process LiveStatsWindow only, fed the same live reads at the same
// (fake) clock times: the served fallback states must be equal; after a "restart" (a new
// provider, empty window) only the store-backed one still has a fallback.

#include "superbet/store/provider_fallback.h"

#include <deque>

#include "store_suite.h"
#include "superbet/providers/resilient_provider.h"

namespace superbet::store::suite {
namespace {

namespace sp = superbet::providers;

// A provider whose GetFixture answers `state` until `fail` is set, then Unavailable.
class ScriptedProvider : public sp::Provider {
 public:
  superbet::v1::LiveMatchState state;
  bool fail = false;
  std::string name() const override { return "scripted"; }
  absl::StatusOr<std::vector<sp::LiveFixture>> LiveFixtures() override {
    return absl::UnimplementedError("x");
  }
  absl::StatusOr<sp::LiveFixture> GetFixture(const std::string& id) override {
    if (fail) return absl::UnavailableError("connection refused");
    sp::LiveFixture f;
    f.fixture.set_id("scripted:" + id);
    f.state = state;
    return f;
  }
  absl::StatusOr<superbet::v1::LiveMatchState> Statistics(const std::string&) override {
    return absl::UnimplementedError("x");
  }
  absl::StatusOr<std::vector<superbet::v1::MatchEvent>> Events(const std::string&) override {
    return absl::UnimplementedError("x");
  }
  absl::StatusOr<std::vector<superbet::v1::Lineup>> Lineups(const std::string&) override {
    return absl::UnimplementedError("x");
  }
  absl::StatusOr<std::vector<superbet::v1::BettingLine>> PrematchOdds(const std::string&) override {
    return absl::UnimplementedError("x");
  }
  absl::StatusOr<std::vector<superbet::v1::BettingLine>> LiveOdds(const std::string&) override {
    return absl::UnimplementedError("x");
  }
  absl::StatusOr<std::vector<superbet::v1::Injury>> Injuries(const std::string&) override {
    return absl::UnimplementedError("x");
  }
  absl::StatusOr<sp::PlayerPage> Players(const std::string&, int, int) override {
    return absl::UnimplementedError("x");
  }
};

TEST_CASE("provider fallback from the store equals the in-process window, and survives a restart",
          "[store][fallback]") {
  TempDir dir;
  const std::string url = absl::StrCat("sqlite:", dir.path(), "/fallback.db");
  auto store = OpenOrDie(url);
  const auto timeline = Timeline3754097();
  core::FakeClock clock(TimeOf(timeline.states.front().observed_at()));
  ScriptedProvider inner_a, inner_b;  // a: store-backed, b: window only.
  sp::ResilientProviderOptions with_store;
  with_store.backoff.max_attempts = 1;
  StoreFallbackCounters counters;
  UseStoreForFallback(*store, with_store, &counters);
  sp::ResilientProviderOptions window_only;
  window_only.backoff.max_attempts = 1;
  const sp::Sleeper no_sleep = [](absl::Duration) {};
  sp::ResilientProvider a(&inner_a, clock, no_sleep, with_store);
  sp::ResilientProvider b(&inner_b, clock, no_sleep, window_only);

  // Live reads every 20 s for the first 30 minutes (state k/3 of the timeline).
  for (int k = 0; k < 90; ++k) {
    inner_a.state = timeline.states[static_cast<size_t>(k / 3)];
    inner_a.state.set_match_id("scripted:3754097");
    inner_b.state = inner_a.state;
    REQUIRE(a.GetFixture("3754097").ok());
    REQUIRE(b.GetFixture("3754097").ok());
    clock.Advance(absl::Seconds(20));
  }
  CHECK(counters.rows_written == 90);
  CHECK(counters.write_errors == 0);
  // The provider goes down; the fallback is served for the next 10 minutes.
  inner_a.fail = inner_b.fail = true;
  for (int k = 0; k < 20; ++k) {
    auto fa = a.GetFixture("3754097");
    auto fb = b.GetFixture("3754097");
    INFO(fa.status().ToString() << " | " << fb.status().ToString());
    REQUIRE(fa.ok());
    REQUIRE(fb.ok());
    CHECK(MessageDifferencer::Equals(fa->state, fb->state));
    CHECK(fa->state.data_staleness_s() == fb->state.data_staleness_s());
    clock.Advance(absl::Seconds(30));
  }
  CHECK(a.counters().fallbacks_served == 20);
  // A restart: new providers, empty windows. Only the store still knows the match.
  sp::ResilientProvider a2(&inner_a, clock, no_sleep, with_store);
  sp::ResilientProvider b2(&inner_b, clock, no_sleep, window_only);
  auto fa2 = a2.GetFixture("3754097");
  REQUIRE(fa2.ok());
  CHECK(fa2->state.data_staleness_s() > 600);  // Newest row ~10.3 min old: its real age.
  CHECK(absl::IsNotFound(b2.GetFixture("3754097").status()));
  // A match the store never saw: NOT_FOUND, as the window.
  CHECK(absl::IsNotFound(a2.GetFixture("999").status()));
}

}  // namespace
}  // namespace superbet::store::suite
