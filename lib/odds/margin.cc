#include "superbet/odds/margin.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "odds/internal/checks.h"
#include "superbet/core/status_macros.h"

namespace superbet::odds {
namespace {

constexpr double kTolerance = 1e-12;
constexpr int kMaxSteps = 200;

// π_i = 1/o_i after validation (>= 2 outcomes).
absl::StatusOr<std::vector<double>> CheckedInverse(absl::Span<const double> decimal_odds) {
  SUPERBET_RETURN_IF_ERROR(internal::CheckDecimalOddsSpan(decimal_odds, 2));
  std::vector<double> pi;
  pi.reserve(decimal_odds.size());
  for (double o : decimal_odds) pi.push_back(1.0 / o);
  return pi;
}

double Sum(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

// The value and derivative of a decreasing function f at x.
struct Eval {
  double f;
  double df;
};

// Finds the root of a strictly decreasing f on (lo, hi) with f(lo) > 0 > f(hi), starting at
// `x`, by Newton steps that fall back to bisection when they leave the bracket. Stops when
// |f| < kTolerance. Returns false when kMaxSteps are used up; `x` and `residual` are the last ones.
template <typename F>
bool SolveDecreasing(F eval, double lo, double hi, double& x, double& residual) {
  for (int step = 0; step < kMaxSteps; ++step) {
    const Eval e = eval(x);
    residual = e.f;
    if (std::fabs(e.f) < kTolerance) return true;
    if (e.f > 0) {
      lo = x;
    } else {
      hi = x;
    }
    double next = (e.df < 0 && std::isfinite(e.df)) ? x - e.f / e.df : lo - 1.0;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (next == x) return false;  // The bracket cannot shrink further.
    x = next;
  }
  return false;
}

// g(k) = Σ π_i^k − 1 and g'(k) = Σ π_i^k ln π_i (< 0), from the logs ln π_i (π_i^k = e^{k ln π_i}).
Eval PowerEval(const std::vector<double>& log_pi, double k) {
  Eval e{-1.0, 0.0};
  for (double l : log_pi) {
    const double pk = std::exp(k * l);
    e.f += pk;
    e.df += pk * l;
  }
  return e;
}

// k for the logs ln π_i of a market whose Σ π_i is `s`.
absl::StatusOr<double> SolvePowerExponent(const std::vector<double>& log_pi, double s) {
  if (s == 1.0) return 1.0;
  double lo = 0.0;  // g(0) = n − 1 > 0.
  double hi = 1.0;
  if (s > 1.0) {  // g(1) = S − 1 > 0: the root lies above 1; double hi until g(hi) < 0.
    lo = 1.0;
    hi = 2.0;
    for (int i = 0; i < 64 && PowerEval(log_pi, hi).f > 0; ++i) {
      lo = hi;
      hi *= 2.0;
    }
  }
  double k = s > 1.0 ? lo : 1.0;
  double residual = 0.0;
  if (!SolveDecreasing([&](double x) { return PowerEval(log_pi, x); }, lo, hi, k, residual)) {
    return absl::InternalError(
        absl::StrCat("power margin removal did not converge: k = ", internal::ShortestText(k),
                     ", residual ", internal::ShortestText(residual)));
  }
  return k;
}

// f(z) = Σ p_i(z) − 1 with p_i(z) = (√(z² + 4(1 − z) a_i) − z) / (2(1 − z)), a_i = π_i²/S.
Eval ShinEval(const std::vector<double>& a, double z) {
  Eval e{-1.0, 0.0};
  const double w = 1.0 - z;
  for (double ai : a) {
    const double r = std::sqrt(z * z + 4.0 * w * ai);
    const double dr = (z - 2.0 * ai) / r;
    e.f += (r - z) / (2.0 * w);
    e.df += ((dr - 1.0) * w + (r - z)) / (2.0 * w * w);
  }
  return e;
}

std::vector<double> ShinAdjusted(absl::Span<const double> pi, double s) {
  std::vector<double> a;
  a.reserve(pi.size());
  for (double p : pi) a.push_back(p * p / s);
  return a;
}

absl::StatusOr<double> SolveShinZ(const std::vector<double>& pi) {
  const double s = Sum(pi);
  if (s == 1.0) return 0.0;
  const std::vector<double> a = ShinAdjusted(pi, s);
  // f(0) = √S − 1; f(1⁻) = Σ π_i²/S − 1 < 0; f(−1) = Σ (√(1 + 8 a_i) + 1)/4 − 1 > 0 for n >= 2.
  const double lo = s > 1.0 ? 0.0 : -1.0;
  const double hi = s > 1.0 ? 1.0 : 0.0;
  double z = s > 1.0 ? 0.0 : -0.5;
  double residual = 0.0;
  if (!SolveDecreasing([&](double x) { return ShinEval(a, x); }, lo, hi, z, residual)) {
    return absl::InternalError(
        absl::StrCat("Shin margin removal did not converge: z = ", internal::ShortestText(z),
                     ", residual ", internal::ShortestText(residual)));
  }
  return z;
}

}  // namespace

absl::StatusOr<MarginMethod> ParseMarginMethod(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "multiplicative" || lower == "basic") return MarginMethod::kMultiplicative;
  if (lower == "additive") return MarginMethod::kAdditive;
  if (lower == "power") return MarginMethod::kPower;
  if (lower == "shin") return MarginMethod::kShin;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown margin method \"", name,
                   "\"; expected multiplicative (or basic), additive, power or shin"));
}

absl::string_view MarginMethodName(MarginMethod m) {
  switch (m) {
    case MarginMethod::kMultiplicative:
      return "multiplicative";
    case MarginMethod::kAdditive:
      return "additive";
    case MarginMethod::kPower:
      return "power";
    case MarginMethod::kShin:
      return "shin";
  }
  return "unknown";
}

absl::StatusOr<std::vector<double>> RemoveMarginMultiplicative(
    absl::Span<const double> decimal_odds) {
  SUPERBET_ASSIGN_OR_RETURN(std::vector<double> p, CheckedInverse(decimal_odds));
  const double s = Sum(p);
  for (double& x : p) x /= s;
  return p;
}

absl::StatusOr<std::vector<double>> RemoveMarginAdditive(absl::Span<const double> decimal_odds) {
  SUPERBET_ASSIGN_OR_RETURN(std::vector<double> p, CheckedInverse(decimal_odds));
  const double share = (Sum(p) - 1.0) / static_cast<double>(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    p[i] -= share;
    if (!(p[i] > 0.0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "additive margin removal gives probability ", internal::ShortestText(p[i]),
          " <= 0 for decimal_odds[", i, "] = ", internal::ShortestText(decimal_odds[i]),
          " (overround share ", internal::ShortestText(share), "); use power or shin"));
    }
  }
  return p;
}

std::vector<double> Logs(const std::vector<double>& pi) {
  std::vector<double> out;
  out.reserve(pi.size());
  for (double p : pi) out.push_back(std::log(p));
  return out;
}

absl::StatusOr<std::vector<double>> RemoveMarginPower(absl::Span<const double> decimal_odds) {
  SUPERBET_ASSIGN_OR_RETURN(std::vector<double> p, CheckedInverse(decimal_odds));
  const std::vector<double> log_pi = Logs(p);
  SUPERBET_ASSIGN_OR_RETURN(const double k, SolvePowerExponent(log_pi, Sum(p)));
  if (k != 1.0) {
    for (size_t i = 0; i < p.size(); ++i) p[i] = std::exp(k * log_pi[i]);
  }
  return p;
}

absl::StatusOr<std::vector<double>> RemoveMarginShin(absl::Span<const double> decimal_odds) {
  SUPERBET_ASSIGN_OR_RETURN(std::vector<double> p, CheckedInverse(decimal_odds));
  SUPERBET_ASSIGN_OR_RETURN(const double z, SolveShinZ(p));
  if (z == 0.0) return p;  // Zero overround: p_i(0) = π_i / √S = π_i.
  const double s = Sum(p);
  for (double& x : p) {
    x = (std::sqrt(z * z + 4.0 * (1.0 - z) * x * x / s) - z) / (2.0 * (1.0 - z));
  }
  return p;
}

absl::StatusOr<std::vector<double>> RemoveMargin(absl::Span<const double> decimal_odds,
                                                 MarginMethod method) {
  switch (method) {
    case MarginMethod::kMultiplicative:
      return RemoveMarginMultiplicative(decimal_odds);
    case MarginMethod::kAdditive:
      return RemoveMarginAdditive(decimal_odds);
    case MarginMethod::kPower:
      return RemoveMarginPower(decimal_odds);
    case MarginMethod::kShin:
      return RemoveMarginShin(decimal_odds);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown margin method ", static_cast<int>(method)));
}

absl::StatusOr<double> PowerExponent(absl::Span<const double> decimal_odds) {
  SUPERBET_ASSIGN_OR_RETURN(const std::vector<double> pi, CheckedInverse(decimal_odds));
  return SolvePowerExponent(Logs(pi), Sum(pi));
}

absl::StatusOr<double> ShinInsiderShare(absl::Span<const double> decimal_odds) {
  SUPERBET_ASSIGN_OR_RETURN(const std::vector<double> pi, CheckedInverse(decimal_odds));
  return SolveShinZ(pi);
}

}  // namespace superbet::odds
