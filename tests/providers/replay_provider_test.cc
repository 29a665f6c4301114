// ReplayProvider over the recorded StatsBomb matches (joined to football-data) and API-Football
// live snapshots, driven by a FakeClock.
//
// Oracles: the timelines themselves (statsbomb_test.cc checks them against the events), the
// replay formula minute = floor(elapsed x speed / 60 s) computed by hand for each clock step, and
// hand-read values: 3754097 Manchester United 1-0 Tottenham (own goal 21:36, last event minute 94
// -> full time at replay minute 95); 3754138 Norwich 1-3 Crystal Palace;
// fixtures_live_all_2021-04-21.json holds 55 fixtures.

#include "superbet/providers/replay_provider.h"

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "superbet/core/clock.h"
#include "support/test_data.h"

using superbet::core::FakeClock;
using superbet::providers::LoadReplayData;
using superbet::providers::ReplayData;
using superbet::providers::ReplayLoadOptions;
using superbet::providers::ReplayProvider;

namespace {

const ReplayData& TwoMatches() {
  static const ReplayData* data = [] {
    ReplayLoadOptions options;
    options.only_matches = {"statsbomb:3754138", "3754097"};
    auto d = LoadReplayData(superbet::testing::DataDir(), options);
    REQUIRE(d.ok());
    return new ReplayData(*std::move(d));
  }();
  return *data;
}

}  // namespace

TEST_CASE("ReplayableMatches lists the 35 recorded matches by kickoff", "[replay]") {
  auto matches = superbet::providers::ReplayableMatches(superbet::testing::DataDir());
  REQUIRE(matches.ok());
  REQUIRE(matches->size() == 35);
  CHECK(matches->front().id() == "statsbomb:3754097");  // 2015-08-08 13:45, the first.
  CHECK(matches->back().id() == "statsbomb:3754221");   // 2015-08-30 17:00, the last.
}

TEST_CASE("Replay advances minute by minute with the clock (speed 60)", "[replay]") {
  FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  auto p = ReplayProvider::Create(TwoMatches(), clock, 60.0);
  REQUIRE(p.ok());
  ReplayProvider& replay = **p;
  CHECK(replay.name() == "replay");
  REQUIRE(replay.MatchIds() == std::vector<std::string>{"statsbomb:3754097", "statsbomb:3754138"});
  CHECK(replay.CurrentMinute() == 0);

  auto live = replay.LiveFixtures();
  REQUIRE(live.ok());
  REQUIRE(live->size() == 2 + 55 + 14);  // Two StatsBomb matches + both API-Football snapshots.
  CHECK((*live)[0].state.minute() == 0);
  CHECK((*live)[0].fixture.status() == superbet::v1::FIXTURE_STATUS_LIVE);
  CHECK_FALSE((*live)[0].fixture.has_full_time());  // The result does not leak.

  clock.Advance(absl::Seconds(21.9));  // floor(21.9 x 60 / 60) = 21.
  auto s = replay.Statistics("statsbomb:3754097");
  REQUIRE(s.ok());
  CHECK(s->minute() == 21);
  CHECK(s->score_home() == 0);
  auto events = replay.Events("statsbomb:3754097");  // Nothing after 21:00 shows yet.
  REQUIRE(events.ok());
  for (const auto& e : *events) CHECK(e.type() != "Goal");
  clock.Advance(absl::Seconds(0.1));  // 22 s -> minute 22: the own goal is in.
  s = replay.Statistics("3754097");
  REQUIRE(s.ok());
  CHECK(s->minute() == 22);
  CHECK(s->score_home() == 1);
  CHECK(s->live_odds().home() == 1.65);  // Bet365 pre-match price, attached to every state.
  events = replay.Events("statsbomb:3754097");
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);  // The own goal (21:36); the first card is at 26:32.
  CHECK(events->back().detail() == "Own Goal");
  auto f = replay.GetFixture("statsbomb:3754097");
  REQUIRE(f.ok());
  CHECK(f->fixture.elapsed_minute() == 22);

  clock.Advance(absl::Seconds(95 - 22));  // Minute 95: 3754097's full-time state.
  f = replay.GetFixture("statsbomb:3754097");
  REQUIRE(f.ok());
  CHECK(f->state.status() == superbet::v1::FIXTURE_STATUS_FINISHED);
  CHECK(f->fixture.status() == superbet::v1::FIXTURE_STATUS_FINISHED);
  CHECK(f->fixture.full_time().home() == 1);
  clock.Advance(absl::Minutes(10));  // Long after: every StatsBomb match is over.
  live = replay.LiveFixtures();
  REQUIRE(live.ok());
  CHECK(live->size() == 55 + 14);
  auto norwich = replay.Statistics("statsbomb:3754138");
  REQUIRE(norwich.ok());
  CHECK(norwich->score_home() == 1);
  CHECK(norwich->score_away() == 3);

  replay.Restart();
  CHECK(replay.CurrentMinute() == 0);
  CHECK(replay.Statistics("statsbomb:3754138")->score_away() == 0);
}

TEST_CASE("Replay speed scales the clock, bad speeds are rejected", "[replay]") {
  FakeClock clock;
  auto p = ReplayProvider::Create(TwoMatches(), clock, 1.0);  // Real time.
  REQUIRE(p.ok());
  clock.Advance(absl::Seconds(59));
  CHECK((*p)->CurrentMinute() == 0);
  clock.Advance(absl::Seconds(1));
  CHECK((*p)->CurrentMinute() == 1);
  auto fast = ReplayProvider::Create(TwoMatches(), clock, 600.0);  // 10 minutes per second.
  REQUIRE(fast.ok());
  clock.Advance(absl::Milliseconds(4500));
  CHECK((*fast)->CurrentMinute() == 45);
  for (double bad : {0.0, -1.0, std::numeric_limits<double>::infinity()}) {
    auto r = ReplayProvider::Create(TwoMatches(), clock, bad);
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("Replay endpoints: recorded data, Unimplemented or NotFound", "[replay]") {
  FakeClock clock;
  auto p = ReplayProvider::Create(TwoMatches(), clock, 60.0);
  REQUIRE(p.ok());
  ReplayProvider& replay = **p;
  auto lineups = replay.Lineups("statsbomb:3754097");
  REQUIRE(lineups.ok());
  CHECK(lineups->size() == 2);
  auto odds = replay.PrematchOdds("3754097");
  REQUIRE(odds.ok());
  CHECK(odds->size() > 20);
  CHECK(odds->front().fixture_id() == "football-data:E0:2015-08-08:Man United:Tottenham");
  CHECK(replay.LiveOdds("statsbomb:3754097").status().code() == absl::StatusCode::kUnimplemented);
  // Minute 0 of the replay: no event of 3754097 has happened yet.
  auto no_events = replay.Events("statsbomb:3754097");
  REQUIRE(no_events.ok());
  CHECK(no_events->empty());
  CHECK(replay.Injuries("statsbomb:3754097").status().code() == absl::StatusCode::kUnimplemented);
  CHECK(replay.Players("statsbomb:39", 2015, 1).status().code() ==
        absl::StatusCode::kUnimplemented);
  CHECK(replay.GetFixture("statsbomb:1").status().code() == absl::StatusCode::kNotFound);
  CHECK(replay.Lineups("nope").status().code() == absl::StatusCode::kNotFound);

  // An API-Football snapshot fixture is served as recorded, with its embedded events.
  auto live = replay.LiveFixtures();
  REQUIRE(live.ok());
  const superbet::providers::LiveFixture& af = (*live)[2];
  CHECK(af.fixture.provider() == "api-football");
  auto again = replay.GetFixture(af.fixture.id());
  REQUIRE(again.ok());
  CHECK(again->state.minute() == af.state.minute());
  CHECK(replay.Events(af.fixture.id()).ok());
  CHECK(replay.PrematchOdds(af.fixture.id()).status().code() == absl::StatusCode::kUnimplemented);
}

TEST_CASE("Replay is safe to read from several threads while the clock moves", "[replay]") {
  FakeClock clock;
  auto p = ReplayProvider::Create(TwoMatches(), clock, 60.0);
  REQUIRE(p.ok());
  ReplayProvider& replay = **p;
  std::vector<std::thread> readers;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      int last = 0;
      for (int n = 0; n < 500; ++n) {
        auto s = replay.Statistics("statsbomb:3754097");
        if (!s.ok() || s->minute() < last) ++failures;
        if (s.ok()) last = s->minute();
      }
    });
  }
  for (int n = 0; n < 100; ++n) clock.Advance(absl::Seconds(1));
  for (auto& t : readers) t.join();
  CHECK(failures.load() == 0);
  CHECK(replay.CurrentMinute() == 100);
}

TEST_CASE("LoadReplayData names what is missing", "[replay]") {
  ReplayLoadOptions options;
  options.only_matches = {"statsbomb:3754058"};  // In the matches file, but no events recorded.
  auto d = LoadReplayData(superbet::testing::DataDir(), options);
  CHECK(d.status().code() == absl::StatusCode::kNotFound);
  CHECK(d.status().message().find("3754058") != absl::string_view::npos);
  CHECK(LoadReplayData("/nonexistent").status().code() == absl::StatusCode::kNotFound);
}

// Issue 12 item 16. Oracle: ../shared/data/statsbomb lists 3754058 (Leicester-Bournemouth,
// 2016-01-02) in matches/2/27.json but has no events/3754058.json; no matches file lists id 1.
TEST_CASE("A missing events file is named, apart from a match no matches file lists",
          "[replay][missing]") {
  ReplayLoadOptions options;
  options.only_matches = {"3754058"};
  auto missing = LoadReplayData(superbet::testing::DataDir(), options);
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(missing.status().message() ==
        superbet::testing::DataPath("statsbomb/events/3754058.json") +
            ": no events file for match statsbomb:3754058 (the matches file lists it)");
  options.only_matches = {"statsbomb:1"};
  auto unknown = LoadReplayData(superbet::testing::DataDir(), options);
  CHECK(unknown.status().code() == absl::StatusCode::kNotFound);
  CHECK(unknown.status().message() ==
        "match statsbomb:1 is not in " +
            superbet::testing::DataPath("statsbomb/matches/2/27.json"));
}

namespace {

struct Substitution {
  int minute = 0;      // StatsBomb minute (match clock minute, 0-based).
  std::string player;  // "statsbomb:<id>" of the replacement.
};

// The substitutions of 3754097 read with nlohmann-json from the events file.
std::vector<Substitution> SubstitutionsOf3754097() {
  const nlohmann::json events = nlohmann::json::parse(superbet::testing::ReadFileOrEmpty(
      superbet::testing::DataPath("statsbomb/events/3754097.json")));
  std::vector<Substitution> subs;
  for (const auto& e : events) {
    if (e["type"]["id"] != 19) continue;
    REQUIRE(e["period"] == 2);  // No stoppage folding to account for.
    subs.push_back(
        {e["minute"].get<int>(),
         "statsbomb:" + std::to_string(e["substitution"]["replacement"]["id"].get<long>())});
  }
  return subs;
}

// The substitutes of both teams with a position, by id.
std::set<std::string> SubstitutesWithPosition(const std::vector<superbet::v1::Lineup>& lineups) {
  std::set<std::string> ids;
  for (const auto& l : lineups) {
    for (const auto& p : l.substitutes()) {
      if (p.has_position()) ids.insert(p.id());
    }
  }
  return ids;
}

}  // namespace

// Issue 12 item 11. Oracle: the substitution events of 3754097 read with nlohmann-json (hand-read:
// Mason 52:45, Schweinsteiger 59:44, Herrera 67:54, Lamela 67:58, Alli 76:34, Valencia 80:02), and
// the replay rule that an event at minute m is visible from replay minute m + 1.
TEST_CASE("Replay lineups do not tell which substitutes will play", "[replay][lineups]") {
  const std::vector<Substitution> subs = SubstitutionsOf3754097();
  REQUIRE(subs.size() == 6);
  FakeClock clock;
  auto p = ReplayProvider::Create(TwoMatches(), clock, 60.0);
  REQUIRE(p.ok());
  ReplayProvider& replay = **p;

  // Kick-off: the substitutes differ in nothing but who they are.
  auto kickoff = replay.Lineups("statsbomb:3754097");
  REQUIRE(kickoff.ok());
  REQUIRE(kickoff->size() == 2);
  for (const auto& l : *kickoff) {
    REQUIRE(l.substitutes_size() == 7);
    CHECK(l.starting_size() == 11);
    for (const auto& s : l.starting()) CHECK(s.has_position());
    for (superbet::v1::Player s : l.substitutes()) {
      s.clear_id();
      s.clear_name();
      s.clear_shirt_number();
      s.clear_nationality();
      superbet::v1::Player first = l.substitutes(0);
      first.clear_id();
      first.clear_name();
      first.clear_shirt_number();
      first.clear_nationality();
      CHECK(s.SerializeAsString() == first.SerializeAsString());
    }
  }
  CHECK(SubstitutesWithPosition(*kickoff).empty());

  // Minute by minute to full time: exactly those who have come on show their position.
  for (int minute = 0; minute <= 95; ++minute) {
    std::set<std::string> expected;
    for (const Substitution& s : subs) {
      if (s.minute < minute) expected.insert(s.player);
    }
    auto l = replay.Lineups("statsbomb:3754097");
    REQUIRE(l.ok());
    INFO("replay minute " << minute);
    CHECK(SubstitutesWithPosition(*l) == expected);
    clock.Advance(absl::Seconds(1));  // Speed 60: one match minute per second.
  }
  // At full time: the recorded lineups (Mason came on at Left Center Midfield).
  auto full_time = replay.Lineups("statsbomb:3754097");
  REQUIRE(full_time.ok());
  bool mason = false;
  for (const auto& s : (*full_time)[1].substitutes()) {
    if (s.id() != "statsbomb:40127") continue;
    mason = true;
    CHECK(s.position() == "Left Center Midfield");
  }
  CHECK(mason);
  CHECK(SubstitutesWithPosition(*full_time).size() == 6);
}
