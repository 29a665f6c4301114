// The live worker: a PPO-trained actor-critic that decides bet_home / bet_away / no_bet once per
// match-minute on the live-v1 observation (superbet/hrl/live_env.h), its training on replayed
// matches, its checkpoint (superbet.v1.Checkpoint, feature spec "live-v1") and a held-out
// evaluation.
//
// IN-PLAY PRICES ARE MODELLED, NOT RECORDED: every price the worker is trained, evaluated and
// replayed on comes from superbet/hrl/live_prices.h, calibrated to the real pre-match 1X2.
//
// Network (superbet/hrl/actor_critic.h), input scaled by LiveInputScale(): by default the
// design's LSTM (64 -> 128) + 4-head self-attention + policy / value / outcome heads
// ("lstm-attention-128", superbet/hrl/nn/live_network.h); LiveTrainOptions::architecture = kMlp
// trains a 2 × `hidden` tanh MLP over the flattened window instead ("mlp-2x64").
//
// Thread-safety: LiveWorker is not thread-safe (its network caches activations); use one per
// thread. Free functions are thread-safe.

#ifndef SUPERBET_HRL_LIVE_WORKER_H_
#define SUPERBET_HRL_LIVE_WORKER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/hrl/actor_critic.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/live_env.h"
#include "superbet/hrl/live_prices.h"
#include "superbet/hrl/ppo.h"
#include "superbet/hrl/ppo_trainer.h"
#include "superbet/v1/checkpoint.pb.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::hrl {

inline constexpr char kLiveAgentName[] = "live-ppo";

// Per-slot input multipliers of live-v1 (64 values): minute / 90, scores / 3, xG / 3, dangerous
// attacks / 100, avg_da / 2, σ / 5, every other slot 1.
std::vector<float> LiveInputScale();

// One decision at one minute.
struct LiveDecision {
  int action = kNoBet;
  double confidence = 0;            // π(action | s).
  std::array<double, 3> policy{};   // π over bet_home, bet_away, no_bet.
  std::array<double, 3> outcome{};  // Outcome head: P(home), P(draw), P(away).
  double value = 0;                 // Critic's estimate.
};

class LiveWorker {
 public:
  LiveWorker(std::unique_ptr<ActorCritic> net, std::string model_version)
      : net_(std::move(net)), model_version_(std::move(model_version)) {}
  // Greedy decision (the most probable action; ties to no_bet, then bet_home) on one observation
  // ([10, 64] values and [10] step validity). Deterministic.
  // Errors: InvalidArgument when a buffer has the wrong size.
  [[nodiscard]] absl::StatusOr<LiveDecision> Decide(absl::Span<const float> observation,
                                                    absl::Span<const float> step_valid);
  const std::string& model_version() const { return model_version_; }
  ActorCritic& network() { return *net_; }

 private:
  std::unique_ptr<ActorCritic> net_;
  std::string model_version_;
  ActorCriticOutput out_;
};

// The modelled book a bet decided at `minute` of `match` is matched at: QuotePrices of the fair
// InPlayProbabilities at minute + prices.latency_s / 60 given the score at `minute`
// (superbet/hrl/live_prices.h), decimal odds in home, draw, away order. MODELLED, not recorded.
// All three absent when the score at `minute` is unknown (or `minute` is outside the match).
std::array<std::optional<double>, 3> MatchedLiveBook(const LiveMatch& match, int minute,
                                                     const InPlayPriceOptions& prices);

// The prediction part of a live decision, as the replay and the evaluation both submit it to the
// risk gate: match_id, prob = the outcome head's P(home, draw, away), the present odds of `book`
// (absent ones stay unset), confidence = π(action | s) and data_staleness_s (seconds). Pick,
// action, metrics and the time and version fields are the caller's.
v1::Prediction LivePrediction(const LiveMatch& match, const LiveDecision& decision,
                              const std::array<std::optional<double>, 3>& book,
                              double data_staleness_s);

enum class LiveArchitecture { kLstmAttention, kMlp };

struct LiveTrainOptions {
  PpoConfig ppo;
  LiveArchitecture architecture = LiveArchitecture::kLstmAttention;
  LiveEnvOptions env;  // sigma_training_median_sd is computed from the training matches.
  int64_t total_env_steps = 20000;  // Updates continue until at least this many steps.
  int hidden = 64;                  // MLP only.
  uint64_t seed = 1;                // Seeds the network, the trainer and the environment's dropout.
  // Checked before every PPO update (may be empty); when it returns true TrainLiveWorker stops
  // with Cancelled. Not recorded in the checkpoint.
  std::function<bool()> stop_requested;
};

struct LiveTrainResult {
  superbet::v1::Checkpoint checkpoint;
  std::vector<PpoUpdateStats> log;
  LiveEnv::Stats env_stats;  // Over the whole training.
  double sigma_training_median_sd = 0;
  double seconds = 0;  // Filled by the caller when it measures time (0 here).
};

// Trains a live worker on `train` (each match once per pass, seeded order). `on_update` (may be
// empty) is called after every PPO update.
// Errors: those of LiveEnv::Create, MedianPriceVolatility and the trainer; Cancelled when
// options.stop_requested() returned true.
[[nodiscard]] absl::StatusOr<LiveTrainResult> TrainLiveWorker(
    std::vector<LiveMatch> train, const LiveTrainOptions& options,
    const std::function<void(const PpoUpdateStats&)>& on_update);

// The checkpoint's feature spec for live-v1.
superbet::v1::FeatureSpec LiveFeatureSpec();

// Builds a worker from a checkpoint (SaveCheckpoint / LoadCheckpoint of superbet/hrl/checkpoint.h
// read and write the files).
// Errors: FailedPrecondition naming both values when format_version, agent or the feature spec
// (name, version, slot names: CheckCheckpoint) differ from this code's; InvalidArgument when a
// tensor is missing or has the wrong size, or the architecture is unknown.
[[nodiscard]] absl::StatusOr<LiveWorker> LoadLiveWorker(const superbet::v1::Checkpoint& checkpoint);

// The LiveEnvOptions recorded in a live checkpoint's hyperparameters (margin, latency, stake, σ
// normaliser, ...). Errors: InvalidArgument naming a missing hyperparameter.
[[nodiscard]] absl::StatusOr<LiveEnvOptions> LiveEnvOptionsFromCheckpoint(
    const superbet::v1::Checkpoint& checkpoint);

// The checkpoint's binary protobuf with deterministic serialisation (map entries in key order):
// the same checkpoint always gives the same bytes.
std::string CheckpointBytes(const superbet::v1::Checkpoint& checkpoint);

// Held-out evaluation: the worker plays every match once, greedily, from a fresh bankroll.
struct LiveEvaluation {
  int matches = 0;
  int64_t steps = 0;
  int64_t bets = 0;  // Placed (void ones included).
  int64_t bets_void_latency = 0;
  int64_t bets_won = 0;
  double staked = 0;
  double profit = 0;
  std::optional<double> roi;  // profit / staked; absent without a settled bet.
  double mean_episode_reward = 0;
  // Brier scores (sum over the 3 outcomes) of the outcome head and of the margin-free pre-match
  // market at kick-off, and of the head and the modelled fair in-play probabilities averaged over
  // every minute.
  double brier_head_kickoff = 0;
  double brier_market_kickoff = 0;
  double brier_head_inplay = 0;
  double brier_model_inplay = 0;
  std::vector<LiveBet> bet_list;
  // Bet actions the risk gate denied (played as no_bet), by reason id ("kelly_not_positive", ...).
  std::map<std::string, int64_t> gate_denied_by_reason;
};
// Every bet action first goes through a risk::RiskGate with the decision core's rules (stake <=
// 5 % of the free bankroll, staleness <= 300 s, Kelly > 0 with p = the outcome head's probability
// of the pick and o = the matched modelled price, at most max_bets_per_match accepted per match);
// a denied one is played as no_bet and counted in gate_denied_by_reason.
[[nodiscard]] absl::StatusOr<LiveEvaluation> EvaluateLiveWorker(LiveWorker& worker,
                                                                std::vector<LiveMatch> matches,
                                                                const LiveEnvOptions& options);

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_LIVE_WORKER_H_
