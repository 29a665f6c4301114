#include "superbet/risk/gate.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/internal/number_text.h"
#include "superbet/scoring/metrics.h"

namespace superbet::risk {
namespace {

constexpr std::pair<DenialReason, absl::string_view> kReasonIds[] = {
    {DenialReason::kNotInPlay, "not_in_play"},
    {DenialReason::kNoBet, "no_bet"},
    {DenialReason::kInvalidDecision, "invalid_decision"},
    {DenialReason::kStalenessUnknown, "staleness_unknown"},
    {DenialReason::kStaleData, "stale_data"},
    {DenialReason::kKellyNotPositive, "kelly_not_positive"},
    {DenialReason::kStakeNotPositive, "stake_not_positive"},
    {DenialReason::kStakeAboveBankroll, "stake_above_bankroll"},
    {DenialReason::kStakeAboveCap, "stake_above_cap"},
    {DenialReason::kOddsBelowMin, "odds_below_min"},
    {DenialReason::kOddsAboveMax, "odds_above_max"},
    {DenialReason::kDailyStopLoss, "daily_stop_loss"},
    {DenialReason::kMaxDecisionsPerMatch, "max_decisions_per_match"},
    {DenialReason::kMatchExposureLimit, "match_exposure_limit"},
    {DenialReason::kDailyExposureLimit, "daily_exposure_limit"},
};

std::string Num(double v) { return core::internal::ShortestText(v); }

int64_t UtcDay(absl::Time t) {
  const absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
  return day - absl::CivilDay(1970, 1, 1);
}

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::optional<double> PickPrice(const v1::Prediction& p, int pick) {
  const v1::OneXTwo& o = p.odds();
  if (pick == 0 && o.has_home()) return o.home();
  if (pick == 1 && o.has_draw()) return o.draw();
  if (pick == 2 && o.has_away()) return o.away();
  return std::nullopt;
}

std::optional<double> PickProb(const v1::Prediction& p, int pick) {
  const v1::OneXTwo& o = p.prob();
  if (pick == 0 && o.has_home()) return o.home();
  if (pick == 1 && o.has_draw()) return o.draw();
  if (pick == 2 && o.has_away()) return o.away();
  return std::nullopt;
}

bool PositiveFinite(const std::optional<double>& v) {
  return !v.has_value() || (std::isfinite(*v) && *v > 0.0);
}

}  // namespace

absl::string_view DenialReasonId(DenialReason reason) {
  for (const auto& [r, id] : kReasonIds) {
    if (r == reason) return id;
  }
  return "unknown";
}

std::optional<DenialReason> DenialReasonFromId(absl::string_view id) {
  for (const auto& [r, name] : kReasonIds) {
    if (name == id) return r;
  }
  return std::nullopt;
}

absl::Status ValidateRiskLimits(const RiskLimits& l) {
  if (!(std::isfinite(l.max_stake_fraction) && l.max_stake_fraction > 0.0 &&
        l.max_stake_fraction <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_stake_fraction must be in (0, 1], got ", Num(l.max_stake_fraction)));
  }
  if (!(std::isfinite(l.max_staleness_s) && l.max_staleness_s >= 0.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_staleness_s must be finite and >= 0, got ", Num(l.max_staleness_s)));
  }
  for (const auto& [name, v] :
       {std::pair<const char*, std::optional<double>>{"min_decimal_odds", l.min_decimal_odds},
        {"max_decimal_odds", l.max_decimal_odds}}) {
    if (v.has_value() && !(std::isfinite(*v) && *v > 1.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " must be finite and > 1, got ", Num(*v)));
    }
  }
  if (l.min_decimal_odds && l.max_decimal_odds && *l.min_decimal_odds > *l.max_decimal_odds) {
    return absl::InvalidArgumentError(absl::StrCat("min_decimal_odds ", Num(*l.min_decimal_odds),
                                                   " is above max_decimal_odds ",
                                                   Num(*l.max_decimal_odds)));
  }
  for (const auto& [name, v] : {std::pair<const char*, std::optional<double>>{
                                    "max_exposure_per_match", l.max_exposure_per_match},
                                {"max_exposure_per_day", l.max_exposure_per_day},
                                {"daily_stop_loss", l.daily_stop_loss}}) {
    if (!PositiveFinite(v)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " must be finite and > 0, got ", Num(*v)));
    }
  }
  if (l.max_decisions_per_match.has_value() && *l.max_decisions_per_match < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_decisions_per_match must be >= 1, got ", *l.max_decisions_per_match));
  }
  return absl::OkStatus();
}

absl::StatusOr<RiskGate> RiskGate::Create(const RiskLimits& limits) {
  if (absl::Status s = ValidateRiskLimits(limits); !s.ok()) return s;
  return RiskGate(limits);
}

GateVerdict RiskGate::Deny(DenialReason reason, std::string detail) {
  return GateVerdict{false, reason, std::move(detail)};
}

GateVerdict RiskGate::Check(const v1::Prediction& p, double stake, double bankroll,
                            const MatchContext& match) {
  int64_t day = 0;
  GateVerdict v = Evaluate(p, stake, bankroll, match, &day);
  if (!v.accepted) {
    ++counts_.denied;
    ++counts_.denied_by_reason[std::string(DenialReasonId(*v.reason))];
    return v;
  }
  open_stake_by_match_[p.match_id()] += stake;
  ++accepted_by_match_[p.match_id()];
  staked_by_day_[day] += stake;
  ++counts_.accepted;
  return v;
}

void RiskGate::RecordAccepted(const v1::Prediction& p, double stake) {
  open_stake_by_match_[p.match_id()] += stake;
  ++accepted_by_match_[p.match_id()];
  staked_by_day_[UtcDay(ToTime(p.decided_at()))] += stake;
  ++counts_.accepted;
}

void RiskGate::RecordDenied(absl::string_view reason_id) {
  ++counts_.denied;
  ++counts_.denied_by_reason[std::string(reason_id)];
}

GateVerdict RiskGate::Preview(const v1::Prediction& p, double stake, double bankroll,
                              const MatchContext& match) const {
  int64_t day = 0;
  return Evaluate(p, stake, bankroll, match, &day);
}

GateVerdict RiskGate::Evaluate(const v1::Prediction& p, double stake, double bankroll,
                               const MatchContext& match, int64_t* utc_day) const {
  // A finished match is published on match.live one minute after its last live state; nothing
  // else stops a decision on it (issue 17), so the status is the gate's first check.
  if (match.status.has_value() && *match.status != v1::FIXTURE_STATUS_LIVE) {
    const std::string name = v1::FixtureStatus_Name(*match.status);  // "" out of range.
    const bool unknown = name.empty() || *match.status == v1::FIXTURE_STATUS_UNSPECIFIED;
    return Deny(DenialReason::kNotInPlay,
                absl::StrCat("match status ",
                             name.empty() ? absl::StrCat(static_cast<int>(*match.status)) : name,
                             unknown ? " (unknown)" : "", " is not FIXTURE_STATUS_LIVE"));
  }
  const int pick = scoring::PickIndex(p.pick());
  if (p.action() == v1::ACTION_NO_BET || pick < 0) {
    return Deny(DenialReason::kNoBet, p.action() == v1::ACTION_NO_BET
                                          ? "action is ACTION_NO_BET"
                                          : absl::StrCat("no pick (pick \"", p.pick(), "\")"));
  }
  const std::string pick_name(scoring::PickName(pick));
  const std::optional<double> price = PickPrice(p, pick);
  const std::optional<double> prob = PickProb(p, pick);
  if (!price.has_value() || !(std::isfinite(*price) && *price > 1.0)) {
    return Deny(DenialReason::kInvalidDecision,
                price
                    ? absl::StrCat("odds.", pick_name, " must be finite and > 1, got ", Num(*price))
                    : absl::StrCat("odds.", pick_name, " (the pick's price) is missing"));
  }
  if (!prob.has_value() || !(std::isfinite(*prob) && *prob >= 0.0 && *prob <= 1.0)) {
    return Deny(DenialReason::kInvalidDecision,
                prob ? absl::StrCat("prob.", pick_name, " must be in [0, 1], got ", Num(*prob))
                     : absl::StrCat("prob.", pick_name, " (the pick's probability) is missing"));
  }
  if (!std::isfinite(stake)) {
    return Deny(DenialReason::kInvalidDecision,
                absl::StrCat("stake must be finite, got ", Num(stake)));
  }
  if (!(std::isfinite(bankroll) && bankroll > 0.0)) {
    return Deny(DenialReason::kInvalidDecision,
                absl::StrCat("bankroll must be finite and > 0, got ", Num(bankroll)));
  }
  if (!p.has_data_staleness_s()) {
    if (!limits_.allow_unknown_staleness) {
      return Deny(DenialReason::kStalenessUnknown, "data_staleness_s is absent");
    }
  } else if (!(p.data_staleness_s() <= limits_.max_staleness_s)) {  // NaN is stale too.
    return Deny(DenialReason::kStaleData,
                absl::StrCat("data_staleness_s ", Num(p.data_staleness_s()), " > ",
                             Num(limits_.max_staleness_s)));
  }
  if (!(p.kelly_fraction() > 0.0)) {
    return Deny(DenialReason::kKellyNotPositive,
                absl::StrCat("kelly_fraction ", Num(p.kelly_fraction()), " <= 0"));
  }
  if (!(stake > 0.0)) {
    return Deny(DenialReason::kStakeNotPositive, absl::StrCat("stake ", Num(stake), " <= 0"));
  }
  if (stake > bankroll) {
    return Deny(DenialReason::kStakeAboveBankroll,
                absl::StrCat("stake ", Num(stake), " > bankroll ", Num(bankroll)));
  }
  const double cap = limits_.max_stake_fraction * bankroll;
  if (stake > cap) {
    return Deny(DenialReason::kStakeAboveCap,
                absl::StrCat("stake ", Num(stake), " > ", Num(limits_.max_stake_fraction),
                             " x bankroll ", Num(bankroll), " = ", Num(cap)));
  }
  if (limits_.min_decimal_odds && *price < *limits_.min_decimal_odds) {
    return Deny(DenialReason::kOddsBelowMin,
                absl::StrCat("odds.", pick_name, " ", Num(*price), " < min_decimal_odds ",
                             Num(*limits_.min_decimal_odds)));
  }
  if (limits_.max_decimal_odds && *price > *limits_.max_decimal_odds) {
    return Deny(DenialReason::kOddsAboveMax,
                absl::StrCat("odds.", pick_name, " ", Num(*price), " > max_decimal_odds ",
                             Num(*limits_.max_decimal_odds)));
  }
  const int64_t day = UtcDay(ToTime(p.decided_at()));
  *utc_day = day;
  if (limits_.daily_stop_loss) {
    auto it = realised_by_day_.find(day);
    const double realised = it == realised_by_day_.end() ? 0.0 : it->second;
    if (realised <= -*limits_.daily_stop_loss) {
      return Deny(DenialReason::kDailyStopLoss,
                  absl::StrCat("realised profit ", Num(realised), " on ",
                               absl::FormatCivilTime(absl::CivilDay(1970, 1, 1) + day),
                               " <= -daily_stop_loss ", Num(*limits_.daily_stop_loss)));
    }
  }
  if (limits_.max_decisions_per_match) {
    auto it = accepted_by_match_.find(p.match_id());
    const int n = it == accepted_by_match_.end() ? 0 : it->second;
    if (n >= *limits_.max_decisions_per_match) {
      return Deny(DenialReason::kMaxDecisionsPerMatch,
                  absl::StrCat(p.match_id(), " already has ", n,
                               " accepted decisions (max_decisions_per_match ",
                               *limits_.max_decisions_per_match, ")"));
    }
  }
  if (limits_.max_exposure_per_match) {
    auto it = open_stake_by_match_.find(p.match_id());
    const double open = it == open_stake_by_match_.end() ? 0.0 : it->second;
    if (open + stake > *limits_.max_exposure_per_match) {
      return Deny(
          DenialReason::kMatchExposureLimit,
          absl::StrCat("open stake ", Num(open), " + stake ", Num(stake), " on ", p.match_id(),
                       " > max_exposure_per_match ", Num(*limits_.max_exposure_per_match)));
    }
  }
  if (limits_.max_exposure_per_day) {
    auto it = staked_by_day_.find(day);
    const double staked = it == staked_by_day_.end() ? 0.0 : it->second;
    if (staked + stake > *limits_.max_exposure_per_day) {
      return Deny(
          DenialReason::kDailyExposureLimit,
          absl::StrCat("stake ", Num(staked), " already on ",
                       absl::FormatCivilTime(absl::CivilDay(1970, 1, 1) + day), " + stake ",
                       Num(stake), " > max_exposure_per_day ", Num(*limits_.max_exposure_per_day)));
    }
  }
  return GateVerdict{true, std::nullopt, ""};
}

double RiskGate::OpenExposure(absl::string_view match_id) const {
  auto it = open_stake_by_match_.find(match_id);
  return it == open_stake_by_match_.end() ? 0.0 : it->second;
}

void RiskGate::RecordSettlement(absl::string_view match_id, double stake, double profit,
                                absl::Time settled_at) {
  auto it = open_stake_by_match_.find(match_id);
  if (it != open_stake_by_match_.end()) {
    it->second -= stake;
    if (it->second <= 1e-12) open_stake_by_match_.erase(it);
  }
  realised_by_day_[UtcDay(settled_at)] += profit;
}

}  // namespace superbet::risk
