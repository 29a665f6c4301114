// The shared core of the goal models: weighted sufficient statistics of a set of matches and the
// Newton fit of log-linear Poisson team strengths on them (Maher 1982's model as a Poisson GLM).
//
//   log lambda_ij = c + h + a_i + d_j   (home i scores against away j)
//   log mu_ij     = c + a_j + d_i       (away j scores against home i)
//
// maximising the time-weighted Poisson log-likelihood minus a ridge penalty
// (prior_precision / 2) * sum_i (a_i^2 + d_i^2) — a Normal(0, 1 / prior_precision) prior on each
// log strength around the league average (ridge regression, Hoerl & Kennard 1970, Technometrics
// 12(1); Karlis & Ntzoufras 2003 use the same log-linear form). The prior keeps the
// optimum finite for a team that has not scored (its maximum-likelihood attack is 0, log = -inf)
// and pulls a team with a season of evidence about 13 % towards the average (see dixon_coles.h).
// With prior_precision = 0 the fit is the plain maximum-likelihood estimate and a team without a
// goal makes the Newton iteration run away: the fit then fails to converge, which is reported.
//
// The likelihood depends on the data only through each team's weighted goals scored and
// conceded, the weighted home goals and the summed weight of each (home, away) pair, so one
// Newton iteration costs O(pairs + parameters^3), not O(matches).

#ifndef SUPERBET_LIB_RATINGS_INTERNAL_STRENGTH_FIT_H_
#define SUPERBET_LIB_RATINGS_INTERNAL_STRENGTH_FIT_H_

#include <cmath>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace superbet::ratings::internal {

// One ordered (home, away) pair of the data: its summed match weight and the weights of the
// four low scores Dixon–Coles's tau corrects.
struct PairStats {
  int home = 0;
  int away = 0;
  double w = 0;
  double w00 = 0, w01 = 0, w10 = 0;  // Summed weights of 0-0, 0-1 and 1-0 results.
};

// One match as the dispersion / covariance stages see it.
struct WeightedScore {
  int pair = 0;  // Index into FitData::pairs.
  int x = 0;     // Home goals (or shots on target for the shots model).
  int y = 0;     // Away goals.
  double w = 0;
};

struct FitData {
  int teams = 0;
  std::vector<PairStats> pairs;
  std::vector<WeightedScore> scores;  // Only matches with w > 0; empty unless asked for.
  std::vector<double> scored;         // Per team: weighted goals scored.
  std::vector<double> conceded;       // Per team: weighted goals conceded.
  double home_goals = 0;              // Weighted.
  double away_goals = 0;              // Weighted.
  double w11 = 0;                     // Summed weight of 1-1 results.
  // Prior means of a and d per team (empty = 0 for every team): a promoted side's prior
  // (team_model.h, StrengthPrior).
  std::vector<double> prior_a, prior_d;
  double log_factorials = 0;  // sum w * (ln x! + ln y!), for the log-likelihood.
};

// ln(k!) for k < kLogFactorialTableSize (std::lgamma(k + 1.0), computed once).
inline constexpr int kLogFactorialTableSize = 64;
const double* LogFactorialTable();

// Accumulates FitData; `pair_index` is a teams x teams table (-1 = no pair yet).
class FitDataBuilder {
 public:
  // `keep_scores`: also keep FitData::scores (one entry per match; only the bivariate and
  // negative binomial stage 2 read them). `recycled`: a spent FitData whose vectors' storage is
  // reused (its values are not read): a walk-forward builds one per match day.
  FitDataBuilder(int teams, bool keep_scores, FitData recycled = FitData());
  // Inline: a walk-forward calls it for every row of every daily window.
  void Add(int home, int away, int x, int y, double w);
  // As Add, but the strengths are fitted to the (non-integer) counts fx, fy in place of x, y:
  // the quasi-Poisson fit of the market model (team_model.h); x, y still give the low-score
  // weights of rho and FitData::scores.
  void AddBlended(int home, int away, int x, int y, double fx, double fy, double w);
  FitData Take() { return std::move(data_); }

 private:
  double LogFactorial(int k) const {
    return k < kLogFactorialTableSize ? log_factorial_[k] : std::lgamma(k + 1.0);
  }

  FitData data_;
  std::vector<int> pair_index_;
  bool keep_scores_;
  const double* log_factorial_;  // LogFactorialTable().
};

struct Strengths {
  double c = 0;               // Log of the league scoring level (away side).
  double h = 0;               // Log home advantage.
  std::vector<double> a;      // Log attack, mean 0.
  std::vector<double> d;      // Log defensive weakness (without c), mean 0 when the prior is on.
  int iterations = 0;         // Newton steps.
  int factorizations = 0;     // Hessians built and factored (<= iterations: chord steps).
  bool converged = false;     // The last step moved every parameter by less than the tolerance.
  double max_step = 0;        // Largest |parameter change| of the last step.
  int worst_team = -1;        // Team of the largest last step (-1: c or h or none).
  double log_likelihood = 0;  // Weighted Poisson log-likelihood (without the prior) at the end.
};

// Newton's method with step halving on the penalised concave log-likelihood, as a chord
// iteration (Kelley 1995, "Iterative Methods for Linear and Nonlinear Equations", §5.4: the
// Hessian factor is reused while each step is under a tenth of the previous one, and rebuilt
// after a slower or a halved step; with prior_precision = 0 every step is a fresh Newton step, so
// that a team running away to -inf is not mistaken for convergence); starts from
// `start` when it has the right sizes, else from c = ln(mean goals), h = ln(home/away goals),
// a = d = 0. Stops when every parameter moves by less than `tolerance` (log scale, i.e.
// relative) or after max_iterations (converged = false).
// Errors: FailedPrecondition when the data have no home goal or no away goal (h undefined).
// Thread-safety: safe to call from several threads at once (its scratch buffers are per thread
// and reused by the next call on the same thread).
absl::Status FitStrengths(const FitData& data, double prior_precision, int max_iterations,
                          double tolerance, const Strengths* start, Strengths& out);

// Expected goals of pair `p` at `s`.
inline double PairLambda(const Strengths& s, const PairStats& p);
inline double PairMu(const Strengths& s, const PairStats& p);

}  // namespace superbet::ratings::internal

namespace superbet::ratings::internal {
inline void FitDataBuilder::AddBlended(int home, int away, int x, int y, double fx, double fy,
                                       double w) {
  if (!(w > 0)) return;
  int& idx = pair_index_[static_cast<size_t>(home) * data_.teams + away];
  if (idx < 0) {
    idx = static_cast<int>(data_.pairs.size());
    data_.pairs.push_back({home, away});
  }
  PairStats& p = data_.pairs[idx];
  p.w += w;
  if (x <= 1 && y <= 1) {  // One of the four low scores Dixon-Coles's tau corrects.
    if (x == 0 && y == 0) p.w00 += w;
    if (x == 0 && y == 1) p.w01 += w;
    if (x == 1 && y == 0) p.w10 += w;
    if (x == 1 && y == 1) data_.w11 += w;
  }
  if (keep_scores_) data_.scores.push_back({idx, x, y, w});
  data_.scored[home] += w * fx;
  data_.scored[away] += w * fy;
  data_.conceded[home] += w * fy;
  data_.conceded[away] += w * fx;
  data_.home_goals += w * fx;
  data_.away_goals += w * fy;
  data_.log_factorials += w * (LogFactorial(x) + LogFactorial(y));
}

inline void FitDataBuilder::Add(int home, int away, int x, int y, double w) {
  AddBlended(home, away, x, y, x, y, w);  // w * double(x): the same bits as w * x.
}

inline double PairLambda(const Strengths& s, const PairStats& p) {
  return std::exp(s.c + s.h + s.a[p.home] + s.d[p.away]);
}
inline double PairMu(const Strengths& s, const PairStats& p) {
  return std::exp(s.c + s.a[p.away] + s.d[p.home]);
}
}  // namespace superbet::ratings::internal

#endif  // SUPERBET_LIB_RATINGS_INTERNAL_STRENGTH_FIT_H_
