// The goal models of team_model.h: dixon-coles, poisson, bivariate, negbin, shots, market.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ratings/internal/models.h"
#include "ratings/internal/rho_fit.h"
#include "ratings/internal/strength_fit.h"
#include "ratings/internal/window.h"
#include "superbet/core/status_macros.h"
#include "superbet/ratings/count_distributions.h"

namespace superbet::ratings::internal {
namespace {

// Maximiser of a unimodal f on [lo, hi] by golden-section search to `tol`.
template <typename F>
double GoldenMax(F f, double lo, double hi, double tol, int* evaluations) {
  const double phi = (std::sqrt(5.0) - 1.0) / 2.0;
  double a = lo, b = hi, c = b - phi * (b - a), d = a + phi * (b - a);
  double fc = f(c), fd = f(d);
  int n = 2;
  while (b - a > tol && n < 200) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = f(d);
    }
    ++n;
  }
  if (evaluations != nullptr) *evaluations = n;
  const double mid = 0.5 * (a + b);
  // The boundary itself when it beats the interior (a maximum at 0: Poisson, independence).
  return f(lo) >= f(mid) ? lo : mid;
}

struct TeamRates {
  double attack = 0;   // Log attack (combined for shots).
  double defence = 0;  // Log defensive weakness.
  int matches = 0;     // In the window.
};

class GoalModel final : public TeamModel {
 public:
  GoalModel(ModelKind kind, const TeamModelOptions& options) : kind_(kind), options_(options) {}
  ModelKind kind() const override { return kind_; }
  const FitInfo& last_fit() const override { return info_; }
  absl::Status SetStrengthPriors(
      const absl::flat_hash_map<std::string, StrengthPrior>& priors) override {
    priors_ = priors;
    return absl::OkStatus();
  }

  absl::Status FitBefore(const MatchTable& table, absl::Time as_of) override {
    fitted_ = false;
    info_ = FitInfo{};
    info_.as_of = as_of;
    const size_t end = table.LowerBound(as_of);
    const size_t first = table.LowerBound(as_of - absl::Hours(24) * options_.window_days);
    if (end - first < static_cast<size_t>(options_.min_fit_matches)) {
      return absl::FailedPreconditionError(absl::StrCat(
          ModelKindName(kind_), " fit before ", absl::FormatTime(as_of), ": ", end - first,
          " matches in the window, fewer than min_fit_matches ", options_.min_fit_matches));
    }
    if (static_cast<int>(scratch_.size()) < table.teams()) scratch_.resize(table.teams(), -1);
    const bool keep_scores =
        kind_ == ModelKind::kBivariatePoisson || kind_ == ModelKind::kNegativeBinomial;
    const Counts counts = kind_ == ModelKind::kMarket ? Counts::kMarketBlend : Counts::kGoals;
    SUPERBET_ASSIGN_OR_RETURN(
        Window goals,
        BuildWindow(table, first, end, as_of, options_.xi_per_day, counts, scratch_, keep_scores,
                    options_.market_weight, options_.market_xi_per_day,
                    /*evidence_weights=*/false));  // Only TeamEvidence::matches is read here.
    if (!priors_.empty()) {                        // Team-specific prior means (promoted sides).
      goals.data.prior_a.assign(goals.table_id.size(), 0.0);
      goals.data.prior_d.assign(goals.table_id.size(), 0.0);
      for (size_t i = 0; i < goals.table_id.size(); ++i) {
        auto it = priors_.find(table.team_name(goals.table_id[i]));
        if (it == priors_.end()) continue;
        goals.data.prior_a[i] = it->second.log_attack;
        goals.data.prior_d[i] = it->second.log_defence;
      }
    }
    Strengths s;
    SUPERBET_RETURN_IF_ERROR(FitOn(table, goals, "goals", warm_goals_, s));
    info_.matches = goals.matches;
    const int n = static_cast<int>(goals.table_id.size());

    double base_home = s.c + s.h, base_away = s.c;
    std::vector<double> att = s.a, def = s.d;
    if (kind_ == ModelKind::kShots && options_.shots_weight > 0) {
      SUPERBET_ASSIGN_OR_RETURN(Window shots,
                                BuildWindow(table, first, end, as_of, options_.xi_per_day,
                                            Counts::kShotsOnTarget, scratch_, false, 0, 0,
                                            /*evidence_weights=*/false));
      if (shots.matches >= options_.min_fit_matches) {
        Strengths ss;
        SUPERBET_RETURN_IF_ERROR(FitOn(table, shots, "shots on target", warm_shots_, ss));
        const double kappa = (goals.data.home_goals + goals.data.away_goals) /
                             (shots.data.home_goals + shots.data.away_goals);
        const double w = options_.shots_weight;
        std::vector<double> shot_att(n, 0.0), shot_def(n, 0.0);
        for (size_t k = 0; k < shots.table_id.size(); ++k) {
          const int local =
              std::find(goals.table_id.begin(), goals.table_id.end(), shots.table_id[k]) -
              goals.table_id.begin();
          if (local < n) {
            shot_att[local] = ss.a[k];
            shot_def[local] = ss.d[k];
          }
        }
        base_home = (1 - w) * base_home + w * (ss.c + ss.h + std::log(kappa));
        base_away = (1 - w) * base_away + w * (ss.c + std::log(kappa));
        for (int i = 0; i < n; ++i) {
          att[i] = (1 - w) * att[i] + w * shot_att[i];
          def[i] = (1 - w) * def[i] + w * shot_def[i];
        }
      }
    }
    // Per-pair expected goals at the (combined) strengths.
    const FitData& data = goals.data;
    // The Dixon-Coles kinds read a pair's rates only where it has a 0-0, 0-1 or 1-0 result
    // (FitRho), Poisson reads none: the other pairs' exps are skipped (their entries stay 0,
    // never read).
    const bool rho_kind = kind_ == ModelKind::kDixonColes || kind_ == ModelKind::kShots ||
                          kind_ == ModelKind::kMarket;
    const bool all_rates =
        kind_ == ModelKind::kBivariatePoisson || kind_ == ModelKind::kNegativeBinomial;
    std::vector<double>& lam = lam_;  // Kept across fits (storage only).
    std::vector<double>& mu = mu_;
    lam.assign(data.pairs.size(), 0.0);
    mu.assign(data.pairs.size(), 0.0);
    double min_rate = std::numeric_limits<double>::infinity();
    for (size_t p = 0; p < data.pairs.size() && (rho_kind || all_rates); ++p) {
      const PairStats& q = data.pairs[p];
      if (!all_rates && !(q.w00 > 0 || q.w01 > 0 || q.w10 > 0)) continue;
      lam[p] = std::exp(base_home + att[q.home] + def[q.away]);
      mu[p] = std::exp(base_away + att[q.away] + def[q.home]);
      min_rate = std::min({min_rate, lam[p], mu[p]});
    }
    extra_ = 0;
    int evaluations = 0;
    switch (kind_) {
      case ModelKind::kDixonColes:
      case ModelKind::kShots:
      case ModelKind::kMarket:
        extra_ = FitRho(data, lam, mu, -0.25, 0.25);
        info_.extra_parameter = extra_;
        break;
      case ModelKind::kPoisson:
        break;
      case ModelKind::kBivariatePoisson: {
        auto ll = [&](double l3) {
          double f = 0;
          for (const WeightedScore& m : data.scores) {
            f += m.w * BivariatePoissonLogPmf(m.x, m.y, lam[m.pair] - l3, mu[m.pair] - l3, l3);
          }
          return f;
        };
        extra_ = GoldenMax(ll, 0.0, 0.99 * min_rate, 1e-7, &evaluations);
        info_.extra_parameter = extra_;
        break;
      }
      case ModelKind::kNegativeBinomial: {
        auto ll = [&](double alpha) {
          double f = 0;
          for (const WeightedScore& m : data.scores) {
            f += m.w * (NegativeBinomialLogPmf(m.x, lam[m.pair], alpha) +
                        NegativeBinomialLogPmf(m.y, mu[m.pair], alpha));
          }
          return f;
        };
        extra_ = GoldenMax(ll, 0.0, 2.0, 1e-7, &evaluations);
        info_.extra_parameter = extra_;
        break;
      }
      default:
        break;
    }
    base_home_ = base_home;
    base_away_ = base_away;
    teams_.clear();
    std::vector<double> rated_att, rated_def, rated_strength;
    for (int i = 0; i < n; ++i) {
      const std::string& name = table.team_name(goals.table_id[i]);
      teams_[name] = {att[i], def[i], goals.evidence[i].matches};
      if (goals.evidence[i].matches >= options_.min_matches_per_team) {
        rated_att.push_back(att[i]);
        rated_def.push_back(def[i]);
      }
    }
    // Unseen-team priors (dixon_coles.h's UnseenTeamPolicy, on the log scale).
    league_average_ = {Mean(rated_att), Mean(rated_def), 0};
    std::vector<std::pair<double, int>> order;
    for (size_t i = 0; i < rated_att.size(); ++i) {
      order.push_back({rated_att[i] - rated_def[i], static_cast<int>(i)});
    }
    std::sort(order.begin(), order.end());
    double wa = 0, wd = 0;
    const size_t k = std::min<size_t>(3, order.size());
    for (size_t i = 0; i < k; ++i) {
      wa += rated_att[order[i].second];
      wd += rated_def[order[i].second];
    }
    weakest_three_ = k > 0 ? TeamRates{wa / k, wd / k, 0} : league_average_;
    info_.iterations += evaluations;
    info_.converged = true;
    fitted_ = true;
    RecycleWindow(std::move(goals));  // Its storage serves the next match day's window.
    return absl::OkStatus();
  }

  absl::StatusOr<MatchForecast> Forecast(absl::string_view home,
                                         absl::string_view away) const override {
    if (!fitted_) {
      return absl::FailedPreconditionError(
          absl::StrCat(ModelKindName(kind_), ": no successful fit to forecast from"));
    }
    if (home == away) return absl::InvalidArgumentError(absl::StrCat("team plays itself: ", home));
    bool home_imputed = false, away_imputed = false;
    SUPERBET_ASSIGN_OR_RETURN(TeamRates h, Rates(home, home_imputed));
    SUPERBET_ASSIGN_OR_RETURN(TeamRates a, Rates(away, away_imputed));
    const double lambda = std::exp(base_home_ + h.attack + a.defence);
    const double mu = std::exp(base_away_ + a.attack + h.defence);
    SUPERBET_ASSIGN_OR_RETURN(ScoreGrid grid, Grid(lambda, mu));
    MatchForecast f(std::move(grid));
    f.one_x_two = f.grid.OneXTwoProbabilities();
    SUPERBET_ASSIGN_OR_RETURN(Settlement over, f.grid.Over(2.5));
    f.over_2_5 = over.win;
    f.home_imputed = home_imputed;
    f.away_imputed = away_imputed;
    return f;
  }

 private:
  static double Mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0.0 : s / static_cast<double>(v.size());
  }

  // Stage 1 on `w`, warm-started from `warm` (log strengths by table id, updated on return).
  absl::Status FitOn(const MatchTable& table, const Window& w, absl::string_view what,
                     std::vector<double>& warm, Strengths& s) {
    const int n = static_cast<int>(w.table_id.size());
    Strengths start;
    const Strengths* start_ptr = nullptr;
    if (warm.size() >= 2) {
      start.c = warm[0];
      start.h = warm[1];
      start.a.assign(n, 0.0);
      start.d.assign(n, 0.0);
      for (int i = 0; i < n; ++i) {
        const size_t id = static_cast<size_t>(w.table_id[i]);
        if (2 + 2 * id + 1 < warm.size()) {
          start.a[i] = warm[2 + 2 * id];
          start.d[i] = warm[2 + 2 * id + 1];
        }
      }
      start_ptr = &start;
    }
    const double precision =
        options_.prior_sd > 0 ? 1.0 / (options_.prior_sd * options_.prior_sd) : 0.0;
    SUPERBET_RETURN_IF_ERROR(FitStrengths(w.data, precision, 50, 1e-7, start_ptr, s));
    info_.iterations += s.iterations;
    if (!s.converged) {
      return absl::FailedPreconditionError(absl::StrCat(
          ModelKindName(kind_), " fit on ", what, " did not converge in 50 Newton iterations (",
          s.worst_team >= 0 ? table.team_name(w.table_id[s.worst_team]) : "level",
          " still moved by ", s.max_step, ")"));
    }
    warm.assign(2 + 2 * static_cast<size_t>(table.teams()), 0.0);
    warm[0] = s.c;
    warm[1] = s.h;
    for (int i = 0; i < n; ++i) {
      warm[2 + 2 * w.table_id[i]] = s.a[i];
      warm[2 + 2 * w.table_id[i] + 1] = s.d[i];
    }
    return absl::OkStatus();
  }

  absl::StatusOr<TeamRates> Rates(absl::string_view team, bool& imputed) const {
    auto it = teams_.find(team);
    if (it != teams_.end() && it->second.matches >= options_.min_matches_per_team) {
      return it->second;
    }
    imputed = true;
    if (auto p = priors_.find(team); p != priors_.end()) {
      return TeamRates{p->second.log_attack, p->second.log_defence, 0};
    }
    switch (options_.unseen_team) {
      case UnseenTeamPolicy::kError:
        return absl::NotFoundError(absl::StrCat("team not rated by the fit: ", team));
      case UnseenTeamPolicy::kLeagueAverage:
        return league_average_;
      case UnseenTeamPolicy::kWeakestThreeAverage:
        return weakest_three_;
    }
    return absl::NotFoundError(absl::StrCat("team not rated by the fit: ", team));
  }

  absl::StatusOr<ScoreGrid> Grid(double lambda, double mu) const {
    const int g = options_.max_goals;
    switch (kind_) {
      case ModelKind::kDixonColes:
      case ModelKind::kShots:
      case ModelKind::kMarket:
        return ScoreGrid::FromRates(lambda, mu, extra_, g);
      case ModelKind::kBivariatePoisson: {
        const double l3 = std::min(extra_, 0.99 * std::min(lambda, mu));
        SUPERBET_ASSIGN_OR_RETURN(std::vector<double> m,
                                  BivariatePoissonMatrix(lambda - l3, mu - l3, l3, g));
        return ScoreGrid::FromMatrix(std::move(m), g);
      }
      case ModelKind::kNegativeBinomial: {
        const int n = g + 1;
        std::vector<double> px(n), py(n), m(static_cast<size_t>(n) * n);
        for (int k = 0; k < n; ++k) {
          px[k] = std::exp(NegativeBinomialLogPmf(k, lambda, extra_));
          py[k] = std::exp(NegativeBinomialLogPmf(k, mu, extra_));
        }
        for (int x = 0; x < n; ++x) {
          for (int y = 0; y < n; ++y) m[x * n + y] = px[x] * py[y];
        }
        return ScoreGrid::FromMatrix(std::move(m), g);
      }
      default:
        return ScoreGrid::FromRates(lambda, mu, 0.0, g);
    }
  }

  ModelKind kind_;
  TeamModelOptions options_;
  FitInfo info_;
  bool fitted_ = false;
  std::vector<int> scratch_;
  std::vector<double> lam_, mu_;  // FitBefore's per-pair rates (storage kept across fits).
  std::vector<double> warm_goals_, warm_shots_;  // [c, h, (a, d) by table id].
  absl::flat_hash_map<std::string, TeamRates> teams_;
  absl::flat_hash_map<std::string, StrengthPrior> priors_;
  TeamRates league_average_, weakest_three_;
  double base_home_ = 0, base_away_ = 0, extra_ = 0;
};

}  // namespace

std::unique_ptr<TeamModel> MakeGoalModel(ModelKind kind, const TeamModelOptions& options) {
  return std::make_unique<GoalModel>(kind, options);
}

}  // namespace superbet::ratings::internal
