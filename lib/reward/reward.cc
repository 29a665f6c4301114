#include "superbet/reward/reward.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/internal/number_text.h"
#include "superbet/core/status_macros.h"

namespace superbet::reward {
namespace {

using core::internal::ShortestText;

absl::Status Bad(absl::string_view name, absl::string_view range, double value) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, " must be finite and ", range, ", got ", ShortestText(value)));
}

absl::Status AtLeastZero(absl::string_view name, double value) {
  return std::isfinite(value) && value >= 0.0 ? absl::OkStatus() : Bad(name, ">= 0", value);
}

absl::Status AboveZero(absl::string_view name, double value) {
  return std::isfinite(value) && value > 0.0 ? absl::OkStatus() : Bad(name, "> 0", value);
}

absl::Status InUnitInterval(absl::string_view name, double value) {
  return std::isfinite(value) && value >= 0.0 && value <= 1.0 ? absl::OkStatus()
                                                              : Bad(name, "in [0, 1]", value);
}

absl::Status AboveOne(absl::string_view name, double value) {
  return std::isfinite(value) && value > 1.0 ? absl::OkStatus() : Bad(name, "> 1.0", value);
}

absl::Status CheckOptions(const RewardOptions& o) {
  SUPERBET_RETURN_IF_ERROR(AboveZero("options.epsilon", o.epsilon));
  SUPERBET_RETURN_IF_ERROR(AtLeastZero("options.budget_coefficient", o.budget_coefficient));
  SUPERBET_RETURN_IF_ERROR(
      InUnitInterval("options.budget_floor_fraction", o.budget_floor_fraction));
  SUPERBET_RETURN_IF_ERROR(AtLeastZero("options.staleness_coefficient", o.staleness_coefficient));
  SUPERBET_RETURN_IF_ERROR(AboveZero("options.staleness_scale_s", o.staleness_scale_s));
  return AtLeastZero("options.win_rate_coefficient", o.win_rate_coefficient);
}

absl::Status CheckInputs(const RewardInputs& in) {
  SUPERBET_RETURN_IF_ERROR(AtLeastZero("payout", in.payout));
  SUPERBET_RETURN_IF_ERROR(AtLeastZero("stake", in.stake));
  SUPERBET_RETURN_IF_ERROR(AtLeastZero("sigma", in.sigma));
  SUPERBET_RETURN_IF_ERROR(AtLeastZero("rho", in.rho));
  SUPERBET_RETURN_IF_ERROR(AtLeastZero("budget_remaining", in.budget_remaining));
  SUPERBET_RETURN_IF_ERROR(AboveZero("initial_budget", in.initial_budget));
  SUPERBET_RETURN_IF_ERROR(AtLeastZero("data_staleness_s", in.data_staleness_s));
  SUPERBET_RETURN_IF_ERROR(InUnitInterval("win_rate_last10", in.win_rate_last10));
  return AboveOne("mean_decimal_odds_last10", in.mean_decimal_odds_last10);
}

}  // namespace

absl::StatusOr<RewardTerms> ComputeReward(const RewardInputs& in, const RewardOptions& options) {
  SUPERBET_RETURN_IF_ERROR(CheckOptions(options));
  SUPERBET_RETURN_IF_ERROR(CheckInputs(in));
  const double eps = options.epsilon;
  RewardTerms t;
  t.roi = (in.payout - in.stake) / (in.stake + eps);
  t.risk_adjusted_return = t.roi / (in.sigma * in.rho + eps);
  const double floor = options.budget_floor_fraction;
  t.budget_penalty = in.budget_remaining >= floor * in.initial_budget
                         ? 0.0
                         : options.budget_coefficient *
                               std::max(0.0, floor - in.budget_remaining / in.initial_budget);
  t.staleness_penalty =
      options.staleness_coefficient * (in.data_staleness_s / options.staleness_scale_s);
  t.win_rate_bonus = options.win_rate_coefficient *
                     (in.win_rate_last10 - 1.0 / (in.mean_decimal_odds_last10 + eps));
  t.reward = t.risk_adjusted_return - t.budget_penalty - t.staleness_penalty + t.win_rate_bonus;
  return t;
}

double Rho(double confidence) {
  const double c = std::isnan(confidence) ? 0.0 : std::clamp(confidence, 0.0, 1.0);
  return 0.5 + (1.0 - c);
}

absl::StatusOr<double> Sigma(absl::Span<const double> one_minute_decimal_odds,
                             double training_median_sd, double floor) {
  const size_t n = one_minute_decimal_odds.size();
  if (n < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("one_minute_decimal_odds needs at least 3 prices, got ", n));
  }
  for (size_t i = 0; i < n; ++i) {
    const double o = one_minute_decimal_odds[i];
    // The field's name is built only for the error (a live decision calls this on every state).
    if (!(std::isfinite(o) && o > 1.0)) {
      return AboveOne(absl::StrCat("one_minute_decimal_odds[", i, "]"), o);
    }
  }
  SUPERBET_RETURN_IF_ERROR(AboveZero("training_median_sd", training_median_sd));
  SUPERBET_RETURN_IF_ERROR(AtLeastZero("floor", floor));
  // Two passes (mean, then squared deviations) over the n − 1 log changes, each log taken once.
  const size_t m = n - 1;
  absl::InlinedVector<double, 32> changes(m);
  double mean = 0.0;
  for (size_t i = 1; i < n; ++i) {
    changes[i - 1] = std::log(one_minute_decimal_odds[i] / one_minute_decimal_odds[i - 1]);
    mean += changes[i - 1];
  }
  mean /= static_cast<double>(m);
  double ss = 0.0;
  for (const double c : changes) {
    const double d = c - mean;
    ss += d * d;
  }
  const double sd = std::sqrt(ss / static_cast<double>(m - 1));
  return std::max(floor, sd / training_median_sd);
}

}  // namespace superbet::reward
