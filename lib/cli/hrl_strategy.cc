// `superbet backtest --strategy hrl` (lib/cli/hrl_strategy.h).

#include "cli/hrl_strategy.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "superbet/core/status_macros.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/reward/reward.h"
#include "superbet/scoring/metrics.h"

namespace superbet::cli {
namespace {

using hrl::PreMatchAction;

constexpr superbet::v1::Action kActions[] = {
    superbet::v1::ACTION_BET_HOME, superbet::v1::ACTION_BET_DRAW, superbet::v1::ACTION_BET_AWAY,
    superbet::v1::ACTION_NO_BET};
constexpr superbet::v1::Selection kSelections[] = {
    superbet::v1::SELECTION_HOME, superbet::v1::SELECTION_DRAW, superbet::v1::SELECTION_AWAY};

}  // namespace

absl::StatusOr<std::unique_ptr<HrlStrategy>> HrlStrategy::Create(
    std::unique_ptr<hrl::PreMatchWorker> worker, const HrlStrategyOptions& options,
    std::ostream* ledger_out) {
  if (worker == nullptr) return absl::InvalidArgumentError("HrlStrategy needs a worker");
  SUPERBET_ASSIGN_OR_RETURN(hrl::Manager manager, hrl::Manager::Create(options.manager));
  SUPERBET_ASSIGN_OR_RETURN(
      std::unique_ptr<risk::PaperLedger> ledger,
      risk::PaperLedger::Create(options.limits, options.manager.initial_budget, ledger_out));
  return std::unique_ptr<HrlStrategy>(
      new HrlStrategy(std::move(worker), std::move(manager), options, std::move(ledger)));
}

HrlStrategy::HrlStrategy(std::unique_ptr<hrl::PreMatchWorker> worker, hrl::Manager manager,
                         const HrlStrategyOptions& options,
                         std::unique_ptr<risk::PaperLedger> ledger)
    : worker_(std::move(worker)),
      manager_(std::move(manager)),
      options_(options),
      ledger_(std::move(ledger)),
      features_(options.features),
      bet_seasons_(options.bet_seasons.begin(), options.bet_seasons.end()) {}

absl::Status HrlStrategy::Absorb(absl::Span<const superbet::v1::Fixture> history) {
  for (; absorbed_ < history.size(); ++absorbed_) {
    const superbet::v1::Fixture& f = history[absorbed_];
    features_.AddFinished(f);
    auto it = open_.find(f.id());
    if (it == open_.end() || !f.has_full_time()) continue;
    Open& o = it->second;
    const int outcome = hrl::OutcomeIndex(f.full_time());
    hrl::SettledStep s;
    s.action = o.decision.action;
    s.outcome = outcome;
    worker_->Learn(o.obs, o.decision, s, /*learn_policy=*/false);  // Outcome model only.
    if (o.stake > 0) {
      const double payout = o.pick == outcome ? o.stake * o.obs.decimal_odds[o.pick] : 0.0;
      SUPERBET_RETURN_IF_ERROR(manager_.Settled(hrl::Worker::kPreMatch, o.stake, payout));
      SUPERBET_RETURN_IF_ERROR(ledger_->Settle(f.id(), outcome, hrl::MatchEnd(f)).status());
    }
    open_.erase(it);
  }
  return absl::OkStatus();
}

absl::Status HrlStrategy::SettleRemaining(absl::Span<const superbet::v1::Fixture> fixtures) {
  std::vector<superbet::v1::Fixture> rest;
  for (const superbet::v1::Fixture& f : fixtures) {
    if (open_.contains(f.id()) && f.has_full_time()) rest.push_back(f);
  }
  std::stable_sort(rest.begin(), rest.end(), [](const auto& a, const auto& b) {
    return hrl::MatchEnd(a) < hrl::MatchEnd(b);
  });
  std::vector<superbet::v1::Fixture> history;  // Absorb's history view of only these matches.
  for (const superbet::v1::Fixture& f : rest) {
    history.assign(1, f);
    absorbed_ = 0;
    SUPERBET_RETURN_IF_ERROR(Absorb(history));
  }
  return absl::OkStatus();
}

absl::StatusOr<backtest::Decision> HrlStrategy::Decide(
    const backtest::MatchView& match, absl::Span<const superbet::v1::Fixture> history) {
  SUPERBET_RETURN_IF_ERROR(Absorb(history));
  const superbet::v1::Fixture& f = match.fixture;
  SUPERBET_ASSIGN_OR_RETURN(hrl::PreMatchObservation obs,
                            features_.Observe(f, match.decimal_odds, std::nullopt));
  backtest::Decision out;
  if (!bet_seasons_.empty() && !bet_seasons_.contains(f.season())) return out;  // History only.
  ++decisions_;
  const hrl::WorkerDecision d = worker_->Act(obs, /*explore=*/false);
  out.probabilities = d.probabilities;
  const int pick = d.action == PreMatchAction::kNoBet ? -1 : static_cast<int>(d.action);
  SUPERBET_ASSIGN_OR_RETURN(
      hrl::Allocation alloc,
      manager_.Allocate({false, true}, reward::Rho(d.confidence), /*volatility=*/1.0,
                        /*data_staleness_s=*/0.0));
  const double stake = pick < 0 ? 0.0 : alloc.stake;  // 0 also when below the minimum stake.

  superbet::v1::Prediction pr;
  pr.set_match_id(f.id());
  pr.set_home(f.home().name());
  pr.set_away(f.away().name());
  *pr.mutable_kickoff() = f.kickoff();
  pr.mutable_prob()->set_home(d.probabilities[0]);
  pr.mutable_prob()->set_draw(d.probabilities[1]);
  pr.mutable_prob()->set_away(d.probabilities[2]);
  pr.mutable_odds()->set_home(match.decimal_odds[0]);
  pr.mutable_odds()->set_draw(match.decimal_odds[1]);
  pr.mutable_odds()->set_away(match.decimal_odds[2]);
  pr.set_confidence(d.confidence);
  *pr.mutable_decided_at() = f.kickoff();  // As-if time: the prices' time, never the wall clock.
  pr.set_agent("prematch");
  pr.set_model_version(options_.model_version);
  pr.set_data_staleness_s(0.0);
  pr.set_action(kActions[static_cast<int>(d.action)]);
  if (pick >= 0) {
    pr.set_pick(std::string(scoring::PickName(pick)));
    SUPERBET_RETURN_IF_ERROR(scoring::SetPickMetrics(pr));  // kelly_fraction, cas.
  }
  // vsnr (one evaluation per match: fewer than 3) and gamma (no one-minute prices) stay absent.
  superbet::v1::ManagerState ms;
  ms.set_budget_remaining(alloc.state.budget_ratio);
  ms.set_risk_score(alloc.state.risk_score);
  ms.set_market_volatility(alloc.state.market_volatility);
  ms.set_live_agent_wr(alloc.state.live_win_rate);
  ms.set_prematch_agent_wr(alloc.state.prematch_win_rate);
  ms.set_data_staleness(alloc.state.staleness_norm);
  ms.set_worker(std::string(hrl::WorkerName(alloc.worker)));
  ms.set_ucb_live(alloc.ucb[0]);
  ms.set_ucb_prematch(alloc.ucb[1]);
  SUPERBET_ASSIGN_OR_RETURN(superbet::v1::Decision line, ledger_->Submit(pr, stake, &ms));

  Open& open = open_[f.id()];
  open.obs = std::move(obs);
  open.decision = d;
  if (line.verdict() != superbet::v1::VERDICT_ACCEPTED) return out;
  SUPERBET_RETURN_IF_ERROR(manager_.Placed(hrl::Worker::kPreMatch, stake));
  open.stake = stake;
  open.pick = pick;
  out.selection = kSelections[pick];
  out.probability = d.probabilities[pick];
  out.stake = stake;
  return out;
}

absl::StatusOr<superbet::v1::Checkpoint> LoadPreMatchCheckpoint(const std::string& dir) {
  return hrl::LoadCheckpoint(dir, hrl::PreMatchFeatureSpec());
}

absl::Status CheckNoTrainingOverlap(const superbet::v1::Checkpoint& c, const std::string& where,
                                    const std::string& league,
                                    const std::vector<std::string>& bet_labels) {
  std::vector<std::string> overlap;
  for (const std::string& label : bet_labels) {
    const std::string key = absl::StrCat(league, ":", label);
    if (std::find(c.train_seasons().begin(), c.train_seasons().end(), key) !=
        c.train_seasons().end()) {
      overlap.push_back(key);
    }
  }
  if (overlap.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("season(s) ", absl::StrJoin(overlap, ","), " were used to train the checkpoint ",
                   where, " (training seasons ", absl::StrJoin(c.train_seasons(), ","),
                   "); evaluate on other seasons"));
}

absl::StatusOr<std::unique_ptr<HrlStrategy>> MakeHrlStrategy(
    const superbet::v1::Checkpoint& checkpoint, const std::vector<std::string>& bet_labels,
    double bankroll, std::ostream* ledger_out) {
  SUPERBET_ASSIGN_OR_RETURN(std::unique_ptr<hrl::PreMatchWorker> worker,
                            hrl::PreMatchWorkerFromCheckpoint(checkpoint));
  HrlStrategyOptions o;
  o.bet_seasons = bet_labels;
  o.manager.initial_budget = bankroll;
  o.model_version = checkpoint.model_version();
  return HrlStrategy::Create(std::move(worker), o, ledger_out);
}

}  // namespace superbet::cli
