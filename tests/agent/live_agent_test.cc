// LiveAgent: what agent-svc assembles, without gRPC: options checked before any work, the ledger
// file, the checkpoint, Decide with its metrics, and the live feed on an in-process transport.
//
// Oracles: the options as given (messages name the option and value), the ledger file (one line
// per non-dry-run decision, none for a dry run), a checkpoint of another feature spec refused
// naming it, and the streams (one risk.verified entry per accepted match.live entry, the
// settlement of the match's bets once its final state arrives).

#include "superbet/agent/live_agent.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <limits>
#include <utility>

#include "agent/agent_support.h"
#include "superbet/bus/embedded_transport.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/topics.h"
#include "superbet/hrl/checkpoint.h"

namespace superbet::agent {
namespace {

namespace v1 = superbet::v1;
using agent_testing::Sample;

int Lines(const std::string& path) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

TEST_CASE("CheckLiveAgentOptions names the option and the value", "[agent][process]") {
  LiveAgentOptions o;
  CHECK(CheckLiveAgentOptions(o).message() == "checkpoint DIR is required");
  o.checkpoint = "ckpt";
  CHECK(CheckLiveAgentOptions(o).ok());
  o.redis = "http://localhost";
  absl::Status s = CheckLiveAgentOptions(o);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.message().rfind("redis: ", 0) == 0);
  o.redis = "redis://127.0.0.1:6379";
  CHECK(CheckLiveAgentOptions(o).ok());
  // Each message names the one option that is wrong (agent-svc prints it after "--"): a bad
  // claim_idle_ms used to read "max_deliveries must be in [1, 100] and claim_idle_ms >= 1, got 5
  // and 0", and a bad bankroll was refused only after the checkpoint was read, as the
  // checkpoint's error ("checkpoint ckpt: initial_bankroll must be > 0, got -5"), exit 1.
  o.live.max_deliveries = 0;
  CHECK(CheckLiveAgentOptions(o).message() == "max_deliveries must be in [1, 100], got 0");
  o.live.max_deliveries = 101;
  CHECK_FALSE(CheckLiveAgentOptions(o).ok());
  o.live.max_deliveries = 100;
  o.live.claim_idle_ms = 0;
  CHECK(CheckLiveAgentOptions(o).message() == "claim_idle_ms must be >= 1 ms, got 0");
  o.live.claim_idle_ms = 60000;
  REQUIRE(CheckLiveAgentOptions(o).ok());
  for (const auto& [bankroll, text] : {std::pair<double, const char*>{-5, "-5"},
                                       {0, "0"},
                                       {std::numeric_limits<double>::quiet_NaN(), "nan"},
                                       {std::numeric_limits<double>::infinity(), "inf"}}) {
    o.bankroll = bankroll;
    s = CheckLiveAgentOptions(o);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message() ==
          std::string("bankroll must be a finite amount > 0 (currency units), got ") + text);
  }
}

TEST_CASE("LiveAgent refuses a missing or foreign checkpoint, naming it", "[agent][process]") {
  agent_testing::TempDir dir;
  core::MetricsRegistry registry;
  core::FakeClock clock;
  LiveAgentOptions o;
  o.checkpoint = dir.File("none");
  auto a = LiveAgent::Create(o, registry, clock);
  CHECK(a.status().code() == absl::StatusCode::kNotFound);
  CHECK(a.status().message().rfind("checkpoint " + dir.File("none") + ": ", 0) == 0);

  v1::Checkpoint other = agent_testing::TinyCheckpoint();
  other.mutable_feature_spec()->set_slots(3, "xg_home_renamed");
  REQUIRE(hrl::SaveCheckpoint(dir.File("other"), other).ok());
  o.checkpoint = dir.File("other");
  a = LiveAgent::Create(o, registry, clock);
  CHECK(a.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(a.status().message().find("xg_home_renamed") != std::string::npos);

  REQUIRE(hrl::SaveCheckpoint(dir.File("ok"), agent_testing::TinyCheckpoint()).ok());
  o.checkpoint = dir.File("ok");
  o.ledger = dir.File("no/such/folder/ledger.jsonl");
  a = LiveAgent::Create(o, registry, clock);
  CHECK_FALSE(a.ok());
  CHECK(a.status().message().rfind("ledger " + o.ledger + ": ", 0) == 0);
}

TEST_CASE("LiveAgent: Decide writes one ledger line per recorded decision and counts it",
          "[agent][process]") {
  agent_testing::TempDir dir;
  REQUIRE(hrl::SaveCheckpoint(dir.File("ckpt"), agent_testing::TinyCheckpoint()).ok());
  core::MetricsRegistry registry;
  core::FakeClock clock(absl::FromUnixSeconds(1450000000));
  LiveAgentOptions o;
  o.checkpoint = dir.File("ckpt");
  o.ledger = dir.File("ledger.jsonl");
  auto agent = LiveAgent::Create(o, registry, clock);
  REQUIRE(agent.ok());
  CHECK((*agent)->decider().path().find(dir.File("ckpt")) == 0);
  const auto states = agent_testing::QuotedStates(agent_testing::LoadMatch("3754237"));
  v1::DecideRequest req;
  for (int k = 0; k < 30; ++k) *req.add_states() = states[k];
  req.set_dry_run(true);
  v1::DecideResponse dry;
  REQUIRE((*agent)->Decide(req, &dry).ok());
  req.set_dry_run(false);
  v1::DecideResponse resp;
  REQUIRE((*agent)->Decide(req, &resp).ok());
  REQUIRE(resp.decisions_size() == 30);
  (*agent)->Shutdown();
  CHECK(Lines(o.ledger) == 30);
  const risk::GateCounts g = (*agent)->decider().gate_counts();
  CHECK(g.accepted + g.denied == 30);
  CHECK(Sample(registry, "hrl_bets_total{agent=\"live\"}") == static_cast<double>(g.accepted));
  // Without a redis URL ConnectLiveFeed does nothing.
  CHECK((*agent)->ConnectLiveFeed().ok());
  CHECK((*agent)->live_consumer() == nullptr);
}

TEST_CASE("LiveAgent: bets of Decide calls settle when a later call sends the final state",
          "[agent][process]") {
  // Oracles: the settlement's book (every accepted bet opened, then settled by the final state,
  // none left open), the closed form of the free bankroll (B0 - stakes + gross payouts, the
  // settler's budget B), hrl_bets_settled_total and the ledger (a decision line per state, a
  // settlement line per bet). Without a live feed nothing is queued for Redis.
  agent_testing::TempDir dir;
  REQUIRE(hrl::SaveCheckpoint(dir.File("ckpt"), agent_testing::TinyCheckpoint()).ok());
  core::MetricsRegistry registry;
  core::FakeClock clock(absl::FromUnixSeconds(1450000000));
  LiveAgentOptions o;
  o.checkpoint = dir.File("ckpt");
  o.ledger = dir.File("ledger.jsonl");
  auto agent = LiveAgent::Create(o, registry, clock);
  REQUIRE(agent.ok());
  const hrl::LiveMatch match = agent_testing::LoadMatch("3754237");
  const auto states = agent_testing::QuotedStates(match);
  v1::DecideRequest req;
  for (const v1::LiveMatchState& s : states) *req.add_states() = s;
  v1::DecideResponse resp;
  REQUIRE((*agent)->Decide(req, &resp).ok());
  int64_t accepted = 0;
  for (const v1::Decision& d : resp.decisions()) accepted += d.verdict() == v1::VERDICT_ACCEPTED;
  REQUIRE(accepted > 0);
  const hrl::BetSettler& settler = (*agent)->settlement()->settler();
  CHECK(settler.stats().opened == accepted);
  CHECK(settler.stats().open == accepted);
  CHECK((*agent)->decider().open_stake(match.match_id) > 0);

  // A dry run of the final state settles nothing.
  v1::DecideRequest last;
  *last.add_states() = match.full_time;
  *last.mutable_states(0)->mutable_kickoff() = states[0].kickoff();
  last.set_dry_run(true);
  v1::DecideResponse dry;
  REQUIRE((*agent)->Decide(last, &dry).ok());
  CHECK(settler.stats().open == accepted);
  last.set_dry_run(false);
  v1::DecideResponse fin;
  REQUIRE((*agent)->Decide(last, &fin).ok());
  CHECK(fin.decisions(0).reason() == "not_in_play");
  const hrl::SettlerStats st = settler.stats();
  CHECK(st.settled == accepted);
  CHECK(st.open == 0);
  CHECK((*agent)->decider().open_stake(match.match_id) == 0);
  CHECK((*agent)->decider().bankroll() == Approx(st.budget).epsilon(1e-12));
  double settled = 0;
  for (const char* r : {"won", "lost", "void"}) {
    settled +=
        Sample(registry, std::string("hrl_bets_settled_total{result=\"") + r + "\"}").value_or(0.0);
  }
  CHECK(settled == static_cast<double>(accepted));
  // The final state again (an at-least-once caller): nothing settles twice.
  v1::DecideResponse again;
  REQUIRE((*agent)->Decide(last, &again).ok());
  CHECK(settler.stats().settled == accepted);
  (*agent)->Shutdown();
  CHECK(Lines(o.ledger) == static_cast<int>(states.size()) + 2 + accepted);
}

TEST_CASE("LiveAgent: the live feed decides match.live, publishes bets and settles them",
          "[agent][process]") {
  agent_testing::TempDir dir;
  REQUIRE(hrl::SaveCheckpoint(dir.File("ckpt"), agent_testing::TinyCheckpoint()).ok());
  core::MetricsRegistry registry;
  core::FakeClock clock(absl::FromUnixSeconds(1700000000));
  LiveAgentOptions o;
  o.checkpoint = dir.File("ckpt");
  o.ledger = dir.File("ledger.jsonl");
  o.live.consumer = "replica-1";
  auto agent = LiveAgent::Create(o, registry, clock);
  REQUIRE(agent.ok());
  auto owned = std::make_unique<bus::EmbeddedTransport>(clock);
  bus::EmbeddedTransport& redis = *owned;
  const hrl::LiveMatch match = agent_testing::LoadMatch("3754237");
  auto states = agent_testing::QuotedStates(match);
  v1::LiveMatchState final_state = match.full_time;
  *final_state.mutable_kickoff() = states[0].kickoff();
  states.push_back(final_state);
  int n = 0;
  for (const v1::LiveMatchState& s : states) {
    v1::LiveMatchUpdate u;
    *u.mutable_state() = s;
    u.set_sequence(++n);
    REQUIRE(bus::PublishLiveUpdate(redis, u, "replay").ok());
  }
  REQUIRE((*agent)->ConnectLiveFeed(std::move(owned)).ok());
  std::atomic<bool> stop{false};
  (*agent)->StartLiveFeed([&] { return stop.load(); });
  // Bounded: at most 60 s (the whole match is decided in well under a second).
  for (int i = 0; i < 6000; ++i) {
    auto p = redis.PendingCount(bus::kMatchLive, bus::kAgentLiveGroup);
    auto u = redis.Undelivered(bus::kMatchLive, bus::kAgentLiveGroup);
    if (p.ok() && u.ok() && *p == 0 && *u == 0) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  stop = true;
  (*agent)->Shutdown();
  const bus::LiveConsumerCounts c = (*agent)->live_consumer()->counts();
  CHECK(c.accepted + c.denied + c.duplicate == n);
  REQUIRE(c.accepted > 0);
  CHECK(static_cast<int64_t>(redis.Range(bus::kRiskVerified)->size()) == c.accepted);
  // The final state settled every accepted bet (the ledger holds them after the decisions).
  const hrl::SettlerStats st = (*agent)->settlement()->settler().stats();
  CHECK(st.opened == c.accepted);
  CHECK(st.settled == c.accepted);
  CHECK(st.open == 0);
  double settled = 0;
  for (const char* r : {"won", "lost", "void"}) {
    settled +=
        Sample(registry, std::string("hrl_bets_settled_total{result=\"") + r + "\"}").value_or(0.0);
  }
  CHECK(settled == static_cast<double>(c.accepted));
  CHECK(Lines(o.ledger) ==
        n + c.accepted);  // A decision line per entry, a settlement line per bet.
  // The stored final state, for the other replicas.
  auto key = redis.Get(FinalStateKey(match.match_id));
  REQUIRE(key.ok());
  CHECK(key->has_value());
}

}  // namespace
}  // namespace superbet::agent
