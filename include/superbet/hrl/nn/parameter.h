// include/superbet/hrl/nn/parameter.h
//
// The building block of every network in hrl/nn: a named float32 tensor with its gradient, and the
// deterministic initialiser that fills it. Networks are plain structs of Parameters with free
// Forward/Backward functions; an optimiser sees them as a ParameterList (pointers into the struct).
//
// Layout: every tensor is row-major (C order), as in PyTorch, so a Linear's weight of shape
// [out, in] holds weight[o][i] at value[o * in + i]. Names follow PyTorch's state_dict keys
// ("lstm.weight_ih_l0", "attention.in_proj_weight", "policy_head.bias") so that a tensor can be
// compared one to one with torch's.
//
// Init distributions are PyTorch's defaults (torch/nn/modules/linear.py, rnn.py, activation.py of
// PyTorch 1.13); the random stream is our own (std::mt19937_64, fully specified by the C++
// standard), so the same seed gives bit-for-bit the same weights on every platform, but not the
// same numbers as torch.manual_seed.

#ifndef SUPERBET_HRL_NN_PARAMETER_H_
#define SUPERBET_HRL_NN_PARAMETER_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace superbet::hrl::nn {

// A trainable tensor. `value` and `grad` have product(shape) elements; Backward functions ADD to
// `grad` (as torch accumulates .grad) and ZeroGrad clears it.
//
// Ownership: a plain value type; a network owns its Parameters by value.
struct Parameter {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> value;
  std::vector<float> grad;

  // product(shape).
  int64_t size() const { return static_cast<int64_t>(value.size()); }
};

// Pointers to the parameters of one network, in a fixed documented order. The pointers stay valid
// as long as the network object is neither moved nor destroyed.
using ParameterList = std::vector<Parameter*>;

// A non-owning view of one trainable tensor stored anywhere (a Parameter's vectors, an Eigen
// matrix of another network): `value` and `grad` point to `size` floats, row-major, shape as
// named. This is what the optimiser (superbet/hrl/nn/optim.h) works on, so that networks that do
// not hold nn::Parameter (superbet/hrl/actor_critic.h) are trained by the same Adam.
//
// Ownership: borrows; valid as long as the storage it points into is neither resized, moved nor
// destroyed.
struct TensorView {
  std::string name;
  std::vector<int64_t> shape;
  float* value = nullptr;
  float* grad = nullptr;
  size_t size = 0;
};

// Views of `parameters`, same order. A Parameter whose grad is not the size of its value is viewed
// with size = value size and grad = nullptr (the optimiser rejects it).
std::vector<TensorView> ViewsOf(const ParameterList& parameters);

// A zero-filled parameter of the given name and shape (grad zero-filled too).
Parameter ZeroParameter(std::string name, std::vector<int64_t> shape);

// Sets every parameter's grad to 0 (torch's optimizer.zero_grad(set_to_none=False)).
void ZeroGrad(const ParameterList& parameters);

// Total number of scalars in `parameters`.
int64_t CountScalars(const ParameterList& parameters);

// The seeded random stream used for initialisation and nothing else. Not thread-safe; owned by the
// caller. Same seed => same sequence on every platform (std::mt19937_64 is specified exactly and
// the conversion to float below is ours, not the library's distribution).
class InitRng {
 public:
  explicit InitRng(uint64_t seed) : engine_(seed) {}

  // A float32 uniform in [lo, hi): lo + (hi - lo) * u, u = (top 24 bits) * 2^-24.
  float Uniform(float lo, float hi);

  // Fills `values` with Uniform(-bound, bound).
  void FillUniform(float bound, absl::Span<float> values);

 private:
  std::mt19937_64 engine_;
};

}  // namespace superbet::hrl::nn

#endif  // SUPERBET_HRL_NN_PARAMETER_H_
