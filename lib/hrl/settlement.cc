#include "superbet/hrl/settlement.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "superbet/scoring/metrics.h"
#include "superbet/scoring/prediction_json.h"

namespace superbet::hrl {
namespace {

namespace v1 = superbet::v1;

constexpr int kSigmaMinutes =
    15;  // The live worker's σ window (live_env.cc; the decider calls PickSigma).

constexpr std::array<std::pair<BetResult, absl::string_view>, 3> kResultNames = {{
    {BetResult::kWon, "won"},
    {BetResult::kLost, "lost"},
    {BetResult::kVoid, "void"},
}};

std::optional<double> PickPrice(const v1::OneXTwo& odds, int sel) {
  const bool has = sel == 0 ? odds.has_home() : sel == 1 ? odds.has_draw() : odds.has_away();
  if (!has) return std::nullopt;
  const double o = sel == 0 ? odds.home() : sel == 1 ? odds.draw() : odds.away();
  if (!std::isfinite(o) || o <= 1.0) return std::nullopt;
  return o;
}

}  // namespace

absl::string_view BetResultName(BetResult result) {
  for (const auto& [r, name] : kResultNames) {
    if (r == result) return name;
  }
  return "";
}

absl::StatusOr<std::optional<int>> FinalResult(const v1::LiveMatchState& state) {
  if (state.status() == v1::FIXTURE_STATUS_CANCELLED) return std::optional<int>();
  if (state.status() != v1::FIXTURE_STATUS_FINISHED) {
    return absl::FailedPreconditionError(absl::StrCat("match ", state.match_id(),
                                                      " is not final (status ",
                                                      static_cast<int>(state.status()), ")"));
  }
  if (!state.has_score_home() || !state.has_score_away()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "match ", state.match_id(), ": a FINISHED state needs score_home and score_away, got ",
        state.has_score_home()   ? "score_home only"
        : state.has_score_away() ? "score_away only"
                                 : "neither"));
  }
  if (state.score_home() < 0 || state.score_away() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("match ", state.match_id(),
                                                   ": final score must be >= 0, got ",
                                                   state.score_home(), "-", state.score_away()));
  }
  if (state.score_home() > state.score_away()) return 0;
  if (state.score_home() == state.score_away()) return 1;
  return 2;
}

absl::StatusOr<BetResult> ResultOfPick(absl::string_view pick, std::optional<int> final_result) {
  const int sel = scoring::PickIndex(pick);
  if (sel < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("pick must be home, draw or away, got '", pick, "'"));
  }
  if (!final_result.has_value()) return BetResult::kVoid;
  if (*final_result < 0 || *final_result > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("final result must be 0, 1 or 2, got ", *final_result));
  }
  return sel == *final_result ? BetResult::kWon : BetResult::kLost;
}

absl::StatusOr<double> GrossPayout(double stake, double decimal_odds, BetResult result) {
  if (!std::isfinite(stake) || stake < 0) {
    return absl::InvalidArgumentError(absl::StrCat("stake must be finite and >= 0, got ", stake));
  }
  if (!std::isfinite(decimal_odds) || decimal_odds <= 1.0) {
    return absl::InvalidArgumentError(
        absl::StrCat("decimal odds must be finite and > 1, got ", decimal_odds));
  }
  switch (result) {
    case BetResult::kWon:
      return stake * decimal_odds;
    case BetResult::kVoid:
      return stake;
    case BetResult::kLost:
      return 0.0;
  }
  return 0.0;
}

double PickSigma(const v1::LiveMatchState& state, const std::map<int, v1::LiveMatchState>& history,
                 int selection, double training_median_sd) {
  if (!state.has_minute() || selection < 0 || selection > 2) return 1.0;
  const int k = state.minute();
  std::array<double, kSigmaMinutes + 1> prices;
  size_t n = 0;
  for (int j = k; j >= 0 && j >= k - kSigmaMinutes; --j) {
    const v1::LiveMatchState* s = &state;
    if (j != k) {
      auto it = history.find(j);
      if (it == history.end()) break;
      s = &it->second;
    }
    if (!s->has_live_odds()) break;
    const double o = selection == 0   ? s->live_odds().home()
                     : selection == 1 ? s->live_odds().draw()
                                      : s->live_odds().away();
    if (!std::isfinite(o) || o <= 1.0) break;
    prices[n++] = o;
  }
  if (n < 3) return 1.0;
  std::reverse(prices.begin(), prices.begin() + n);
  absl::StatusOr<double> sigma =
      reward::Sigma(absl::MakeConstSpan(prices.data(), n), training_median_sd, 0.1);
  return sigma.ok() ? *sigma : 1.0;
}

absl::StatusOr<std::unique_ptr<BetSettler>> BetSettler::Create(const SettlerOptions& options,
                                                               std::ostream* ledger_out) {
  if (options.win_rate_window < 1 || options.win_rate_window > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("win_rate_window must be in [1, 1000], got ", options.win_rate_window));
  }
  if (options.sharpe_window < 2 || options.sharpe_window > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat("sharpe_window must be in [2, 100000], got ", options.sharpe_window));
  }
  ManagerOptions mo;
  mo.initial_budget = options.initial_budget;
  mo.win_rate_window = options.win_rate_window;
  absl::StatusOr<Manager> manager = Manager::Create(mo);
  if (!manager.ok()) return manager.status();
  return std::unique_ptr<BetSettler>(new BetSettler(options, *std::move(manager), ledger_out));
}

BetSettler::BetSettler(const SettlerOptions& options, Manager manager, std::ostream* ledger_out)
    : options_(options), ledger_out_(ledger_out), manager_(std::move(manager)) {
  stats_.budget = options.initial_budget;
}

absl::Status BetSettler::Open(const v1::Decision& accepted, double sigma) {
  absl::MutexLock lock(&mu_);
  auto refuse = [&](absl::Status s) {
    ++stats_.refused;
    return s;
  };
  const v1::Prediction& p = accepted.prediction();
  if (accepted.verdict() != v1::VERDICT_ACCEPTED) {
    return refuse(absl::InvalidArgumentError(absl::StrCat(
        "decision.verdict must be VERDICT_ACCEPTED, got ", v1::Verdict_Name(accepted.verdict()))));
  }
  if (p.match_id().empty()) {
    return refuse(absl::InvalidArgumentError("decision.prediction.match_id is empty"));
  }
  const int sel = scoring::PickIndex(p.pick());
  if (sel < 0) {
    return refuse(absl::InvalidArgumentError(
        absl::StrCat("decision.prediction.pick must be home, draw or away, got '", p.pick(), "'")));
  }
  if (!PickPrice(p.odds(), sel).has_value()) {
    return refuse(absl::InvalidArgumentError(
        absl::StrCat("decision.prediction.odds.", p.pick(), " must be finite and > 1")));
  }
  if (!std::isfinite(accepted.stake()) || accepted.stake() <= 0) {
    return refuse(absl::InvalidArgumentError(
        absl::StrCat("decision.stake must be finite and > 0, got ", accepted.stake())));
  }
  if (!p.has_data_staleness_s()) {
    return refuse(absl::InvalidArgumentError(
        "decision.prediction.data_staleness_s is absent: the reward needs it"));
  }
  if (!std::isfinite(p.data_staleness_s()) || p.data_staleness_s() < 0) {
    return refuse(absl::InvalidArgumentError(
        absl::StrCat("decision.prediction.data_staleness_s must be finite and >= 0, got ",
                     p.data_staleness_s())));
  }
  if (!std::isfinite(sigma) || sigma < 0) {
    return refuse(
        absl::InvalidArgumentError(absl::StrCat("sigma must be finite and >= 0, got ", sigma)));
  }
  if (settled_matches_.count(p.match_id()) > 0) {
    return refuse(absl::FailedPreconditionError(
        absl::StrCat("match ", p.match_id(), " has already settled: bet not opened")));
  }
  if (absl::Status s = manager_.Placed(Worker::kLive, accepted.stake()); !s.ok()) {
    return refuse(s);
  }
  open_[p.match_id()].push_back(OpenBet{accepted, sigma});
  ++stats_.opened;
  ++stats_.open;
  stats_.budget = manager_.budget();
  return absl::OkStatus();
}

absl::StatusOr<MatchSettlement> BetSettler::Settle(const v1::LiveMatchState& final_state,
                                                   absl::Time /*settled_at*/) {
  absl::StatusOr<std::optional<int>> result = FinalResult(final_state);
  if (!result.ok()) return result.status();
  absl::MutexLock lock(&mu_);
  MatchSettlement out;
  if (!settled_matches_.insert(final_state.match_id()).second) {
    out.already_settled = true;
    return out;
  }
  ++stats_.matches_settled;
  std::vector<OpenBet> bets;
  if (auto it = open_.find(final_state.match_id()); it != open_.end()) {
    bets = std::move(it->second);
    open_.erase(it);
  }
  absl::Status write_status;
  for (OpenBet& bet : bets) {
    const v1::Prediction& p = bet.decision.prediction();
    const int sel = scoring::PickIndex(p.pick());
    const double odds = *PickPrice(p.odds(), sel);  // Checked by Open.
    const double stake = bet.decision.stake();
    const BetResult r = *ResultOfPick(p.pick(), *result);  // Pick checked by Open.
    const double payout = *GrossPayout(stake, odds, r);    // Inputs checked by Open.
    const double sigma = bet.sigma;
    absl::StatusOr<SettledBet> s = SettleBetLocked(std::move(bet), r, payout, sigma);
    if (!s.ok()) return s.status();
    if (ledger_out_ != nullptr && write_status.ok()) {
      absl::StatusOr<std::string> line = scoring::DecisionToJsonLine(s->line);
      if (!line.ok()) {
        write_status = line.status();
      } else {
        if (!*ledger_out_ && options_.ledger_recovers) ledger_out_->clear();
        *ledger_out_ << *line << '\n';
        ledger_out_->flush();
        if (!*ledger_out_) write_status = absl::DataLossError("settlement ledger write failed");
      }
    }
    out.bets.push_back(*std::move(s));
  }
  UpdateStatsLocked();
  out.ledger_write = write_status;
  return out;
}

absl::StatusOr<SettledBet> BetSettler::SettleBetLocked(OpenBet bet, BetResult result, double payout,
                                                       double sigma) {
  const v1::Prediction& p = bet.decision.prediction();
  const double odds = *PickPrice(p.odds(), scoring::PickIndex(p.pick()));
  const double stake = bet.decision.stake();
  SettledBet s;
  s.result = result;
  s.payout = payout;
  if (absl::Status st = manager_.Settled(Worker::kLive, stake, s.payout); !st.ok()) return st;
  recent_odds_.push_back(odds);
  while (static_cast<int>(recent_odds_.size()) > options_.win_rate_window) {
    recent_odds_.pop_front();
  }
  const double mean_odds =
      std::accumulate(recent_odds_.begin(), recent_odds_.end(), 0.0) / recent_odds_.size();
  s.inputs.payout = s.payout;
  s.inputs.stake = stake;
  s.inputs.sigma = sigma;
  s.inputs.rho = reward::Rho(p.confidence());
  s.inputs.budget_remaining = manager_.budget();
  s.inputs.initial_budget = manager_.initial_budget();
  s.inputs.data_staleness_s = p.data_staleness_s();
  s.inputs.win_rate_last10 = manager_.WinRate(Worker::kLive);
  s.inputs.mean_decimal_odds_last10 = mean_odds;
  absl::StatusOr<reward::RewardTerms> terms = reward::ComputeReward(s.inputs, options_.reward);
  if (!terms.ok()) return terms.status();
  s.terms = *terms;

  s.line = std::move(bet.decision);
  s.line.set_profit(s.payout - stake);
  v1::ManagerState* m = s.line.mutable_manager();
  m->set_budget_remaining(s.inputs.budget_remaining / s.inputs.initial_budget);
  m->set_risk_score(s.inputs.rho);
  m->set_market_volatility(s.inputs.sigma);
  m->set_live_agent_wr(s.inputs.win_rate_last10);
  m->set_prematch_agent_wr(manager_.WinRate(Worker::kPreMatch));
  m->set_data_staleness(s.inputs.data_staleness_s / 300.0);
  m->set_worker(std::string(WorkerName(Worker::kLive)));
  m->set_ucb_live(manager_.Score(Worker::kLive));
  m->set_ucb_prematch(manager_.Score(Worker::kPreMatch));

  recent_rewards_.push_back(s.terms.reward);
  while (static_cast<int>(recent_rewards_.size()) > options_.sharpe_window) {
    recent_rewards_.pop_front();
  }
  ++stats_.settled;
  --stats_.open;
  stats_.reward_sum += s.terms.reward;
  return s;
}

void BetSettler::UpdateStatsLocked() {
  stats_.budget = manager_.budget();
  if (stats_.settled > 0) {
    stats_.ucb_live = manager_.Score(Worker::kLive);
    stats_.win_rate_live = manager_.WinRate(Worker::kLive);
  }
  if (recent_rewards_.size() >= 2) {
    const double n = static_cast<double>(recent_rewards_.size());
    const double mean = std::accumulate(recent_rewards_.begin(), recent_rewards_.end(), 0.0) / n;
    double ss = 0;
    for (double r : recent_rewards_) ss += (r - mean) * (r - mean);
    const double sd = std::sqrt(ss / (n - 1));
    stats_.reward_sharpe =
        sd > 0 && std::isfinite(sd) ? std::optional<double>(mean / sd) : std::nullopt;
  }
}

absl::StatusOr<SettlementLinePayout> PayoutOfSettlementLine(const v1::Decision& line) {
  const v1::Prediction& p = line.prediction();
  if (!line.has_profit() || !std::isfinite(line.profit())) {
    return absl::InvalidArgumentError(
        line.has_profit() ? absl::StrCat("profit must be finite, got ", line.profit())
                          : std::string("profit is absent: not a settlement line"));
  }
  const int sel = scoring::PickIndex(p.pick());
  if (sel < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("prediction.pick must be home, draw or away, got '", p.pick(), "'"));
  }
  const std::optional<double> odds = PickPrice(p.odds(), sel);
  if (!odds) {
    return absl::InvalidArgumentError(
        absl::StrCat("prediction.odds.", p.pick(), " must be finite and > 1"));
  }
  const double stake = line.stake();
  SettlementLinePayout out;
  out.result = line.profit() > 0    ? BetResult::kWon
               : line.profit() == 0 ? BetResult::kVoid
                                    : BetResult::kLost;
  absl::StatusOr<double> payout = GrossPayout(stake, *odds, out.result);
  if (!payout.ok()) return payout.status();
  if (std::abs(*payout - stake - line.profit()) > 1e-9 * std::max(1.0, stake * *odds)) {
    return absl::InvalidArgumentError(
        absl::StrCat("profit ", line.profit(), " is none of won (", stake * *odds - stake,
                     "), void (0) or lost (", -stake, ") for stake ", stake, " at odds ", *odds));
  }
  out.payout = *payout;
  return out;
}

absl::Status BetSettler::RestoreSettlement(const v1::Decision& line) {
  const v1::Prediction& p = line.prediction();
  absl::StatusOr<SettlementLinePayout> paid = PayoutOfSettlementLine(line);
  if (!paid.ok()) return paid.status();
  const double sigma = line.manager().market_volatility();
  if (!std::isfinite(sigma) || sigma < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("manager.market_volatility must be finite and >= 0, got ", sigma));
  }
  const double stake = line.stake();
  const BetResult result = paid->result;
  const double payout = paid->payout;
  absl::MutexLock lock(&mu_);
  auto it = open_.find(p.match_id());
  if (it == open_.end() || it->second.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("match ", p.match_id(), " has no open bet to settle"));
  }
  const v1::Decision& first = it->second.front().decision;
  if (first.stake() != stake || first.prediction().pick() != p.pick() ||
      first.prediction().decided_at().seconds() != p.decided_at().seconds() ||
      first.prediction().decided_at().nanos() != p.decided_at().nanos()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "match ", p.match_id(), ": the settled bet (stake ", stake, ", pick ", p.pick(),
        ", decided_at ", p.decided_at().seconds(), "s) is not its first open bet (stake ",
        first.stake(), ", pick ", first.prediction().pick(), ", decided_at ",
        first.prediction().decided_at().seconds(), "s)"));
  }
  OpenBet bet = std::move(it->second.front());
  it->second.erase(it->second.begin());
  if (it->second.empty()) open_.erase(it);
  if (settled_matches_.insert(p.match_id()).second) ++stats_.matches_settled;
  absl::StatusOr<SettledBet> s = SettleBetLocked(std::move(bet), result, payout, sigma);
  if (!s.ok()) return s.status();
  UpdateStatsLocked();
  return absl::OkStatus();
}

bool BetSettler::IsSettled(absl::string_view match_id) const {
  absl::MutexLock lock(&mu_);
  return settled_matches_.count(std::string(match_id)) > 0;
}

std::vector<std::string> BetSettler::OpenMatchIds() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, bets] : open_) {
    if (!bets.empty()) ids.push_back(id);
  }
  return ids;
}

SettlerStats BetSettler::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace superbet::hrl
