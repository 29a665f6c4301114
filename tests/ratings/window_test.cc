// The fit window of the goal models (lib/ratings/internal/window.h), the part the backtest's
// speed work changed.
// Oracles:
//  * the plain formula: every row's weight is exp(-xi * floor(ToDoubleHours(as_of - kickoff) /
//    24)) (Dixon & Coles 1997 §4.5, whole days), bit for bit, for ages at every whole day +-3 s
//    over six years and for kickoffs with sub-second parts (the integer fast path and its
//    fallback);
//  * look-ahead: a window reaching past as_of is refused, naming the first match after it;
//  * evidence: the match counts are the same with and without the evidence weights, which are
//    the plain sums when asked for.

#include "ratings/internal/window.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "superbet/ratings/match_table.h"

namespace superbet::ratings::internal {
namespace {

const absl::Time kAsOf = absl::FromCivil(absl::CivilDay(2024, 5, 20), absl::UTCTimeZone());

double PlainWeight(double xi, absl::Time as_of, absl::Time kickoff) {
  return std::exp(-xi * std::floor(absl::ToDoubleHours(as_of - kickoff) / 24.0));
}

TEST_CASE("window weights equal the plain whole-day formula at day edges and sub-second kickoffs",
          "[ratings][window]") {
  std::vector<absl::Time> kickoffs;
  for (int d = 0; d < 6 * 365; ++d) {
    for (int s = -3; s <= 3; ++s) {
      const absl::Time t = kAsOf - absl::Hours(24) * d + absl::Seconds(s);
      if (t <= kAsOf) kickoffs.push_back(t);
    }
    kickoffs.push_back(kAsOf - absl::Hours(24) * d - absl::Milliseconds(500));
    kickoffs.push_back(kAsOf - absl::Hours(24) * d + absl::Nanoseconds(1) - absl::Hours(24));
  }
  std::vector<MatchResult> results;
  for (absl::Time t : kickoffs) results.push_back({"Arsenal", "Chelsea", 1, 0, t});
  auto table = MatchTable::FromResults(results);
  REQUIRE(table.ok());
  std::vector<int> scratch(table->teams(), -1);
  const double xi = 0.0019;
  // One row per window: its weight is the window's weighted home goals (1 goal).
  for (size_t i = 0; i < table->size(); ++i) {
    auto w = BuildWindow(*table, i, i + 1, kAsOf, xi, Counts::kGoals, scratch);
    REQUIRE(w.ok());
    const absl::Time kickoff = table->matches()[i].kickoff;
    INFO("kickoff " << absl::FormatTime(kickoff));
    REQUIRE(w->data.home_goals == PlainWeight(xi, kAsOf, kickoff));
  }
  // A sub-second as_of takes the fallback path: still the plain formula.
  const absl::Time odd_as_of = kAsOf - absl::Milliseconds(250);
  const size_t end = table->LowerBound(odd_as_of + absl::Nanoseconds(1));
  for (size_t i = 0; i < end; i += 97) {
    auto w = BuildWindow(*table, i, i + 1, odd_as_of, xi, Counts::kGoals, scratch);
    REQUIRE(w.ok());
    REQUIRE(w->data.home_goals == PlainWeight(xi, odd_as_of, table->matches()[i].kickoff));
  }
}

TEST_CASE("window refuses a match after as_of and names the first one", "[ratings][window]") {
  std::vector<MatchResult> results = {
      {"Arsenal", "Chelsea", 1, 0, kAsOf - absl::Hours(48)},
      {"Everton", "Fulham", 2, 2, kAsOf + absl::Hours(1)},
      {"Leeds", "Burnley", 0, 0, kAsOf + absl::Hours(30)},
  };
  auto table = MatchTable::FromResults(results);
  REQUIRE(table.ok());
  std::vector<int> scratch(table->teams(), -1);
  auto w = BuildWindow(*table, 0, table->size(), kAsOf, 0.0019, Counts::kGoals, scratch);
  REQUIRE(w.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string message(w.status().message());
  CHECK(message.find("Everton v Fulham") != std::string::npos);
  for (int id : scratch) CHECK(id == -1);  // The scratch map is left as it was given.
  REQUIRE(BuildWindow(*table, 0, 1, kAsOf, 0.0019, Counts::kGoals, scratch).ok());
}

TEST_CASE("window evidence: same match counts without the weights, plain sums with them",
          "[ratings][window]") {
  std::vector<MatchResult> results = {
      {"Arsenal", "Chelsea", 1, 0, kAsOf - absl::Hours(24 * 10)},
      {"Chelsea", "Everton", 2, 1, kAsOf - absl::Hours(24 * 3 + 5)},
      {"Everton", "Arsenal", 0, 0, kAsOf - absl::Hours(20)},
  };
  auto table = MatchTable::FromResults(results);
  REQUIRE(table.ok());
  std::vector<int> scratch(table->teams(), -1);
  const double xi = 0.01;
  auto full = BuildWindow(*table, 0, 3, kAsOf, xi, Counts::kGoals, scratch);
  auto bare = BuildWindow(*table, 0, 3, kAsOf, xi, Counts::kGoals, scratch, false, 0, 0,
                          /*evidence_weights=*/false);
  REQUIRE(full.ok());
  REQUIRE(bare.ok());
  REQUIRE(full->table_id == bare->table_id);
  for (size_t i = 0; i < full->evidence.size(); ++i) {
    CHECK(full->evidence[i].matches == 2);
    CHECK(bare->evidence[i].matches == 2);
    CHECK(bare->evidence[i].weight == 0);
  }
  // Arsenal (local 0): 10 and 0 whole days old.
  CHECK(full->evidence[0].weight == std::exp(-xi * 10) + std::exp(-xi * 0));
  CHECK(full->evidence[0].weighted_age_days == std::exp(-xi * 10) * 10 + std::exp(-xi * 0) * 0);
  CHECK(full->evidence[0].last_kickoff == kAsOf - absl::Hours(20));
  CHECK(full->data.home_goals == bare->data.home_goals);
}

}  // namespace
}  // namespace superbet::ratings::internal
