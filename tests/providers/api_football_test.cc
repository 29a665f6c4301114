// API-Football v3 mapping (pure functions, no HTTP) over every recorded response in
// ../shared/data/api-football/ (SOURCES.md lists where each came from).
//
// Oracle: the recorded files themselves — each spot value below was read from the file by hand
// (and cross-checked with Python's json module): a fixture's teams, minute and score, a statistic,
// xG present only where the file has a non-null expected_goals, "35%" -> 0.35.
// /odds/live has no recording: tests/providers/data/odds_live_doc_example.json is API-Football's
// documentation example for GET /odds/live (fixture 721238, "update" 2022-01-27T16:21:01+00:00),
// copied from the v3 documentation page (GET /odds/live, "Response samples", 200) and shortened:
// 6 of its bets are kept (Match Corners, Asian Handicap, Over/Under Line, To Score 3 or More,
// Match Goals, Fulltime Result), each with its values verbatim, except that "Match Corners" keeps
// its first 3 values and "To Score 3 or More" 3 of its 19 (one of them suspended with odd "0").

#include "superbet/providers/api_football/api_football.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "superbet/model/masking.h"
#include "superbet/providers/api_football/api_football_client.h"
#include "superbet/providers/coverage_registry.h"
#include "support/test_data.h"

namespace af = superbet::providers::api_football;
namespace v1 = superbet::v1;
using superbet::testing::DataPath;
using superbet::testing::ReadFileOrEmpty;

namespace {

std::string Recorded(const std::string& name) {
  std::string body = ReadFileOrEmpty(DataPath("api-football/" + name));
  REQUIRE_FALSE(body.empty());
  return body;
}

}  // namespace

TEST_CASE("live=all 2021-04-21: 55 fixtures, teams, minute, score, embedded events",
          "[api_football]") {
  const std::string body = Recorded("fixtures_live_all_2021-04-21.json");
  af::MapCounters counters;
  const absl::Time now = absl::FromUnixSeconds(1619015460);
  auto fixtures = af::MapLiveFixtures(body, now, &counters);
  REQUIRE(fixtures.ok());
  REQUIRE(fixtures->size() == 55);
  const superbet::providers::LiveFixture& f = fixtures->front();
  CHECK(f.fixture.id() == "api-football:574665");
  CHECK(f.fixture.home().name() == "Turbine Potsdam W");
  CHECK(f.fixture.away().name() == "Bayern Munich W");
  CHECK(f.fixture.home().id() == "api-football:1869");
  CHECK(f.fixture.competition() == "Women Bundesliga");
  CHECK(f.fixture.season() == "2020");
  CHECK(f.fixture.round() == 18);
  CHECK(f.fixture.venue() == "Karl-Liebknecht-Stadion");
  CHECK_FALSE(f.fixture.has_referee());  // "referee": null
  CHECK(f.fixture.kickoff().seconds() == 1619013600);
  CHECK(f.fixture.status() == v1::FIXTURE_STATUS_LIVE);
  CHECK(f.fixture.elapsed_minute() == 31);
  REQUIRE(f.fixture.has_half_time());
  CHECK(f.fixture.half_time().home() == 1);
  CHECK(f.fixture.half_time().away() == 2);
  CHECK_FALSE(f.fixture.has_full_time());  // fulltime {null, null}
  CHECK(f.state.match_id() == "api-football:574665");
  CHECK(f.state.minute() == 31);
  CHECK(f.state.score_home() == 1);
  CHECK(f.state.score_away() == 2);
  CHECK(f.state.data_staleness_s() == 0.0);
  CHECK(f.state.observed_at().seconds() == 1619015460);
  CHECK_FALSE(f.state.home().has_xg());
  CHECK_FALSE(f.state.home().has_dangerous_attacks());  // API-Football has none.
  REQUIRE(f.events.size() == 4);
  CHECK(f.events[0].minute() == 7);
  CHECK(f.events[0].type() == "Goal");
  CHECK(f.events[0].player_name() == "D. Orschmann");
  CHECK_FALSE(f.events[0].has_player_id());  // "id": null
  CHECK_FALSE(f.events[0].has_extra_minute());
  CHECK(f.events[0].fixture_id() == "api-football:574665");
  size_t events = 0;
  for (const auto& x : *fixtures) events += x.events.size();
  CHECK(events == 238);
  CHECK((*fixtures)[1].state.home_team() == "Slavoj Trebišov");
  CHECK(counters.total_rejected() == 0);

  auto states = af::MapLiveStates(body, now);
  REQUIRE(states.ok());
  REQUIRE(states->size() == 55);
  CHECK((*states)[0].SerializeAsString() == f.state.SerializeAsString());
  // The state carries the kickoff: fixture.timestamp 1619013600 in the recorded file
  // (date "2021-04-21T14:00:00+00:00"), on both paths.
  CHECK(f.state.kickoff().seconds() == 1619013600);
  CHECK((*states)[0].kickoff().seconds() == 1619013600);
}

TEST_CASE("live=all 2024-02-28: 14 fixtures", "[api_football]") {
  auto fixtures = af::MapLiveFixtures(Recorded("fixtures_live_all_2024-02-28.json"));
  REQUIRE(fixtures.ok());
  REQUIRE(fixtures->size() == 14);
  const auto& f = (*fixtures)[2];
  CHECK(f.fixture.id() == "api-football:1150289");
  CHECK(f.state.home_team() == "Club Queretaro");
  CHECK(f.state.away_team() == "Atletico San Luis");
  CHECK(f.state.minute() == 16);
  CHECK(f.state.score_home() == 2);
  CHECK(f.state.score_away() == 0);
  CHECK((*fixtures)[0].fixture.referee() == "Selvin Brown, Honduras");
  CHECK_FALSE((*fixtures)[0].state.has_observed_at());  // No observation time given.
  size_t events = 0;
  for (const auto& x : *fixtures) events += x.events.size();
  CHECK(events == 34);
}

TEST_CASE("league/season fixture list and head-to-head", "[api_football]") {
  auto list = af::MapLiveFixtures(Recorded("fixtures_league78_season2023_status_NS-PST.json"));
  REQUIRE(list.ok());
  REQUIRE(list->size() == 71);
  const auto& f = list->front();
  CHECK(f.fixture.id() == "api-football:1049115");
  CHECK(f.fixture.status() == v1::FIXTURE_STATUS_SCHEDULED);
  CHECK(f.fixture.home().name() == "Bayern Munich");
  CHECK(f.fixture.away().name() == "Borussia Dortmund");
  CHECK_FALSE(f.fixture.has_elapsed_minute());
  CHECK_FALSE(f.state.has_minute());  // "elapsed": null -> absent (not 0).
  CHECK(f.fixture.venue() == "Allianz Arena");
  CHECK(f.fixture.round() == 27);

  auto h2h = af::MapHeadToHead(Recorded("fixtures_headtohead_33-50.json"));
  REQUIRE(h2h.ok());
  REQUIRE(h2h->size() == 8);
  CHECK(h2h->front().id() == "api-football:653808");
  CHECK(h2h->front().status() == v1::FIXTURE_STATUS_FINISHED);
  CHECK(h2h->front().full_time().home() == 0);
  CHECK(h2h->front().full_time().away() == 2);
  CHECK(h2h->front().referee() == "Martin Atkinson, England");
  CHECK((*h2h)[1].half_time().away() == 2);
}

TEST_CASE("statistics: values, 35% -> 0.35, xG only where non-null", "[api_football]") {
  af::MapCounters counters;
  auto porto = af::MapStatistics(Recorded("fixtures_statistics_1149522_team212.json"), &counters);
  REQUIRE(porto.ok());
  REQUIRE(porto->size() == 1);
  const v1::TeamStatistics& t = porto->front();
  CHECK(t.fixture_id() == "api-football:1149522");
  CHECK(t.team().name() == "FC Porto");
  CHECK(t.stats().shots_on_target() == 2);
  CHECK(t.stats().shots() == 8);
  CHECK(t.stats().corners() == 1);
  CHECK(t.stats().yellow_cards() == 2);
  CHECK_FALSE(t.stats().has_red_cards());  // "Red Cards": null
  CHECK(t.stats().possession() == Approx(0.35));
  REQUIRE(t.stats().has_xg());  // "expected_goals": "1.17"
  CHECK(t.stats().xg() == Approx(1.17));
  CHECK_FALSE(t.stats().has_dangerous_attacks());
  CHECK(t.statistics().at("passes_accuracy") == Approx(0.75));
  CHECK(t.statistics().count("offsides") == 0);         // null -> absent
  CHECK(t.statistics().at("goalkeeper_saves") == 0.0);  // 0 is a value
  CHECK(counters.total_rejected() == 0);

  auto mu = af::MapStatistics(Recorded("fixtures_statistics_653808_team33_ball_possession.json"));
  REQUIRE(mu.ok());
  CHECK(mu->front().stats().possession() == Approx(0.39));
  CHECK_FALSE(mu->front().stats().has_shots());

  for (const char* name : {"fixtures_statistics_item_home_2024-02-28.json",
                           "fixtures_statistics_item_away_2024-02-28.json"}) {
    CAPTURE(name);
    auto item = af::MapStatisticsItem(Recorded(name));
    REQUIRE(item.ok());
    CHECK_FALSE(item->stats().has_xg());  // "expected_goals": null -> absent, not 0.
    CHECK(item->statistics().count("xg") == 0);
  }
  auto home = af::MapStatisticsItem(Recorded("fixtures_statistics_item_home_2024-02-28.json"));
  auto away = af::MapStatisticsItem(Recorded("fixtures_statistics_item_away_2024-02-28.json"));
  CHECK(home->team().name() == "RB Bragantino");
  CHECK(home->stats().possession() == Approx(0.71));
  CHECK(away->stats().possession() == Approx(0.29));
  CHECK(away->stats().shots() == 0);  // present, zero
  CHECK(away->stats().has_shots());
  auto state = af::StatisticsToState("123", {*home, *away});
  REQUIRE(state.ok());
  CHECK(state->match_id() == "api-football:123");
  CHECK(state->home().shots_on_target() == 1);
  CHECK(state->away().corners() == 1);
  CHECK_FALSE(state->home().has_xg());
  CHECK(af::StatisticsToState("123", {*home}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("events, lineups, fixture players", "[api_football]") {
  auto events = af::MapEvents(Recorded("fixtures_events_653808.json"));
  REQUIRE(events.ok());
  REQUIRE(events->size() == 9);
  const v1::MatchEvent& goal = (*events)[1];
  CHECK(goal.fixture_id() == "api-football:653808");
  CHECK(goal.minute() == 50);
  CHECK(goal.type() == "Goal");
  CHECK(goal.detail() == "Normal Goal");
  CHECK(goal.player_name() == "J. Stones");
  CHECK(goal.player_id() == "api-football:626");
  CHECK(goal.team_name() == "Manchester City");
  CHECK_FALSE(goal.has_assist_id());
  CHECK_FALSE(goal.has_comments());
  CHECK((*events)[0].comments() == "Foul");
  CHECK((*events)[4].player_name() == "João Cancelo");  // \u00e3 unescaped
  auto goals = af::MapEvents(Recorded("fixtures_events_653808_type_goal.json"));
  REQUIRE(goals.ok());
  CHECK(goals->size() == 2);

  auto lineups = af::MapLineups(Recorded("fixtures_lineups_592872.json"));
  REQUIRE(lineups.ok());
  REQUIRE(lineups->size() == 2);
  CHECK((*lineups)[0].team().name() == "Manchester City");
  CHECK((*lineups)[0].formation() == "4-3-3");
  CHECK((*lineups)[0].starting_size() == 11);
  CHECK((*lineups)[0].substitutes_size() == 9);
  CHECK((*lineups)[0].coach() == "Guardiola");
  CHECK((*lineups)[0].starting(0).name() == "Ederson");
  CHECK((*lineups)[0].starting(0).shirt_number() == 31);
  CHECK((*lineups)[0].starting(0).position() == "G");
  CHECK((*lineups)[1].formation() == "4-3-1-2");
  CHECK((*lineups)[1].substitutes_size() == 8);

  auto players = af::MapFixturePlayers(Recorded("fixtures_players_592872.json"));
  REQUIRE(players.ok());
  REQUIRE(players->size() == 39);
  const v1::Player& ederson = players->front();
  CHECK(ederson.name() == "Ederson");
  CHECK(ederson.team_id() == "api-football:50");
  CHECK(ederson.performance().at("minutes") == 90);
  CHECK(ederson.performance().at("rating") == Approx(8.2));
  CHECK(ederson.performance().at("saves") == 3);
  CHECK(ederson.performance().count("goals") == 0);  // "total": null
  CHECK(ederson.shirt_number() == 31);
}

TEST_CASE("pre-match odds, injuries, players page, predictions, standings", "[api_football]") {
  auto odds = af::MapPrematchOdds(Recorded("odds_prematch_fixture601269_bookmaker4_bet1.json"));
  REQUIRE(odds.ok());
  REQUIRE(odds->size() == 3);
  CHECK((*odds)[0].fixture_id() == "api-football:601269");
  CHECK((*odds)[0].bookmaker() == "Pinnacle");
  CHECK((*odds)[0].market() == v1::MARKET_1X2);
  CHECK((*odds)[0].selection() == v1::SELECTION_HOME);
  CHECK((*odds)[0].decimal_odds() == 1.38);
  CHECK((*odds)[1].decimal_odds() == 5.22);
  CHECK((*odds)[2].decimal_odds() == 8.59);
  CHECK((*odds)[2].timestamp().seconds() == 1619107240);  // 2021-04-22T16:00:40Z
  CHECK_FALSE((*odds)[0].is_live());
  auto triple = af::OddsTripleOf(*odds);
  REQUIRE(triple.has_value());
  CHECK(triple->draw() == 5.22);

  auto injuries = af::MapInjuries(Recorded("injuries_league78_2024-03-31.json"));
  REQUIRE(injuries.ok());
  REQUIRE(injuries->size() == 31);
  const v1::Injury& first = injuries->front();
  CHECK(first.player().name() == "E. Demirovic");
  CHECK(first.type() == "Missing Fixture");
  CHECK(first.reason() == "Yellow Cards");
  CHECK(first.player().injury_status() == "out");
  CHECK(first.team_name() == "FC Augsburg");
  CHECK(first.fixture_id() == "api-football:1049122");

  auto page = af::MapPlayers(Recorded("players_league78_season2022_page3_of35.json"));
  REQUIRE(page.ok());
  CHECK(page->players.size() == 20);
  CHECK(page->current_page == 3);
  CHECK(page->total_pages == 35);
  const v1::Player& diallo = page->players.front();
  CHECK(diallo.name() == "A. Diallo");
  CHECK(diallo.age() == 28);
  CHECK(diallo.nationality() == "Senegal");
  CHECK(diallo.team_id() == "api-football:173");
  CHECK(diallo.position() == "Defender");
  CHECK_FALSE(diallo.has_shirt_number());  // "number": null
  CHECK(diallo.performance().at("minutes") == 476);
  CHECK(diallo.performance().at("rating") == Approx(6.8625));
  CHECK(diallo.injury_status() == "fit");

  auto predictions = af::MapPredictions(Recorded("predictions_1049124.json"));
  REQUIRE(predictions.ok());
  REQUIRE(predictions->size() == 1);
  const v1::PredictionSummary& p = predictions->front();
  CHECK(p.fixture_id() == "api-football:1049124");
  CHECK(p.winner_team_id() == "api-football:165");
  CHECK(p.home_probability() == Approx(0.45));
  CHECK(p.draw_probability() == Approx(0.45));
  CHECK(p.away_probability() == Approx(0.10));
  CHECK_FALSE(p.has_under_over());  // null
  CHECK(p.home().name() == "Borussia Dortmund");
  CHECK(p.advice() == "Double chance : Borussia Dortmund or draw");

  auto standings = af::MapStandings(Recorded("standings_league39_season2022.json"));
  REQUIRE(standings.ok());
  REQUIRE(standings->size() == 20);
  const v1::Standing& top = standings->front();
  CHECK(top.team().name() == "Manchester City");
  CHECK(top.points() == 89);
  CHECK(top.goal_difference() == 61);
  CHECK(top.won() == 28);
  CHECK(top.goals_for() == 94);
  CHECK(top.competition() == "Premier League");
  CHECK(top.season() == "2022");
  CHECK(top.form() == "LDWWW");
}

TEST_CASE("the three recorded error responses map to InvalidArgument", "[api_football]") {
  for (const char* name : {"error_injuries_no_params.json", "error_teams_league_with_search.json",
                           "error_venues_country_with_search.json"}) {
    CAPTURE(name);
    const absl::Status s = af::EnvelopeStatus(Recorded(name));
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  }
  auto injuries = af::MapInjuries(Recorded("error_injuries_no_params.json"));
  REQUIRE(injuries.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(injuries.status().message()) ==
        "api-football errors: required: At least one parameter is required.");
  CHECK(af::EnvelopeStatus(Recorded("error_teams_league_with_search.json")).message() ==
        "api-football errors: league: The League field cannot be used with the Search field.");
}

TEST_CASE("errors field: token and request-limit forms, object and array", "[api_football]") {
  const std::string token =
      R"({"get":"status","parameters":[],"errors":{"token":"Error/Missing application key. )"
      R"(Go to https://www.api-football.com/documentation-v3 to learn how to get your API )"
      R"(application key."},"results":0,"paging":{"current":1,"total":1},"response":[]})";
  CHECK(af::EnvelopeStatus(token).code() == absl::StatusCode::kUnauthenticated);
  const std::string limit =
      R"({"get":"fixtures","parameters":{"live":"all"},"errors":{"requests":"You have )"
      R"(reached the request limit for the day, Go to https://dashboard.api-football.com )"
      R"(to upgrade your plan."},"results":0,"paging":{"current":1,"total":1},"response":[]})";
  CHECK(af::EnvelopeStatus(limit).code() == absl::StatusCode::kResourceExhausted);
  const std::string array_form =
      R"({"get":"fixtures","errors":[{"time":"The Time field must contain a valid time."}],)"
      R"("response":[]})";
  CHECK(af::EnvelopeStatus(array_form).code() == absl::StatusCode::kInvalidArgument);
  CHECK(af::EnvelopeStatus(R"({"get":"x","errors":[],"response":[]})").ok());
  CHECK(af::MapLiveFixtures(limit).status().code() == absl::StatusCode::kResourceExhausted);
}

TEST_CASE("odds/live: the documentation's example (no recording exists)", "[api_football]") {
  // tests/providers/data/odds_live_doc_example.json is API-Football's documented example.
  const std::string body = ReadFileOrEmpty(superbet::testing::SourceDir() +
                                           "/tests/providers/data/odds_live_doc_example.json");
  REQUIRE_FALSE(body.empty());
  af::MapCounters counters;
  auto lines = af::MapLiveOdds(body, &counters);
  REQUIRE(lines.ok());
  // Asian Handicap main (2) + Over/Under Line main (2) + Match Goals (6) + Fulltime Result (3).
  REQUIRE(lines->size() == 13);
  for (const auto& l : *lines) {
    CHECK(l.is_live());
    CHECK(l.fixture_id() == "api-football:721238");
    CHECK(l.timestamp().seconds() == 1643300461);  // 2022-01-27T16:21:01Z
    CHECK(l.decimal_odds() > 1.0);
  }
  CHECK((*lines)[0].market() == v1::MARKET_ASIAN_HANDICAP);
  CHECK((*lines)[0].selection() == v1::SELECTION_HOME);
  CHECK((*lines)[0].decimal_odds() == 2.05);
  CHECK((*lines)[0].line() == -1.0);
  CHECK((*lines)[1].selection() == v1::SELECTION_AWAY);
  CHECK((*lines)[1].line() == -1.0);  // Away +1 is home -1.
  CHECK((*lines)[2].market() == v1::MARKET_OVER_UNDER);
  CHECK((*lines)[2].decimal_odds() == 1.975);
  CHECK((*lines)[2].line() == 2.0);
  auto triple = af::OddsTripleOf(*lines);
  REQUIRE(triple.has_value());
  CHECK(triple->home() == 1.3);
  CHECK(triple->draw() == 4.333);
  CHECK(triple->away() == 17.0);

  // Blocked betting: every mapped value is skipped and counted as suspended.
  std::string blocked = body;
  const std::string from = R"("blocked": false)";
  blocked.replace(blocked.find(from), from.size(), R"("blocked": true)");
  af::MapCounters c2;
  auto none = af::MapLiveOdds(blocked, &c2);
  REQUIRE(none.ok());
  CHECK(none->empty());
  CHECK(c2.suspended_odds ==
        13);  // The 13 lines above; main == false alternatives are not counted.
}

TEST_CASE("untrusted values are rejected and counted", "[api_football]") {
  const std::string odds =
      R"({"get":"odds","errors":[],"response":[{"fixture":{"id":1},)"
      R"("update":"2021-04-22T16:00:40+00:00",)"
      R"("bookmakers":[{"id":4,"name":"Pinnacle","bets":[{"id":1,"name":"Match Winner","values":[)"
      R"({"value":"Home","odd":"0.97"},{"value":"Draw","odd":"abc"},)"
      R"({"value":"Away","odd":"2.5"}]}]}]}]})";
  af::MapCounters c;
  auto lines = af::MapPrematchOdds(odds, &c);
  REQUIRE(lines.ok());
  CHECK(lines->size() == 1);
  CHECK(c.rejected_odds == 2);

  const std::string fixtures =
      R"({"get":"fixtures","errors":[],"response":[{"fixture":{"id":7,"status":{"short":"2H",)"
      R"("elapsed":400}},"teams":{"home":{"id":1,"name":"A"},"away":{"id":2,"name":"B"}},)"
      R"("goals":{"home":-1,"away":2}}]})";
  af::MapCounters c2;
  auto f = af::MapLiveFixtures(fixtures, absl::InfinitePast(), &c2);
  REQUIRE(f.ok());
  CHECK_FALSE(f->front().state.has_minute());      // 400: rejected -> absent.
  CHECK_FALSE(f->front().state.has_score_home());  // -1: rejected -> absent.
  CHECK(f->front().state.score_away() == 2);
  CHECK(c2.rejected_minutes == 1);
  CHECK(c2.rejected_counts == 1);

  const std::string stats =
      R"({"team":{"id":1,"name":"A"},"statistics":[{"type":"Ball Possession","value":"162%"},)"
      R"({"type":"Total Shots","value":-3},{"type":"expected_goals","value":"x"}]})";
  af::MapCounters c3;
  auto s = af::MapStatisticsItem(stats, &c3);
  REQUIRE(s.ok());
  CHECK_FALSE(s->stats().has_possession());
  CHECK_FALSE(s->stats().has_shots());
  CHECK_FALSE(s->stats().has_xg());
  CHECK(c3.rejected_values == 2);
  CHECK(c3.rejected_counts == 1);
}

TEST_CASE("truncated and malformed JSON -> DataLoss, wrong types -> InvalidArgument",
          "[api_football]") {
  const std::string body = Recorded("fixtures_live_all_2024-02-28.json");
  for (size_t cut : {size_t{0}, size_t{1}, size_t{100}, body.size() / 2, body.size() - 1}) {
    CAPTURE(cut);
    auto r = af::MapLiveFixtures(body.substr(0, cut));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kDataLoss);
  }
  auto garbage = af::MapLiveFixtures(body + "}");
  CHECK(garbage.status().code() == absl::StatusCode::kDataLoss);
  auto half = af::MapLiveFixtures(body.substr(0, body.size() / 2));
  INFO(std::string(half.status().message()));
  CHECK((absl::StrContains(std::string(half.status().message()), "byte offset") ||
         absl::StrContains(std::string(half.status().message()), "path $")));
  auto cut_in_array = af::MapLiveFixtures(body.substr(0, body.rfind(']')));  // Ends "...}\n  "
  INFO(std::string(cut_in_array.status().message()));
  CHECK(cut_in_array.status().code() == absl::StatusCode::kDataLoss);
  CHECK(absl::StrContains(std::string(cut_in_array.status().message()), "byte offset"));

  const std::string wrong = R"({"get":"fixtures","errors":[],"response":[{"fixture":{"id":"x7",)"
                            R"("status":{"elapsed":"ten"}}}]})";
  auto w = af::MapLiveFixtures(wrong);
  REQUIRE(w.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(
      absl::StrContains(std::string(w.status().message()), "$.response[0].fixture.status.elapsed"));
  CHECK(absl::StrContains(std::string(w.status().message()), "\"ten\""));
  CHECK(af::MapLiveFixtures("[1,2]").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ids and statuses", "[api_football]") {
  CHECK(af::CanonicalId("42") == "api-football:42");
  CHECK(af::CanonicalId("api-football:42") == "api-football:42");
  CHECK(*af::BareId("api-football:653808") == "653808");
  CHECK(af::BareId("abc").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(af::StatusFromShort("HT") == v1::FIXTURE_STATUS_LIVE);
  CHECK(af::StatusFromShort("PST") == v1::FIXTURE_STATUS_POSTPONED);
  CHECK(af::StatusFromShort("AET") == v1::FIXTURE_STATUS_FINISHED);
  CHECK(*af::EnvelopeEndpoint(Recorded("fixtures_events_653808.json")) == "fixtures/events");
  CHECK(af::EnvelopeEndpoint(Recorded("fixtures_statistics_item_home_2024-02-28.json"))
            .status()
            .code() == absl::StatusCode::kNotFound);
}

TEST_CASE("coverage registry: every adapter declares every canonical field, in order",
          "[api_football][coverage]") {
  const auto all = superbet::providers::AllCoverage();
  REQUIRE(all.size() == 3);
  const auto& fields = superbet::providers::CanonicalFields();
  for (const auto& a : all) {
    CAPTURE(a.adapter);
    REQUIRE(a.fields.size() == fields.size());
    for (size_t i = 0; i < fields.size(); ++i) CHECK(a.fields[i].field == fields[i]);
  }
  using superbet::providers::Coverage;
  auto cell = [&](size_t adapter, const std::string& field) {
    for (const auto& f : all[adapter].fields) {
      if (f.field == field) return f.coverage;
    }
    return Coverage::kNotSupported;
  };
  CHECK(all[0].adapter == "api-football");
  CHECK(cell(0, "SideStats.dangerous_attacks") == Coverage::kNotSupported);  // §2.2
  CHECK(cell(0, "SideStats.xg") == Coverage::kParsed);
  CHECK(cell(1, "SideStats.xg") == Coverage::kNotSupported);  // football-data: no xG
  CHECK(cell(1, "BettingLine.is_closing") == Coverage::kParsed);
  CHECK(cell(2, "LiveMatchState.score") == Coverage::kInferred);  // StatsBomb: from shots
  CHECK(cell(2, "SideStats.dangerous_attacks") == Coverage::kInferred);
  CHECK(cell(2, "BettingLine[1X2]") == Coverage::kNotSupported);
}

TEST_CASE("StatusFromHttp: the status table of api_football_client.h", "[api_football]") {
  using superbet::providers::HttpResponse;
  using superbet::providers::StatusFromHttp;
  auto code = [](long status, std::map<std::string, std::string> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.headers = std::move(headers);
    return StatusFromHttp(r, "/fixtures?live=all").code();
  };
  CHECK(code(200) == absl::StatusCode::kOk);
  CHECK(code(204) == absl::StatusCode::kNotFound);
  CHECK(code(401) == absl::StatusCode::kUnauthenticated);
  CHECK(code(403) == absl::StatusCode::kUnauthenticated);
  CHECK(code(404) == absl::StatusCode::kNotFound);
  CHECK(code(400) == absl::StatusCode::kInvalidArgument);
  CHECK(code(429) == absl::StatusCode::kResourceExhausted);
  CHECK(code(499) == absl::StatusCode::kUnavailable);  // API-Football's documented "Time Out".
  CHECK(code(500) == absl::StatusCode::kUnavailable);
  CHECK(code(503) == absl::StatusCode::kUnavailable);
  HttpResponse limited;
  limited.status = 429;
  limited.headers["retry-after"] = "12";
  CHECK(
      absl::StrContains(std::string(StatusFromHttp(limited, "/x").message()), "retry_after_s=12"));
  limited.headers["retry-after"] = "Wed, 21 Oct 2015 07:28:00 GMT";  // HTTP-date: no hint.
  CHECK_FALSE(
      absl::StrContains(std::string(StatusFromHttp(limited, "/x").message()), "retry_after_s"));
}

// ---- Issue 12: bad input never becomes a silent wrong result -----------------------------------
// Oracle: the recorded files, edited in the test so that one known value is null, negative or
// absurd; the expected outcome is the documented rule (api_football.h): the field is absent (not
// 0), the rejection is counted, and the rest of the response maps exactly as unedited.

namespace {

// `body` with the first `from` at or after the first `anchor` replaced by `to`.
std::string Edited(std::string body, const std::string& anchor, const std::string& from,
                   const std::string& to) {
  const size_t a = body.find(anchor);
  REQUIRE(a != std::string::npos);
  const size_t at = body.find(from, a);
  REQUIRE(at != std::string::npos);
  return body.replace(at, from.size(), to);
}

// Fixture 1148845 (index 0 of fixtures_live_all_2024-02-28.json): 1H, "elapsed": 2, goals 0-0.
constexpr char kFirstFixture[] = R"("id": 1148845)";
constexpr char kFirstGoals[] = R"("goals": {)";

}  // namespace

TEST_CASE("live state: a null or rejected minute or score is absent and masked, not an observed 0",
          "[api_football][absent]") {
  namespace model = superbet::model;
  const std::string body = Recorded("fixtures_live_all_2024-02-28.json");

  // Control: the recorded 2' and 0-0 are observed values, zeros included.
  auto plain = af::MapLiveStates(body);
  REQUIRE(plain.ok());
  const v1::LiveMatchState& observed = plain->front();
  REQUIRE(observed.has_minute());
  CHECK(observed.minute() == 2);
  REQUIRE(observed.has_score_home());
  CHECK(observed.score_home() == 0);
  const model::MaskedFeatures seen = model::Mask(observed);
  CHECK(seen.mask[model::kSlotMinute] == 1.0f);
  CHECK(seen.mask[model::kSlotScoreHome] == 1.0f);
  CHECK(seen.mask[model::kSlotScoreAway] == 1.0f);

  // "elapsed": null, goals {"home": null, "away": -1}.
  std::string edited = Edited(body, kFirstFixture, R"("elapsed": 2)", R"("elapsed": null)");
  edited = Edited(edited, kFirstGoals, R"("home": 0)", R"("home": null)");
  edited = Edited(edited, kFirstGoals, R"("away": 0)", R"("away": -1)");
  af::MapCounters counters;
  auto live = af::MapLiveFixtures(edited, absl::InfinitePast(), &counters);
  REQUIRE(live.ok());
  REQUIRE(live->size() == 14);
  const v1::LiveMatchState& s = live->front().state;
  CHECK(s.match_id() == "api-football:1148845");
  CHECK_FALSE(s.has_minute());
  CHECK_FALSE(s.has_score_home());
  CHECK_FALSE(s.has_score_away());
  CHECK_FALSE(live->front().fixture.has_elapsed_minute());
  CHECK(counters.rejected_counts == 1);  // The -1; a null is not a rejection.
  CHECK(counters.total_rejected() == 1);
  CHECK((*live)[2].state.minute() == 16);  // The other fixtures are untouched.

  const model::MaskedFeatures m = model::Mask(s);
  for (int slot : {model::kSlotMinute, model::kSlotScoreHome, model::kSlotScoreAway}) {
    CAPTURE(slot);
    CHECK(m.mask[slot] == 0.0f);
    CHECK(m.value[slot] == 0.0f);
  }
  CHECK(m.mask[model::kSlotStalenessNorm] == 1.0f);
  // The generic path of the default spec agrees.
  const model::FeatureSpec& spec = model::FeatureSpec::Default();
  std::vector<float> values(spec.size()), mask(spec.size());
  REQUIRE(model::Mask(spec, s, absl::MakeSpan(values), absl::MakeSpan(mask)).ok());
  CHECK(mask[spec.IndexOf("minute")] == 0.0f);
  CHECK(mask[spec.IndexOf("score_home")] == 0.0f);
  CHECK(mask[spec.IndexOf("score_away")] == 0.0f);

  auto states = af::MapLiveStates(edited);
  REQUIRE(states.ok());
  CHECK((*states)[0].SerializeAsString() == s.SerializeAsString());
}

TEST_CASE("live state: the league fixture list's not-started fixtures have no minute or score",
          "[api_football][absent]") {
  // Every fixture of the list is NS or PST with "elapsed": null and goals {null, null}.
  auto list = af::MapLiveFixtures(Recorded("fixtures_league78_season2023_status_NS-PST.json"));
  REQUIRE(list.ok());
  REQUIRE(list->size() == 71);
  for (const auto& f : *list) {
    CHECK_FALSE(f.state.has_minute());
    CHECK_FALSE(f.state.has_score_home());
    CHECK_FALSE(f.state.has_score_away());
  }
}

TEST_CASE("events: a null minute is absent, an absurd one (400, 1e300) drops the event, counted",
          "[api_football][absent]") {
  const std::string body = Recorded("fixtures_events_653808.json");
  // The first event is Fernandinho's yellow card, "elapsed":48.
  const std::string null_minute =
      Edited(body, R"("response")", R"("elapsed":48)", R"("elapsed":null)");
  af::MapCounters counters;
  auto events = af::MapEvents(null_minute, &counters);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 9);
  CHECK((*events)[0].player_name() == "Fernandinho");
  CHECK_FALSE((*events)[0].has_minute());
  CHECK((*events)[1].minute() == 50);
  CHECK(counters.total_rejected() == 0);

  for (const char* bad : {"400", "-3", "1e300", "-1e300", "1e19"}) {
    CAPTURE(bad);
    af::MapCounters c;
    auto r = af::MapEvents(
        Edited(body, R"("response")", R"("elapsed":48)", absl::StrCat(R"("elapsed":)", bad)), &c);
    REQUIRE(r.ok());
    REQUIRE(r->size() == 8);
    CHECK((*r)[0].minute() == 50);  // Stones' goal is now first.
    CHECK(c.rejected_minutes == 1);
    CHECK(c.total_rejected() == 1);
  }
}

TEST_CASE("statistics to state: no minute or score in /fixtures/statistics -> absent and masked",
          "[api_football][absent]") {
  auto home = af::MapStatisticsItem(Recorded("fixtures_statistics_item_home_2024-02-28.json"));
  auto away = af::MapStatisticsItem(Recorded("fixtures_statistics_item_away_2024-02-28.json"));
  REQUIRE(home.ok());
  REQUIRE(away.ok());
  auto state = af::StatisticsToState("123", {*home, *away});
  REQUIRE(state.ok());
  CHECK_FALSE(state->has_minute());
  CHECK_FALSE(state->has_score_home());
  CHECK_FALSE(state->has_score_away());
  const superbet::model::MaskedFeatures m = superbet::model::Mask(*state);
  CHECK(m.mask[superbet::model::kSlotMinute] == 0.0f);
  CHECK(m.mask[superbet::model::kSlotScoreHome] == 0.0f);
  CHECK(m.mask[superbet::model::kSlotScoreAway] == 0.0f);
}

TEST_CASE("out-of-range numbers are range-checked before any narrowing conversion",
          "[api_football][ub]") {
  // Each of these was a float -> int conversion out of range (undefined behaviour; UBSan
  // float-cast-overflow) or an int64 -> int32 truncation that produced a wrong value.
  const std::string live = Recorded("fixtures_live_all_2024-02-28.json");
  for (const char* bad : {"1e300", "-1e300", "9.3e18", "151"}) {
    CAPTURE(bad);
    af::MapCounters c;
    auto r = af::MapLiveFixtures(
        Edited(live, kFirstFixture, R"("elapsed": 2)", absl::StrCat(R"("elapsed": )", bad)),
        absl::InfinitePast(), &c);
    REQUIRE(r.ok());  // One bad value costs that value only, not the response.
    REQUIRE(r->size() == 14);
    CHECK_FALSE(r->front().state.has_minute());
    CHECK_FALSE(r->front().fixture.has_elapsed_minute());
    CHECK(c.rejected_minutes == 1);
    CHECK(c.total_rejected() == 1);
  }
  for (const char* bad : {"1e300", "1e10", "2147483648", "1000001"}) {
    CAPTURE(bad);
    af::MapCounters c;
    auto r = af::MapLiveStates(
        Edited(live, kFirstGoals, R"("home": 0)", absl::StrCat(R"("home": )", bad)),
        absl::InfinitePast(), &c);
    REQUIRE(r.ok());
    CHECK_FALSE(r->front().has_score_home());
    CHECK(r->front().score_away() == 0);
    CHECK(c.rejected_counts == 1);
    CHECK(c.total_rejected() == 1);
  }

  // "Total Shots": 4 of RB Bragantino (the recorded home item).
  const std::string item = Recorded("fixtures_statistics_item_home_2024-02-28.json");
  for (const char* bad : {"1e10", "2147483648", "1e300", "1000001"}) {
    CAPTURE(bad);
    af::MapCounters c;
    auto s = af::MapStatisticsItem(
        Edited(item, R"("Total Shots")", R"("value": 4)", absl::StrCat(R"("value": )", bad)), &c);
    REQUIRE(s.ok());
    CHECK_FALSE(s->stats().has_shots());
    CHECK(s->statistics().count("shots") == 0);
    CHECK(s->stats().shots_on_target() == 1);  // The rest of the item is unchanged.
    CHECK(c.rejected_counts == 1);
    CHECK(c.total_rejected() == 1);
  }

  // Standings: Arsenal's "goalsDiff":45 (row 2); paging.total.
  const std::string standings = Recorded("standings_league39_season2022.json");
  af::MapCounters sc;
  auto rows = af::MapStandings(
      Edited(standings, R"("goalsDiff":61)", R"("goalsDiff":45)", R"("goalsDiff":1e10)"), &sc);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 20);
  CHECK((*rows)[0].goal_difference() == 61);
  CHECK((*rows)[1].team().name() == "Arsenal");  // The row stays; only the value is dropped.
  CHECK(sc.rejected_counts == 1);
  af::MapCounters pc;
  auto page = af::MapPlayers(Edited(Recorded("players_league78_season2022_page3_of35.json"),
                                    R"("paging")", R"("total":35)", R"("total":10000000000)"),
                             &pc);
  REQUIRE(page.ok());
  CHECK(page->total_pages == 1);  // Rejected: the default, not 10^10 truncated to int.
  CHECK(page->current_page == 3);
  CHECK(pc.rejected_values == 1);
}

TEST_CASE("odds: every price goes through ValidateDecimalOdds (<= kMaxDecimalOdds = 1000)",
          "[api_football][odds]") {
  // Pre-match: Pinnacle's "Home" 1.38 of fixture 601269.
  const std::string pre = Recorded("odds_prematch_fixture601269_bookmaker4_bet1.json");
  for (const auto& [odd, kept] : std::map<std::string, bool>{
           {"1000", true}, {"1000.01", false}, {"1001", false}, {"9999", false}, {"1.0", false}}) {
    CAPTURE(odd);
    af::MapCounters c;
    auto lines = af::MapPrematchOdds(
        Edited(pre, R"("Home")", R"("odd": "1.38")", absl::StrCat(R"("odd": ")", odd, "\"")), &c);
    REQUIRE(lines.ok());
    CHECK(lines->size() == (kept ? 3u : 2u));
    CHECK(c.rejected_odds == (kept ? 0 : 1));
  }
  // Live: the documentation example's Fulltime Result "Away" 17.
  const std::string live = ReadFileOrEmpty(superbet::testing::SourceDir() +
                                           "/tests/providers/data/odds_live_doc_example.json");
  REQUIRE_FALSE(live.empty());
  af::MapCounters c;
  auto lines = af::MapLiveOdds(
      Edited(live, R"("Fulltime Result")", R"("odd": "17")", R"("odd": "1500")"), &c);
  REQUIRE(lines.ok());
  CHECK(lines->size() == 12);
  CHECK(c.rejected_odds == 1);
  CHECK_FALSE(af::OddsTripleOf(*lines).has_value());
}

TEST_CASE("odds/live: a handicap that is not a finite number drops the line, counted",
          "[api_football][odds]") {
  const std::string body = ReadFileOrEmpty(superbet::testing::SourceDir() +
                                           "/tests/providers/data/odds_live_doc_example.json");
  REQUIRE_FALSE(body.empty());
  // The main "Over/Under Line" value: Over 1.975 at handicap "2".
  const std::string main_over = R"("odd": "1.975", "handicap": "2")";
  for (const char* bad : {"inf", "-inf", "nan", "1e999", "Infinity"}) {
    CAPTURE(bad);
    af::MapCounters c;
    auto lines =
        af::MapLiveOdds(Edited(body, R"("Over/Under Line")", main_over,
                               absl::StrCat(R"("odd": "1.975", "handicap": ")", bad, "\"")),
                        &c);
    REQUIRE(lines.ok());
    CHECK(lines->size() == 12);  // 13 of the unedited example, less this one.
    for (const auto& l : *lines) {
      CHECK(std::isfinite(l.line()));
      CHECK(l.decimal_odds() != 1.975);
    }
    CHECK(c.total_rejected() == 1);
  }
}
