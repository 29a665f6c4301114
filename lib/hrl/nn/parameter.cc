#include "superbet/hrl/nn/parameter.h"

#include <Eigen/Core>
#include <algorithm>
#include <utility>

#include "hrl/nn/internal/eigen.h"

namespace superbet::hrl::nn {
namespace internal {
void UseOneThread() { Eigen::setNbThreads(1); }
}  // namespace internal

Parameter ZeroParameter(std::string name, std::vector<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  Parameter p;
  p.name = std::move(name);
  p.shape = std::move(shape);
  p.value.assign(static_cast<size_t>(n), 0.0f);
  p.grad.assign(static_cast<size_t>(n), 0.0f);
  return p;
}

void ZeroGrad(const ParameterList& parameters) {
  for (Parameter* p : parameters) std::fill(p->grad.begin(), p->grad.end(), 0.0f);
}

std::vector<TensorView> ViewsOf(const ParameterList& parameters) {
  std::vector<TensorView> views;
  views.reserve(parameters.size());
  for (Parameter* p : parameters) {
    const bool grad_ok = p->grad.size() == p->value.size();
    views.push_back(
        {p->name, p->shape, p->value.data(), grad_ok ? p->grad.data() : nullptr, p->value.size()});
  }
  return views;
}

int64_t CountScalars(const ParameterList& parameters) {
  int64_t n = 0;
  for (const Parameter* p : parameters) n += p->size();
  return n;
}

float InitRng::Uniform(float lo, float hi) {
  const float u = static_cast<float>(engine_() >> 40) * 0x1p-24f;
  return lo + (hi - lo) * u;
}

void InitRng::FillUniform(float bound, absl::Span<float> values) {
  for (float& v : values) v = Uniform(-bound, bound);
}

}  // namespace superbet::hrl::nn
