// include/superbet/hrl/nn/linear.h
//
// Fully connected layer y = x W^T + b (torch.nn.Linear), on a batch of row vectors.
//
// Shapes: x [batch, in_features], y [batch, out_features], weight [out_features, in_features],
// bias [out_features]; all row-major float32.
// Init (PyTorch default, torch/nn/modules/linear.py reset_parameters): weight and bias both
// U(-1/sqrt(in_features), 1/sqrt(in_features)) (kaiming_uniform_ with a = sqrt(5) gives that
// bound).

#ifndef SUPERBET_HRL_NN_LINEAR_H_
#define SUPERBET_HRL_NN_LINEAR_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/hrl/nn/parameter.h"

namespace superbet::hrl::nn {

// Ownership: owns its two Parameters by value. Not thread-safe for Backward (it writes grads);
// concurrent Forward calls on a const Linear are safe.
struct Linear {
  int in_features = 0;
  int out_features = 0;
  Parameter weight;  // "<name>.weight" [out_features, in_features]
  Parameter bias;    // "<name>.bias" [out_features]

  ParameterList Parameters() { return {&weight, &bias}; }
};

// A Linear named `name` (parameters "<name>.weight", "<name>.bias") with PyTorch's default init.
// Errors: InvalidArgument when in_features or out_features is < 1.
[[nodiscard]] absl::StatusOr<Linear> MakeLinear(const std::string& name, int in_features,
                                                int out_features, InitRng& rng);

// y = x W^T + b. `y` is resized to batch * out_features.
// Errors: InvalidArgument when batch < 1 or x.size() != batch * in_features.
[[nodiscard]] absl::Status LinearForward(const Linear& layer, absl::Span<const float> x, int batch,
                                         std::vector<float>* y);

// Given dL/dy [batch, out_features] and the forward input x: adds dL/dW = dy^T x and
// dL/db = sum_rows(dy) to the grads; writes dL/dx = dy W into `dx` (resized) unless it is null.
// Errors: InvalidArgument on a size mismatch (names the argument, expected and actual size).
[[nodiscard]] absl::Status LinearBackward(Linear& layer, absl::Span<const float> x,
                                          absl::Span<const float> dy, int batch,
                                          std::vector<float>* dx);

}  // namespace superbet::hrl::nn

#endif  // SUPERBET_HRL_NN_LINEAR_H_
