// Joining the 35 StatsBomb matches to football-data.co.uk E0_1516.csv.
//
// Oracle: the row "E0,08/08/15,Man United,Tottenham,1,0,H,..." of
// ../shared/data/football-data/E0_1516.csv read by hand: B365H/D/A 1.65/4/6, PSH/D/A 1.65/4.09/5.9,
// BbMxH/D/A 1.71/4.2/6.5, BbAvH/D/A 1.63/3.9/5.65, PSCH/D/A (closing) 1.64/4.07/6.04.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/test_data.h"
#include "superbet/core/file.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/providers/statsbomb/statsbomb.h"
#include "superbet/providers/statsbomb/football_data_join.h"
#include "superbet/providers/statsbomb/team_names.h"

namespace sb = superbet::providers::statsbomb;
namespace fd = superbet::providers::football_data;
using superbet::testing::DataPath;

namespace {

struct Data {
  std::vector<superbet::v1::Fixture> matches;
  fd::SeasonData season;
};

const Data& Loaded() {
  static const Data* data = [] {
    auto* d = new Data;
    auto m = sb::LoadMatchesFile(DataPath("statsbomb/matches/2/27.json"));
    REQUIRE(m.ok());
    d->matches = *std::move(m);
    auto s = fd::LoadSeasonFile(DataPath("football-data/E0_1516.csv"), fd::ParseMode::kStrict);
    REQUIRE(s.ok());
    d->season = *std::move(s);
    return d;
  }();
  return *data;
}

const superbet::v1::Fixture& Match(const std::string& id) {
  for (const auto& f : Loaded().matches) {
    if (f.id() == id) return f;
  }
  FAIL("no fixture " << id);
  return Loaded().matches.front();
}

double Price(const std::vector<superbet::v1::BettingLine>& lines, const std::string& bookmaker,
             superbet::v1::Selection sel, bool closing) {
  for (const auto& l : lines) {
    if (l.bookmaker() == bookmaker && l.market() == superbet::v1::MARKET_1X2 &&
        l.selection() == sel && l.is_closing() == closing) {
      return l.decimal_odds();
    }
  }
  return 0;
}

}  // namespace

TEST_CASE("Team-name table maps StatsBomb names to football-data's", "[statsbomb][odds]") {
  using superbet::providers::FootballDataTeamName;
  using superbet::providers::StatsBombTeamName;
  CHECK(FootballDataTeamName("AFC Bournemouth") == "Bournemouth");
  CHECK(FootballDataTeamName("Manchester United") == "Man United");
  CHECK(FootballDataTeamName("West Bromwich Albion") == "West Brom");
  CHECK(FootballDataTeamName("Arsenal") == "Arsenal");
  CHECK(StatsBombTeamName("Man City") == "Manchester City");
  // Every 2015/16 StatsBomb team maps onto a team of E0_1516.csv.
  std::vector<std::string> fd_names;
  for (const auto& f : Loaded().season.fixtures) fd_names.push_back(f.home().name());
  for (const auto& m : Loaded().matches) {
    const std::string name = FootballDataTeamName(m.home().name());
    CHECK(std::find(fd_names.begin(), fd_names.end(), name) != fd_names.end());
  }
}

TEST_CASE("All 380 StatsBomb 2015/16 matches find their football-data fixture",
          "[statsbomb][odds]") {
  int joined = 0;
  for (const auto& m : Loaded().matches) {
    auto f = sb::FindFootballDataFixture(m, Loaded().season.fixtures);
    if (!f.ok()) {
      FAIL_CHECK(f.status().ToString());
      continue;
    }
    CHECK(f->full_time().home() == m.full_time().home());
    CHECK(f->full_time().away() == m.full_time().away());
    ++joined;
  }
  CHECK(joined == 380);
}

TEST_CASE("All 35 timelines join with the right odds, 3754097 checked by hand",
          "[statsbomb][odds]") {
  auto names = superbet::core::ListFiles(DataPath("statsbomb/events"));
  REQUIRE(names.ok());
  REQUIRE(names->size() == 35);
  for (const std::string& name : *names) {
    const std::string id = name.substr(0, name.size() - 5);
    INFO("match " << id);
    auto t = sb::LoadTimelineFile(DataPath("statsbomb/events/" + name), Match("statsbomb:" + id));
    REQUIRE(t.ok());
    REQUIRE(sb::AttachOdds(Loaded().season.fixtures, Loaded().season.lines, &*t).ok());
    CHECK(t->football_data_fixture_id.rfind("football-data:E0:2015-08-", 0) == 0);
    for (const auto& l : t->lines) CHECK(l.fixture_id() == t->football_data_fixture_id);
    // Bet365 pre-match and Pinnacle closing 1X2 prices are present for every match.
    CHECK(Price(t->lines, "Bet365", superbet::v1::SELECTION_HOME, false) > 1.0);
    CHECK(Price(t->lines, "Pinnacle", superbet::v1::SELECTION_AWAY, true) > 1.0);
    CHECK(Price(t->lines, "market_average", superbet::v1::SELECTION_DRAW, false) > 1.0);
    CHECK(Price(t->lines, "market_max", superbet::v1::SELECTION_DRAW, false) > 1.0);
    for (const auto& s : t->states) {
      REQUIRE(s.has_live_odds());
      REQUIRE(s.live_odds().bookmaker() == "Bet365");
    }
  }

  auto t = sb::LoadTimelineFile(DataPath("statsbomb/events/3754097.json"),
                                Match("statsbomb:3754097"));
  REQUIRE(t.ok());
  REQUIRE(sb::AttachOdds(Loaded().season.fixtures, Loaded().season.lines, &*t).ok());
  CHECK(t->football_data_fixture_id == "football-data:E0:2015-08-08:Man United:Tottenham");
  const auto& odds = t->states[60].live_odds();
  CHECK(odds.home() == 1.65);
  CHECK(odds.draw() == 4.0);
  CHECK(odds.away() == 6.0);
  using superbet::v1::SELECTION_AWAY;
  using superbet::v1::SELECTION_DRAW;
  using superbet::v1::SELECTION_HOME;
  CHECK(Price(t->lines, "Pinnacle", SELECTION_HOME, false) == 1.65);
  CHECK(Price(t->lines, "Pinnacle", SELECTION_DRAW, false) == 4.09);
  CHECK(Price(t->lines, "Pinnacle", SELECTION_AWAY, false) == 5.9);
  CHECK(Price(t->lines, "Pinnacle", SELECTION_HOME, true) == 1.64);
  CHECK(Price(t->lines, "Pinnacle", SELECTION_DRAW, true) == 4.07);
  CHECK(Price(t->lines, "Pinnacle", SELECTION_AWAY, true) == 6.04);
  CHECK(Price(t->lines, "market_max", SELECTION_HOME, false) == 1.71);
  CHECK(Price(t->lines, "market_average", SELECTION_AWAY, false) == 5.65);
  auto closing = sb::OneXTwoTriple(t->lines, "Pinnacle", /*closing=*/true);
  REQUIRE(closing.has_value());
  CHECK(closing->draw() == 4.07);
  CHECK_FALSE(sb::OneXTwoTriple(t->lines, "NoSuchBook", false).has_value());
}

TEST_CASE("A match absent from football-data is NotFound naming the teams", "[statsbomb][odds]") {
  superbet::v1::Fixture m = Match("statsbomb:3754097");
  m.mutable_kickoff()->set_seconds(m.kickoff().seconds() + 86400);
  auto f = sb::FindFootballDataFixture(m, Loaded().season.fixtures);
  REQUIRE(f.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(f.status().message()) ==
        "no football-data fixture Man United v Tottenham on 2015-08-09 for statsbomb:3754097 "
        "(Manchester United v Tottenham Hotspur)");
}
