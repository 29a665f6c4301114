// World Football Elo and pi-ratings updates.
// Oracles: hand computation from the published formulas (eloratings.net "About the World Football
// Elo Ratings"; Constantinou & Fenton 2013 §3), worked in the comments.

#include <catch2/catch.hpp>
#include <cmath>

#include "superbet/ratings/elo.h"
#include "superbet/ratings/pi_ratings.h"

namespace superbet::ratings {
namespace {

TEST_CASE("World Football Elo: K table, goal multiplier, expected score, one update by hand") {
  CHECK(EloK(MatchImportance::kWorldCupFinals) == 60);
  CHECK(EloK(MatchImportance::kContinentalFinals) == 50);
  CHECK(EloK(MatchImportance::kQualifiers) == 40);
  CHECK(EloK(MatchImportance::kOtherTournament) == 30);
  CHECK(EloK(MatchImportance::kFriendly) == 20);
  CHECK(EloGoalMultiplier(1, 0) == 1.0);
  CHECK(EloGoalMultiplier(2, 2) == 1.0);
  CHECK(EloGoalMultiplier(0, 2) == 1.5);
  CHECK(EloGoalMultiplier(5, 1) == Approx(15.0 / 8.0));  // (11 + 4) / 8
  CHECK(EloExpectedScore(400) == Approx(10.0 / 11.0));
  CHECK(EloExpectedScore(0) == Approx(0.5));
  // 1500 v 1500 at home (+100): W_e = 1 / (10^-0.25 + 1) = 0.6400649998; a 3-0 home win with
  // K = 20: 20 * (11 + 3) / 8 * (1 - 0.6400649998) = 35 * 0.3599350002 = 12.597725007.
  CHECK(EloHomeChange(1500, 1500, 3, 0, 20, 100) == Approx(12.597725007).epsilon(1e-9));
  // A 1-1 draw: 20 * 1 * (0.5 - 0.6400649998) = -2.801299996.
  CHECK(EloHomeChange(1500, 1500, 1, 1, 20, 100) == Approx(-2.801299996).epsilon(1e-9));
}

TEST_CASE("pi-ratings: expected goal difference and one update by hand") {
  CHECK(PiExpectedGoalDifference(0) == 0);
  CHECK(PiExpectedGoalDifference(3) == Approx(9.0));    // 10^(3/3) - 1
  CHECK(PiExpectedGoalDifference(-3) == Approx(-9.0));  // sign kept
  PiRating home, away;
  // All ratings 0, home wins 2-0: expected 0, e = 2, psi = 3 log10(3) = 1.4313637642.
  // Home: R_H += 0.035 * 1.4313637642 = 0.0500977317; R_A += 0.7 * that = 0.0350684122.
  // Away: R_A -= 0.0500977317; R_H -= 0.0350684122.
  PiUpdate(home, away, 2, 0);
  CHECK(home.home == Approx(0.0500977317).epsilon(1e-9));
  CHECK(home.away == Approx(0.0350684122).epsilon(1e-9));
  CHECK(away.away == Approx(-0.0500977317).epsilon(1e-9));
  CHECK(away.home == Approx(-0.0350684122).epsilon(1e-9));
  // A result exactly as expected changes nothing (e = 0, psi = 0).
  PiRating a{0.3, 0.1}, b{0.2, 0.0};
  const double expected = PiExpectedHomeGoalDifference(a, b);  // g(0.3) - g(0) = 0.2589254
  CHECK(expected == Approx(std::pow(10.0, 0.1) - 1));
  PiRating a2 = a, b2 = b;
  PiUpdate(a2, b2, 1, 1);  // g_D = 0 < expected: home did worse.
  CHECK(a2.home < a.home);
  CHECK(b2.away > b.away);
}

}  // namespace
}  // namespace superbet::ratings
