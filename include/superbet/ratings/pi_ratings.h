// pi-ratings (Constantinou & Fenton 2013, "Determining the level of ability of football teams by
// dynamic ratings based on the relative discrepancies in scores between adversaries", Journal of
// Quantitative Analysis in Sports 9(1), 37-50).
//
// Each team has a home rating R_H and an away rating R_A, both 0 at the start. A rating R stands
// for an expected goal difference against an average side of
//   g(R) = sign(R) * (b^(|R| / c) - 1),  b = 10, c = 3.
// For home side alpha against away side beta the expected goal difference is
//   g_D^ = g(R_alpha,H) - g(R_beta,A),
// the error e = |g_D - g_D^| (g_D the observed home goal difference) is weighted by
//   psi(e) = c * log10(1 + e),
// with sign + for the side that did better than expected. Then, with learning rate lambda and
// cross-learning rate gamma:
//   R_alpha,H += lambda * psi_H;   R_alpha,A += gamma * (change of R_alpha,H)
//   R_beta,A  += lambda * psi_A;   R_beta,H  += gamma * (change of R_beta,A)
// psi_H = +psi(e) when g_D > g_D^ else -psi(e); psi_A = +psi(e) when g_D < g_D^ else -psi(e).
// The paper's values for the English Premier League: lambda = 0.035, gamma = 0.7.

#ifndef SUPERBET_RATINGS_PI_RATINGS_H_
#define SUPERBET_RATINGS_PI_RATINGS_H_

namespace superbet::ratings {

struct PiRating {
  double home = 0;  // R_H
  double away = 0;  // R_A
};

struct PiParameters {
  double learning_rate = 0.035;  // lambda
  double cross_rate = 0.7;       // gamma
};

// g(R): the expected goal difference against an average side for rating R.
double PiExpectedGoalDifference(double rating);

// g_D^ of `home` (its home rating) against `away` (its away rating).
double PiExpectedHomeGoalDifference(const PiRating& home, const PiRating& away);

// Updates both teams' ratings after a match (scores >= 0, not checked).
void PiUpdate(PiRating& home, PiRating& away, int home_goals, int away_goals,
              const PiParameters& parameters = {});

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_PI_RATINGS_H_
