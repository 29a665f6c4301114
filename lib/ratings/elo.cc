#include "superbet/ratings/elo.h"

#include <cmath>
#include <cstdlib>

namespace superbet::ratings {

double EloK(MatchImportance importance) {
  switch (importance) {
    case MatchImportance::kWorldCupFinals:
      return 60;
    case MatchImportance::kContinentalFinals:
      return 50;
    case MatchImportance::kQualifiers:
      return 40;
    case MatchImportance::kOtherTournament:
      return 30;
    case MatchImportance::kFriendly:
      return 20;
  }
  return 20;
}

double EloGoalMultiplier(int home_goals, int away_goals) {
  const int n = std::abs(home_goals - away_goals);
  if (n <= 1) return 1.0;
  if (n == 2) return 1.5;
  return (11.0 + n) / 8.0;
}

double EloExpectedScore(double rating_difference) {
  return 1.0 / (std::pow(10.0, -rating_difference / 400.0) + 1.0);
}

double EloHomeChange(double home_rating, double away_rating, int home_goals, int away_goals,
                     double k, double home_advantage) {
  const double w = home_goals > away_goals ? 1.0 : home_goals == away_goals ? 0.5 : 0.0;
  const double we = EloExpectedScore(home_rating - away_rating + home_advantage);
  return k * EloGoalMultiplier(home_goals, away_goals) * (w - we);
}

}  // namespace superbet::ratings
