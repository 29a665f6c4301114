#include "superbet/hrl/nn/optim.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace superbet::hrl::nn {

Adam::Adam(std::vector<TensorView> parameters, const AdamOptions& options)
    : parameters_(std::move(parameters)), options_(options) {
  for (const TensorView& p : parameters_) {
    m_.emplace_back(p.size, 0.0f);
    v_.emplace_back(p.size, 0.0f);
  }
}

absl::StatusOr<Adam> Adam::Create(const ParameterList& parameters, const AdamOptions& options) {
  for (const Parameter* p : parameters) {
    if (p->grad.size() != p->value.size()) {
      return absl::InvalidArgumentError(absl::StrCat("Adam: parameter ", p->name, " has ",
                                                     p->value.size(), " values but ",
                                                     p->grad.size(), " grads"));
    }
  }
  return Create(ViewsOf(parameters), options);
}

absl::StatusOr<Adam> Adam::Create(absl::Span<const TensorView> parameters,
                                  const AdamOptions& options) {
  if (!(options.learning_rate > 0.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Adam learning_rate must be > 0, got ", options.learning_rate));
  }
  if (!(options.beta1 >= 0.0 && options.beta1 < 1.0) ||
      !(options.beta2 >= 0.0 && options.beta2 < 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("Adam betas must be in [0, 1), got beta1 ",
                                                   options.beta1, ", beta2 ", options.beta2));
  }
  if (!(options.eps > 0.0)) {
    return absl::InvalidArgumentError(absl::StrCat("Adam eps must be > 0, got ", options.eps));
  }
  if (!(options.weight_decay >= 0.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Adam weight_decay must be >= 0, got ", options.weight_decay));
  }
  for (const TensorView& p : parameters) {
    if ((p.value == nullptr || p.grad == nullptr) && p.size > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Adam: parameter ", p.name, " has no value or no grad of size ", p.size));
    }
  }
  return Adam(std::vector<TensorView>(parameters.begin(), parameters.end()), options);
}

void Adam::Step() {
  ++step_;
  // As torch 1.13's _single_tensor_adam: the scalars are Python floats (double), the tensor maths
  // float32.
  const double bias_correction1 = 1.0 - std::pow(options_.beta1, static_cast<double>(step_));
  const double bias_correction2 = 1.0 - std::pow(options_.beta2, static_cast<double>(step_));
  const float step_size = static_cast<float>(options_.learning_rate / bias_correction1);
  const float bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  const float beta1 = static_cast<float>(options_.beta1);
  const float beta2 = static_cast<float>(options_.beta2);
  const float eps = static_cast<float>(options_.eps);
  const float wd = static_cast<float>(options_.weight_decay);
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const TensorView& p = parameters_[i];
    std::vector<float>& m = m_[i];
    std::vector<float>& v = v_[i];
    for (size_t k = 0; k < p.size; ++k) {
      const float g = wd != 0.0f ? p.grad[k] + wd * p.value[k] : p.grad[k];
      m[k] = m[k] * beta1 + (1.0f - beta1) * g;
      v[k] = v[k] * beta2 + (1.0f - beta2) * g * g;
      const float denom = std::sqrt(v[k]) / bc2_sqrt + eps;
      p.value[k] -= step_size * (m[k] / denom);
    }
  }
}

absl::StatusOr<double> ClipGradNorm(const ParameterList& parameters, double max_norm) {
  return ClipGradNorm(ViewsOf(parameters), max_norm);
}

absl::StatusOr<double> ClipGradNorm(absl::Span<const TensorView> parameters, double max_norm) {
  if (!(max_norm > 0.0)) {
    return absl::InvalidArgumentError(absl::StrCat("max_norm must be > 0, got ", max_norm));
  }
  double sum = 0.0;
  for (const TensorView& p : parameters) {
    if (p.grad == nullptr) continue;
    for (size_t k = 0; k < p.size; ++k) sum += static_cast<double>(p.grad[k]) * p.grad[k];
  }
  const double total = std::sqrt(sum);
  if (!std::isfinite(total)) {
    return absl::InvalidArgumentError(absl::StrCat("gradient norm is not finite: ", total));
  }
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1.0) {
    const float c = static_cast<float>(coef);
    for (const TensorView& p : parameters) {
      if (p.grad == nullptr) continue;
      for (size_t k = 0; k < p.size; ++k) p.grad[k] *= c;
    }
  }
  return total;
}

}  // namespace superbet::hrl::nn
