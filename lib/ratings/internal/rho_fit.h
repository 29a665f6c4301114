// Dixon–Coles's rho given the strengths: the maximiser of the weighted sum of log tau over the
// low scores (Dixon & Coles 1997 eq. 4.2), a concave function of rho.

#ifndef SUPERBET_LIB_RATINGS_INTERNAL_RHO_FIT_H_
#define SUPERBET_LIB_RATINGS_INTERNAL_RHO_FIT_H_

#include "ratings/internal/strength_fit.h"

namespace superbet::ratings::internal {

// Safeguarded Newton on the derivative, on [rho_min, rho_max] narrowed to where every observed
// low score keeps tau > 0; to 1e-12. Returns 0 when the data hold no 0-0, 0-1, 1-0 or 1-1 (they
// say nothing about rho) or the feasible interval is empty. `lambda`/`mu` per pair; only the
// entries of pairs with a 0-0, 0-1 or 1-0 result are read. Thread-safe (per-thread scratch).
double FitRho(const FitData& data, const std::vector<double>& lambda, const std::vector<double>& mu,
              double rho_min, double rho_max);

// The weighted sum of log tau at `rho` (-inf when a tau <= 0).
double RhoLogLikelihood(const FitData& data, const std::vector<double>& lambda,
                        const std::vector<double>& mu, double rho);

}  // namespace superbet::ratings::internal

#endif  // SUPERBET_LIB_RATINGS_INTERNAL_RHO_FIT_H_
