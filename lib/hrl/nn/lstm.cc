// LSTM forward and backpropagation through time (see include/superbet/hrl/nn/lstm.h). Batched:
// every step is one [batch, 4H] gate matrix; a padded row is computed and then discarded (its h
// and c are restored), which keeps the step a dense matrix product.

#include "superbet/hrl/nn/lstm.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "hrl/nn/internal/eigen.h"

namespace superbet::hrl::nn {
namespace {
using internal::CheckSize;
using internal::RowMatrix;
using internal::View;

inline float Sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

absl::Status CheckDims(int batch, int steps) {
  if (batch < 1 || steps < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch and steps must be >= 1, got batch ", batch, ", steps ", steps));
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<Lstm> MakeLstm(const std::string& name, int input_size, int hidden_size,
                              InitRng& rng) {
  if (input_size < 1 || hidden_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "LSTM ", name, ": sizes must be >= 1, got input ", input_size, ", hidden ", hidden_size));
  }
  internal::UseOneThread();
  Lstm lstm;
  lstm.input_size = input_size;
  lstm.hidden_size = hidden_size;
  const int64_t g = 4 * static_cast<int64_t>(hidden_size);
  lstm.weight_ih = ZeroParameter(name + ".weight_ih_l0", {g, input_size});
  lstm.weight_hh = ZeroParameter(name + ".weight_hh_l0", {g, hidden_size});
  lstm.bias_ih = ZeroParameter(name + ".bias_ih_l0", {g});
  lstm.bias_hh = ZeroParameter(name + ".bias_hh_l0", {g});
  const float bound = 1.0f / std::sqrt(static_cast<float>(hidden_size));
  for (Parameter* p : lstm.Parameters()) rng.FillUniform(bound, absl::MakeSpan(p->value));
  return lstm;
}

absl::Status LstmForward(const Lstm& lstm, absl::Span<const float> x,
                         absl::Span<const uint8_t> valid, int batch, int steps,
                         absl::Span<const float> h0, absl::Span<const float> c0, LstmCache* cache,
                         std::vector<float>* out, std::vector<float>* h_n,
                         std::vector<float>* c_n) {
  if (auto s = CheckDims(batch, steps); !s.ok()) return s;
  const int I = lstm.input_size, H = lstm.hidden_size, G = 4 * H;
  const size_t B = static_cast<size_t>(batch), T = static_cast<size_t>(steps);
  if (auto s = CheckSize("LSTM input x", x.size(), B * T * I); !s.ok()) return s;
  if (!valid.empty()) {
    if (auto s = CheckSize("LSTM valid mask", valid.size(), B * T); !s.ok()) return s;
  }
  if (!h0.empty()) {
    if (auto s = CheckSize("LSTM h0", h0.size(), B * H); !s.ok()) return s;
  }
  if (!c0.empty()) {
    if (auto s = CheckSize("LSTM c0", c0.size(), B * H); !s.ok()) return s;
  }

  // Input contributions of every step at once: [B*T, 4H], row b*T + t.
  RowMatrix xg = View(x.data(), B * T, I) * View(lstm.weight_ih.value.data(), G, I).transpose();
  const Eigen::RowVectorXf bias = internal::ConstVectorView(lstm.bias_ih.value.data(), G) +
                                  internal::ConstVectorView(lstm.bias_hh.value.data(), G);
  const auto whh_t = View(lstm.weight_hh.value.data(), G, H).transpose();

  RowMatrix h = h0.empty() ? RowMatrix::Zero(B, H) : RowMatrix(View(h0.data(), B, H));
  RowMatrix c = c0.empty() ? RowMatrix::Zero(B, H) : RowMatrix(View(c0.data(), B, H));
  RowMatrix gates(B, G);
  if (cache != nullptr) {
    cache->batch = batch;
    cache->steps = steps;
    cache->x.assign(x.begin(), x.end());
    if (valid.empty()) {
      cache->valid.assign(B * T, 1);
    } else {
      cache->valid.assign(valid.begin(), valid.end());
    }
    cache->gates.resize(T * B * G);
    cache->h.resize((T + 1) * B * H);
    cache->c.resize((T + 1) * B * H);
    cache->tanh_c.resize(T * B * H);
    View(cache->h.data(), B, H) = h;
    View(cache->c.data(), B, H) = c;
  }
  out->assign(B * T * H, 0.0f);
  for (size_t t = 0; t < T; ++t) {
    gates.noalias() = h * whh_t;
    for (size_t b = 0; b < B; ++b) {
      const bool is_valid = valid.empty() || valid[b * T + t] != 0;
      if (!is_valid) continue;
      float* g = gates.row(b).data();
      const float* xr = xg.row(b * T + t).data();
      float* hr = h.row(b).data();
      float* cr = c.row(b).data();
      float* o_row = out->data() + (b * T + t) * H;
      for (int k = 0; k < G; ++k) g[k] += xr[k] + bias[k];
      for (int k = 0; k < H; ++k) {
        const float ig = Sigmoid(g[k]);
        const float fg = Sigmoid(g[H + k]);
        const float gg = std::tanh(g[2 * H + k]);
        const float og = Sigmoid(g[3 * H + k]);
        g[k] = ig;
        g[H + k] = fg;
        g[2 * H + k] = gg;
        g[3 * H + k] = og;
        cr[k] = fg * cr[k] + ig * gg;
        const float tc = std::tanh(cr[k]);
        hr[k] = og * tc;
        o_row[k] = hr[k];
        if (cache != nullptr) cache->tanh_c[(t * B + b) * H + k] = tc;
      }
    }
    if (cache != nullptr) {
      std::copy(gates.data(), gates.data() + B * G, cache->gates.data() + t * B * G);
      View(cache->h.data() + (t + 1) * B * H, B, H) = h;
      View(cache->c.data() + (t + 1) * B * H, B, H) = c;
    }
  }
  if (h_n != nullptr) h_n->assign(h.data(), h.data() + B * H);
  if (c_n != nullptr) c_n->assign(c.data(), c.data() + B * H);
  return absl::OkStatus();
}

absl::Status LstmBackward(Lstm& lstm, const LstmCache& cache, absl::Span<const float> d_out,
                          absl::Span<const float> d_h_n, absl::Span<const float> d_c_n,
                          std::vector<float>* dx, std::vector<float>* d_h0,
                          std::vector<float>* d_c0) {
  if (auto s = CheckDims(cache.batch, cache.steps); !s.ok()) return s;
  const int I = lstm.input_size, H = lstm.hidden_size, G = 4 * H;
  const size_t B = static_cast<size_t>(cache.batch), T = static_cast<size_t>(cache.steps);
  if (auto s = CheckSize("LSTM cache gates", cache.gates.size(), T * B * G); !s.ok()) return s;
  if (auto s = CheckSize("LSTM d_out", d_out.size(), B * T * H); !s.ok()) return s;
  if (!d_h_n.empty()) {
    if (auto s = CheckSize("LSTM d_h_n", d_h_n.size(), B * H); !s.ok()) return s;
  }
  if (!d_c_n.empty()) {
    if (auto s = CheckSize("LSTM d_c_n", d_c_n.size(), B * H); !s.ok()) return s;
  }
  RowMatrix dh = d_h_n.empty() ? RowMatrix::Zero(B, H) : RowMatrix(View(d_h_n.data(), B, H));
  RowMatrix dc = d_c_n.empty() ? RowMatrix::Zero(B, H) : RowMatrix(View(d_c_n.data(), B, H));
  RowMatrix dgates_all = RowMatrix::Zero(B * T, G);  // row b*T + t, for dW_ih and dx
  RowMatrix dgates(B, G);
  auto dwhh = View(lstm.weight_hh.grad.data(), G, H);
  const auto whh = View(lstm.weight_hh.value.data(), G, H);
  for (size_t t = T; t-- > 0;) {
    dgates.setZero();
    for (size_t b = 0; b < B; ++b) {
      if (cache.valid[b * T + t] == 0) continue;  // state passes through; output is constant 0
      const float* g = cache.gates.data() + (t * B + b) * G;
      const float* tc = cache.tanh_c.data() + (t * B + b) * H;
      const float* c_prev = cache.c.data() + (t * B + b) * H;
      float* dhr = dh.row(b).data();
      float* dcr = dc.row(b).data();
      const float* dor = d_out.data() + (b * T + t) * H;
      float* dg = dgates.row(b).data();
      for (int k = 0; k < H; ++k) {
        const float ig = g[k], fg = g[H + k], gg = g[2 * H + k], og = g[3 * H + k];
        const float dhk = dhr[k] + dor[k];
        const float dck = dcr[k] + dhk * og * (1.0f - tc[k] * tc[k]);
        dg[k] = dck * gg * ig * (1.0f - ig);
        dg[H + k] = dck * c_prev[k] * fg * (1.0f - fg);
        dg[2 * H + k] = dck * ig * (1.0f - gg * gg);
        dg[3 * H + k] = dhk * tc[k] * og * (1.0f - og);
        dcr[k] = dck * fg;
      }
      dgates_all.row(b * T + t) = dgates.row(b);
    }
    // dh_prev = dgates W_hh for valid rows; padded rows keep dh (zero gate gradients there).
    RowMatrix dh_prev = dgates * whh;
    for (size_t b = 0; b < B; ++b) {
      if (cache.valid[b * T + t] != 0) dh.row(b) = dh_prev.row(b);
    }
    dwhh.noalias() += dgates.transpose() * View(cache.h.data() + t * B * H, B, H);
  }
  View(lstm.weight_ih.grad.data(), G, I).noalias() +=
      dgates_all.transpose() * View(cache.x.data(), B * T, I);
  const Eigen::RowVectorXf db = dgates_all.colwise().sum();
  View(lstm.bias_ih.grad.data(), 1, G) += db;
  View(lstm.bias_hh.grad.data(), 1, G) += db;
  if (dx != nullptr) {
    dx->resize(B * T * I);
    View(dx->data(), B * T, I).noalias() = dgates_all * View(lstm.weight_ih.value.data(), G, I);
  }
  if (d_h0 != nullptr) d_h0->assign(dh.data(), dh.data() + B * H);
  if (d_c0 != nullptr) d_c0->assign(dc.data(), dc.data() + B * H);
  return absl::OkStatus();
}

}  // namespace superbet::hrl::nn
