// One interface over the team-strength models: fit on the matches before a date, then price a
// match — 1X2, over/under 2.5 and, through the score grid, any over/under or Asian-handicap line.
//
// Goal models (a score grid from expected goals; strengths fitted on a time-decayed window, see
// dixon_coles.h for the fit, the strength prior and the decay):
//   dixon-coles  Dixon & Coles (1997), Applied Statistics 46(2): Poisson margins with the
//                low-score correction tau(rho).
//   poisson      Maher (1982), "Modelling association football scores", Statistica Neerlandica
//                36(3): independent Poissons, lambda = attack_i defence_j home, mu = attack_j
//                defence_i (Dixon–Coles with rho = 0).
//   bivariate    Karlis & Ntzoufras (2003), The Statistician 52(3) (count_distributions.h): the
//                same marginal means, with a constant covariance lambda3 shared by both scores.
//   negbin       negative binomial margins (count_distributions.h), the same means, one
//                dispersion alpha for all teams (Reep, Pollard & Benjamin 1971).
//   shots        strengths fitted on shots on target (football-data HST/AST) as well as goals:
//                log lambda = (1 - w) log lambda_goals + w log(kappa lambda_shots), kappa the
//                window's goals per shot on target, w = TeamModelOptions::shots_weight; grid as
//                Dixon–Coles with rho fitted on those rates. Matches without shot counts only
//                enter the goal fit.
//   market       strengths learnt from past matches' market-implied expected goals as well as
//                their goals (implied_goals.h), in one of two ways (TeamModelOptions::
//                market_filter):
//                * Kalman filter (DefaultTeamModelOptions(kMarket)): the log strengths
//                  [c, h, a_i, d_i] are a Gaussian state (kalman.h) following a random walk
//                  (variance filter_drift_sd^2 per day; plus filter_break_sd^2 for a side's
//                  first match after a pause of over 45 days, the summer), updated match by
//                  match in kickoff order with the market's log lambda = c + h + a_i + d_j and
//                  log mu = c + a_j + d_i (Gaussian, SD filter_market_sd) and then the goals
//                  (Poisson, by Fahrmeir 1992's extended Kalman step, variance times
//                  filter_goals_scale) — the dynamic team-strength models of Rue & Salvesen
//                  (2000) and Koopman & Lit (2015) with the market's opinion as an observation.
//                  A side new to the data or back after more than 200 days starts at its
//                  strength prior (SetStrengthPriors, relative to the mean side of the last
//                  year) or else the three weakest sides' mean, SD filter_new_team_sd. Grid:
//                  Dixon–Coles with rho fitted (time-decayed by xi_per_day over the window) on
//                  the real scores at the filter's pre-match rates.
//                * static fit: each past match enters the Poisson fit with the counts
//                  (1 - b) goals + b implied goals per side, b = market_weight, the goals
//                  decayed by xi_per_day and the implied goals by market_xi_per_day (a
//                  quasi-Poisson likelihood: the score equations are those of Maher's model
//                  with the blended counts); grid as Dixon–Coles with rho fitted on the real
//                  scores at those rates.
//                A past match without market goals (MatchResult::market_home_goals absent)
//                enters with its goals alone. The prices of the match being forecast are never
//                used: only those of matches before the forecast's date.
// Fitting (goal models): stage 1 the penalised Poisson strengths by Newton (exact for poisson and
// dixon-coles; for bivariate and negbin the Poisson fit is their marginal-mean estimate: both
// have those marginal means, so it is consistent), stage 2 the one extra parameter (rho,
// lambda3, alpha) by one-dimensional maximum likelihood with the strengths fixed — the two-stage
// scheme of dixon_coles.h.
//
// Rating models (a rating per team updated match by match; probabilities by a documented
// mapping):
//   elo          World Football Elo (elo.h) with K = TeamModelOptions::elo_k, home advantage
//                elo_home_advantage points;
//   pi           pi-ratings (pi_ratings.h) with the paper's lambda = 0.035, gamma = 0.7.
// Mapping: 1X2 from an ordered logit (ordered_logit.h) in the pre-match rating difference
// (Elo: (R_H - R_A + home advantage) / 400; pi: the expected goal difference g_D^), fitted by
// time-decayed weighted maximum likelihood on the matches of the window before the date (each
// with the ratings it had before kick-off, so the mapping is walk-forward too). Over/under and
// handicaps: the independent-Poisson grid whose total expected goals is the window's weighted
// mean and whose P(home) - P(away) equals the logit's (solved by bisection) — a convention, not
// a model of scores: the ratings carry no information on totals.
// A side new to the ratings starts from the mean rating of the three lowest-rated sides that
// played in the window (the usual prior for a promoted side); before any match, from 0 / 1500.
//
// Walk-forward guarantee: FitBefore(table, t) reads only rows kicking off strictly before t (the
// rows are found by MatchTable::LowerBound; a row at or after t is never read), so a forecast for
// a match kicking off at or after t cannot have seen it or any later match.

#ifndef SUPERBET_RATINGS_TEAM_MODEL_H_
#define SUPERBET_RATINGS_TEAM_MODEL_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/ratings/dixon_coles.h"
#include "superbet/ratings/match_table.h"
#include "superbet/ratings/score_grid.h"

namespace superbet::ratings {

enum class ModelKind {
  kDixonColes,
  kPoisson,
  kBivariatePoisson,
  kNegativeBinomial,
  kElo,
  kPiRatings,
  kShots,
  kMarket,
};

// The flag spelling: "dixon-coles", "poisson", "bivariate", "negbin", "elo", "pi", "shots",
// "market".
absl::string_view ModelKindName(ModelKind kind);
// Parses ModelKindName's spellings (ASCII case ignored).
// Errors: InvalidArgument naming the text and every accepted name.
[[nodiscard]] absl::StatusOr<ModelKind> ParseModelKind(absl::string_view name);
// Every kind, in the order above.
const std::vector<ModelKind>& AllModelKinds();
// True for the goal models (score grid from fitted expected goals).
bool IsGoalModel(ModelKind kind);

struct TeamModelOptions {
  double xi_per_day = 0.0019;  // Time decay of the fit window (1/day), as dixon_coles.h.
  int window_days = 1095;      // Matches kicking off in [as_of - window_days, as_of) are fitted.
  int min_fit_matches = 190;   // Fewer matches in the window: FitBefore fails (FailedPrecondition).
  int min_matches_per_team = 1;  // A team with fewer matches in the window is unrated.
  UnseenTeamPolicy unseen_team = UnseenTeamPolicy::kError;  // See dixon_coles.h.
  double prior_sd = 0.35;  // Strength prior of the goal models (dixon_coles.h).
  int max_goals = 10;      // Score grid size per side.
  // Chosen on E0 2002/03-2011/12 by walk-forward Brier (docs/ratings.md): elo_k 20 (10, 15, 30,
  // 40 worse); the per-kind choices (shots_weight 0.25 at prior_sd 0.35, the market model's
  // decay, weight and prior) are DefaultTeamModelOptions(kind) below.
  double shots_weight = 0.5;         // w of the shots model, in [0, 1].
  double market_weight = 0.9;        // b of the market model, in [0, 1].
  double market_xi_per_day = 0.006;  // Decay of the market model's implied goals (1/day).
  // The market model's Kalman filter ("market" above; kalman.h); false = the static
  // time-decayed fit. With it, xi_per_day only weights the rho fit's window, and market_weight,
  // market_xi_per_day and prior_sd are unused. The filter_* values below are the chosen ones.
  bool market_filter = false;
  double filter_market_sd = 0.1;     // SD of a market-implied log expected goals observation.
  double filter_goals_scale = 0.5;   // Goals' Poisson variance multiplier (0: goals unused).
  double filter_drift_sd = 0.01;     // Random-walk SD of each log strength per sqrt(day).
  double filter_new_team_sd = 0.08;  // SD of a new side's log strengths around its start.
  double filter_break_sd = 0.5;      // Extra SD of a side's strengths after a 45-day pause.
  double elo_k = 20;                 // K of the Elo model (elo.h: 20 = friendly weight).
  double elo_home_advantage = 100;   // Elo points.
  double pi_learning_rate = 0.035;   // pi-ratings lambda.
  double pi_cross_rate = 0.7;        // pi-ratings gamma.
};

// Prior means of one team's log attack and log defensive weakness, relative to the league
// average side (0, 0) — e.g. a promoted side's expected top-division strength (promoted.h).
struct StrengthPrior {
  double log_attack = 0;
  double log_defence = 0;
};

// One match priced by a fitted model.
struct MatchForecast {
  explicit MatchForecast(ScoreGrid score_grid) : grid(std::move(score_grid)) {}
  OneXTwo one_x_two;          // Sums to 1.
  double over_2_5 = 0;        // P(total goals >= 3), from `grid`.
  ScoreGrid grid;             // Exact scores; Over(line), AsianHandicapHome(line).
  bool home_imputed = false;  // That side was unrated; its strength came from unseen_team.
  bool away_imputed = false;
};

// What the last FitBefore did.
struct FitInfo {
  absl::Time as_of = absl::InfinitePast();
  int matches = 0;         // Window rows fitted.
  int iterations = 0;      // Newton iterations (strengths + mapping; ratings: mapping only;
                           // the market Kalman filter: rho's golden-section evaluations).
  bool converged = false;  // Always true after an OK FitBefore.
  // The model's extra parameter: rho (dixon-coles, shots, market), lambda3 (bivariate), alpha
  // (negbin), absent for poisson and the ratings.
  std::optional<double> extra_parameter;
};

// A walk-forward model. Owns its fitted state; not thread-safe (FitBefore mutates); Forecast is
// const and may run concurrently with other Forecast calls.
class TeamModel {
 public:
  virtual ~TeamModel() = default;
  virtual ModelKind kind() const = 0;

  // Learns from the rows of `table` kicking off before `as_of` (goal models: those within
  // window_days; ratings: every earlier row updates the ratings, the window fits the mapping).
  // Calls with non-decreasing as_of on a table that only grew at its end continue from the
  // previous state (warm start, incremental ratings); otherwise the model starts over — the
  // result is the same either way (within the fit tolerance).
  // Errors: FailedPrecondition when the window holds fewer than min_fit_matches rows or a fit
  // does not converge (the message says which); then the model holds no fit and Forecast fails.
  [[nodiscard]] virtual absl::Status FitBefore(const MatchTable& table, absl::Time as_of) = 0;

  // Prices `home` at home against `away` with the last fit.
  // Errors: FailedPrecondition when there is no successful fit; NotFound naming the team when it
  // is unrated and unseen_team is kError; InvalidArgument when home == away.
  [[nodiscard]] virtual absl::StatusOr<MatchForecast> Forecast(absl::string_view home,
                                                               absl::string_view away) const = 0;

  virtual const FitInfo& last_fit() const = 0;

  // Goal models: centre the strength prior (TeamModelOptions::prior_sd) of the named teams on
  // `priors` instead of the league average, from the next FitBefore on; a named team the fit has
  // not rated yet is priced at its prior (imputed), before any unseen_team policy. Replaces the
  // priors set before; an empty map restores the league average for every team.
  // Errors: Unimplemented for the rating models (elo, pi), which start new sides from the three
  // weakest (see above).
  [[nodiscard]] virtual absl::Status SetStrengthPriors(
      const absl::flat_hash_map<std::string, StrengthPrior>& priors) = 0;
};

// The options chosen for `kind` on E0 2002/03-2011/12 by walk-forward Brier (docs/ratings.md;
// nothing from 2012/13 on was used): TeamModelOptions{} except shots: shots_weight 0.25;
// market: the Kalman filter (market_filter true; filter_market_sd 0.1, filter_drift_sd 0.01,
// filter_goals_scale 0.5, filter_break_sd 0.5, filter_new_team_sd 0.08, xi_per_day 0.006 for
// rho), and for the static fit xi_per_day 0.006, market_xi_per_day 0.006, market_weight 0.9,
// prior_sd 5 (implied goals are far less noisy than goals: a shorter memory and almost no
// shrinkage win).
TeamModelOptions DefaultTeamModelOptions(ModelKind kind);

// A new, unfitted model of `kind`.
// Errors: InvalidArgument for options out of range (names the option and the value).
[[nodiscard]] absl::StatusOr<std::unique_ptr<TeamModel>> MakeTeamModel(
    ModelKind kind, const TeamModelOptions& options = {});

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_TEAM_MODEL_H_
