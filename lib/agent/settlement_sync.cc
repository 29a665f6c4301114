#include "superbet/agent/settlement_sync.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>
#include <vector>

#include "superbet/scoring/metrics.h"

namespace superbet::agent {

namespace v1 = superbet::v1;

absl::StatusOr<std::unique_ptr<SettlementSync>> SettlementSync::Create(
    core::MetricsRegistry& r, double initial_budget, std::ostream* ledger,
    hrl::LiveDecider* decider, std::function<void()> credited) {
  hrl::SettlerOptions o;
  o.initial_budget = initial_budget;
  o.ledger_recovers = true;  // agent-svc's ledger streams are core::AppendLog streams.
  auto settler = hrl::BetSettler::Create(o, ledger);
  if (!settler.ok()) return settler.status();
  std::unique_ptr<SettlementSync> a(new SettlementSync());
  a->settler_ = *std::move(settler);
  a->decider_ = decider;
  a->credited_ = std::move(credited);
  // The design's hrl_reward buckets.
  auto reward = r.AddHistogram("hrl_reward", "Rewards of settled bets", {},
                               {-2, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 5});
  auto sharpe = r.AddGauge("hrl_reward_sharpe", "Mean / sd of the last 100 rewards", {});
  auto ucb = r.AddGauge("hrl_ucb_score", "Manager UCB1 score of the worker", {"agent"});
  auto wr =
      r.AddGauge("hrl_win_rate_last10", "Win rate of the worker's last 10 settled bets", {"agent"});
  auto settled = r.AddCounter("hrl_bets_settled_total", "Settled bets by result (won, lost, void)",
                              {"result"});
  auto refused =
      r.AddCounter("hrl_settle_refused_total", "Accepted decisions not opened for settlement", {});
  for (const absl::Status& s : {reward.status(), sharpe.status(), ucb.status(), wr.status(),
                                settled.status(), refused.status()}) {
    if (!s.ok()) return s;
  }
  auto refused_child = (*refused)->WithLabels({});
  if (!refused_child.ok()) return refused_child.status();
  a->reward_ = *reward;
  a->sharpe_ = *sharpe;
  a->ucb_ = *ucb;
  a->win_rate_ = *wr;
  a->settled_ = *settled;
  a->refused_ = *refused_child;
  return a;
}

namespace {
constexpr absl::Duration kFinalTtl = absl::Hours(24 * 7);
}  // namespace

std::string FinalStateKey(const std::string& match_id) { return "live:final:" + match_id; }

void SettlementSync::OnState(const v1::LiveMatchState& state, absl::Time at) {
  if (state.status() != v1::FIXTURE_STATUS_FINISHED &&
      state.status() != v1::FIXTURE_STATUS_CANCELLED) {
    return;
  }
  if (sharing_.load() && !settler_->IsSettled(state.match_id())) {
    absl::MutexLock lock(&mu_);
    to_store_.push_back(state);
  }
  SettleFinal(state, at);
}

void SettlementSync::Sync(bus::Transport& transport, absl::Time now) {
  std::vector<v1::LiveMatchState> store;
  {
    absl::MutexLock lock(&mu_);
    store.swap(to_store_);
  }
  for (size_t i = 0; i < store.size(); ++i) {
    const v1::LiveMatchState& s = store[i];
    if (absl::Status st =
            transport.Set(FinalStateKey(s.match_id()), s.SerializeAsString(), kFinalTtl);
        !st.ok()) {
      spdlog::error("settle: storing the final state of {}: {}", s.match_id(), st.ToString());
      absl::MutexLock lock(&mu_);
      to_store_.insert(to_store_.end(), store.begin() + i, store.end());  // Next call.
      break;
    }
  }
  if (now - looked_up_at_ < absl::Seconds(1)) return;
  looked_up_at_ = now;
  const std::vector<std::string> open = settler_->OpenMatchIds();
  if (open.empty()) return;
  std::vector<std::string> keys;
  for (const std::string& id : open) keys.push_back(FinalStateKey(id));
  auto values = transport.GetMany(keys);
  if (!values.ok()) {
    spdlog::error("settle: reading final states: {}", values.status().ToString());
    return;
  }
  for (size_t i = 0; i < values->size() && i < open.size(); ++i) {
    if (!(*values)[i].has_value()) continue;
    v1::LiveMatchState state;
    if (!state.ParseFromString(*(*values)[i]) || state.match_id() != open[i]) {
      spdlog::error("settle: {} does not hold a final state of {}", keys[i], open[i]);
      continue;
    }
    spdlog::info("settle {}: final state stored by another replica", open[i]);
    SettleFinal(state, now);
  }
}

void SettlementSync::SettleFinal(const v1::LiveMatchState& state, absl::Time at) {
  absl::StatusOr<hrl::MatchSettlement> m = settler_->Settle(state, at);
  if (!m.ok()) {  // The state settles nothing.
    spdlog::error("settle {}: {}", state.match_id(), m.status().ToString());
    return;
  }
  if (m->already_settled) {
    spdlog::info("settle {}: already settled, nothing to do", state.match_id());
    return;
  }
  if (!m->ledger_write.ok()) {  // Settled all the same: only a ledger line is missing.
    spdlog::error("settle {}: {}", state.match_id(), m->ledger_write.ToString());
  }
  // The payouts return to the decider's bankroll (its budget, the gate's exposure and stop-loss).
  for (const hrl::SettledBet& b : m->bets) {
    if (decider_ == nullptr) break;
    if (absl::Status s = decider_->RecordSettlement(state.match_id(), b.inputs.stake, b.payout, at);
        !s.ok()) {
      spdlog::error("settle {}: crediting the decider: {}", state.match_id(), s.ToString());
    }
  }
  if (decider_ != nullptr && credited_) credited_();
  Export(state.match_id(), *m);
}

void SettlementSync::OnDecision(const v1::Decision& decision) {
  if (decision.verdict() != v1::VERDICT_ACCEPTED) return;
  const double sigma = decision.has_pick_sigma() ? decision.pick_sigma() : 1.0;
  if (absl::Status s = settler_->Open(decision, sigma); !s.ok()) {
    refused_->Increment();
    spdlog::warn("settle: accepted bet on {} not opened: {}", decision.prediction().match_id(),
                 s.ToString());
  }
}

void SettlementSync::Export(const std::string& match_id, const hrl::MatchSettlement& m) {
  if (!m.bets.empty()) {
    auto h = reward_->WithLabels({});
    for (const hrl::SettledBet& b : m.bets) {
      if (h.ok()) (*h)->Observe(b.terms.reward);
      const std::string result(hrl::BetResultName(b.result));
      if (auto c = settled_->WithLabels({result}); c.ok()) (*c)->Increment();
    }
  }
  ExportStats();
  const hrl::SettlerStats st = settler_->stats();
  spdlog::info("settled {}: {} bet(s), {} settled in all, reward sum {}", match_id, m.bets.size(),
               st.settled, st.reward_sum);
}

void SettlementSync::ExportStats() {
  const hrl::SettlerStats st = settler_->stats();
  const std::vector<std::string> live = {"live"};
  if (st.ucb_live) {
    if (auto g = ucb_->WithLabels(live); g.ok()) (*g)->Set(*st.ucb_live);
  }
  if (st.win_rate_live) {
    if (auto g = win_rate_->WithLabels(live); g.ok()) (*g)->Set(*st.win_rate_live);
  }
  if (st.reward_sharpe) {
    if (auto g = sharpe_->WithLabels({}); g.ok()) (*g)->Set(*st.reward_sharpe);
  }
}

}  // namespace superbet::agent
