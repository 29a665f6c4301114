// The Redis path between the services as real processes on 127.0.0.1: a redis-server (free
// port, temp dir), adapter-svc replaying two recorded StatsBomb matches into match.live, and two
// agent-svc replicas consuming it as one consumer group and publishing accepted decisions to
// risk.verified. Replica b holds a batch unacked (--debug_hold_after) and is killed with SIGKILL;
// replica a reclaims its entries (XAUTOCLAIM after --claim_idle_ms).
//
// A poison entry (an update that does not parse) is added among them: it ends in match.live.dlq
// (reason unparseable) and costs nothing else. adapter-svc also publishes odds.live: one entry per
// change of a match's in-play prices (--replay_live_odds modelled).
//
// Oracles: Redis's own view (XPENDING and the group's lag 0 at the end, XLEN of both streams),
// the broadcast plant's input parser (every risk.verified event is a valid Prediction line, each
// event id once), the idempotency guards (one per entry's (match, minute), "published" ones equal
// to risk.verified's length), and the replicas' /metrics adding up to the number of entries.
// odds.live: the change points of the live_odds of the match.live states read back from Redis
// (an entry exactly where a match's prices differ from its previous minute's, with those prices).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "services/live_support.h"
#include "services/process.h"
#include "superbet/broadcast/prediction_input.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/live_odds.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/bus/topics.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/providers/replay_provider.h"
#include "support/redis_server.h"
#include "support/test_data.h"

namespace superbet::testing {
namespace {

namespace bus = superbet::bus;
namespace v1 = superbet::v1;

double Metric(int port, const std::string& series) {
  return MetricValue(HttpGet(port, "/metrics").second, series).value_or(0.0);
}

double Entries(int port, const std::string& outcome) {
  return Metric(port, "hrl_live_entries_total{outcome=\"" + outcome + "\"}");
}

TEST_CASE(
    "live feed: adapter-svc -> match.live -> two agent-svc replicas -> risk.verified, a "
    "killed replica's entries reclaimed",
    "[services][live]") {
  TempDir dir;
  WriteTinyCheckpoint(dir);
  ConnectedRedis redis;
  bus::Transport& r = redis.transport();

  auto agent = [&](const std::string& name, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {AGENT_SVC,
                                     "--grpc_address=127.0.0.1:0",
                                     "--metrics_address=127.0.0.1:0",
                                     "--ports_file=" + dir.File(name + ".json"),
                                     "--checkpoint=" + dir.File("ckpt"),
                                     "--redis=" + redis.url(),
                                     "--consumer=" + name,
                                     "--claim_idle_ms=3000",
                                     "--drain_grace_s=0.1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<Child>(argv, dir.File(name + ".log"));
  };
  auto a = agent("a", {});
  auto b = agent("b", {"--debug_hold_after=20"});
  const Ports pa = Ready(dir.File("a.json"));
  const Ports pb = Ready(dir.File("b.json"));

  Child adapter({ADAPTER_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                 "--ports_file=" + dir.File("adapter.json"), "--replay=" + DataDir(),
                 "--matches=3754237,3754300", "--speed=60000", "--redis=" + redis.url(),
                 "--replay_live_odds=modelled", "--store=sqlite:" + dir.File("store.db"),
                 "--drain_grace_s=0.1"},
                dir.File("adapter.log"));
  const Ports pad = Ready(dir.File("adapter.json"));
  REQUIRE(WaitFor([&] { return Metric(pad.metrics, "adapter_live_feed_done") == 1; }, 120));
  auto live = r.Range(bus::kMatchLive);
  REQUIRE(live.ok());
  const int64_t n = static_cast<int64_t>(live->size());
  CHECK(Metric(pad.metrics, "adapter_live_published_total") == n);
  CHECK(Metric(pad.metrics, "adapter_live_publish_errors_total") == 0);
  // --store: every state the publisher read went to live_stats too.
  CHECK(Metric(pad.metrics, "adapter_store_live_rows_written") >= n);
  // Every minute of both matches, once: 0 .. last of each.
  std::map<std::string, std::set<int>> minutes;
  for (const auto& e : *live) {
    auto p = bus::ParseLiveFeedEntry(e);
    REQUIRE(p.ok());
    CHECK(minutes[p->update.state().match_id()].insert(p->update.state().minute()).second);
  }
  REQUIRE(minutes.size() == 2);
  for (const auto& [id, m] : minutes) {
    INFO(id);
    CHECK(*m.begin() == 0);
    CHECK(static_cast<int>(m.size()) == *m.rbegin() + 1);
    CHECK(m.size() > 90);
  }
  // odds.live: one entry per change of a match's prices, in minute order, with those prices.
  {
    std::map<std::string, std::vector<std::pair<int, v1::OddsTriple>>> changes;  // The oracle.
    std::map<std::string, v1::OddsTriple> last;
    for (const auto& e : *live) {
      auto p = bus::ParseLiveFeedEntry(e);
      REQUIRE(p.ok());
      const v1::LiveMatchState& st = p->update.state();
      REQUIRE(st.has_live_odds());
      const v1::OddsTriple& o = st.live_odds();
      if (o.home() == 0 && o.draw() == 0 && o.away() == 0) continue;  // Nothing quoted.
      auto it = last.find(st.match_id());
      if (it == last.end() || it->second.home() != o.home() || it->second.draw() != o.draw() ||
          it->second.away() != o.away()) {
        changes[st.match_id()].emplace_back(st.minute(), o);
      }
      last[st.match_id()] = o;
    }
    auto odds = r.Range(bus::kOddsLive);
    REQUIRE(odds.ok());
    std::map<std::string, std::vector<std::pair<int, v1::OddsTriple>>> got;
    for (const auto& e : *odds) {
      auto p = bus::ParseLiveOddsEntry(e);
      REQUIRE(p.ok());
      CHECK(e.Field("provider") == "replay");
      CHECK(p->sequence() == static_cast<int64_t>(got[p->match_id()].size()) + 1);
      got[p->match_id()].emplace_back(p->minute(), p->odds());
    }
    REQUIRE(got.size() == 2);
    CHECK(Metric(pad.metrics, "adapter_odds_published_total") == odds->size());
    CHECK(Metric(pad.metrics, "adapter_odds_publish_errors_total") == 0);
    for (const auto& [id, want] : changes) {
      INFO(id);
      const auto& g = got[id];
      CHECK(want.size() > 10);  // Modelled in-play prices move during a match.
      REQUIRE(g.size() == want.size());
      for (size_t i = 0; i < g.size(); ++i) {
        INFO("change " << i << " at minute " << want[i].first);
        CHECK(g[i].first == want[i].first);
        CHECK(g[i].second.home() == want[i].second.home());
        CHECK(g[i].second.draw() == want[i].second.draw());
        CHECK(g[i].second.away() == want[i].second.away());
      }
    }
  }
  // A poison entry from some other producer: match.live.dlq at once, nothing else lost.
  REQUIRE(r.Add(bus::kMatchLive,
                {{"match_id", "statsbomb:3754237"}, {"minute", "1"}, {"update", "not a protobuf"}})
              .ok());

  // b decides 20 entries, then holds its next batch unacked; kill it there.
  REQUIRE(WaitFor(
      [&] { return Slurp(dir.File("b.log")).find("holding entry") != std::string::npos; }, 60));
  REQUIRE(Shell("redis-cli -p " + std::to_string(redis.port()) +
                " XPENDING match.live agent-svc-live - + 1000 b > " + dir.File("pending_b.txt")) ==
          0);
  int lines = 0;
  for (char c : Slurp(dir.File("pending_b.txt"))) lines += c == '\n';
  const int held = lines / 4;  // id, consumer, idle ms, deliveries per entry.
  CHECK(held >= 1);
  std::map<std::string, double> bc;
  for (const char* k : {"accepted", "denied", "dlq", "duplicate"}) bc[k] = Entries(pb.metrics, k);
  CHECK(bc["accepted"] + bc["denied"] == 20);
  b->Signal(SIGKILL);
  CHECK(b->Wait(10) == std::optional<int>(128 + SIGKILL));

  // a reclaims b's entries once idle for 3 s and everything gets acked.
  REQUIRE(WaitFor(
      [&] {
        auto pending = r.PendingCount(bus::kMatchLive, bus::kAgentLiveGroup);
        auto lag = r.Undelivered(bus::kMatchLive, bus::kAgentLiveGroup);
        return pending.ok() && lag.ok() && *pending == 0 && *lag == 0;
      },
      120));
  CHECK(Metric(pa.metrics, "hrl_live_reclaimed_total") >= held);
  REQUIRE(WaitFor(
      [&] {
        return MetricValue(HttpGet(pa.metrics, "/metrics").second,
                           "bus_stream_pending{stream=\"match.live\",group=\"agent-svc-live\"}") ==
               std::optional<double>(0.0);
      },
      10));
  std::map<std::string, double> ac;
  for (const char* k : {"accepted", "denied", "dlq", "duplicate"}) ac[k] = Entries(pa.metrics, k);
  // Each entry decided exactly once, by one of the two.
  CHECK(ac["accepted"] + ac["denied"] + bc["accepted"] + bc["denied"] == n);
  {
    INFO(Slurp(dir.File("a.log")).substr(0, 4000));
    CHECK(ac["dlq"] + bc["dlq"] == 1);  // The poison entry, once.
  }
  CHECK(ac["duplicate"] + bc["duplicate"] == 0);
  CHECK(Metric(pa.metrics, "hrl_live_dlq_total{reason=\"unparseable\"}") +
            Metric(pb.metrics, "hrl_live_dlq_total{reason=\"unparseable\"}") ==
        1);
  {
    auto dlq = r.Range(bus::kMatchLiveDlq);
    REQUIRE(dlq.ok());
    REQUIRE(dlq->size() == 1);
    CHECK(dlq->front().Field("reason") == "unparseable");
    CHECK(dlq->front().Field("entry.update") == "not a protobuf");
  }

  // risk.verified: each accepted decision once, in the plant's format.
  auto verified = r.Range(bus::kRiskVerified);
  REQUIRE(verified.ok());
  CHECK(static_cast<double>(verified->size()) == ac["accepted"] + bc["accepted"]);
  {
    INFO(HttpGet(pa.metrics, "/metrics").second);
    CHECK(verified->size() > 0);  // The accepted path is exercised.
  }
  std::set<std::string> ids;
  for (const auto& e : *verified) {
    auto p = broadcast::ParsePredictionLine(e.Field("event"), 1);
    INFO(e.Field("event"));
    REQUIRE(p.ok());
    CHECK(ids.insert(e.Field("event_id")).second);
  }
  // One guard per entry, "published" exactly for the accepted ones.
  auto guards = r.KeysWithPrefix("live:decided:");
  REQUIRE(guards.ok());
  CHECK(static_cast<int64_t>(guards->size()) == n);
  int published = 0;
  for (const std::string& k : *guards) {
    auto v = r.Get(k);
    REQUIRE(v.ok());
    REQUIRE(v->has_value());
    published += **v == "published";
  }
  CHECK(published == static_cast<int>(verified->size()));

  // Both expositions are valid Prometheus text (promtool, the format's reference checker).
  for (const auto& [name, port] :
       {std::pair<std::string, int>{"a", pa.metrics}, {"adapter", pad.metrics}}) {
    INFO(name);
    {
      std::ofstream out(dir.File(name + "_metrics.txt"));
      out << HttpGet(port, "/metrics").second;
    }
    const int rc = Shell("promtool check metrics < " + dir.File(name + "_metrics.txt") + " > " +
                         dir.File("promtool.txt") + " 2>&1");
    INFO(Slurp(dir.File("promtool.txt")));
    CHECK(rc == 0);
  }

  // SIGTERM: both stop cleanly.
  a->Signal(SIGTERM);
  adapter.Signal(SIGTERM);
  CHECK(a->Wait(40) == std::optional<int>(0));
  CHECK(adapter.Wait(40) == std::optional<int>(0));
  CHECK(Slurp(dir.File("a.log")).find("stopped reading") != std::string::npos);
}

TEST_CASE("live feed: SIGTERM mid-stream stops reading, leaves nothing pending, exit 0",
          "[services][live]") {
  // Oracle: Redis's XPENDING for the group, a its only consumer (0: the poll in flight was decided,
  // published and acked before exit) and the guards against risk.verified (nothing accepted was
  // lost or doubled); the entries it never read stay for the group.
  TempDir dir;
  WriteTinyCheckpoint(dir);
  ConnectedRedis redis;
  bus::Transport& r = redis.transport();

  Child agent({AGENT_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
               "--ports_file=" + dir.File("a.json"), "--checkpoint=" + dir.File("ckpt"),
               "--redis=" + redis.url(), "--consumer=a", "--drain_grace_s=0.1"},
              dir.File("a.log"));
  const Ports pa = Ready(dir.File("a.json"));
  // About 20 ms per match minute: the stream is still flowing when the SIGTERM comes.
  Child adapter({ADAPTER_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                 "--ports_file=" + dir.File("adapter.json"), "--replay=" + DataDir(),
                 "--matches=3754237", "--speed=3000", "--redis=" + redis.url(),
                 "--replay_live_odds=modelled", "--odds_live=false", "--drain_grace_s=0.1"},
                dir.File("adapter.log"));
  const Ports pad = Ready(dir.File("adapter.json"));
  REQUIRE(WaitFor(
      [&] { return Entries(pa.metrics, "accepted") + Entries(pa.metrics, "denied") >= 20; }, 60));
  agent.Signal(SIGTERM);
  CHECK(agent.Wait(40) == std::optional<int>(0));
  auto pending = r.PendingCount(bus::kMatchLive, bus::kAgentLiveGroup);
  REQUIRE(pending.ok());
  CHECK(*pending == 0);
  // The adapter went on publishing: entries a never read wait for the group (not lost).
  REQUIRE(WaitFor([&] { return Metric(pad.metrics, "adapter_live_feed_done") == 1; }, 60));
  auto lag = r.Undelivered(bus::kMatchLive, bus::kAgentLiveGroup);
  REQUIRE(lag.ok());
  CHECK(*lag > 0);
  auto live = r.Range(bus::kMatchLive);
  REQUIRE(live.ok());
  auto guards = r.KeysWithPrefix("live:decided:");
  REQUIRE(guards.ok());
  CHECK(guards->size() >= 20);
  CHECK(static_cast<int64_t>(guards->size()) + *lag == static_cast<int64_t>(live->size()));
  int published = 0;
  for (const std::string& k : *guards) {
    auto v = r.Get(k);
    REQUIRE(v.ok());
    REQUIRE(v->has_value());
    published += **v == "published";
  }
  auto verified = r.Range(bus::kRiskVerified);
  REQUIRE(verified.ok());
  CHECK(published == static_cast<int>(verified->size()));
  CHECK(Slurp(dir.File("a.log")).find("stopped reading") != std::string::npos);
  // --odds_live=false: nothing on odds.live.
  auto odds = r.Range(bus::kOddsLive);
  REQUIRE(odds.ok());
  CHECK(odds->empty());
  CHECK(Metric(pad.metrics, "adapter_odds_published_total") == 0);
  adapter.Signal(SIGTERM);
  CHECK(adapter.Wait(40) == std::optional<int>(0));
}

}  // namespace
}  // namespace superbet::testing
