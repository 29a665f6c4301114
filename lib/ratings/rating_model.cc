// The rating models of team_model.h: elo and pi, with the ordered-logit mapping.

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ratings/internal/models.h"
#include "superbet/core/status_macros.h"
#include "superbet/ratings/elo.h"
#include "superbet/ratings/ordered_logit.h"
#include "superbet/ratings/pi_ratings.h"

namespace superbet::ratings::internal {
namespace {

constexpr double kEloStart = 1500;

struct TeamState {
  bool rated = false;
  double elo = kEloStart;
  PiRating pi;
  absl::Time last_kickoff = absl::InfinitePast();
};

struct Named {
  TeamState state;
  int matches = 0;  // In the window.
};

class RatingModel final : public TeamModel {
 public:
  RatingModel(ModelKind kind, const TeamModelOptions& options) : kind_(kind), options_(options) {}
  ModelKind kind() const override { return kind_; }
  const FitInfo& last_fit() const override { return info_; }
  absl::Status SetStrengthPriors(
      const absl::flat_hash_map<std::string, StrengthPrior>& priors) override {
    if (priors.empty()) return absl::OkStatus();
    return absl::UnimplementedError(
        absl::StrCat(ModelKindName(kind_), ": strength priors apply to the goal models only"));
  }

  absl::Status FitBefore(const MatchTable& table, absl::Time as_of) override {
    fitted_ = false;
    info_ = FitInfo{};
    info_.as_of = as_of;
    const size_t end = table.LowerBound(as_of);
    // Continue only when the table grew at its end since the last call (see team_model.h).
    if (!cursor_.CanContinue(table, end, as_of)) Reset(&table);
    cursor_.last_as_of = as_of;
    const absl::Duration window = absl::Hours(24) * options_.window_days;
    for (; cursor_.processed < end; ++cursor_.processed) {
      const TableMatch& m = table.matches()[cursor_.processed];
      if (static_cast<int>(teams_.size()) < table.teams()) teams_.resize(table.teams());
      for (int id : {m.home, m.away}) {
        if (!teams_[id].rated) StartTeam(id, m.kickoff - window, m.kickoff);
      }
      TeamState& h = teams_[m.home];
      TeamState& a = teams_[m.away];
      x_.push_back(Covariate(h, a));
      if (kind_ == ModelKind::kElo) {
        const double change = EloHomeChange(h.elo, a.elo, m.home_goals, m.away_goals,
                                            options_.elo_k, options_.elo_home_advantage);
        h.elo += change;
        a.elo -= change;
      } else {
        PiUpdate(h.pi, a.pi, m.home_goals, m.away_goals,
                 {options_.pi_learning_rate, options_.pi_cross_rate});
      }
      h.last_kickoff = m.kickoff;
      a.last_kickoff = m.kickoff;
    }
    const size_t first = table.LowerBound(as_of - window);
    if (end - first < static_cast<size_t>(options_.min_fit_matches)) {
      return absl::FailedPreconditionError(absl::StrCat(
          ModelKindName(kind_), " fit before ", absl::FormatTime(as_of), ": ", end - first,
          " matches in the window, fewer than min_fit_matches ", options_.min_fit_matches));
    }
    // The mapping: ordered logit on the pre-match covariates of the window, time-decayed.
    std::vector<OrderedObservation> obs;
    obs.reserve(end - first);
    double goals_w = 0, weight = 0;
    absl::flat_hash_map<int, int> matches;
    for (size_t k = first; k < end; ++k) {
      const TableMatch& m = table.matches()[k];
      const double days = std::floor(absl::ToDoubleHours(as_of - m.kickoff) / 24.0);
      const double w = std::exp(-options_.xi_per_day * days);
      const int outcome = m.home_goals > m.away_goals ? 0 : m.home_goals == m.away_goals ? 1 : 2;
      obs.push_back({x_[k], outcome, w});
      goals_w += w * (m.home_goals + m.away_goals);
      weight += w;
      ++matches[m.home];
      ++matches[m.away];
    }
    auto logit = FitOrderedLogit(obs, has_logit_ ? &logit_ : nullptr);
    if (!logit.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(ModelKindName(kind_), " mapping before ",
                                                        absl::FormatTime(as_of), ": ",
                                                        logit.status().message()));
    }
    logit_ = *logit;
    has_logit_ = true;
    mean_goals_ = goals_w / weight;
    info_.matches = static_cast<int>(end - first);
    info_.iterations = 0;
    info_.converged = true;
    named_.clear();
    std::vector<const TeamState*> active;
    for (int id = 0; id < static_cast<int>(teams_.size()); ++id) {
      if (!teams_[id].rated) continue;
      auto it = matches.find(id);
      const int n = it == matches.end() ? 0 : it->second;
      named_[table.team_name(id)] = {teams_[id], n};
      if (n >= options_.min_matches_per_team) active.push_back(&teams_[id]);
    }
    league_average_ = Average(active, false);
    weakest_three_ = Average(active, true);
    fitted_ = true;
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
    SUPERBET_ASSIGN_OR_RETURN(TeamState h, State(home, home_imputed));
    SUPERBET_ASSIGN_OR_RETURN(TeamState a, State(away, away_imputed));
    const OneXTwo p = OrderedLogitProbabilities(logit_, Covariate(h, a));
    SUPERBET_ASSIGN_OR_RETURN(ScoreGrid grid,
                              GridForOneXTwo(p.home - p.away, mean_goals_, options_.max_goals));
    MatchForecast f(std::move(grid));
    f.one_x_two = p;
    SUPERBET_ASSIGN_OR_RETURN(Settlement over, f.grid.Over(2.5));
    f.over_2_5 = over.win;
    f.home_imputed = home_imputed;
    f.away_imputed = away_imputed;
    return f;
  }

 private:
  double Covariate(const TeamState& h, const TeamState& a) const {
    if (kind_ == ModelKind::kElo) return (h.elo - a.elo + options_.elo_home_advantage) / 400.0;
    return PiExpectedHomeGoalDifference(h.pi, a.pi);
  }

  void Reset(const MatchTable* table) {
    cursor_.Restart(table);
    teams_.clear();
    x_.clear();
    has_logit_ = false;
  }

  // A team's first match: it starts from the mean of the three lowest-rated sides that played
  // in (since, before] (the usual prior for a promoted side), else from the initial rating.
  void StartTeam(int id, absl::Time since, absl::Time before) {
    std::vector<const TeamState*> recent;
    for (const TeamState& t : teams_) {
      if (t.rated && t.last_kickoff >= since && t.last_kickoff <= before) recent.push_back(&t);
    }
    TeamState start = Average(recent, true);
    teams_[id] = start;
    teams_[id].rated = true;
  }

  // Mean rating of `ts` (weakest: of the three lowest by the model's own strength).
  TeamState Average(std::vector<const TeamState*> ts, bool weakest) const {
    TeamState out;
    if (ts.empty()) return out;
    auto strength = [&](const TeamState* t) {
      return kind_ == ModelKind::kElo
                 ? t->elo
                 : PiExpectedGoalDifference(t->pi.home) + PiExpectedGoalDifference(t->pi.away);
    };
    if (weakest) {
      std::stable_sort(ts.begin(), ts.end(), [&](const TeamState* x, const TeamState* y) {
        return strength(x) < strength(y);
      });
      ts.resize(std::min<size_t>(3, ts.size()));
    }
    double elo = 0, home = 0, away = 0;
    for (const TeamState* t : ts) {
      elo += t->elo;
      home += t->pi.home;
      away += t->pi.away;
    }
    const double n = static_cast<double>(ts.size());
    out.elo = elo / n;
    out.pi = {home / n, away / n};
    return out;
  }

  absl::StatusOr<TeamState> State(absl::string_view team, bool& imputed) const {
    auto it = named_.find(team);
    if (it != named_.end() && it->second.matches >= options_.min_matches_per_team) {
      return it->second.state;
    }
    imputed = true;
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

  ModelKind kind_;
  TeamModelOptions options_;
  FitInfo info_;
  bool fitted_ = false;
  TableCursor cursor_;            // The rows processed so far (see FitBefore).
  std::vector<TeamState> teams_;  // By table id.
  std::vector<double> x_;         // Pre-match covariate of each processed row.
  OrderedLogit logit_;
  bool has_logit_ = false;
  double mean_goals_ = 2.7;
  absl::flat_hash_map<std::string, Named> named_;
  TeamState league_average_, weakest_three_;
};

}  // namespace

std::unique_ptr<TeamModel> MakeRatingModel(ModelKind kind, const TeamModelOptions& options) {
  return std::make_unique<RatingModel>(kind, options);
}

}  // namespace superbet::ratings::internal
