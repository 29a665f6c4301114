// The `superbet backtest --strategy hrl` hook: the HRL manager (UCB1, hrl/manager.h) and a trained
// pre-match worker (hrl/prematch.h) as a backtest::Strategy, every decision through the risk gate
// and into the paper ledger.
//
// Every decision of a bet season, accepted or denied, goes through risk::PaperLedger (its
// RiskGate, then one Decision JSON line with the manager's state vector); accepted bets are
// settled in the ledger when their matches are over. The replay decides at the prices' time, so
// data_staleness_s is 0 (as in the training env's reward).
//
// Walk-forward: the engine hands the strategy only pre-kickoff information (backtest/strategy.h);
// the features are computed with the same PreMatchFeatureState as in training, fed with the
// engine's history (matches over by the kickoff). The worker acts greedily; its Q values are
// frozen, its outcome model keeps learning each match once it is over (earlier matches only).
// The manager stakes 5 % of its remaining budget (its B₀ is the backtest bankroll) and settles its
// bets when their matches appear in the history, as the engine does.
//
// Fixtures of seasons not bet (history) only feed the features; no decision, no ledger line.
// Not thread-safe.

#ifndef SUPERBET_LIB_CLI_HRL_STRATEGY_H_
#define SUPERBET_LIB_CLI_HRL_STRATEGY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "superbet/backtest/strategy.h"
#include "superbet/hrl/manager.h"
#include "superbet/hrl/prematch.h"
#include "superbet/hrl/prematch_features.h"
#include "superbet/risk/gate.h"
#include "superbet/risk/ledger.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::cli {

struct HrlStrategyOptions {
  std::vector<std::string> bet_seasons;  // Fixture.season labels that are bet ("2015/16").
  hrl::ManagerOptions manager;
  hrl::PreMatchFeatureOptions features;
  std::string model_version;
  risk::RiskLimits limits;  // The gate's rules (decision-core defaults).
};

class HrlStrategy final : public backtest::Strategy {
 public:
  // Every decision of a bet season, accepted or denied, goes through a risk::PaperLedger (its gate
  // and its JSON lines) writing to `ledger_out` (borrowed; must outlive the strategy). The ledger's
  // bankroll is the manager's B₀.
  // Errors: invalid manager options or limits (InvalidArgument).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HrlStrategy>> Create(
      std::unique_ptr<hrl::PreMatchWorker> worker, const HrlStrategyOptions& options,
      std::ostream* ledger_out);

  std::string name() const override { return "hrl"; }
  [[nodiscard]] absl::StatusOr<backtest::Decision> Decide(
      const backtest::MatchView& match, absl::Span<const superbet::v1::Fixture> history) override;

  // Settles the bets still open after the engine's last decision (the matches of the last match
  // day never reach a later Decide's history), in the order their matches end, so the manager's
  // budget and the ledger's settlement lines cover every bet. `fixtures` are the run's fixtures.
  [[nodiscard]] absl::Status SettleRemaining(absl::Span<const superbet::v1::Fixture> fixtures);

  risk::GateCounts gate_counts() const { return ledger_->counts(); }
  int64_t decisions() const { return decisions_; }
  const hrl::Manager& manager() const { return manager_; }

 private:
  HrlStrategy(std::unique_ptr<hrl::PreMatchWorker> worker, hrl::Manager manager,
              const HrlStrategyOptions& options, std::unique_ptr<risk::PaperLedger> ledger);
  struct Open {
    hrl::PreMatchObservation obs;
    hrl::WorkerDecision decision;
    double stake = 0;  // 0 when no bet was placed.
    int pick = -1;
  };
  [[nodiscard]] absl::Status Absorb(absl::Span<const superbet::v1::Fixture> history);
  std::unique_ptr<hrl::PreMatchWorker> worker_;
  hrl::Manager manager_;
  HrlStrategyOptions options_;
  std::unique_ptr<risk::PaperLedger> ledger_;
  hrl::PreMatchFeatureState features_;
  absl::flat_hash_set<std::string> bet_seasons_;
  absl::flat_hash_map<std::string, Open> open_;  // Decided, not yet over; by fixture id.
  size_t absorbed_ = 0;
  int64_t decisions_ = 0;
};

// The pre-match checkpoint of <dir> (hrl/checkpoint.h: format version and feature spec checked).
[[nodiscard]] absl::StatusOr<superbet::v1::Checkpoint> LoadPreMatchCheckpoint(
    const std::string& dir);

// FailedPrecondition naming the seasons and the checkpoint when any of `bet_labels` ("2015/16")
// of `league` is one of the checkpoint's training seasons ("E0:2015/16"): evaluating on training
// data is refused.
[[nodiscard]] absl::Status CheckNoTrainingOverlap(const superbet::v1::Checkpoint& checkpoint,
                                                  const std::string& where,
                                                  const std::string& league,
                                                  const std::vector<std::string>& bet_labels);

// The strategy of `checkpoint` (prematch-q or prematch-dqn), its manager's B₀ = `bankroll`, its
// ledger lines written to `ledger_out` (risk/ledger.h: one superbet.v1.Decision JSON line per
// decision, one more per settled bet). Errors: the checkpoint's (FromCheckpoint); Create's.
[[nodiscard]] absl::StatusOr<std::unique_ptr<HrlStrategy>> MakeHrlStrategy(
    const superbet::v1::Checkpoint& checkpoint, const std::vector<std::string>& bet_labels,
    double bankroll, std::ostream* ledger_out);

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_HRL_STRATEGY_H_
