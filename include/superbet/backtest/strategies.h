// The built-in pre-match strategies: two baselines and a Dixon–Coles model strategy.
//
// Baselines (probabilities reported = the margin-free market probabilities of the odds source):
//   favourite  backs the 1X2 outcome with the lowest decimal odds; ties go home, then draw, then
//              away;
//   home       backs the home side.
// model: a team model (ratings/team_model.h; Dixon–Coles by default, ModelStrategyOptions::
//   model_kind) refitted once per match day on the finished
//   matches of the history that kicked off on strictly earlier UTC days (a same-day match that is
//   already over is used from the next day on; across seasons: walk-forward) within
//   `window_days`, time-decayed with xi. For each match both teams must have at least
//   `min_matches_per_team` matches in the window, and the window at least `min_fit_matches`
//   matches (a fit on the first weeks of data is noise), otherwise no forecast and no bet.
//   The model is not bet raw: its forecast d is combined with a market forecast m (the
//   margin-free probabilities of `market_input`, see MarketInput) by the logarithmic opinion
//   pool p ∝ m^(1-w) d^w (backtest/opinion_pool.h). With pool_weight < 0 (default) w is fitted
//   by maximum likelihood on the strategy's OWN earlier out-of-sample (m, d, result) triples:
//   once per match day, on the forecasts of matches that kicked off on earlier days within the
//   last `pool_window_days`; until `pool_min_forecasts` of them exist w = 0 (the market). A
//   pool_weight in [0, 1] is used as given (1 = the raw model). The reported forecast is p; the
//   strategy backs the outcome with the largest edge p - p_source, p_source the margin-free
//   (multiplicative) probabilities of the odds source bet at, when it exceeds `edge_threshold`;
//   the probability handed to the stake is p. The original behaviour (raw model vs the source)
//   is pool_weight = 1 with market_input = kOddsSource.
//   Defaults were chosen on E0 2002/03-2011/12 only, by the log loss of the pooled forecast:
//   market_input = kOddsSource (Bet365 there beat the market average, 0.9694 vs 0.9699; Pinnacle
//   is absent before 2012/13), pool_window_days = 1825 (0.96934 vs 0.96958 for 1095 days and
//   0.96989 for 730), edge_threshold kept at 0.03 (see bench/README.md, "Backtest").
//
// All strategies are NOT thread-safe (see Strategy); FavouriteStrategy and HomeStrategy are
// stateless, ModelStrategy caches its fitted model and the converted history.

#ifndef SUPERBET_BACKTEST_STRATEGIES_H_
#define SUPERBET_BACKTEST_STRATEGIES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "superbet/backtest/opinion_pool.h"
#include "superbet/backtest/strategy.h"
#include "superbet/ratings/dixon_coles.h"
#include "superbet/ratings/match_table.h"
#include "superbet/ratings/team_model.h"

namespace superbet::backtest {

namespace internal {
class HelperThread;  // lib/backtest/internal/helper_thread.h.
}  // namespace internal

// The index (0 home, 1 draw, 2 away) of the lowest price; ties broken home, draw, away.
int FavouriteIndex(const std::array<double, 3>& decimal_odds);

// Backs the favourite. Decide never fails. Stateless; owns nothing.
class FavouriteStrategy final : public Strategy {
 public:
  std::string name() const override { return "favourite"; }
  [[nodiscard]] absl::StatusOr<Decision> Decide(
      const MatchView& match, absl::Span<const superbet::v1::Fixture> history) override;
};

// Backs the home side. Decide never fails. Stateless; owns nothing.
class HomeStrategy final : public Strategy {
 public:
  std::string name() const override { return "home"; }
  [[nodiscard]] absl::StatusOr<Decision> Decide(
      const MatchView& match, absl::Span<const superbet::v1::Fixture> history) override;
};

// Which margin-free market forecast the model is pooled with. The prices come from the
// `market_lines` given to ModelStrategy (pre-match lines only: closing and live lines are dropped
// there), except kOddsSource, which is MatchView::market_probabilities.
enum class MarketInput {
  kOddsSource,  // The prices bet at (MatchView::market_probabilities).
  kPinnacle,    // Pinnacle's pre-match 1X2 (football-data PSH/D/A, 2012/13 on), else the source.
  kSharp,       // Pinnacle, else the market average (BbAv/Avg, 2005/06 on), else the source.
};

// Parses "source", "pinnacle", "sharp" (ASCII case ignored).
// Errors: InvalidArgument naming the text and the accepted names.
[[nodiscard]] absl::StatusOr<MarketInput> ParseMarketInput(absl::string_view name);
// The flag spelling, which ParseMarketInput reads back.
absl::string_view MarketInputName(MarketInput input);

struct ModelStrategyOptions {
  // The team model (ratings/team_model.h); its decay, strength prior, grid size and unseen-team
  // policy are read from `dixon_coles` for every kind.
  ratings::ModelKind model_kind = ratings::ModelKind::kDixonColes;
  ratings::DixonColesOptions dixon_coles;  // Decay xi = 0.0019/day by default.
  double edge_threshold = 0.03;            // Minimum p_pool - p_source to bet.
  int window_days = 1095;                  // History used per fit: the last 3 years.
  int min_matches_per_team = 5;            // In the window, else no forecast.
  int min_fit_matches = 190;               // No fit (no forecast) before the window holds this
                                           // many finished matches (half a 20-team season).
  MarketInput market_input = MarketInput::kOddsSource;  // The m of the pool.
  double pool_weight = -1;       // In [0, 1]: fixed w; < 0: fitted walk-forward (see above).
  int pool_window_days = 1825;   // Forecast history per pool fit (days before the match day).
  int pool_min_forecasts = 380;  // Fewer scored forecasts in that window: w = 0 (the market).
  // Threads of one ModelStrategy: 1 = everything on the caller's thread; >= 2 = each match day's
  // pool-weight fit runs on one helper thread (owned by the strategy) while the team model is
  // refitted on the caller's thread. The two share no mutable state, so forecasts, weights and
  // reports are bit for bit those of threads = 1. Values < 1 are taken as 1.
  int threads = 1;
};

// The last pool-weight fit of a ModelStrategy, for reports and for the walk-forward test.
struct PoolFitInfo {
  absl::CivilDay day;                        // The match day the weight is used on.
  bool fitted = false;                       // False: fixed weight, or too few forecasts (w = 0).
  double weight = 0;                         // The w in use on `day`.
  int forecasts = 0;                         // Scored forecasts handed to the fitter.
  std::optional<absl::Time> latest_kickoff;  // Latest kickoff among them (none when 0).
};

// The Dixon-Coles strategy described at the top of this file. Owns its fitted model and a copy of
// the finished results of `history`; not thread-safe. Decide never fails: when the model cannot
// be fitted or a team has too few matches it returns OK with SELECTION_UNSPECIFIED (no bet).
// A `history` shorter than the one seen before is taken as a new run (the cache is rebuilt).
// `market_lines` are the BettingLines the pool's market input is read from (any bookmakers;
// only pre-match, non-live 1X2 lines of Pinnacle and "market_average" are kept, copied). With
// model_kind market, each past match's pre-match 1X2 and over/under 2.5 prices among them
// (Pinnacle first, then the market average, then Bet365) also give that match's
// market-implied goals (ratings/implied_goals.h) once its result is in `history`.
// Decide fails (Internal) only if the pool fitter rejects its input, which would be a bug (e.g. a
// look-ahead forecast); it is otherwise as above. With options.threads >= 2 the strategy owns one
// helper thread (started by the constructor, joined by the destructor) that Decide uses
// internally; the object is still called from one thread at a time.
class ModelStrategy final : public Strategy {
 public:
  explicit ModelStrategy(ModelStrategyOptions options = {},
                         absl::Span<const superbet::v1::BettingLine> market_lines = {});
  ~ModelStrategy() override;
  // Movable between Decide calls (the helper thread, if any, moves with it).
  ModelStrategy(ModelStrategy&&) noexcept;
  ModelStrategy& operator=(ModelStrategy&&) noexcept;
  std::string name() const override { return "model"; }
  // The team model's name ("dixon-coles", "elo", ...: ratings::ModelKindName), e.g. for a
  // prediction record.
  absl::string_view ModelKindName() const { return ratings::ModelKindName(options_.model_kind); }
  [[nodiscard]] absl::StatusOr<Decision> Decide(
      const MatchView& match, absl::Span<const superbet::v1::Fixture> history) override;
  // Number of model fits so far (one per match day with enough history).
  int fits() const { return fits_; }
  // Match days whose fit failed (did not converge, or the data could not identify the model):
  // no forecast and no bet on those days.
  int failed_fits() const { return failed_fits_; }
  // InvalidArgument when the options are out of range for the team model (MakeTeamModel's
  // error); the strategy then never forecasts. OK otherwise.
  const absl::Status& init_status() const { return init_status_; }
  // The pool weight in use for the latest decided day.
  const PoolFitInfo& last_pool_fit() const { return pool_fit_; }

 private:
  struct PendingForecast {
    std::array<double, 3> market;
    std::array<double, 3> model;
  };
  // Converts the entries of `history` not consumed yet, up to the first that kicked off at or
  // after `day_start`.
  void SyncHistory(absl::Span<const superbet::v1::Fixture> history, absl::Time day_start);
  void RefitModel(absl::CivilDay day);
  [[nodiscard]] absl::Status RefitPool(absl::CivilDay day);
  std::array<double, 3> MarketInputFor(const MatchView& match) const;
  // Fills market_goals_ (fixture id -> implied home, away goals) from pre-match prices.
  void CollectMarketGoals(absl::Span<const superbet::v1::BettingLine> lines);

  ModelStrategyOptions options_;
  ratings::MatchTable table_;  // Finished matches of `history`, in kickoff order.
  size_t consumed_ = 0;        // History entries converted into table_.
  std::optional<absl::CivilDay> fitted_day_;
  std::unique_ptr<ratings::TeamModel> model_;  // Of options_.model_kind.
  bool model_fitted_ = false;                  // model_ holds today's fit.
  absl::Status init_status_;
  int fits_ = 0;
  int failed_fits_ = 0;
  absl::flat_hash_map<std::string, std::array<double, 3>> pinnacle_;  // Fixture id -> odds.
  absl::flat_hash_map<std::string, std::array<double, 3>> average_;
  absl::flat_hash_map<std::string, std::pair<double, double>> market_goals_;  // Market kind.
  absl::flat_hash_map<std::string, PendingForecast> pending_;  // Forecast, result not yet seen.
  std::vector<LogPoolForecast> scored_;  // Forecasts whose result is in `history`, kickoff order.
  PoolFitInfo pool_fit_;
  std::unique_ptr<internal::HelperThread> helper_;  // Set when options_.threads >= 2.
};

// Creates "favourite", "home" or "model" (ASCII case ignored; model uses `model_options` and
// `market_lines`, see ModelStrategy).
// Errors: InvalidArgument naming the text and the accepted names.
[[nodiscard]] absl::StatusOr<std::unique_ptr<Strategy>> MakeStrategy(
    absl::string_view name, const ModelStrategyOptions& model_options,
    absl::Span<const superbet::v1::BettingLine> market_lines = {});

}  // namespace superbet::backtest

#endif  // SUPERBET_BACKTEST_STRATEGIES_H_
