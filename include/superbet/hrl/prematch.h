// The pre-match worker: decides back home / draw / away / no bet on one fixture from its
// PreMatchObservation (prematch_features.h). Single-step episodes: the action-value target of a
// decision is its own reward (there is no next state), Q(s, a) ← Q(s, a) + α (r − Q(s, a)).
//
// Two agents behind one interface (PreMatchWorker):
//   * TabularQWorker: Watkins (1989) Q-learning on a discretised state (below), α = 0.1, ε-greedy
//     with ε falling linearly from 1.0 to 0.05 over `epsilon_decay_steps` decisions (the linear
//     schedule of CleanRL's dqn.py, Huang et al. 2022, JMLR 23(274)).
//   * DqnWorker: DQN (Mnih et al. 2015, "Human-level control through deep reinforcement
//     learning", Nature 518) with a Q-network MLP 41→64→64→4 (ReLU; hrl/nn/mlp.h), a replay
//     buffer of 10⁵ transitions sampled uniformly, a target network synced every 1000 gradient
//     steps, Adam and gradient-norm clipping. Input: the 38 observation floats and the outcome
//     model's p (home, draw, away). Single-step episodes make every transition terminal, so the
//     TD target is y = r (+ γ·(1 − done)·max_a Q_target = 0); the target network is kept and synced
//     as in the references but does not enter the target. Defaults and their sources:
//       learning rate 2.5e-4, batch 128 → 64, learning_starts 10 000 → 1 000 (one E0 season is
//       380 steps), train_frequency 10 → 4, MSE loss: CleanRL dqn.py (Huang et al. 2022);
//       target sync 1000 and replay 10⁵: the design's values (SB3 DQN defaults 10 000 and 10⁶);
//       max_grad_norm 10: Stable-Baselines3 DQN (Raffin et al. 2021, JMLR 22(268));
//       ε 1.0 → 0.05 linear: CleanRL and SB3 (exploration_final_eps 0.05).
//
// Tabular state (index = ((((m·4 + f)·4 + i)·4 + l)·4 + e), 1792 states):
//   m  home implied-probability bin (margin-free), edges 0.2 0.3 0.4 0.5 0.6 0.7 → 7 bins
//   f  form difference form.home − form.away: 0 absent, 1 below −0.15, 2 within ±0.15, 3 above
//   i  injury-count difference: 0 absent (always, in football-data.co.uk), 1/2/3 as f with ±0.5
//   l  line movement line_move.home: 0 absent, 1 below −0.01, 2 within ±0.01, 3 above
//   e  best edge max_k (p_k − market_k) of the outcome model: 0 ≤ 0.01, 1 ≤ 0.03, 2 ≤ 0.06, 3 above
// Ties between action values go to no bet, then home, draw, away (an unvisited state stays out).
//
// Confidence: the Boltzmann probability (τ = 1) of the greedy action,
// exp(Q(s, a*)/τ) / Σ_a exp(Q(s, a)/τ) (Sutton & Barto 2018, §2.3 softmax action selection).
//
// Outcome probabilities p (home, draw, away): a multinomial logistic model anchored at the
// market, logits_k = ln(market_k) + w_k · x + b_k with x the 38 observation floats (value and
// mask), fitted by stochastic gradient descent on the cross-entropy of each match as soon as it is
// over (so only on earlier matches), L2 penalty `outcome_l2`. With w = b = 0 it is the margin-free
// market.
//
// Randomness: one std::mt19937_64 per worker seeded at construction; same seed and same inputs ⇒
// bit-identical decisions and tables. Workers are not thread-safe.

#ifndef SUPERBET_HRL_PREMATCH_H_
#define SUPERBET_HRL_PREMATCH_H_

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "superbet/hrl/env.h"
#include "superbet/hrl/prematch_features.h"
#include "superbet/v1/checkpoint.pb.h"

namespace superbet::hrl {

// What the worker decided about one fixture.
struct WorkerDecision {
  PreMatchAction action = PreMatchAction::kNoBet;
  double confidence = 0;                     // Boltzmann probability of the greedy action.
  std::array<double, 3> probabilities{};     // Outcome model p (home, draw, away), sums to 1.
  std::array<double, kPreMatchActions> q{};  // Action values of the state.
  bool explored = false;                     // True when ε-greedy drew a random action.
  int state = -1;                            // Tabular state index (TabularQWorker), else -1.
};

// Multinomial logistic outcome model anchored at the market (see the top of this file).
// Not thread-safe; owns its weights.
class OutcomeModel {
 public:
  static constexpr int kInputs = kPreMatchFlatWidth;
  explicit OutcomeModel(double learning_rate = 0.01, double l2 = 1e-4);
  // p (home, draw, away) for `obs`; the market when every weight is 0.
  std::array<double, 3> Predict(const PreMatchObservation& obs) const;
  // One SGD step on the cross-entropy of `outcome` (0 home, 1 draw, 2 away).
  void Update(const PreMatchObservation& obs, int outcome);
  // Weights row-major [3, kInputs + 1] (the last column is the bias).
  const std::vector<float>& weights() const { return w_; }
  // Errors: InvalidArgument when `weights` does not hold 3 × (kInputs + 1) values.
  [[nodiscard]] absl::Status SetWeights(const std::vector<float>& weights);

 private:
  double lr_, l2_;
  std::vector<float> w_;
};

struct TabularQOptions {
  double alpha = 0.1;                   // Learning rate; in (0, 1].
  double epsilon_start = 1.0;           // In [0, 1].
  double epsilon_end = 0.05;            // In [0, epsilon_start].
  int64_t epsilon_decay_steps = 10000;  // Decisions over which ε falls linearly; >= 1.
  double tau = 1.0;                     // Boltzmann temperature of the confidence; > 0.
  double outcome_learning_rate = 0.01;  // OutcomeModel SGD step; > 0.
  double outcome_l2 = 1e-4;             // >= 0.
  uint64_t seed = 0;
};

// The interface both agents implement.
class PreMatchWorker {
 public:
  virtual ~PreMatchWorker() = default;
  // "prematch-q" or "prematch-dqn".
  virtual std::string agent() const = 0;
  // Decides about `obs`: ε-greedy when `explore`, greedy otherwise.
  virtual WorkerDecision Act(const PreMatchObservation& obs, bool explore) = 0;
  // Learns from a settled decision about `obs`: `decision` is what Act returned for it. Updates
  // the action value (when `learn_policy`) and the outcome model (always: the result is known
  // once the match is over).
  virtual void Learn(const PreMatchObservation& obs, const WorkerDecision& decision,
                     const SettledStep& settled, bool learn_policy) = 0;
  // Starts a training pass over the seasons: the outcome model starts again from the market
  // (zero weights), so in every pass it is fitted only on the matches over before each decision
  // and never on results it will be asked about again; the action values carry over.
  virtual void BeginEpisode() = 0;
  // The current ε.
  virtual double epsilon() const = 0;
  // The worker's parameters and hyperparameters as a checkpoint (feature spec, agent, tensors,
  // hyperparameters, seed); the caller adds training seasons and versions (checkpoint.h).
  virtual superbet::v1::Checkpoint ToCheckpoint() const = 0;
};

class TabularQWorker final : public PreMatchWorker {
 public:
  static constexpr int kStates = 7 * 4 * 4 * 4 * 4;
  // Errors: InvalidArgument naming the option and value.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TabularQWorker>> Create(
      const TabularQOptions& options);
  // From a checkpoint written by ToCheckpoint (agent "prematch-q").
  // Errors: InvalidArgument when the agent, a hyperparameter or a tensor shape does not fit.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TabularQWorker>> FromCheckpoint(
      const superbet::v1::Checkpoint& checkpoint);

  std::string agent() const override { return "prematch-q"; }
  WorkerDecision Act(const PreMatchObservation& obs, bool explore) override;
  void Learn(const PreMatchObservation& obs, const WorkerDecision& decision,
             const SettledStep& settled, bool learn_policy) override;
  double epsilon() const override;
  void BeginEpisode() override;
  superbet::v1::Checkpoint ToCheckpoint() const override;

  // The state index of `obs` given the outcome model's p (exposed for tests).
  static int StateIndex(const PreMatchObservation& obs, const std::array<double, 3>& p);
  double q(int state, PreMatchAction a) const { return q_[state * kPreMatchActions + int(a)]; }

 private:
  explicit TabularQWorker(const TabularQOptions& options);
  TabularQOptions options_;
  std::vector<float> q_;
  OutcomeModel outcome_;
  std::mt19937_64 rng_;
  int64_t steps_ = 0;  // Act calls with explore = true.
};

struct DqnOptions {
  double learning_rate = 2.5e-4;        // Adam; > 0.
  int hidden = 64;                      // Units of each of the 2 hidden layers; >= 1.
  int64_t replay_capacity = 100000;     // Transitions; >= batch_size.
  int batch_size = 64;                  // >= 1.
  int64_t learning_starts = 1000;       // Transitions before the first update; >= batch_size.
  int train_frequency = 4;              // One gradient step every this many transitions; >= 1.
  int64_t target_sync_steps = 1000;     // Gradient steps between target-network syncs; >= 1.
  double max_grad_norm = 10.0;          // Gradient-norm clip; > 0.
  double gamma = 0.99;                  // Discount (unused: every transition is terminal).
  double epsilon_start = 1.0;           // In [0, 1].
  double epsilon_end = 0.05;            // In [0, epsilon_start].
  int64_t epsilon_decay_steps = 10000;  // >= 1.
  double tau = 1.0;                     // Boltzmann temperature of the confidence; > 0.
  double outcome_learning_rate = 0.01;  // > 0.
  double outcome_l2 = 1e-4;             // >= 0.
  uint64_t seed = 0;
};

class DqnWorker;  // prematch_dqn.cc

// DQN pre-match worker (see the top of this file). Owns its networks, optimiser state and replay
// buffer; not thread-safe.
[[nodiscard]] absl::StatusOr<std::unique_ptr<PreMatchWorker>> MakeDqnWorker(
    const DqnOptions& options);

// The worker a checkpoint holds: "prematch-q" (TabularQWorker) or "prematch-dqn" (DQN).
// Errors: InvalidArgument for another agent or a checkpoint that does not fit it.
[[nodiscard]] absl::StatusOr<std::unique_ptr<PreMatchWorker>> PreMatchWorkerFromCheckpoint(
    const superbet::v1::Checkpoint& checkpoint);

// Greedy action of `q` with ties to no bet, then home, draw, away.
PreMatchAction GreedyAction(const std::array<double, kPreMatchActions>& q);
// softmax(q / tau)[a].
double BoltzmannProbability(const std::array<double, kPreMatchActions>& q, PreMatchAction a,
                            double tau);

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_PREMATCH_H_
