// UCB1 manager (include/superbet/hrl/manager.h); the design's §4.2 numbers.

#include "superbet/hrl/manager.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace superbet::hrl {

absl::string_view WorkerName(Worker worker) {
  return worker == Worker::kLive ? "live" : "prematch";
}

std::array<double, 6> ManagerState::ToArray() const {
  return {budget_ratio,  risk_score,        market_volatility,
          live_win_rate, prematch_win_rate, staleness_norm};
}

absl::StatusOr<Manager> Manager::Create(const ManagerOptions& o) {
  if (!(std::isfinite(o.initial_budget) && o.initial_budget > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("initial_budget must be finite and > 0, got ", o.initial_budget));
  }
  if (!(o.stake_fraction > 0 && o.stake_fraction <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stake_fraction must be in (0, 1], got ", o.stake_fraction));
  }
  if (!(std::isfinite(o.min_stake) && o.min_stake >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_stake must be finite and >= 0, got ", o.min_stake));
  }
  if (o.win_rate_window < 1 || o.win_rate_window > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("win_rate_window must be in [1, 1000], got ", o.win_rate_window));
  }
  return Manager(o);
}

Manager::Manager(const ManagerOptions& options)
    : options_(options), budget_(options.initial_budget) {}

double Manager::WinRate(Worker w) const {
  const Ring& r = rings_[static_cast<int>(w)];
  if (r.size == 0) return 0.0;
  int wins = 0;
  for (int i = 0; i < r.size; ++i) wins += r.won[i];
  return static_cast<double>(wins) / r.size;
}

double Manager::Score(Worker w) const {
  if (settled_total_ == 0) return 1.0;
  const double n_eff = static_cast<double>(std::max<int64_t>(settled_total_, 1));
  const double n_i = static_cast<double>(placed_[static_cast<int>(w)]);
  return WinRate(w) + std::sqrt(2.0 * std::log(n_eff) / (n_i + 1.0));
}

absl::StatusOr<Allocation> Manager::Allocate(std::array<bool, kWorkerCount> available,
                                             double risk_score, double volatility,
                                             double data_staleness_s) const {
  if (!(std::isfinite(data_staleness_s) && data_staleness_s >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("data_staleness_s must be finite and >= 0, got ", data_staleness_s));
  }
  Allocation a;
  int best = -1;
  for (int i = 0; i < kWorkerCount; ++i) {
    a.ucb[i] = Score(static_cast<Worker>(i));
    if (!available[i]) continue;
    if (best < 0 || a.ucb[i] > a.ucb[best] ||
        (a.ucb[i] == a.ucb[best] && placed_[i] < placed_[best])) {
      best = i;  // Equal score and equal n_i: the earlier worker (live, then prematch) stays.
    }
  }
  if (best < 0) return absl::FailedPreconditionError("no worker is available to allocate to");
  a.worker = static_cast<Worker>(best);
  const double stake = std::min(options_.stake_fraction * budget_, budget_);
  a.skipped = !(stake >= options_.min_stake) || stake <= 0;
  a.stake = a.skipped ? 0.0 : stake;
  a.state.budget_ratio = budget_ / options_.initial_budget;
  a.state.risk_score = risk_score;
  a.state.market_volatility = volatility;
  a.state.live_win_rate = WinRate(Worker::kLive);
  a.state.prematch_win_rate = WinRate(Worker::kPreMatch);
  a.state.staleness_norm = data_staleness_s / 300.0;
  return a;
}

absl::Status Manager::Placed(Worker w, double stake) {
  if (!(std::isfinite(stake) && stake > 0 && stake <= budget_)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stake must be finite, > 0 and <= the budget ", budget_, ", got ", stake));
  }
  budget_ -= stake;
  ++placed_[static_cast<int>(w)];
  return absl::OkStatus();
}

absl::Status Manager::Settled(Worker w, double stake, double payout) {
  if (!(std::isfinite(stake) && stake >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("stake must be finite and >= 0, got ", stake));
  }
  if (!(std::isfinite(payout) && payout >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("payout must be finite and >= 0, got ", payout));
  }
  budget_ += payout;
  Ring& r = rings_[static_cast<int>(w)];
  r.won[r.next] = payout > stake ? 1 : 0;
  r.next = (r.next + 1) % options_.win_rate_window;
  if (r.size < options_.win_rate_window) ++r.size;
  ++settled_total_;
  return absl::OkStatus();
}

}  // namespace superbet::hrl
