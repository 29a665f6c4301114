// Score distributions of the goal models beyond Dixon–Coles: the bivariate Poisson and the
// negative binomial.
//
// Bivariate Poisson (Karlis & Ntzoufras 2003, "Analysis of sports data by using bivariate Poisson
// models", The Statistician 52(3), 381-393, eq. 1): X = X1 + X3, Y = X2 + X3 with X1, X2, X3
// independent Poisson(lambda1), Poisson(lambda2), Poisson(lambda3), so
//   P(x, y) = e^-(l1+l2+l3) l1^x / x! l2^y / y! sum_{k=0}^{min(x,y)} C(x,k) C(y,k) k! (l3/(l1
//   l2))^k,
// marginals Poisson(l1 + l3) and Poisson(l2 + l3), Cov(X, Y) = l3 (l3 = 0: independent).
//
// Negative binomial with mean m and dispersion alpha >= 0 (variance m + alpha m^2; alpha = 0 is the
// Poisson), the NB2 form of Cameron & Trivedi, "Regression Analysis of Count Data" (2nd ed.,
// §3.3); Reep, Pollard & Benjamin (1971, "Skill and chance in ball games", JRSS A 134(4)) fitted
// it to football scores:
//   P(k) = Gamma(k + r) / (Gamma(r) k!) (r / (r + m))^r (m / (r + m))^k, r = 1 / alpha.

#ifndef SUPERBET_RATINGS_COUNT_DISTRIBUTIONS_H_
#define SUPERBET_RATINGS_COUNT_DISTRIBUTIONS_H_

#include <vector>

#include "absl/status/statusor.h"

namespace superbet::ratings {

// ln P(X = x, Y = y) of the bivariate Poisson. Requires x, y >= 0, lambda1, lambda2 > 0 and
// lambda3 >= 0 (not checked: the fitting loop calls it per match); -inf never occurs for valid
// input.
double BivariatePoissonLogPmf(int x, int y, double lambda1, double lambda2, double lambda3);

// The score grid P(x, y), x, y in [0, max_goals], row-major, NOT renormalised (the mass beyond
// max_goals is left out; ScoreGrid::FromMatrix renormalises).
// Errors: InvalidArgument when lambda1 or lambda2 is not finite and > 0, lambda3 is not finite
// and >= 0, or max_goals is outside [1, 30].
[[nodiscard]] absl::StatusOr<std::vector<double>> BivariatePoissonMatrix(double lambda1,
                                                                         double lambda2,
                                                                         double lambda3,
                                                                         int max_goals);

// ln P(K = k) of the negative binomial with mean `mean` > 0 and dispersion `alpha` >= 0
// (alpha = 0: the Poisson log pmf). Not checked, as BivariatePoissonLogPmf.
double NegativeBinomialLogPmf(int k, double mean, double alpha);

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_COUNT_DISTRIBUTIONS_H_
