#include "superbet/ratings/dixon_coles.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ratings/internal/rho_fit.h"
#include "ratings/internal/strength_fit.h"
#include "ratings/internal/window.h"
#include "superbet/core/status_macros.h"

namespace superbet::ratings {
namespace {

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
  if (!(o.prior_sd >= 0) || !std::isfinite(o.prior_sd)) {
    return absl::InvalidArgumentError(
        absl::StrCat("prior_sd must be finite and >= 0, got ", o.prior_sd));
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
  if (matches.empty()) return absl::InvalidArgumentError("Dixon-Coles fit needs matches, got 0");
  SUPERBET_ASSIGN_OR_RETURN(MatchTable table, MatchTable::FromResults(matches));
  return Fit(table, 0, table.size(), as_of, options, nullptr);
}

absl::StatusOr<DixonColesModel> DixonColesModel::Fit(absl::Span<const MatchResult> matches,
                                                     absl::Time as_of,
                                                     const DixonColesOptions& options,
                                                     const DixonColesModel& warm_start) {
  if (matches.empty()) return absl::InvalidArgumentError("Dixon-Coles fit needs matches, got 0");
  SUPERBET_ASSIGN_OR_RETURN(MatchTable table, MatchTable::FromResults(matches));
  return Fit(table, 0, table.size(), as_of, options, &warm_start);
}

absl::StatusOr<DixonColesModel> DixonColesModel::Fit(const MatchTable& table, size_t begin,
                                                     size_t end, absl::Time as_of,
                                                     const DixonColesOptions& options,
                                                     const DixonColesModel* warm_start) {
  if (absl::Status s = ValidateOptions(options); !s.ok()) return s;
  if (begin > end || end > table.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("rows [", begin, ", ", end, ") outside a table of ", table.size()));
  }
  if (begin == end) return absl::InvalidArgumentError("Dixon-Coles fit needs matches, got 0");
  thread_local std::vector<int> scratch;
  if (static_cast<int>(scratch.size()) < table.teams()) scratch.resize(table.teams(), -1);
  SUPERBET_ASSIGN_OR_RETURN(internal::Window w,
                            internal::BuildWindow(table, begin, end, as_of, options.xi_per_day,
                                                  internal::Counts::kGoals, scratch));
  const int n = static_cast<int>(w.table_id.size());
  if (n < 2 || w.total_counts == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Dixon-Coles fit cannot identify the model: ", n, " teams, ", w.total_counts, " goals"));
  }
  if (!(w.data.home_goals > 0) || !(w.data.away_goals > 0)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Dixon-Coles fit: no home goal or no away goal keeps a weight > 0 at xi_per_day = ",
        options.xi_per_day, " (weights exp(-xi * age_days) underflow to 0, or no such goal)"));
  }

  // Stage 1: Newton on the penalised Poisson likelihood.
  internal::Strengths start;
  const internal::Strengths* start_ptr = nullptr;
  if (warm_start != nullptr && !warm_start->teams_.empty()) {
    start.c = warm_start->level_;
    start.h = std::log(warm_start->home_advantage_);
    start.a.assign(n, 0.0);
    start.d.assign(n, 0.0);
    for (int i = 0; i < n; ++i) {
      auto it = warm_start->teams_.find(table.team_name(w.table_id[i]));
      if (it == warm_start->teams_.end()) continue;
      start.a[i] = std::log(it->second.attack);
      start.d[i] = std::log(it->second.defence) - warm_start->level_;
    }
    start_ptr = &start;
  }
  const double precision = options.prior_sd > 0 ? 1.0 / (options.prior_sd * options.prior_sd) : 0;
  internal::Strengths s;
  SUPERBET_RETURN_IF_ERROR(internal::FitStrengths(w.data, precision, options.max_iterations,
                                                  options.tolerance, start_ptr, s));
  if (!s.converged) {
    const std::string who =
        s.worst_team >= 0 ? table.team_name(w.table_id[s.worst_team]) : "home advantage/level";
    return absl::FailedPreconditionError(absl::StrCat(
        "Dixon-Coles fit did not converge in ", options.max_iterations,
        " Newton iterations: the last step moved ", who, "'s log strength by ", s.max_step,
        " (tolerance ", options.tolerance, ")",
        options.prior_sd > 0 ? ""
                             : "; without a strength prior a team that has not scored or "
                               "conceded has no finite maximum-likelihood strength"));
  }
  double mean_a = 0;
  for (double v : s.a) mean_a += v;
  mean_a /= n;

  // Stage 2: rho with the strengths fixed.
  std::vector<double> lam(w.data.pairs.size()), mu(w.data.pairs.size());
  for (size_t p = 0; p < w.data.pairs.size(); ++p) {
    lam[p] = internal::PairLambda(s, w.data.pairs[p]);
    mu[p] = internal::PairMu(s, w.data.pairs[p]);
  }
  const double rho = internal::FitRho(w.data, lam, mu, options.rho_min, options.rho_max);

  DixonColesModel model;
  model.max_goals_ = options.max_goals;
  model.min_matches_ = options.min_matches_per_team;
  model.unseen_team_ = options.unseen_team;
  model.iterations_ = s.iterations;
  model.converged_ = true;
  model.log_likelihood_ = s.log_likelihood + internal::RhoLogLikelihood(w.data, lam, mu, rho);
  model.home_advantage_ = std::exp(s.h);
  model.level_ = s.c + mean_a;
  model.rho_ = rho;
  model.teams_.reserve(n);
  for (int i = 0; i < n; ++i) {
    TeamParams& t = model.teams_[table.team_name(w.table_id[i])];
    t.attack = std::exp(s.a[i] - mean_a);
    t.defence = std::exp(s.d[i] + model.level_);
    const internal::TeamEvidence& e = w.evidence[i];
    t.matches = e.matches;
    t.weight = e.weight;
    t.weighted_age_days = e.weighted_age_days;
    t.last_kickoff = e.last_kickoff;
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
