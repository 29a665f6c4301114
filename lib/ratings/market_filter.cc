// The market model's state-space variant (team_model.h, TeamModelOptions::market_filter): log
// strengths tracked by a Kalman filter (kalman.h) on past matches' market-implied goals and
// goals, instead of the static time-decayed fit of goal_model.cc.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ratings/internal/models.h"
#include "superbet/core/status_macros.h"
#include "superbet/ratings/kalman.h"

namespace superbet::ratings::internal {
namespace {

// A side away from the league for longer than this (relegated, or never seen) starts afresh at
// its next match: the summer break is about 90 days, the 2020 pause 100.
constexpr double kRestartDays = 200;
// A side's first match after a pause longer than this (the summer) adds filter_break_sd.
constexpr double kBreakDays = 45;

struct TeamTrack {
  bool started = false;
  absl::Time last_kickoff = absl::InfinitePast();
};

// One processed row as the rho fit reads it: the filter's pre-match rates and the score.
struct Predicted {
  double lambda = 0, mu = 0;
  int x = 0, y = 0;
};

int AttackIndex(int id) { return 2 + 2 * id; }
int DefenceIndex(int id) { return 3 + 2 * id; }

class MarketFilterModel final : public TeamModel {
 public:
  explicit MarketFilterModel(const TeamModelOptions& options) : options_(options) {}
  ModelKind kind() const override { return ModelKind::kMarket; }
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
    // Continue only when the table grew at its end since the last call (see team_model.h).
    if (!cursor_.CanContinue(table, end, as_of)) Reset(&table);
    cursor_.last_as_of = as_of;
    Grow(table);
    for (; cursor_.processed < end; ++cursor_.processed) {
      const TableMatch& m = table.matches()[cursor_.processed];
      if (absl::Status s = Process(table, m); !s.ok()) {
        Reset(nullptr);  // The state is half-updated: the next call starts over.
        return absl::FailedPreconditionError(absl::StrCat(
            "market filter before ", absl::FormatTime(as_of), ": update with ",
            table.team_name(m.home), " v ", table.team_name(m.away), " failed: ", s.message()));
      }
    }
    const absl::Duration window = absl::Hours(24) * options_.window_days;
    const size_t first = table.LowerBound(as_of - window);
    if (end - first < static_cast<size_t>(options_.min_fit_matches)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "market fit before ", absl::FormatTime(as_of), ": ", end - first,
          " matches in the window, fewer than min_fit_matches ", options_.min_fit_matches));
    }
    info_.matches = static_cast<int>(end - first);
    window_matches_.assign(tracks_.size(), 0);
    for (size_t k = first; k < end; ++k) {
      ++window_matches_[table.matches()[k].home];
      ++window_matches_[table.matches()[k].away];
    }
    rho_ = FitRhoOnWindow(table, first, end, as_of, &info_.iterations);
    info_.extra_parameter = rho_;
    info_.converged = true;
    fitted_ = true;
    return absl::OkStatus();
  }

  absl::StatusOr<MatchForecast> Forecast(absl::string_view home,
                                         absl::string_view away) const override {
    if (!fitted_) {
      return absl::FailedPreconditionError("market: no successful fit to forecast from");
    }
    if (home == away) return absl::InvalidArgumentError(absl::StrCat("team plays itself: ", home));
    bool home_imputed = false, away_imputed = false;
    SUPERBET_ASSIGN_OR_RETURN(Side h, Rates(home, home_imputed));
    SUPERBET_ASSIGN_OR_RETURN(Side a, Rates(away, away_imputed));
    const double c = state_.mean[0], adv = state_.mean[1];
    SUPERBET_ASSIGN_OR_RETURN(
        ScoreGrid grid,
        ScoreGrid::FromRates(std::exp(c + adv + h.attack + a.defence),
                             std::exp(c + a.attack + h.defence), rho_, options_.max_goals));
    MatchForecast f(std::move(grid));
    f.one_x_two = f.grid.OneXTwoProbabilities();
    SUPERBET_ASSIGN_OR_RETURN(Settlement over, f.grid.Over(2.5));
    f.over_2_5 = over.win;
    f.home_imputed = home_imputed;
    f.away_imputed = away_imputed;
    return f;
  }

 private:
  struct Side {
    double attack = 0, defence = 0;
  };

  void Reset(const MatchTable* table) {
    cursor_.Restart(table);
    clock_ = absl::InfinitePast();
    tracks_.clear();
    ids_.clear();
    predicted_.clear();
    // c = log away goals per match, h = log home advantage: loose priors around E0's levels.
    state_.mean = {std::log(1.1), std::log(1.3)};  // Sides: Grow.
    state_.covariance = {0.04, 0, 0, 0.04};
  }

  // Extends the state to the table's sides (mean 0; each starts afresh at its first match).
  void Grow(const MatchTable& table) {
    const int teams = table.teams();
    for (int id = static_cast<int>(tracks_.size()); id < teams; ++id)
      ids_[table.team_name(id)] = id;
    const int old_n = state_.size();
    const int n = 2 + 2 * teams;
    if (n <= old_n) return;
    std::vector<double> cov(static_cast<size_t>(n) * n, 0.0);
    for (int i = 0; i < old_n; ++i) {
      for (int j = 0; j < old_n; ++j) {
        cov[static_cast<size_t>(i) * n + j] = state_.covariance[static_cast<size_t>(i) * old_n + j];
      }
    }
    const double v0 = options_.filter_new_team_sd * options_.filter_new_team_sd;
    for (int i = old_n; i < n; ++i) cov[static_cast<size_t>(i) * n + i] = v0;
    state_.covariance = std::move(cov);
    state_.mean.resize(n, 0.0);
    tracks_.resize(teams);
  }

  // Sides that played within the last year before `t`.
  std::vector<int> ActiveTeams(absl::Time t) const {
    std::vector<int> out;
    for (int id = 0; id < static_cast<int>(tracks_.size()); ++id) {
      const TeamTrack& k = tracks_[id];
      if (k.started && k.last_kickoff < t && t - k.last_kickoff <= absl::Hours(24 * 365)) {
        out.push_back(id);
      }
    }
    return out;
  }

  // Where a side new to the league starts: its prior (SetStrengthPriors, relative to the mean
  // active side), else by unseen_team from the active sides (the three weakest by a - d, or
  // their mean), else the league average (0, 0).
  Side StartingPoint(const std::string& name, const std::vector<int>& active, bool weakest) const {
    Side mean;
    for (int id : active) {
      mean.attack += state_.mean[AttackIndex(id)] / active.size();
      mean.defence += state_.mean[DefenceIndex(id)] / active.size();
    }
    if (auto p = priors_.find(name); p != priors_.end()) {
      return {mean.attack + p->second.log_attack, mean.defence + p->second.log_defence};
    }
    if (!weakest || active.empty()) return mean;
    std::vector<std::pair<double, int>> order;
    for (int id : active) {
      order.push_back({state_.mean[AttackIndex(id)] - state_.mean[DefenceIndex(id)], id});
    }
    std::sort(order.begin(), order.end());
    const size_t k = std::min<size_t>(3, order.size());
    Side out;
    for (size_t i = 0; i < k; ++i) {
      out.attack += state_.mean[AttackIndex(order[i].second)] / k;
      out.defence += state_.mean[DefenceIndex(order[i].second)] / k;
    }
    return out;
  }

  absl::Status Process(const MatchTable& table, const TableMatch& m) {
    // Time update: every side's log strengths take a random-walk step.
    if (clock_ != absl::InfinitePast() && m.kickoff > clock_) {
      const double days = absl::ToDoubleHours(m.kickoff - clock_) / 24.0;
      const double q = options_.filter_drift_sd * options_.filter_drift_sd * days;
      const size_t n = state_.mean.size();
      for (size_t i = 0; i < n; ++i) state_.covariance[i * n + i] += q;
    }
    clock_ = std::max(clock_, m.kickoff);
    for (int id : {m.home, m.away}) {
      TeamTrack& k = tracks_[id];
      if (!k.started || m.kickoff - k.last_kickoff > absl::Hours(24) * kRestartDays) {
        const Side s = StartingPoint(table.team_name(id), ActiveTeams(m.kickoff), true);
        const double v0 = options_.filter_new_team_sd * options_.filter_new_team_sd;
        ResetComponent(state_, AttackIndex(id), s.attack, v0);
        ResetComponent(state_, DefenceIndex(id), s.defence, v0);
        k.started = true;
      } else if (options_.filter_break_sd > 0 &&
                 m.kickoff - k.last_kickoff > absl::Hours(24) * kBreakDays) {
        // Back from the summer (or a long pause): transfers and managers changed the side.
        const double v = options_.filter_break_sd * options_.filter_break_sd;
        AddProcessNoise(state_, {AttackIndex(id), DefenceIndex(id)}, v);
      }
    }
    const std::vector<SparseTerm> home_row = {
        {0, 1.0}, {1, 1.0}, {AttackIndex(m.home), 1.0}, {DefenceIndex(m.away), 1.0}};
    const std::vector<SparseTerm> away_row = {
        {0, 1.0}, {AttackIndex(m.away), 1.0}, {DefenceIndex(m.home), 1.0}};
    predicted_.push_back({std::exp(SparseDot(state_, home_row)),
                          std::exp(SparseDot(state_, away_row)), m.home_goals, m.away_goals});
    if (m.market_home_goals > 0) {
      const double r = options_.filter_market_sd * options_.filter_market_sd;
      SUPERBET_RETURN_IF_ERROR(KalmanUpdate(state_, home_row, std::log(m.market_home_goals), r));
      SUPERBET_RETURN_IF_ERROR(KalmanUpdate(state_, away_row, std::log(m.market_away_goals), r));
    }
    if (options_.filter_goals_scale > 0) {
      for (const auto& [row, goals] :
           {std::pair{&home_row, m.home_goals}, std::pair{&away_row, m.away_goals}}) {
        const auto [z, r] = PoissonWorkingObservation(SparseDot(state_, *row), goals);
        SUPERBET_RETURN_IF_ERROR(KalmanUpdate(state_, *row, z, r * options_.filter_goals_scale));
      }
    }
    tracks_[m.home].last_kickoff = m.kickoff;
    tracks_[m.away].last_kickoff = m.kickoff;
    return absl::OkStatus();
  }

  // Dixon & Coles (1997)'s rho at the filter's pre-match rates, by golden-section search of the
  // time-decayed sum of log tau over the window's low scores (concave in rho).
  double FitRhoOnWindow(const MatchTable& table, size_t first, size_t end, absl::Time as_of,
                        int* evaluations) const {
    struct Low {
      double lambda, mu, w;
      int x, y;
    };
    std::vector<Low> low;
    double rho_min = -0.25, rho_max = 0.25;
    for (size_t k = first; k < end; ++k) {
      const Predicted& p = predicted_[k];
      if (p.x > 1 || p.y > 1) continue;
      const double days = std::floor(absl::ToDoubleHours(as_of - table.matches()[k].kickoff) / 24);
      low.push_back({p.lambda, p.mu, std::exp(-options_.xi_per_day * days), p.x, p.y});
      // Keep every tau > 0: 1 - lambda mu rho (0-0), 1 + lambda rho (0-1), 1 + mu rho (1-0).
      if (p.x == 0 && p.y == 0) rho_max = std::min(rho_max, 0.999 / (p.lambda * p.mu));
      if (p.x == 0 && p.y == 1) rho_min = std::max(rho_min, -0.999 / p.lambda);
      if (p.x == 1 && p.y == 0) rho_min = std::max(rho_min, -0.999 / p.mu);
    }
    rho_max = std::min(rho_max, 0.999);  // 1-1: 1 - rho > 0.
    if (low.empty() || !(rho_min < rho_max)) return 0;
    auto f = [&](double rho) {
      double s = 0;
      for (const Low& l : low) {
        double tau = 1 - rho;
        if (l.x == 0 && l.y == 0) tau = 1 - l.lambda * l.mu * rho;
        if (l.x == 0 && l.y == 1) tau = 1 + l.lambda * rho;
        if (l.x == 1 && l.y == 0) tau = 1 + l.mu * rho;
        s += l.w * std::log(tau);
      }
      return s;
    };
    const double phi = (std::sqrt(5.0) - 1) / 2;
    double a = rho_min, b = rho_max, c = b - phi * (b - a), d = a + phi * (b - a);
    double fc = f(c), fd = f(d);
    int n = 2;
    while (b - a > 1e-7 && n < 200) {
      if (fc >= fd) {
        b = d, d = c, fd = fc, c = b - phi * (b - a), fc = f(c);
      } else {
        a = c, c = d, fc = fd, d = a + phi * (b - a), fd = f(d);
      }
      ++n;
    }
    *evaluations += n;
    return 0.5 * (a + b);
  }

  absl::StatusOr<Side> Rates(absl::string_view team, bool& imputed) const {
    auto found = ids_.find(team);
    const int id = found == ids_.end() ? -1 : found->second;
    if (id >= 0 && id < static_cast<int>(tracks_.size()) && tracks_[id].started &&
        cursor_.last_as_of - tracks_[id].last_kickoff <= absl::Hours(24) * kRestartDays &&
        window_matches_[id] >= options_.min_matches_per_team) {
      return Side{state_.mean[AttackIndex(id)], state_.mean[DefenceIndex(id)]};
    }
    imputed = true;
    const std::string name(team);
    const std::vector<int> active = ActiveTeams(cursor_.last_as_of);
    if (priors_.contains(name)) return StartingPoint(name, active, false);
    switch (options_.unseen_team) {
      case UnseenTeamPolicy::kError:
        return absl::NotFoundError(absl::StrCat("team not rated by the fit: ", team));
      case UnseenTeamPolicy::kLeagueAverage:
        return StartingPoint("", active, false);
      case UnseenTeamPolicy::kWeakestThreeAverage:
        return StartingPoint("", active, true);
    }
    return absl::NotFoundError(absl::StrCat("team not rated by the fit: ", team));
  }

  TeamModelOptions options_;
  FitInfo info_;
  bool fitted_ = false;
  TableCursor cursor_;  // The rows processed so far (see FitBefore).
  absl::Time clock_ = absl::InfinitePast();
  GaussianState state_;                        // [c, h, (a, d) by table id].
  std::vector<TeamTrack> tracks_;              // By table id.
  absl::flat_hash_map<std::string, int> ids_;  // Team name -> table id.
  std::vector<Predicted> predicted_;           // By processed row.
  std::vector<int> window_matches_;            // By table id: matches in the last fit's window.
  absl::flat_hash_map<std::string, StrengthPrior> priors_;
  double rho_ = 0;
};

}  // namespace

std::unique_ptr<TeamModel> MakeMarketFilterModel(const TeamModelOptions& options) {
  return std::make_unique<MarketFilterModel>(options);
}

}  // namespace superbet::ratings::internal
