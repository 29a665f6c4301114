#include "superbet/backtest/strategies.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "superbet/core/status_macros.h"
#include "superbet/model/fixture.h"
#include "superbet/model/selection.h"
#include "superbet/odds/margin.h"

namespace superbet::backtest {
namespace {

using superbet::v1::Fixture;

using model::TeamKey;

// A history fixture's kickoff; the engine refuses finished fixtures without one, so the fallback
// (the infinite past: "long before") is never used by an engine run.
absl::Time HistoryKickoff(const Fixture& f) {
  return model::KickoffTime(f).value_or(absl::InfinitePast());
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

absl::StatusOr<MarketInput> ParseMarketInput(absl::string_view name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "source") return MarketInput::kOddsSource;
  if (n == "pinnacle") return MarketInput::kPinnacle;
  if (n == "sharp") return MarketInput::kSharp;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown market input '", name, "' (expected source, pinnacle or sharp)"));
}

absl::string_view MarketInputName(MarketInput input) {
  switch (input) {
    case MarketInput::kOddsSource:
      return "source";
    case MarketInput::kPinnacle:
      return "pinnacle";
    case MarketInput::kSharp:
      return "sharp";
  }
  return "source";
}

ModelStrategy::ModelStrategy(ModelStrategyOptions options,
                             absl::Span<const superbet::v1::BettingLine> market_lines)
    : options_(std::move(options)) {
  options_.dixon_coles.min_matches_per_team = options_.min_matches_per_team;
  for (const superbet::v1::BettingLine& l : market_lines) {
    if (l.is_closing() || l.is_live() || l.market() != superbet::v1::MARKET_1X2) continue;
    const int idx = model::OneXTwoIndex(l.selection());
    if (idx < 0) continue;
    if (l.bookmaker() == "Pinnacle") {
      pinnacle_.try_emplace(l.fixture_id()).first->second[idx] = l.decimal_odds();
    } else if (l.bookmaker() == "market_average") {
      average_.try_emplace(l.fixture_id()).first->second[idx] = l.decimal_odds();
    }
  }
}

void ModelStrategy::SyncHistory(absl::Span<const Fixture> history, absl::Time day_start) {
  if (history.size() < consumed_) {  // A new run: start again.
    table_ = ratings::MatchTable();
    consumed_ = 0;
    fitted_day_.reset();
    model_.reset();
    pending_.clear();
    scored_.clear();
  }
  for (; consumed_ < history.size(); ++consumed_) {
    const Fixture& f = history[consumed_];
    // The model is fitted once per day on strictly earlier days: a same-day match already over
    // waits for the next day (history ends in kickoff order across days, see strategy.h).
    const absl::Time kickoff = HistoryKickoff(f);
    if (kickoff >= day_start) break;
    if (!f.has_full_time()) continue;
    ratings::MatchResult r{TeamKey(f.home()), TeamKey(f.away()), f.full_time().home(),
                           f.full_time().away(), kickoff};
    // The engine validates scores and teams, so Add cannot fail; a result it refused would only
    // be missing from the fits.
    (void)table_.Add(r);
    auto it = pending_.find(f.id());
    if (it == pending_.end()) continue;
    const int h = f.full_time().home(), a = f.full_time().away();
    // Converted once here, not in every daily pool fit. The forecast passed LogOpinionPool's
    // checks when it was made, so the conversion cannot fail.
    auto scored =
        ToLogForecast({kickoff, it->second.market, it->second.model, h > a ? 0 : (h == a ? 1 : 2)});
    if (scored.ok()) scored_.push_back(*scored);
    pending_.erase(it);
  }
}

void ModelStrategy::RefitModel(absl::CivilDay day) {
  // The previous day's optimum is the warm start of today's fit (same optimum, fewer Newton
  // iterations: bench/README.md, "Ratings").
  std::optional<ratings::DixonColesModel> previous = std::move(model_);
  model_.reset();
  const absl::Time day_start = absl::FromCivil(day, absl::UTCTimeZone());
  const absl::Time window_start = day_start - absl::Hours(24) * options_.window_days;
  // table_ ends with the last day before `day`: only strictly earlier dates are fitted.
  const size_t first = table_.LowerBound(window_start);
  const size_t end = table_.LowerBound(day_start);
  if (end - first >= static_cast<size_t>(std::max(1, options_.min_fit_matches))) {
    auto fitted = ratings::DixonColesModel::Fit(table_, first, end, day_start, options_.dixon_coles,
                                                previous ? &*previous : nullptr);
    if (fitted.ok()) {  // A fit that did not converge gives no forecast that day.
      model_ = std::move(*fitted);
      ++fits_;
    } else {
      ++failed_fits_;
    }
  }
}

absl::Status ModelStrategy::RefitPool(absl::CivilDay day) {
  const double previous_weight = pool_fit_.weight;
  pool_fit_ = PoolFitInfo{};
  pool_fit_.day = day;
  if (options_.pool_weight >= 0) {
    pool_fit_.weight = std::min(1.0, options_.pool_weight);
    return absl::OkStatus();
  }
  const absl::Time day_start = absl::FromCivil(day, absl::UTCTimeZone());
  const absl::Time window_start = day_start - absl::Hours(24) * options_.pool_window_days;
  auto first =
      std::lower_bound(scored_.begin(), scored_.end(), window_start,
                       [](const LogPoolForecast& f, absl::Time t) { return f.kickoff < t; });
  const absl::Span<const LogPoolForecast> window =
      absl::MakeConstSpan(scored_).subspan(static_cast<size_t>(first - scored_.begin()));
  if (window.empty() || window.size() < static_cast<size_t>(options_.pool_min_forecasts)) {
    return absl::OkStatus();  // Too little evidence: w = 0, the market.
  }
  pool_fit_.forecasts = static_cast<int>(window.size());
  pool_fit_.latest_kickoff = window.back().kickoff;
  PoolFitOptions fit_options;
  fit_options.start = previous_weight;  // Yesterday's optimum: fewer Newton steps, same w.
  auto w = FitLogPoolWeightOnLogs(window, day_start, fit_options);
  if (!w.ok()) {
    return absl::InternalError(absl::StrCat("pool weight fit: ", w.status().message()));
  }
  pool_fit_.fitted = true;
  pool_fit_.weight = *w;
  return absl::OkStatus();
}

std::array<double, 3> ModelStrategy::MarketInputFor(const MatchView& match) const {
  auto fair = [&](const absl::flat_hash_map<std::string, std::array<double, 3>>& prices)
      -> std::optional<std::array<double, 3>> {
    auto it = prices.find(match.fixture.id());
    if (it == prices.end()) return std::nullopt;
    auto p = odds::RemoveMarginMultiplicative(it->second);  // Rejects a missing (0) price.
    if (!p.ok()) return std::nullopt;
    return std::array<double, 3>{(*p)[0], (*p)[1], (*p)[2]};
  };
  std::optional<std::array<double, 3>> m;
  if (options_.market_input != MarketInput::kOddsSource) m = fair(pinnacle_);
  if (!m.has_value() && options_.market_input == MarketInput::kSharp) m = fair(average_);
  return m.value_or(match.market_probabilities);
}

absl::StatusOr<Decision> ModelStrategy::Decide(const MatchView& match,
                                               absl::Span<const Fixture> history) {
  const std::optional<absl::Time> kickoff = model::KickoffTime(match.fixture);
  if (!kickoff.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(match.fixture.id(), ": no kickoff"));
  }
  const absl::CivilDay day = absl::ToCivilDay(*kickoff, absl::UTCTimeZone());
  if (!fitted_day_.has_value() || *fitted_day_ != day) {
    SyncHistory(history, absl::FromCivil(day, absl::UTCTimeZone()));
    fitted_day_ = day;
    RefitModel(day);
    SUPERBET_RETURN_IF_ERROR(RefitPool(day));
  }
  Decision d;
  if (!model_.has_value()) return d;
  auto p = model_->Predict(TeamKey(match.fixture.home()), TeamKey(match.fixture.away()));
  if (!p.ok()) return d;  // A team without enough matches in the window: no forecast.
  const std::array<double, 3> model_probs = {p->home_win, p->draw, p->away_win};
  const std::array<double, 3> market = MarketInputFor(match);
  auto pooled = LogOpinionPool(market, model_probs, pool_fit_.weight);
  if (!pooled.ok()) return d;  // A model probability underflowed to 0: no forecast.
  pending_[match.fixture.id()] = {market, model_probs};
  const std::array<double, 3>& probs = *pooled;
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

absl::StatusOr<std::unique_ptr<Strategy>> MakeStrategy(
    absl::string_view name, const ModelStrategyOptions& model_options,
    absl::Span<const superbet::v1::BettingLine> market_lines) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "favourite") return std::unique_ptr<Strategy>(new FavouriteStrategy());
  if (n == "home") return std::unique_ptr<Strategy>(new HomeStrategy());
  if (n == "model")
    return std::unique_ptr<Strategy>(new ModelStrategy(model_options, market_lines));
  return absl::InvalidArgumentError(
      absl::StrCat("unknown strategy '", name, "' (expected favourite, home or model)"));
}

}  // namespace superbet::backtest
