// The fit window of a goal model: the rows of a MatchTable weighted by their age at `as_of`,
// re-indexed so that only the teams playing in the window get parameters.

#ifndef SUPERBET_LIB_RATINGS_INTERNAL_WINDOW_H_
#define SUPERBET_LIB_RATINGS_INTERNAL_WINDOW_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ratings/internal/strength_fit.h"
#include "superbet/ratings/match_table.h"

namespace superbet::ratings::internal {

struct TeamEvidence {
  int matches = 0;
  double weight = 0;             // Sum of exp(-xi * age_days).
  double weighted_age_days = 0;  // Sum of weight * age_days.
  absl::Time last_kickoff = absl::InfinitePast();
};

// kMarketBlend: the goals weighted (1 - market_weight) exp(-xi_per_day * days) and the
// market-implied goals weighted market_weight exp(-market_xi_per_day * days), as one
// quasi-Poisson row; goals alone (weight exp(-xi_per_day * days)) for a row without market goals.
enum class Counts { kGoals, kShotsOnTarget, kMarketBlend };

struct Window {
  FitData data;
  std::vector<int> table_id;           // Local team index -> MatchTable team id.
  std::vector<TeamEvidence> evidence;  // Per local team.
  int matches = 0;                     // Rows used (for shots: rows with both counts).
  long total_counts = 0;               // Unweighted goals (or shots on target) in those rows.
  int market_rows = 0;                 // kMarketBlend: rows with market goals.
};

// Rows [begin, end) of `table`, each weighted exp(-xi * days), days = whole days from its kickoff
// to `as_of` (Dixon & Coles 1997 §4.5). `scratch` maps table ids to local ids and must hold
// table.teams() entries of -1; it is restored before returning.
// Errors: InvalidArgument when a row kicks off after `as_of` (a look-ahead; names the teams and
// both times). `keep_scores`: fill FitData::scores (see FitDataBuilder). `evidence_weights`:
// fill TeamEvidence's weight, weighted_age_days and last_kickoff (false: only `matches`, the
// rest left at their defaults; the goal models read only the match counts).
absl::StatusOr<Window> BuildWindow(const MatchTable& table, size_t begin, size_t end,
                                   absl::Time as_of, double xi_per_day, Counts counts,
                                   std::vector<int>& scratch, bool keep_scores = false,
                                   double market_weight = 0, double market_xi_per_day = 0,
                                   bool evidence_weights = true);

// Keeps `window`'s fit data storage for this thread's next BuildWindow (a walk-forward builds a
// window of about the same size every match day; without this, each is allocated and freed
// afresh). The window is left empty. Thread-safety: each thread has its own spare storage, so
// BuildWindow and RecycleWindow may run on several threads at once.
void RecycleWindow(Window&& window);

}  // namespace superbet::ratings::internal

#endif  // SUPERBET_LIB_RATINGS_INTERNAL_WINDOW_H_
