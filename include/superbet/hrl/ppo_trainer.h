// PPO training loop: rollouts on an EpisodicEnv, GAE, clipped-objective minibatch epochs, Adam
// with global gradient-norm clipping (superbet/hrl/ppo.h for the maths and sources; the optimiser
// and the clipping are nn::Adam and nn::ClipGradNorm of superbet/hrl/nn/optim.h, PyTorch's
// semantics, over the network's ParamTensor views).
//
// Rollouts: whole episodes are collected until at least config.rollout_steps steps are held, so a
// bet settled at the end of its match keeps its deferred reward in the rollout that holds its
// step (the last rollout step always ends an episode; no bootstrap value is needed). Episodes are
// visited in a seeded permutation, a new one for each pass over the environment's episodes.
// Actions are sampled from the policy with the seeded generator; the outcome head is trained on
// each episode's outcome (EnvStep::outcome) with cross-entropy.
//
// Deterministic: the same seed, environment and network give bit-identical parameters and logs
// (one thread; the generator's bits are converted to doubles by hand, not by std distributions).
//
// Thread-safety: not thread-safe. Does not own the environment or the network; both must outlive
// the trainer.

#ifndef SUPERBET_HRL_PPO_TRAINER_H_
#define SUPERBET_HRL_PPO_TRAINER_H_

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "superbet/hrl/actor_critic.h"
#include "superbet/hrl/episodic_env.h"
#include "superbet/hrl/nn/optim.h"
#include "superbet/hrl/ppo.h"

namespace superbet::hrl {

// What one Update did (losses are means over its minibatches).
struct PpoUpdateStats {
  int64_t update = 0;              // 1-based.
  int64_t env_steps = 0;           // Steps in this rollout.
  int64_t total_env_steps = 0;     // Since the trainer was made.
  int episodes = 0;                // Episodes in this rollout.
  double mean_episode_return = 0;  // Undiscounted, deferred rewards included.
  double policy_loss = 0;
  double value_loss = 0;
  double entropy = 0;
  double outcome_loss = 0;
  double approx_kl = 0;
  double clip_fraction = 0;
  double grad_norm = 0;  // Mean pre-clipping global norm.
};

class PpoTrainer {
 public:
  // Errors: InvalidArgument for a bad config or when the network's window/features differ from
  // the environment's (naming both).
  [[nodiscard]] static absl::StatusOr<PpoTrainer> Create(EpisodicEnv* env, ActorCritic* net,
                                                         const PpoConfig& config, uint64_t seed);

  // Collects one rollout and trains on it. Errors: those of the environment.
  [[nodiscard]] absl::StatusOr<PpoUpdateStats> Update();

  int64_t total_env_steps() const { return total_steps_; }

 private:
  PpoTrainer(EpisodicEnv* env, ActorCritic* net, const PpoConfig& config, uint64_t seed);
  int NextEpisode();
  double Uniform();
  // Clips the gradient norm to config.max_grad_norm, adds the pre-clipping norm to
  // stats->grad_norm and takes one Adam step. Errors: a non-finite gradient norm.
  [[nodiscard]] absl::Status OptimizerStep(PpoUpdateStats* stats);

  EpisodicEnv* env_;
  ActorCritic* net_;
  PpoConfig config_;
  std::mt19937_64 rng_;
  std::vector<int> order_;
  size_t order_pos_ = 0;
  int64_t total_steps_ = 0;
  int64_t updates_ = 0;
  std::vector<ParamTensor> params_;
  std::optional<nn::Adam> adam_;
};

// Samples an action from 3 logits with u in [0, 1); returns the action and writes its log π.
int SampleAction(const float* logits, double u, double* log_prob);

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_PPO_TRAINER_H_
