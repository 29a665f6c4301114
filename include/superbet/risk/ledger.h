// PaperLedger: a paper-trading book. Every decision goes through its RiskGate (gate.h) and is
// written, accepted or denied, as one Decision JSON line (superbet/scoring/prediction_json.h):
// the prediction (match id, kickoff, agent, pick, odds, prob, metrics, data staleness, model
// version), the stake, the bankroll before, the verdict, the denial reason id and its detail.
//
// Money: the bankroll is cash. An accepted stake leaves the bankroll when the decision is taken;
// the payout comes back when the bet is settled (stake × odds on a win, the stake on a void, 0 on a
// loss), so profit = payout − stake. A denied decision is ledgered with stake 0.
//
// Settlement writes a second line for each settled bet: the same Decision with `profit` set (a
// reader tells a settlement line by the presence of "profit"). The broadcast plant's input is
// optionally written beside the ledger: one Prediction JSON line per ACCEPTED decision.
//
// Determinism: the lines depend only on the sequence of calls and their arguments (no clock, no
// randomness), so the same input gives byte-identical output.
//
// Ownership and thread-safety: the ledger owns its gate and bookkeeping and borrows the output
// streams (which must outlive it). All methods are thread-safe (one internal mutex; lines are
// written whole, in call order); for byte-identical output the CALL order must be deterministic.

#ifndef SUPERBET_RISK_LEDGER_H_
#define SUPERBET_RISK_LEDGER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/risk/gate.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::risk {

// What a settlement did.
struct SettlementSummary {
  int bets = 0;         // Accepted bets of the match settled by this call.
  double profit = 0.0;  // Sum of their profits, currency units.
};

class PaperLedger {
 public:
  // `initial_bankroll` finite and > 0, currency units. `ledger_out` receives the Decision lines;
  // `accepted_predictions_out` (may be null) the Prediction lines of accepted decisions.
  //
  // Errors: InvalidArgument for a bad bankroll, a null ledger_out, or invalid limits (gate.h).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PaperLedger>> Create(
      const RiskLimits& limits, double initial_bankroll, std::ostream* ledger_out,
      std::ostream* accepted_predictions_out = nullptr);

  // Submits a decision to stake `stake` (currency units) on `prediction`: the gate decides, the
  // Decision line is written, and an accepted stake leaves the bankroll and becomes an open bet.
  // Returns the Decision as written.
  //
  // Errors: Internal if the JSON printer fails. DataLoss if the Decision line cannot be written
  // (the write fails, or ledger_out is already in a failed state): the decision is then NOT
  // recorded (no gate count or exposure, no bankroll change, no open bet), so a retry stakes at
  // most once; the ledger never clears the stream's state (its owner does, std::ios::clear).
  // DataLoss, message ending "(accepted prediction line; the decision is recorded)", if only the
  // accepted_predictions_out write fails: the Decision line is written and the decision counts.
  // `manager`, when given, is written into the line (Decision.manager: the HRL manager's state
  // vector at this decision).
  [[nodiscard]] absl::StatusOr<v1::Decision> Submit(const v1::Prediction& prediction, double stake,
                                                    const v1::ManagerState* manager = nullptr);

  // Settles every open bet on `match_id`: `result` is 0 (home won), 1 (draw) or 2 (away won), or
  // std::nullopt for a void match (stakes returned). Writes one settlement line per bet, in the
  // order the bets were accepted. `settled_at` feeds the daily stop-loss of the gate. A match with
  // no open bet settles nothing (0 bets).
  //
  // Errors: InvalidArgument for a result outside 0..2; DataLoss if a stream write fails.
  [[nodiscard]] absl::StatusOr<SettlementSummary> Settle(absl::string_view match_id,
                                                         std::optional<int> result,
                                                         absl::Time settled_at);

  double bankroll() const;       // Cash, currency units.
  double open_exposure() const;  // Sum of the stakes of unsettled accepted bets.
  GateCounts counts() const;     // The gate's accepted / denied_by_reason counts.

 private:
  PaperLedger(RiskGate gate, double bankroll, std::ostream* ledger_out, std::ostream* accepted_out);
  [[nodiscard]] absl::Status WriteLine(std::ostream* out, const std::string& line)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  RiskGate gate_ ABSL_GUARDED_BY(mu_);
  double bankroll_ ABSL_GUARDED_BY(mu_);
  std::ostream* ledger_out_;
  std::ostream* accepted_out_;
  std::vector<v1::Decision> open_bets_ ABSL_GUARDED_BY(mu_);  // Accepted, unsettled, in order.
};

}  // namespace superbet::risk

#endif  // SUPERBET_RISK_LEDGER_H_
