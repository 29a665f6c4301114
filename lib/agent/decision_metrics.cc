#include "superbet/agent/decision_metrics.h"

#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace superbet::agent {

namespace v1 = superbet::v1;

absl::StatusOr<std::unique_ptr<DecisionMetrics>> DecisionMetrics::Create(
    core::MetricsRegistry& registry, const hrl::LiveDecider& decider) {
  auto bets = registry.AddCounter("hrl_bets_total", "Bets accepted by the risk gate", {"agent"});
  auto rejected = registry.AddCounter("hrl_risk_gate_rejected_total",
                                      "Decisions denied by the risk gate", {"reason"});
  auto budget =
      registry.AddGauge("hrl_budget_remaining", "Free bankroll over the initial bankroll", {});
  auto stale = registry.AddGauge("hrl_data_staleness_seconds",
                                 "Data staleness of the last decided state, seconds", {});
  for (const absl::Status& s :
       {bets.status(), rejected.status(), budget.status(), stale.status()}) {
    if (!s.ok()) return s;
  }
  auto live = (*bets)->WithLabels({"live"});
  auto b = (*budget)->WithLabels({});
  if (!live.ok()) return live.status();
  if (!b.ok()) return b.status();
  std::unique_ptr<DecisionMetrics> m(new DecisionMetrics(decider));
  m->bets_live_ = *live;
  m->rejected_ = *rejected;
  m->budget_ = *b;
  m->staleness_family_ = *stale;  // Its one series exists from the first decided state on.
  m->budget_->Set(decider.budget_ratio());
  return m;
}

void DecisionMetrics::Count(const v1::LiveMatchState& state, const v1::Decision& d) {
  core::Gauge* staleness = staleness_.load(std::memory_order_acquire);
  if (staleness == nullptr) {
    auto g = staleness_family_->WithLabels({});  // No labels: cannot fail.
    if (g.ok()) {
      staleness = *g;
      staleness_.store(staleness, std::memory_order_release);
    }
  }
  if (staleness != nullptr) staleness->Set(state.data_staleness_s());
  if (d.verdict() == v1::VERDICT_ACCEPTED) {
    bets_live_->Increment();
  } else if (const std::optional<risk::DenialReason> reason = risk::DenialReasonFromId(d.reason());
             reason.has_value()) {
    std::atomic<core::Counter*>& slot = rejected_by_reason_[static_cast<size_t>(*reason)];
    core::Counter* c = slot.load(std::memory_order_acquire);
    if (c == nullptr) {
      if (auto r = rejected_->WithLabels({d.reason()}); r.ok()) {
        c = *r;
        slot.store(c, std::memory_order_release);
      }
    }
    if (c != nullptr) c->Increment();
  } else if (auto r = rejected_->WithLabels({d.reason()}); r.ok()) {
    (*r)->Increment();  // Not a reason of this build's gate: counted all the same.
  }
  budget_->Set(decider_.budget_ratio());
}

void DecisionMetrics::UpdateBudget() { budget_->Set(decider_.budget_ratio()); }

absl::Status DecideBatch(hrl::LiveDecider& decider, const core::Clock& clock,
                         const v1::DecideRequest& request, DecisionMetrics* metrics,
                         v1::DecideResponse* response, SettlementSync* settlement) {
  if (request.states_size() > kMaxDecideBatch) {
    return absl::InvalidArgumentError(absl::StrCat("states: at most ", kMaxDecideBatch,
                                                   " per call, got ", request.states_size()));
  }
  // Validated whole first, so that a bad state decides nothing of its batch.
  for (int i = 0; i < request.states_size(); ++i) {
    const v1::LiveMatchState& s = request.states(i);
    if (s.match_id().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("states[", i, "].match_id is empty"));
    }
    if (!s.has_minute() || s.minute() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("states[", i, "].minute must be >= 0, got ",
                       s.has_minute() ? absl::StrCat(s.minute()) : std::string("absent")));
    }
    if (s.has_live_odds()) {
      const std::pair<const char*, double> prices[] = {{"home", s.live_odds().home()},
                                                       {"draw", s.live_odds().draw()},
                                                       {"away", s.live_odds().away()}};
      for (const auto& [name, odds] : prices) {
        if (odds != 0 && !(std::isfinite(odds) && odds > 1)) {
          return absl::InvalidArgumentError(absl::StrCat("states[", i, "].live_odds.", name,
                                                         " must be decimal odds > 1 (or 0: not "
                                                         "quoted), got ",
                                                         odds));
        }
      }
    }
    if (!std::isfinite(s.data_staleness_s()) || s.data_staleness_s() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "states[", i, "].data_staleness_s must be a finite number of seconds >= 0, got ",
          s.data_staleness_s()));
    }
  }
  const bool settle = settlement != nullptr && !request.dry_run();
  for (int i = 0; i < request.states_size(); ++i) {
    const v1::LiveMatchState& state = request.states(i);
    if (settle) settlement->OnState(state, clock.Now());
    auto d = decider.Decide(state, clock.Now(), request.dry_run());
    if (!d.ok()) {
      return absl::Status(d.status().code(),
                          absl::StrCat("states[", i, "]: ", d.status().message()));
    }
    if (!request.dry_run() && metrics != nullptr) metrics->Count(state, *d);
    if (settle && d->verdict() == v1::VERDICT_ACCEPTED) {
      settlement->OnDecision(*d);
    }
    *response->add_decisions() = *std::move(d);  // Both off any arena: a swap, not a copy.
  }
  // Count has set hrl_budget_remaining after each recorded decision; a dry run changes nothing.
  return absl::OkStatus();
}

}  // namespace superbet::agent
