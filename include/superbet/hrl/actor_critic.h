// The actor-critic network interface the PPO trainer (superbet/hrl/ppo_trainer.h) trains, and
// MlpActorCritic, a small multilayer perceptron implementation of it.
//
// A network maps a batch of B windowed observations ([B, T, F] values, [B, T] step-validity
// masks) to three heads: policy logits [B, 3] (bet_home, bet_away, no_bet), a value [B] and
// outcome logits [B, 3] (softmax = P(home, draw, away)). Forward keeps what Backward needs;
// Backward adds the parameter gradients of the last Forward's batch to the gradient buffers.
//
// Every implementation is deterministic for a given seed on one thread (float32). Parameters are
// exposed as named row-major tensors so that superbet.v1.Checkpoint can store them.

#ifndef SUPERBET_HRL_ACTOR_CRITIC_H_
#define SUPERBET_HRL_ACTOR_CRITIC_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/hrl/nn/parameter.h"

namespace superbet::hrl {

// One parameter tensor: `value` and `grad` point to `size` floats owned by the network
// (row-major, shape as named); valid as long as the network lives and is not moved. The same view
// type nn::Adam and nn::ClipGradNorm (superbet/hrl/nn/optim.h) train.
using ParamTensor = nn::TensorView;

// Outputs of one Forward call, row-major.
struct ActorCriticOutput {
  std::vector<float> logits;          // [B, 3]
  std::vector<float> values;          // [B]
  std::vector<float> outcome_logits;  // [B, 3]
};

// Thread-safety: not thread-safe (Forward caches activations). Owns its parameters.
class ActorCritic {
 public:
  virtual ~ActorCritic() = default;
  virtual int window() const = 0;    // T
  virtual int features() const = 0;  // F
  // observation: B·T·F floats; step_valid: B·T floats. Resizes `out`.
  virtual void Forward(absl::Span<const float> observation, absl::Span<const float> step_valid,
                       int batch, ActorCriticOutput* out) = 0;
  // Gradients of the loss w.r.t. the last Forward's outputs (sizes as ActorCriticOutput);
  // accumulates parameter gradients.
  virtual void Backward(absl::Span<const float> d_logits, absl::Span<const float> d_values,
                        absl::Span<const float> d_outcome_logits) = 0;
  virtual void ZeroGrad() = 0;
  virtual std::vector<ParamTensor> Parameters() = 0;
  // "mlp-2x64" ...: written to checkpoints, checked when loading.
  virtual std::string architecture() const = 0;
};

// An MLP over the whole window: x = concat_t(step_valid_t · input_scale ⊙ obs_t, step_valid_t)
// (a padded step contributes zeros only), two tanh hidden layers of `hidden` units, and three
// linear heads. Initialisation: PyTorch nn.Linear's U(−1/√fan_in, 1/√fan_in) from a seeded
// generator, with the policy head's weights scaled by 0.01 (CleanRL's std 0.01 policy layer).
struct MlpOptions {
  int window = 10;
  int features = 64;
  int hidden = 64;
  // Per-feature multiplier applied to the observation (F values; empty = all 1): keeps inputs
  // such as the minute (0-95) on the scale of the others.
  std::vector<float> input_scale;
  uint64_t seed = 1;
};

// Errors: InvalidArgument for window, features or hidden < 1, or an input_scale whose size is
// neither 0 nor `features`.
[[nodiscard]] absl::StatusOr<std::unique_ptr<ActorCritic>> MakeMlpActorCritic(
    const MlpOptions& options);

// The design's live network (superbet/hrl/nn/live_network.h: LSTM 64 -> 128, 4-head
// self-attention with the step-validity mask as key_padding_mask, heads read at the last valid
// step) behind this interface, architecture "lstm-attention-128". The observation is multiplied
// by `input_scale` (F values; empty = all 1) before the LSTM. A window without any valid step
// (possible only with snapshot dropout) is read with its last step marked valid (an all-zero
// row), so that every window has a decision. PyTorch-default init from `seed`.
// Errors: InvalidArgument for window or features < 1 or a bad input_scale size.
[[nodiscard]] absl::StatusOr<std::unique_ptr<ActorCritic>> MakeLstmAttentionActorCritic(
    int window, int features, std::vector<float> input_scale, uint64_t seed);

// Copies `values` into the parameter called `name`.
// Errors: NotFound for an unknown name; InvalidArgument for a size mismatch (naming both sizes).
[[nodiscard]] absl::Status SetParameter(ActorCritic& net, const std::string& name,
                                        absl::Span<const float> values);

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_ACTOR_CRITIC_H_
