// ResilientProvider and LiveStatsWindow tests (ARCHITECTURE.md §2.4), with a scripted fake inner
// provider and a fake clock; the sleeper advances the fake clock instead of sleeping.
// Oracles: the §2.4 rules applied by hand (3 consecutive failures open, 60 s, one trial; 5-minute
// mean with staleness = now - newest row), noted beside each check.

#include "superbet/providers/resilient_provider.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "superbet/core/clock.h"
#include "superbet/providers/live_stats_window.h"

namespace sp = superbet::providers;
using superbet::core::FakeClock;
using superbet::resilience::BreakerState;
using superbet::v1::LiveMatchState;

namespace {

LiveMatchState MakeState(int minute, int home_goals, double xg_home, int shots_home) {
  LiveMatchState s;
  s.set_match_id("fake:7");
  s.set_home_team("Leicester");
  s.set_away_team("Sunderland");
  s.set_minute(minute);
  s.set_score_home(home_goals);
  s.mutable_home()->set_xg(xg_home);
  s.mutable_home()->set_shots(shots_home);
  s.set_provider("fake");
  return s;
}

// Returns the next scripted error, if any.
#define SUPERBET_FAKE_NEXT()  \
  do {                        \
    absl::Status s_ = Next(); \
    if (!s_.ok()) return s_;  \
  } while (false)

// A provider whose GetFixture / Statistics answer from a script of statuses; when the script is
// empty it answers with `state`. Every other endpoint returns `other`.
class FakeProvider : public sp::Provider {
 public:
  std::deque<absl::Status> script;
  LiveMatchState state = MakeState(10, 0, 0.3, 2);
  absl::Status other = absl::OkStatus();
  int calls = 0;

  std::string name() const override { return "fake"; }
  absl::StatusOr<std::vector<sp::LiveFixture>> LiveFixtures() override {
    SUPERBET_FAKE_NEXT();
    sp::LiveFixture f;
    f.fixture.set_id(state.match_id());
    f.state = state;
    return std::vector<sp::LiveFixture>{f};
  }
  absl::StatusOr<sp::LiveFixture> GetFixture(const std::string& id) override {
    SUPERBET_FAKE_NEXT();
    sp::LiveFixture f;
    f.fixture.set_id("fake:" + id);
    f.fixture.mutable_home()->set_name(state.home_team());
    f.state = state;
    return f;
  }
  absl::StatusOr<LiveMatchState> Statistics(const std::string&) override {
    SUPERBET_FAKE_NEXT();
    return state;
  }
  absl::StatusOr<std::vector<superbet::v1::MatchEvent>> Events(const std::string&) override {
    ++calls;
    if (!other.ok()) return other;
    return std::vector<superbet::v1::MatchEvent>{};
  }
  absl::StatusOr<std::vector<superbet::v1::Lineup>> Lineups(const std::string&) override {
    return absl::UnimplementedError("no lineups");
  }
  absl::StatusOr<std::vector<superbet::v1::BettingLine>> PrematchOdds(const std::string&) override {
    return absl::UnimplementedError("no odds");
  }
  absl::StatusOr<std::vector<superbet::v1::BettingLine>> LiveOdds(const std::string&) override {
    return absl::UnimplementedError("no odds");
  }
  absl::StatusOr<std::vector<superbet::v1::Injury>> Injuries(const std::string&) override {
    return absl::UnimplementedError("no injuries");
  }
  absl::StatusOr<sp::PlayerPage> Players(const std::string&, int, int) override {
    return absl::UnimplementedError("no players");
  }

 private:
  absl::Status Next() {
    ++calls;
    if (script.empty()) return absl::OkStatus();
    absl::Status s = script.front();
    script.pop_front();
    return s;
  }
};

struct Harness {
  FakeClock clock{absl::FromUnixSeconds(1'700'000'000)};
  FakeProvider inner;
  std::vector<absl::Duration> sleeps;
  std::vector<std::pair<BreakerState, BreakerState>> changes;
  std::unique_ptr<sp::ResilientProvider> provider;

  explicit Harness(int max_attempts = 1) {
    sp::ResilientProviderOptions options;
    options.backoff.max_attempts = max_attempts;
    options.seed = 42;
    options.breaker.on_state_change = [this](BreakerState from, BreakerState to) {
      changes.emplace_back(from, to);
    };
    provider = std::make_unique<sp::ResilientProvider>(
        &inner, clock,
        [this](absl::Duration d) {
          sleeps.push_back(d);
          clock.Advance(d);
        },
        options);
  }
};

}  // namespace

TEST_CASE("breaker opens after 3 failures, fallback staleness grows, half-opens, closes",
          "[resilient]") {
  Harness h;  // One attempt per call: three failing calls open the breaker.
  // Live reads at t = 0, 60, 120 s: xG 0.3, 0.6, 0.9; shots 2, 4, 6; minute 10, 11, 12.
  for (int i = 0; i < 3; ++i) {
    h.inner.state = MakeState(10 + i, i == 2 ? 1 : 0, 0.3 * (i + 1), 2 * (i + 1));
    auto live = h.provider->GetFixture("7");
    REQUIRE(live.ok());
    CHECK(live->state.data_staleness_s() == 0);
    h.clock.Advance(absl::Seconds(60));
  }
  // t = 180 s. Three 5xx-like failures.
  for (int i = 0; i < 3; ++i) h.inner.script.push_back(absl::UnavailableError("HTTP 503"));
  for (int i = 0; i < 3; ++i) {
    auto r = h.provider->GetFixture("7");
    REQUIRE(r.ok());  // Fallback served.
    // Hand computation: rows at 0, 60, 120 s all lie in [180 - 300, 180]:
    // xG mean (0.3 + 0.6 + 0.9) / 3 = 0.6, shots mean 4, minute/score from the newest row,
    // staleness 180 - 120 = 60 s.
    CHECK(r->state.home().xg() == Approx(0.6));
    CHECK(r->state.home().shots() == 4);
    CHECK(r->state.minute() == 12);
    CHECK(r->state.score_home() == 1);
    CHECK(r->state.data_staleness_s() == Approx(60));
    CHECK_FALSE(r->state.away().has_xg());  // Never observed: stays absent.
    CHECK(r->fixture.home().name() == "Leicester");
  }
  CHECK(h.provider->breaker_state() == BreakerState::kOpen);
  REQUIRE(h.changes.size() == 1);
  CHECK(h.inner.calls == 6);

  // While OPEN the inner provider is not called; staleness grows with the clock.
  h.clock.Advance(absl::Seconds(30));  // t = 210.
  auto r = h.provider->GetFixture("7");
  REQUIRE(r.ok());
  CHECK(r->state.data_staleness_s() == Approx(90));
  CHECK(h.inner.calls == 6);
  h.clock.Advance(absl::Seconds(29));  // t = 239, still before opened (180) + 60.
  r = h.provider->GetFixture("7");
  CHECK(r->state.data_staleness_s() == Approx(119));
  CHECK(h.inner.calls == 6);
  // Window [239 - 300, 239] = [-61, 239] still holds all three rows.
  CHECK(r->state.home().xg() == Approx(0.6));

  SECTION("trial succeeds after 60 s: closes and serves live data") {
    h.clock.Advance(absl::Seconds(1));  // t = 240 = opened (180) + 60.
    h.inner.state = MakeState(14, 1, 1.2, 8);
    r = h.provider->GetFixture("7");
    REQUIRE(r.ok());
    CHECK(r->state.data_staleness_s() == 0);
    CHECK(r->state.home().xg() == Approx(1.2));
    CHECK(h.provider->breaker_state() == BreakerState::kClosed);
    REQUIRE(h.changes.size() == 3);
    CHECK(h.changes[1] == std::make_pair(BreakerState::kOpen, BreakerState::kHalfOpen));
    CHECK(h.changes[2] == std::make_pair(BreakerState::kHalfOpen, BreakerState::kClosed));
  }
  SECTION("trial fails: re-opens, fallback keeps ageing and the window slides") {
    h.clock.Advance(absl::Seconds(1));  // t = 240.
    h.inner.script.push_back(absl::DeadlineExceededError("timeout after 10 s"));
    r = h.provider->GetFixture("7");
    REQUIRE(r.ok());
    CHECK(h.provider->breaker_state() == BreakerState::kOpen);
    CHECK(h.inner.calls == 7);
    CHECK(h.inner.script.empty());
    // t = 390: the next trial fails too; window [90, 390] holds only the row at 120 s:
    // xG 0.9, staleness 270 s.
    h.clock.Advance(absl::Seconds(150));
    h.inner.script.push_back(absl::UnavailableError("HTTP 500"));
    r = h.provider->GetFixture("7");
    REQUIRE(r.ok());
    CHECK(r->state.home().xg() == Approx(0.9));
    CHECK(r->state.data_staleness_s() == Approx(270));
    // t = 500: window empty -> newest row of any age with its real staleness, 380 s.
    h.clock.Advance(absl::Seconds(110));
    h.inner.script.push_back(absl::UnavailableError("HTTP 502"));  // The trial at 390 + 60 s.
    r = h.provider->GetFixture("7");
    REQUIRE(r.ok());
    CHECK(r->state.data_staleness_s() == Approx(380));
    CHECK(r->state.home().xg() == Approx(0.9));
    CHECK(h.inner.calls == 9);  // Only the trials reached the inner provider.
    CHECK(h.inner.script.empty());
  }
  const auto c = h.provider->counters();
  CHECK(c.fallbacks_served >= 5);
  CHECK(c.rejected >= 2);
}

TEST_CASE("permanent errors are returned, not retried, and never open the breaker", "[resilient]") {
  Harness h(3);
  for (int i = 0; i < 5; ++i) {
    h.inner.script.push_back(i % 2 ? absl::NotFoundError("no fixture 7")
                                   : absl::InvalidArgumentError("errors.fixture: bad id"));
  }
  h.inner.script.push_back(absl::UnauthenticatedError("bad key"));
  for (int i = 0; i < 6; ++i) {
    auto r = h.provider->GetFixture("7");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() != absl::StatusCode::kUnavailable);
  }
  CHECK(h.provider->breaker_state() == BreakerState::kClosed);
  CHECK(h.inner.calls == 6);  // No retries.
  CHECK(h.sleeps.empty());
  CHECK(h.provider->counters().permanent_errors == 6);
  CHECK(h.provider->counters().fallbacks_served == 0);
}

TEST_CASE("retries with backoff, honouring retry_after_s, then succeed", "[resilient]") {
  Harness h(3);
  h.inner.script.push_back(absl::ResourceExhaustedError("HTTP 429; retry_after_s=5"));
  h.inner.script.push_back(absl::DataLossError("truncated body at byte 1024"));
  auto r = h.provider->Statistics("7");
  REQUIRE(r.ok());
  CHECK(h.inner.calls == 3);
  REQUIRE(h.sleeps.size() == 2);
  CHECK(h.sleeps[0] == absl::Seconds(5));         // max(jitter in [0.25, 0.5) s, Retry-After 5 s).
  CHECK(h.sleeps[1] >= absl::Milliseconds(500));  // Equal jitter, attempt 1: [0.5, 1) s.
  CHECK(h.sleeps[1] < absl::Seconds(1));
  CHECK(h.provider->breaker_state() == BreakerState::kClosed);  // F F S: the run was reset.

  SECTION("three failed attempts of one call open the breaker; no window -> NotFound") {
    for (int i = 0; i < 3; ++i) h.inner.script.push_back(absl::UnavailableError("HTTP 500"));
    auto fixture = h.provider->GetFixture("8");  // Nothing recorded for match 8.
    REQUIRE_FALSE(fixture.ok());
    CHECK(fixture.status().code() == absl::StatusCode::kNotFound);
    CHECK(h.provider->breaker_state() == BreakerState::kOpen);
    CHECK(h.provider->counters().fallback_misses == 1);
    // Statistics of match 7 were recorded: its fallback is served.
    auto stats = h.provider->Statistics("7");
    REQUIRE(stats.ok());
    CHECK(stats->home().xg() == Approx(0.3));
    CHECK(stats->data_staleness_s() > 0);
    // Endpoints without a fallback fail with Unavailable naming the breaker.
    auto events = h.provider->Events("7");
    REQUIRE_FALSE(events.ok());
    CHECK(events.status().code() == absl::StatusCode::kUnavailable);
    CHECK(absl::StrContains(events.status().message(), "circuit breaker 'fake' is OPEN"));
  }
  SECTION("a Retry-After longer than the limit is not waited for") {
    h.sleeps.clear();
    h.inner.other = absl::ResourceExhaustedError("quota; retry_after_s=3600");
    auto events = h.provider->Events("7");
    REQUIRE_FALSE(events.ok());
    CHECK(events.status().code() == absl::StatusCode::kResourceExhausted);
    CHECK(h.sleeps.empty());
  }
}

TEST_CASE("LiveFixtures results feed the fallback", "[resilient]") {
  Harness h;
  REQUIRE(h.provider->LiveFixtures().ok());
  h.clock.Advance(absl::Seconds(45));
  h.inner.script.push_back(absl::UnavailableError("connection refused"));
  auto r = h.provider->GetFixture("fake:7");
  REQUIRE(r.ok());
  CHECK(r->state.data_staleness_s() == Approx(45));
  CHECK(r->fixture.id() == "fake:7");
}

TEST_CASE("LiveStatsWindow: 5-minute mean, presence, odds, capacity, NotFound", "[resilient]") {
  sp::LiveStatsWindow window(4);
  const absl::Time t0 = absl::FromUnixSeconds(1'000'000);
  CHECK(window.Fallback("fake:7", t0).status().code() == absl::StatusCode::kNotFound);
  // Rows at t0 - 400 (outside), t0 - 200, t0 - 100, t0 (inserted out of order).
  LiveMatchState a = MakeState(50, 0, 1.0, 10);
  LiveMatchState b = MakeState(53, 1, 1.5, 11);
  b.mutable_home()->set_possession(0.6);
  b.mutable_live_odds()->set_home(2.0);
  b.mutable_live_odds()->set_draw(3.0);
  b.mutable_live_odds()->set_away(4.0);
  LiveMatchState c = MakeState(55, 1, 2.0, 12);
  c.mutable_live_odds()->set_home(1.8);
  c.mutable_live_odds()->set_draw(3.4);
  c.mutable_live_odds()->set_away(5.0);
  c.mutable_live_odds()->set_bookmaker("Bet365");
  LiveMatchState d = MakeState(56, 2, 2.5, 13);
  d.mutable_home()->clear_xg();  // This row lacks xG.
  window.Record(a, t0 - absl::Seconds(400));
  window.Record(c, t0 - absl::Seconds(100));
  window.Record(b, t0 - absl::Seconds(200));
  window.Record(d, t0);
  CHECK(window.size("fake:7") == 4);

  auto f = window.Fallback("fake:7", t0 + absl::Seconds(30));
  REQUIRE(f.ok());
  // Window [t0 - 270, t0 + 30] holds b, c, d. Hand computation:
  //   xG: b 1.5, c 2.0 (d lacks it) -> 1.75; shots (11 + 12 + 13) / 3 = 12;
  //   possession only b: 0.6; odds over b, c: home 1.9, draw 3.2, away 4.5, bookmaker of c;
  //   minute 56 and score 2 from d; staleness 30 s.
  CHECK(f->home().xg() == Approx(1.75));
  CHECK(f->home().shots() == 12);
  CHECK(f->home().possession() == Approx(0.6));
  CHECK_FALSE(f->home().has_corners());
  CHECK(f->live_odds().home() == Approx(1.9));
  CHECK(f->live_odds().draw() == Approx(3.2));
  CHECK(f->live_odds().away() == Approx(4.5));
  CHECK(f->live_odds().bookmaker() == "Bet365");
  CHECK(f->minute() == 56);
  CHECK(f->score_home() == 2);
  CHECK(f->data_staleness_s() == Approx(30));
  CHECK(f->observed_at().seconds() == absl::ToUnixSeconds(t0));

  // Capacity 4: a fifth row drops the oldest (a).
  window.Record(MakeState(57, 2, 3.0, 14), t0 + absl::Seconds(10));
  CHECK(window.size("fake:7") == 4);
  // Before every row: NotFound. Far later: newest row with its real age.
  CHECK(window.Fallback("fake:7", t0 - absl::Seconds(1000)).status().code() ==
        absl::StatusCode::kNotFound);
  auto old = window.Fallback("fake:7", t0 + absl::Seconds(3610));
  REQUIRE(old.ok());
  CHECK(old->data_staleness_s() == Approx(3600));
  CHECK(old->minute() == 57);
  CHECK(old->home().xg() == Approx(3.0));
  window.Erase("fake:7");
  CHECK(window.size("fake:7") == 0);
}

TEST_CASE("LiveStatsWindow: concurrent writers and readers (bounded smoke test)", "[resilient]") {
  sp::LiveStatsWindow window(16);
  const absl::Time t0 = absl::FromUnixSeconds(2'000'000);
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&window, t0, w] {
      for (int i = 0; i < 2000; ++i) {
        LiveMatchState s = MakeState(i % 90, 0, 1.0, 5);
        s.set_match_id(w == 0 ? "fake:1" : "fake:2");
        window.Record(s, t0 + absl::Seconds(i));
      }
    });
  }
  // Catch2 assertions are not thread-safe: threads count, the main thread checks.
  std::atomic<int> served{0}, wrong{0};
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&window, &served, &wrong, t0] {
      for (int i = 0; i < 2000; ++i) {
        auto f = window.Fallback("fake:1", t0 + absl::Seconds(i));
        if (!f.ok()) continue;
        ++served;
        // Every row has xG 1.0, so the mean is exactly 1.0.
        if (f->home().xg() != 1.0) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wrong.load() == 0);
  CHECK(window.size("fake:1") == 16);
  CHECK(window.size("fake:2") == 16);
  auto last = window.Fallback("fake:2", t0 + absl::Seconds(1999));
  REQUIRE(last.ok());
  CHECK(last->data_staleness_s() == 0);
  CHECK(last->minute() == 1999 % 90);
}
