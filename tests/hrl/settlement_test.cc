// Settlement of the live worker's bets and their rewards.
//
// Oracle: closed forms evaluated by hand here (not by the code under test) on real prices and
// scores of ../shared/data/football-data/E0_2324.csv: Burnley 0-3 Man City (11/08/2023, Bet365
// 1X2 8 / 5.5 / 1.33) settles a winning bet on the away side (payout stake × 1.33) and a losing
// bet on the home side (payout 0); Arsenal v Nott'm Forest (12/08/2023, Bet365 draw 7) is taken as
// abandoned (a CANCELLED final state) to settle a void bet (payout = stake). The reward is written
// out term by term from the design's formula (ROI/(σρ+ε) − 0.3·max(0, 0.8 − B/B₀) − 0.001·τ/300 +
// 0.2·(WR₁₀ − 1/(ō+ε))), B read after each payout, WR₁₀ and ō over the bets settled so far; the
// UCB1 score from Auer et al. (2002)'s formula; the Sharpe as mean / sample sd of the rewards.

#include "superbet/hrl/settlement.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "superbet/providers/football_data/csv.h"
#include "superbet/scoring/prediction_json.h"
#include "support/test_data.h"

namespace superbet::hrl {
namespace {

namespace v1 = superbet::v1;

struct Row {
  std::string home, away;
  int fthg = -1, ftag = -1;
  double b365h = 0, b365d = 0, b365a = 0;
};

// The E0_2324.csv row of `home` v `away`, read by column name.
Row FindRow(const std::string& home, const std::string& away) {
  const std::string bytes =
      testing::ReadFileOrEmpty(testing::DataPath("football-data/E0_2324.csv"));
  REQUIRE(!bytes.empty());
  auto records = providers::csv::ParseAll(bytes);
  REQUIRE(records.ok());
  REQUIRE(records->size() > 1);
  const std::vector<std::string>& header = (*records)[0];
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    FAIL("no column " << name);
    return size_t{0};
  };
  for (const auto& r : *records) {
    if (r.size() < header.size() || r[col("HomeTeam")] != home || r[col("AwayTeam")] != away) {
      continue;
    }
    return Row{home,
               away,
               std::stoi(r[col("FTHG")]),
               std::stoi(r[col("FTAG")]),
               std::stod(r[col("B365H")]),
               std::stod(r[col("B365D")]),
               std::stod(r[col("B365A")])};
  }
  FAIL("no row " << home << " v " << away);
  return {};
}

v1::Decision Accepted(const std::string& match_id, const Row& row, const std::string& pick,
                      double stake, double confidence, double staleness_s) {
  v1::Decision d;
  v1::Prediction* p = d.mutable_prediction();
  p->set_match_id(match_id);
  p->set_home(row.home);
  p->set_away(row.away);
  p->set_pick(pick);
  p->set_agent("live");
  p->set_confidence(confidence);
  p->mutable_odds()->set_home(row.b365h);
  p->mutable_odds()->set_draw(row.b365d);
  p->mutable_odds()->set_away(row.b365a);
  p->mutable_prob()->set_home(0.2);
  p->mutable_prob()->set_draw(0.2);
  p->mutable_prob()->set_away(0.6);
  p->set_data_staleness_s(staleness_s);
  p->mutable_kickoff()->set_seconds(1691780400);     // 2023-08-11 19:00 UTC (20:00 UK time).
  p->mutable_decided_at()->set_seconds(1691783100);  // 45 minutes later.
  p->set_model_version("test");
  p->set_kelly_fraction(0.1);
  p->set_action(pick == "home" ? v1::ACTION_BET_HOME : v1::ACTION_BET_AWAY);
  d.set_stake(stake);
  d.set_bankroll_before(1000);
  d.set_verdict(v1::VERDICT_ACCEPTED);
  return d;
}

v1::LiveMatchState Final(const std::string& match_id, v1::FixtureStatus status,
                         std::optional<int> home, std::optional<int> away) {
  v1::LiveMatchState s;
  s.set_match_id(match_id);
  s.set_minute(90);
  s.set_status(status);
  if (home) s.set_score_home(*home);
  if (away) s.set_score_away(*away);
  return s;
}

// The design's reward, written out.
double Reward(double payout, double stake, double sigma, double confidence, double b, double b0,
              double tau, double wr, double mean_odds) {
  const double eps = 1e-6;
  const double roi = (payout - stake) / (stake + eps);
  const double rho = 0.5 + (1 - confidence);
  return roi / (sigma * rho + eps) - 0.3 * std::max(0.0, 0.8 - b / b0) - 0.001 * tau / 300 +
         0.2 * (wr - 1 / (mean_odds + eps));
}

TEST_CASE("settlement: a real match's win, loss and void against the closed form", "[settlement]") {
  const Row burnley = FindRow("Burnley", "Man City");
  REQUIRE(burnley.fthg == 0);
  REQUIRE(burnley.ftag == 3);
  REQUIRE(burnley.b365h == 8.0);
  REQUIRE(burnley.b365a == 1.33);
  const Row arsenal = FindRow("Arsenal", "Nott'm Forest");
  REQUIRE(arsenal.b365d == 7.0);
  const std::string m1 = "football-data:E0_2324:Burnley-Man City";
  const std::string m2 = "football-data:E0_2324:Arsenal-Nott'm Forest";

  std::ostringstream ledger;
  SettlerOptions o;
  o.initial_budget = 1000;
  auto settler = BetSettler::Create(o, &ledger);
  REQUIRE(settler.ok());
  BetSettler& s = **settler;
  CHECK(!s.stats().reward_sharpe.has_value());
  CHECK(!s.stats().ucb_live.has_value());
  CHECK(!s.stats().win_rate_live.has_value());

  REQUIRE(s.Open(Accepted(m1, burnley, "away", 50, 0.8, 30), 1.2).ok());
  REQUIRE(s.Open(Accepted(m1, burnley, "home", 250, 0.6, 0), 1.0).ok());
  v1::Decision draw = Accepted(m2, arsenal, "draw", 30, 0.5, 120);
  draw.mutable_prediction()->set_action(v1::ACTION_BET_DRAW);
  REQUIRE(s.Open(draw, 0.5).ok());
  CHECK(s.stats().budget == Approx(1000 - 50 - 250 - 30));
  CHECK(s.stats().open == 3);

  // Burnley 0-3 Man City: the away bet wins, the home bet loses.
  auto first = s.Settle(Final(m1, v1::FIXTURE_STATUS_FINISHED, 0, 3), absl::UnixEpoch());
  REQUIRE(first.ok());
  CHECK(!first->already_settled);
  REQUIRE(first->bets.size() == 2);
  const SettledBet& win = first->bets[0];
  CHECK(win.result == BetResult::kWon);
  CHECK(win.payout == Approx(50 * 1.33));
  CHECK(win.terms.roi == Approx(16.5 / 50.000001));
  CHECK(win.inputs.budget_remaining == Approx(670 + 66.5));
  CHECK(win.terms.budget_penalty == Approx(0.3 * (0.8 - 0.7365)));
  CHECK(win.terms.staleness_penalty == Approx(0.0001));
  CHECK(win.inputs.win_rate_last10 == 1.0);
  CHECK(win.inputs.mean_decimal_odds_last10 == Approx(1.33));
  const double r1 = Reward(66.5, 50, 1.2, 0.8, 736.5, 1000, 30, 1.0, 1.33);
  CHECK(win.terms.reward == Approx(r1).epsilon(1e-12));

  const SettledBet& loss = first->bets[1];
  CHECK(loss.result == BetResult::kLost);
  CHECK(loss.payout == 0.0);
  CHECK(loss.terms.roi == Approx(-250 / 250.000001));
  CHECK(loss.inputs.budget_remaining == Approx(736.5));
  CHECK(loss.inputs.win_rate_last10 == 0.5);
  CHECK(loss.inputs.mean_decimal_odds_last10 == Approx((1.33 + 8) / 2));
  const double r2 = Reward(0, 250, 1.0, 0.6, 736.5, 1000, 0, 0.5, (1.33 + 8) / 2);
  CHECK(loss.terms.reward == Approx(r2).epsilon(1e-12));
  // Sharpe with two rewards: mean / sample sd = ((r1 + r2)/2) / (|r1 − r2| / √2).
  REQUIRE(s.stats().reward_sharpe.has_value());
  CHECK(*s.stats().reward_sharpe == Approx(((r1 + r2) / 2) / (std::abs(r1 - r2) / std::sqrt(2.0))));

  // Arsenal v Nott'm Forest abandoned: the draw bet is void, its stake returned.
  auto second = s.Settle(Final(m2, v1::FIXTURE_STATUS_CANCELLED, std::nullopt, std::nullopt),
                         absl::UnixEpoch());
  REQUIRE(second.ok());
  REQUIRE(second->bets.size() == 1);
  const SettledBet& v = second->bets[0];
  CHECK(v.result == BetResult::kVoid);
  CHECK(v.payout == 30.0);
  CHECK(v.terms.roi == 0.0);
  CHECK(v.inputs.budget_remaining == Approx(766.5));
  CHECK(v.inputs.win_rate_last10 == Approx(1.0 / 3));  // A void is not a win.
  const double mean3 = (1.33 + 8 + 7) / 3;
  const double r3 = Reward(30, 30, 0.5, 0.5, 766.5, 1000, 120, 1.0 / 3, mean3);
  CHECK(v.terms.reward == Approx(r3).epsilon(1e-12));

  const SettlerStats st = s.stats();
  CHECK(st.settled == 3);
  CHECK(st.open == 0);
  CHECK(st.matches_settled == 2);
  CHECK(st.reward_sum == Approx(r1 + r2 + r3));
  CHECK(st.budget == Approx(766.5));
  const double mean = (r1 + r2 + r3) / 3;
  const double sd = std::sqrt(
      ((r1 - mean) * (r1 - mean) + (r2 - mean) * (r2 - mean) + (r3 - mean) * (r3 - mean)) / 2);
  REQUIRE(st.reward_sharpe.has_value());
  CHECK(*st.reward_sharpe == Approx(mean / sd));
  // UCB1: WR + sqrt(2 ln N / (n + 1)), N = 3 settled, n = 3 placed.
  REQUIRE(st.ucb_live.has_value());
  CHECK(*st.ucb_live == Approx(1.0 / 3 + std::sqrt(2 * std::log(3.0) / 4)));
  REQUIRE(st.win_rate_live.has_value());
  CHECK(*st.win_rate_live == Approx(1.0 / 3));

  // The ledger: one settlement line per bet, profit = payout − stake, manager state after.
  std::istringstream in(ledger.str());
  std::string line;
  std::vector<v1::Decision> lines;
  for (int n = 1; std::getline(in, line); ++n) {
    auto d = scoring::DecisionFromJsonLine(line, n);
    INFO(d.status().ToString());
    REQUIRE(d.ok());
    lines.push_back(*d);
  }
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].profit() == Approx(16.5));
  CHECK(lines[1].profit() == Approx(-250));
  CHECK(lines[2].profit() == 0.0);
  CHECK(lines[0].manager().budget_remaining() == Approx(0.7365));
  CHECK(lines[0].manager().market_volatility() == 1.2);
  CHECK(lines[0].manager().risk_score() == Approx(0.7));
  CHECK(lines[2].manager().data_staleness() == Approx(0.4));
  CHECK(lines[2].manager().live_agent_wr() == Approx(1.0 / 3));
}

TEST_CASE("settlement: a final state delivered twice settles once, a late bet is refused",
          "[settlement]") {
  const Row burnley = FindRow("Burnley", "Man City");
  const std::string m1 = "football-data:E0_2324:Burnley-Man City";
  std::ostringstream ledger;
  auto settler = BetSettler::Create({}, &ledger);
  REQUIRE(settler.ok());
  BetSettler& s = **settler;
  REQUIRE(s.Open(Accepted(m1, burnley, "away", 500, 0.9, 10), 1.0).ok());
  const v1::LiveMatchState fin = Final(m1, v1::FIXTURE_STATUS_FINISHED, 0, 3);
  auto a = s.Settle(fin, absl::UnixEpoch());
  REQUIRE(a.ok());
  CHECK(a->bets.size() == 1);
  const std::string after_first = ledger.str();
  const SettlerStats before = s.stats();

  auto again = s.Settle(fin, absl::UnixEpoch() + absl::Seconds(5));
  REQUIRE(again.ok());
  CHECK(again->already_settled);
  CHECK(again->bets.empty());
  CHECK(ledger.str() == after_first);
  CHECK(s.stats().settled == before.settled);
  CHECK(s.stats().reward_sum == before.reward_sum);
  CHECK(s.stats().budget == before.budget);
  CHECK(s.IsSettled(m1));

  absl::Status late = s.Open(Accepted(m1, burnley, "away", 10, 0.9, 10), 1.0);
  CHECK(absl::IsFailedPrecondition(late));
  CHECK(s.stats().refused == 1);
  CHECK(s.stats().open == 0);
}

TEST_CASE("settlement: bad input is refused with the field and value", "[settlement]") {
  const Row burnley = FindRow("Burnley", "Man City");
  auto settler = BetSettler::Create({});
  REQUIRE(settler.ok());
  BetSettler& s = **settler;
  v1::Decision d = Accepted("m", burnley, "away", 50, 0.8, 30);
  d.set_verdict(v1::VERDICT_DENIED);
  CHECK(absl::IsInvalidArgument(s.Open(d, 1)));
  d = Accepted("m", burnley, "away", 50, 0.8, 30);
  d.mutable_prediction()->clear_data_staleness_s();
  absl::Status st = s.Open(d, 1);
  CHECK(absl::IsInvalidArgument(st));
  CHECK(std::string(st.message()).find("data_staleness_s") != std::string::npos);
  d = Accepted("m", burnley, "away", -5, 0.8, 30);
  st = s.Open(d, 1);
  CHECK(std::string(st.message()).find("got -5") != std::string::npos);
  d = Accepted("m", burnley, "away", 50, 0.8, 30);
  d.mutable_prediction()->mutable_odds()->set_away(0.97);
  CHECK(absl::IsInvalidArgument(s.Open(d, 1)));
  CHECK(s.stats().refused == 4);
  CHECK(s.stats().opened == 0);

  // A state that is not final, or a FINISHED one without its score, settles nothing.
  v1::LiveMatchState live = Final("m", v1::FIXTURE_STATUS_LIVE, 0, 0);
  CHECK(absl::IsFailedPrecondition(s.Settle(live, absl::UnixEpoch()).status()));
  v1::LiveMatchState no_score = Final("m", v1::FIXTURE_STATUS_FINISHED, 1, std::nullopt);
  CHECK(absl::IsInvalidArgument(s.Settle(no_score, absl::UnixEpoch()).status()));
  CHECK(!s.IsSettled("m"));
  CHECK(absl::IsInvalidArgument(GrossPayout(10, 1.0, BetResult::kWon).status()));
  CHECK(absl::IsInvalidArgument(ResultOfPick("over", 0).status()));
  CHECK(!BetSettler::Create(SettlerOptions{1000, 10, 1, {}}).ok());
}

TEST_CASE("settlement: PickSigma follows the live worker's convention", "[settlement]") {
  // Oracle: reward::Sigma's definition by hand. Prices 2.0, 2.2, 2.0 of the away side at
  // minutes 8..10: changes ln 1.1 and −ln 1.1, sample sd = √2 · ln 1.1; over median 0.05.
  std::map<int, v1::LiveMatchState> history;
  for (int m : {8, 9}) {
    v1::LiveMatchState h;
    h.set_minute(m);
    h.mutable_live_odds()->set_home(3);
    h.mutable_live_odds()->set_draw(3);
    h.mutable_live_odds()->set_away(m == 8 ? 2.0 : 2.2);
    history[m] = h;
  }
  v1::LiveMatchState now;
  now.set_minute(10);
  now.mutable_live_odds()->set_home(3);
  now.mutable_live_odds()->set_draw(3);
  now.mutable_live_odds()->set_away(2.0);
  CHECK(PickSigma(now, history, 2, 0.05) == Approx(std::sqrt(2.0) * std::log(1.1) / 0.05));
  CHECK(PickSigma(now, history, 0, 0.05) == Approx(0.1));  // Constant price: the floor.
  history.erase(8);
  CHECK(PickSigma(now, history, 2, 0.05) == 1.0);  // Two quoted minutes: the convention's 1.
}

}  // namespace
}  // namespace superbet::hrl

namespace superbet::hrl {
namespace {

TEST_CASE("settlement: PayoutOfSettlementLine reads won, void and lost back from the profit",
          "[settlement]") {
  // Oracle: the closed form of GrossPayout at stake 5 and decimal odds 2.5 (won 12.5, void 5,
  // lost 0; profit = payout - stake).
  v1::Decision line;
  line.set_stake(5);
  line.mutable_prediction()->set_pick("away");
  line.mutable_prediction()->mutable_odds()->set_away(2.5);
  CHECK(PayoutOfSettlementLine(line).status().message() ==
        "profit is absent: not a settlement line");
  const std::vector<std::pair<double, std::pair<BetResult, double>>> cases = {
      {7.5, {BetResult::kWon, 12.5}}, {0, {BetResult::kVoid, 5}}, {-5, {BetResult::kLost, 0}}};
  for (const auto& [profit, want] : cases) {
    line.set_profit(profit);
    absl::StatusOr<SettlementLinePayout> got = PayoutOfSettlementLine(line);
    REQUIRE(got.ok());
    CHECK(got->result == want.first);
    CHECK(got->payout == want.second);
  }
  line.set_profit(10);
  CHECK(PayoutOfSettlementLine(line).status().message() ==
        "profit 10 is none of won (7.5), void (0) or lost (-5) for stake 5 at odds 2.5");
  line.set_profit(7.5);
  line.mutable_prediction()->set_pick("draw");
  CHECK(PayoutOfSettlementLine(line).status().message() ==
        "prediction.odds.draw must be finite and > 1");
}

TEST_CASE("settlement: RestoreSettlement replays settlement lines into the same statistics",
          "[settlement][restore]") {
  // Oracle: the settler that settled the bets (Settle) and wrote the lines; a second settler
  // reopens the same bets (sigma 1, the restore's convention when the decision line has none) and
  // replays the lines: stats equal exactly, because the reward takes sigma from the line.
  const Row burnley = FindRow("Burnley", "Man City");
  const Row arsenal = FindRow("Arsenal", "Nott'm Forest");
  const std::string m1 = "football-data:E0_2324:Burnley-Man City";
  const std::string m2 = "football-data:E0_2324:Arsenal-Nott'm Forest";
  const v1::Decision away = Accepted(m1, burnley, "away", 50, 0.8, 30);
  const v1::Decision home = Accepted(m1, burnley, "home", 250, 0.6, 0);
  v1::Decision draw = Accepted(m2, arsenal, "draw", 30, 0.5, 120);
  draw.mutable_prediction()->set_action(v1::ACTION_BET_DRAW);
  SettlerOptions o;
  o.initial_budget = 1000;
  std::ostringstream ledger;
  auto first = BetSettler::Create(o, &ledger);
  REQUIRE(first.ok());
  REQUIRE((*first)->Open(away, 1.2).ok());
  REQUIRE((*first)->Open(home, 1.0).ok());
  REQUIRE((*first)->Open(draw, 0.5).ok());
  REQUIRE((*first)->Settle(Final(m1, v1::FIXTURE_STATUS_FINISHED, 0, 3), absl::UnixEpoch()).ok());
  REQUIRE((*first)
              ->Settle(Final(m2, v1::FIXTURE_STATUS_CANCELLED, std::nullopt, std::nullopt),
                       absl::UnixEpoch())
              .ok());
  std::vector<v1::Decision> lines;
  std::istringstream in(ledger.str());
  std::string text;
  for (int n = 1; std::getline(in, text); ++n) {
    auto d = scoring::DecisionFromJsonLine(text, n);
    REQUIRE(d.ok());
    lines.push_back(*d);
  }
  REQUIRE(lines.size() == 3);

  auto second = BetSettler::Create(o);
  REQUIRE(second.ok());
  BetSettler& s = **second;
  REQUIRE(s.Open(away, 1.0).ok());
  REQUIRE(s.Open(home, 1.0).ok());
  REQUIRE(s.Open(draw, 1.0).ok());
  SECTION("the lines in order: the same statistics") {
    for (const v1::Decision& line : lines) REQUIRE(s.RestoreSettlement(line).ok());
    const SettlerStats a = (*first)->stats(), b = s.stats();
    CHECK(b.opened == a.opened);
    CHECK(b.open == 0);
    CHECK(b.settled == 3);
    CHECK(b.matches_settled == 2);
    CHECK(b.budget == a.budget);
    CHECK(b.reward_sum == a.reward_sum);
    CHECK(b.reward_sharpe == a.reward_sharpe);
    CHECK(b.ucb_live == a.ucb_live);
    CHECK(b.win_rate_live == a.win_rate_live);
    CHECK(b.win_rate_live == Approx(1.0 / 3));  // won, lost, void
    // A settled match settles nothing again, and takes no new bet.
    auto again = s.Settle(Final(m1, v1::FIXTURE_STATUS_FINISHED, 0, 3), absl::UnixEpoch());
    REQUIRE(again.ok());
    CHECK(again->already_settled);
    CHECK(s.Open(away, 1.0).code() == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("only the first match's lines: the other bet stays open and settles later") {
    REQUIRE(s.RestoreSettlement(lines[0]).ok());
    REQUIRE(s.RestoreSettlement(lines[1]).ok());
    CHECK(s.stats().open == 1);
    CHECK(s.OpenMatchIds() == std::vector<std::string>{m2});
    auto later = s.Settle(Final(m2, v1::FIXTURE_STATUS_CANCELLED, std::nullopt, std::nullopt),
                          absl::UnixEpoch());
    REQUIRE(later.ok());
    REQUIRE(later->bets.size() == 1);
    CHECK(later->bets[0].payout == 30.0);
    CHECK(later->bets[0].inputs.sigma == 1.0);  // Reopened with sigma 1.
    CHECK(s.stats().budget == (*first)->stats().budget);
  }
  SECTION("bad lines are refused, naming the problem, and change nothing") {
    v1::Decision no_profit = lines[0];
    no_profit.clear_profit();
    CHECK(s.RestoreSettlement(no_profit).code() == absl::StatusCode::kInvalidArgument);
    v1::Decision wrong = lines[0];
    wrong.set_profit(10);  // Neither 50 x 1.33 - 50 = 16.5, 0 nor -50.
    const absl::Status w = s.RestoreSettlement(wrong);
    CHECK(w.code() == absl::StatusCode::kInvalidArgument);
    CHECK(w.message().find("profit 10 is none of won") != std::string::npos);
    // The second bet's line first: it is not the first open bet of its match.
    const absl::Status order = s.RestoreSettlement(lines[1]);
    CHECK(order.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(order.message().find("is not its first open bet") != std::string::npos);
    v1::Decision other = lines[0];
    other.mutable_prediction()->set_match_id("football-data:E0_2324:nowhere");
    CHECK(s.RestoreSettlement(other).code() == absl::StatusCode::kFailedPrecondition);
    CHECK(s.stats().open == 3);
    CHECK(s.stats().settled == 0);
  }
}

}  // namespace
}  // namespace superbet::hrl
