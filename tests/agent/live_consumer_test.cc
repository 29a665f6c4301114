// LiveConsumer: a real match (StatsBomb 3754237) published to match.live on an in-process
// transport (bus::EmbeddedTransport: Redis Streams semantics in memory), consumed, decided,
// published to risk.verified and acked, with the metrics brought up to date.
//
// Oracles: the streams themselves (risk.verified holds one entry per accepted decision,
// match.live.dlq one per dead-lettered entry, nothing stays pending), a second decider fed the same
// states by DecideWithHistory giving the same verdicts, and the bankroll arithmetic (an accepted
// prediction the plant cannot read never stakes the bankroll).

#include "superbet/agent/live_consumer.h"

#include <catch2/catch.hpp>

#include "agent/agent_support.h"
#include "superbet/agent/decision_metrics.h"
#include "superbet/bus/embedded_transport.h"
#include "superbet/bus/topics.h"

namespace superbet::agent {
namespace {

namespace v1 = superbet::v1;
using agent_testing::Sample;

std::unique_ptr<hrl::LiveDecider> Decider() {
  auto d = hrl::LiveDecider::FromCheckpoint(agent_testing::TinyCheckpoint(), "mem", {});
  REQUIRE(d.ok());
  return *std::move(d);
}

// Publishes the states (minute order) to match.live; returns how many.
int Publish(bus::Transport& t, const std::vector<v1::LiveMatchState>& states) {
  int n = 0;
  for (const v1::LiveMatchState& s : states) {
    v1::LiveMatchUpdate u;
    *u.mutable_state() = s;
    u.set_sequence(++n);
    REQUIRE(bus::PublishLiveUpdate(t, u, "replay").ok());
  }
  return n;
}

int64_t Acked(const bus::LiveConsumerCounts& c) {
  return c.accepted + c.denied + c.dead_lettered + c.duplicate;
}

TEST_CASE("LiveConsumer decides a real match from match.live, publishes bets, dead-letters junk",
          "[agent][live]") {
  core::FakeClock clock(absl::FromUnixSeconds(1700000000));
  auto owned = std::make_unique<bus::EmbeddedTransport>(clock);
  bus::EmbeddedTransport& redis = *owned;
  const auto states = agent_testing::QuotedStates(agent_testing::LoadMatch("3754237"));
  const int n = Publish(redis, states);
  REQUIRE(redis.Add(bus::kMatchLive, {{"junk", "1"}}).ok());  // Not a match.live entry.

  auto decider = Decider();
  core::MetricsRegistry registry;
  auto metrics = DecisionMetrics::Create(registry, *decider);
  REQUIRE(metrics.ok());
  LiveConsumerConfig config;
  config.consumer = "replica-1";
  DecisionMetrics* m = metrics->get();
  auto consumer = LiveConsumer::Create(
      config, std::move(owned), registry, *decider, clock,
      [m](const v1::LiveMatchState& s, const v1::Decision& d) { m->Count(s, d); });
  REQUIRE(consumer.ok());
  int polls = 0;
  (*consumer)->Run([&] { return Acked((*consumer)->counts()) >= n + 1 || ++polls > 2000; });
  const bus::LiveConsumerCounts c = (*consumer)->counts();
  REQUIRE(Acked(c) == n + 1);
  CHECK(c.dead_lettered == 1);
  CHECK(c.dead_lettered_by_reason.at("unparseable") == 1);
  CHECK(c.accepted > 0);

  // The streams: one risk.verified entry per accepted decision, the junk in the DLQ, nothing
  // pending.
  auto verified = redis.Range(bus::kRiskVerified);
  REQUIRE(verified.ok());
  CHECK(static_cast<int64_t>(verified->size()) == c.accepted);
  auto dlq = redis.Range(bus::kMatchLiveDlq);
  REQUIRE(dlq.ok());
  CHECK(dlq->size() == 1);
  CHECK(redis.PendingCount(bus::kMatchLive, bus::kAgentLiveGroup).value() == 0);

  // The metrics equal the counts.
  CHECK(Sample(registry, "hrl_live_entries_total{outcome=\"accepted\"}") == c.accepted);
  CHECK(Sample(registry, "hrl_live_entries_total{outcome=\"denied\"}") == c.denied);
  CHECK(Sample(registry, "hrl_live_entries_total{outcome=\"dlq\"}") == 1.0);
  CHECK(Sample(registry, "hrl_live_dlq_total{reason=\"unparseable\"}") == 1.0);
  CHECK(Sample(registry, "hrl_bets_total{agent=\"live\"}") == c.accepted);
  CHECK(Sample(registry, "bus_stream_pending{stream=\"match.live\",group=\"agent-svc-live\"}") ==
        0.0);

  // A second decider on the same states and windows gives the same verdicts.
  auto again = Decider();
  std::map<int, v1::LiveMatchState> history;
  int64_t accepted = 0;
  auto entries = redis.Range(bus::kMatchLive);
  REQUIRE(entries.ok());
  for (const bus::Entry& raw : *entries) {
    auto e = bus::ParseLiveFeedEntry(raw);
    if (!e.ok()) continue;
    std::map<int, v1::LiveMatchState> window;
    const int k = e->update.state().minute();
    for (const auto& [minute, s] : history) {
      if (minute < k && minute >= k - 24) window[minute] = s;
    }
    auto d = again->DecideWithHistory(e->update.state(), window, e->time, false);
    REQUIRE(d.ok());
    accepted += d->verdict() == v1::VERDICT_ACCEPTED;
    history[k] = e->update.state();
  }
  CHECK(accepted == c.accepted);
}

TEST_CASE("LiveConsumer: a bet the plant cannot publish ends in the DLQ without staking",
          "[agent][live]") {
  core::FakeClock clock(absl::FromUnixSeconds(1700000000));
  auto owned = std::make_unique<bus::EmbeddedTransport>(clock);
  bus::EmbeddedTransport& redis = *owned;
  auto states = agent_testing::QuotedStates(agent_testing::LoadMatch("3754237"));
  for (v1::LiveMatchState& s : states) s.clear_kickoff();  // risk.verified requires a kickoff.
  const int n = Publish(redis, states);
  auto decider = Decider();
  core::MetricsRegistry registry;
  LiveConsumerConfig config;
  config.consumer = "replica-1";
  config.claim_idle_ms = 1000;
  config.max_deliveries = 2;
  auto consumer = LiveConsumer::Create(config, std::move(owned), registry, *decider, clock);
  REQUIRE(consumer.ok());
  int polls = 0;
  (*consumer)->Run([&] {
    clock.Advance(absl::Seconds(2));  // Pending entries become idle: reclaimed next poll.
    return Acked((*consumer)->counts()) >= n || ++polls > 2000;
  });
  const bus::LiveConsumerCounts c = (*consumer)->counts();
  REQUIRE(Acked(c) == n);
  CHECK(c.accepted == 0);
  CHECK(c.dead_lettered > 0);
  CHECK(c.dead_lettered_by_reason.at("max_deliveries") == c.dead_lettered);
  CHECK(c.retried == c.dead_lettered);  // Each failed once, then its second delivery dead-letters.
  CHECK(decider->bankroll() == 10000.0);
  CHECK(Sample(registry, "hrl_live_dlq_total{reason=\"max_deliveries\"}") == c.dead_lettered);
  CHECK(Sample(registry, "hrl_live_retries_total") == c.retried);
  CHECK(Sample(registry, "hrl_live_reclaimed_total") == c.reclaimed);
  CHECK(c.reclaimed > 0);
}

TEST_CASE("LiveConsumer refuses bad options naming them", "[agent][live]") {
  core::FakeClock clock;
  auto decider = Decider();
  core::MetricsRegistry registry;
  LiveConsumerConfig config;
  config.consumer = "c";
  config.claim_idle_ms = 0;
  auto c = LiveConsumer::Create(config, std::make_unique<bus::EmbeddedTransport>(clock), registry,
                                *decider, clock);
  CHECK(c.status().message() == "claim_idle_ms must be >= 1, got 0");
  config.claim_idle_ms = 1;
  config.max_deliveries = 1LL << 32;  // Would wrap to 0 as an int.
  c = LiveConsumer::Create(config, std::make_unique<bus::EmbeddedTransport>(clock), registry,
                           *decider, clock);
  CHECK(c.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(c.status().message() == "max_deliveries must be in [1, 100], got 4294967296");
  config.max_deliveries = 5;
  config.consumer = "";
  c = LiveConsumer::Create(config, std::make_unique<bus::EmbeddedTransport>(clock), registry,
                           *decider, clock);
  CHECK(c.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace superbet::agent
