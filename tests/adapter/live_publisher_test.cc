// adapter/live_publisher.h: adapter-svc's match.live / odds.live publisher, run over the real
// StatsBomb match 3754097 (Manchester United 1-0 Tottenham, ../shared/data) replayed stepped on a
// FakeClock into the embedded transport.
//
// Oracles: the hand-read match (full time at replay minute 95, so one poll per match minute sees
// 96 distinct states, minutes 0..95; see providers/live_updates_test.cc); E0_1516.csv's Bet365
// pre-match 1X2 of that match (1.65, 4, 6: the replay's recorded live_odds, hence exactly one
// odds.live change for the whole match); for modelled odds, hrl::PrepareLiveMatch's quoted
// prices (each published state carries quoted[minute]; odds.live gets one entry per change of
// the triple between consecutive minutes, counted here from the quoted vector); the speed formula
// (a stepped minute sleeps 60 / speed wall seconds); the documented counters.
#include "superbet/adapter/live_publisher.h"

#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "superbet/bus/embedded_transport.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/live_odds.h"
#include "superbet/core/clock.h"
#include "superbet/core/metrics.h"
#include "superbet/providers/replay_provider.h"
#include "support/test_data.h"

namespace superbet::adapter {
namespace {

namespace v1 = superbet::v1;
constexpr char kMatch[] = "statsbomb:3754097";
constexpr int kMaxPolls = 100'000;  // stop() calls; a whole match takes a few thousand.

double Value(core::CounterFamily* f) { return (*f->WithLabels({}))->value(); }
double Value(core::GaugeFamily* f) { return (*f->WithLabels({}))->value(); }

// One replayed match published into an embedded transport.
struct Harness {
  explicit Harness(ReplayLiveOdds odds, double speed = 600) {
    LiveSourceOptions o;
    o.replay_root = superbet::testing::DataDir();
    o.match_ids = {kMatch};
    o.speed = speed;
    o.stepped = true;
    o.live_odds = odds;
    auto opened = LiveSource::Open(o, wall, [](absl::Duration) {});
    REQUIRE(opened.ok());
    source = *std::move(opened);
    auto m = RegisterAdapterMetrics(registry, *source);
    REQUIRE(m.ok());
    metrics = *m;
    options = PublishOptionsFor(*source, absl::Seconds(15), /*odds_live=*/true);
    options.stop = [this] { return ++polls > kMaxPolls; };  // Bounded: a broken step fails.
    options.sleep = [this](absl::Duration d) { sleeps.push_back(d); };
  }
  absl::StatusOr<providers::LiveStreamSummary> Run() {
    return RunLivePublisher(source->provider(), transport, wall, metrics, options);
  }
  std::vector<v1::LiveMatchUpdate> MatchLive(const std::string& provider = "replay") {
    std::vector<v1::LiveMatchUpdate> out;
    auto entries = transport.Range(bus::kMatchLive);
    REQUIRE(entries.ok());
    for (const bus::Entry& e : *entries) {
      auto parsed = bus::ParseLiveFeedEntry(e);
      REQUIRE(parsed.ok());
      CHECK(parsed->provider == provider);
      out.push_back(parsed->update);
    }
    return out;
  }
  std::vector<v1::LiveOddsUpdate> OddsLive() {
    std::vector<v1::LiveOddsUpdate> out;
    auto entries = transport.Range(bus::kOddsLive);
    REQUIRE(entries.ok());
    for (const bus::Entry& e : *entries) {
      auto parsed = bus::ParseLiveOddsEntry(e);
      REQUIRE(parsed.ok());
      out.push_back(*parsed);
    }
    return out;
  }

  core::FakeClock wall{absl::FromUnixSeconds(1'700'000'000)};
  bus::EmbeddedTransport transport{wall};
  core::MetricsRegistry registry;
  std::unique_ptr<LiveSource> source;
  LivePublisherMetrics metrics;
  LivePublishOptions options;
  std::vector<absl::Duration> sleeps;
  int polls = 0;
};

TEST_CASE("live publisher: a stepped replay publishes each minute of the real match once",
          "[adapter][publisher]") {
  Harness h(ReplayLiveOdds::kPrematch);
  const absl::Time replay_start = h.source->replay_clock()->Now();
  auto summary = h.Run();
  REQUIRE(summary.ok());
  CHECK(summary->updates == 96);
  CHECK(h.polls < kMaxPolls);
  const std::vector<v1::LiveMatchUpdate> live = h.MatchLive();
  REQUIRE(live.size() == 96);
  for (size_t i = 0; i < live.size(); ++i) {
    CHECK(live[i].state().match_id() == kMatch);
    CHECK(live[i].state().minute() == static_cast<int>(i));
    CHECK(live[i].finished() == (i + 1 == live.size()));
  }
  CHECK(live.back().state().score_home() == 1);
  CHECK(live.back().state().score_away() == 0);
  // The window key of each minute is written before its XADD (bus/live_feed.h).
  auto window = h.transport.Get(bus::LiveWindowKey(kMatch, 45));
  REQUIRE(window.ok());
  CHECK(window->has_value());

  CHECK(Value(h.metrics.published) == 96);
  CHECK(Value(h.metrics.errors) == 0);
  CHECK(Value(h.metrics.done) == 1);
  // Stepped: one replay-clock second (one match minute) per poll, 95 of them from minute 0 to
  // full time at 95, each slept for 60 / 600 of its length on the wall clock.
  CHECK(h.source->replay_clock()->Now() - replay_start == absl::Seconds(95));
  absl::Duration slept;
  for (absl::Duration d : h.sleeps) slept += d;
  CHECK(slept == absl::Milliseconds(9500));
  // The recorded pre-match prices never change: one odds.live entry, Bet365's 1X2.
  const std::vector<v1::LiveOddsUpdate> odds = h.OddsLive();
  REQUIRE(odds.size() == 1);
  CHECK(odds[0].match_id() == kMatch);
  CHECK(odds[0].odds().home() == 1.65);
  CHECK(odds[0].odds().draw() == 4.0);
  CHECK(odds[0].odds().away() == 6.0);
  CHECK(Value(h.metrics.odds_published) == 1);
  CHECK(Value(h.metrics.odds_errors) == 0);
  CHECK(Value(h.metrics.odds_rejected) == 0);
}

TEST_CASE("live publisher: modelled odds replace the recorded prices minute by minute",
          "[adapter][publisher]") {
  Harness h(ReplayLiveOdds::kModelled);
  REQUIRE(h.source->modelled().count(kMatch) == 1);
  // Minutes 0..94 are prepared (quoted has one row per minute before full time); the full-time
  // state (minute 95) keeps the recorded Bet365 1X2.
  const auto& quoted = h.source->modelled().at(kMatch).quoted;
  REQUIRE(quoted.size() == 95);
  auto summary = h.Run();
  REQUIRE(summary.ok());
  const std::vector<v1::LiveMatchUpdate> live = h.MatchLive();
  REQUIRE(live.size() == 96);
  int expected_changes = 0;
  std::optional<std::array<double, 3>> last;
  for (const v1::LiveMatchUpdate& u : live) {
    const size_t k = u.state().minute();
    const std::array<double, 3> want =
        k < quoted.size()
            ? std::array<double, 3>{quoted[k][0].value_or(0.0), quoted[k][1].value_or(0.0),
                                    quoted[k][2].value_or(0.0)}
            : std::array<double, 3>{1.65, 4.0, 6.0};
    INFO("minute " << k);
    CHECK(u.state().live_odds().home() == want[0]);
    CHECK(u.state().live_odds().draw() == want[1]);
    CHECK(u.state().live_odds().away() == want[2]);
    if (want == std::array<double, 3>{0, 0, 0}) continue;  // Nothing quoted: nothing published.
    if (!last.has_value() || *last != want) ++expected_changes;
    last = want;
  }
  CHECK(expected_changes > 1);  // In-play prices move.
  CHECK(static_cast<int>(h.OddsLive().size()) == expected_changes);
  CHECK(Value(h.metrics.odds_published) == expected_changes);
  CHECK(Value(h.metrics.done) == 1);
}

TEST_CASE("live publisher: stop() ends the run OK without setting done", "[adapter][publisher]") {
  Harness h(ReplayLiveOdds::kPrematch);
  h.options.stop = [&] { return Value(h.metrics.published) >= 10 || ++h.polls > kMaxPolls; };
  auto summary = h.Run();
  REQUIRE(summary.ok());
  CHECK(summary->updates == 10);
  CHECK(h.MatchLive().size() == 10);
  CHECK(Value(h.metrics.done) == 0);
}

TEST_CASE("live publisher: an unknown match ends the run with NotFound", "[adapter][publisher]") {
  Harness h(ReplayLiveOdds::kPrematch);
  h.options.match_ids = {"statsbomb:1"};
  auto summary = h.Run();
  CHECK(absl::IsNotFound(summary.status()));
  CHECK(Value(h.metrics.done) == 0);
  CHECK(h.MatchLive().empty());
}

// The replay with /odds/live answers scripted by minute: failures before minute 3, 2.0/3.5/4.0
// up to minute 9, 2.2/3.4/3.5 from minute 10, and a home price of 0.97 (invalid) at minute 20.
class ScriptedLiveOdds final : public providers::Provider {
 public:
  explicit ScriptedLiveOdds(providers::ReplayProvider* inner) : inner_(inner) {}
  std::string name() const override { return "api-football"; }
  absl::StatusOr<std::vector<providers::LiveFixture>> LiveFixtures() override {
    return inner_->LiveFixtures();
  }
  absl::StatusOr<providers::LiveFixture> GetFixture(const std::string& id) override {
    return inner_->GetFixture(id);
  }
  absl::StatusOr<v1::LiveMatchState> Statistics(const std::string& id) override {
    return inner_->Statistics(id);
  }
  absl::StatusOr<std::vector<v1::MatchEvent>> Events(const std::string& id) override {
    return inner_->Events(id);
  }
  absl::StatusOr<std::vector<v1::Lineup>> Lineups(const std::string& id) override {
    return inner_->Lineups(id);
  }
  absl::StatusOr<std::vector<v1::BettingLine>> PrematchOdds(const std::string& id) override {
    return inner_->PrematchOdds(id);
  }
  absl::StatusOr<std::vector<v1::BettingLine>> LiveOdds(const std::string& id) override {
    const int minute = inner_->CurrentMinute();
    if (minute < 3) return absl::UnavailableError("odds/live: 503");
    if (minute == 20) return Lines(id, 0.97, 3.4, 3.5);
    return minute < 10 ? Lines(id, 2.0, 3.5, 4.0) : Lines(id, 2.2, 3.4, 3.5);
  }
  absl::StatusOr<std::vector<v1::Injury>> Injuries(const std::string& id) override {
    return inner_->Injuries(id);
  }
  absl::StatusOr<providers::PlayerPage> Players(const std::string& team, int season,
                                                int page) override {
    return inner_->Players(team, season, page);
  }

 private:
  static std::vector<v1::BettingLine> Lines(const std::string& id, double h, double d, double a) {
    std::vector<v1::BettingLine> lines;
    for (auto [selection, price] :
         {std::pair{v1::SELECTION_HOME, h}, std::pair{v1::SELECTION_DRAW, d},
          std::pair{v1::SELECTION_AWAY, a}}) {
      v1::BettingLine& l = lines.emplace_back();
      l.set_fixture_id(id);
      l.set_bookmaker("Bet365");
      l.set_market(v1::MARKET_1X2);
      l.set_selection(selection);
      l.set_decimal_odds(price);
      l.set_is_live(true);
    }
    return lines;
  }
  providers::ReplayProvider* inner_;
};

TEST_CASE("live publisher: live mode publishes each /odds/live change and counts failures",
          "[adapter][publisher]") {
  providers::ReplayLoadOptions load;
  load.only_matches = {kMatch};
  auto data = providers::LoadReplayData(superbet::testing::DataDir(), load);
  REQUIRE(data.ok());
  Harness h(ReplayLiveOdds::kPrematch);  // For its transport, registry and metrics.
  core::FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  auto replay = providers::ReplayProvider::Create(*std::move(data), clock, 60);
  REQUIRE(replay.ok());
  ScriptedLiveOdds provider(replay->get());
  LivePublishOptions o;
  o.match_ids = {kMatch};
  o.interval = absl::Seconds(1);  // One match minute at speed 60.
  o.provider = provider.name();
  o.read_live_odds = true;
  int polls = 0;
  o.stop = [&] { return ++polls > kMaxPolls; };
  o.sleep = [&](absl::Duration d) { clock.Advance(d); };
  auto summary = RunLivePublisher(provider, h.transport, h.wall, h.metrics, o);
  REQUIRE(summary.ok());
  REQUIRE(summary->updates == 96);
  // Minutes 0-2: /odds/live failed, the recorded 1.65/4/6 stay in the state (one change); 3-9:
  // 2.0/3.5/4.0; 10-19: 2.2/3.4/3.5; 20: invalid (rejected, not published); 21-95: unchanged.
  const std::vector<v1::LiveOddsUpdate> odds = h.OddsLive();
  REQUIRE(odds.size() == 3);
  CHECK(odds[0].odds().home() == 1.65);
  CHECK(odds[1].minute() == 3);
  CHECK(odds[1].odds().home() == 2.0);
  CHECK(odds[1].odds().bookmaker() == "Bet365");
  CHECK(odds[1].lines_size() == 3);
  CHECK(odds[2].minute() == 10);
  CHECK(odds[2].odds().away() == 3.5);
  CHECK(Value(h.metrics.odds_errors) == 3);
  CHECK(Value(h.metrics.odds_rejected) == 1);
  CHECK(Value(h.metrics.odds_published) == 3);
  const std::vector<v1::LiveMatchUpdate> live = h.MatchLive("api-football");
  REQUIRE(live.size() == 96);
  CHECK(live[5].state().live_odds().home() == 2.0);  // The /odds/live triple is the state's.
}

TEST_CASE("live publisher: modelled odds of a minute outside the match keep the state's",
          "[adapter][publisher]") {
  hrl::LiveMatch match;
  match.quoted = {{2.0, std::nullopt, 4.5}};
  v1::LiveMatchState state;
  state.set_minute(0);
  REQUIRE(ApplyModelledOdds(match, state));
  CHECK(state.live_odds().home() == 2.0);
  CHECK(state.live_odds().draw() == 0.0);  // Not quoted: 0, never a price.
  CHECK(state.live_odds().away() == 4.5);
  state.set_minute(1);
  state.mutable_live_odds()->set_home(1.9);
  CHECK_FALSE(ApplyModelledOdds(match, state));
  CHECK(state.live_odds().home() == 1.9);
}

TEST_CASE("adapter metrics: every adapter_* family once, the store gauge follows the store",
          "[adapter][metrics]") {
  Harness h(ReplayLiveOdds::kPrematch);
  const std::string text = h.registry.Exposition();
  for (const char* name : {"adapter_provider_breaker_state", "adapter_fallback_total",
                           "adapter_provider_requests_total", "adapter_live_published_total",
                           "adapter_live_publish_errors_total", "adapter_live_feed_done",
                           "adapter_store_live_rows_written", "adapter_odds_published_total",
                           "adapter_odds_publish_errors_total", "adapter_odds_rejected_total"}) {
    INFO(name);
    CHECK(text.find(std::string("# TYPE ") + name + " ") != std::string::npos);
  }
  CHECK(text.find("adapter_store_live_rows_written 0\n") != std::string::npos);
  CHECK(absl::IsAlreadyExists(RegisterAdapterMetrics(h.registry, *h.source).status()));
  CHECK(ValidatePollInterval(0.01).ok());
  CHECK(ValidatePollInterval(0).message() == "--interval_s must be >= 0.01 s, got 0");
  CHECK(absl::IsInvalidArgument(ValidatePollInterval(std::nan(""))));
  CHECK(absl::IsInvalidArgument(ConnectLiveTransport("http://localhost").status()));
  auto refused = ConnectLiveTransport("redis://127.0.0.1:1");
  CHECK(absl::IsUnavailable(refused.status()));
  CHECK(refused.status().message().rfind("--redis redis://127.0.0.1:1: ", 0) == 0);
}

}  // namespace
}  // namespace superbet::adapter
