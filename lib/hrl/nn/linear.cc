#include "superbet/hrl/nn/linear.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "hrl/nn/internal/eigen.h"

namespace superbet::hrl::nn {
using internal::CheckSize;
using internal::View;

absl::StatusOr<Linear> MakeLinear(const std::string& name, int in_features, int out_features,
                                  InitRng& rng) {
  if (in_features < 1 || out_features < 1) {
    return absl::InvalidArgumentError(absl::StrCat("Linear ", name, ": sizes must be >= 1, got in ",
                                                   in_features, ", out ", out_features));
  }
  internal::UseOneThread();
  Linear layer;
  layer.in_features = in_features;
  layer.out_features = out_features;
  layer.weight = ZeroParameter(name + ".weight", {out_features, in_features});
  layer.bias = ZeroParameter(name + ".bias", {out_features});
  const float bound = 1.0f / std::sqrt(static_cast<float>(in_features));
  rng.FillUniform(bound, absl::MakeSpan(layer.weight.value));
  rng.FillUniform(bound, absl::MakeSpan(layer.bias.value));
  return layer;
}

absl::Status LinearForward(const Linear& layer, absl::Span<const float> x, int batch,
                           std::vector<float>* y) {
  if (batch < 1) return absl::InvalidArgumentError(absl::StrCat("batch must be >= 1, got ", batch));
  if (auto s = CheckSize(layer.weight.name + " input x", x.size(),
                         static_cast<size_t>(batch) * layer.in_features);
      !s.ok()) {
    return s;
  }
  y->resize(static_cast<size_t>(batch) * layer.out_features);
  auto out = View(y->data(), batch, layer.out_features);
  out.noalias() =
      View(x.data(), batch, layer.in_features) *
      View(layer.weight.value.data(), layer.out_features, layer.in_features).transpose();
  out.rowwise() += internal::ConstVectorView(layer.bias.value.data(), layer.out_features);
  return absl::OkStatus();
}

absl::Status LinearBackward(Linear& layer, absl::Span<const float> x, absl::Span<const float> dy,
                            int batch, std::vector<float>* dx) {
  if (batch < 1) return absl::InvalidArgumentError(absl::StrCat("batch must be >= 1, got ", batch));
  const size_t b = static_cast<size_t>(batch);
  if (auto s = CheckSize(layer.weight.name + " input x", x.size(), b * layer.in_features);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckSize(layer.weight.name + " dy", dy.size(), b * layer.out_features); !s.ok()) {
    return s;
  }
  const auto dY = View(dy.data(), batch, layer.out_features);
  const auto X = View(x.data(), batch, layer.in_features);
  View(layer.weight.grad.data(), layer.out_features, layer.in_features).noalias() +=
      dY.transpose() * X;
  View(layer.bias.grad.data(), 1, layer.out_features) += dY.colwise().sum();
  if (dx != nullptr) {
    dx->resize(b * layer.in_features);
    View(dx->data(), batch, layer.in_features).noalias() =
        dY * View(layer.weight.value.data(), layer.out_features, layer.in_features);
  }
  return absl::OkStatus();
}

}  // namespace superbet::hrl::nn
