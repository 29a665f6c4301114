// SettlementSync: bets settled when their match's final state arrives, on this replica or (through
// the live:final:<match> key) on another one; metrics and ledger lines per settled bet.
//
// Oracles: the 1X2 rule (a home pick on a 2-1 final wins, an away pick loses, a cancelled match is
// void), the key layout written out ("live:final:" + match id, the state's binary encoding), and
// the once-a-second lookup (by the injected time). Two replicas share one in-process transport
// (bus::EmbeddedTransport: Redis semantics in memory).

#include "superbet/agent/settlement_sync.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "agent/agent_support.h"
#include "superbet/bus/embedded_transport.h"

namespace superbet::agent {
namespace {

namespace v1 = superbet::v1;
using agent_testing::Sample;

v1::Decision Accepted(const std::string& match_id, const std::string& pick, double stake) {
  v1::Decision d;
  v1::Prediction* p = d.mutable_prediction();
  p->set_match_id(match_id);
  p->set_home("Arsenal");
  p->set_away("Chelsea");
  p->set_pick(pick);
  p->set_agent("live");
  p->set_confidence(0.6);
  p->mutable_odds()->set_home(2.0);
  p->mutable_odds()->set_draw(3.4);
  p->mutable_odds()->set_away(4.0);
  p->mutable_prob()->set_home(0.5);
  p->mutable_prob()->set_draw(0.3);
  p->mutable_prob()->set_away(0.2);
  p->set_data_staleness_s(5);
  p->mutable_kickoff()->set_seconds(1691780400);
  p->mutable_decided_at()->set_seconds(1691783100);
  p->set_model_version("test");
  p->set_kelly_fraction(0.1);
  p->set_action(pick == "home" ? v1::ACTION_BET_HOME : v1::ACTION_BET_AWAY);
  d.set_stake(stake);
  d.set_bankroll_before(1000);
  d.set_verdict(v1::VERDICT_ACCEPTED);
  return d;
}

v1::LiveMatchState State(const std::string& match_id, v1::FixtureStatus status, int home,
                         int away) {
  v1::LiveMatchState s;
  s.set_match_id(match_id);
  s.set_minute(90);
  s.set_status(status);
  s.set_score_home(home);
  s.set_score_away(away);
  return s;
}

struct Replica {
  core::MetricsRegistry registry;
  std::ostringstream ledger;
  std::unique_ptr<SettlementSync> sync;
  Replica() {
    auto s = SettlementSync::Create(registry, 1000, &ledger);
    REQUIRE(s.ok());
    sync = *std::move(s);
  }
  void Open(const v1::Decision& d) { sync->OnDecision(d); }
  std::optional<double> Settled(const std::string& result) const {
    return Sample(registry, "hrl_bets_settled_total{result=\"" + result + "\"}");
  }
};

TEST_CASE("SettlementSync settles this replica's bets by the 1X2 rule when the final state comes",
          "[agent][settle]") {
  Replica r;
  r.Open(Accepted("statsbomb:1", "home", 50));
  r.Open(Accepted("statsbomb:1", "away", 20));
  r.Open(Accepted("statsbomb:2", "home", 30));
  CHECK(r.sync->settler().OpenMatchIds() == std::vector<std::string>{"statsbomb:1", "statsbomb:2"});
  const absl::Time t = absl::FromUnixSeconds(1691790000);
  // A live (not final) state settles nothing.
  r.sync->OnState(State("statsbomb:1", v1::FIXTURE_STATUS_LIVE, 2, 1), t);
  CHECK_FALSE(r.Settled("won").has_value());

  r.sync->OnState(State("statsbomb:1", v1::FIXTURE_STATUS_FINISHED, 2, 1), t);
  CHECK(r.Settled("won") == 1.0);
  CHECK(r.Settled("lost") == 1.0);
  r.sync->OnState(State("statsbomb:2", v1::FIXTURE_STATUS_CANCELLED, 0, 0), t);
  CHECK(r.Settled("void") == 1.0);
  CHECK(Sample(r.registry, "hrl_reward_count") == 3.0);
  CHECK(Sample(r.registry, "hrl_win_rate_last10{agent=\"live\"}").has_value());
  CHECK(r.sync->settler().OpenMatchIds().empty());
  // One ledger line per settled bet.
  int lines = 0;
  std::istringstream in(r.ledger.str());
  for (std::string line; std::getline(in, line);)
    lines += line.find("\"profit\"") != std::string::npos;
  CHECK(lines == 3);
  // The same final state again settles nothing more.
  r.sync->OnState(State("statsbomb:1", v1::FIXTURE_STATUS_FINISHED, 2, 1), t);
  CHECK(r.Settled("won") == 1.0);
  CHECK(r.sync->settler().stats().settled == 3);
}

TEST_CASE("SettlementSync: a final state read by one replica settles another's bets via Redis",
          "[agent][settle]") {
  core::FakeClock clock(absl::FromUnixSeconds(1691790000));
  bus::EmbeddedTransport redis(clock);
  Replica a, b;
  b.Open(Accepted("statsbomb:7", "home", 40));
  const v1::LiveMatchState final_state = State("statsbomb:7", v1::FIXTURE_STATUS_FINISHED, 3, 0);
  // Before ShareFinalStates (no live feed connected) a final state is not queued for Redis.
  Replica quiet;
  quiet.sync->OnState(State("statsbomb:8", v1::FIXTURE_STATUS_FINISHED, 0, 0), clock.Now());
  quiet.sync->Sync(redis, clock.Now());
  auto none = redis.Get("live:final:statsbomb:8");
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  a.sync->ShareFinalStates();
  a.sync->OnState(final_state, clock.Now());  // A has no bet on it: settles nothing, stores it.
  CHECK_FALSE(a.Settled("won").has_value());
  absl::Time now = clock.Now();
  a.sync->Sync(redis, now);
  auto stored = redis.Get("live:final:statsbomb:7");
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK(**stored == final_state.SerializeAsString());
  CHECK(FinalStateKey("statsbomb:7") == "live:final:statsbomb:7");

  b.sync->Sync(redis, now);
  CHECK(b.Settled("won") == 1.0);
  CHECK(b.sync->settler().OpenMatchIds().empty());

  // The lookup runs at most once a second: a bet opened and finalised within the second waits.
  b.Open(Accepted("statsbomb:8", "away", 10));
  a.sync->OnState(State("statsbomb:8", v1::FIXTURE_STATUS_FINISHED, 0, 1), now);
  a.sync->Sync(redis, now + absl::Milliseconds(10));
  b.sync->Sync(redis, now + absl::Milliseconds(500));
  CHECK(b.sync->settler().OpenMatchIds() == std::vector<std::string>{"statsbomb:8"});
  b.sync->Sync(redis, now + absl::Seconds(1));
  CHECK(b.sync->settler().OpenMatchIds().empty());
  CHECK(b.Settled("won") == 2.0);
}

TEST_CASE("SettlementSync: a live:final key that holds no state of its match settles nothing",
          "[agent][settle]") {
  core::FakeClock clock(absl::FromUnixSeconds(1691790000));
  bus::EmbeddedTransport redis(clock);
  Replica b;
  b.Open(Accepted("statsbomb:9", "home", 40));
  REQUIRE(redis.Set("live:final:statsbomb:9", "not a state", absl::Hours(1)).ok());
  b.sync->Sync(redis, clock.Now());
  // Another match's state under this key is refused too.
  b.Open(Accepted("statsbomb:10", "home", 40));
  REQUIRE(redis
              .Set("live:final:statsbomb:10",
                   State("statsbomb:11", v1::FIXTURE_STATUS_FINISHED, 1, 0).SerializeAsString(),
                   absl::Hours(1))
              .ok());
  b.sync->Sync(redis, clock.Now() + absl::Seconds(2));
  CHECK(b.sync->settler().OpenMatchIds() ==
        std::vector<std::string>{"statsbomb:10", "statsbomb:9"});
  CHECK_FALSE(b.Settled("won").has_value());
}

TEST_CASE("SettlementSync counts an accepted decision the settler refuses", "[agent][settle]") {
  Replica r;
  v1::Decision bad = Accepted("statsbomb:1", "home", -3);  // A stake must be > 0.
  r.Open(bad);
  CHECK(Sample(r.registry, "hrl_settle_refused_total") == 1.0);
  v1::Decision denied = Accepted("statsbomb:1", "home", 5);
  denied.set_verdict(v1::VERDICT_DENIED);
  r.Open(denied);  // Not a bet: ignored, not refused.
  CHECK(Sample(r.registry, "hrl_settle_refused_total") == 1.0);
  CHECK(r.sync->settler().OpenMatchIds().empty());
}

}  // namespace
}  // namespace superbet::agent
