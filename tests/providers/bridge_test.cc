// The bridge helpers (superbet/model/fixture.h, superbet/ratings/match_results.h) on real data of
// both providers. Oracles: the rows of ../shared/data/football-data/E0_1516.csv and E0_2425.csv
// and ../shared/data/api-football/odds_prematch_fixture601269_bookmaker4_bet1.json, read by hand
// (values quoted beside each check).
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "superbet/model/fixture.h"
#include "superbet/providers/api_football/api_football.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/ratings/match_results.h"
#include "support/test_data.h"

namespace superbet {
namespace {

namespace fd = providers::football_data;
using model::PriceTime;

fd::SeasonData Load(const std::string& file) {
  auto s = fd::LoadSeasonFile(testing::DataPath("football-data/" + file), fd::ParseMode::kStrict);
  REQUIRE(s.ok());
  return *std::move(s);
}

TEST_CASE("bridge: football-data kickoff, 1X2 prices and results (E0 2015/16, 2024/25)",
          "[bridge]") {
  const fd::SeasonData s = Load("E0_1516.csv");
  // Man United 1-0 Tottenham, 08/08/15: B365 1.65 / 4 / 6; Pinnacle close 1.64 / 4.07 / 6.04.
  const std::string id = "football-data:E0:2015-08-08:Man United:Tottenham";
  auto b365 = model::OneXTwoPrices(s.lines, id, "Bet365", PriceTime::kPreMatch);
  REQUIRE(b365.has_value());
  CHECK(b365->home() == 1.65);
  CHECK(b365->draw() == 4.0);
  CHECK(b365->away() == 6.0);
  auto close = model::OneXTwoPrices(s.lines, id, "Pinnacle", PriceTime::kClosing);
  REQUIRE(close.has_value());
  CHECK(close->home() == 1.64);
  CHECK(close->draw() == 4.07);
  CHECK(close->away() == 6.04);
  CHECK_FALSE(model::OneXTwoPrices(s.lines, id, "NoSuchBook", PriceTime::kPreMatch).has_value());
  CHECK_FALSE(
      model::OneXTwoPrices(s.lines, "no-such-fixture", "Bet365", PriceTime::kPreMatch).has_value());

  const std::vector<ratings::MatchResult> all = ratings::FinishedMatches(s.fixtures);
  CHECK(all.size() == 380);
  const absl::Time day2 = absl::FromCivil(absl::CivilDay(2015, 8, 9), absl::UTCTimeZone());
  const std::vector<ratings::MatchResult> day1 = ratings::FinishedMatches(s.fixtures, day2);
  CHECK(day1.size() == 6);  // Six matches on Saturday 08/08/15, none before.
  auto united = model::FindTeamByName(s.fixtures, "Man United");
  REQUIRE(united.has_value());
  CHECK(united->id() == "football-data:Man United");
  CHECK(model::TeamKey(*united) == "football-data:Man United");
  CHECK_FALSE(model::FindTeamByName(s.fixtures, "Manchester United").has_value());

  // E0_2425 row 1: Man United v Fulham, 16/08/2024 20:00 UK time = 19:00 UTC (BST).
  const fd::SeasonData s25 = Load("E0_2425.csv");
  const std::optional<absl::Time> kickoff = model::KickoffTime(s25.fixtures.front());
  REQUIRE(kickoff.has_value());
  CHECK(*kickoff == absl::FromCivil(absl::CivilSecond(2024, 8, 16, 19, 0, 0), absl::UTCTimeZone()));
  CHECK_FALSE(model::KickoffTime(superbet::v1::Fixture()).has_value());
}

TEST_CASE("bridge: API-Football pre-match 1X2 prices (fixture 601269, Pinnacle)", "[bridge]") {
  const std::string json = testing::ReadFileOrEmpty(
      testing::DataPath("api-football/odds_prematch_fixture601269_bookmaker4_bet1.json"));
  REQUIRE_FALSE(json.empty());
  auto lines = providers::api_football::MapPrematchOdds(json);
  REQUIRE(lines.ok());
  REQUIRE_FALSE(lines->empty());
  // "Match Winner": Home 1.38, Draw 5.22, Away 8.59.
  auto p =
      model::OneXTwoPrices(*lines, lines->front().fixture_id(), "Pinnacle", PriceTime::kPreMatch);
  REQUIRE(p.has_value());
  CHECK(p->home() == 1.38);
  CHECK(p->draw() == 5.22);
  CHECK(p->away() == 8.59);
  CHECK(lines->front().fixture_id() == "api-football:601269");
  CHECK_FALSE(
      model::OneXTwoPrices(*lines, "", "Pinnacle", PriceTime::kClosing).has_value());  // None.
}

}  // namespace
}  // namespace superbet
