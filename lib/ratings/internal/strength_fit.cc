#include "ratings/internal/strength_fit.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"

namespace superbet::ratings::internal {
namespace {

// sum_k x[k] * y[k], k < len, with four partial sums (vectorisable; deterministic order).
inline double Dot(const double* x, const double* y, int len) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int k = 0;
  for (; k + 4 <= len; k += 4) {
    s0 += x[k] * y[k];
    s1 += x[k + 1] * y[k + 1];
    s2 += x[k + 2] * y[k + 2];
    s3 += x[k + 3] * y[k + 3];
  }
  for (; k < len; ++k) s0 += x[k] * y[k];
  return (s0 + s1) + (s2 + s3);
}

// Four-wide lanes: element k of a Dot goes to lane k % 4 while four remain, so one vector of
// four lanes holds s0..s3 exactly (lane-wise multiply and add: no reassociation, no fused
// multiply-add). GCC lowers the type to two SSE2 halves when AVX is not enabled.
typedef double V4 __attribute__((vector_size(32)));

// out[r] = Dot(x[r], y, len) for r < R: the same partial sums, tail and final additions as Dot,
// with y's loads shared by the R rows.
template <int R>
__attribute__((always_inline)) inline void DotRows(const double* const* x, const double* y, int len,
                                                   double* out) {
  V4 s[R];
  for (int r = 0; r < R; ++r) s[r] = V4{0, 0, 0, 0};
  int k = 0;
  for (; k + 4 <= len; k += 4) {
    V4 yk, xk;  // Unaligned loads.
    __builtin_memcpy(&yk, y + k, sizeof yk);
    for (int r = 0; r < R; ++r) {
      __builtin_memcpy(&xk, x[r] + k, sizeof xk);
      s[r] += xk * yk;
    }
  }
  for (int r = 0; r < R; ++r) {
    double s0 = s[r][0];
    for (int t = k; t < len; ++t) s0 += x[r][t] * y[t];
    out[r] = (s0 + s[r][1]) + (s[r][2] + s[r][3]);
  }
}

// Cholesky factor of a symmetric positive definite m x m A (row-major), in place: the lower
// triangle becomes L with A = L L^T (only the lower triangle of A is read). Returns false when
// A is not positive definite. Every entry is (a - Dot(row i, row j, j)) / l_jj as in the plain
// row-by-row form; four rows share the loads of row j.
__attribute__((always_inline)) inline bool CholeskyFactorBody(double* A, int m) {
  for (int j = 0; j < m; ++j) {
    double* rj = A + static_cast<size_t>(j) * m;
    double dot;
    const double* self[1] = {rj};
    DotRows<1>(self, rj, j, &dot);
    const double s = rj[j] - dot;
    if (!(s > 0)) return false;
    const double l = std::sqrt(s);
    rj[j] = l;
    const double inv = 1.0 / l;
    int i = j + 1;
    for (; i + 4 <= m; i += 4) {
      const double* rows[4] = {A + static_cast<size_t>(i) * m, A + static_cast<size_t>(i + 1) * m,
                               A + static_cast<size_t>(i + 2) * m,
                               A + static_cast<size_t>(i + 3) * m};
      double d[4];
      DotRows<4>(rows, rj, j, d);
      for (int r = 0; r < 4; ++r) {
        double& x = A[static_cast<size_t>(i + r) * m + j];
        x = (x - d[r]) * inv;
      }
    }
    for (; i < m; ++i) {
      double* ri = A + static_cast<size_t>(i) * m;
      const double* row[1] = {ri};
      double d;
      DotRows<1>(row, rj, j, &d);
      ri[j] = (ri[j] - d) * inv;
    }
  }
  return true;
}

bool CholeskyFactorGeneric(double* A, int m) { return CholeskyFactorBody(A, m); }

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
// The same code with AVX's 256-bit registers (one instruction per four lanes). AVX has no fused
// multiply-add (that is FMA's), so the products and sums round exactly as in the generic build.
__attribute__((target("avx"))) bool CholeskyFactorAvx(double* A, int m) {
  return CholeskyFactorBody(A, m);
}
#endif

bool CholeskyFactor(std::vector<double>& A, int m) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  static const bool avx = __builtin_cpu_supports("avx");
  if (avx) return CholeskyFactorAvx(A.data(), m);
#endif
  return CholeskyFactorGeneric(A.data(), m);
}

// Solves L L^T x = b in place (b becomes x) with the factor of CholeskyFactor.
void CholeskySolve(const std::vector<double>& A, std::vector<double>& b, int m) {
  for (int i = 0; i < m; ++i) {  // L y = b
    const double* ri = &A[static_cast<size_t>(i) * m];
    b[i] = (b[i] - Dot(ri, b.data(), i)) / ri[i];
  }
  for (int i = m - 1; i >= 0; --i) {  // L^T x = y
    double t = b[i];
    for (int k = i + 1; k < m; ++k) t -= A[static_cast<size_t>(k) * m + i] * b[k];
    b[i] = t / A[static_cast<size_t>(i) * m + i];
  }
}

// Parameter layout: [c, h, a_0 .. a_{n-1}, d_0 .. d_{n-1}].
struct Layout {
  int n;
  int m() const { return 2 * n + 2; }
  int a(int i) const { return 2 + i; }
  int d(int i) const { return 2 + n + i; }
};

// Penalised objective: Poisson log-likelihood (without the factorials) - ridge - gauge.
// Without the prior the likelihood is flat along (a + k, c - k) and (d + k, c - k); the gauge
// terms (sum a)^2 / 2 + (sum d)^2 / 2 then pin those directions (they vanish at the optimum that
// has sum a = sum d = 0). With the prior on, the ridge already makes the optimum unique, with
// sum a = sum d = 0 (sum the stationarity equations of a and compare with that of c), so the
// gauge is left out.
double Objective(const FitData& data, const Layout& L, const std::vector<double>& t,
                 double prior_precision, double* loglik, std::vector<double>& ea,
                 std::vector<double>& ed, double& ec, double& ech) {
  const int n = L.n;
  double f = t[0] * (data.home_goals + data.away_goals) + t[1] * data.home_goals;
  double sa = 0, sd = 0, ridge = 0;
  const bool means = !data.prior_a.empty();
  for (int i = 0; i < n; ++i) {
    f += t[L.a(i)] * data.scored[i] + t[L.d(i)] * data.conceded[i];
    sa += t[L.a(i)];
    sd += t[L.d(i)];
    const double ea = t[L.a(i)] - (means ? data.prior_a[i] : 0.0);
    const double ed = t[L.d(i)] - (means ? data.prior_d[i] : 0.0);
    ridge += ea * ea + ed * ed;
  }
  // exp of each parameter once; a pair's rates are products (no exp per pair). The caller reuses
  // them for the gradient at `t` when `t` is accepted (the same calls: the same bits).
  ea.resize(n);
  ed.resize(n);
  for (int i = 0; i < n; ++i) {
    ea[i] = std::exp(t[L.a(i)]);
    ed[i] = std::exp(t[L.d(i)]);
  }
  ec = std::exp(t[0]);
  ech = ec * std::exp(t[1]);
  double expected = 0;
  for (const PairStats& p : data.pairs) {
    expected += p.w * (ech * ea[p.home] * ed[p.away] + ec * ea[p.away] * ed[p.home]);
  }
  f -= expected;
  if (loglik != nullptr) *loglik = f - data.log_factorials;
  const double gauge = prior_precision > 0 ? 0.0 : 1.0;  // See the comment of the function.
  return f - 0.5 * prior_precision * ridge - 0.5 * gauge * (sa * sa + sd * sd);
}

}  // namespace

const double* LogFactorialTable() {
  static const auto* table = [] {
    auto* t = new std::vector<double>(kLogFactorialTableSize);
    for (int i = 0; i < kLogFactorialTableSize; ++i) (*t)[i] = std::lgamma(i + 1.0);
    return t;
  }();
  return table->data();
}

FitDataBuilder::FitDataBuilder(int teams, bool keep_scores, FitData recycled)
    : pair_index_(static_cast<size_t>(teams) * teams, -1),
      keep_scores_(keep_scores),
      log_factorial_(LogFactorialTable()) {
  // Only the vectors' storage is taken from `recycled`; every value starts afresh.
  data_.pairs = std::move(recycled.pairs);
  data_.pairs.clear();
  data_.scores = std::move(recycled.scores);
  data_.scores.clear();
  data_.scored = std::move(recycled.scored);
  data_.conceded = std::move(recycled.conceded);
  data_.teams = teams;
  data_.scored.assign(teams, 0);
  data_.conceded.assign(teams, 0);
  data_.pairs.reserve(static_cast<size_t>(teams) * (teams > 0 ? teams - 1 : 0));  // All pairs.
}

absl::Status FitStrengths(const FitData& data, double prior_precision, int max_iterations,
                          double tolerance, const Strengths* start, Strengths& out) {
  const Layout L{data.teams};
  const int n = L.n, m = L.m();
  if (!(data.home_goals > 0) || !(data.away_goals > 0)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the fit data need home and away goals with weight > 0, got ", data.home_goals,
                     " and ", data.away_goals, " (weighted)"));
  }
  // The buffers are kept per thread: a walk-forward fits every match day.
  thread_local std::vector<double> t, H, g, trial, ea, ed, trial_ea, trial_ed;
  t.assign(m, 0.0);
  double total_w = 0;
  for (const PairStats& p : data.pairs) total_w += p.w;
  if (start != nullptr && static_cast<int>(start->a.size()) == n &&
      static_cast<int>(start->d.size()) == n) {
    t[0] = start->c;
    t[1] = start->h;
    for (int i = 0; i < n; ++i) {
      t[L.a(i)] = start->a[i];
      t[L.d(i)] = start->d[i];
    }
  } else {
    t[0] = std::log(data.away_goals / total_w);
    t[1] = std::log(data.home_goals / data.away_goals);
  }
  // Only the lower triangle of the negative Hessian H is built: the Cholesky factor and solve
  // read nothing else (the upper triangle got the same sums, in the same order, and was never
  // read).
  H.resize(static_cast<size_t>(m) * m);
  g.resize(m);
  trial.resize(m);
  double ec = 0, ech = 0, trial_ec = 0, trial_ech = 0;
  double loglik = 0, trial_loglik = 0;
  // Objective also leaves exp of every parameter at t (ea, ed, ec, ech): the gradient at t needs
  // exactly those values, so they are taken from the evaluation that accepted t.
  double f = Objective(data, L, t, prior_precision, &loglik, ea, ed, ec, ech);
  out.converged = false;
  out.iterations = 0;
  out.factorizations = 0;
  bool refactor = true;
  double previous_step = std::numeric_limits<double>::infinity();
  for (int it = 1; it <= max_iterations; ++it) {
    out.iterations = it;
    // Gradient and (when refactoring) negative Hessian of the penalised objective.
    if (refactor) {
      for (int r = 0; r < m; ++r) {
        std::fill_n(H.begin() + static_cast<std::ptrdiff_t>(r) * m, r + 1, 0.0);
      }
    }
    g[0] = data.home_goals + data.away_goals;
    g[1] = data.home_goals;
    const double gauge = prior_precision > 0 ? 0.0 : 1.0;
    double sa = 0, sd = 0;
    for (int i = 0; i < n; ++i) {
      sa += t[L.a(i)];
      sd += t[L.d(i)];
    }
    const bool means = !data.prior_a.empty();
    for (int i = 0; i < n; ++i) {
      const double ma = means ? data.prior_a[i] : 0.0, md = means ? data.prior_d[i] : 0.0;
      g[L.a(i)] = data.scored[i] - prior_precision * (t[L.a(i)] - ma) - gauge * sa;
      g[L.d(i)] = data.conceded[i] - prior_precision * (t[L.d(i)] - md) - gauge * sd;
    }
    double* const h = H.data();
    auto at = [h, m](int r, int s) -> double& { return h[static_cast<size_t>(r) * m + s]; };
    for (const PairStats& p : data.pairs) {
      const int ai = L.a(p.home), dj = L.d(p.away), aj = L.a(p.away), di = L.d(p.home);
      const double wl = p.w * ech * ea[p.home] * ed[p.away];
      const double wm = p.w * ec * ea[p.away] * ed[p.home];
      g[0] -= wl + wm;
      g[1] -= wl;
      g[ai] -= wl;
      g[dj] -= wl;
      g[aj] -= wm;
      g[di] -= wm;
      if (!refactor) continue;
      // The lower triangle (row >= column) of the outer products over {0, 1, ai, dj} (home
      // goals) and {0, aj, di} (away goals), with 0 < 1 < ai < dj and 0 < aj < di.
      at(0, 0) += wl;
      at(1, 0) += wl;
      at(1, 1) += wl;
      at(ai, 0) += wl;
      at(ai, 1) += wl;
      at(ai, ai) += wl;
      at(dj, 0) += wl;
      at(dj, 1) += wl;
      at(dj, ai) += wl;
      at(dj, dj) += wl;
      at(0, 0) += wm;
      at(aj, 0) += wm;
      at(aj, aj) += wm;
      at(di, 0) += wm;
      at(di, aj) += wm;
      at(di, di) += wm;
    }
    // Without a prior, a tiny ridge keeps a team whose every match weighs 0 (no information at
    // all) from making the Hessian singular; it moves no informed parameter measurably.
    const double ridge = prior_precision > 0 ? prior_precision : 1e-10;
    for (int i = 0; i < n && refactor; ++i) {
      at(L.a(i), L.a(i)) += ridge;
      at(L.d(i), L.d(i)) += ridge;
      if (prior_precision > 0) continue;  // The prior alone makes the Hessian definite.
      for (int k = 0; k <= i; ++k) {      // Gauge: the all-ones blocks (lower triangle).
        at(L.a(i), L.a(k)) += 1.0;
        at(L.d(i), L.d(k)) += 1.0;
      }
    }
    if (refactor) {
      if (!CholeskyFactor(H, m)) {
        return absl::InternalError("Newton step: the Hessian is not positive definite");
      }
      ++out.factorizations;
    }
    std::vector<double>& step = g;
    CholeskySolve(H, step, m);
    // Step halving until the objective does not decrease (it is concave: Newton's direction is
    // an ascent direction, so a small enough step always improves).
    double scale = 1.0, ft = f;
    for (int k = 0; k < 40; ++k) {
      for (int i = 0; i < m; ++i) trial[i] = t[i] + scale * step[i];
      ft = Objective(data, L, trial, prior_precision, &trial_loglik, trial_ea, trial_ed, trial_ec,
                     trial_ech);
      if (ft >= f || !std::isfinite(f)) break;
      scale *= 0.5;
    }
    double max_step = 0;
    int worst = -1;
    for (int i = 0; i < m; ++i) {
      const double s = std::abs(trial[i] - t[i]);
      if (s > max_step) {
        max_step = s;
        worst = i;
      }
    }
    t.swap(trial);
    ea.swap(trial_ea);
    ed.swap(trial_ed);
    ec = trial_ec;
    ech = trial_ech;
    loglik = trial_loglik;
    f = ft;
    // Chord (simplified Newton) iteration: keep the factor while the steps shrink fast; a
    // slow step or a halved one refactors at the current point (then it is Newton again).
    // Without the prior the objective can keep rising towards infinity (a team without a goal):
    // only fresh Newton steps (each -1 in that team's log attack) tell that from convergence.
    refactor = prior_precision <= 0 || scale < 1.0 || max_step > 0.1 * previous_step;
    previous_step = max_step;
    out.max_step = max_step;
    out.worst_team = worst >= 2 ? (worst - 2) % n : -1;
    if (max_step < tolerance) {
      out.converged = true;
      break;
    }
  }
  out.c = t[0];
  out.h = t[1];
  out.a.assign(t.begin() + 2, t.begin() + 2 + n);
  out.d.assign(t.begin() + 2 + n, t.end());
  out.log_likelihood = loglik;  // Objective's value at t (t's evaluation, not a new one).
  return absl::OkStatus();
}

}  // namespace superbet::ratings::internal
