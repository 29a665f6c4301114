// The TeamModel implementations behind MakeTeamModel (team_model.h).

#ifndef SUPERBET_LIB_RATINGS_INTERNAL_MODELS_H_
#define SUPERBET_LIB_RATINGS_INTERNAL_MODELS_H_

#include <cstddef>
#include <memory>

#include "absl/time/time.h"
#include "superbet/ratings/match_table.h"
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

// Where a sequential (online) model stands in the MatchTable it reads: the table, the rows it has
// processed and the as_of of its last fit. Such a model continues from here only when the table
// grew at its end since the last call (team_model.h); else it starts over. Value type; not
// thread-safe; does not own the table.
struct TableCursor {
  const MatchTable* table = nullptr;
  size_t processed = 0;
  absl::Time last_as_of = absl::InfinitePast();

  // True when a fit of `t` before `as_of` (whose rows before as_of are the first `end`) can
  // continue from here: the same table, as_of not earlier, and no row added before last_as_of.
  bool CanContinue(const MatchTable& t, size_t end, absl::Time as_of) const {
    return &t == table && end >= processed && as_of >= last_as_of &&
           t.LowerBound(last_as_of) == processed;
  }
  // Starts over on `t` (nullptr: on no table).
  void Restart(const MatchTable* t) { *this = TableCursor{t}; }
};

// The weakest-three average of `values` (smallest three, by value), or `fallback` when empty.
double WeakestThreeMean(std::vector<double> values, double fallback);

}  // namespace superbet::ratings::internal

#endif  // SUPERBET_LIB_RATINGS_INTERNAL_MODELS_H_
