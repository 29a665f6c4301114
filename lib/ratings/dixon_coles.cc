#include "superbet/ratings/dixon_coles.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace superbet::ratings {
namespace {

constexpr double kParamFloor = 1e-3;  // Attack/defence never reach 0 (a team without goals).

struct IndexedMatch {
  int home;
  int away;
  int x;  // home goals
  int y;  // away goals
  double w;
  double age_days;
  absl::Time kickoff;
};

double PoissonLogPmf(int k, double rate) {
  return k * std::log(rate) - rate - std::lgamma(static_cast<double>(k) + 1.0);
}

// Weighted sum of log tau over the low-score matches; -inf when some tau <= 0.
double RhoLogLikelihood(const std::vector<IndexedMatch>& ms, const std::vector<double>& lam,
                        const std::vector<double>& mu, double rho) {
  double ll = 0;
  for (size_t k = 0; k < ms.size(); ++k) {
    if (ms[k].x > 1 || ms[k].y > 1) continue;
    const double t = DixonColesTau(ms[k].x, ms[k].y, lam[k], mu[k], rho);
    if (t <= 0) return -std::numeric_limits<double>::infinity();
    ll += ms[k].w * std::log(t);
  }
  return ll;
}

absl::Status ValidateOptions(const DixonColesOptions& o) {
  if (!(o.xi_per_day >= 0) || !std::isfinite(o.xi_per_day)) {
    return absl::InvalidArgumentError(absl::StrCat("xi_per_day must be >= 0, got ", o.xi_per_day));
  }
  if (o.max_goals < 1 || o.max_goals > 30) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_goals must be in [1, 30], got ", o.max_goals));
  }
  if (o.max_iterations < 1 || !(o.tolerance > 0)) {
    return absl::InvalidArgumentError("max_iterations must be >= 1 and tolerance > 0");
  }
  if (!(o.rho_min < o.rho_max) || o.rho_min < -1 || o.rho_max > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("need -1 <= rho_min < rho_max <= 1, got [", o.rho_min, ", ", o.rho_max, "]"));
  }
  return absl::OkStatus();
}

}  // namespace

double DixonColesTau(int home_goals, int away_goals, double lambda, double mu, double rho) {
  if (home_goals == 0 && away_goals == 0) return 1.0 - lambda * mu * rho;
  if (home_goals == 0 && away_goals == 1) return 1.0 + lambda * rho;
  if (home_goals == 1 && away_goals == 0) return 1.0 + mu * rho;
  if (home_goals == 1 && away_goals == 1) return 1.0 - rho;
  return 1.0;
}

absl::StatusOr<std::vector<double>> ScoreMatrix(double lambda, double mu, double rho,
                                                int max_goals) {
  if (!std::isfinite(lambda) || !std::isfinite(mu) || !(lambda > 0) || !(mu > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected goals must be finite and > 0, got lambda=", lambda, " mu=", mu));
  }
  if (max_goals < 1 || max_goals > 30) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_goals must be in [1, 30], got ", max_goals));
  }
  const int n = max_goals + 1;
  std::vector<double> px(n), py(n);
  px[0] = std::exp(-lambda);
  py[0] = std::exp(-mu);
  for (int k = 1; k < n; ++k) {
    px[k] = px[k - 1] * lambda / k;
    py[k] = py[k - 1] * mu / k;
  }
  std::vector<double> m(static_cast<size_t>(n) * n);
  double total = 0;
  for (int x = 0; x < n; ++x) {
    for (int y = 0; y < n; ++y) {
      const double t = DixonColesTau(x, y, lambda, mu, rho);
      if (t < 0) {
        return absl::InvalidArgumentError(
            absl::StrFormat("tau(%d,%d) < 0 for rho=%g lambda=%g mu=%g", x, y, rho, lambda, mu));
      }
      m[x * n + y] = t * px[x] * py[y];
      total += m[x * n + y];
    }
  }
  for (double& v : m) v /= total;
  return m;
}

absl::StatusOr<OutcomeProbabilities> OutcomesFromRates(double lambda, double mu, double rho,
                                                       int max_goals) {
  auto matrix = ScoreMatrix(lambda, mu, rho, max_goals);
  if (!matrix.ok()) return matrix.status();
  const int n = max_goals + 1;
  OutcomeProbabilities out;
  out.lambda = lambda;
  out.mu = mu;
  for (int x = 0; x < n; ++x) {
    for (int y = 0; y < n; ++y) {
      const double p = (*matrix)[x * n + y];
      if (x > y) {
        out.home_win += p;
      } else if (x == y) {
        out.draw += p;
      } else {
        out.away_win += p;
      }
      if (x + y >= 3) out.over_2_5 += p;
    }
  }
  return out;
}

absl::StatusOr<DixonColesModel> DixonColesModel::Fit(absl::Span<const MatchResult> matches,
                                                     absl::Time as_of,
                                                     const DixonColesOptions& options) {
  return FitFrom(matches, as_of, options, nullptr);
}

absl::StatusOr<DixonColesModel> DixonColesModel::Fit(absl::Span<const MatchResult> matches,
                                                     absl::Time as_of,
                                                     const DixonColesOptions& options,
                                                     const DixonColesModel& warm_start) {
  return FitFrom(matches, as_of, options, &warm_start);
}

absl::StatusOr<DixonColesModel> DixonColesModel::FitFrom(absl::Span<const MatchResult> matches,
                                                         absl::Time as_of,
                                                         const DixonColesOptions& options,
                                                         const DixonColesModel* warm_start) {
  if (absl::Status s = ValidateOptions(options); !s.ok()) return s;
  if (matches.empty()) return absl::InvalidArgumentError("Dixon-Coles fit needs matches, got 0");

  DixonColesModel model;
  model.max_goals_ = options.max_goals;
  model.min_matches_ = options.min_matches_per_team;
  model.unseen_team_ = options.unseen_team;
  absl::flat_hash_map<std::string, int> index;
  std::vector<std::string> names;
  std::vector<IndexedMatch> ms;
  ms.reserve(matches.size());
  auto team_index = [&](const std::string& name) {
    auto [it, inserted] = index.emplace(name, static_cast<int>(names.size()));
    if (inserted) names.push_back(name);
    return it->second;
  };
  double total_goals = 0;
  for (const MatchResult& m : matches) {
    if (m.home_goals < 0 || m.away_goals < 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "negative score %d-%d in %s v %s", m.home_goals, m.away_goals, m.home, m.away));
    }
    if (m.home == m.away) {
      return absl::InvalidArgumentError(absl::StrCat("team plays itself: ", m.home));
    }
    if (m.kickoff > as_of) {
      return absl::InvalidArgumentError(absl::StrCat("look-ahead: ", m.home, " v ", m.away,
                                                     " kicks off at ", absl::FormatTime(m.kickoff),
                                                     ", after as_of ", absl::FormatTime(as_of)));
    }
    const double days = std::floor(absl::ToDoubleHours(as_of - m.kickoff) / 24.0);
    ms.push_back({team_index(m.home), team_index(m.away), m.home_goals, m.away_goals,
                  std::exp(-options.xi_per_day * days), days, m.kickoff});
    total_goals += m.home_goals + m.away_goals;
  }
  const int n = static_cast<int>(names.size());
  if (n < 2 || total_goals == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Dixon-Coles fit cannot identify the model: ", n, " teams, ", total_goals, " goals"));
  }

  // Stage 1: Maher fixed point on the weighted Poisson likelihood.
  std::vector<double> att(n, 1.0), def(n, 1.0);
  if (warm_start != nullptr) {  // Teams the previous fit rated start from its optimum.
    for (int i = 0; i < n; ++i) {
      auto it = warm_start->teams_.find(names[i]);
      if (it == warm_start->teams_.end()) continue;
      att[i] = std::max(it->second.attack, kParamFloor);
      def[i] = std::max(it->second.defence, kParamFloor);
    }
  }
  std::vector<double> scored(n, 0), conceded(n, 0), den(n, 0);
  std::vector<int> count(n, 0);
  double home_goals_w = 0, goals_w = 0;
  for (const IndexedMatch& m : ms) {
    scored[m.home] += m.w * m.x;
    scored[m.away] += m.w * m.y;
    conceded[m.home] += m.w * m.y;
    conceded[m.away] += m.w * m.x;
    home_goals_w += m.w * m.x;
    goals_w += m.w * (m.x + m.y);
    ++count[m.home];
    ++count[m.away];
  }
  if (!(goals_w > 0)) {  // exp(-xi * days) underflowed to 0 for every match with a goal.
    return absl::FailedPreconditionError(absl::StrCat(
        "Dixon-Coles fit: no goal keeps any weight at xi_per_day = ", options.xi_per_day,
        " (every weight exp(-xi * age_days) underflows to 0)"));
  }
  double gamma = warm_start != nullptr ? std::max(warm_start->home_advantage_, kParamFloor) : 1.0;
  bool converged = false;
  int it = 0;
  for (it = 1; it <= options.max_iterations; ++it) {
    double max_change = 0;
    auto update = [&](std::vector<double>& v, int i, double num) {
      // A team whose matches all weigh 0 has den 0: it keeps its value instead of 0 / 0 = NaN.
      if (!(den[i] > 0)) return;
      const double nv = std::max(num / den[i], kParamFloor);
      max_change = std::max(max_change, std::abs(nv - v[i]) / v[i]);
      v[i] = nv;
    };
    std::fill(den.begin(), den.end(), 0.0);
    for (const IndexedMatch& m : ms) {
      den[m.home] += m.w * def[m.away] * gamma;
      den[m.away] += m.w * def[m.home];
    }
    for (int i = 0; i < n; ++i) update(att, i, scored[i]);
    std::fill(den.begin(), den.end(), 0.0);
    for (const IndexedMatch& m : ms) {
      den[m.home] += m.w * att[m.away];
      den[m.away] += m.w * att[m.home] * gamma;
    }
    for (int i = 0; i < n; ++i) update(def, i, conceded[i]);
    double gden = 0;
    for (const IndexedMatch& m : ms) gden += m.w * att[m.home] * def[m.away];
    const double ng = gden > 0 ? std::max(home_goals_w / gden, kParamFloor) : gamma;
    max_change = std::max(max_change, std::abs(ng - gamma) / gamma);
    gamma = ng;
    // Normalise: geometric mean of attack = 1 (lambda, mu unchanged).
    double log_sum = 0;
    for (double a : att) log_sum += std::log(a);
    const double g = std::exp(log_sum / n);
    for (int i = 0; i < n; ++i) {
      att[i] /= g;
      def[i] *= g;
    }
    if (max_change < options.tolerance) {
      converged = true;
      break;
    }
  }
  model.iterations_ = std::min(it, options.max_iterations);
  model.converged_ = converged;

  // Stage 2: rho by golden-section search of the concave weighted sum of log tau.
  std::vector<double> lam(ms.size()), mu(ms.size());
  double lo = options.rho_min, hi = options.rho_max;
  for (size_t k = 0; k < ms.size(); ++k) {
    lam[k] = att[ms[k].home] * def[ms[k].away] * gamma;
    mu[k] = att[ms[k].away] * def[ms[k].home];
    // Keep tau > 0 for the observed low scores.
    const int x = ms[k].x, y = ms[k].y;
    if (x == 0 && y == 0) hi = std::min(hi, (1.0 - 1e-9) / (lam[k] * mu[k]));
    if (x == 0 && y == 1) lo = std::max(lo, -(1.0 - 1e-9) / lam[k]);
    if (x == 1 && y == 0) lo = std::max(lo, -(1.0 - 1e-9) / mu[k]);
  }
  double rho = 0;  // Without a 0-0, 0-1, 1-0 or 1-1 score the data say nothing about rho.
  bool has_low_score = false;
  for (const IndexedMatch& m : ms) has_low_score |= (m.x <= 1 && m.y <= 1);
  if (has_low_score && lo < hi) {
    const double phi = (std::sqrt(5.0) - 1.0) / 2.0;
    double a = lo, b = hi;
    double c = b - phi * (b - a), d = a + phi * (b - a);
    double fc = RhoLogLikelihood(ms, lam, mu, c), fd = RhoLogLikelihood(ms, lam, mu, d);
    for (int k = 0; k < 100 && b - a > 1e-9; ++k) {
      if (fc >= fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - phi * (b - a);
        fc = RhoLogLikelihood(ms, lam, mu, c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + phi * (b - a);
        fd = RhoLogLikelihood(ms, lam, mu, d);
      }
    }
    rho = (a + b) / 2;
  }

  double ll = 0;
  for (size_t k = 0; k < ms.size(); ++k) {
    ll += ms[k].w * (std::log(DixonColesTau(ms[k].x, ms[k].y, lam[k], mu[k], rho)) +
                     PoissonLogPmf(ms[k].x, lam[k]) + PoissonLogPmf(ms[k].y, mu[k]));
  }
  model.log_likelihood_ = ll;
  model.home_advantage_ = gamma;
  model.rho_ = rho;
  for (int i = 0; i < n; ++i) {
    TeamParams& t = model.teams_[names[i]];
    t.attack = att[i];
    t.defence = def[i];
    t.matches = count[i];
  }
  for (const IndexedMatch& m : ms) {
    for (int side : {m.home, m.away}) {
      TeamParams& t = model.teams_[names[side]];
      t.weight += m.w;
      t.weighted_age_days += m.w * m.age_days;
      t.last_kickoff = std::max(t.last_kickoff, m.kickoff);
    }
  }
  model.SetUnseenTeamPriors();
  return model;
}

void DixonColesModel::SetUnseenTeamPriors() {
  std::vector<const TeamParams*> rated;
  for (const auto& [name, t] : teams_) {
    if (t.matches >= min_matches_) rated.push_back(&t);
  }
  if (rated.empty()) return;
  auto geometric_mean = [](const std::vector<const TeamParams*>& ts) {
    double la = 0, ld = 0;
    for (const TeamParams* t : ts) {
      la += std::log(t->attack);
      ld += std::log(t->defence);
    }
    TeamParams out;
    out.attack = std::exp(la / ts.size());
    out.defence = std::exp(ld / ts.size());
    return out;
  };
  league_average_ = geometric_mean(rated);
  // Weakest first: lowest attack / defence ratio; ties broken by attack so the order is total.
  std::sort(rated.begin(), rated.end(), [](const TeamParams* a, const TeamParams* b) {
    const double ra = a->attack / a->defence, rb = b->attack / b->defence;
    return ra != rb ? ra < rb : a->attack < b->attack;
  });
  rated.resize(std::min<size_t>(rated.size(), 3));
  weakest_three_ = geometric_mean(rated);
}

std::optional<DixonColesModel::TeamParams> DixonColesModel::Strengths(
    absl::string_view team) const {
  if (HasTeam(team)) return teams_.find(team)->second;
  switch (unseen_team_) {
    case UnseenTeamPolicy::kError:
      return std::nullopt;
    case UnseenTeamPolicy::kLeagueAverage:
      return league_average_;
    case UnseenTeamPolicy::kWeakestThreeAverage:
      return weakest_three_;
  }
  return std::nullopt;
}

absl::StatusOr<OutcomeProbabilities> DixonColesModel::Rates(absl::string_view home,
                                                            absl::string_view away) const {
  if (home == away) return absl::InvalidArgumentError(absl::StrCat("team plays itself: ", home));
  const std::optional<TeamParams> h = Strengths(home);
  if (!h) return absl::NotFoundError(absl::StrCat("team not rated by the fit: ", home));
  const std::optional<TeamParams> a = Strengths(away);
  if (!a) return absl::NotFoundError(absl::StrCat("team not rated by the fit: ", away));
  OutcomeProbabilities out;
  out.lambda = h->attack * a->defence * home_advantage_;
  out.mu = a->attack * h->defence;
  out.home_imputed = !HasTeam(home);
  out.away_imputed = !HasTeam(away);
  return out;
}

absl::StatusOr<OutcomeProbabilities> DixonColesModel::Predict(absl::string_view home,
                                                              absl::string_view away) const {
  absl::StatusOr<OutcomeProbabilities> rates = Rates(home, away);
  if (!rates.ok()) return rates.status();
  absl::StatusOr<OutcomeProbabilities> out =
      OutcomesFromRates(rates->lambda, rates->mu, rho_, max_goals_);
  if (!out.ok()) return out.status();
  out->home_imputed = rates->home_imputed;
  out->away_imputed = rates->away_imputed;
  return out;
}

absl::StatusOr<ScoreGrid> DixonColesModel::Grid(absl::string_view home,
                                                absl::string_view away) const {
  absl::StatusOr<OutcomeProbabilities> rates = Rates(home, away);
  if (!rates.ok()) return rates.status();
  return ScoreGrid::FromRates(rates->lambda, rates->mu, rho_, max_goals_);
}

absl::StatusOr<TeamDiagnostics> DixonColesModel::Diagnostics(absl::string_view team) const {
  auto it = teams_.find(team);
  if (it == teams_.end()) {
    return absl::NotFoundError(absl::StrCat("team not in the fit data: ", team));
  }
  const TeamParams& t = it->second;
  TeamDiagnostics d;
  d.matches = t.matches;
  d.effective_matches = t.weight;
  d.last_kickoff = t.last_kickoff;
  if (t.weight > 0) d.mean_age_days = t.weighted_age_days / t.weight;
  return d;
}

bool DixonColesModel::HasTeam(absl::string_view team) const {
  auto it = teams_.find(team);
  return it != teams_.end() && it->second.matches >= min_matches_;
}

double DixonColesModel::attack(absl::string_view team) const {
  auto it = teams_.find(team);
  return it == teams_.end() ? 0.0 : it->second.attack;
}

double DixonColesModel::defence(absl::string_view team) const {
  auto it = teams_.find(team);
  return it == teams_.end() ? 0.0 : it->second.defence;
}

std::vector<std::string> DixonColesModel::teams() const {
  std::vector<std::string> out;
  out.reserve(teams_.size());
  for (const auto& [name, params] : teams_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace superbet::ratings
