#include "superbet/providers/coverage_registry.h"

#include <utility>

namespace superbet::providers {
namespace {

constexpr Coverage P = Coverage::kParsed;
constexpr Coverage I = Coverage::kInferred;
constexpr Coverage N = Coverage::kNotSupported;

struct Row {
  const char* field;
  Coverage coverage;
  const char* note;
};

AdapterCoverage Make(std::string adapter, std::initializer_list<Row> rows) {
  AdapterCoverage a;
  a.adapter = std::move(adapter);
  for (const Row& r : rows) a.fields.push_back({r.field, r.coverage, r.note});
  return a;
}

}  // namespace

const std::vector<std::string>& CanonicalFields() {
  static const std::vector<std::string>* const kFields = new std::vector<std::string>{
      "LiveMatchState.minute",
      "LiveMatchState.score",
      "SideStats.xg",
      "SideStats.dangerous_attacks",
      "SideStats.shots",
      "SideStats.shots_on_target",
      "SideStats.corners",
      "SideStats.possession",
      "SideStats.yellow_cards",
      "SideStats.red_cards",
      "LiveMatchState.live_odds",
      "Fixture.kickoff",
      "Fixture.full_time",
      "Fixture.half_time",
      "Fixture.referee",
      "Fixture.venue",
      "Fixture.statistics",
      "MatchEvent",
      "Lineup",
      "Player.performance",
      "Injury",
      "BettingLine[1X2]",
      "BettingLine[OVER_UNDER]",
      "BettingLine[ASIAN_HANDICAP]",
      "BettingLine.is_closing",
      "BettingLine.is_live",
  };
  return *kFields;
}

AdapterCoverage ApiFootballCoverage() {
  return Make(
      "api-football",
      {
          {"LiveMatchState.minute", P, "fixture.status.elapsed (null or rejected -> absent)"},
          {"LiveMatchState.score", P, "goals.home / goals.away (null or rejected -> absent)"},
          {"SideStats.xg", P, "/fixtures/statistics type expected_goals, only when non-null"},
          {"SideStats.dangerous_attacks", N, "API-Football has no such statistic (masked)"},
          {"SideStats.shots", P, "/fixtures/statistics \"Total Shots\""},
          {"SideStats.shots_on_target", P, "/fixtures/statistics \"Shots on Goal\""},
          {"SideStats.corners", P, "/fixtures/statistics \"Corner Kicks\""},
          {"SideStats.possession", P, "/fixtures/statistics \"Ball Possession\" (\"62%\" -> 0.62)"},
          {"SideStats.yellow_cards", P, "/fixtures/statistics \"Yellow Cards\""},
          {"SideStats.red_cards", P, "/fixtures/statistics \"Red Cards\""},
          {"LiveMatchState.live_odds", P, "/odds/live \"Fulltime Result\" (OddsTripleOf)"},
          {"Fixture.kickoff", P, "fixture.timestamp (else fixture.date)"},
          {"Fixture.full_time", P, "score.fulltime when both sides non-null"},
          {"Fixture.half_time", P, "score.halftime when both sides non-null"},
          {"Fixture.referee", P, "fixture.referee"},
          {"Fixture.venue", P, "fixture.venue.name"},
          {"Fixture.statistics", N,
           "statistics are per-team: TeamStatistics.statistics (every /fixtures/statistics type)"},
          {"MatchEvent", P, "/fixtures/events and the events embedded in /fixtures"},
          {"Lineup", P, "/fixtures/lineups (startXI, substitutes, formation, coach)"},
          {"Player.performance", P, "/fixtures/players and /players statistics[0]"},
          {"Injury", P, "/injuries (type Missing Fixture -> out, Questionable -> doubtful)"},
          {"BettingLine[1X2]", P, "/odds \"Match Winner\"; /odds/live \"Fulltime Result\""},
          {"BettingLine[OVER_UNDER]", P,
           "/odds \"Goals Over/Under\"; /odds/live \"Over/Under Line\", \"Match Goals\""},
          {"BettingLine[ASIAN_HANDICAP]", P, "/odds and /odds/live \"Asian Handicap\""},
          {"BettingLine.is_closing", N, "API-Football does not mark closing prices"},
          {"BettingLine.is_live", P, "true for /odds/live"},
      });
}

AdapterCoverage FootballDataCoverage() {
  return Make(
      "football-data",
      {
          {"LiveMatchState.minute", N, "results files only: no live state"},
          {"LiveMatchState.score", N, "no live state (final score: Fixture.full_time)"},
          {"SideStats.xg", N, "no xG in football-data.co.uk files"},
          {"SideStats.dangerous_attacks", N, "not in the files"},
          {"SideStats.shots", N, "full-match totals only: Fixture.statistics *.shots (HS/AS)"},
          {"SideStats.shots_on_target", N, "full-match totals only: HST/AST"},
          {"SideStats.corners", N, "full-match totals only: HC/AC"},
          {"SideStats.possession", N, "not in the files"},
          {"SideStats.yellow_cards", N, "full-match totals only: HY/AY"},
          {"SideStats.red_cards", N, "full-match totals only: HR/AR"},
          {"LiveMatchState.live_odds", N, "pre-match and closing prices only"},
          {"Fixture.kickoff", P, "Date + Time (Time from 2019/20), Europe/London -> UTC"},
          {"Fixture.full_time", P, "FTHG / FTAG"},
          {"Fixture.half_time", P, "HTHG / HTAG"},
          {"Fixture.referee", P, "Referee (from 2000/01 in E0)"},
          {"Fixture.venue", N, "not in the files"},
          {"Fixture.statistics", P, "HS..AR: shots, shots_on_target, fouls, corners, cards"},
          {"MatchEvent", N, "no events"},
          {"Lineup", N, "no lineups"},
          {"Player.performance", N, "no players"},
          {"Injury", N, "no injuries"},
          {"BettingLine[1X2]", P, "<BK>H/D/A per bookmaker, Max/Avg"},
          {"BettingLine[OVER_UNDER]", P, "<BK>>2.5 / <BK><2.5 (line 2.5)"},
          {"BettingLine[ASIAN_HANDICAP]", P, "<BK>AHH/AHA with AHh / BbAHh line"},
          {"BettingLine.is_closing", P, "<BK>CH/CD/CA, C>2.5, CAHH (PSCH from 2012/13)"},
          {"BettingLine.is_live", N, "no in-play prices"},
      });
}

AdapterCoverage StatsBombCoverage() {
  return Make(
      "statsbomb",
      {
          {"LiveMatchState.minute", P, "event minute (per-minute timeline, states[k].minute == k)"},
          {"LiveMatchState.score", I, "Shot events with outcome Goal + Own Goal For events"},
          {"SideStats.xg", P, "cumulative shot.statsbomb_xg"},
          {"SideStats.dangerous_attacks", I,
           "proxy: possessions with an own event in the final third (x >= 80)"},
          {"SideStats.shots", I, "count of Shot events"},
          {"SideStats.shots_on_target", I, "Shot outcomes Goal, Saved, Saved To Post"},
          {"SideStats.corners", I, "Pass events with pass.type Corner"},
          {"SideStats.possession", I, "share of Pass events so far"},
          {"SideStats.yellow_cards", I, "foul_committed / bad_behaviour card Yellow"},
          {"SideStats.red_cards", I, "card Second Yellow or Red"},
          {"LiveMatchState.live_odds", N,
           "no odds in StatsBomb (pre-match prices joined from "
           "football-data by the replay)"},
          {"Fixture.kickoff", P, "match_date + kick_off, Europe/London -> UTC"},
          {"Fixture.full_time", P, "home_score / away_score"},
          {"Fixture.half_time", N, "not in matches files"},
          {"Fixture.referee", P, "referee.name"},
          {"Fixture.venue", P, "stadium.name"},
          {"Fixture.statistics", N, "per-minute SideStats instead"},
          {"MatchEvent", P,
           "goals (incl. penalties, own goals), cards, substitutions: Timeline::events"},
          {"Lineup", P, "lineups/<match_id>.json"},
          {"Player.performance", N, "not mapped"},
          {"Injury", N, "no injuries"},
          {"BettingLine[1X2]", N, "no odds"},
          {"BettingLine[OVER_UNDER]", N, "no odds"},
          {"BettingLine[ASIAN_HANDICAP]", N, "no odds"},
          {"BettingLine.is_closing", N, "no odds"},
          {"BettingLine.is_live", N, "no odds"},
      });
}

std::vector<AdapterCoverage> AllCoverage() {
  return {ApiFootballCoverage(), FootballDataCoverage(), StatsBombCoverage()};
}

}  // namespace superbet::providers
