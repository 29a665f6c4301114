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
//   vsnr                            see "VSNR" below; absent (never 0) with fewer than 3
//                                   evaluations;
//   gamma                           absent: it needs prices in three 1-minute buckets and the
//                                   data has no intraday price history;
//   decided_at                      the kickoff (the engine decides at kickoff);
//   model_version                   the model kind: "dixon-coles" for `model`, and
//                                   "market-margin-free" for the baselines (their probabilities are
//                                   the odds source's margin-free prices);
//   data_staleness_s                decided_at − the pick's price timestamp, when that timestamp is
//                                   a real observation time; absent for football-data.co.uk prices,
//                                   whose timestamp is the kickoff placeholder (the CSVs do not say
//                                   when a price was collected).
//
// VSNR (scoring::EvaluationTracker, 24 h pre-match window, the last 10 evaluations): the bet's
// selection is evaluated with the strategy's probability p (EV = p·o − 1) against every CLOSING
// 1X2 quote of the pick that the data holds for the match, one per individual bookmaker
// (football-data B365C, BWC, IWC, PSC, WHC, VCC, BFEC...; 2019/20 on: six bookmakers, 2012/13 -
// 2018/19: Pinnacle only), in time order, then in the data's bookmaker (column) order. The market
// aggregates ("market_max", "market_average") are not quotes and are left out. Closing prices are
// the last ones before kickoff, so they lie inside the 24 h pre-match window of a decision made at
// kickoff. football-data's pre-closing prices (the ones bet at) are NOT evaluated: the CSVs do not
// say when they were collected (football-data's notes: Friday afternoon for weekend matches,
// Tuesday afternoon for midweek ones, often more than 24 h before kickoff), so they cannot be
// placed in the window honestly. A match with fewer than 3 closing quotes (every season before
// 2019/20 in E0) therefore has no VSNR. VSNR is then mean(EV) / (sd(EV) + 1e-6) over those quotes:
// the value of the pick across the closing market. Quotes that fail validation (odds not > 1) are
// skipped and counted (PredictionEmitter::rejected_quotes).
//
// Not thread-safe; borrows the stream and the lines.

#ifndef SUPERBET_LIB_CLI_PREDICTION_EMITTER_H_
#define SUPERBET_LIB_CLI_PREDICTION_EMITTER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/backtest/engine.h"
#include "superbet/scoring/tracker.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::cli {

// The model_version written for a backtest strategy name (see above): the team model's kind
// (ratings::ModelKindName, e.g. "dixon-coles", "elo") for the `model` strategy.
std::string BacktestModelVersion(const std::string& strategy, absl::string_view model_kind);

// The Prediction of one bet (see above). Errors: InvalidArgument for a selection that is not
// 1X2 or a pick without a valid price / probability (the engine never places one).
// `closing_quotes`: the match's closing 1X2 lines (any selection, any bookmaker; the ones used are
// chosen as described above); empty = no VSNR. `rejected_quotes`, when not null, is incremented
// per quote the tracker rejects.
[[nodiscard]] absl::StatusOr<v1::Prediction> PredictionOfBet(
    const backtest::BetPlacement& bet, const std::string& agent, const std::string& model_version,
    scoring::EvaluationTracker& tracker,
    absl::Span<const v1::BettingLine* const> closing_quotes = {},
    int64_t* rejected_quotes = nullptr);

// True for a BettingLine that VSNR evaluates (see above): closing, not live, 1X2, an individual
// bookmaker (not "market_max" / "market_average").
bool IsVsnrQuote(const v1::BettingLine& line);

class PredictionEmitter {
 public:
  // `lines`: the run's betting lines; the closing quotes among them (IsVsnrQuote) are indexed by
  // fixture id for VSNR. Without them (or with none) every vsnr is absent.
  explicit PredictionEmitter(std::ostream* out, absl::Span<const v1::BettingLine> lines = {});

  // An EngineOptions::on_bet observer that writes the lines of `agent`'s bets; `model_kind` is
  // the team model's name, written as model_version by the `model` strategy.
  std::function<absl::Status(const backtest::BetPlacement&)> ObserverFor(
      const std::string& agent, absl::string_view model_kind);

  int64_t lines() const { return lines_; }
  // Lines written with a vsnr.
  int64_t lines_with_vsnr() const { return lines_with_vsnr_; }
  // Closing quotes the tracker rejected (odds not finite and > 1).
  int64_t rejected_quotes() const { return rejected_quotes_; }

 private:
  std::ostream* out_;
  absl::flat_hash_map<std::string, std::vector<const v1::BettingLine*>> closing_;
  int64_t lines_ = 0;
  int64_t lines_with_vsnr_ = 0;
  int64_t rejected_quotes_ = 0;
};

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_PREDICTION_EMITTER_H_
