// agent-svc's failing-decision path as a real process: redis-server (free port, temp dir), the
// recorded StatsBomb match 3754237 written to match.live minute by minute by the test (the library
// call adapter-svc --replay --redis --replay_live_odds modelled makes: bus::PublishLiveUpdate of
// each LIVE state, with the in-play prices hrl::PrepareLiveMatch models), and one agent-svc
// replica consuming it as consumer group agent-svc-live with --max_deliveries 2.
//
//  1. Every decision fails: --ledger /dev/full (a full disk: the ledger write after the gate,
//     DATA_LOSS "ledger write failed"). Each entry is left pending, delivered again by XAUTOCLAIM
//     after --claim_idle_ms and, on its 2nd delivery, moved to match.live.dlq.
//  2. Accepted decisions fail to publish: the states carry no kickoff, which the broadcast
//     plant's reader requires of a risk.verified prediction; denied decisions are fine. Every
//     accepted one ends in match.live.dlq, nothing reaches risk.verified.
//
// Oracles: Redis's own view (XLEN, XPENDING and the group's lag, the DLQ entries' fields against
// the entries the test wrote, the idempotency guards, no live:error:* key left), the documented
// DLQ contract (README "Retry cap and dead-letter stream"), and the process's /metrics against
// those counts.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "services/live_support.h"
#include "services/process.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/bus/topics.h"
#include "superbet/hrl/checkpoint.h"
#include "support/redis_server.h"

namespace superbet::testing {
namespace {

namespace bus = superbet::bus;
namespace v1 = superbet::v1;

double Metric(int port, const std::string& series) {
  return MetricValue(HttpGet(port, "/metrics").second, series).value_or(0.0);
}

// Writes every LIVE minute of the recorded match `id` to match.live, its live_odds the modelled
// in-play prices of that minute (0 = not quoted), `edit` applied last. Returns entry id -> update.
std::map<std::string, std::string> PublishMatch(
    bus::Transport& r, const std::string& id,
    const std::function<void(v1::LiveMatchState&)>& edit) {
  const hrl::LiveMatch m = LoadLiveMatch(id);
  std::map<std::string, std::string> written;
  for (size_t k = 0; k < m.states.size(); ++k) {
    v1::LiveMatchUpdate u;
    *u.mutable_state() = m.states[k];
    u.set_sequence(static_cast<int64_t>(k) + 1);
    v1::OddsTriple* o = u.mutable_state()->mutable_live_odds();
    o->set_home(m.quoted[k][0].value_or(0.0));
    o->set_draw(m.quoted[k][1].value_or(0.0));
    o->set_away(m.quoted[k][2].value_or(0.0));
    edit(*u.mutable_state());
    auto entry_id = bus::PublishLiveUpdate(r, u, "replay");
    REQUIRE(entry_id.ok());
    written[*entry_id] = u.SerializeAsString();
  }
  return written;
}

struct Agent {
  std::unique_ptr<Child> child;
  Ports ports;
};

Agent StartAgent(const TempDir& dir, const RedisServer& redis,
                 const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {AGENT_SVC,
                                   "--grpc_address=127.0.0.1:0",
                                   "--metrics_address=127.0.0.1:0",
                                   "--ports_file=" + dir.File("a.json"),
                                   "--checkpoint=" + dir.File("ckpt"),
                                   "--redis=" + redis.url(),
                                   "--consumer=a",
                                   "--max_deliveries=2",
                                   "--claim_idle_ms=300",
                                   "--drain_grace_s=0.1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Agent a;
  a.child = std::make_unique<Child>(argv, dir.File("a.log"));
  auto ports = WaitForPorts(dir.File("a.json"), 60);
  REQUIRE(ports.has_value());
  a.ports = *ports;
  return a;
}

// Waits until the group has nothing pending and nothing undelivered.
void WaitDrained(bus::Transport& r) {
  CHECK(WaitFor(
      [&] {
        auto pending = r.PendingCount(bus::kMatchLive, bus::kAgentLiveGroup);
        auto lag = r.Undelivered(bus::kMatchLive, bus::kAgentLiveGroup);
        return pending.ok() && lag.ok() && *pending == 0 && *lag == 0;
      },
      90));
}

// The match.live.dlq entries by the match.live entry id they carry, each checked against the
// documented fields: reason max_deliveries, attempts 2 (--max_deliveries), consumer a, first_seen
// the entry id's milliseconds, entry.* the original fields (entry.update byte for byte).
std::map<std::string, bus::Entry> CheckDlq(bus::Transport& r,
                                           const std::map<std::string, std::string>& written,
                                           const std::string& error_part) {
  auto dlq = r.Range(bus::kMatchLiveDlq);
  REQUIRE(dlq.ok());
  std::map<std::string, bus::Entry> by_entry;
  for (const bus::Entry& d : *dlq) {
    const std::string id = d.Field("entry_id");
    INFO("dlq entry for " << id);
    REQUIRE(written.count(id) == 1);
    CHECK(by_entry.emplace(id, d).second);  // Each entry dead-lettered once.
    CHECK(d.Field("reason") == "max_deliveries");
    CHECK(d.Field("attempts") == "2");
    CHECK(d.Field("consumer") == "a");
    CHECK(d.Field("first_seen") == id.substr(0, id.find('-')));
    CHECK(d.Field("last_error").find(error_part) != std::string::npos);
    CHECK(d.Field("entry.update") == written.at(id));
    CHECK(d.Field("entry.provider") == "replay");
  }
  auto errors = r.KeysWithPrefix("live:error:");
  REQUIRE(errors.ok());
  CHECK(errors->empty());  // Each dead-lettered entry's kept error is deleted with the move.
  return by_entry;
}

TEST_CASE("agent-svc: decisions that fail (ledger on a full disk) end in match.live.dlq",
          "[services][live][dlq]") {
  TempDir dir;
  WriteTinyCheckpoint(dir);
  ConnectedRedis redis;
  bus::Transport& r = redis.transport();

  // A retry cap outside the library's [1, 100] is a usage error naming the flag (was: clamped).
  {
    Child bad({AGENT_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
               "--checkpoint=" + dir.File("ckpt"), "--redis=" + redis.url(), "--max_deliveries=0"},
              dir.File("bad.log"));
    CHECK(bad.Wait(30) == std::optional<int>(2));
    CHECK(Slurp(dir.File("bad.log")).find("--max_deliveries must be in [1, 100]") !=
          std::string::npos);
  }
  Agent a = StartAgent(dir, redis, {"--ledger=/dev/full"});
  const std::map<std::string, std::string> written =
      PublishMatch(r, "3754237", [](v1::LiveMatchState&) {});
  const auto n = static_cast<double>(written.size());
  REQUIRE(n > 90);
  WaitDrained(r);
  auto dlq_len = r.Range(bus::kMatchLiveDlq);
  REQUIRE(dlq_len.ok());
  CHECK(dlq_len->size() == written.size());  // Every entry accounted for: all in the DLQ.
  const auto dlq = CheckDlq(r, written, "ledger write failed");
  CHECK(dlq.size() == written.size());
  auto verified = r.Range(bus::kRiskVerified);
  REQUIRE(verified.ok());
  CHECK(verified->empty());
  // Every (match, minute) guard records the move.
  auto guards = r.KeysWithPrefix("live:decided:");
  REQUIRE(guards.ok());
  CHECK(guards->size() == written.size());
  for (const std::string& k : *guards) {
    auto v = r.Get(k);
    REQUIRE(v.ok());
    CHECK(v->value_or("") == "dlq:max_deliveries");
  }
  // /metrics: n moved, n retried once (the 1st delivery failed, the 2nd moved it), nothing
  // accepted, denied or counted as a bet.
  const int port = a.ports.metrics;
  CHECK(Metric(port, "hrl_live_dlq_total{reason=\"max_deliveries\"}") == n);
  CHECK(Metric(port, "hrl_live_entries_total{outcome=\"dlq\"}") == n);
  CHECK(Metric(port, "hrl_live_retries_total") == n);
  CHECK(Metric(port, "hrl_live_entries_total{outcome=\"accepted\"}") == 0);
  CHECK(Metric(port, "hrl_live_entries_total{outcome=\"denied\"}") == 0);
  CHECK(Metric(port, "hrl_bets_total{agent=\"live\"}") == 0);
  a.child->Signal(SIGTERM);
  CHECK(a.child->Wait(40) == std::optional<int>(0));
}

TEST_CASE("agent-svc: accepted decisions the plant refuses (no kickoff) end in match.live.dlq",
          "[services][live][dlq]") {
  TempDir dir;
  WriteTinyCheckpoint(dir);
  ConnectedRedis redis;
  bus::Transport& r = redis.transport();

  Agent a = StartAgent(dir, redis, {});
  const std::map<std::string, std::string> written =
      PublishMatch(r, "3754237", [](v1::LiveMatchState& s) { s.clear_kickoff(); });
  WaitDrained(r);
  const auto dlq = CheckDlq(r, written, "kickoff");
  REQUIRE(!dlq.empty());  // The tiny worker accepts some of the modelled prices.
  auto verified = r.Range(bus::kRiskVerified);
  REQUIRE(verified.ok());
  CHECK(verified->empty());
  // Every entry accounted for: denied (its guard names the reason) or in the DLQ.
  auto guards = r.KeysWithPrefix("live:decided:");
  REQUIRE(guards.ok());
  CHECK(guards->size() == written.size());
  int denied = 0, moved = 0;
  for (const std::string& k : *guards) {
    auto v = r.Get(k);
    REQUIRE(v.ok());
    const std::string g = v->value_or("");
    INFO(k << " = " << g);
    if (g.rfind("denied:", 0) == 0) {
      ++denied;
    } else {
      CHECK(g == "dlq:max_deliveries");
      ++moved;
    }
  }
  CHECK(moved == static_cast<int>(dlq.size()));
  CHECK(denied + moved == static_cast<int>(written.size()));
  // /metrics equal what happened: an accepted decision that was never published is not a bet.
  const int port = a.ports.metrics;
  CHECK(Metric(port, "hrl_live_entries_total{outcome=\"denied\"}") == denied);
  CHECK(Metric(port, "hrl_live_entries_total{outcome=\"dlq\"}") == moved);
  CHECK(Metric(port, "hrl_live_dlq_total{reason=\"max_deliveries\"}") == moved);
  CHECK(Metric(port, "hrl_live_retries_total") == moved);
  CHECK(Metric(port, "hrl_live_entries_total{outcome=\"accepted\"}") == 0);
  CHECK(Metric(port, "hrl_bets_total{agent=\"live\"}") == 0);
  // Nothing was published, so nothing was staked: the free bankroll is still B0.
  CHECK(Metric(port, "hrl_budget_remaining") == 1.0);
  a.child->Signal(SIGTERM);
  CHECK(a.child->Wait(40) == std::optional<int>(0));
}

}  // namespace
}  // namespace superbet::testing
