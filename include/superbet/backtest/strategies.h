// The built-in pre-match strategies: two baselines and a Dixon–Coles model strategy.
//
// Baselines (probabilities reported = the margin-free market probabilities of the odds source):
//   favourite  backs the 1X2 outcome with the lowest decimal odds; ties go home, then draw, then
//              away;
//   home       backs the home side.
// model: a Dixon–Coles model (ratings/dixon_coles.h) refitted once per match day on the finished
//   matches of the history (strictly earlier days, across seasons: walk-forward) within
//   `window_days`, time-decayed with xi. For each match both teams must have at least
//   `min_matches_per_team` matches in the window, and the window at least `min_fit_matches`
//   matches (a fit on the first weeks of data is noise), otherwise no forecast and no bet. It
//   backs the outcome with the largest edge p_model - p_market (multiplicative margin removal)
//   when that edge exceeds `edge_threshold`; the probability handed to the stake is p_model.
//
// All strategies are NOT thread-safe (see Strategy); FavouriteStrategy and HomeStrategy are
// stateless, ModelStrategy caches its fitted model and the converted history.

#ifndef SUPERBET_BACKTEST_STRATEGIES_H_
#define SUPERBET_BACKTEST_STRATEGIES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "superbet/backtest/strategy.h"
#include "superbet/ratings/dixon_coles.h"

namespace superbet::backtest {

// The index (0 home, 1 draw, 2 away) of the lowest price; ties broken home, draw, away.
int FavouriteIndex(const std::array<double, 3>& decimal_odds);

// Backs the favourite. Decide never fails. Stateless; owns nothing.
class FavouriteStrategy final : public Strategy {
 public:
  std::string name() const override { return "favourite"; }
  absl::StatusOr<Decision> Decide(const MatchView& match,
                                  absl::Span<const superbet::v1::Fixture> history) override;
};

// Backs the home side. Decide never fails. Stateless; owns nothing.
class HomeStrategy final : public Strategy {
 public:
  std::string name() const override { return "home"; }
  absl::StatusOr<Decision> Decide(const MatchView& match,
                                  absl::Span<const superbet::v1::Fixture> history) override;
};

struct ModelStrategyOptions {
  ratings::DixonColesOptions dixon_coles;  // Decay xi = 0.0019/day by default.
  double edge_threshold = 0.03;            // Minimum p_model - p_market to bet.
  int window_days = 1095;                  // History used per fit: the last 3 years.
  int min_matches_per_team = 5;            // In the window, else no forecast.
  int min_fit_matches = 190;               // No fit (no forecast) before the window holds this
                                           // many finished matches (half a 20-team season).
};

// The Dixon-Coles strategy described at the top of this file. Owns its fitted model and a copy of
// the finished results of `history`; not thread-safe. Decide never fails: when the model cannot
// be fitted or a team has too few matches it returns OK with SELECTION_UNSPECIFIED (no bet).
// A `history` shorter than the one seen before is taken as a new run (the cache is rebuilt).
class ModelStrategy final : public Strategy {
 public:
  explicit ModelStrategy(ModelStrategyOptions options = {});
  std::string name() const override { return "model"; }
  absl::StatusOr<Decision> Decide(const MatchView& match,
                                  absl::Span<const superbet::v1::Fixture> history) override;
  // Number of model fits so far (one per match day with enough history).
  int fits() const { return fits_; }

 private:
  void SyncHistory(absl::Span<const superbet::v1::Fixture> history);

  ModelStrategyOptions options_;
  std::vector<ratings::MatchResult> results_;  // Finished matches of `history`, in order.
  size_t consumed_ = 0;                        // History entries converted into results_.
  std::optional<absl::CivilDay> fitted_day_;
  std::optional<ratings::DixonColesModel> model_;
  int fits_ = 0;
};

// Creates "favourite", "home" or "model" (ASCII case ignored; model uses `model_options`).
// Errors: InvalidArgument naming the text and the accepted names.
absl::StatusOr<std::unique_ptr<Strategy>> MakeStrategy(absl::string_view name,
                                                       const ModelStrategyOptions& model_options);

}  // namespace superbet::backtest

#endif  // SUPERBET_BACKTEST_STRATEGIES_H_
