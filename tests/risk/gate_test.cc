// RiskGate: each rule denies its own case with its stable reason id and a detail naming the
// offending value; a value equal to a limit passes.
// Oracle: the rule table of superbet/risk/gate.h (the decision core's rules: not no_bet, stake
// <= 5 % of bankroll and <= bankroll, staleness <= 300 s, Kelly > 0) with hand-picked values on
// each side of every limit. The match is real: Man United v Tottenham, 2015-08-08 (E0_1516.csv).

#include "superbet/risk/gate.h"

#include <string>
#include <vector>

#include "catch2/catch.hpp"
#include "google/protobuf/util/time_util.h"
#include "superbet/providers/api_football/api_football.h"
#include "superbet/providers/replay_provider.h"
#include "support/test_data.h"

namespace risk = superbet::risk;
namespace v1 = superbet::v1;
using google::protobuf::util::TimeUtil;

namespace {

// Home at 1.65 with p = 0.7: Kelly = (0.7 * 1.65 - 1)/0.65 = 0.23077 > 0.
v1::Prediction Bet(const std::string& match = "football-data:E0:2015-08-08:Man United:Tottenham",
                   int64_t decided_unix = 1439020800 /* 2015-08-08T08:00:00Z */) {
  v1::Prediction p;
  p.set_match_id(match);
  p.set_pick("home");
  p.set_action(v1::ACTION_BET_HOME);
  p.mutable_prob()->set_home(0.7);
  p.mutable_odds()->set_home(1.65);
  p.mutable_odds()->set_draw(4.0);
  p.mutable_odds()->set_away(6.0);
  p.set_kelly_fraction((0.7 * 1.65 - 1) / 0.65);
  p.set_data_staleness_s(10);
  *p.mutable_decided_at() = TimeUtil::SecondsToTimestamp(decided_unix);
  return p;
}

risk::RiskGate Gate(const risk::RiskLimits& limits = {}) {
  auto g = risk::RiskGate::Create(limits);
  REQUIRE(g.ok());
  return *std::move(g);
}

std::string DenyReason(risk::RiskGate& gate, const v1::Prediction& p, double stake, double bankroll,
                       std::string* detail = nullptr) {
  const risk::GateVerdict v = gate.Check(p, stake, bankroll);
  if (v.accepted) return "accepted";
  if (detail != nullptr) *detail = v.detail;
  return std::string(risk::DenialReasonId(*v.reason));
}

// Real recorded states and the status each provider's mapping gives them (the oracle):
// API-Football fixtures?live=all of 2021-04-21 ("1H" / "2H": in play), the Bundesliga 2023
// fixtures not yet played ("NS": scheduled), the Manchester United v Manchester City
// head-to-head ("FT": finished), and the last state of a StatsBomb timeline (FINISHED, the minute
// after the last live one: the state agent-svc bet on, issue 17).
std::vector<v1::LiveMatchState> RecordedStates(const std::string& api_football_file) {
  const std::string body =
      superbet::testing::ReadFileOrEmpty(superbet::testing::DataPath(api_football_file));
  REQUIRE_FALSE(body.empty());
  auto states = superbet::providers::api_football::MapLiveStates(body);
  INFO(api_football_file << ": " << states.status().ToString());
  REQUIRE(states.ok());
  REQUIRE_FALSE(states->empty());
  return *states;
}

std::string DenyReasonIn(risk::RiskGate& gate, const v1::Prediction& p,
                         const risk::MatchContext& match, std::string* detail = nullptr,
                         double stake = 5.0) {
  const risk::GateVerdict v = gate.Check(p, stake, 100.0, match);
  if (v.accepted) return "accepted";
  if (detail != nullptr) *detail = v.detail;
  return std::string(risk::DenialReasonId(*v.reason));
}

}  // namespace

TEST_CASE("the decision core's fixed rules deny with their reasons", "[gate]") {
  risk::RiskGate gate = Gate();
  std::string detail;
  // Stake 5 of 100 is exactly 5 %: passes.
  CHECK(DenyReason(gate, Bet(), 5.0, 100.0) == "accepted");

  v1::Prediction no_bet = Bet();
  no_bet.set_action(v1::ACTION_NO_BET);
  CHECK(DenyReason(gate, no_bet, 5.0, 100.0, &detail) == "no_bet");
  CHECK(detail == "action is ACTION_NO_BET");

  CHECK(DenyReason(gate, Bet(), 5.01, 100.0, &detail) == "stake_above_cap");
  CHECK(detail == "stake 5.01 > 0.05 x bankroll 100 = 5");

  risk::RiskGate all_in = Gate({.max_stake_fraction = 1.0});
  CHECK(DenyReason(all_in, Bet(), 100.5, 100.0, &detail) == "stake_above_bankroll");
  CHECK(detail == "stake 100.5 > bankroll 100");
  CHECK(DenyReason(all_in, Bet(), 100.0, 100.0) == "accepted");

  v1::Prediction stale = Bet();
  stale.set_data_staleness_s(300.5);
  CHECK(DenyReason(gate, stale, 1.0, 100.0, &detail) == "stale_data");
  CHECK(detail == "data_staleness_s 300.5 > 300");
  stale.set_data_staleness_s(300.0);
  CHECK(DenyReason(gate, stale, 1.0, 100.0) == "accepted");

  v1::Prediction unknown = Bet();
  unknown.clear_data_staleness_s();
  CHECK(DenyReason(gate, unknown, 1.0, 100.0) == "staleness_unknown");
  risk::RiskGate lenient = Gate({.allow_unknown_staleness = true});
  CHECK(DenyReason(lenient, unknown, 1.0, 100.0) == "accepted");

  v1::Prediction no_edge = Bet();
  no_edge.set_kelly_fraction(0.0);
  CHECK(DenyReason(gate, no_edge, 1.0, 100.0, &detail) == "kelly_not_positive");
  CHECK(detail == "kelly_fraction 0 <= 0");

  CHECK(DenyReason(gate, Bet(), 0.0, 100.0) == "stake_not_positive");

  v1::Prediction no_price = Bet();
  no_price.mutable_odds()->clear_home();
  CHECK(DenyReason(gate, no_price, 1.0, 100.0, &detail) == "invalid_decision");
  CHECK(detail == "odds.home (the pick's price) is missing");

  CHECK(gate.counts().accepted == 2);  // the 5 % stake and the 300 s staleness
  CHECK(gate.counts().denied == 7);
  CHECK(gate.counts().denied_by_reason == std::map<std::string, int64_t>{{"invalid_decision", 1},
                                                                         {"kelly_not_positive", 1},
                                                                         {"no_bet", 1},
                                                                         {"stake_above_cap", 1},
                                                                         {"stake_not_positive", 1},
                                                                         {"stale_data", 1},
                                                                         {"staleness_unknown", 1}});
}

TEST_CASE("odds bounds deny outside [min, max]", "[gate]") {
  risk::RiskGate gate = Gate({.min_decimal_odds = 1.7, .max_decimal_odds = 10.0});
  std::string detail;
  CHECK(DenyReason(gate, Bet(), 1.0, 100.0, &detail) == "odds_below_min");
  CHECK(detail == "odds.home 1.65 < min_decimal_odds 1.7");
  v1::Prediction away = Bet();
  away.set_pick("away");
  away.set_action(v1::ACTION_BET_AWAY);
  away.mutable_prob()->set_away(0.2);
  away.mutable_odds()->set_away(12.0);
  away.set_kelly_fraction((0.2 * 12 - 1) / 11.0);
  CHECK(DenyReason(gate, away, 1.0, 100.0, &detail) == "odds_above_max");
  CHECK(detail == "odds.away 12 > max_decimal_odds 10");
  away.mutable_odds()->set_away(10.0);
  CHECK(DenyReason(gate, away, 1.0, 100.0) == "accepted");
}

TEST_CASE("per-match controls: decision count and open exposure", "[gate]") {
  risk::RiskGate gate = Gate({.max_exposure_per_match = 8.0, .max_decisions_per_match = 2});
  std::string detail;
  CHECK(DenyReason(gate, Bet(), 5.0, 100.0) == "accepted");
  CHECK(DenyReason(gate, Bet(), 3.5, 100.0, &detail) == "match_exposure_limit");
  CHECK(detail ==
        "open stake 5 + stake 3.5 on football-data:E0:2015-08-08:Man United:Tottenham > "
        "max_exposure_per_match 8");
  CHECK(DenyReason(gate, Bet(), 3.0, 100.0) == "accepted");  // 5 + 3 = 8: equal passes
  CHECK(DenyReason(gate, Bet(), 0.5, 100.0, &detail) == "max_decisions_per_match");
  // Another match is unaffected.
  CHECK(DenyReason(gate, Bet("football-data:E0:2015-08-08:Bournemouth:Aston Villa"), 5.0, 100.0) ==
        "accepted");
  // Settling returns the open exposure (the count of accepted decisions stays).
  gate.RecordSettlement("football-data:E0:2015-08-08:Man United:Tottenham", 8.0, -8.0,
                        absl::FromUnixSeconds(1439050000));
  CHECK(DenyReason(gate, Bet(), 0.5, 100.0) == "max_decisions_per_match");
}

TEST_CASE("per-day controls: exposure and stop-loss by UTC day of decided_at", "[gate]") {
  const int64_t day1 = 1439020800;  // 2015-08-08T08:00:00Z
  const int64_t day2 = day1 + 86400;
  risk::RiskGate gate = Gate({.max_exposure_per_day = 9.0, .daily_stop_loss = 4.0});
  std::string detail;
  CHECK(DenyReason(gate, Bet("a", day1), 5.0, 100.0) == "accepted");
  CHECK(DenyReason(gate, Bet("b", day1 + 3600), 4.5, 100.0, &detail) == "daily_exposure_limit");
  CHECK(detail == "stake 5 already on 2015-08-08 + stake 4.5 > max_exposure_per_day 9");
  CHECK(DenyReason(gate, Bet("c", day2), 4.5, 100.0) == "accepted");  // a new day
  // A loss of 4 settled on day 2 reaches the stop-loss of day 2, not of day 1.
  gate.RecordSettlement("c", 4.5, -4.0, absl::FromUnixSeconds(day2 + 7200));
  CHECK(DenyReason(gate, Bet("d", day2 + 10000), 1.0, 100.0, &detail) == "daily_stop_loss");
  CHECK(detail == "realised profit -4 on 2015-08-09 <= -daily_stop_loss 4");
  CHECK(DenyReason(gate, Bet("e", day1 + 7200), 1.0, 100.0) == "accepted");
}

TEST_CASE("Preview gives Check's verdict and records nothing", "[gate]") {
  // Oracle: Check on an identical gate, call by call; a Preview that recorded would change the
  // next verdict (the per-match count of 1 and the exposure of 8 are reached on the first bet).
  const risk::RiskLimits limits{.max_exposure_per_match = 8.0, .max_decisions_per_match = 1};
  risk::RiskGate gate = Gate(limits);
  risk::RiskGate twin = Gate(limits);
  v1::Prediction no_bet = Bet();
  no_bet.set_action(v1::ACTION_NO_BET);
  for (int i = 0; i < 3; ++i) {
    const risk::GateVerdict v = gate.Preview(Bet(), 5.0, 100.0);
    CHECK(v.accepted);
    CHECK(v.detail.empty());
    const risk::GateVerdict n = gate.Preview(no_bet, 5.0, 100.0);
    REQUIRE_FALSE(n.accepted);
    CHECK(risk::DenialReasonId(*n.reason) == "no_bet");
    CHECK(n.detail == "action is ACTION_NO_BET");
  }
  CHECK(gate.counts().accepted == 0);
  CHECK(gate.counts().denied == 0);
  CHECK(gate.counts().denied_by_reason.empty());
  // Recorded once, the match is full: Preview now denies as Check does.
  CHECK(gate.Check(Bet(), 5.0, 100.0).accepted);
  CHECK(twin.Check(Bet(), 5.0, 100.0).accepted);
  const risk::GateVerdict p = gate.Preview(Bet(), 1.0, 100.0);
  const risk::GateVerdict c = twin.Check(Bet(), 1.0, 100.0);
  REQUIRE_FALSE(p.accepted);
  REQUIRE_FALSE(c.accepted);
  CHECK(*p.reason == *c.reason);
  CHECK(p.detail == c.detail);
  CHECK(gate.counts().denied == 0);
  CHECK(twin.counts().denied == 1);
}

TEST_CASE("not_in_play: a match that is not in play is denied first, whatever the decision",
          "[gate][status]") {
  superbet::providers::ReplayLoadOptions options;
  options.only_matches = {"3754237"};
  auto replay = superbet::providers::LoadReplayData(superbet::testing::DataDir(), options);
  REQUIRE(replay.ok());
  REQUIRE(replay->timelines.size() == 1);
  const std::vector<v1::LiveMatchState>& timeline = replay->timelines[0].states;
  REQUIRE(timeline.size() > 90);
  const v1::LiveMatchState& full_time = timeline.back();
  const v1::LiveMatchState& last_live = timeline[timeline.size() - 2];
  REQUIRE(full_time.status() == v1::FIXTURE_STATUS_FINISHED);
  REQUIRE(last_live.status() == v1::FIXTURE_STATUS_LIVE);
  CHECK(full_time.minute() == last_live.minute() + 1);  // Passes a once-per-minute marker.

  risk::RiskGate gate = Gate();
  int64_t denied = 0;
  std::string detail;
  // In play: the StatsBomb live minutes and every API-Football live snapshot pass.
  for (const v1::LiveMatchState& s :
       RecordedStates("api-football/fixtures_live_all_2021-04-21.json")) {
    REQUIRE(s.status() == v1::FIXTURE_STATUS_LIVE);
    CHECK(gate.Preview(Bet(), 5.0, 100.0, {s.status()}).accepted);
  }
  CHECK(DenyReasonIn(gate, Bet(), {last_live.status()}) == "accepted");

  // Finished: the timeline's last state and the recorded head-to-head results.
  CHECK(DenyReasonIn(gate, Bet(), {full_time.status()}, &detail) == "not_in_play");
  CHECK(detail == "match status FIXTURE_STATUS_FINISHED is not FIXTURE_STATUS_LIVE");
  ++denied;
  for (const v1::LiveMatchState& s :
       RecordedStates("api-football/fixtures_headtohead_33-50.json")) {
    REQUIRE(s.status() == v1::FIXTURE_STATUS_FINISHED);
    CHECK(DenyReasonIn(gate, Bet(), {s.status()}) == "not_in_play");
    ++denied;
  }
  // Not started.
  for (const v1::LiveMatchState& s :
       RecordedStates("api-football/fixtures_league78_season2023_status_NS-PST.json")) {
    REQUIRE(s.status() == v1::FIXTURE_STATUS_SCHEDULED);
    CHECK(DenyReasonIn(gate, Bet(), {s.status()}, &detail) == "not_in_play");
    ++denied;
  }
  CHECK(detail == "match status FIXTURE_STATUS_SCHEDULED is not FIXTURE_STATUS_LIVE");
  // The statuses no recorded file has: postponed, cancelled (abandoned, suspended, ...), and a
  // status the adapter could not map (or a value from a newer producer).
  CHECK(DenyReasonIn(gate, Bet(), {v1::FIXTURE_STATUS_POSTPONED}) == "not_in_play");
  CHECK(DenyReasonIn(gate, Bet(), {v1::FIXTURE_STATUS_CANCELLED}) == "not_in_play");
  CHECK(DenyReasonIn(gate, Bet(), {v1::FIXTURE_STATUS_UNSPECIFIED}, &detail) == "not_in_play");
  CHECK(detail == "match status FIXTURE_STATUS_UNSPECIFIED (unknown) is not FIXTURE_STATUS_LIVE");
  CHECK(DenyReasonIn(gate, Bet(), {static_cast<v1::FixtureStatus>(42)}, &detail) == "not_in_play");
  CHECK(detail == "match status 42 (unknown) is not FIXTURE_STATUS_LIVE");
  denied += 4;
  // Checked first: a no_bet or an invalid decision on a finished match is counted not_in_play.
  v1::Prediction no_bet = Bet();
  no_bet.set_action(v1::ACTION_NO_BET);
  CHECK(DenyReasonIn(gate, no_bet, {full_time.status()}) == "not_in_play");
  CHECK(DenyReasonIn(gate, Bet(), {full_time.status()}, nullptr, /*stake=*/-1.0) == "not_in_play");
  denied += 2;
  // No status given (a pre-match decision, a backtest): the rule is skipped.
  CHECK(DenyReasonIn(gate, Bet(), {}) == "accepted");
  CHECK(gate.Check(Bet(), 5.0, 100.0).accepted);

  CHECK(gate.counts().denied == denied);
  CHECK(gate.counts().denied_by_reason.at("not_in_play") == denied);
  CHECK(gate.counts().denied_by_reason.size() == 1);
  CHECK(gate.counts().accepted == 3);
  // Preview agrees and records nothing.
  const risk::GateVerdict v = gate.Preview(Bet(), 5.0, 100.0, {full_time.status()});
  REQUIRE_FALSE(v.accepted);
  CHECK(*v.reason == risk::DenialReason::kNotInPlay);
  CHECK(gate.counts().denied == denied);
}

TEST_CASE("limits are validated and reason ids round-trip", "[gate]") {
  CHECK(risk::RiskGate::Create({.max_stake_fraction = 0.0}).status().message() ==
        "max_stake_fraction must be in (0, 1], got 0");
  CHECK(risk::RiskGate::Create({.min_decimal_odds = 3.0, .max_decimal_odds = 2.0})
            .status()
            .message() == "min_decimal_odds 3 is above max_decimal_odds 2");
  CHECK(risk::RiskGate::Create({.daily_stop_loss = -1.0}).status().message() ==
        "daily_stop_loss must be finite and > 0, got -1");
  CHECK_FALSE(risk::RiskGate::Create({.max_decisions_per_match = 0}).ok());
  CHECK(risk::kDenialReasonCount == 15);
  for (int r = 0; r < risk::kDenialReasonCount; ++r) {
    const auto reason = static_cast<risk::DenialReason>(r);
    CHECK(risk::DenialReasonFromId(risk::DenialReasonId(reason)) == reason);
  }
  CHECK_FALSE(risk::DenialReasonFromId("nope").has_value());
}

TEST_CASE("RecordAccepted and RecordDenied restore a gate as Check recorded it", "[gate]") {
  // Oracle: a twin gate that Check-ed the same decisions; every later verdict, the open exposure
  // and the counts agree (the limits are reached only through what was restored).
  const int64_t day1 = 1439020800;  // 2015-08-08T08:00:00Z
  const risk::RiskLimits limits{
      .max_exposure_per_match = 8.0, .max_exposure_per_day = 9.0, .max_decisions_per_match = 2};
  risk::RiskGate checked = Gate(limits);
  risk::RiskGate restored = Gate(limits);
  v1::Prediction no_bet = Bet();
  no_bet.set_action(v1::ACTION_NO_BET);
  REQUIRE(checked.Check(Bet("a", day1), 5.0, 100.0).accepted);
  REQUIRE_FALSE(checked.Check(no_bet, 5.0, 100.0).accepted);
  REQUIRE(checked.Check(Bet("b", day1 + 60), 3.0, 100.0).accepted);
  restored.RecordAccepted(Bet("a", day1), 5.0);
  restored.RecordDenied("no_bet");
  restored.RecordAccepted(Bet("b", day1 + 60), 3.0);
  CHECK(restored.OpenExposure("a") == 5.0);
  CHECK(restored.OpenExposure("b") == 3.0);
  CHECK(restored.counts().accepted == checked.counts().accepted);
  CHECK(restored.counts().denied == checked.counts().denied);
  CHECK(restored.counts().denied_by_reason == checked.counts().denied_by_reason);
  CHECK(restored.counts().denied_by_reason.at("no_bet") == 1);
  // Daily exposure 8 of 9 is used on 2015-08-08: 1.5 more is denied, on both.
  std::string detail;
  CHECK(DenyReason(restored, Bet("c", day1 + 120), 1.5, 100.0, &detail) == "daily_exposure_limit");
  CHECK(detail == "stake 8 already on 2015-08-08 + stake 1.5 > max_exposure_per_day 9");
  CHECK(DenyReason(checked, Bet("c", day1 + 120), 1.5, 100.0) == "daily_exposure_limit");
  // Match exposure 5 of 8 on "a": 3.5 more is denied; the next day's exposure is free.
  CHECK(DenyReason(restored, Bet("a", day1 + 86400), 3.5, 100.0) == "match_exposure_limit");
  CHECK(DenyReason(restored, Bet("a", day1 + 86400), 3.0, 100.0) == "accepted");
  // Two accepted decisions on "a" now: the count rule denies a third.
  CHECK(DenyReason(restored, Bet("a", day1 + 86400), 0.1, 100.0) == "max_decisions_per_match");
}
