#include "superbet/risk/ledger.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/internal/number_text.h"
#include "superbet/scoring/metrics.h"
#include "superbet/scoring/prediction_json.h"

namespace superbet::risk {

absl::StatusOr<std::unique_ptr<PaperLedger>> PaperLedger::Create(
    const RiskLimits& limits, double initial_bankroll, std::ostream* ledger_out,
    std::ostream* accepted_predictions_out) {
  if (!(std::isfinite(initial_bankroll) && initial_bankroll > 0.0)) {
    return absl::InvalidArgumentError(absl::StrCat("initial bankroll must be finite and > 0, got ",
                                                   core::internal::ShortestText(initial_bankroll)));
  }
  if (ledger_out == nullptr) return absl::InvalidArgumentError("ledger_out must not be null");
  absl::StatusOr<RiskGate> gate = RiskGate::Create(limits);
  if (!gate.ok()) return gate.status();
  return std::unique_ptr<PaperLedger>(
      new PaperLedger(*std::move(gate), initial_bankroll, ledger_out, accepted_predictions_out));
}

PaperLedger::PaperLedger(RiskGate gate, double bankroll, std::ostream* ledger_out,
                         std::ostream* accepted_out)
    : gate_(std::move(gate)),
      bankroll_(bankroll),
      ledger_out_(ledger_out),
      accepted_out_(accepted_out) {}

absl::Status PaperLedger::WriteLine(std::ostream* out, const std::string& line) {
  *out << line << '\n';
  if (!*out) return absl::DataLossError("paper ledger: writing a line failed");
  return absl::OkStatus();
}

absl::StatusOr<v1::Decision> PaperLedger::Submit(const v1::Prediction& prediction, double stake,
                                                 const v1::ManagerState* manager) {
  absl::MutexLock lock(&mu_);
  v1::Decision d;
  *d.mutable_prediction() = prediction;
  if (manager != nullptr) *d.mutable_manager() = *manager;
  d.set_bankroll_before(bankroll_);
  // Previewed: nothing is recorded until the Decision line is written.
  const GateVerdict verdict = gate_.Preview(prediction, stake, bankroll_);
  if (verdict.accepted) {
    d.set_verdict(v1::VERDICT_ACCEPTED);
    d.set_stake(stake);
  } else {
    d.set_verdict(v1::VERDICT_DENIED);
    d.set_reason(std::string(DenialReasonId(*verdict.reason)));
    d.set_detail(verdict.detail);
  }
  absl::StatusOr<std::string> line = scoring::DecisionToJsonLine(d);
  if (!line.ok()) return line.status();
  if (!*ledger_out_) {
    return absl::DataLossError(
        "paper ledger: writing a line failed (the stream is still failed from an earlier write); "
        "decision not recorded");
  }
  if (absl::Status s = WriteLine(ledger_out_, *line); !s.ok()) {
    return absl::DataLossError(absl::StrCat(s.message(), "; decision not recorded"));
  }
  // The line is written: record the decision (Check gives Preview's verdict under the same lock).
  gate_.Check(prediction, stake, bankroll_);
  if (verdict.accepted) {
    bankroll_ -= stake;
    open_bets_.push_back(d);
  }
  if (verdict.accepted && accepted_out_ != nullptr) {
    absl::StatusOr<std::string> p_line = scoring::PredictionToJsonLine(prediction);
    if (!p_line.ok()) return p_line.status();
    if (absl::Status s = WriteLine(accepted_out_, *p_line); !s.ok()) {
      return absl::DataLossError(
          absl::StrCat(s.message(), " (accepted prediction line; the decision is recorded)"));
    }
  }
  return d;
}

absl::StatusOr<SettlementSummary> PaperLedger::Settle(absl::string_view match_id,
                                                      std::optional<int> result,
                                                      absl::Time settled_at) {
  if (result.has_value() && (*result < 0 || *result > 2)) {
    return absl::InvalidArgumentError(
        absl::StrCat("result must be 0 (home), 1 (draw), 2 (away) or void, got ", *result));
  }
  absl::MutexLock lock(&mu_);
  SettlementSummary summary;
  std::vector<v1::Decision> still_open;
  absl::Status write_status = absl::OkStatus();
  for (v1::Decision& d : open_bets_) {
    if (d.prediction().match_id() != match_id) {
      still_open.push_back(std::move(d));
      continue;
    }
    const int pick = scoring::PickIndex(d.prediction().pick());
    const v1::OneXTwo& o = d.prediction().odds();
    const double price = pick == 0 ? o.home() : pick == 1 ? o.draw() : o.away();
    const double payout =
        !result.has_value() ? d.stake() : (*result == pick ? d.stake() * price : 0.0);
    const double profit = payout - d.stake();
    bankroll_ += payout;
    d.set_profit(profit);
    gate_.RecordSettlement(match_id, d.stake(), profit, settled_at);
    ++summary.bets;
    summary.profit += profit;
    absl::StatusOr<std::string> line = scoring::DecisionToJsonLine(d);
    if (!line.ok()) return line.status();
    if (absl::Status s = WriteLine(ledger_out_, *line); !s.ok() && write_status.ok()) {
      write_status = s;
    }
  }
  open_bets_ = std::move(still_open);
  if (!write_status.ok()) return write_status;
  return summary;
}

double PaperLedger::bankroll() const {
  absl::MutexLock lock(&mu_);
  return bankroll_;
}

double PaperLedger::open_exposure() const {
  absl::MutexLock lock(&mu_);
  double sum = 0.0;
  for (const v1::Decision& d : open_bets_) sum += d.stake();
  return sum;
}

GateCounts PaperLedger::counts() const {
  absl::MutexLock lock(&mu_);
  return gate_.counts();
}

}  // namespace superbet::risk
