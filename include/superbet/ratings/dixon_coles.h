// Dixon–Coles team-strength model: a bivariate Poisson-type goals model with a low-score
// correction and exponential time decay, fitted by weighted maximum likelihood.
//
// Model (Dixon & Coles 1997, "Modelling association football scores and inefficiencies in the
// football betting market", Applied Statistics 46(2), 265-280; strengths as in Maher 1982,
// Statistica Neerlandica 36): in a match of home team i against away team j,
//   home goals X ~ Poisson(lambda), lambda = attack_i * defence_j * home_advantage
//   away goals Y ~ Poisson(mu),     mu     = attack_j * defence_i
//   P(X = x, Y = y) = tau(x, y) * Poisson(x; lambda) * Poisson(y; mu), with
//   tau(0,0) = 1 - lambda*mu*rho, tau(0,1) = 1 + lambda*rho, tau(1,0) = 1 + mu*rho,
//   tau(1,1) = 1 - rho, tau = 1 otherwise.
// `defence` is a defensive WEAKNESS (higher = concedes more), as in Maher. Identifiability: the
// attack parameters have geometric mean 1.
//
// Time decay: match k of the fit carries weight exp(-xi * days_k), days_k = whole days between its
// kickoff and `as_of` (Dixon & Coles §4.5, their phi(t)). Default xi = 0.0019 per day, the value
// penaltyblog's documentation uses for daily decay (half-weight after ~365 days).
//
// Fitting (deterministic, no random start): stage 1 maximises the weighted Poisson likelihood
// (tau = 1) over log attack, log defence and log home advantage by Newton's method on the
// concave log-likelihood, computed from sufficient statistics (each team's weighted goals and the
// summed weight of each home/away pairing), so an iteration costs O(pairs + teams^3), not
// O(matches). The Hessian's Cholesky factor is reused while the steps shrink tenfold (a chord
// iteration) and rebuilt otherwise; walk-forward on E0 2015/16-2024/25 a fit takes about 7 steps
// from a cold start and 5 from the previous match day's optimum (bench/README.md). Stage 2
// maximises the full weighted Dixon–Coles likelihood over rho (concave in rho) by safeguarded
// Newton on [rho_min, rho_max] with the strengths held fixed. Only the matches passed to Fit() are
// used: the model never looks anything up.
//
// Strength prior (DixonColesOptions::prior_sd): each log attack and log defence carries a
// Normal(0, prior_sd^2) prior around the league average, i.e. stage 1 maximises the penalised
// likelihood (ridge regression on the log scale, Hoerl & Kennard 1970, Technometrics 12(1); its
// solution is the posterior mode under that prior). Why: a side that has not scored yet (a promoted
// team after one or two match days) has its maximum-likelihood attack at 0 (log attack -inf), so
// the plain MLE does not exist and any iteration only creeps towards it; with the prior the
// optimum is finite and unique. The default prior_sd = 0.35 (E0 sides span about +-0.5 in log
// attack) was chosen by walk-forward Brier score on E0 2002/03-2011/12 only (Dixon–Coles: 0.5844
// at 0.25, 0.5840 at 0.35, 0.5846 at 0.5, 0.5861 at 1; Poisson without prior 0.5885 with 27
// matches left unforecast); it pulls the log strengths of a side with a season of evidence about
// 13 % towards the league average (prior precision 8 against ~55 weighted goals). prior_sd = 0
// switches the prior off: the plain maximum-likelihood fit, which then FAILS (FailedPrecondition)
// where the MLE does not exist, instead of returning the last iterate.
//
// Where the two-stage fit differs from a joint maximum-likelihood fit (Dixon & Coles's own, and
// penaltyblog's `DixonColesGoalModel`, which maximise over strengths, home advantage and rho at
// once): the strengths here are the Poisson estimates, i.e. they ignore tau. tau only reweights
// the 0-0, 0-1, 1-0 and 1-1 cells, so the joint optimum moves the strengths by
// O(rho * lambda * mu) through those cells alone. The two-stage fit does not lose accuracy in
// practice: walk-forward on E0 2015/16-2024/25 its Brier score was 0.5749 (issue 16's figure,
// before the strength prior) against 0.5779 for penaltyblog 1.9's joint fit on nearly the same
// matches; every model's walk-forward scores are in docs/ratings.md.
//
// Teams the fit has not seen (a promoted side on its first matchday) are handled by
// DixonColesOptions::unseen_team (see UnseenTeamPolicy); Diagnostics() tells how much recent
// evidence a rating rests on.

#ifndef SUPERBET_RATINGS_DIXON_COLES_H_
#define SUPERBET_RATINGS_DIXON_COLES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "superbet/ratings/match_table.h"
#include "superbet/ratings/score_grid.h"

namespace superbet::ratings {

// What Predict() does for a team the fit has not rated (absent from the fit data, or with fewer
// than min_matches_per_team matches).
enum class UnseenTeamPolicy {
  // NotFound naming the team (the default: a forecast is never silently invented).
  kError,
  // A league-average side: attack and defence are the geometric means of the rated teams'
  // (attack's geometric mean is 1 by the identifiability constraint).
  kLeagueAverage,
  // The average of the three weakest rated sides (lowest attack / defence ratio): the usual prior
  // for a promoted side, which is weaker than the league average (penaltyblog and most
  // practitioners start promoted teams near the relegated ones).
  kWeakestThreeAverage,
};

struct DixonColesOptions {
  double xi_per_day = 0.0019;    // Time-decay rate (1/day); 0 = every match weighs 1.
  int max_goals = 10;            // Score matrix is (max_goals+1) x (max_goals+1) per side.
  int max_iterations = 50;       // Stage-1 Newton iterations (each O(pairs + teams^3)).
  double tolerance = 1e-7;       // Stage 1 stops when every parameter moves less (relative).
  double prior_sd = 0.35;        // SD of the Normal prior on log strengths; 0 = plain MLE.
  double rho_min = -0.25;        // Stage-2 search interval; tau stays positive on it for
  double rho_max = 0.25;         // typical lambda, mu (<= 3); cells with tau <= 0 are excluded.
  int min_matches_per_team = 1;  // Teams with fewer matches in the fit are not rated.
  UnseenTeamPolicy unseen_team = UnseenTeamPolicy::kError;
};

// How much evidence one team's rating rests on, at the fit's as_of.
struct TeamDiagnostics {
  int matches = 0;               // Matches of the team in the fit data.
  double effective_matches = 0;  // Sum of their time-decay weights exp(-xi * age_days).
  absl::Time last_kickoff;       // Kickoff of its most recent match in the fit (UTC).
  // Weight-weighted mean age of its matches in days; absent when every weight underflowed to 0.
  std::optional<double> mean_age_days;
};

// Outcome probabilities of one match, from the score matrix up to max_goals per side,
// renormalised to sum to 1 (the mass beyond max_goals is < 1e-6 for lambda, mu < 4).
struct OutcomeProbabilities {
  double home_win = 0;
  double draw = 0;
  double away_win = 0;
  double over_2_5 = 0;  // P(total goals >= 3).
  double lambda = 0;    // Expected home goals.
  double mu = 0;        // Expected away goals.
  // True when that side was not rated by the fit and its strengths come from
  // DixonColesOptions::unseen_team.
  bool home_imputed = false;
  bool away_imputed = false;
};

// The low-score correction tau(x, y) of Dixon & Coles (1997) eq. 4.2 (see file comment).
double DixonColesTau(int home_goals, int away_goals, double lambda, double mu, double rho);

// Score matrix P(X = x, Y = y), x, y in [0, max_goals], row-major (index x * (max_goals+1) + y),
// renormalised to sum to 1.
// Errors: InvalidArgument when lambda or mu is not finite and > 0, max_goals < 1, or a tau is
// negative (rho out of range for these rates; the message names rho, lambda and mu).
[[nodiscard]] absl::StatusOr<std::vector<double>> ScoreMatrix(double lambda, double mu, double rho,
                                                              int max_goals);

// 1X2 (+ over 2.5) probabilities from expected goals and rho, via ScoreMatrix. Errors: as
// ScoreMatrix.
[[nodiscard]] absl::StatusOr<OutcomeProbabilities> OutcomesFromRates(double lambda, double mu,
                                                                     double rho,
                                                                     int max_goals = 10);

// A fitted model. Immutable after Fit(); copyable; thread-safe for concurrent const use.
class DixonColesModel {
 public:
  // Fits on `matches` (any order), weighting each by its age at `as_of`. Matches kicking off after
  // `as_of` are an error (they would be a look-ahead).
  // Errors: InvalidArgument when `matches` is empty, a score is negative, a team plays itself,
  // a match kicks off after `as_of` (names the teams and both times), or options are invalid;
  // FailedPrecondition when the data cannot identify the model (fewer than 2 teams, no home or
  // no away goal with a weight > 0, e.g. once exp(-xi * age_days) underflows), or when stage 1
  // does not converge within max_iterations (the message names the team whose strength still
  // moves and the size of the last step; with prior_sd > 0 this does not happen on real data).
  // A team all of whose matches weigh 0 is not in the fit (it has no evidence).
  [[nodiscard]] static absl::StatusOr<DixonColesModel> Fit(absl::Span<const MatchResult> matches,
                                                           absl::Time as_of,
                                                           const DixonColesOptions& options = {});

  // Warm start: as Fit, but stage 1 starts from `warm_start`'s strengths (a team it did not rate
  // starts at the league average) instead of the league average everywhere. The penalised
  // likelihood is strictly concave, so the result is the cold fit's optimum within `tolerance`;
  // a refit one match day later needs fewer iterations (figures in bench/README.md).
  // Errors: as Fit.
  [[nodiscard]] static absl::StatusOr<DixonColesModel> Fit(absl::Span<const MatchResult> matches,
                                                           absl::Time as_of,
                                                           const DixonColesOptions& options,
                                                           const DixonColesModel& warm_start);

  // The walk-forward form: fits on rows [begin, end) of `table` (kickoff order), warm-started
  // from `warm_start` when it is not null. Same model and errors as Fit; no team name is hashed
  // per match.
  [[nodiscard]] static absl::StatusOr<DixonColesModel> Fit(const MatchTable& table, size_t begin,
                                                           size_t end, absl::Time as_of,
                                                           const DixonColesOptions& options,
                                                           const DixonColesModel* warm_start);

  // Probabilities for `home` at home against `away`.
  // Errors: NotFound naming the team when either was not rated by the fit (absent, or fewer than
  // min_matches_per_team matches) and the unseen_team policy is kError; InvalidArgument when
  // home == away.
  [[nodiscard]] absl::StatusOr<OutcomeProbabilities> Predict(absl::string_view home,
                                                             absl::string_view away) const;

  // The whole score grid of that match (score_grid.h): exact scores, over/under at any line,
  // both teams to score, Asian handicap. Errors: as Predict.
  [[nodiscard]] absl::StatusOr<ScoreGrid> Grid(absl::string_view home,
                                               absl::string_view away) const;

  // The evidence behind `team`'s rating. Errors: NotFound when the team is not in the fit data.
  [[nodiscard]] absl::StatusOr<TeamDiagnostics> Diagnostics(absl::string_view team) const;

  bool HasTeam(absl::string_view team) const;
  // Fitted parameters; 0 for an unknown team.
  double attack(absl::string_view team) const;
  double defence(absl::string_view team) const;
  double home_advantage() const { return home_advantage_; }
  double rho() const { return rho_; }
  int iterations() const { return iterations_; }  // Stage-1 Newton iterations used.
  // True for every model Fit returns (a fit that does not converge is an error); kept so callers
  // that report convergence need not know that.
  bool converged() const { return converged_; }
  // Weighted log-likelihood of the fit data at the fitted parameters.
  double log_likelihood() const { return log_likelihood_; }
  std::vector<std::string> teams() const;

 private:
  struct TeamParams {
    double attack = 1;
    double defence = 1;
    int matches = 0;
    double weight = 0;
    double weighted_age_days = 0;
    absl::Time last_kickoff = absl::InfinitePast();
  };
  DixonColesModel() = default;
  // Expected home and away goals of `home` v `away` under the unseen-team policy.
  [[nodiscard]] absl::StatusOr<OutcomeProbabilities> Rates(absl::string_view home,
                                                           absl::string_view away) const;
  // Sets league_average_ and weakest_three_ from the rated teams (end of Fit).
  void SetUnseenTeamPriors();
  // The strengths Predict uses for `team`; nullopt when it is unrated and the policy is kError.
  std::optional<TeamParams> Strengths(absl::string_view team) const;

  absl::flat_hash_map<std::string, TeamParams> teams_;
  double home_advantage_ = 1;
  double level_ = 0;  // Log scoring level: log defence = level_ + the fit's centred log weakness.
  double rho_ = 0;
  int iterations_ = 0;
  bool converged_ = false;
  int max_goals_ = 10;
  double log_likelihood_ = 0;
  int min_matches_ = 1;
  UnseenTeamPolicy unseen_team_ = UnseenTeamPolicy::kError;
  TeamParams league_average_;
  TeamParams weakest_three_;
};

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_DIXON_COLES_H_
