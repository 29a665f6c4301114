// From canonical fixtures to the rating models' input: the bridge between any provider's
// Fixture list (football-data season, API-Football /fixtures answer) and DixonColesModel::Fit.

#ifndef SUPERBET_RATINGS_MATCH_RESULTS_H_
#define SUPERBET_RATINGS_MATCH_RESULTS_H_

#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "superbet/ratings/dixon_coles.h"
#include "superbet/v1/model.pb.h"

namespace superbet::ratings {

// The finished fixtures among `fixtures` as MatchResults, in the given order: teams keyed by
// model::TeamKey (the canonical team id, see superbet/model/fixture.h), the full-time score, the
// kickoff. A fixture without a full-time score or without a kickoff is left out (a scheduled,
// live or postponed match is not a result). Only those kicking off strictly before `before` are
// kept (absl::InfiniteFuture() keeps all), so a walk-forward fit can never see the match it
// forecasts.
std::vector<MatchResult> FinishedMatches(absl::Span<const superbet::v1::Fixture> fixtures,
                                         absl::Time before = absl::InfiniteFuture());

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_MATCH_RESULTS_H_
