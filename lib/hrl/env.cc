// PreMatchEnv (include/superbet/hrl/env.h).

#include "superbet/hrl/env.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "superbet/model/fixture.h"

namespace superbet::hrl {
namespace {

using superbet::v1::BettingLine;
using superbet::v1::Fixture;

struct Prices {
  std::vector<BettingLine> lines;  // The bookmaker's 1X2 lines of the fixture.
};

std::optional<std::array<double, 3>> Triple(absl::Span<const BettingLine> lines,
                                            const std::string& bookmaker, bool closing) {
  auto t = model::OneXTwoPrices(lines, "", bookmaker,
                                closing ? model::PriceTime::kClosing : model::PriceTime::kPreMatch);
  if (!t.has_value()) return std::nullopt;
  std::array<double, 3> o = {t->home(), t->draw(), t->away()};
  for (double v : o) {
    if (!(std::isfinite(v) && v > 1.0)) return std::nullopt;
  }
  return o;
}

}  // namespace

absl::string_view PreMatchActionName(PreMatchAction action) {
  switch (action) {
    case PreMatchAction::kBackHome:
      return "home";
    case PreMatchAction::kBackDraw:
      return "draw";
    case PreMatchAction::kBackAway:
      return "away";
    case PreMatchAction::kNoBet:
      return "no_bet";
  }
  return "no_bet";
}

int OutcomeIndex(const superbet::v1::Score& s) {
  return s.home() > s.away() ? 0 : s.home() == s.away() ? 1 : 2;
}

absl::StatusOr<PreMatchEnv> PreMatchEnv::Create(absl::Span<const Fixture> fixtures,
                                                absl::Span<const BettingLine> lines,
                                                const PreMatchEnvOptions& options) {
  if (!(std::isfinite(options.initial_budget) && options.initial_budget > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("initial_budget must be finite and > 0, got ", options.initial_budget));
  }
  if (!(options.stake_fraction > 0 && options.stake_fraction <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stake_fraction must be in (0, 1], got ", options.stake_fraction));
  }
  const PreMatchFeatureOptions& fo = options.features;
  if (fo.form_window < 1 || fo.min_matches < 1 || fo.min_matches > fo.form_window ||
      fo.refit_days < 1 || fo.dixon_coles_window_days < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "feature options: form_window >= 1, min_matches in [1, form_window], refit_days >= 1, "
        "dixon_coles_window_days >= 1; got ",
        fo.form_window, ", ", fo.min_matches, ", ", fo.refit_days, ", ",
        fo.dixon_coles_window_days));
  }
  PreMatchEnv env;
  env.options_ = options;
  absl::flat_hash_map<std::string, std::vector<BettingLine>> by_fixture;
  for (const BettingLine& l : lines) {
    if (l.is_live() || l.market() != superbet::v1::MARKET_1X2 ||
        l.bookmaker() != options.bookmaker) {
      continue;
    }
    by_fixture[l.fixture_id()].push_back(l);
  }
  const absl::flat_hash_set<std::string> seasons(options.step_seasons.begin(),
                                                 options.step_seasons.end());
  std::vector<size_t> order(fixtures.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<absl::Time> kickoff(fixtures.size());
  for (size_t i = 0; i < fixtures.size(); ++i) {
    kickoff[i] = model::KickoffTime(fixtures[i]).value_or(absl::InfinitePast());
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return kickoff[a] < kickoff[b]; });
  PreMatchFeatureState state(options.features);
  std::vector<std::pair<absl::Time, size_t>> running;  // (end, fixture) not yet in the history.
  for (size_t idx : order) {
    const Fixture& f = fixtures[idx];
    const absl::Time t = kickoff[idx];
    // Matches over by t join the history, in the order they ended.
    std::stable_sort(running.begin(), running.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t over = 0;
    while (over < running.size() && running[over].first <= t) {
      state.AddFinished(fixtures[running[over].second]);
      ++over;
    }
    running.erase(running.begin(), running.begin() + over);
    if (!f.has_full_time()) continue;
    running.emplace_back(MatchEnd(f), idx);
    if (!seasons.empty() && !seasons.contains(f.season())) continue;
    auto it = by_fixture.find(f.id());
    const absl::Span<const BettingLine> fl =
        it == by_fixture.end() ? absl::Span<const BettingLine>() : it->second;
    const auto opening = Triple(fl, options.bookmaker, false);
    const auto decision = options.decide_at_closing ? Triple(fl, options.bookmaker, true) : opening;
    if (!decision.has_value() || (options.decide_at_closing && !opening.has_value())) {
      ++env.skipped_no_odds_;
      continue;
    }
    Fixture pre = f;  // What was known before kickoff: no result, no statistics.
    pre.clear_full_time();
    pre.clear_half_time();
    pre.clear_statistics();
    pre.set_status(superbet::v1::FIXTURE_STATUS_SCHEDULED);
    auto obs = state.Observe(pre, *decision, options.decide_at_closing ? opening : std::nullopt);
    if (!obs.ok()) {
      return absl::Status(obs.status().code(), absl::StrCat(f.id(), ": ", obs.status().message()));
    }
    env.observations_.push_back(*std::move(obs));
    env.outcomes_.push_back(OutcomeIndex(f.full_time()));
    env.ends_.push_back(MatchEnd(f));
  }
  env.dixon_coles_fits_ = state.dixon_coles_fits();
  env.Reset();
  return env;
}

void PreMatchEnv::Reset() {
  next_ = 0;
  cash_ = options_.initial_budget;
  pending_.clear();
  settled_.clear();
  last_bets_.clear();
}

absl::Status PreMatchEnv::Act(PreMatchAction action, double confidence) {
  if (done()) return absl::FailedPreconditionError("PreMatchEnv::Act after the last step");
  if (!(confidence >= 0 && confidence <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("confidence must be in [0, 1], got ", confidence));
  }
  double stake = 0;
  if (action != PreMatchAction::kNoBet) {
    stake = std::min(options_.stake_fraction * cash_, cash_);
    cash_ -= stake;
  }
  pending_.push_back({next_, action, confidence, stake});
  ++next_;
  // Settle what is over by the next kickoff (everything after the last step), in end order.
  const absl::Time horizon = done() ? absl::InfiniteFuture() : observations_[next_].kickoff;
  std::stable_sort(pending_.begin(), pending_.end(), [&](const Pending& a, const Pending& b) {
    return ends_[a.step] < ends_[b.step];
  });
  size_t over = 0;
  while (over < pending_.size() && ends_[pending_[over].step] <= horizon) {
    if (absl::Status s = Settle(pending_[over]); !s.ok()) return s;
    ++over;
  }
  pending_.erase(pending_.begin(), pending_.begin() + over);
  return absl::OkStatus();
}

absl::Status PreMatchEnv::Settle(const Pending& p) {
  SettledStep s;
  s.step = p.step;
  s.action = p.action;
  s.confidence = p.confidence;
  s.stake = p.stake;
  s.outcome = outcomes_[p.step];
  if (p.action != PreMatchAction::kNoBet) {
    const int pick = static_cast<int>(p.action);
    s.decimal_odds = observations_[p.step].decimal_odds[pick];
    s.payout = pick == s.outcome ? p.stake * s.decimal_odds : 0.0;
    cash_ += s.payout;
    last_bets_.emplace_back(s.payout > s.stake, s.decimal_odds);
    if (last_bets_.size() > 10) last_bets_.erase(last_bets_.begin());
  }
  double wins = 0, odds_sum = 0;
  for (const auto& [won, odds] : last_bets_) {
    wins += won ? 1 : 0;
    odds_sum += odds;
  }
  reward::RewardInputs in;
  in.payout = s.payout;
  in.stake = s.stake;
  in.sigma = 1.0;
  in.rho = reward::Rho(p.confidence);
  in.budget_remaining = cash_;
  in.initial_budget = options_.initial_budget;
  in.data_staleness_s = 0;
  in.win_rate_last10 = last_bets_.empty() ? 0.0 : wins / last_bets_.size();
  in.mean_decimal_odds_last10 = last_bets_.empty() ? 2.0 : odds_sum / last_bets_.size();
  auto terms = reward::ComputeReward(in, options_.reward);
  if (!terms.ok()) {
    return absl::Status(
        terms.status().code(),
        absl::StrCat(observations_[p.step].match_id, ": reward: ", terms.status().message()));
  }
  s.reward = *terms;
  settled_.push_back(s);
  return absl::OkStatus();
}

std::vector<SettledStep> PreMatchEnv::TakeSettled() {
  std::vector<SettledStep> out;
  out.swap(settled_);
  return out;
}

}  // namespace superbet::hrl
