// The ordered logit (proportional odds) model mapping a rating difference to 1X2 probabilities
// (McCullagh 1980, "Regression models for ordinal data", JRSS B 42(2), 109-142; used for football
// ratings by Koning 2000, "Balance in competition in Dutch soccer", The Statistician 49(3)).
//
// Outcomes are ordered by the home goal difference: away win < draw < home win. For a covariate x
// (a rating difference, larger = home stronger):
//   P(away win)          = F(cut1 - slope * x)
//   P(away win or draw)  = F(cut2 - slope * x),   F(z) = 1 / (1 + e^-z),  cut1 < cut2.

#ifndef SUPERBET_RATINGS_ORDERED_LOGIT_H_
#define SUPERBET_RATINGS_ORDERED_LOGIT_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/ratings/score_grid.h"

namespace superbet::ratings {

struct OrderedLogit {
  double cut1 = -1;  // Away win / draw boundary.
  double cut2 = 0;   // Draw / home win boundary; > cut1.
  double slope = 0;  // Per unit of x.
};

// One observation: covariate, outcome (0 home win, 1 draw, 2 away win, the 1X2 order) and weight.
struct OrderedObservation {
  double x = 0;
  int outcome = 0;
  double weight = 1;
};

// 1X2 probabilities (home, draw, away) at covariate `x`.
OneXTwo OrderedLogitProbabilities(const OrderedLogit& model, double x);

// Weighted maximum likelihood by Newton's method with step halving (the log-likelihood is
// concave in (cut1, cut2, slope); McCullagh 1980 §6), from `start` (e.g. the previous match
// day's fit) or, when null, from the marginal outcome frequencies with slope 0. Stops when no
// parameter moves by more than `tolerance`.
// Errors: InvalidArgument for an empty input, an outcome outside 0-2, a weight < 0 or a
// non-finite x (names the index and the value); FailedPrecondition when an outcome has zero
// total weight (no finite maximum) or the iteration does not converge in max_iterations.
[[nodiscard]] absl::StatusOr<OrderedLogit> FitOrderedLogit(
    absl::Span<const OrderedObservation> data, const OrderedLogit* start = nullptr,
    int max_iterations = 50, double tolerance = 1e-9);

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_ORDERED_LOGIT_H_
