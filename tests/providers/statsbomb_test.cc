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
#include "absl/strings/str_cat.h"
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

TEST_CASE("MapMatches maps all 380 matches, 3754097 checked by hand", "[statsbomb]") {
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

TEST_CASE("First-half stoppage is folded before the second half, shoot-out ignored",
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

namespace {

const char kEvents3754097[] = "statsbomb/events/3754097.json";

nlohmann::json EventsOf3754097() {
  return nlohmann::json::parse(ReadFileOrEmpty(DataPath(kEvents3754097)));
}

// The index in `events` of the first event of type `type_id` at `minute`:`second`.
size_t IndexOf(const nlohmann::json& events, int type_id, int minute, int second) {
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (e["type"]["id"] == type_id && e["minute"] == minute && e["second"] == second) return i;
  }
  FAIL("no event of type " << type_id << " at " << minute << ":" << second);
  return 0;
}

// The index of match `match_id` in the matches file.
size_t MatchIndex(const nlohmann::json& matches, long match_id) {
  for (size_t i = 0; i < matches.size(); ++i) {
    if (matches[i]["match_id"] == match_id) return i;
  }
  FAIL("no match " << match_id);
  return 0;
}

}  // namespace

// Issue 12 item 3. Oracle: the matches file and football-data (E0_1516.csv FTHG/FTAG) both give
// 3754097 as 1-0; the file has 3780 events (counted here with nlohmann-json); the repeats are the
// second copy of the array, built here.
TEST_CASE("3754097 with every event repeated: final score 1-0, the repeats counted",
          "[statsbomb][duplicates]") {
  const nlohmann::json events = EventsOf3754097();
  REQUIRE(events.size() == 3780);
  nlohmann::json doubled = events;
  for (const auto& e : events) doubled.push_back(e);
  const superbet::v1::Fixture& f = MatchById("statsbomb:3754097");
  auto t = sb::BuildTimeline(doubled.dump(), f);
  REQUIRE(t.ok());
  CHECK(t->states.back().score_home() == 1);
  CHECK(t->states.back().score_away() == 0);
  CHECK(t->events_total == 2 * 3780);
  CHECK(t->events_rejected == 3780);
  REQUIRE(t->rejections.size() == 10);
  CHECK(t->rejections[0] ==
        "[3780].id: duplicate of [0], got \"" + events[0]["id"].get<std::string>() + "\"");
  // The repeats change nothing: every state equals the one built from the file itself.
  auto once = sb::LoadTimelineFile(DataPath(kEvents3754097), f);
  REQUIRE(once.ok());
  REQUIRE(t->states.size() == once->states.size());
  for (size_t k = 0; k < once->states.size(); ++k) {
    CHECK(t->states[k].SerializeAsString() == once->states[k].SerializeAsString());
  }
  CHECK(t->events.size() == once->events.size());
}

TEST_CASE("Repeated events: counted apart in lenient mode, fatal in strict mode",
          "[statsbomb][duplicates][strict]") {
  nlohmann::json events = EventsOf3754097();
  const size_t own_goal = IndexOf(events, 25, 21, 36);  // Own Goal For Man United, hand-read.
  events.insert(events.begin() + own_goal + 1, events[own_goal]);
  const std::string json = events.dump();
  const superbet::v1::Fixture& f = MatchById("statsbomb:3754097");
  auto lenient = sb::BuildTimeline(json, f, sb::ParseMode::kLenient);
  REQUIRE(lenient.ok());
  CHECK(lenient->states.back().score_home() == 1);
  CHECK(lenient->events_rejected == 1);
  CHECK(lenient->events_duplicated == 1);
  const std::string reason =
      absl::StrCat("[", own_goal + 1, "].id: duplicate of [", own_goal, "], got \"",
                   events[own_goal]["id"].get<std::string>(), "\"");
  REQUIRE(lenient->rejections.size() == 1);
  CHECK(lenient->rejections[0] == reason);
  auto strict = sb::BuildTimeline(json, f, sb::ParseMode::kStrict);
  CHECK(strict.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(strict.status().message() == reason);
}

TEST_CASE("Every real events file passes strict mode", "[statsbomb][strict]") {
  for (const std::string& id : EventMatchIds()) {
    auto t = sb::LoadTimelineFile(DataPath("statsbomb/events/" + id + ".json"),
                                  MatchById("statsbomb:" + id), sb::ParseMode::kStrict);
    CHECK(t.ok());
  }
}

// Issue 12 item 7: a present value of the wrong type is an error naming the JSON path, never
// absent. Oracle: the real matches file with one field of 3754097 changed here (the real value is
// an integer 1, a string "1" was read as absent and made a finished match SCHEDULED).
TEST_CASE("Matches: a field of the wrong type is an error naming the JSON path",
          "[statsbomb][types]") {
  const nlohmann::json matches =
      nlohmann::json::parse(ReadFileOrEmpty(DataPath("statsbomb/matches/2/27.json")));
  const size_t k = MatchIndex(matches, 3754097);
  const std::string at = absl::StrCat("[", k, "]");
  struct Case {
    nlohmann::json::json_pointer field;
    nlohmann::json value;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"/home_score"_json_pointer, "1", at + ".home_score: expected an integer, got \"1\""},
      {"/away_score"_json_pointer, 0.0, at + ".away_score: expected an integer, got 0.0"},
      {"/match_week"_json_pointer, "1", at + ".match_week: expected an integer, got \"1\""},
      {"/kick_off"_json_pointer, 1345, at + ".kick_off: expected a string, got 1345"},
      {"/referee"_json_pointer, "Jonathan Moss",
       at + ".referee: expected an object, got \"Jonathan Moss\""},
      {"/home_team/home_team_id"_json_pointer, "39",
       at + ".home_team.home_team_id: expected an integer, got \"39\""},
      {"/competition/competition_name"_json_pointer, 2,
       at + ".competition.competition_name: expected a string, got 2"},
      {"/match_id"_json_pointer, "3754097", at + ".match_id: expected an integer, got \"3754097\""},
  };
  for (const Case& c : cases) {
    nlohmann::json changed = matches;
    changed[k][c.field] = c.value;
    auto r = sb::MapMatches(changed.dump());
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(r.status().message() == c.message);
  }
  // Absent stays absent: null scores are a SCHEDULED match, not an error.
  nlohmann::json unplayed = matches;
  unplayed[k]["home_score"] = nullptr;
  unplayed[k]["away_score"] = nullptr;
  auto r = sb::MapMatches(unplayed.dump());
  REQUIRE(r.ok());
  CHECK((*r)[k].status() == superbet::v1::FIXTURE_STATUS_SCHEDULED);
  CHECK_FALSE((*r)[k].has_full_time());
}

TEST_CASE("Lineups: a field of the wrong type is an error naming the JSON path",
          "[statsbomb][types]") {
  const nlohmann::json lineups =
      nlohmann::json::parse(ReadFileOrEmpty(DataPath("statsbomb/lineups/3754097.json")));
  struct Case {
    nlohmann::json::json_pointer field;
    nlohmann::json value;
    std::string message;
  };
  // [0].lineup[3] is Juan Mata (shirt 8, Right Wing), hand-read.
  REQUIRE(lineups[0]["lineup"][3]["player_id"] == 3294);
  const std::vector<Case> cases = {
      {"/0/lineup/3/jersey_number"_json_pointer, "8",
       "[0].lineup[3].jersey_number: expected an integer, got \"8\""},
      {"/0/lineup/3/positions"_json_pointer, nlohmann::json::object(),
       "[0].lineup[3].positions: expected an array, got {}"},
      {"/0/lineup/3/positions/0/start_reason"_json_pointer, 1,
       "[0].lineup[3].positions[0].start_reason: expected a string, got 1"},
      {"/0/lineup/3/country"_json_pointer, "Spain",
       "[0].lineup[3].country: expected an object, got \"Spain\""},
      {"/1/team_name"_json_pointer, 38, "[1].team_name: expected a string, got 38"},
  };
  for (const Case& c : cases) {
    nlohmann::json changed = lineups;
    changed[c.field] = c.value;
    auto r = sb::MapLineups(changed.dump(), "statsbomb:3754097");
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(r.status().message() == c.message);
  }
}

// Oracle: hand-read corners of 3754097 (Tottenham 11', Man United 30', Tottenham 79'); the pass
// of the first Tottenham corner is changed here to carry its type id as a string.
TEST_CASE("Events: a field of the wrong type rejects the event, naming the JSON path",
          "[statsbomb][types]") {
  nlohmann::json events = EventsOf3754097();
  size_t corner = events.size();
  for (size_t i = 0; i < events.size() && corner == events.size(); ++i) {
    const auto& e = events[i];
    if (e["type"]["id"] == 30 && e["pass"].contains("type") && e["pass"]["type"]["id"] == 61) {
      corner = i;
    }
  }
  REQUIRE(corner < events.size());
  REQUIRE(events[corner]["minute"] == 11);
  events[corner]["pass"]["type"]["id"] = "61";
  auto t = sb::BuildTimeline(events.dump(), MatchById("statsbomb:3754097"));
  REQUIRE(t.ok());
  CHECK(t->events_rejected == 1);
  REQUIRE(t->rejections.size() == 1);
  CHECK(t->rejections[0] ==
        absl::StrCat("[", corner, "].pass.type.id: expected an integer, got \"61\""));
  CHECK(t->states.back().score_home() == 1);  // One bad event costs that event only.

  nlohmann::json located = EventsOf3754097();
  located[5]["location"] = "centre spot";
  t = sb::BuildTimeline(located.dump(), MatchById("statsbomb:3754097"));
  REQUIRE(t.ok());
  CHECK(t->events_rejected == 1);
  REQUIRE(t->rejections.size() == 1);
  CHECK(t->rejections[0] == "[5].location: expected an array, got \"centre spot\"");
}

TEST_CASE("Events: a wrong type is fatal in strict mode", "[statsbomb][types][strict]") {
  nlohmann::json events = EventsOf3754097();
  const size_t own_goal = IndexOf(events, 20, 21, 36);  // Own Goal Against: Kyle Walker (3205).
  events[own_goal]["player"]["id"] = "3205";
  auto t = sb::BuildTimeline(events.dump(), MatchById("statsbomb:3754097"), sb::ParseMode::kStrict);
  CHECK(t.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(t.status().message() ==
        absl::StrCat("[", own_goal, "].player.id: expected an integer, got \"3205\""));
}

// Oracle: the real matches file has 380 matches (hand count); 3754097's home_score is changed
// here to the string "1".
TEST_CASE("Matches, lenient: a wrong-typed match is left out and counted, strict fails",
          "[statsbomb][types][strict]") {
  nlohmann::json matches =
      nlohmann::json::parse(ReadFileOrEmpty(DataPath("statsbomb/matches/2/27.json")));
  const size_t k = MatchIndex(matches, 3754097);
  matches[k]["home_score"] = "1";
  const std::string reason = absl::StrCat("[", k, "].home_score: expected an integer, got \"1\"");
  auto lenient = sb::MapMatches(matches.dump(), sb::ParseMode::kLenient);
  REQUIRE(lenient.ok());
  CHECK(lenient->matches_total == 380);
  CHECK(lenient->matches_rejected == 1);
  CHECK(lenient->fixtures.size() == 379);
  REQUIRE(lenient->rejections.size() == 1);
  CHECK(lenient->rejections[0] == reason);
  for (const auto& f : lenient->fixtures) CHECK(f.id() != "statsbomb:3754097");
  auto strict = sb::MapMatches(matches.dump(), sb::ParseMode::kStrict);
  CHECK(strict.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(strict.status().message() == reason);
  auto file = sb::LoadMatchesFile(DataPath("statsbomb/matches/2/27.json"), sb::ParseMode::kStrict);
  REQUIRE(file.ok());
  CHECK(file->fixtures.size() == 380);
  CHECK(file->matches_rejected == 0);
}
