// A live agent restarted on its ledger continues where it stopped: a real StatsBomb match
// (3754237) decided half-way through LiveAgent with a ledger, the agent destroyed, a new one
// created on the same file, the rest of the match and its final state decided.
//
// Oracles: the first agent's state at the restart (bankroll, open stake of the match, gate
// counts, settler stats: what a process that never stopped holds); an uninterrupted run of the
// same states on another ledger (its ledger lines, byte for byte); the closed form of the free
// bankroll after the final state, B0 − Σ stakes + Σ gross payouts (stake × decimal odds of each
// winning pick of the recorded final score, from the ledger's own lines).

#include "superbet/agent/ledger_restore.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent_support.h"
#include "google/protobuf/util/json_util.h"
#include "superbet/agent/live_agent.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/scoring/prediction_json.h"

namespace superbet::agent {
namespace {

namespace v1 = superbet::v1;

constexpr double kB0 = 10000;
const absl::Time kT0 = absl::FromUnixSeconds(1450000000);

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The agent writes denied decisions of unquoted states (no odds), which
// scoring::DecisionFromJsonLine refuses: read with protobuf's JSON parser.
v1::Decision Parse(const std::string& line, int n) {
  v1::Decision d;
  auto s = google::protobuf::util::JsonStringToMessage(line, &d);
  INFO("line " << n << ": " << s.ToString());
  REQUIRE(s.ok());
  return d;
}

struct Run {
  agent_testing::TempDir* dir;
  std::string ledger;
  std::unique_ptr<core::MetricsRegistry> registry;
  core::FakeClock clock{kT0};
  std::unique_ptr<LiveAgent> agent;

  Run(agent_testing::TempDir& d, const std::string& name) : dir(&d), ledger(d.File(name)) {}
  void Start() {
    registry = std::make_unique<core::MetricsRegistry>();  // A new process, a new registry.
    LiveAgentOptions o;
    o.checkpoint = dir->File("ckpt");
    o.ledger = ledger;
    o.bankroll = kB0;
    auto a = LiveAgent::Create(o, *registry, clock);
    INFO(a.status().ToString());
    REQUIRE(a.ok());
    agent = *std::move(a);
  }
  void Stop() {
    agent->Shutdown();
    agent.reset();
    registry.reset();
  }
  // Decides state k at kT0 + offset + k minutes (the final state at its minute).
  v1::Decision Decide(const v1::LiveMatchState& s, bool dry_run = false,
                      absl::Duration offset = absl::ZeroDuration()) {
    clock.Set(kT0 + offset + absl::Minutes(s.minute()));
    v1::DecideRequest req;
    *req.add_states() = s;
    req.set_dry_run(dry_run);
    v1::DecideResponse resp;
    REQUIRE(agent->Decide(req, &resp).ok());
    REQUIRE(resp.decisions_size() == 1);
    return resp.decisions(0);
  }
};

TEST_CASE("LiveAgent restarted on its ledger continues where it stopped", "[agent][restore]") {
  agent_testing::TempDir dir;
  REQUIRE(hrl::SaveCheckpoint(dir.File("ckpt"), agent_testing::TinyCheckpoint()).ok());
  const hrl::LiveMatch match = agent_testing::LoadMatch("3754237");
  const std::vector<v1::LiveMatchState> states = agent_testing::QuotedStates(match);
  v1::LiveMatchState final_state = match.full_time;
  *final_state.mutable_kickoff() = states[0].kickoff();
  REQUIRE(final_state.status() == v1::FIXTURE_STATUS_FINISHED);
  const int n = static_cast<int>(states.size());
  for (int k = 0; k < n; ++k) REQUIRE(states[k].minute() == k);

  // The uninterrupted run.
  Run a(dir, "uninterrupted.jsonl");
  a.Start();
  std::vector<int> accepted_at;
  for (int k = 0; k < n; ++k) {
    if (a.Decide(states[k]).verdict() == v1::VERDICT_ACCEPTED) accepted_at.push_back(k);
  }
  a.Decide(final_state);
  const double bankroll_a = a.agent->decider().bankroll();
  const hrl::SettlerStats stats_a = a.agent->settlement()->settler().stats();
  const std::optional<double> budget_a = agent_testing::Sample(*a.registry, "hrl_budget_remaining");
  a.Stop();
  // The restart: half-way, after a bet, with no bet in the 10 minutes before it (the window a
  // restarted decider rebuilds from re-sent states with the restored budget ratio; see
  // LiveDecider::RestoreDecision).
  const int split = agent_testing::QuietRestartMinute(accepted_at, n);
  INFO(accepted_at.size() << " bets accepted, restart before minute " << split);
  REQUIRE(split > 0);

  Run b(dir, "restarted.jsonl");
  b.Start();
  for (int k = 0; k < split; ++k) b.Decide(states[k]);
  const double bankroll_before = b.agent->decider().bankroll();
  const double open_before = b.agent->decider().open_stake(match.match_id);
  const risk::GateCounts counts_before = b.agent->decider().gate_counts();
  const hrl::SettlerStats stats_before = b.agent->settlement()->settler().stats();
  REQUIRE(open_before > 0);
  b.Stop();

  b.Start();                                                // A new agent on the same ledger.
  CHECK(b.agent->decider().bankroll() == bankroll_before);  // Bit for bit.
  CHECK(b.agent->decider().open_stake(match.match_id) == Approx(open_before).epsilon(1e-12));
  const risk::GateCounts counts = b.agent->decider().gate_counts();
  CHECK(counts.accepted == counts_before.accepted);
  CHECK(counts.denied == counts_before.denied);
  CHECK(counts.denied_by_reason == counts_before.denied_by_reason);
  const hrl::SettlerStats stats = b.agent->settlement()->settler().stats();
  CHECK(stats.opened == stats_before.opened);
  CHECK(stats.open == stats_before.open);
  CHECK(stats.settled == stats_before.settled);
  CHECK(stats.budget == stats_before.budget);
  CHECK(b.agent->settlement()->settler().OpenMatchIds() ==
        std::vector<std::string>{match.match_id});
  CHECK(agent_testing::Sample(*b.registry, "hrl_budget_remaining") ==
        Approx(bankroll_before / kB0).epsilon(1e-12));

  // The caller re-sends the match's last 24 states as a dry run (the decider's feature history is
  // not in the ledger; the window's oldest row looks 15 minutes back), then decides the rest and
  // the final state.
  const size_t lines_at_restart = ReadLines(b.ledger).size();
  for (int k = std::max(0, split - 24); k < split; ++k) b.Decide(states[k], /*dry_run=*/true);
  REQUIRE(ReadLines(b.ledger).size() == lines_at_restart);  // A dry run writes nothing.
  for (int k = split; k < n; ++k) b.Decide(states[k]);
  b.Decide(final_state);
  const hrl::SettlerStats stats_b = b.agent->settlement()->settler().stats();
  CHECK(b.agent->decider().bankroll() == bankroll_a);
  CHECK(stats_b.settled == stats_a.settled);
  CHECK(stats_b.open == 0);
  CHECK(b.agent->decider().open_stake(match.match_id) == 0);
  CHECK(agent_testing::Sample(*b.registry, "hrl_budget_remaining") == budget_a);

  // The ledgers: byte for byte (a bet open across the restart settles with the σ its decision
  // line carries, pick_sigma, as it does without the restart).
  const std::vector<std::string> la = ReadLines(a.ledger), lb = ReadLines(b.ledger);
  REQUIRE(la.size() == lb.size());
  const int final_result = final_state.score_home() > final_state.score_away()    ? 0
                           : final_state.score_home() == final_state.score_away() ? 1
                                                                                  : 2;
  double stakes = 0, payouts = 0;
  int settled_across = 0;
  const absl::Time restart_at = kT0 + absl::Minutes(split);
  for (size_t i = 0; i < la.size(); ++i) {
    INFO("line " << i + 1);
    const v1::Decision db = Parse(lb[i], static_cast<int>(i + 1));
    const absl::Time decided = absl::FromUnixSeconds(db.prediction().decided_at().seconds());
    if (db.has_profit() && decided < restart_at) ++settled_across;
    CHECK(lb[i] == la[i]);
    if (db.has_profit()) {
      const int sel = db.prediction().pick() == "home" ? 0 : 2;
      payouts += sel == final_result ? db.stake() * (sel == 0 ? db.prediction().odds().home()
                                                              : db.prediction().odds().away())
                                     : 0.0;
    } else if (db.verdict() == v1::VERDICT_ACCEPTED) {
      stakes += db.stake();
    }
  }
  // The bets accepted before the restart settled after it.
  CHECK(settled_across == stats_before.open);
  CHECK(b.agent->decider().bankroll() == Approx(kB0 - stakes + payouts).epsilon(1e-12));
  b.Stop();
}

TEST_CASE("LiveAgent restarted after a settled match continues its settler statistics",
          "[agent][restore]") {
  // A settled match (3754237, final state included) then a second match (3754300) half-way: the
  // ledger at the restart holds settlement lines. Oracles: the first agent's settler stats (UCB1,
  // WR10, reward Sharpe, reward sum) at the restart, and the uninterrupted run's after the end.
  agent_testing::TempDir dir;
  REQUIRE(hrl::SaveCheckpoint(dir.File("ckpt"), agent_testing::TinyCheckpoint()).ok());
  const hrl::LiveMatch x = agent_testing::LoadMatch("3754237");
  const hrl::LiveMatch y = agent_testing::LoadMatch("3754300");
  const std::vector<v1::LiveMatchState> xs = agent_testing::QuotedStates(x),
                                        ys = agent_testing::QuotedStates(y);
  v1::LiveMatchState x_final = x.full_time, y_final = y.full_time;
  *x_final.mutable_kickoff() = xs[0].kickoff();
  *y_final.mutable_kickoff() = ys[0].kickoff();
  const absl::Duration later = absl::Hours(3);  // Match y is decided after x.
  const int ny = static_cast<int>(ys.size());

  Run a(dir, "uninterrupted.jsonl");
  a.Start();
  for (const v1::LiveMatchState& s : xs) a.Decide(s);
  a.Decide(x_final);
  std::vector<int> accepted_at;
  for (int k = 0; k < ny; ++k) {
    if (a.Decide(ys[k], false, later).verdict() == v1::VERDICT_ACCEPTED) accepted_at.push_back(k);
  }
  a.Decide(y_final, false, later);
  const hrl::SettlerStats end_a = a.agent->settlement()->settler().stats();
  const double bankroll_a = a.agent->decider().bankroll();
  a.Stop();
  const int split = agent_testing::QuietRestartMinute(accepted_at, ny);
  INFO(accepted_at.size() << " bets on " << y.match_id << ", restart before minute " << split);
  REQUIRE(split > 0);

  Run b(dir, "restarted.jsonl");
  b.Start();
  for (const v1::LiveMatchState& s : xs) b.Decide(s);
  b.Decide(x_final);
  for (int k = 0; k < split; ++k) b.Decide(ys[k], false, later);
  const hrl::SettlerStats before = b.agent->settlement()->settler().stats();
  const double bankroll_before = b.agent->decider().bankroll();
  const risk::GateCounts counts_before = b.agent->decider().gate_counts();
  REQUIRE(before.settled > 1);
  REQUIRE(before.reward_sharpe.has_value());
  REQUIRE(before.open > 0);
  b.Stop();

  b.Start();
  const hrl::SettlerStats st = b.agent->settlement()->settler().stats();
  CHECK(st.opened == before.opened);
  CHECK(st.open == before.open);
  CHECK(st.settled == before.settled);
  CHECK(st.matches_settled == before.matches_settled);
  CHECK(st.budget == before.budget);
  CHECK(st.reward_sum == before.reward_sum);  // The rewards recomputed bit for bit.
  CHECK(st.reward_sharpe == before.reward_sharpe);
  CHECK(st.ucb_live == before.ucb_live);
  CHECK(st.win_rate_live == before.win_rate_live);
  CHECK(b.agent->decider().bankroll() == bankroll_before);
  CHECK(b.agent->decider().open_stake(x.match_id) == 0);
  CHECK(b.agent->decider().gate_counts().accepted == counts_before.accepted);
  CHECK(b.agent->settlement()->settler().IsSettled(x.match_id));
  CHECK(agent_testing::Sample(*b.registry, "hrl_ucb_score{agent=\"live\"}") == before.ucb_live);
  CHECK(agent_testing::Sample(*b.registry, "hrl_win_rate_last10{agent=\"live\"}") ==
        before.win_rate_live);
  // The final state of the settled match again: nothing settles twice.
  b.Decide(x_final);
  CHECK(b.agent->settlement()->settler().stats().settled == before.settled);

  for (int k = std::max(0, split - 24); k < split; ++k) b.Decide(ys[k], true, later);
  for (int k = split; k < ny; ++k) b.Decide(ys[k], false, later);
  b.Decide(y_final, false, later);
  const hrl::SettlerStats end_b = b.agent->settlement()->settler().stats();
  CHECK(b.agent->decider().bankroll() == bankroll_a);
  CHECK(end_b.settled == end_a.settled);
  CHECK(end_b.open == 0);
  CHECK(end_b.budget == end_a.budget);
  CHECK(end_b.win_rate_live == end_a.win_rate_live);
  CHECK(end_b.ucb_live == end_a.ucb_live);
  // The rewards of the bets open across the restart used sigma = 1 instead of their own; when
  // their sigma was already 1 the sums agree too.
  CHECK(end_b.reward_sharpe.has_value());
  b.Stop();
}

TEST_CASE("RestoreFromLedger names the file line and field of a bad line", "[agent][restore]") {
  agent_testing::TempDir dir;
  REQUIRE(hrl::SaveCheckpoint(dir.File("ckpt"), agent_testing::TinyCheckpoint()).ok());
  const hrl::LiveMatch match = agent_testing::LoadMatch("3754237");
  const std::vector<v1::LiveMatchState> states = agent_testing::QuotedStates(match);
  const std::string path = dir.File("ledger.jsonl");
  {
    core::MetricsRegistry registry;
    core::FakeClock clock(kT0);
    LiveAgentOptions o;
    o.checkpoint = dir.File("ckpt");
    o.ledger = path;
    auto agent = LiveAgent::Create(o, registry, clock);
    REQUIRE(agent.ok());
    v1::DecideRequest req;
    for (int k = 0; k < 5; ++k) *req.add_states() = states[k];
    v1::DecideResponse resp;
    REQUIRE((*agent)->Decide(req, &resp).ok());
  }
  std::vector<std::string> lines = ReadLines(path);
  REQUIRE(lines.size() == 5);
  auto restore = [&](const std::vector<std::string>& text, double bankroll = kB0) {
    {
      std::ofstream out(path, std::ios::trunc);
      for (const std::string& l : text) out << l << '\n';
    }
    core::MetricsRegistry registry;
    core::FakeClock clock(kT0);
    LiveAgentOptions o;
    o.checkpoint = dir.File("ckpt");
    o.ledger = path;
    o.bankroll = bankroll;
    return LiveAgent::Create(o, registry, clock).status();
  };
  CHECK(restore(lines).ok());
  SECTION("a line that is not JSON") {
    std::vector<std::string> bad = lines;
    bad[2] = "{\"prediction\": ";
    const absl::Status s = restore(bad);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message().find(path + ":3: not a Decision JSON line") != std::string::npos);
  }
  SECTION("a field with a bad value") {
    v1::Decision d = Parse(lines[3], 4);
    d.set_verdict(v1::VERDICT_ACCEPTED);
    d.set_stake(-5);
    auto text = scoring::DecisionToJsonLine(d);
    REQUIRE(text.ok());
    std::vector<std::string> bad = lines;
    bad[3] = *text;
    const absl::Status s = restore(bad);
    INFO(s.ToString());
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message().find(path + ":4: stake must be finite and >= 0, got -5") !=
          std::string::npos);
    CHECK(s.message().find("stake") != std::string::npos);
  }
  SECTION("a settlement line of a bet that is not open") {
    v1::Decision d = Parse(lines[0], 1);
    d.set_verdict(v1::VERDICT_ACCEPTED);
    d.clear_reason();
    d.clear_detail();
    d.set_stake(100);
    d.mutable_prediction()->set_pick("home");
    d.mutable_prediction()->mutable_odds()->set_home(2.5);
    d.mutable_prediction()->set_action(v1::ACTION_BET_HOME);
    d.set_profit(-100);
    auto text = scoring::DecisionToJsonLine(d);
    REQUIRE(text.ok());
    std::vector<std::string> bad = lines;
    bad.push_back(*text);
    const absl::Status s = restore(bad);
    INFO(s.ToString());
    CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(s.message().find(path + ":6: ") != std::string::npos);
    CHECK(s.message().find("no open bet") != std::string::npos);
  }
  SECTION("a ledger of another bankroll") {
    const absl::Status s = restore(lines, 5000);
    INFO(s.ToString());
    CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(s.message().find("bankroll_before 10000") != std::string::npos);
  }
}

}  // namespace
}  // namespace superbet::agent
