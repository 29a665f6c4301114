#include "superbet/ratings/pi_ratings.h"

#include <cmath>

namespace superbet::ratings {
namespace {
constexpr double kB = 10.0;
constexpr double kC = 3.0;
}  // namespace

double PiExpectedGoalDifference(double rating) {
  const double g = std::pow(kB, std::abs(rating) / kC) - 1.0;
  return rating < 0 ? -g : g;
}

double PiExpectedHomeGoalDifference(const PiRating& home, const PiRating& away) {
  return PiExpectedGoalDifference(home.home) - PiExpectedGoalDifference(away.away);
}

void PiUpdate(PiRating& home, PiRating& away, int home_goals, int away_goals,
              const PiParameters& parameters) {
  const double expected = PiExpectedHomeGoalDifference(home, away);
  const double observed = home_goals - away_goals;
  const double psi = kC * std::log10(1.0 + std::abs(observed - expected));
  const double psi_home = observed > expected ? psi : -psi;
  const double psi_away = observed < expected ? psi : -psi;
  const double home_change = parameters.learning_rate * psi_home;
  const double away_change = parameters.learning_rate * psi_away;
  home.home += home_change;
  home.away += parameters.cross_rate * home_change;
  away.away += away_change;
  away.home += parameters.cross_rate * away_change;
}

}  // namespace superbet::ratings
