// RiskGate: the pre-trade checks every decision passes before it counts (is staked, ledgered as
// accepted and handed to the broadcast plant).
//
// Rules, checked in this order; the first failing one denies the decision and names it with a
// stable reason id (the analogue of nautilus_trader's OrderDenied reason and flumine's
// ControlError / Violation):
//   reason id               denies when
//   not_in_play             the match's status is given (MatchContext::status) and is not
//                           FIXTURE_STATUS_LIVE: finished, scheduled (not started), postponed,
//                           cancelled (abandoned, suspended, ...) or unspecified (a provider status
//                           the adapter could not map: the gate cannot check what it does not
//                           know). Checked first: no bet is taken on such a match, whatever the
//                           action. Without a status (pre-match decisions, backtests) it is
//                           skipped.
//   no_bet                  the action is ACTION_NO_BET or the prediction has no pick
//   invalid_decision        the pick's price or probability is missing or invalid, the stake or
//                           bankroll is not finite, or the bankroll is not > 0
//   staleness_unknown       data_staleness_s is absent (only if
//                           !RiskLimits::allow_unknown_staleness)
//   stale_data              data_staleness_s > max_staleness_s (300 s)
//   kelly_not_positive      kelly_fraction <= 0 (no edge at this price)
//   stake_not_positive      stake <= 0
//   stake_above_bankroll    stake > bankroll
//   stake_above_cap         stake > max_stake_fraction · bankroll (5 %)
//   odds_below_min          the pick's decimal odds < min_decimal_odds
//   odds_above_max          the pick's decimal odds > max_decimal_odds
//   daily_stop_loss         the realised profit of the decision's UTC day <= −daily_stop_loss
//   max_decisions_per_match the match already has max_decisions_per_match accepted decisions
//   match_exposure_limit    open stake on the match + stake > max_exposure_per_match
//   daily_exposure_limit    stake accepted on the decision's UTC day + stake > max_exposure_per_day
// The first four numeric rules (no_bet, stake ≤ 5 % of bankroll and ≤ bankroll, staleness ≤ 300 s,
// Kelly > 0) are the decision core's fixed rules; not_in_play applies whenever a status is given
// (live decisions: a bet on a finished match is a bet on a known result); the others are off
// unless configured. A limit equal to the value passes (≤, not <). Money is in the bankroll's
// currency unit; the "UTC day" of a decision is the calendar date of its decided_at in UTC.
//
// Ownership and thread-safety: a RiskGate owns its counters and exposures; NOT thread-safe (the
// PaperLedger, ledger.h, serialises access to its gate). Deterministic: the verdicts depend only
// on the sequence of calls.

#ifndef SUPERBET_RISK_GATE_H_
#define SUPERBET_RISK_GATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/v1/decision.pb.h"
#include "superbet/v1/model.pb.h"

namespace superbet::risk {

// Why the gate denied a decision. One table (gate.cc) maps each to its stable reason id.
// kDailyExposureLimit stays last (kDenialReasonCount).
enum class DenialReason {
  kNotInPlay,
  kNoBet,
  kInvalidDecision,
  kStalenessUnknown,
  kStaleData,
  kKellyNotPositive,
  kStakeNotPositive,
  kStakeAboveBankroll,
  kStakeAboveCap,
  kOddsBelowMin,
  kOddsAboveMax,
  kDailyStopLoss,
  kMaxDecisionsPerMatch,
  kMatchExposureLimit,
  kDailyExposureLimit,
};
// The number of DenialReason values (they are 0 .. kDenialReasonCount - 1).
inline constexpr int kDenialReasonCount = static_cast<int>(DenialReason::kDailyExposureLimit) + 1;

// The stable reason id ("stake_above_cap", ...), the Decision.reason of a denied decision.
absl::string_view DenialReasonId(DenialReason reason);
// The inverse of DenialReasonId; std::nullopt for an unknown id.
std::optional<DenialReason> DenialReasonFromId(absl::string_view id);

// The gate's configuration. Defaults are the decision core's rules with every optional control off.
struct RiskLimits {
  double max_stake_fraction = 0.05;  // Fraction of bankroll, in (0, 1].
  double max_staleness_s = 300.0;    // Seconds, >= 0.
  // When false (default), a prediction without data_staleness_s is denied (staleness_unknown):
  // the gate cannot check what it does not know. Set true for sources with no price timestamps.
  bool allow_unknown_staleness = false;
  std::optional<double> min_decimal_odds;        // > 1.
  std::optional<double> max_decimal_odds;        // > 1, >= min_decimal_odds.
  std::optional<double> max_exposure_per_match;  // Currency units, > 0: open (unsettled) stake.
  std::optional<double> max_exposure_per_day;    // Currency units, > 0: stake accepted per UTC day.
  std::optional<double> daily_stop_loss;         // Currency units, > 0: realised loss per UTC day.
  std::optional<int> max_decisions_per_match;    // >= 1: accepted decisions per match.
};

// Checks `limits`. Errors: InvalidArgument naming the field and the value.
[[nodiscard]] absl::Status ValidateRiskLimits(const RiskLimits& limits);

// What the gate is told about the match beside the prediction.
struct MatchContext {
  // The match's status when the decision was taken (superbet.v1.LiveMatchState.status of the
  // state decided on). Only FIXTURE_STATUS_LIVE is in play; any other value denies (not_in_play).
  // std::nullopt when the decision has no live state (pre-match, backtests): rule skipped.
  std::optional<v1::FixtureStatus> status;
};

// The gate's verdict on one decision.
struct GateVerdict {
  bool accepted = false;
  std::optional<DenialReason> reason;  // Set iff denied.
  std::string detail;                  // Names the offending value; "" when accepted.
};

// Counts of the gate's verdicts, as plain data (a metrics exporter maps them to its own names).
struct GateCounts {
  int64_t accepted = 0;
  int64_t denied = 0;
  std::map<std::string, int64_t> denied_by_reason;  // Reason id → count; only reasons seen.
};

class RiskGate {
 public:
  // Errors: as ValidateRiskLimits.
  [[nodiscard]] static absl::StatusOr<RiskGate> Create(const RiskLimits& limits);

  // Checks a decision to stake `stake` on `prediction` from a bankroll of `bankroll` (before the
  // stake), `match` saying what is known of the match (its status). An accepted decision is
  // recorded: its stake counts towards the match's open exposure, its UTC day's exposure and the
  // match's decision count. A denied one changes only the counts.
  GateVerdict Check(const v1::Prediction& prediction, double stake, double bankroll,
                    const MatchContext& match = {});

  // The verdict Check would give on the same arguments now, recording nothing (no counts, no
  // exposure): a dry run without copying the gate's per-match and per-day state. A caller that
  // must record only once something else succeeded (a ledger write) previews, does that, then
  // calls Check with the same arguments, which gives the same verdict.
  GateVerdict Preview(const v1::Prediction& prediction, double stake, double bankroll,
                      const MatchContext& match = {}) const;

  // Restoring a gate from a decision ledger (superbet/hrl/live_decider.h RestoreDecision): records
  // `prediction` as accepted with `stake` (currency units) WITHOUT checking any rule, exactly as
  // Check records an accepted decision: the stake adds to the open exposure of its match_id and to
  // the stake accepted on the UTC day of its decided_at, the match's accepted-decision count and
  // counts().accepted rise by one. The caller vouches that the gate accepted it once (a ledger
  // line with VERDICT_ACCEPTED).
  void RecordAccepted(const v1::Prediction& prediction, double stake);
  // Restoring a denied decision: counts().denied and denied_by_reason[reason_id] rise by one
  // (reason_id as written in Decision.reason, e.g. "no_bet"; an id this build does not know is
  // counted under its own name). Nothing else changes.
  void RecordDenied(absl::string_view reason_id);

  // Records the settlement of an accepted decision: its stake leaves the match's open exposure
  // and `profit` (payout − stake, currency units) adds to the realised profit of the UTC day of
  // `settled_at` (for daily_stop_loss).
  void RecordSettlement(absl::string_view match_id, double stake, double profit,
                        absl::Time settled_at);

  // The match's open exposure: the stakes accepted on `match_id` minus those settled, currency
  // units (0 when none).
  double OpenExposure(absl::string_view match_id) const;

  const GateCounts& counts() const { return counts_; }
  const RiskLimits& limits() const { return limits_; }

 private:
  explicit RiskGate(const RiskLimits& limits) : limits_(limits) {}
  static GateVerdict Deny(DenialReason reason, std::string detail);
  // Preview's verdict; `*utc_day` gets the UTC day of decided_at once the checks reach it.
  GateVerdict Evaluate(const v1::Prediction& prediction, double stake, double bankroll,
                       const MatchContext& match, int64_t* utc_day) const;

  RiskLimits limits_;
  GateCounts counts_;
  absl::flat_hash_map<std::string, double> open_stake_by_match_;
  absl::flat_hash_map<std::string, int> accepted_by_match_;
  absl::flat_hash_map<int64_t, double> staked_by_day_;  // Days since the Unix epoch (UTC).
  absl::flat_hash_map<int64_t, double> realised_by_day_;
};

}  // namespace superbet::risk

#endif  // SUPERBET_RISK_GATE_H_
