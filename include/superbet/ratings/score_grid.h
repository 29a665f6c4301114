// ScoreGrid: the probability of every exact score of one match, and the markets priced from it:
// 1X2, over/under at any line, both teams to score, Asian handicap and exact score.
//
// The grid covers 0..max_goals goals per side and is renormalised to sum to 1 (the mass beyond
// max_goals is < 1e-6 for expected goals below 4 at the default max_goals = 10).
//
// Lines. Over/under and Asian-handicap lines are multiples of 0.25 goals:
//   * a half line (2.5, -0.5) settles win or lose;
//   * a whole line (3, 0, -1) can also push: the stake is returned;
//   * a quarter line (2.25, -0.75) is two bets of half the stake on the neighbouring half and
//     whole lines (2.25 = 2 and 2.5; -0.75 = -0.5 and -1), as bookmakers settle it.
// Every market returns a Settlement: the expected fractions of the stake that win, are returned
// (push) and lose; they sum to 1. For a half line push = 0 and win is the plain probability.
//
// Oracles used by tests/ratings/score_grid_test.cc: with rho = 0 the grid is two independent
// Poissons, so P(total <= 2) is the Poisson(lambda + mu) CDF, P(both score) =
// (1 - e^-lambda)(1 - e^-mu), and a handicap-0 push is P(draw).

#ifndef SUPERBET_RATINGS_SCORE_GRID_H_
#define SUPERBET_RATINGS_SCORE_GRID_H_

#include <vector>

#include "absl/status/statusor.h"

namespace superbet::ratings {

// Expected fractions of a unit stake that win, are returned and lose; win + push + loss = 1.
struct Settlement {
  double win = 0;
  double push = 0;
  double loss = 0;
};

// 1X2 probabilities, home/draw/away order; they sum to 1.
struct OneXTwo {
  double home = 0;
  double draw = 0;
  double away = 0;
};

// Score probabilities of one match. Value type; immutable; thread-safe for concurrent const use.
class ScoreGrid {
 public:
  // The Dixon–Coles grid for expected home goals `lambda`, expected away goals `mu` and low-score
  // correction `rho` (rho = 0: independent Poissons), 0..max_goals goals per side.
  // Errors: those of ScoreMatrix (dixon_coles.h): InvalidArgument for lambda or mu not finite
  // and > 0, max_goals outside [1, 30], or a rho that makes a low-score cell negative.
  [[nodiscard]] static absl::StatusOr<ScoreGrid> FromRates(double lambda, double mu, double rho,
                                                           int max_goals = 10);

  // A grid from any score distribution: `probabilities` row-major (index x * (max_goals + 1) + y),
  // (max_goals + 1)^2 non-negative finite values with a positive sum; renormalised to sum to 1.
  // lambda() and mu() are then the grid's mean home and away goals. Used by the bivariate Poisson
  // and negative binomial models (team_model.h).
  // Errors: InvalidArgument when the size does not match max_goals (in [1, 30]), a value is
  // negative or not finite (names the cell and the value), or the sum is 0.
  [[nodiscard]] static absl::StatusOr<ScoreGrid> FromMatrix(std::vector<double> probabilities,
                                                            int max_goals);

  // P(home scores exactly `home_goals` and away exactly `away_goals`); 0 outside the grid.
  double ExactScore(int home_goals, int away_goals) const;

  OneXTwo OneXTwoProbabilities() const;

  // The over side of a total-goals line (2.5 = "over 2.5"); the under side is {loss, push, win}
  // of the same Settlement.
  // Errors: InvalidArgument when `line` is not a finite, non-negative multiple of 0.25.
  [[nodiscard]] absl::StatusOr<Settlement> Over(double line) const;

  // P(both teams score at least once); "no" is 1 minus it.
  double BothTeamsToScore() const;

  // The home side of an Asian handicap: `home_line` goals are added to the home score (-0.5 = home
  // must win; +0.25 = home draw returns half the stake and wins the other half). The away side of
  // line h is the home side of -h read as {loss, push, win}.
  // Errors: InvalidArgument when `home_line` is not a finite multiple of 0.25 in [-10, 10].
  [[nodiscard]] absl::StatusOr<Settlement> AsianHandicapHome(double home_line) const;

  double lambda() const { return lambda_; }  // Expected home goals.
  double mu() const { return mu_; }          // Expected away goals.
  int max_goals() const { return max_goals_; }

 private:
  ScoreGrid() = default;
  enum class Line { kTotal, kHomeHandicap };
  // Settlement of a whole or half line (in quarter goals, so that it is exact): "total goals >
  // line" for kTotal, "home goals + handicap - away goals > 0" for kHomeHandicap.
  Settlement Settle(Line line, int quarter_goals) const;

  std::vector<double> p_;  // Row-major: p_[x * (max_goals_ + 1) + y].
  double lambda_ = 0;
  double mu_ = 0;
  int max_goals_ = 0;
};

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_SCORE_GRID_H_
