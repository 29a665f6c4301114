// agent-svc settles the live worker's bets and exports the reward metrics, as real processes on
// 127.0.0.1: a redis-server (free port, temp dir), adapter-svc replaying two recorded StatsBomb
// matches (3754237, 3754300; modelled in-play prices) into match.live, and one agent-svc with
// --redis and --ledger. Each match's last state is FINISHED with its final score; agent-svc
// settles the match's accepted bets then.
//
// Oracles, independent of the settlement code: the --ledger file (the decider's Decision lines
// and the settlement lines, in the order they happened) recomputes every reward from the design's
// formula written out here: payout = stake + profit, checked against the pick's odds and the
// recorded final score (the FINISHED entry read back from Redis); B = B₀ − stakes of the bets
// accepted so far + payouts so far; ρ = 0.5 + (1 − confidence); τ the decision's staleness;
// WR₁₀ and ō over the last 10 settled bets; σ as recorded on the line. Then /metrics must show
// hrl_reward_count = the accepted bets of the ledger, hrl_reward_sum = the recomputed sum, the
// buckets, the Sharpe (mean / sample sd of the last 100), UCB1 (Auer et al. 2002) and WR₁₀. A
// FINISHED state added again (the same entry's fields; and the same state a minute later, which
// the per-minute guard does not catch) settles nothing. hrl_budget_remaining is the ledger's final
// B / B₀ (the payouts credited back to the decider's bankroll). promtool checks the scrape. With
// two replicas, each settles its own bets, also when the other read the match's final state.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "services/live_support.h"
#include "services/process.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/hrl/checkpoint.h"
#include "support/redis_server.h"
#include "support/test_data.h"

namespace superbet::testing {
namespace {

namespace bus = superbet::bus;
namespace v1 = superbet::v1;

constexpr double kB0 = 10000;

double Metric(int port, const std::string& series) {
  return MetricValue(HttpGet(port, "/metrics").second, series).value_or(0.0);
}

double EntriesAcked(int port) {
  double n = 0;
  for (const char* o : {"accepted", "denied", "dlq", "duplicate"}) {
    n += Metric(port, std::string("hrl_live_entries_total{outcome=\"") + o + "\"}");
  }
  return n;
}

double PickOdds(const v1::Prediction& p) {
  return p.pick() == "home"   ? p.odds().home()
         : p.pick() == "draw" ? p.odds().draw()
                              : p.odds().away();
}

struct Recomputed {
  int accepted = 0;  // Accepted decision lines.
  int settled = 0;   // Settlement lines.
  double sum = 0;
  std::vector<double> rewards;
  int wins_last10 = 0;
  int window = 0;
  double budget = kB0;  // B₀ − the accepted stakes + the payouts of the settled bets.
  int won = 0;          // Settled bets that won (payout = stake × odds).
  int voided = 0;       // Settled bets of a CANCELLED match (payout = stake).
};

// Replays the ledger file: the design's reward for every settlement line.
Recomputed Recompute(const std::string& ledger,
                     const std::map<std::string, v1::LiveMatchState>& finals) {
  Recomputed out;
  double budget = kB0;
  std::deque<std::pair<bool, double>> last10;  // (won, odds)
  std::map<std::string, int> open_by_match;
  std::istringstream in(ledger);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    // Protobuf's own JSON parser: the decider also ledgers denied decisions on unquoted prices,
    // which the strict line reader refuses (no odds).
    std::optional<v1::Decision> d(std::in_place);
    const auto parsed = google::protobuf::util::JsonStringToMessage(line, &*d);
    INFO("ledger line " << n << ": " << parsed.ToString());
    REQUIRE(parsed.ok());
    const v1::Prediction& p = d->prediction();
    if (!d->has_profit()) {
      if (d->verdict() == v1::VERDICT_ACCEPTED) {
        ++out.accepted;
        budget -= d->stake();
        ++open_by_match[p.match_id()];
      }
      continue;
    }
    ++out.settled;
    REQUIRE(open_by_match[p.match_id()] > 0);  // A settlement line follows its bet.
    --open_by_match[p.match_id()];
    const double odds = PickOdds(p);
    const double payout = d->stake() + d->profit();
    // The recorded final score decides: the pick's team won (payout = stake × odds) or not (0).
    auto f = finals.find(p.match_id());
    REQUIRE(f != finals.end());
    const int hs = f->second.score_home(), as = f->second.score_away();
    const std::string winner = hs > as ? "home" : hs == as ? "draw" : "away";
    // A CANCELLED final state voids the bet: the stake comes back (not a win).
    const bool voided = f->second.status() == v1::FIXTURE_STATUS_CANCELLED;
    const bool won = !voided && p.pick() == winner;
    CHECK(payout == Approx(voided ? d->stake() : won ? d->stake() * odds : 0.0).margin(1e-9));
    budget += payout;
    out.won += won;
    out.voided += voided;
    last10.emplace_back(won, odds);
    if (last10.size() > 10) last10.pop_front();
    double wins = 0, odds_sum = 0;
    for (const auto& [w, o] : last10) {
      wins += w;
      odds_sum += o;
    }
    const double wr = wins / last10.size(), mean_odds = odds_sum / last10.size();
    const double eps = 1e-6;
    const double rho = 0.5 + (1 - p.confidence());
    const double sigma = d->manager().market_volatility();
    CHECK(d->manager().budget_remaining() == Approx(budget / kB0));
    CHECK(d->manager().live_agent_wr() == Approx(wr));
    const double r = ((payout - d->stake()) / (d->stake() + eps)) / (sigma * rho + eps) -
                     0.3 * std::max(0.0, 0.8 - budget / kB0) - 0.001 * p.data_staleness_s() / 300 +
                     0.2 * (wr - 1 / (mean_odds + eps));
    out.rewards.push_back(r);
    out.sum += r;
    out.wins_last10 = static_cast<int>(wins);
    out.window = static_cast<int>(last10.size());
  }
  out.budget = budget;
  return out;
}

TEST_CASE("agent-svc settles finished matches once: /metrics rewards equal the ledger's",
          "[services][settlement]") {
  TempDir dir;
  WriteTinyCheckpoint(dir);
  ConnectedRedis redis;
  bus::Transport& r = redis.transport();

  Child agent({AGENT_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
               "--ports_file=" + dir.File("agent.json"), "--checkpoint=" + dir.File("ckpt"),
               "--redis=" + redis.url(), "--consumer=a", "--ledger=" + dir.File("ledger.jsonl"),
               "--drain_grace_s=0.1"},
              dir.File("agent.log"));
  const Ports pa = Ready(dir.File("agent.json"));
  // Absent means absent: nothing has settled, so no reward series yet.
  {
    const std::string m = HttpGet(pa.metrics, "/metrics").second;
    CHECK(!MetricValue(m, "hrl_reward_count").has_value());
    CHECK(!MetricValue(m, "hrl_reward_sharpe").has_value());
    CHECK(!MetricValue(m, "hrl_ucb_score{agent=\"live\"}").has_value());
    CHECK(!MetricValue(m, "hrl_win_rate_last10{agent=\"live\"}").has_value());
  }

  Child adapter({ADAPTER_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                 "--ports_file=" + dir.File("adapter.json"), "--replay=" + DataDir(),
                 "--matches=3754237,3754300", "--speed=60000", "--redis=" + redis.url(),
                 "--replay_live_odds=modelled", "--drain_grace_s=0.1"},
                dir.File("adapter.log"));
  const Ports pad = Ready(dir.File("adapter.json"));
  REQUIRE(WaitFor([&] { return Metric(pad.metrics, "adapter_live_feed_done") == 1; }, 120));
  auto live = r.Range(bus::kMatchLive);
  REQUIRE(live.ok());
  const double n = static_cast<double>(live->size());
  REQUIRE(WaitFor([&] { return EntriesAcked(pa.metrics) == n; }, 120));

  // The final states as recorded on the stream: one FINISHED state per match, with its score.
  std::map<std::string, v1::LiveMatchState> finals;
  std::map<std::string, bus::Entry> final_entries;
  for (const auto& e : *live) {
    auto p = bus::ParseLiveFeedEntry(e);
    REQUIRE(p.ok());
    if (p->update.state().status() == v1::FIXTURE_STATUS_FINISHED) {
      CHECK(finals.count(p->update.state().match_id()) == 0);
      finals[p->update.state().match_id()] = p->update.state();
      final_entries.emplace(p->update.state().match_id(), e);
    }
  }
  REQUIRE(finals.size() == 2);
  for (const auto& [id, s] : finals) {
    INFO(id);
    CHECK(s.has_score_home());
    CHECK(s.has_score_away());
  }

  const Recomputed want = Recompute(Slurp(dir.File("ledger.jsonl")), finals);
  REQUIRE(want.accepted > 0);
  std::printf("settlement: %zu entries, %d accepted bets, %d settled (%d won), reward sum %.6f\n",
              live->size(), want.accepted, want.settled, want.won, want.sum);
  const std::string m = HttpGet(pa.metrics, "/metrics").second;
  INFO(m);
  // Bets accepted on a final state would not be settled (refused): none here.
  CHECK(MetricValue(m, "hrl_settle_refused_total").value_or(-1) == 0);
  CHECK(want.settled == want.accepted);
  CHECK(MetricValue(m, "hrl_reward_count") == Approx(want.accepted));
  CHECK(MetricValue(m, "hrl_reward_sum").value_or(1e300) == Approx(want.sum).margin(1e-9));
  // The payouts came back to the decider's bankroll: its budget is the ledger's B / B₀ (issue 17:
  // it only went down).
  CHECK(MetricValue(m, "hrl_budget_remaining").value_or(-1) ==
        Approx(want.budget / kB0).epsilon(1e-12));
  for (double le : {-2.0, -1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 2.0, 5.0}) {
    const double below =
        std::count_if(want.rewards.begin(), want.rewards.end(), [&](double x) { return x <= le; });
    std::ostringstream series;
    series << "hrl_reward_bucket{le=\"" << le << "\"}";
    INFO(series.str());
    CHECK(MetricValue(m, series.str()) == Approx(below));
  }
  if (want.rewards.size() >= 2) {
    const size_t k = std::min<size_t>(want.rewards.size(), 100);
    const std::vector<double> tail(want.rewards.end() - k, want.rewards.end());
    const double mean = std::accumulate(tail.begin(), tail.end(), 0.0) / k;
    double ss = 0;
    for (double x : tail) ss += (x - mean) * (x - mean);
    CHECK(MetricValue(m, "hrl_reward_sharpe").value_or(1e300) ==
          Approx(mean / std::sqrt(ss / (k - 1))));
  }
  const double wr = static_cast<double>(want.wins_last10) / want.window;
  CHECK(MetricValue(m, "hrl_win_rate_last10{agent=\"live\"}").value_or(-1) == Approx(wr));
  CHECK(MetricValue(m, "hrl_ucb_score{agent=\"live\"}").value_or(-1) ==
        Approx(wr +
               std::sqrt(2 * std::log(static_cast<double>(want.settled)) / (want.accepted + 1))));
  {
    std::ofstream out(dir.File("metrics.txt"));
    out << m;
  }
  const int rc = Shell("promtool check metrics < " + dir.File("metrics.txt") + " > " +
                       dir.File("promtool.txt") + " 2>&1");
  INFO(Slurp(dir.File("promtool.txt")));
  CHECK(rc == 0);

  // Redelivery: the same FINISHED entry again (the per-minute guard acks it as a duplicate), and
  // the same FINISHED state a minute later (decided, reaches the settlement): nothing settles.
  const std::string ledger_before = Slurp(dir.File("ledger.jsonl"));
  const std::string id = finals.begin()->first;
  REQUIRE(r.Add(bus::kMatchLive, final_entries.at(id).fields).ok());
  v1::LiveMatchUpdate later;
  *later.mutable_state() = finals.at(id);
  later.mutable_state()->set_minute(finals.at(id).minute() + 1);
  later.set_finished(true);
  auto fields = bus::LiveFeedFields(later, "replay");
  REQUIRE(fields.ok());
  REQUIRE(r.Add(bus::kMatchLive, *fields).ok());
  REQUIRE(WaitFor([&] { return EntriesAcked(pa.metrics) == n + 2; }, 60));
  const std::string after = HttpGet(pa.metrics, "/metrics").second;
  CHECK(MetricValue(after, "hrl_reward_count") == Approx(want.accepted));
  CHECK(MetricValue(after, "hrl_reward_sum").value_or(1e300) == Approx(want.sum).margin(1e-9));
  CHECK(MetricValue(after, "hrl_budget_remaining").value_or(-1) ==
        Approx(want.budget / kB0).epsilon(1e-12));  // Credited once.
  int settlement_lines_before = 0, settlement_lines_after = 0;
  for (auto [text, count] : {std::pair<std::string, int*>{ledger_before, &settlement_lines_before},
                             {Slurp(dir.File("ledger.jsonl")), &settlement_lines_after}}) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) *count += line.find("\"profit\"") != std::string::npos;
  }
  CHECK(settlement_lines_before == want.settled);
  CHECK(settlement_lines_after == settlement_lines_before);
  CHECK(Slurp(dir.File("agent.log")).find("already settled") != std::string::npos);

  // Issue 17: the payouts must come back to the decider's bankroll. The recorded matches' bets
  // may all lose (payout 0), so a match is replayed once more under another id, its last state
  // CANCELLED (abandoned): every bet on it is void and its stake is credited back.
  const std::string void_id = "statsbomb:void-" + id;
  int void_entries = 0;
  for (const auto& e : *live) {
    auto p = bus::ParseLiveFeedEntry(e);
    REQUIRE(p.ok());
    if (p->update.state().match_id() != "statsbomb:3754237") continue;
    v1::LiveMatchUpdate u = p->update;
    u.mutable_state()->set_match_id(void_id);
    if (u.state().status() == v1::FIXTURE_STATUS_FINISHED) {
      u.mutable_state()->set_status(v1::FIXTURE_STATUS_CANCELLED);
    }
    auto f = bus::LiveFeedFields(u, "replay");
    REQUIRE(f.ok());
    REQUIRE(r.Add(bus::kMatchLive, *f).ok());
    ++void_entries;
  }
  REQUIRE(void_entries > 0);
  REQUIRE(WaitFor([&] { return EntriesAcked(pa.metrics) == n + 2 + void_entries; }, 60));
  std::map<std::string, v1::LiveMatchState> with_void = finals;
  with_void[void_id] = finals.at("statsbomb:3754237");
  with_void[void_id].set_status(v1::FIXTURE_STATUS_CANCELLED);
  const Recomputed all = Recompute(Slurp(dir.File("ledger.jsonl")), with_void);
  std::printf("settlement: with the void match: %d accepted, %d settled (%d won, %d void)\n",
              all.accepted, all.settled, all.won, all.voided);
  REQUIRE(all.voided > 0);  // Stakes were credited back.
  CHECK(all.settled == all.accepted);
  const std::string last = HttpGet(pa.metrics, "/metrics").second;
  // hrl_budget_remaining = (B₀ − stakes + payouts) / B₀ from the ledger (was B₀ − stakes).
  CHECK(MetricValue(last, "hrl_budget_remaining").value_or(-1) ==
        Approx(all.budget / kB0).epsilon(1e-12));

  agent.Signal(SIGTERM);
  adapter.Signal(SIGTERM);
  CHECK(agent.Wait(40) == std::optional<int>(0));
  CHECK(adapter.Wait(40) == std::optional<int>(0));
}

TEST_CASE("two agent-svc replicas each settle their own bets, whichever reads the final state",
          "[services][settlement]") {
  TempDir dir;
  WriteTinyCheckpoint(dir);
  ConnectedRedis redis;
  bus::Transport& r = redis.transport();
  auto agent = [&](const std::string& name) {
    return std::make_unique<Child>(
        std::vector<std::string>{
            AGENT_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
            "--ports_file=" + dir.File(name + ".json"), "--checkpoint=" + dir.File("ckpt"),
            "--redis=" + redis.url(), "--consumer=" + name, "--ledger=" + dir.File(name + ".jsonl"),
            "--drain_grace_s=0.1"},
        dir.File(name + ".log"));
  };
  auto a = agent("a");
  auto b = agent("b");
  const Ports pa = Ready(dir.File("a.json"));
  const Ports pb = Ready(dir.File("b.json"));
  // Entries arrive at a pace (one match minute every 5 ms) so both replicas read some.
  Child adapter({ADAPTER_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                 "--ports_file=" + dir.File("adapter.json"), "--replay=" + DataDir(),
                 "--matches=3754237,3754300", "--speed=12000", "--redis=" + redis.url(),
                 "--replay_live_odds=modelled", "--drain_grace_s=0.1"},
                dir.File("adapter.log"));
  const Ports pad = Ready(dir.File("adapter.json"));
  REQUIRE(WaitFor([&] { return Metric(pad.metrics, "adapter_live_feed_done") == 1; }, 120));
  auto live = r.Range(bus::kMatchLive);
  REQUIRE(live.ok());
  const double n = static_cast<double>(live->size());
  REQUIRE(WaitFor([&] { return EntriesAcked(pa.metrics) + EntriesAcked(pb.metrics) == n; }, 120));
  std::map<std::string, v1::LiveMatchState> finals;
  for (const auto& e : *live) {
    auto p = bus::ParseLiveFeedEntry(e);
    REQUIRE(p.ok());
    if (p->update.state().status() == v1::FIXTURE_STATUS_FINISHED) {
      finals[p->update.state().match_id()] = p->update.state();
    }
  }
  REQUIRE(finals.size() == 2);
  int with_bets = 0;
  for (const auto& [name, port] :
       {std::pair<std::string, int>{"a", pa.metrics}, {"b", pb.metrics}}) {
    INFO("replica " << name);
    // The other replica's final state is looked up at most once a second.
    double accepted = 0;
    REQUIRE(WaitFor(
        [&] {
          accepted = Recompute(Slurp(dir.File(name + ".jsonl")), finals).accepted;
          return Metric(port, "hrl_reward_count") == accepted;
        },
        30));
    const Recomputed want = Recompute(Slurp(dir.File(name + ".jsonl")), finals);
    std::printf("settlement: replica %s: %d accepted bets, %d settled, reward sum %.6f\n",
                name.c_str(), want.accepted, want.settled, want.sum);
    with_bets += want.accepted > 0;
    CHECK(want.settled == want.accepted);
    CHECK(Metric(port, "hrl_settle_refused_total") == 0);
    CHECK(Metric(port, "hrl_reward_sum") == Approx(want.sum).margin(1e-9));
    CHECK(Metric(port, "hrl_budget_remaining") == Approx(want.budget / kB0).epsilon(1e-12));
  }
  CHECK(with_bets == 2);  // Both replicas held bets: the test covers the shared final states.
  a->Signal(SIGTERM);
  b->Signal(SIGTERM);
  adapter.Signal(SIGTERM);
  CHECK(a->Wait(40) == std::optional<int>(0));
  CHECK(b->Wait(40) == std::optional<int>(0));
  CHECK(adapter.Wait(40) == std::optional<int>(0));
}

}  // namespace
}  // namespace superbet::testing
