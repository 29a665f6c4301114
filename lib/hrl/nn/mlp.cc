#include "superbet/hrl/nn/mlp.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "hrl/nn/internal/eigen.h"

namespace superbet::hrl::nn {

ParameterList Mlp::Parameters() {
  ParameterList list;
  for (Linear& layer : layers) {
    list.push_back(&layer.weight);
    list.push_back(&layer.bias);
  }
  return list;
}

absl::StatusOr<Mlp> MakeMlp(const std::string& name, const std::vector<int>& sizes, InitRng& rng) {
  if (sizes.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("MLP ", name, ": needs at least 2 sizes, got ", sizes.size()));
  }
  Mlp mlp;
  for (size_t k = 0; k + 1 < sizes.size(); ++k) {
    auto layer = MakeLinear(absl::StrCat(name, ".", 2 * k), sizes[k], sizes[k + 1], rng);
    if (!layer.ok()) return layer.status();
    mlp.layers.push_back(*std::move(layer));
  }
  return mlp;
}

absl::Status MlpForward(const Mlp& mlp, absl::Span<const float> x, int batch, MlpCache* cache,
                        std::vector<float>* y) {
  if (mlp.layers.empty()) return absl::InvalidArgumentError("MLP has no layers");
  if (cache != nullptr) {
    cache->batch = batch;
    cache->inputs.resize(mlp.layers.size());
  }
  std::vector<float> current(x.begin(), x.end());
  for (size_t k = 0; k < mlp.layers.size(); ++k) {
    std::vector<float> next;
    if (auto s = LinearForward(mlp.layers[k], current, batch, &next); !s.ok()) return s;
    if (cache != nullptr) cache->inputs[k] = std::move(current);
    if (k + 1 < mlp.layers.size()) {
      for (float& v : next) v = std::max(v, 0.0f);
    }
    current = std::move(next);
  }
  *y = std::move(current);
  return absl::OkStatus();
}

absl::Status MlpBackward(Mlp& mlp, const MlpCache& cache, absl::Span<const float> dy,
                         std::vector<float>* dx) {
  if (cache.inputs.size() != mlp.layers.size()) {
    return absl::InvalidArgumentError("MLP backward: cache was not filled by MlpForward");
  }
  std::vector<float> grad(dy.begin(), dy.end());
  for (size_t k = mlp.layers.size(); k-- > 0;) {
    const bool need_dx = k > 0 || dx != nullptr;
    std::vector<float> d_in;
    if (auto s = LinearBackward(mlp.layers[k], cache.inputs[k], grad, cache.batch,
                                need_dx ? &d_in : nullptr);
        !s.ok()) {
      return s;
    }
    if (k > 0) {
      // The input of layer k is ReLU(pre-activation): gradient passes where it is > 0.
      const std::vector<float>& a = cache.inputs[k];
      for (size_t i = 0; i < d_in.size(); ++i) {
        if (a[i] <= 0.0f) d_in[i] = 0.0f;
      }
    } else if (dx != nullptr) {
      *dx = d_in;
    }
    grad = std::move(d_in);
  }
  return absl::OkStatus();
}

absl::Status CopyMlpValues(const Mlp& from, Mlp* to) {
  if (from.layers.size() != to->layers.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("MLP copy: ", from.layers.size(), " layers vs ", to->layers.size()));
  }
  for (size_t k = 0; k < from.layers.size(); ++k) {
    const Linear& a = from.layers[k];
    Linear& b = to->layers[k];
    if (a.in_features != b.in_features || a.out_features != b.out_features) {
      return absl::InvalidArgumentError(absl::StrCat("MLP copy: layer ", k, " is ", a.in_features,
                                                     "x", a.out_features, " vs ", b.in_features,
                                                     "x", b.out_features));
    }
  }
  for (size_t k = 0; k < from.layers.size(); ++k) {
    to->layers[k].weight.value = from.layers[k].weight.value;
    to->layers[k].bias.value = from.layers[k].bias.value;
  }
  return absl::OkStatus();
}

}  // namespace superbet::hrl::nn
