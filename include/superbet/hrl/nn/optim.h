// include/superbet/hrl/nn/optim.h
//
// Adam and gradient-norm clipping with PyTorch's semantics, on a ParameterList or on TensorViews
// (superbet/hrl/nn/parameter.h). The one optimiser of hrl/: the DQN pre-match worker and the PPO
// live worker (superbet/hrl/ppo_trainer.h) both train with it.
//
// Adam (Kingma & Ba 2015, Algorithm 1; torch.optim.Adam of PyTorch 1.13, single-tensor CPU path,
// amsgrad=False, maximize=False), per parameter element at step t = 1, 2, ...:
//   g = grad + weight_decay * value
//   m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g^2
//   value -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// Gradient clipping (torch.nn.utils.clip_grad_norm_ with norm_type 2): total = L2 norm of all
// grads together; when total > max_norm every grad is multiplied by max_norm / (total + 1e-6).

#ifndef SUPERBET_HRL_NN_OPTIM_H_
#define SUPERBET_HRL_NN_OPTIM_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/hrl/nn/parameter.h"

namespace superbet::hrl::nn {

struct AdamOptions {
  double learning_rate = 1e-3;  // torch default; the live worker's PPO uses 3e-4
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

// Adam state (first and second moments, step count) for one list of tensors.
// Ownership: keeps the views (pointers) it was built with (the network must outlive it and not
// move) and owns the moment buffers. Not thread-safe.
class Adam {
 public:
  // Errors: InvalidArgument when learning_rate <= 0, a beta outside [0, 1), eps <= 0 or
  // weight_decay < 0 (names the option and value), or when a parameter's grad size differs from
  // its value size (a view with a null value or grad pointer).
  [[nodiscard]] static absl::StatusOr<Adam> Create(const ParameterList& parameters,
                                                   const AdamOptions& options);
  [[nodiscard]] static absl::StatusOr<Adam> Create(absl::Span<const TensorView> parameters,
                                                   const AdamOptions& options);

  // One update of every parameter from its current grad (grads are not cleared).
  void Step();

  int64_t step_count() const { return step_; }
  const AdamOptions& options() const { return options_; }

 private:
  Adam(std::vector<TensorView> parameters, const AdamOptions& options);
  std::vector<TensorView> parameters_;
  AdamOptions options_;
  std::vector<std::vector<float>> m_;
  std::vector<std::vector<float>> v_;
  int64_t step_ = 0;
};

// Scales all grads so that their joint L2 norm is at most max_norm; returns the norm BEFORE
// clipping (as torch does). Errors: InvalidArgument when max_norm is not > 0 or the norm is not
// finite (a NaN/Inf grad: the grads are left unchanged).
[[nodiscard]] absl::StatusOr<double> ClipGradNorm(const ParameterList& parameters, double max_norm);
[[nodiscard]] absl::StatusOr<double> ClipGradNorm(absl::Span<const TensorView> parameters,
                                                  double max_norm);

}  // namespace superbet::hrl::nn

#endif  // SUPERBET_HRL_NN_OPTIM_H_
