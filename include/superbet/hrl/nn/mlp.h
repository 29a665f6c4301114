// include/superbet/hrl/nn/mlp.h
//
// A multilayer perceptron: Linear -> ReLU -> ... -> Linear (no activation after the last layer),
// the Q-network of DQN (Mnih et al. 2015; the pre-match worker uses 2 hidden layers of 64, the
// CleanRL dqn.py layout). Equals torch.nn.Sequential(Linear, ReLU, Linear, ReLU, Linear).
//
// Shapes: x [batch, sizes.front()], y [batch, sizes.back()]; layer k is named "<name>.<2k>"
// ("q.0.weight", "q.2.weight", ... as torch's Sequential numbers them).

#ifndef SUPERBET_HRL_NN_MLP_H_
#define SUPERBET_HRL_NN_MLP_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/hrl/nn/linear.h"
#include "superbet/hrl/nn/parameter.h"

namespace superbet::hrl::nn {

// Ownership: owns its layers by value. Forward on a const Mlp is thread-safe; Backward is not.
struct Mlp {
  std::vector<Linear> layers;

  // Weights and biases of every layer, in layer order.
  ParameterList Parameters();
};

// Activations kept by Forward for Backward: the input of every layer (after ReLU).
struct MlpCache {
  int batch = 0;
  std::vector<std::vector<float>> inputs;  // inputs[k]: input of layer k, [batch, sizes[k]]
};

// An Mlp with layer sizes `sizes` (e.g. {in, 64, 64, 3}), PyTorch's default Linear init, layers
// created in order from `rng`.
// Errors: InvalidArgument when fewer than 2 sizes are given or any size is < 1.
[[nodiscard]] absl::StatusOr<Mlp> MakeMlp(const std::string& name, const std::vector<int>& sizes,
                                          InitRng& rng);

// y = f(x). `cache` may be null. Errors: InvalidArgument on a size mismatch.
[[nodiscard]] absl::Status MlpForward(const Mlp& mlp, absl::Span<const float> x, int batch,
                                      MlpCache* cache, std::vector<float>* y);

// Given dL/dy [batch, out]: adds parameter gradients; writes dL/dx unless null.
// Errors: InvalidArgument on a size mismatch or a cache from another batch.
[[nodiscard]] absl::Status MlpBackward(Mlp& mlp, const MlpCache& cache, absl::Span<const float> dy,
                                       std::vector<float>* dx);

// Copies every value of `from` into `to` (DQN's target-network sync).
// Errors: InvalidArgument when the layer sizes differ.
[[nodiscard]] absl::Status CopyMlpValues(const Mlp& from, Mlp* to);

}  // namespace superbet::hrl::nn

#endif  // SUPERBET_HRL_NN_MLP_H_
