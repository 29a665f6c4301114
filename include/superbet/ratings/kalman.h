// Kalman-filter measurement updates for team strengths as a dynamic linear / generalised linear
// model: the state is a vector of log strengths with a full covariance, each observation a
// scalar linear function of a few of them (e.g. log expected home goals = c + h + a_i + d_j).
//
// Gaussian observation z = H x + e, e ~ N(0, r): the exact measurement update of Kalman (1960),
// "A new approach to linear filtering and prediction problems", J. Basic Eng. 82(1):
//   S = H P H' + r,  K = P H' / S,  x <- x + K (z - H x),  P <- P - K S K'.
// Poisson count y with log mean eta = H x: the extended-Kalman (posterior-mode) step of Fahrmeir
// (1992), "Posterior mode estimation by extended Kalman filtering for multivariate dynamic
// generalized linear models", JASA 87(418): the same update with the Fisher-scoring working
// observation z = eta + (y - e^eta) / e^eta and variance r = 1 / e^eta at the predicted eta.
// Dynamic team strengths in football: Rue & Salvesen (2000), "Prediction and retrospective
// analysis of soccer matches in a league", The Statistician 49(3); Koopman & Lit (2015), "A
// dynamic bivariate Poisson model for analysing and forecasting match results in the English
// Premier League", JRSS A 178(1).

#ifndef SUPERBET_RATINGS_KALMAN_H_
#define SUPERBET_RATINGS_KALMAN_H_

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace superbet::ratings {

// A state vector and its covariance (row-major n x n, symmetric positive semi-definite). Value
// type; not thread-safe.
struct GaussianState {
  std::vector<double> mean;        // n.
  std::vector<double> covariance;  // n * n, row-major.
  int size() const { return static_cast<int>(mean.size()); }
};

// One non-zero coefficient of an observation row H: (state index, coefficient).
using SparseTerm = std::pair<int, double>;

// H x for the sparse row `h`.
double SparseDot(const GaussianState& state, absl::Span<const SparseTerm> h);

// Kalman (1960) update of `state` with the scalar Gaussian observation z = H x + e,
// var(e) = `variance` (units of z squared). The covariance stays symmetric (both triangles are
// written from the same products).
// Errors: InvalidArgument when variance is not finite and > 0, z is not finite, an index of `h`
// is outside [0, n) (names it), or the sizes of mean and covariance disagree; FailedPrecondition
// when the innovation variance H P H' + r is not > 0. On error the state is unchanged.
[[nodiscard]] absl::Status KalmanUpdate(GaussianState& state, absl::Span<const SparseTerm> h,
                                        double z, double variance);

// Fahrmeir (1992)'s working observation of a Poisson `count` at log mean `eta`:
// {eta + (count - e^eta) / e^eta, 1 / e^eta}.
std::pair<double, double> PoissonWorkingObservation(double eta, double count);

// Adds `variance` to the diagonal entries `indices` (a random-walk step of those states).
void AddProcessNoise(GaussianState& state, absl::Span<const int> indices, double variance);

// Makes state `index` independent of every other one (zero row and column) with mean `mean`
// and variance `variance` — a new team entering the league.
void ResetComponent(GaussianState& state, int index, double mean, double variance);

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_KALMAN_H_
