// Multi-head self-attention forward and backward (see include/superbet/hrl/nn/attention.h).

#include "superbet/hrl/nn/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "hrl/nn/internal/eigen.h"

namespace superbet::hrl::nn {
namespace {
using internal::CheckSize;
using internal::RowMatrix;
using internal::View;
using Stride = Eigen::OuterStride<>;
using ConstStrided = Eigen::Map<const internal::RowMatrix, 0, Stride>;
using Strided = Eigen::Map<internal::RowMatrix, 0, Stride>;
}  // namespace

absl::StatusOr<MultiheadAttention> MakeMultiheadAttention(const std::string& name, int embed_dim,
                                                          int num_heads, InitRng& rng) {
  if (embed_dim < 1 || num_heads < 1 || embed_dim % num_heads != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("MultiheadAttention ", name, ": embed_dim must be a positive multiple of ",
                     "num_heads, got embed_dim ", embed_dim, ", num_heads ", num_heads));
  }
  internal::UseOneThread();
  MultiheadAttention a;
  a.embed_dim = embed_dim;
  a.num_heads = num_heads;
  const int64_t E = embed_dim;
  a.in_proj_weight = ZeroParameter(name + ".in_proj_weight", {3 * E, E});
  a.in_proj_bias = ZeroParameter(name + ".in_proj_bias", {3 * E});
  a.out_proj_weight = ZeroParameter(name + ".out_proj.weight", {E, E});
  a.out_proj_bias = ZeroParameter(name + ".out_proj.bias", {E});
  // xavier_uniform_: fan_in = E, fan_out = 3E.
  rng.FillUniform(std::sqrt(6.0f / static_cast<float>(E + 3 * E)),
                  absl::MakeSpan(a.in_proj_weight.value));
  rng.FillUniform(1.0f / std::sqrt(static_cast<float>(E)), absl::MakeSpan(a.out_proj_weight.value));
  return a;
}

absl::Status AttentionForward(const MultiheadAttention& attention, absl::Span<const float> x,
                              absl::Span<const uint8_t> key_valid, int batch, int steps,
                              AttentionCache* cache, std::vector<float>* out) {
  if (batch < 1 || steps < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch and steps must be >= 1, got batch ", batch, ", steps ", steps));
  }
  const int E = attention.embed_dim, NH = attention.num_heads, D = attention.head_dim();
  const size_t B = batch, T = steps;
  if (auto s = CheckSize("attention input x", x.size(), B * T * E); !s.ok()) return s;
  if (!key_valid.empty()) {
    if (auto s = CheckSize("attention key_valid", key_valid.size(), B * T); !s.ok()) return s;
  }
  for (size_t b = 0; b < B && !key_valid.empty(); ++b) {
    if (std::none_of(key_valid.begin() + b * T, key_valid.begin() + (b + 1) * T,
                     [](uint8_t v) { return v != 0; })) {
      return absl::InvalidArgumentError(
          absl::StrCat("attention: batch row ", b, " has no valid key (all ", T, " steps padded)"));
    }
  }
  AttentionCache local;
  AttentionCache& c = cache != nullptr ? *cache : local;
  c.batch = batch;
  c.steps = steps;
  c.x.assign(x.begin(), x.end());
  if (key_valid.empty()) {
    c.key_valid.assign(B * T, 1);
  } else {
    c.key_valid.assign(key_valid.begin(), key_valid.end());
  }
  c.qkv.resize(B * T * 3 * E);
  auto qkv = View(c.qkv.data(), B * T, 3 * E);
  qkv.noalias() =
      View(x.data(), B * T, E) * View(attention.in_proj_weight.value.data(), 3 * E, E).transpose();
  qkv.rowwise() += internal::ConstVectorView(attention.in_proj_bias.value.data(), 3 * E);
  c.probs.resize(B * NH * T * T);
  c.context.resize(B * T * E);
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  const float neg_inf = -std::numeric_limits<float>::infinity();
  for (size_t b = 0; b < B; ++b) {
    const float* base = c.qkv.data() + b * T * 3 * E;
    for (int h = 0; h < NH; ++h) {
      ConstStrided q(base + h * D, T, D, Stride(3 * E));
      ConstStrided k(base + E + h * D, T, D, Stride(3 * E));
      ConstStrided v(base + 2 * E + h * D, T, D, Stride(3 * E));
      auto p = View(c.probs.data() + (b * NH + h) * T * T, T, T);
      p.noalias() = (q * scale) * k.transpose();
      for (size_t i = 0; i < T; ++i) {
        float mx = neg_inf;
        for (size_t j = 0; j < T; ++j) {
          if (c.key_valid[b * T + j] == 0) {
            p(i, j) = neg_inf;
          } else {
            mx = std::max(mx, p(i, j));
          }
        }
        float sum = 0.0f;
        for (size_t j = 0; j < T; ++j) {
          const float e = c.key_valid[b * T + j] == 0 ? 0.0f : std::exp(p(i, j) - mx);
          p(i, j) = e;
          sum += e;
        }
        p.row(i) /= sum;
      }
      Strided ctx(c.context.data() + b * T * E + h * D, T, D, Stride(E));
      ctx.noalias() = p * v;
    }
  }
  out->resize(B * T * E);
  auto o = View(out->data(), B * T, E);
  o.noalias() = View(c.context.data(), B * T, E) *
                View(attention.out_proj_weight.value.data(), E, E).transpose();
  o.rowwise() += internal::ConstVectorView(attention.out_proj_bias.value.data(), E);
  return absl::OkStatus();
}

absl::Status AttentionBackward(MultiheadAttention& attention, const AttentionCache& cache,
                               absl::Span<const float> d_out, std::vector<float>* dx) {
  const int E = attention.embed_dim, NH = attention.num_heads, D = attention.head_dim();
  const size_t B = cache.batch, T = cache.steps;
  if (cache.batch < 1 || cache.steps < 1) {
    return absl::InvalidArgumentError("attention backward: cache was not filled by Forward");
  }
  if (auto s = CheckSize("attention cache qkv", cache.qkv.size(), B * T * 3 * E); !s.ok()) return s;
  if (auto s = CheckSize("attention d_out", d_out.size(), B * T * E); !s.ok()) return s;
  const auto dO = View(d_out.data(), B * T, E);
  View(attention.out_proj_weight.grad.data(), E, E).noalias() +=
      dO.transpose() * View(cache.context.data(), B * T, E);
  View(attention.out_proj_bias.grad.data(), 1, E) += dO.colwise().sum();
  const RowMatrix dctx = dO * View(attention.out_proj_weight.value.data(), E, E);
  RowMatrix dqkv(B * T, 3 * E);
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  RowMatrix dp(T, T);
  for (size_t b = 0; b < B; ++b) {
    const float* base = cache.qkv.data() + b * T * 3 * E;
    float* dbase = dqkv.data() + b * T * 3 * E;
    for (int h = 0; h < NH; ++h) {
      ConstStrided q(base + h * D, T, D, Stride(3 * E));
      ConstStrided k(base + E + h * D, T, D, Stride(3 * E));
      ConstStrided v(base + 2 * E + h * D, T, D, Stride(3 * E));
      Strided dq(dbase + h * D, T, D, Stride(3 * E));
      Strided dk(dbase + E + h * D, T, D, Stride(3 * E));
      Strided dv(dbase + 2 * E + h * D, T, D, Stride(3 * E));
      const auto p = View(cache.probs.data() + (b * NH + h) * T * T, T, T);
      ConstStrided da(dctx.data() + b * T * E + h * D, T, D, Stride(E));
      dv.noalias() = p.transpose() * da;
      dp.noalias() = da * v.transpose();
      // Softmax backward: dS = P .* (dP - rowsum(dP .* P)).
      for (size_t i = 0; i < T; ++i) {
        const float dot = p.row(i).dot(dp.row(i));
        dp.row(i) = p.row(i).cwiseProduct((dp.row(i).array() - dot).matrix());
      }
      dq.noalias() = (dp * k) * scale;
      dk.noalias() = (dp.transpose() * q) * scale;
    }
  }
  View(attention.in_proj_weight.grad.data(), 3 * E, E).noalias() +=
      dqkv.transpose() * View(cache.x.data(), B * T, E);
  View(attention.in_proj_bias.grad.data(), 1, 3 * E) += dqkv.colwise().sum();
  if (dx != nullptr) {
    dx->resize(B * T * E);
    View(dx->data(), B * T, E).noalias() =
        dqkv * View(attention.in_proj_weight.value.data(), 3 * E, E);
  }
  return absl::OkStatus();
}

}  // namespace superbet::hrl::nn
