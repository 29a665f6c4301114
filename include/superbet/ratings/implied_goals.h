// Market-implied expected goals: the two Poisson means a match's margin-free 1X2 and over/under
// 2.5 prices stand for, so that past matches can teach a model the market's opinion of each side
// as well as the goals scored (the market model of team_model.h).
//
// Model: home goals ~ Poisson(lambda), away goals ~ Poisson(mu), independent (Maher 1982). Then
// total goals ~ Poisson(lambda + mu), so P(over 2.5) = 1 - exp(-T) (1 + T + T^2 / 2) with
// T = lambda + mu fixes the total alone, and at that total P(home) - P(away) rises strictly with
// the home share lambda / T — two one-dimensional monotone equations, each solved by bisection.
// Using P(home) - P(away) rather than P(home) alone keeps the draw (which an independent-Poisson
// grid underprices, Dixon & Coles 1997) out of the solve. Reading expected goals off 1X2 and
// total prices is a known technique: penaltyblog's goal_expectancy (1X2 only, total assumed);
// betting prices are the best public forecasts of E0 results (Štrumbelj & Šikonja 2010, "Online
// bookmakers' odds as forecasts: the case of European soccer leagues", IJF 26(3)), so strengths
// fitted to past matches' implied goals carry the market's opinion into a team model.

#ifndef SUPERBET_RATINGS_IMPLIED_GOALS_H_
#define SUPERBET_RATINGS_IMPLIED_GOALS_H_

#include "absl/status/statusor.h"

namespace superbet::ratings {

struct ImpliedGoals {
  double home = 0;  // lambda: expected home goals, > 0.
  double away = 0;  // mu: expected away goals, > 0.
};

// Independent-Poisson probabilities of a match with means (lambda, mu): P(home win) - P(away
// win), summed over scores up to 40 goals a side (the tail beyond is < 1e-15 for means below 10).
double PoissonHomeMinusAway(double lambda, double mu);

// The total T with P(Poisson(T) >= 3) = `over_2_5_probability` (closed form above, inverted by
// bisection to a relative 1e-13).
// Errors: InvalidArgument unless 0 < over_2_5_probability < 1 and finite (names the value);
// OutOfRange when T would exceed 20 goals.
[[nodiscard]] absl::StatusOr<double> ImpliedTotalGoals(double over_2_5_probability);

// (lambda, mu) reproducing a margin-free market: `home_minus_away` = P(home) - P(away) of the
// 1X2, `over_2_5_probability` = P(over 2.5). Reproduces both to 1e-12.
// Errors: as ImpliedTotalGoals; InvalidArgument when home_minus_away is not finite; OutOfRange
// when |home_minus_away| >= P(total > 0) = 1 - exp(-T), which no pair of means reaches (names
// both values).
[[nodiscard]] absl::StatusOr<ImpliedGoals> ImpliedPoissonMeans(double home_minus_away,
                                                               double over_2_5_probability);

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_IMPLIED_GOALS_H_
