// The TeamModel implementations behind MakeTeamModel (team_model.h).

#ifndef SUPERBET_LIB_RATINGS_INTERNAL_MODELS_H_
#define SUPERBET_LIB_RATINGS_INTERNAL_MODELS_H_

#include <memory>

#include "superbet/ratings/team_model.h"

namespace superbet::ratings::internal {

// dixon-coles, poisson, bivariate, negbin, shots.
std::unique_ptr<TeamModel> MakeGoalModel(ModelKind kind, const TeamModelOptions& options);
// market with TeamModelOptions::market_filter (market_filter.cc).
std::unique_ptr<TeamModel> MakeMarketFilterModel(const TeamModelOptions& options);
// elo, pi.
std::unique_ptr<TeamModel> MakeRatingModel(ModelKind kind, const TeamModelOptions& options);

// The independent-Poisson grid with lambda + mu = `total_goals` whose P(home) - P(away) is
// `home_minus_away` (bisection on lambda - mu); the rating models' over/under convention.
absl::StatusOr<ScoreGrid> GridForOneXTwo(double home_minus_away, double total_goals, int max_goals);

// The weakest-three average of `values` (smallest three, by value), or `fallback` when empty.
double WeakestThreeMean(std::vector<double> values, double fallback);

}  // namespace superbet::ratings::internal

#endif  // SUPERBET_LIB_RATINGS_INTERNAL_MODELS_H_
