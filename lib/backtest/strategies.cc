#include "superbet/backtest/strategies.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "superbet/model/selection.h"

namespace superbet::backtest {
namespace {

using superbet::v1::Fixture;

absl::Time KickoffTime(const Fixture& f) {
  return absl::FromUnixSeconds(f.kickoff().seconds()) + absl::Nanoseconds(f.kickoff().nanos());
}

const std::string& TeamKey(const superbet::v1::Team& t) {
  return t.id().empty() ? t.name() : t.id();
}

Decision Pick(const MatchView& match, int index) {
  Decision d;
  d.probabilities = match.market_probabilities;
  d.selection = model::OneXTwoSelection(index);
  d.probability = match.market_probabilities[index];
  return d;
}

}  // namespace

int FavouriteIndex(const std::array<double, 3>& decimal_odds) {
  int best = 0;
  for (int i = 1; i < 3; ++i) {
    if (decimal_odds[i] < decimal_odds[best]) best = i;  // Strict: ties keep the earlier one.
  }
  return best;
}

absl::StatusOr<Decision> FavouriteStrategy::Decide(const MatchView& match,
                                                   absl::Span<const Fixture> /*history*/) {
  return Pick(match, FavouriteIndex(match.decimal_odds));
}

absl::StatusOr<Decision> HomeStrategy::Decide(const MatchView& match,
                                              absl::Span<const Fixture> /*history*/) {
  return Pick(match, 0);
}

ModelStrategy::ModelStrategy(ModelStrategyOptions options) : options_(std::move(options)) {
  options_.dixon_coles.min_matches_per_team = options_.min_matches_per_team;
}

void ModelStrategy::SyncHistory(absl::Span<const Fixture> history) {
  if (history.size() < consumed_) {  // A new run: start again.
    results_.clear();
    consumed_ = 0;
    fitted_day_.reset();
    model_.reset();
  }
  for (; consumed_ < history.size(); ++consumed_) {
    const Fixture& f = history[consumed_];
    if (!f.has_full_time()) continue;
    results_.push_back({TeamKey(f.home()), TeamKey(f.away()), f.full_time().home(),
                        f.full_time().away(), KickoffTime(f)});
  }
}

absl::StatusOr<Decision> ModelStrategy::Decide(const MatchView& match,
                                               absl::Span<const Fixture> history) {
  const absl::Time kickoff = KickoffTime(match.fixture);
  const absl::CivilDay day = absl::ToCivilDay(kickoff, absl::UTCTimeZone());
  if (!fitted_day_.has_value() || *fitted_day_ != day) {
    SyncHistory(history);
    fitted_day_ = day;
    model_.reset();
    const absl::Time day_start = absl::FromCivil(day, absl::UTCTimeZone());
    const absl::Time window_start = day_start - absl::Hours(24) * options_.window_days;
    auto first =
        std::lower_bound(results_.begin(), results_.end(), window_start,
                         [](const ratings::MatchResult& m, absl::Time t) { return m.kickoff < t; });
    // results_ ends with the last day before `day`: only strictly earlier dates are fitted.
    const absl::Span<const ratings::MatchResult> window =
        absl::MakeConstSpan(results_).subspan(static_cast<size_t>(first - results_.begin()));
    if (window.size() >= static_cast<size_t>(std::max(1, options_.min_fit_matches)) &&
        window.back().kickoff < day_start) {
      auto fitted = ratings::DixonColesModel::Fit(window, day_start, options_.dixon_coles);
      if (fitted.ok()) {
        model_ = std::move(*fitted);
        ++fits_;
      }
    }
  }
  Decision d;
  if (!model_.has_value()) return d;
  auto p = model_->Predict(TeamKey(match.fixture.home()), TeamKey(match.fixture.away()));
  if (!p.ok()) return d;  // A team without enough matches in the window: no forecast.
  const std::array<double, 3> probs = {p->home_win, p->draw, p->away_win};
  d.probabilities = probs;
  int best = -1;
  double best_edge = options_.edge_threshold;
  for (int i = 0; i < 3; ++i) {
    const double edge = probs[i] - match.market_probabilities[i];
    if (edge > best_edge) {
      best_edge = edge;
      best = i;
    }
  }
  if (best >= 0) {
    d.selection = model::OneXTwoSelection(best);
    d.probability = probs[best];
  }
  return d;
}

absl::StatusOr<std::unique_ptr<Strategy>> MakeStrategy(absl::string_view name,
                                                       const ModelStrategyOptions& model_options) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "favourite") return std::unique_ptr<Strategy>(new FavouriteStrategy());
  if (n == "home") return std::unique_ptr<Strategy>(new HomeStrategy());
  if (n == "model") return std::unique_ptr<Strategy>(new ModelStrategy(model_options));
  return absl::InvalidArgumentError(
      absl::StrCat("unknown strategy '", name, "' (expected favourite, home or model)"));
}

}  // namespace superbet::backtest
