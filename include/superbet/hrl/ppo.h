// Proximal Policy Optimisation maths: generalised advantage estimation and the clipped surrogate
// loss with its gradients, as free functions over plain arrays (no network inside).
//
// Sources: Schulman, Wolski, Dhariwal, Radford & Klimov (2017), "Proximal Policy Optimization
// Algorithms", arXiv:1707.06347, eq. 7 (clipped surrogate) and eq. 9 (the combined objective);
// Schulman, Moritz, Levine, Jordan & Abbeel (2016), "High-Dimensional Continuous Control Using
// Generalized Advantage Estimation", ICLR, eq. 16 (GAE); the loss layout of CleanRL's ppo.py
// (Huang et al. 2022, JMLR 23(274)): advantages normalised per minibatch, value loss
// 0.5·(V − R)², loss = policy − c_ent·entropy + c_v·value.
//
// The live worker adds a supervised outcome head (softmax over home/draw/away) trained with
// cross-entropy on match results; its loss is added with weight outcome_coef.
//
// All functions are pure and thread-safe.

#ifndef SUPERBET_HRL_PPO_H_
#define SUPERBET_HRL_PPO_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace superbet::hrl {

// Hyperparameters, defaults = the live worker's decided values (CleanRL's Atari defaults apart
// from the rollout length: clip 0.2, γ 0.99, λ 0.95, value coefficient 0.5, entropy 0.01, Adam
// 3e-4, gradient-norm clip 0.5, 2048-step rollouts, 4 epochs, minibatch 64).
struct PpoConfig {
  double clip_epsilon = 0.2;
  double gamma = 0.99;
  double gae_lambda = 0.95;
  double value_coef = 0.5;
  double entropy_coef = 0.01;
  double outcome_coef = 1.0;  // Weight of the outcome head's cross-entropy (project choice).
  double learning_rate = 3e-4;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-5;  // CleanRL's eps.
  double max_grad_norm = 0.5;
  int rollout_steps = 2048;
  int epochs = 4;
  int minibatch = 64;
  bool normalize_advantages = true;
};

// Errors: InvalidArgument naming the field and the value when one is out of range.
[[nodiscard]] absl::Status ValidatePpoConfig(const PpoConfig& config);

// GAE over a rollout of n steps, possibly spanning several episodes.
//   δ_t = r_t + γ·V_{t+1}·(1 − done_t) − V_t,   A_t = δ_t + γλ·(1 − done_t)·A_{t+1}
// with V_n = `bootstrap_value` (the value of the observation after the last step; ignored when
// that step ended its episode). Returns the advantages A and the returns A + V, each of n.
// Errors: InvalidArgument when the spans' sizes differ or a value is not finite.
struct Advantages {
  std::vector<double> advantages;
  std::vector<double> returns;
};
[[nodiscard]] absl::StatusOr<Advantages> ComputeGae(absl::Span<const double> rewards,
                                                    absl::Span<const double> values,
                                                    absl::Span<const char> dones,
                                                    double bootstrap_value, double gamma,
                                                    double lambda);

// One minibatch of B samples with 3 actions and 3 outcome classes.
struct PpoBatch {
  absl::Span<const float> logits;          // [B, 3] policy logits of the current network.
  absl::Span<const float> values;          // [B] current value estimates.
  absl::Span<const float> outcome_logits;  // [B, 3] outcome head logits.
  absl::Span<const int> actions;           // [B] actions taken in the rollout.
  absl::Span<const double> old_log_probs;  // [B] log π_old(a|s) at rollout time.
  absl::Span<const double> advantages;     // [B] GAE advantages (normalised here if asked).
  absl::Span<const double> returns;        // [B] GAE returns (value targets).
  absl::Span<const int> outcomes;          // [B] outcome class 0..2, or -1 when unknown.
};

// Loss terms (means over the batch) and the gradients of `total` w.r.t. the network outputs.
struct PpoLoss {
  double policy_loss = 0;       // mean of max(−A·ratio, −A·clip(ratio, 1 ± ε)).
  double value_loss = 0;        // mean of 0.5·(V − R)².
  double entropy = 0;           // mean policy entropy (nats).
  double outcome_loss = 0;      // mean cross-entropy over samples with a known outcome (0 if none).
  double total = 0;             // policy − c_ent·entropy + c_v·value + c_out·outcome.
  double approx_kl = 0;         // mean of (ratio − 1) − log ratio (Schulman's k3 estimator).
  double clip_fraction = 0;     // Share of samples with |ratio − 1| > ε.
  std::vector<float> d_logits;  // [B, 3]
  std::vector<float> d_values;  // [B]
  std::vector<float> d_outcome_logits;  // [B, 3]
};

// Computes the combined PPO loss and its gradients for one minibatch.
// Errors: InvalidArgument when the spans' sizes disagree with B = actions.size() (>= 1), an
// action or outcome is out of range, or a number is not finite.
[[nodiscard]] absl::StatusOr<PpoLoss> ComputePpoLoss(const PpoBatch& batch,
                                                     const PpoConfig& config);

// Numerically stable log-softmax of 3 logits.
void LogSoftmax3(const float* logits, double* log_probs);

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_PPO_H_
