#include "superbet/hrl/live_decider.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "google/protobuf/util/time_util.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/settlement.h"
#include "superbet/model/masking.h"
#include "superbet/reward/reward.h"
#include "superbet/scoring/metrics.h"
#include "superbet/scoring/prediction_json.h"

namespace superbet::hrl {
namespace {

namespace v1 = superbet::v1;

// The live-v1 slot layout of superbet/hrl/live_env.h (kept in step with live_env.cc; the test
// compares whole rows with the environment's).
constexpr int kSlotImplied = 14;
constexpr int kSlotOddsMask = 17;
constexpr int kSlotAvgDa = 18;
constexpr int kSlotAvgDaMask = 21;
constexpr int kSlotBudget = 24;
constexpr int kSlotSigma = 25;
constexpr std::array<int, 3> kMomentumMinutes = {1, 5, 15};
constexpr int kHistoryMinutes = 16;

std::optional<double> DangerousAttacks(const v1::LiveMatchState& s) {
  if (!s.home().has_dangerous_attacks() || !s.away().has_dangerous_attacks()) return std::nullopt;
  return static_cast<double>(s.home().dangerous_attacks() + s.away().dangerous_attacks());
}

// The full 1X2 of a state when all three prices are finite and > 1.
std::optional<std::array<double, 3>> Prices(const v1::LiveMatchState& s) {
  if (!s.has_live_odds()) return std::nullopt;
  const std::array<double, 3> p = {s.live_odds().home(), s.live_odds().draw(),
                                   s.live_odds().away()};
  for (double o : p) {
    if (!std::isfinite(o) || o <= 1.0) return std::nullopt;
  }
  return p;
}

absl::Status CheckState(const v1::LiveMatchState& state) {
  if (state.match_id().empty()) return absl::InvalidArgumentError("state.match_id is empty");
  if (!state.has_minute()) return absl::InvalidArgumentError("state.minute is absent");
  if (state.minute() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("state.minute must be >= 0, got ", state.minute()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LiveRow> LiveRowFromState(const v1::LiveMatchState& state,
                                         const std::map<int, v1::LiveMatchState>& history,
                                         double budget_ratio, double sigma_training_median_sd) {
  if (!state.has_minute() || state.minute() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("state.minute must be >= 0, got ",
                     state.has_minute() ? absl::StrCat(state.minute()) : std::string("absent")));
  }
  const int k = state.minute();
  LiveRow row{};
  const model::MaskedFeatures f = model::Mask(state);
  for (int i = 0; i < model::kLiveFeatureCount; ++i) {
    row[i] = f.value[i];
    row[model::kLiveFeatureCount + i] = f.mask[i];
  }
  if (const auto p = Prices(state)) {
    for (int i = 0; i < 3; ++i) row[kSlotImplied + i] = static_cast<float>(1.0 / (*p)[i]);
    row[kSlotOddsMask] = 1;
  }
  const std::optional<double> da = DangerousAttacks(state);
  for (int i = 0; i < 3; ++i) {
    const int w = kMomentumMinutes[i];
    if (k - w < 0 || !da) continue;
    auto it = history.find(k - w);
    if (it == history.end()) continue;
    const std::optional<double> before = DangerousAttacks(it->second);
    if (!before) continue;
    row[kSlotAvgDa + i] = static_cast<float>((*da - *before) / w);
    row[kSlotAvgDaMask + i] = 1;
  }
  row[kSlotBudget] = static_cast<float>(budget_ratio);
  row[kSlotSigma] =
      static_cast<float>(0.5 * (PickSigma(state, history, 0, sigma_training_median_sd) +
                                PickSigma(state, history, 2, sigma_training_median_sd)));
  return row;
}

LiveDecider::LiveDecider(v1::Checkpoint checkpoint, std::string path, LiveWorker worker,
                         risk::RiskGate gate, double sigma_median,
                         const LiveDeciderOptions& options)
    : checkpoint_(std::move(checkpoint)),
      path_(std::move(path)),
      sigma_median_(sigma_median),
      options_(options),
      worker_(std::move(worker)),
      gate_(std::move(gate)),
      bankroll_(options.initial_bankroll),
      tracker_(scoring::EvaluationTracker::kLiveWindow) {}

absl::StatusOr<std::unique_ptr<LiveDecider>> LiveDecider::Load(const std::string& dir,
                                                               const LiveDeciderOptions& options) {
  absl::StatusOr<v1::Checkpoint> c = LoadCheckpoint(dir, LiveFeatureSpec());
  if (!c.ok()) return c.status();
  return FromCheckpoint(*std::move(c), dir + "/checkpoint.pb", options);
}

absl::StatusOr<std::unique_ptr<LiveDecider>> LiveDecider::FromCheckpoint(
    v1::Checkpoint checkpoint, std::string path, const LiveDeciderOptions& options) {
  if (!(options.initial_bankroll > 0) || !std::isfinite(options.initial_bankroll)) {
    return absl::InvalidArgumentError(
        absl::StrCat("initial_bankroll must be > 0, got ", options.initial_bankroll));
  }
  if (!(options.stake_fraction > 0 && options.stake_fraction <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stake_fraction must be in (0, 1], got ", options.stake_fraction));
  }
  absl::StatusOr<LiveWorker> worker = LoadLiveWorker(checkpoint);
  if (!worker.ok()) return worker.status();
  absl::StatusOr<LiveEnvOptions> env = LiveEnvOptionsFromCheckpoint(checkpoint);
  if (!env.ok()) return env.status();
  absl::StatusOr<risk::RiskGate> gate = risk::RiskGate::Create(options.limits);
  if (!gate.ok()) return gate.status();
  return std::unique_ptr<LiveDecider>(new LiveDecider(std::move(checkpoint), std::move(path),
                                                      *std::move(worker), *std::move(gate),
                                                      env->sigma_training_median_sd, options));
}

double LiveDecider::bankroll() const {
  absl::MutexLock lock(&mu_);
  return bankroll_;
}

double LiveDecider::budget_ratio() const { return bankroll() / options_.initial_bankroll; }

risk::GateCounts LiveDecider::gate_counts() const {
  absl::MutexLock lock(&mu_);
  return gate_.counts();
}

double LiveDecider::open_stake(const std::string& match_id) const {
  absl::MutexLock lock(&mu_);
  return gate_.OpenExposure(match_id);
}

absl::Status LiveDecider::RecordSettlement(const std::string& match_id, double stake, double payout,
                                           absl::Time settled_at) {
  if (match_id.empty()) return absl::InvalidArgumentError("match_id is empty");
  if (!(std::isfinite(stake) && stake > 0)) {
    return absl::InvalidArgumentError(absl::StrCat("stake must be finite and > 0, got ", stake));
  }
  if (!(std::isfinite(payout) && payout >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("payout must be finite and >= 0, got ", payout));
  }
  absl::MutexLock lock(&mu_);
  const double open = gate_.OpenExposure(match_id);
  // The open stake is a sum of the same doubles; allow its rounding only.
  if (stake > open + 1e-9 * std::max(1.0, open)) {
    return absl::FailedPreconditionError(absl::StrCat("stake ", stake, " on ", match_id,
                                                      " exceeds its open stake ", open,
                                                      " (settled twice, or not accepted here)"));
  }
  bankroll_ += payout;
  gate_.RecordSettlement(match_id, stake, payout - stake, settled_at);
  return absl::OkStatus();
}

absl::Status LiveDecider::RestoreDecision(const v1::Decision& line) {
  const v1::Prediction& p = line.prediction();
  if (line.has_profit()) {
    return absl::InvalidArgumentError(
        "profit is set: a settlement line (restore it with RestoreSettlement)");
  }
  if (p.match_id().empty()) return absl::InvalidArgumentError("prediction.match_id is empty");
  const bool accepted = line.verdict() == v1::VERDICT_ACCEPTED;
  if (!accepted && line.verdict() != v1::VERDICT_DENIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("verdict must be VERDICT_ACCEPTED or VERDICT_DENIED, got ",
                     v1::Verdict_Name(line.verdict())));
  }
  if (accepted && !(std::isfinite(line.stake()) && line.stake() > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stake of an accepted decision must be finite and > 0, got ", line.stake()));
  }
  const int pick = scoring::PickIndex(p.pick());
  if (accepted) {
    const bool priced = pick == 0   ? p.odds().has_home() && p.odds().home() > 1
                        : pick == 2 ? p.odds().has_away() && p.odds().away() > 1
                                    : false;
    if (!priced) {
      return absl::InvalidArgumentError(absl::StrCat(
          "an accepted decision needs prediction.pick home or away and its odds > 1, got pick '",
          p.pick(), "'"));
    }
  }
  if (!accepted && line.reason().empty()) {
    return absl::InvalidArgumentError("reason of a denied decision is empty");
  }
  absl::MutexLock lock(&mu_);
  if (accepted && line.stake() > bankroll_ * (1 + 1e-12)) {
    return absl::FailedPreconditionError(
        absl::StrCat("stake ", line.stake(), " exceeds the restored free bankroll ", bankroll_,
                     " (a ledger of another bankroll?)"));
  }
  if (accepted) {
    gate_.RecordAccepted(p, line.stake());
    bankroll_ -= line.stake();
  } else {
    gate_.RecordDenied(line.reason());
  }
  // Decide tracked every non-dry-run pick whose metrics could be computed.
  const int sel = scoring::PickIndex(p.pick());
  if (p.action() != v1::ACTION_NO_BET && (sel == 0 || sel == 2)) {
    v1::Prediction q = p;
    if (scoring::SetPickMetrics(q).ok()) {
      const absl::Time at = absl::FromUnixNanos(
          google::protobuf::util::TimeUtil::TimestampToNanoseconds(p.decided_at()));
      tracker_
          .Record(p.match_id(), sel, at, sel == 0 ? p.prob().home() : p.prob().away(),
                  sel == 0 ? p.odds().home() : p.odds().away())
          .status()
          .IgnoreError();  // Decide's Preview failed the same way: not tracked then either.
    }
  }
  return absl::OkStatus();
}

absl::Status LiveDecider::RestoreSettlement(const v1::Decision& line, absl::Time settled_at) {
  absl::StatusOr<SettlementLinePayout> paid = PayoutOfSettlementLine(line);
  if (!paid.ok()) return paid.status();
  return RecordSettlement(line.prediction().match_id(), line.stake(), paid->payout, settled_at);
}

absl::StatusOr<v1::Decision> LiveDecider::Decide(const v1::LiveMatchState& state, absl::Time now,
                                                 bool dry_run) {
  if (absl::Status s = CheckState(state); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  MatchHistory& h = history_[state.match_id()];
  const int k = state.minute();
  absl::StatusOr<LiveRow> row =
      LiveRowFromState(state, h.states, bankroll_ / options_.initial_bankroll, sigma_median_);
  if (!row.ok()) return row.status();
  h.states[k] = state;
  h.rows[k] = *row;
  while (!h.states.empty() && h.states.begin()->first < k - kHistoryMinutes) {
    h.states.erase(h.states.begin());
  }
  while (!h.rows.empty() && h.rows.begin()->first < k - kHistoryMinutes)
    h.rows.erase(h.rows.begin());

  // The window k-9 .. k, oldest first; a minute never seen is an invalid (all-zero) step.
  // obs_ and valid_ are reused across calls (no allocation per call).
  obs_.assign(kLiveWindow * kLiveInputWidth, 0.0f);
  valid_.assign(kLiveWindow, 0.0f);
  for (int t = 0; t < kLiveWindow; ++t) {
    auto it = h.rows.find(k - (kLiveWindow - 1) + t);
    if (it == h.rows.end()) continue;
    std::copy(it->second.begin(), it->second.end(), obs_.begin() + t * kLiveInputWidth);
    valid_[t] = 1;
  }
  return DecideOnWindow(state, h.states, obs_, valid_, now, dry_run);
}

absl::StatusOr<v1::Decision> LiveDecider::DecideWithHistory(
    const v1::LiveMatchState& state, const std::map<int, v1::LiveMatchState>& history,
    absl::Time now, bool dry_run) {
  if (absl::Status s = CheckState(state); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  const int k = state.minute();
  const double budget_ratio = bankroll_ / options_.initial_bankroll;
  obs_.assign(kLiveWindow * kLiveInputWidth, 0.0f);
  valid_.assign(kLiveWindow, 0.0f);
  for (int t = 0; t < kLiveWindow; ++t) {
    const int j = k - (kLiveWindow - 1) + t;
    const v1::LiveMatchState* s = &state;
    if (j != k) {
      auto it = history.find(j);
      if (j < 0 || it == history.end()) continue;
      s = &it->second;
    }
    absl::StatusOr<LiveRow> row = LiveRowFromState(*s, history, budget_ratio, sigma_median_);
    if (!row.ok()) return row.status();
    std::copy(row->begin(), row->end(), obs_.begin() + t * kLiveInputWidth);
    valid_[t] = 1;
  }
  return DecideOnWindow(state, history, obs_, valid_, now, dry_run);
}

absl::StatusOr<v1::Decision> LiveDecider::DecideOnWindow(
    const v1::LiveMatchState& state, const std::map<int, v1::LiveMatchState>& history,
    const std::vector<float>& obs, const std::vector<float>& valid, absl::Time now, bool dry_run) {
  absl::StatusOr<LiveDecision> d = worker_.Decide(obs, valid);
  if (!d.ok()) return d.status();

  v1::Prediction p;
  p.set_match_id(state.match_id());
  p.set_home(state.home_team());
  p.set_away(state.away_team());
  if (state.has_kickoff()) *p.mutable_kickoff() = state.kickoff();
  p.set_agent("live");
  p.set_model_version(worker_.model_version());
  p.set_confidence(d->confidence);
  p.mutable_prob()->set_home(d->outcome[0]);
  p.mutable_prob()->set_draw(d->outcome[1]);
  p.mutable_prob()->set_away(d->outcome[2]);
  if (const auto prices = Prices(state)) {
    p.mutable_odds()->set_home((*prices)[0]);
    p.mutable_odds()->set_draw((*prices)[1]);
    p.mutable_odds()->set_away((*prices)[2]);
  }
  p.set_data_staleness_s(state.data_staleness_s());
  *p.mutable_decided_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
  p.set_action(d->action == kBetHome   ? v1::ACTION_BET_HOME
               : d->action == kBetAway ? v1::ACTION_BET_AWAY
                                       : v1::ACTION_NO_BET);
  // The tracker's evaluation of the pick, recorded only with the decision (below).
  int tracked_sel = -1;
  if (d->action != kNoBet) {
    const int sel = d->action == kBetHome ? 0 : 2;
    p.set_pick(std::string(scoring::PickName(sel)));
    // Metrics need the pick's price: without it they stay absent and the gate denies the
    // decision (invalid_decision).
    if (scoring::SetPickMetrics(p).ok() && !dry_run) {
      absl::StatusOr<scoring::TrackedMetrics> m =
          tracker_.Preview(state.match_id(), sel, now, d->outcome[sel],
                           sel == 0 ? p.odds().home() : p.odds().away());
      if (m.ok()) {
        tracked_sel = sel;
        if (m->vsnr) p.set_vsnr(*m->vsnr);
        if (m->gamma) p.set_gamma(*m->gamma);
      }
    }
  }
  const double stake = options_.stake_fraction * bankroll_;
  // The state's status: a decision on a match that is not in play is denied (not_in_play).
  const risk::MatchContext match{state.status()};
  // Previewed first: nothing is recorded until the ledger line is written.
  const risk::GateVerdict verdict = gate_.Preview(p, stake, bankroll_, match);
  v1::Decision out;
  *out.mutable_prediction() = std::move(p);
  out.set_bankroll_before(bankroll_);
  out.set_verdict(verdict.accepted ? v1::VERDICT_ACCEPTED : v1::VERDICT_DENIED);
  if (verdict.accepted) {
    out.set_stake(stake);
    // The bet's σ, as the settlement's reward reads it (written on the line, so a restart that
    // reopens the bet from the ledger settles it with the same σ).
    out.set_pick_sigma(
        PickSigma(state, history, scoring::PickIndex(out.prediction().pick()), sigma_median_));
  } else {
    out.set_reason(std::string(risk::DenialReasonId(*verdict.reason)));
    out.set_detail(verdict.detail);
  }
  if (dry_run) return out;
  if (options_.ledger != nullptr) {
    absl::StatusOr<std::string> line = scoring::DecisionToJsonLine(out);
    if (!line.ok()) return line.status();
    // A recovering ledger (core::AppendLog) holds nothing of the failed line: write again.
    if (!*options_.ledger && options_.ledger_recovers) options_.ledger->clear();
    if (!*options_.ledger) {
      return absl::DataLossError(
          "ledger write failed (the stream is still failed from an earlier write); decision not "
          "recorded");
    }
    *options_.ledger << *line << '\n';
    options_.ledger->flush();
    if (!*options_.ledger) {
      return absl::DataLossError("ledger write failed; decision not recorded");
    }
  }
  // The line is written: record the decision. Check gives Preview's verdict (same arguments, and
  // the mutex has been held since).
  gate_.Check(out.prediction(), stake, bankroll_, match);
  if (tracked_sel >= 0) {
    const v1::Prediction& q = out.prediction();
    // Same arguments as the Preview above: it succeeds.
    tracker_
        .Record(q.match_id(), tracked_sel, now, d->outcome[tracked_sel],
                tracked_sel == 0 ? q.odds().home() : q.odds().away())
        .status()
        .IgnoreError();
  }
  if (verdict.accepted) bankroll_ -= stake;
  return out;
}

}  // namespace superbet::hrl
