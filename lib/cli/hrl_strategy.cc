// `superbet backtest --strategy hrl` (lib/cli/hrl_strategy.h).

#include "cli/hrl_strategy.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/core/status_macros.h"
#include "superbet/reward/reward.h"

namespace superbet::cli {
namespace {

using hrl::PreMatchAction;

constexpr const char* kPickNames[] = {"home", "draw", "away"};
constexpr superbet::v1::Action kActions[] = {
    superbet::v1::ACTION_BET_HOME, superbet::v1::ACTION_BET_DRAW, superbet::v1::ACTION_BET_AWAY,
    superbet::v1::ACTION_NO_BET};
constexpr superbet::v1::Selection kSelections[] = {
    superbet::v1::SELECTION_HOME, superbet::v1::SELECTION_DRAW, superbet::v1::SELECTION_AWAY};

}  // namespace

GateVerdict CheckGate(PreMatchAction action, double stake, double budget, double staleness_s,
                      double max_staleness_s, double kelly) {
  GateVerdict v;
  if (action == PreMatchAction::kNoBet) {
    v.reason = "no_bet";
    v.detail = "the worker chose no bet";
  } else if (!(stake > 0)) {
    v.reason = "stake_below_minimum";
    v.detail = absl::StrCat("5 % of the remaining budget ", budget, " is below the minimum stake");
  } else if (stake > 0.05 * budget * (1 + 1e-12) || stake > budget) {
    v.reason = "stake_above_cap";
    v.detail = absl::StrCat("stake ", stake, " > 5 % of the bankroll ", budget);
  } else if (!(staleness_s <= max_staleness_s)) {
    v.reason = "stale_data";
    v.detail = absl::StrCat("data staleness ", staleness_s, " s > ", max_staleness_s, " s");
  } else if (!(kelly > 0)) {
    v.reason = "kelly_not_positive";
    v.detail = absl::StrCat("Kelly fraction ", kelly, " <= 0: no positive expected value");
  } else {
    v.accepted = true;
  }
  return v;
}

absl::StatusOr<std::unique_ptr<HrlStrategy>> HrlStrategy::Create(
    std::unique_ptr<hrl::PreMatchWorker> worker, const HrlStrategyOptions& options,
    std::function<absl::Status(const superbet::v1::Decision&)> ledger) {
  if (worker == nullptr) return absl::InvalidArgumentError("HrlStrategy needs a worker");
  auto manager = hrl::Manager::Create(options.manager);
  if (!manager.ok()) return manager.status();
  return std::unique_ptr<HrlStrategy>(
      new HrlStrategy(std::move(worker), *std::move(manager), options, std::move(ledger)));
}

HrlStrategy::HrlStrategy(std::unique_ptr<hrl::PreMatchWorker> worker, hrl::Manager manager,
                         const HrlStrategyOptions& options,
                         std::function<absl::Status(const superbet::v1::Decision&)> ledger)
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
      if (absl::Status st = manager_.Settled(hrl::Worker::kPreMatch, o.stake, payout); !st.ok()) {
        return st;
      }
    }
    open_.erase(it);
  }
  return absl::OkStatus();
}

absl::StatusOr<backtest::Decision> HrlStrategy::Decide(
    const backtest::MatchView& match, absl::Span<const superbet::v1::Fixture> history) {
  if (absl::Status s = Absorb(history); !s.ok()) return s;
  const superbet::v1::Fixture& f = match.fixture;
  auto obs = features_.Observe(f, match.decimal_odds, std::nullopt);
  if (!obs.ok()) return obs.status();
  backtest::Decision out;
  if (!bet_seasons_.empty() && !bet_seasons_.contains(f.season())) return out;  // History only.
  ++decisions_;
  const hrl::WorkerDecision d = worker_->Act(*obs, /*explore=*/false);
  out.probabilities = d.probabilities;
  const int pick = d.action == PreMatchAction::kNoBet ? -1 : static_cast<int>(d.action);
  const double rho = reward::Rho(d.confidence);
  SUPERBET_ASSIGN_OR_RETURN(
      hrl::Allocation alloc,
      manager_.Allocate({false, true}, rho, /*volatility=*/1.0, /*data_staleness_s=*/0.0));
  const double budget = manager_.budget();
  const double stake = pick < 0 || alloc.skipped ? 0.0 : alloc.stake;
  // Kelly f* = (p·o − 1)/(o − 1): the gate reads the raw value (> 0), the prediction the value
  // clamped to [0, 1]; CAS = p / q with q the margin-free market probability of the pick.
  double raw_kelly = 0, cas = 0;
  if (pick >= 0) {
    const double p = d.probabilities[pick], o = match.decimal_odds[pick];
    raw_kelly = (p * o - 1.0) / (o - 1.0);
    cas = p / match.market_probabilities[pick];
  }
  const double kelly = std::clamp(raw_kelly, 0.0, 1.0);
  const GateVerdict v =
      CheckGate(d.action, stake, budget, 0.0, options_.max_staleness_s, raw_kelly);

  superbet::v1::Decision line;
  superbet::v1::Prediction& pr = *line.mutable_prediction();
  pr.set_match_id(f.id());
  pr.set_home(f.home().name());
  pr.set_away(f.away().name());
  *pr.mutable_kickoff() = f.kickoff();
  if (pick >= 0) pr.set_pick(kPickNames[pick]);
  pr.mutable_prob()->set_home(d.probabilities[0]);
  pr.mutable_prob()->set_draw(d.probabilities[1]);
  pr.mutable_prob()->set_away(d.probabilities[2]);
  pr.mutable_odds()->set_home(match.decimal_odds[0]);
  pr.mutable_odds()->set_draw(match.decimal_odds[1]);
  pr.mutable_odds()->set_away(match.decimal_odds[2]);
  pr.set_confidence(d.confidence);
  if (pick >= 0) {
    pr.set_vsnr(0.0);  // One evaluation per match before kickoff: n < 3, VSNR = 0 by definition.
    pr.set_cas(cas);
  }
  pr.set_kelly_fraction(kelly);
  *pr.mutable_decided_at() = f.kickoff();  // As-if time: the prices' time, never the wall clock.
  pr.set_agent("prematch");
  pr.set_model_version(options_.model_version);
  pr.set_data_staleness_s(0.0);
  pr.set_action(kActions[static_cast<int>(d.action)]);
  line.set_stake(v.accepted ? stake : 0.0);
  line.set_bankroll_before(budget);
  line.set_verdict(v.accepted ? superbet::v1::VERDICT_ACCEPTED : superbet::v1::VERDICT_DENIED);
  line.set_reason(v.reason);
  line.set_detail(v.detail);
  superbet::v1::ManagerState& ms = *line.mutable_manager();
  ms.set_budget_remaining(alloc.state.budget_ratio);
  ms.set_risk_score(alloc.state.risk_score);
  ms.set_market_volatility(alloc.state.market_volatility);
  ms.set_live_agent_wr(alloc.state.live_win_rate);
  ms.set_prematch_agent_wr(alloc.state.prematch_win_rate);
  ms.set_data_staleness(alloc.state.staleness_norm);
  ms.set_worker(std::string(hrl::WorkerName(alloc.worker)));
  ms.set_ucb_live(alloc.ucb[0]);
  ms.set_ucb_prematch(alloc.ucb[1]);
  if (ledger_) SUPERBET_RETURN_IF_ERROR(ledger_(line));

  Open& open = open_[f.id()];
  open.obs = *std::move(obs);
  open.decision = d;
  if (!v.accepted) {
    ++denied_[v.reason];
    return out;
  }
  ++accepted_;
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
  return absl::FailedPreconditionError(absl::StrCat(
      "season(s) ", absl::StrJoin(overlap, ","), " were used to train the checkpoint ", where,
      " (training seasons ", absl::StrJoin(c.train_seasons(), ","),
      "); evaluate on other seasons"));
}

absl::StatusOr<std::unique_ptr<HrlStrategy>> MakeHrlStrategy(
    const superbet::v1::Checkpoint& checkpoint, const std::vector<std::string>& bet_labels,
    double bankroll, const std::string& ledger_path) {
  auto worker = hrl::TabularQWorker::FromCheckpoint(checkpoint);
  if (!worker.ok()) return worker.status();
  std::shared_ptr<std::FILE> file;
  if (!ledger_path.empty()) {
    file.reset(std::fopen(ledger_path.c_str(), "wb"), [](std::FILE* f) {
      if (f != nullptr) std::fclose(f);
    });
    if (file == nullptr) {
      return absl::NotFoundError(absl::StrCat("cannot open the ledger ", ledger_path, ": ",
                                              std::strerror(errno)));
    }
  }
  HrlStrategyOptions o;
  o.bet_seasons = bet_labels;
  o.manager.initial_budget = bankroll;
  o.model_version = checkpoint.model_version();
  auto ledger = [file, ledger_path](const superbet::v1::Decision& d) -> absl::Status {
    if (file == nullptr) return absl::OkStatus();
    google::protobuf::util::JsonPrintOptions jo;
    jo.preserve_proto_field_names = true;
    jo.always_print_primitive_fields = true;
    std::string line;
    if (auto s = google::protobuf::util::MessageToJsonString(d, &line, jo); !s.ok()) {
      return absl::InternalError(absl::StrCat("ledger line: ", std::string(s.message())));
    }
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), file.get()) != line.size() ||
        std::fflush(file.get()) != 0) {
      return absl::InternalError(absl::StrCat("writing the ledger ", ledger_path, " failed"));
    }
    return absl::OkStatus();
  };
  return HrlStrategy::Create(*std::move(worker), o, ledger);
}

}  // namespace superbet::cli
