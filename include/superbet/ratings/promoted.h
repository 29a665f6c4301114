// Priors for promoted sides: where the second tier is in the data, a promoted side starts from
// its second-tier strength mapped onto the top division by a link fitted walk-forward on earlier
// promotions; else from the mean top-division strength of earlier promoted sides.
//
// For each top-division season S after the first, the promoted sides are the teams of S that did
// not play in season S - 1. With t_S the first kickoff date of S (00:00 UTC):
//   second-tier strength  x = (log attack, centred log defence) of the team in a Dixon–Coles fit
//                         (dixon_coles.h, default options, window_days) on the second division's
//                         matches before t_S;
//   top-division outcome  y = the same in a fit on the top division's matches before t_{S+1},
//                         i.e. after the team's first season up;
//   link                  y = alpha + beta x by least squares, separately for attack and
//                         defence, on the promotions of seasons S' < S whose outcome is known
//                         before t_S (S' + 1 <= S) and that have both x and y.
// The prior of a side promoted in S is the link at its x when at least min_link_pairs pairs
// exist and x does; else the mean y of the earlier promoted sides (at least one); else none.
// Everything uses matches before t_S only (walk-forward). "Centred log defence": log defence
// minus its mean over the fit's teams (attack is centred by the fit's constraint), so values are
// relative to the division's average side, as StrengthPrior (team_model.h) wants.

#ifndef SUPERBET_RATINGS_PROMOTED_H_
#define SUPERBET_RATINGS_PROMOTED_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/ratings/match_table.h"
#include "superbet/ratings/team_model.h"

namespace superbet::ratings {

// One season of one division, matches in any order.
struct DivisionSeason {
  std::string season;  // "2015/16": a season of the top and the second division share labels.
  std::vector<MatchResult> matches;
};

struct PromotedPriorOptions {
  int window_days = 1095;  // Of both fits.
  double xi_per_day = 0.0019;
  int min_link_pairs = 6;  // Fewer earlier pairs: the promoted-mean fallback.
};

enum class PriorSource { kLink, kPromotedMean, kNone };

struct PromotedSide {
  std::string season;
  std::string team;
  PriorSource source = PriorSource::kNone;
  StrengthPrior prior;                       // Meaningful unless source is kNone.
  std::optional<StrengthPrior> second_tier;  // x, when the team is in the second-tier fit.
  int link_pairs = 0;                        // Pairs the season's link was fitted on.
};

// The promoted sides of every season of `top` after the first (seasons in chronological order),
// with their priors. `second` may be empty (then no link: promoted-mean fallback only).
// Errors: InvalidArgument from MatchTable (a bad score or a team playing itself).
[[nodiscard]] absl::StatusOr<std::vector<PromotedSide>> PromotedPriors(
    absl::Span<const DivisionSeason> top, absl::Span<const DivisionSeason> second,
    const PromotedPriorOptions& options = {});

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_PROMOTED_H_
