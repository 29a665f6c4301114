// `superbet backtest --emit-predictions PATH`: turns each bet the backtest engine places into one
// Prediction JSON line (superbet/scoring/prediction_json.h), the broadcast plant's input.
//
// Per bet, for agent = the strategy's name ("model", "favourite", "home"):
//   match_id, home, away, kickoff   the fixture's;
//   pick, action                    the selection bet;
//   prob                            the strategy's 1X2 probabilities when it made a forecast, else
//                                   only the pick's probability;
//   odds                            the odds source's three pre-match prices the bet was taken at;
//   confidence                      1: a backtest strategy is a deterministic policy, π(a*|s) = 1;
//   kelly_fraction, cas             scoring::SetPickMetrics (clamped Kelly; p / margin-free q);
//   vsnr, gamma                     from a scoring::EvaluationTracker with the 24 h pre-match
//                                   window; the engine evaluates each match once per strategy, so
//                                   both are absent (fewer than 3 evaluations; no 1-minute price
//                                   history), never a made-up 0;
//   decided_at                      the kickoff (the engine decides at kickoff);
//   model_version                   the model kind: "dixon-coles" for `model`, and
//                                   "market-margin-free" for the baselines (their probabilities are
//                                   the odds source's margin-free prices);
//   data_staleness_s                decided_at − the pick's price timestamp, when that timestamp is
//                                   a real observation time; absent for football-data.co.uk prices,
//                                   whose timestamp is the kickoff placeholder (the CSVs do not say
//                                   when a price was collected).
//
// Not thread-safe; borrows the stream.

#ifndef SUPERBET_LIB_CLI_PREDICTION_EMITTER_H_
#define SUPERBET_LIB_CLI_PREDICTION_EMITTER_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "superbet/backtest/engine.h"
#include "superbet/scoring/tracker.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::cli {

// The model_version written for a backtest strategy name (see above).
std::string BacktestModelVersion(const std::string& strategy);

// The Prediction of one bet (see above). Errors: InvalidArgument for a selection that is not
// 1X2 or a pick without a valid price / probability (the engine never places one).
[[nodiscard]] absl::StatusOr<v1::Prediction> PredictionOfBet(const backtest::BetPlacement& bet,
                                                             const std::string& agent,
                                                             const std::string& model_version,
                                                             scoring::EvaluationTracker& tracker);

class PredictionEmitter {
 public:
  explicit PredictionEmitter(std::ostream* out) : out_(out) {}

  // An EngineOptions::on_bet observer that writes the lines of `agent`'s bets.
  std::function<absl::Status(const backtest::BetPlacement&)> ObserverFor(const std::string& agent);

  int64_t lines() const { return lines_; }

 private:
  std::ostream* out_;
  int64_t lines_ = 0;
};

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_PREDICTION_EMITTER_H_
