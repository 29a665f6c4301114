// StatsBomb adapter: matches, events -> per-minute timelines, lineups, malformed input.
//
// Oracles:
//  * Per-match totals (final score, Shot events, sum of shot.statsbomb_xg, shots on target,
//    corners, cards) are recomputed here independently with nlohmann-json from the same files,
//    and the final score is also checked against the matches file and football-data's FTHG/FTAG.
//  * Hand-read values of ../shared/data/statsbomb (match 3754097, Manchester United 1-0
//    Tottenham Hotspur, 2015-08-08 13:45 UK time: own goal "Own Goal For" Manchester United at
//    21:36; corners at 11' (Tottenham), 30' (Man United), 79' (Tottenham)).
//  * football-data's HC/AC corner counts agree with the StatsBomb corners in 34 of the 35 matches
//    (3754270 Tottenham v Stoke: StatsBomb counts 4 Stoke corners, football-data 3).

#include "superbet/providers/statsbomb/statsbomb.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "superbet/core/file.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/providers/statsbomb/team_names.h"
#include "support/test_data.h"

namespace sb = superbet::providers::statsbomb;
namespace fd = superbet::providers::football_data;
using superbet::testing::DataPath;
using superbet::testing::ReadFileOrEmpty;

namespace {

const std::vector<superbet::v1::Fixture>& Matches() {
  static const auto* fixtures = [] {
    auto r = sb::LoadMatchesFile(DataPath("statsbomb/matches/2/27.json"));
    REQUIRE(r.ok());
    return new std::vector<superbet::v1::Fixture>(*std::move(r));
  }();
  return *fixtures;
}

const superbet::v1::Fixture& MatchById(const std::string& id) {
  for (const auto& f : Matches()) {
    if (f.id() == id) return f;
  }
  FAIL("no fixture " << id);
  return Matches().front();
}

// The 35 match ids with an events file.
std::vector<std::string> EventMatchIds() {
  auto names = superbet::core::ListFiles(DataPath("statsbomb/events"));
  REQUIRE(names.ok());
  std::vector<std::string> ids;
  for (const std::string& n : *names) ids.push_back(n.substr(0, n.size() - 5));
  return ids;
}

// Independent per-side totals from nlohmann-json.
struct Totals {
  int goals[2] = {0, 0}, shots[2] = {0, 0}, on_target[2] = {0, 0}, corners[2] = {0, 0};
  int yellows[2] = {0, 0}, reds[2] = {0, 0};
  double xg[2] = {0, 0};
};

Totals OracleTotals(const std::string& match_id, long home_team_id) {
  nlohmann::json events =
      nlohmann::json::parse(ReadFileOrEmpty(DataPath("statsbomb/events/" + match_id + ".json")));
  Totals t;
  for (const auto& e : events) {
    const int side = e["team"]["id"].get<long>() == home_team_id ? 0 : 1;
    const int type = e["type"]["id"].get<int>();
    if (type == 16) {
      ++t.shots[side];
      t.xg[side] += e["shot"]["statsbomb_xg"].get<double>();
      const int outcome = e["shot"]["outcome"]["id"].get<int>();
      if (outcome == 97) ++t.goals[side];
      if (outcome == 97 || outcome == 100 || outcome == 116) ++t.on_target[side];
    }
    if (type == 25) ++t.goals[side];
    if (type == 30 && e["pass"].contains("type") && e["pass"]["type"]["id"] == 61) {
      ++t.corners[side];
    }
    for (const char* k : {"foul_committed", "bad_behaviour"}) {
      if (e.contains(k) && e[k].contains("card")) {
        const int card = e[k]["card"]["id"].get<int>();
        if (card == 7) ++t.yellows[side];
        if (card == 5 || card == 6) ++t.reds[side];
      }
    }
  }
  return t;
}

const superbet::v1::Fixture* FootballDataRow(const fd::SeasonData& season,
                                             const superbet::v1::Fixture& f) {
  const std::string home = superbet::providers::FootballDataTeamName(f.home().name());
  const std::string away = superbet::providers::FootballDataTeamName(f.away().name());
  for (const auto& row : season.fixtures) {
    if (row.home().name() == home && row.away().name() == away) return &row;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("MapMatches maps all 380 matches; 3754097 checked by hand", "[statsbomb]") {
  REQUIRE(Matches().size() == 380);
  const superbet::v1::Fixture& f = MatchById("statsbomb:3754097");
  CHECK(f.provider() == "statsbomb");
  CHECK(f.competition() == "Premier League");
  CHECK(f.season() == "2015/16");
  CHECK(f.home().name() == "Manchester United");
  CHECK(f.home().id() == "statsbomb:39");
  CHECK(f.away().name() == "Tottenham Hotspur");
  // 2015-08-08 13:45 BST (UTC+1) = 12:45 UTC.
  CHECK(f.kickoff().seconds() == absl::ToUnixSeconds(absl::FromCivil(
                                     absl::CivilMinute(2015, 8, 8, 12, 45), absl::UTCTimeZone())));
  CHECK(f.kickoff_time_known());
  CHECK(f.status() == superbet::v1::FIXTURE_STATUS_FINISHED);
  CHECK(f.full_time().home() == 1);
  CHECK(f.full_time().away() == 0);
  CHECK(f.round() == 1);
  CHECK(f.referee() == "Jonathan Moss");
  // A winter match: 2016-01-02 16:00 GMT = 16:00 UTC.
  const superbet::v1::Fixture& w = MatchById("statsbomb:3754058");
  CHECK(w.kickoff().seconds() == absl::ToUnixSeconds(absl::FromCivil(
                                     absl::CivilMinute(2016, 1, 2, 16, 0), absl::UTCTimeZone())));
  CHECK(w.round() == 20);
}

TEST_CASE("Every one of the 35 timelines agrees with the events, StatsBomb and football-data",
          "[statsbomb]") {
  auto season = fd::LoadSeasonFile(DataPath("football-data/E0_1516.csv"), fd::ParseMode::kStrict);
  REQUIRE(season.ok());
  const std::vector<std::string> ids = EventMatchIds();
  REQUIRE(ids.size() == 35);
  int corners_agree_with_football_data = 0;
  for (const std::string& id : ids) {
    INFO("match " << id);
    const superbet::v1::Fixture& f = MatchById("statsbomb:" + id);
    auto t = sb::LoadTimelineFile(DataPath("statsbomb/events/" + id + ".json"), f);
    REQUIRE(t.ok());
    CHECK(t->events_rejected == 0);
    REQUIRE(t->states.size() > 90);
    const Totals o = OracleTotals(id, std::stol(f.home().id().substr(10)));
    const superbet::v1::LiveMatchState& last = t->states.back();
    CHECK(last.status() == superbet::v1::FIXTURE_STATUS_FINISHED);
    // Final score: events == matches file == football-data.
    CHECK(last.score_home() == o.goals[0]);
    CHECK(last.score_away() == o.goals[1]);
    CHECK(last.score_home() == f.full_time().home());
    CHECK(last.score_away() == f.full_time().away());
    const superbet::v1::Fixture* row = FootballDataRow(*season, f);
    REQUIRE(row != nullptr);
    CHECK(last.score_home() == row->full_time().home());
    CHECK(last.score_away() == row->full_time().away());
    // Shots, xG, shots on target, corners, cards.
    CHECK(last.home().shots() == o.shots[0]);
    CHECK(last.away().shots() == o.shots[1]);
    CHECK(last.home().xg() == Approx(o.xg[0]).margin(1e-9));
    CHECK(last.away().xg() == Approx(o.xg[1]).margin(1e-9));
    CHECK(last.home().shots_on_target() == o.on_target[0]);
    CHECK(last.away().shots_on_target() == o.on_target[1]);
    CHECK(last.home().corners() == o.corners[0]);
    CHECK(last.away().corners() == o.corners[1]);
    CHECK(last.home().yellow_cards() == o.yellows[0]);
    CHECK(last.away().yellow_cards() == o.yellows[1]);
    CHECK(last.home().red_cards() == o.reds[0]);
    CHECK(last.away().red_cards() == o.reds[1]);
    // Match events: Goal events per credited team give the final score; one Card event per card.
    int goal_events[2] = {0, 0}, card_events = 0;
    REQUIRE(t->event_visible_from.size() == t->events.size());
    for (size_t i = 0; i < t->events.size(); ++i) {
      const superbet::v1::MatchEvent& e = t->events[i];
      CHECK(e.fixture_id() == f.id());
      CHECK(t->event_visible_from[i] >= 1);
      CHECK(t->event_visible_from[i] < static_cast<int>(t->states.size()));
      if (e.type() == "Goal") ++goal_events[e.team_id() == f.home().id() ? 0 : 1];
      if (e.type() == "Card") ++card_events;
    }
    CHECK(goal_events[0] == o.goals[0]);
    CHECK(goal_events[1] == o.goals[1]);
    CHECK(card_events == o.yellows[0] + o.yellows[1] + o.reds[0] + o.reds[1]);
    if (last.home().corners() == row->statistics().at("home.corners") &&
        last.away().corners() == row->statistics().at("away.corners")) {
      ++corners_agree_with_football_data;
    }
    // Shape: minute k at index k, kick-off empty, every count non-decreasing, possession a share.
    const auto& s0 = t->states.front();
    CHECK(s0.minute() == 0);
    CHECK(s0.score_home() + s0.score_away() == 0);
    CHECK_FALSE(s0.home().has_possession());
    CHECK(s0.home().xg() == 0.0);
    CHECK(s0.home().has_xg());  // 0 xG is a value here, not "missing".
    for (size_t k = 1; k < t->states.size(); ++k) {
      const auto& a = t->states[k - 1];
      const auto& b = t->states[k];
      REQUIRE(b.minute() == static_cast<int>(k));
      REQUIRE(b.score_home() >= a.score_home());
      REQUIRE(b.home().shots() >= a.home().shots());
      REQUIRE(b.away().xg() >= a.away().xg());
      REQUIRE(b.home().dangerous_attacks() >= a.home().dangerous_attacks());
      REQUIRE(b.observed_at().seconds() - a.observed_at().seconds() == 60);
      if (b.home().has_possession()) {
        REQUIRE(b.home().possession() + b.away().possession() == Approx(1.0));
      }
    }
    CHECK(last.home().dangerous_attacks() > 0);
    CHECK(last.home().dangerous_attacks() <= 150);
    CHECK(last.provider() == "statsbomb");
    CHECK(last.data_staleness_s() == 0.0);
  }
  CHECK(corners_agree_with_football_data == 34);
}

TEST_CASE("Timeline of 3754097 minute by minute (hand-read events)", "[statsbomb]") {
  const superbet::v1::Fixture& f = MatchById("statsbomb:3754097");
  auto t = sb::LoadTimelineFile(DataPath("statsbomb/events/3754097.json"), f);
  REQUIRE(t.ok());
  CHECK(t->events_total == 3780);
  // Last event minute 94 -> states 0..95.
  REQUIRE(t->states.size() == 96);
  CHECK(t->states[21].score_home() == 0);  // Own goal at 21:36 is counted from minute 22.
  // Match events, read by hand from events/3754097.json: Kyle Walker's own goal (1st half 21:36,
  // credited to Manchester United), yellow cards for Vertonghen 26:32, Schweinsteiger 68:23, Dier
  // 75:07, Mata 89:44, Alli 90:24 (shown 45+1' style: 91' -> 90+1'), six substitutions, the first
  // Bentaleb -> Mason at 52:45.
  REQUIRE(t->events.size() == 1 + 5 + 6);
  const superbet::v1::MatchEvent& og = t->events[0];
  CHECK(og.type() == "Goal");
  CHECK(og.detail() == "Own Goal");
  CHECK(og.team_name() == "Manchester United");
  CHECK(og.player_name() == "Kyle Walker");
  CHECK(og.minute() == 22);
  CHECK_FALSE(og.has_extra_minute());
  CHECK(t->event_visible_from[0] == 22);
  const superbet::v1::MatchEvent& sub1 = t->events[2];
  CHECK(sub1.type() == "subst");
  CHECK(sub1.team_name() == "Tottenham Hotspur");
  CHECK(sub1.player_name() == "Nabil Bentaleb");
  CHECK(sub1.assist_name() == "Ryan Mason");
  CHECK(sub1.minute() == 53);
  const superbet::v1::MatchEvent& alli = t->events.back();
  CHECK(alli.type() == "Card");
  CHECK(alli.detail() == "Yellow Card");
  CHECK(alli.player_name() == "Bamidele Alli");
  CHECK(alli.minute() == 90);
  CHECK(alli.extra_minute() == 1);
  CHECK(t->states[22].score_home() == 1);
  CHECK(t->states[22].score_away() == 0);
  CHECK(t->states[11].away().corners() == 0);
  CHECK(t->states[12].away().corners() == 1);
  CHECK(t->states[31].home().corners() == 1);
  CHECK(t->states[80].away().corners() == 2);
  CHECK(t->states[95].home().xg() == Approx(0.525077494).margin(1e-8));
  CHECK(t->states[95].away().xg() == Approx(0.584645919).margin(1e-8));
  CHECK(t->states[95].observed_at().seconds() == f.kickoff().seconds() + 95 * 60);
  CHECK(t->states[50].status() == superbet::v1::FIXTURE_STATUS_LIVE);
  CHECK(t->states[50].match_id() == "statsbomb:3754097");
  CHECK(t->states[50].home_team() == "Manchester United");
}

namespace {

superbet::v1::Fixture SyntheticFixture() {
  superbet::v1::Fixture f;
  f.set_id("statsbomb:1");
  f.mutable_home()->set_id("statsbomb:10");
  f.mutable_home()->set_name("Home");
  f.mutable_away()->set_id("statsbomb:20");
  f.mutable_away()->set_name("Away");
  return f;
}

}  // namespace

TEST_CASE("First-half stoppage is folded before the second half; shoot-out ignored",
          "[statsbomb]") {
  const std::string json = R"([
    {"id":"a","period":1,"minute":46,"type":{"id":16},"team":{"id":10},"possession":3,
     "possession_team":{"id":10},"location":[110,40],
     "shot":{"statsbomb_xg":0.5,"outcome":{"id":97}}},
    {"id":"b","period":2,"minute":45,"type":{"id":30},"team":{"id":20},"possession":4,
     "possession_team":{"id":20},"location":[60,40],"pass":{"type":{"id":61}}},
    {"id":"c","period":2,"minute":47,"type":{"id":22},"team":{"id":20},"foul_committed":{"card":{"id":6}}},
    {"id":"d","period":5,"minute":120,"type":{"id":16},"team":{"id":20},
     "shot":{"statsbomb_xg":0.76,"outcome":{"id":97}}}
  ])";
  auto t = sb::BuildTimeline(json, SyntheticFixture());
  REQUIRE(t.ok());
  CHECK(t->events_total == 4);
  CHECK(t->events_rejected == 0);
  REQUIRE(t->states.size() == 49);  // Minutes 0..48; the shoot-out adds none.
  CHECK(t->states[44].score_home() == 0);
  CHECK(t->states[45].score_home() == 1);  // The 46th-minute 1st-half goal, folded into 44.
  CHECK(t->states[45].home().xg() == 0.5);
  CHECK(t->states[45].home().dangerous_attacks() == 1);
  CHECK(t->states[45].away().corners() == 0);
  CHECK(t->states[46].away().corners() == 1);
  CHECK_FALSE(t->states[45].away().has_possession());
  CHECK(t->states[46].away().possession() == 1.0);
  CHECK(t->states[48].away().red_cards() == 1);
  CHECK(t->states[48].away().yellow_cards() == 0);
  CHECK(t->states[48].score_away() == 0);
  CHECK(t->states[48].away().shots() == 0);
}

TEST_CASE("Bad events are counted and skipped, never fatal", "[statsbomb]") {
  const std::string json = R"([
    {"id":"a","period":9,"minute":1,"type":{"id":16},"team":{"id":10}},
    {"id":"b","period":1,"minute":-3,"type":{"id":16},"team":{"id":10}},
    {"id":"c","period":1,"minute":3,"type":{"id":16},"team":{"id":99}},
    {"id":"d","period":1,"minute":3,"type":{"id":16},"team":{"id":10},"shot":{"statsbomb_xg":1.7,
     "outcome":{"id":97}}},
    {"id":"e","period":1,"minute":3,"team":{"id":10}},
    "not an object",
    {"id":"g","period":1,"minute":5,"type":{"id":16},"team":{"id":20},"shot":{"statsbomb_xg":0,
     "outcome":{"id":98}}}
  ])";
  auto t = sb::BuildTimeline(json, SyntheticFixture());
  REQUIRE(t.ok());
  CHECK(t->events_total == 7);
  CHECK(t->events_rejected == 6);
  REQUIRE(t->rejections.size() == 6);
  CHECK(t->rejections[0] == "[0].period: not in 1..5, got 9");
  CHECK(t->rejections[1] == "[1].minute: not in 0..200, got -3");
  CHECK(t->rejections[2] == "[2].team.id: not 10 or 20 (the fixture's sides), got 99");
  CHECK(t->rejections[3] == "[3].shot.statsbomb_xg: missing or not in [0, 1], got 1.7");
  CHECK(t->rejections[4] == "[4].type.id: missing");
  CHECK(t->rejections[5] == "[5]: expected an object, got \"not an object\"");
  CHECK(t->states.back().away().shots() == 1);
  CHECK(t->states.back().away().xg() == 0.0);  // An integer 0 xG reads as 0.0.
  CHECK(t->states.back().score_home() == 0);
}

TEST_CASE("Malformed JSON is DataLoss / InvalidArgument naming the path", "[statsbomb]") {
  const superbet::v1::Fixture f = SyntheticFixture();
  CHECK(sb::BuildTimeline("[{\"period\":1,", f).status().code() == absl::StatusCode::kDataLoss);
  CHECK(sb::BuildTimeline("", f).status().code() == absl::StatusCode::kDataLoss);
  CHECK(sb::BuildTimeline("{\"a\":1}", f).status().code() == absl::StatusCode::kInvalidArgument);
  superbet::v1::Fixture bad = f;
  bad.mutable_home()->set_id("api-football:33");
  CHECK(sb::BuildTimeline("[]", bad).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(sb::MapMatches("[{\"match_id\":1}]").status().message() == "[0].home_team: missing");
  CHECK(sb::MapMatches("[1,").status().code() == absl::StatusCode::kDataLoss);
  CHECK(
      sb::MapLineups("[{\"team_id\":1,\"lineup\":[{\"player_id\":2}]}]", "x").status().message() ==
      "[0].lineup[0]: needs player_id (integer) and player_name");

  char tmpl[] = "/tmp/statsbomb_test_XXXXXX";
  const int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  const std::string path = tmpl;
  REQUIRE(superbet::core::WriteFileAtomically(path, "[{\"period\": 1, \"minute\": tru").ok());
  absl::Status s = sb::LoadTimelineFile(path, f).status();
  std::remove(path.c_str());
  CHECK(s.code() == absl::StatusCode::kDataLoss);
  CHECK(std::string(s.message()).rfind(path + ": invalid JSON", 0) == 0);
  CHECK(sb::LoadTimelineFile("/nonexistent/e.json", f).status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("Lineups map to players (3754097, hand-read)", "[statsbomb]") {
  auto lineups =
      sb::LoadLineupsFile(DataPath("statsbomb/lineups/3754097.json"), "statsbomb:3754097");
  REQUIRE(lineups.ok());
  REQUIRE(lineups->size() == 2);
  const superbet::v1::Lineup& mu = (*lineups)[0];
  CHECK(mu.fixture_id() == "statsbomb:3754097");
  CHECK(mu.team().id() == "statsbomb:39");
  CHECK(mu.team().name() == "Manchester United");
  CHECK(mu.starting_size() == 11);
  CHECK(mu.substitutes_size() == 7);
  CHECK((*lineups)[1].starting_size() == 11);
  bool found = false;
  for (const auto& p : mu.starting()) {
    if (p.id() != "statsbomb:3294") continue;
    found = true;
    CHECK(p.name() == "Juan Manuel Mata García");
    CHECK(p.shirt_number() == 8);
    CHECK(p.position() == "Right Wing");
    CHECK(p.nationality() == "Spain");
    CHECK(p.team_id() == "statsbomb:39");
  }
  CHECK(found);
  // Every lineups file maps, with 11 starters per team.
  for (const std::string& id : EventMatchIds()) {
    auto l = sb::LoadLineupsFile(DataPath("statsbomb/lineups/" + id + ".json"), id);
    REQUIRE(l.ok());
    REQUIRE(l->size() == 2);
    CHECK((*l)[0].starting_size() == 11);
    CHECK((*l)[1].starting_size() == 11);
  }
}
