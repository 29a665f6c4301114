#include "superbet/ratings/team_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ratings/internal/models.h"

namespace superbet::ratings {
namespace {

constexpr std::array<std::pair<ModelKind, absl::string_view>, 8> kNames = {{
    {ModelKind::kDixonColes, "dixon-coles"},
    {ModelKind::kPoisson, "poisson"},
    {ModelKind::kBivariatePoisson, "bivariate"},
    {ModelKind::kNegativeBinomial, "negbin"},
    {ModelKind::kElo, "elo"},
    {ModelKind::kPiRatings, "pi"},
    {ModelKind::kShots, "shots"},
    {ModelKind::kMarket, "market"},
}};

absl::Status CheckOptions(const TeamModelOptions& o) {
  auto bad = [](absl::string_view name, double v, absl::string_view want) {
    return absl::InvalidArgumentError(absl::StrCat(name, " must be ", want, ", got ", v));
  };
  if (!(o.xi_per_day >= 0) || !std::isfinite(o.xi_per_day)) {
    return bad("xi_per_day", o.xi_per_day, "finite and >= 0");
  }
  if (o.window_days < 1) return bad("window_days", o.window_days, ">= 1");
  if (o.min_fit_matches < 1) return bad("min_fit_matches", o.min_fit_matches, ">= 1");
  if (o.min_matches_per_team < 1) {
    return bad("min_matches_per_team", o.min_matches_per_team, ">= 1");
  }
  if (!(o.prior_sd >= 0) || !std::isfinite(o.prior_sd)) {
    return bad("prior_sd", o.prior_sd, "finite and >= 0");
  }
  if (o.max_goals < 1 || o.max_goals > 30) return bad("max_goals", o.max_goals, "in [1, 30]");
  if (!(o.shots_weight >= 0 && o.shots_weight <= 1)) {
    return bad("shots_weight", o.shots_weight, "in [0, 1]");
  }
  if (!(o.market_xi_per_day >= 0) || !std::isfinite(o.market_xi_per_day)) {
    return bad("market_xi_per_day", o.market_xi_per_day, "finite and >= 0");
  }
  if (!(o.market_weight >= 0 && o.market_weight <= 1)) {
    return bad("market_weight", o.market_weight, "in [0, 1]");
  }
  for (auto [name, v] :
       {std::pair<absl::string_view, double>{"filter_market_sd", o.filter_market_sd},
        {"filter_drift_sd", o.filter_drift_sd},
        {"filter_new_team_sd", o.filter_new_team_sd}}) {
    if (!(v > 0) || !std::isfinite(v)) return bad(name, v, "finite and > 0");
  }
  if (!(o.filter_break_sd >= 0) || !std::isfinite(o.filter_break_sd)) {
    return bad("filter_break_sd", o.filter_break_sd, "finite and >= 0");
  }
  if (!(o.filter_goals_scale >= 0) || !std::isfinite(o.filter_goals_scale)) {
    return bad("filter_goals_scale", o.filter_goals_scale, "finite and >= 0");
  }
  if (!(o.elo_k > 0) || !std::isfinite(o.elo_k)) return bad("elo_k", o.elo_k, "finite and > 0");
  if (!std::isfinite(o.elo_home_advantage)) {
    return bad("elo_home_advantage", o.elo_home_advantage, "finite");
  }
  if (!(o.pi_learning_rate > 0 && o.pi_learning_rate <= 1)) {
    return bad("pi_learning_rate", o.pi_learning_rate, "in (0, 1]");
  }
  if (!(o.pi_cross_rate >= 0 && o.pi_cross_rate <= 1)) {
    return bad("pi_cross_rate", o.pi_cross_rate, "in [0, 1]");
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view ModelKindName(ModelKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "dixon-coles";
}

absl::StatusOr<ModelKind> ParseModelKind(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  std::string all;
  for (const auto& [k, n] : kNames) {
    if (n == lower) return k;
    absl::StrAppend(&all, all.empty() ? "" : ", ", n);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown model kind '", name, "' (expected ", all, ")"));
}

const std::vector<ModelKind>& AllModelKinds() {
  static const auto* kinds = [] {
    auto* v = new std::vector<ModelKind>();
    for (const auto& [k, n] : kNames) v->push_back(k);
    return v;
  }();
  return *kinds;
}

bool IsGoalModel(ModelKind kind) {
  return kind != ModelKind::kElo && kind != ModelKind::kPiRatings;
}

TeamModelOptions DefaultTeamModelOptions(ModelKind kind) {
  TeamModelOptions o;
  if (kind == ModelKind::kShots) o.shots_weight = 0.25;
  if (kind == ModelKind::kMarket) {
    o.xi_per_day = 0.006;
    o.market_xi_per_day = 0.006;
    o.market_weight = 0.9;
    o.prior_sd = 5;
    // The state-space variant and its settings, chosen on the same seasons (docs/ratings.md).
    o.market_filter = true;
    o.filter_market_sd = 0.1;
    o.filter_drift_sd = 0.01;
    o.filter_goals_scale = 0.5;
    o.filter_break_sd = 0.5;
    o.filter_new_team_sd = 0.08;
  }
  return o;
}

absl::StatusOr<std::unique_ptr<TeamModel>> MakeTeamModel(ModelKind kind,
                                                         const TeamModelOptions& options) {
  if (absl::Status s = CheckOptions(options); !s.ok()) return s;
  if (kind == ModelKind::kMarket && options.market_filter) {
    return internal::MakeMarketFilterModel(options);
  }
  if (IsGoalModel(kind)) return internal::MakeGoalModel(kind, options);
  return internal::MakeRatingModel(kind, options);
}

namespace internal {

absl::StatusOr<ScoreGrid> GridForOneXTwo(double home_minus_away, double total_goals,
                                         int max_goals) {
  // P(home) - P(away) increases with lambda - mu at fixed lambda + mu; bisection on the share
  // s = lambda / total in (0, 1).
  auto diff = [&](double share) -> absl::StatusOr<double> {
    auto g = ScoreGrid::FromRates(share * total_goals, (1 - share) * total_goals, 0, max_goals);
    if (!g.ok()) return g.status();
    const OneXTwo p = g->OneXTwoProbabilities();
    return p.home - p.away;
  };
  double lo = 1e-6, hi = 1 - 1e-6;
  for (int it = 0; it < 60; ++it) {
    const double mid = 0.5 * (lo + hi);
    auto d = diff(mid);
    if (!d.ok()) return d.status();
    (*d < home_minus_away ? lo : hi) = mid;
  }
  const double share = 0.5 * (lo + hi);
  return ScoreGrid::FromRates(share * total_goals, (1 - share) * total_goals, 0, max_goals);
}

double WeakestThreeMean(std::vector<double> values, double fallback) {
  if (values.empty()) return fallback;
  std::sort(values.begin(), values.end());
  const size_t k = std::min<size_t>(3, values.size());
  double s = 0;
  for (size_t i = 0; i < k; ++i) s += values[i];
  return s / static_cast<double>(k);
}

}  // namespace internal
}  // namespace superbet::ratings
