#include "superbet/backtest/strategies.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "backtest/internal/helper_thread.h"
#include "superbet/core/status_macros.h"
#include "superbet/model/fixture.h"
#include "superbet/model/selection.h"
#include "superbet/odds/margin.h"
#include "superbet/ratings/implied_goals.h"

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
  ratings::TeamModelOptions o = ratings::DefaultTeamModelOptions(options_.model_kind);
  if (options_.model_kind != ratings::ModelKind::kMarket) {  // Market: its own decay and prior.
    o.xi_per_day = options_.dixon_coles.xi_per_day;
    o.prior_sd = options_.dixon_coles.prior_sd;
  }
  o.max_goals = options_.dixon_coles.max_goals;
  o.unseen_team = options_.dixon_coles.unseen_team;
  o.window_days = options_.window_days;
  o.min_fit_matches = std::max(1, options_.min_fit_matches);
  o.min_matches_per_team = std::max(1, options_.min_matches_per_team);
  auto model = ratings::MakeTeamModel(options_.model_kind, o);
  // Options out of range leave no model: the strategy then never forecasts (MakeStrategy checks
  // them first and reports the error).
  if (model.ok()) {
    model_ = std::move(*model);
  } else {
    init_status_ = model.status();
  }
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
  if (options_.model_kind == ratings::ModelKind::kMarket) CollectMarketGoals(market_lines);
  if (options_.threads >= 2) helper_ = std::make_unique<internal::HelperThread>();
}

void ModelStrategy::CollectMarketGoals(absl::Span<const superbet::v1::BettingLine> lines) {
  // Per fixture and source rank (0 Pinnacle, 1 market average, 2 Bet365; one bookmaker per rank,
  // so that a triple never mixes bookmakers' prices): 1X2 and O/U 2.5.
  struct Prices {
    std::array<std::array<double, 3>, 3> one_x_two{};
    std::array<std::array<double, 2>, 3> totals{};
  };
  absl::flat_hash_map<std::string, Prices> prices;
  for (const superbet::v1::BettingLine& l : lines) {
    if (l.is_closing() || l.is_live()) continue;
    const int rank = l.bookmaker() == "Pinnacle"         ? 0
                     : l.bookmaker() == "market_average" ? 1
                     : l.bookmaker() == "Bet365"         ? 2
                                                         : -1;
    if (rank < 0) continue;
    if (l.market() == superbet::v1::MARKET_1X2) {
      const int idx = model::OneXTwoIndex(l.selection());
      if (idx >= 0) prices[l.fixture_id()].one_x_two[rank][idx] = l.decimal_odds();
    } else if (l.market() == superbet::v1::MARKET_OVER_UNDER && l.has_line() && l.line() == 2.5) {
      const int idx = l.selection() == superbet::v1::SELECTION_OVER    ? 0
                      : l.selection() == superbet::v1::SELECTION_UNDER ? 1
                                                                       : -1;
      if (idx >= 0) prices[l.fixture_id()].totals[rank][idx] = l.decimal_odds();
    }
  }
  for (const auto& [id, p] : prices) {
    std::optional<double> home_minus_away, over;
    for (int r = 0; r < 3 && !home_minus_away; ++r) {
      auto fair = odds::RemoveMarginMultiplicative(p.one_x_two[r]);  // Rejects a missing price.
      if (fair.ok()) home_minus_away = (*fair)[0] - (*fair)[2];
    }
    for (int r = 0; r < 3 && !over; ++r) {
      auto fair = odds::RemoveMarginMultiplicative(p.totals[r]);
      if (fair.ok()) over = (*fair)[0];
    }
    if (!home_minus_away || !over) continue;
    // Prices no pair of Poisson means reproduces leave the match to its goals alone.
    if (auto g = ratings::ImpliedPoissonMeans(*home_minus_away, *over); g.ok()) {
      market_goals_[id] = {g->home, g->away};
    }
  }
}

ModelStrategy::~ModelStrategy() = default;
ModelStrategy::ModelStrategy(ModelStrategy&&) noexcept = default;
ModelStrategy& ModelStrategy::operator=(ModelStrategy&&) noexcept = default;

void ModelStrategy::SyncHistory(absl::Span<const Fixture> history, absl::Time day_start) {
  if (history.size() < consumed_) {  // A new run: start again.
    table_ = ratings::MatchTable();
    consumed_ = 0;
    fitted_day_.reset();
    model_fitted_ = false;
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
    if (auto g = market_goals_.find(f.id()); g != market_goals_.end()) {
      r.market_home_goals = g->second.first;
      r.market_away_goals = g->second.second;
    }
    if (options_.model_kind == ratings::ModelKind::kShots) {
      // Football-data's HST / AST of the finished match (absent when the file has none).
      const auto& stats = f.statistics();
      auto hst = stats.find("home.shots_on_target"), ast = stats.find("away.shots_on_target");
      if (hst != stats.end() && ast != stats.end() && hst->second >= 0 && ast->second >= 0) {
        r.home_shots_on_target = static_cast<int>(hst->second);
        r.away_shots_on_target = static_cast<int>(ast->second);
      }
    }
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
  model_fitted_ = false;
  if (model_ == nullptr) return;
  // The team model reads only table_ rows before `day` (table_ ends with the last day before it)
  // and warm-starts from its previous fit (bench/README.md, "Ratings").
  const absl::Time day_start = absl::FromCivil(day, absl::UTCTimeZone());
  if (model_->FitBefore(table_, day_start).ok()) {
    model_fitted_ = true;
    ++fits_;
  } else if (table_.LowerBound(day_start) -
                 table_.LowerBound(day_start - absl::Hours(24) * options_.window_days) >=
             static_cast<size_t>(std::max(1, options_.min_fit_matches))) {
    ++failed_fits_;  // Enough matches, but the fit did not converge: no forecast that day.
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
    if (helper_ != nullptr) {
      // RefitPool reads scored_ and writes pool_fit_; RefitModel reads table_ and writes the
      // model and its counters: disjoint, so the day's results are those of the serial order.
      absl::Status pool_status;
      helper_->Start([this, day, &pool_status] { pool_status = RefitPool(day); });
      RefitModel(day);
      helper_->Wait();
      SUPERBET_RETURN_IF_ERROR(pool_status);
    } else {
      RefitModel(day);
      SUPERBET_RETURN_IF_ERROR(RefitPool(day));
    }
  }
  Decision d;
  if (!model_fitted_) return d;
  auto p = model_->Forecast(TeamKey(match.fixture.home()), TeamKey(match.fixture.away()));
  if (!p.ok()) return d;  // A team without enough matches in the window: no forecast.
  const std::array<double, 3> model_probs = {p->one_x_two.home, p->one_x_two.draw,
                                             p->one_x_two.away};
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
  if (n == "model") {
    auto strategy = std::make_unique<ModelStrategy>(model_options, market_lines);
    if (!strategy->init_status().ok()) return strategy->init_status();
    return std::unique_ptr<Strategy>(std::move(strategy));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown strategy '", name, "' (expected favourite, home or model)"));
}

}  // namespace superbet::backtest
