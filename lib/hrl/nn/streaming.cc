// Streaming inference of the live network (see include/superbet/hrl/nn/streaming.h).
//
// Per minute and match: one LSTM step ([x | h] times the stacked [W_ih; W_hh]^T), one q/k/v
// projection, one attention query over the match's ring of at most T keys, and the heads. The
// attention's output projection is folded into the heads (heads(W_out c + b_out) = (W_h W_out) c +
// W_h b_out + b_h, exact in real arithmetic), which saves a 128x128 product per decision; the
// folded matrix is computed in double once per Create/Reload.

#include "superbet/hrl/nn/streaming.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "hrl/nn/internal/eigen.h"
#include "hrl/nn/internal/gemm.h"

namespace superbet::hrl::nn {
namespace {
using internal::CheckSize;

absl::Status CheckNetwork(const LiveNetwork& n) {
  const LiveNetworkConfig& c = n.config;
  const int64_t I = c.input_size, H = c.hidden_size;
  if (c.input_size < 1 || c.hidden_size < 1 || c.num_heads < 1 || c.window_steps < 1 ||
      c.num_actions < 1 || c.num_outcomes < 1 || c.hidden_size % c.num_heads != 0) {
    return absl::InvalidArgumentError("streaming inference: invalid live network config");
  }
  const struct {
    const Parameter* p;
    int64_t size;
  } expected[] = {{&n.lstm.weight_ih, 4 * H * I},
                  {&n.lstm.weight_hh, 4 * H * H},
                  {&n.lstm.bias_ih, 4 * H},
                  {&n.lstm.bias_hh, 4 * H},
                  {&n.attention.in_proj_weight, 3 * H * H},
                  {&n.attention.in_proj_bias, 3 * H},
                  {&n.attention.out_proj_weight, H * H},
                  {&n.attention.out_proj_bias, H},
                  {&n.policy_head.weight, c.num_actions * H},
                  {&n.policy_head.bias, c.num_actions},
                  {&n.value_head.weight, H},
                  {&n.value_head.bias, 1},
                  {&n.outcome_head.weight, c.num_outcomes * H},
                  {&n.outcome_head.bias, c.num_outcomes}};
  for (const auto& e : expected) {
    if (e.p->size() != e.size) {
      return absl::InvalidArgumentError(absl::StrCat("streaming inference: parameter ", e.p->name,
                                                     " has ", e.p->size(), " values, expected ",
                                                     e.size));
    }
  }
  return absl::OkStatus();
}
// Dot product in 8 independent lanes (so the compiler can vectorise it without reassociating a
// single sum), then the lanes in a fixed order: deterministic.
constexpr int kMaxHeads = 64;
constexpr size_t kChunkRows = 64;
constexpr int kMaxScores = 1024;

inline float Dot(const float* a, const float* b, int n) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int d = 0;
  for (; d + 8 <= n; d += 8) {
    for (int l = 0; l < 8; ++l) lane[l] += a[d + l] * b[d + l];
  }
  for (; d < n; ++d) lane[0] += a[d] * b[d];
  return ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
}

}  // namespace

struct LiveStreamingInference::Impl {
  LiveNetworkConfig cfg;
  int I = 0, H = 0, G = 0, W = 0, NH = 0, D = 0, A = 0, O = 0, M = 0;  // M: padded head width
  float scale = 1.0f;
  std::vector<float> wt_gates, b_gates, wt_qkv, b_qkv, wt_heads, b_heads;
  // Per-slot match state.
  std::vector<uint8_t> open;
  std::vector<int> free_slots;
  int open_count = 0;
  std::vector<float> h, c;          // [S, H]
  std::vector<float> keys, values;  // [S, W, H]
  std::vector<uint8_t> ring_valid;  // [S, W]
  std::vector<int> ring_pos;        // [S]
  std::vector<float> query;         // [S, H], scaled by 1/sqrt(D)
  std::vector<uint64_t> stamp;      // [S]: duplicate-handle check
  uint64_t stamp_counter = 0;
  // Scratch, grown to the largest batch seen.
  std::vector<float> xh, c_in, gates, h_new, c_new, qkv, ctx, logits;
  std::vector<uint8_t> nonzero;
  std::vector<int> active, all_h;

  void LoadWeights(const LiveNetwork& n) {
    cfg = n.config;
    I = cfg.input_size;
    H = cfg.hidden_size;
    G = 4 * H;
    W = cfg.window_steps;
    NH = cfg.num_heads;
    D = H / NH;
    A = cfg.num_actions;
    O = cfg.num_outcomes;
    M = (A + 1 + O + 7) / 8 * 8;
    scale = 1.0f / std::sqrt(static_cast<float>(D));
    using internal::View;
    std::vector<float> wt(static_cast<size_t>(I + H) * G, 0.0f);
    View(wt.data(), I, G) = View(n.lstm.weight_ih.value.data(), G, I).transpose();
    View(wt.data() + static_cast<size_t>(I) * G, H, G) =
        View(n.lstm.weight_hh.value.data(), G, H).transpose();
    wt_gates = internal::PackPanels(wt.data(), I + H, G);
    b_gates.resize(G);
    for (int k = 0; k < G; ++k) b_gates[k] = n.lstm.bias_ih.value[k] + n.lstm.bias_hh.value[k];
    wt.resize(static_cast<size_t>(H) * 3 * H);
    View(wt.data(), H, 3 * H) = View(n.attention.in_proj_weight.value.data(), 3 * H, H).transpose();
    wt_qkv = internal::PackPanels(wt.data(), H, 3 * H);
    b_qkv = n.attention.in_proj_bias.value;
    // Folded heads: rows of [policy; value; outcome] times W_out, in double.
    std::vector<const float*> head_rows;
    std::vector<float> head_bias;
    for (int a = 0; a < A; ++a) head_rows.push_back(n.policy_head.weight.value.data() + a * H);
    head_rows.push_back(n.value_head.weight.value.data());
    for (int o = 0; o < O; ++o) head_rows.push_back(n.outcome_head.weight.value.data() + o * H);
    head_bias.insert(head_bias.end(), n.policy_head.bias.value.begin(),
                     n.policy_head.bias.value.end());
    head_bias.push_back(n.value_head.bias.value[0]);
    head_bias.insert(head_bias.end(), n.outcome_head.bias.value.begin(),
                     n.outcome_head.bias.value.end());
    wt_heads.assign(static_cast<size_t>(H) * M, 0.0f);
    b_heads.assign(M, 0.0f);
    const float* w_out = n.attention.out_proj_weight.value.data();  // [H(out), H(in)]
    const float* b_out = n.attention.out_proj_bias.value.data();
    for (int r = 0; r < static_cast<int>(head_rows.size()); ++r) {
      const float* wh = head_rows[r];
      double bias = head_bias[r];
      for (int e = 0; e < H; ++e) bias += static_cast<double>(wh[e]) * b_out[e];
      b_heads[r] = static_cast<float>(bias);
      for (int j = 0; j < H; ++j) {
        double sum = 0.0;
        for (int e = 0; e < H; ++e) sum += static_cast<double>(wh[e]) * w_out[e * H + j];
        wt_heads[static_cast<size_t>(j) * M + r] = static_cast<float>(sum);
      }
    }
    wt_heads = internal::PackPanels(wt_heads.data(), H, M);
  }

  void EnsureScratch(int n) {
    const size_t N = n;
    if (xh.size() >= N * (I + H)) return;
    xh.resize(N * (I + H));
    c_in.resize(N * H);
    gates.resize(N * G);
    h_new.resize(N * H);
    c_new.resize(N * H);
    qkv.resize(N * 3 * H);
    ctx.resize(N * H);
    logits.resize(N * M);
    nonzero.resize(I + H);
    active.resize(I + H);
    all_h.resize(H);
    for (int k = 0; k < H; ++k) all_h[k] = k;
  }

  // Step for rows [row0, row0 + n) of a validated call.
  void StepChunk(const int* handles, const float* x, const uint8_t* valid, int n, size_t row0,
                 LiveStepOutput* output) {
    const size_t N = n, I = this->I, H = this->H, G = this->G, W = this->W, M = this->M;
    const size_t ld = I + H;
    // [x | h] rows and the columns that are non-zero somewhere in the batch.
    std::fill(nonzero.begin(), nonzero.begin() + ld, 0);
    for (size_t r = 0; r < N; ++r) {
      float* row = xh.data() + r * ld;
      const size_t s = handles[r];
      std::copy(x + r * I, x + (r + 1) * I, row);
      std::copy(h.data() + s * H, h.data() + (s + 1) * H, row + I);
      std::copy(c.data() + s * H, c.data() + (s + 1) * H, c_in.data() + r * H);
      for (size_t k = 0; k < ld; ++k) nonzero[k] |= static_cast<uint8_t>(row[k] != 0.0f);
    }
    int active_count = 0;
    for (size_t k = 0; k < ld; ++k) {
      if (nonzero[k] != 0) active[active_count++] = static_cast<int>(k);
    }
    internal::Gemm({xh.data(), static_cast<int>(ld), n, active.data(), active_count,
                    wt_gates.data(), static_cast<int>(ld), static_cast<int>(G), b_gates.data(),
                    gates.data(), static_cast<int>(G)});
    internal::LstmCell(gates.data(), n, static_cast<int>(H), c_in.data(), c_new.data(),
                       h_new.data());
    internal::Gemm({h_new.data(), static_cast<int>(H), n, all_h.data(), static_cast<int>(H),
                    wt_qkv.data(), static_cast<int>(H), static_cast<int>(3 * H), b_qkv.data(),
                    qkv.data(), static_cast<int>(3 * H)});
    for (size_t r = 0; r < N; ++r) {
      const size_t s = handles[r];
      const bool is_valid = valid == nullptr || valid[r] != 0;
      const size_t pos = ring_pos[s];
      ring_valid[s * W + pos] = is_valid ? 1 : 0;
      ring_pos[s] = static_cast<int>((pos + 1) % W);
      if (is_valid) {
        std::copy(h_new.data() + r * H, h_new.data() + (r + 1) * H, h.data() + s * H);
        std::copy(c_new.data() + r * H, c_new.data() + (r + 1) * H, c.data() + s * H);
        const float* q = qkv.data() + r * 3 * H;
        float* stored_query = query.data() + s * H;
        for (size_t k = 0; k < H; ++k) stored_query[k] = q[k] * scale;
        std::copy(q + H, q + 2 * H, keys.data() + (s * W + pos) * H);
        std::copy(q + 2 * H, q + 3 * H, values.data() + (s * W + pos) * H);
      }
      const bool has = Attend(static_cast<int>(s), ctx.data() + r * H);
      output->has_output[row0 + r] = has ? 1 : 0;
      if (!has) std::fill(ctx.data() + r * H, ctx.data() + (r + 1) * H, 0.0f);
    }
    internal::Gemm({ctx.data(), static_cast<int>(H), n, all_h.data(), static_cast<int>(H),
                    wt_heads.data(), static_cast<int>(H), static_cast<int>(M), b_heads.data(),
                    logits.data(), static_cast<int>(M)});
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (size_t r = 0; r < N; ++r) {
      const float* l = logits.data() + r * M;
      const bool has = output->has_output[row0 + r] != 0;
      for (int a = 0; a < A; ++a) output->policy_logits[(row0 + r) * A + a] = has ? l[a] : nan;
      output->value[row0 + r] = has ? l[A] : nan;
      for (int o = 0; o < O; ++o)
        output->outcome_logits[(row0 + r) * O + o] = has ? l[A + 1 + o] : nan;
    }
  }

  bool IsOpen(int handle) const {
    return handle >= 0 && handle < static_cast<int>(open.size()) && open[handle] != 0;
  }

  // Attention of slot s over its ring for its stored query; writes ctx_row. False when the ring
  // holds no valid minute. Keys and values are read row by row (all heads of one minute at once)
  // so that the ring streams through the cache in order.
  bool Attend(int s, float* ctx_row) const {
    const uint8_t* rv = ring_valid.data() + static_cast<size_t>(s) * W;
    if (std::none_of(rv, rv + W, [](uint8_t v) { return v != 0; })) return false;
    const float* q = query.data() + static_cast<size_t>(s) * H;
    const float* ks = keys.data() + static_cast<size_t>(s) * W * H;
    const float* vs = values.data() + static_cast<size_t>(s) * W * H;
    float p[kMaxScores];  // [head][minute]; NH * W <= kMaxScores is checked at Create
    float mx[kMaxHeads], inv[kMaxHeads];
    for (int hh = 0; hh < NH; ++hh) mx[hh] = -std::numeric_limits<float>::infinity();
    for (int j = 0; j < W; ++j) {
      if (rv[j] == 0) continue;
      const float* k = ks + static_cast<size_t>(j) * H;
      for (int hh = 0; hh < NH; ++hh) {
        const float dot = Dot(q + hh * D, k + hh * D, D);
        p[hh * W + j] = dot;
        mx[hh] = std::max(mx[hh], dot);
      }
    }
    for (int hh = 0; hh < NH; ++hh) {
      float sum = 0.0f;
      for (int j = 0; j < W; ++j) {
        const float e = rv[j] == 0 ? 0.0f : std::exp(p[hh * W + j] - mx[hh]);
        p[hh * W + j] = e;
        sum += e;
      }
      inv[hh] = 1.0f / sum;
    }
    std::fill(ctx_row, ctx_row + H, 0.0f);
    for (int j = 0; j < W; ++j) {
      if (rv[j] == 0) continue;
      const float* v = vs + static_cast<size_t>(j) * H;
      for (int hh = 0; hh < NH; ++hh) {
        const float pj = p[hh * W + j] * inv[hh];
        float* out = ctx_row + hh * D;
        const float* vh = v + hh * D;
        for (int d = 0; d < D; ++d) out[d] += pj * vh[d];
      }
    }
    return true;
  }
};

LiveStreamingInference::LiveStreamingInference(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
LiveStreamingInference::~LiveStreamingInference() = default;

absl::StatusOr<std::unique_ptr<LiveStreamingInference>> LiveStreamingInference::Create(
    const LiveNetwork& network) {
  if (auto s = CheckNetwork(network); !s.ok()) return s;
  if (network.config.num_heads > kMaxHeads ||
      network.config.num_heads * network.config.window_steps > kMaxScores) {
    return absl::InvalidArgumentError(
        absl::StrCat("streaming inference: needs num_heads <= ", kMaxHeads,
                     " and num_heads * window_steps <= ", kMaxScores, ", got ",
                     network.config.num_heads, " heads, window ", network.config.window_steps));
  }
  auto impl = std::make_unique<Impl>();
  impl->LoadWeights(network);
  return std::unique_ptr<LiveStreamingInference>(new LiveStreamingInference(std::move(impl)));
}

absl::Status LiveStreamingInference::Reload(const LiveNetwork& network) {
  if (auto s = CheckNetwork(network); !s.ok()) return s;
  const LiveNetworkConfig& a = impl_->cfg;
  const LiveNetworkConfig& b = network.config;
  if (a.input_size != b.input_size || a.hidden_size != b.hidden_size ||
      a.num_heads != b.num_heads || a.window_steps != b.window_steps ||
      a.num_actions != b.num_actions || a.num_outcomes != b.num_outcomes) {
    return absl::InvalidArgumentError("streaming inference: Reload with a different config");
  }
  impl_->LoadWeights(network);
  return absl::OkStatus();
}

const LiveNetworkConfig& LiveStreamingInference::config() const { return impl_->cfg; }

int LiveStreamingInference::open_matches() const { return impl_->open_count; }

absl::StatusOr<int> LiveStreamingInference::OpenMatch(absl::Span<const float> h0,
                                                      absl::Span<const float> c0) {
  Impl& m = *impl_;
  const size_t H = m.H, W = m.W;
  if (!h0.empty()) {
    if (auto s = CheckSize("OpenMatch h0", h0.size(), H); !s.ok()) return s;
  }
  if (!c0.empty()) {
    if (auto s = CheckSize("OpenMatch c0", c0.size(), H); !s.ok()) return s;
  }
  int s;
  if (!m.free_slots.empty()) {
    s = m.free_slots.back();
    m.free_slots.pop_back();
  } else {
    s = static_cast<int>(m.open.size());
    m.open.push_back(0);
    m.h.resize(m.h.size() + H);
    m.c.resize(m.c.size() + H);
    m.keys.resize(m.keys.size() + W * H);
    m.values.resize(m.values.size() + W * H);
    m.ring_valid.resize(m.ring_valid.size() + W);
    m.ring_pos.push_back(0);
    m.query.resize(m.query.size() + H);
    m.stamp.push_back(0);
  }
  m.open[s] = 1;
  ++m.open_count;
  float* h = m.h.data() + s * H;
  float* c = m.c.data() + s * H;
  for (size_t k = 0; k < H; ++k) {
    h[k] = h0.empty() ? 0.0f : h0[k];
    c[k] = c0.empty() ? 0.0f : c0[k];
  }
  std::fill(m.ring_valid.begin() + s * W, m.ring_valid.begin() + (s + 1) * W, 0);
  m.ring_pos[s] = 0;
  return s;
}

absl::Status LiveStreamingInference::CloseMatch(int handle) {
  if (!impl_->IsOpen(handle)) {
    return absl::NotFoundError(absl::StrCat("match handle ", handle, " is not open"));
  }
  impl_->open[handle] = 0;
  impl_->free_slots.push_back(handle);
  --impl_->open_count;
  return absl::OkStatus();
}

absl::Status LiveStreamingInference::GetState(int handle, std::vector<float>* h,
                                              std::vector<float>* c) const {
  if (!impl_->IsOpen(handle)) {
    return absl::NotFoundError(absl::StrCat("match handle ", handle, " is not open"));
  }
  const size_t H = impl_->H;
  h->assign(impl_->h.begin() + handle * H, impl_->h.begin() + (handle + 1) * H);
  c->assign(impl_->c.begin() + handle * H, impl_->c.begin() + (handle + 1) * H);
  return absl::OkStatus();
}

absl::Status LiveStreamingInference::Step(absl::Span<const int> handles, absl::Span<const float> x,
                                          absl::Span<const uint8_t> valid, LiveStepOutput* output) {
  Impl& m = *impl_;
  const int n = static_cast<int>(handles.size());
  if (n < 1) return absl::InvalidArgumentError("Step needs at least one match handle");
  const size_t N = n, I = m.I, H = m.H, G = m.G, W = m.W, M = m.M;
  if (auto s = CheckSize("Step x", x.size(), N * I); !s.ok()) return s;
  if (!valid.empty()) {
    if (auto s = CheckSize("Step valid", valid.size(), N); !s.ok()) return s;
  }
  for (size_t i = 0; i < N * I; ++i) {
    if (!std::isfinite(x[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("Step: x[row ", i / I, ", slot ", i % I, "] is not finite: ", x[i]));
    }
  }
  ++m.stamp_counter;
  for (int r = 0; r < n; ++r) {
    const int s = handles[r];
    if (!m.IsOpen(s)) {
      return absl::NotFoundError(
          absl::StrCat("Step: match handle ", s, " (row ", r, ") is not open"));
    }
    if (m.stamp[s] == m.stamp_counter) {
      return absl::InvalidArgumentError(
          absl::StrCat("Step: match handle ", s, " appears twice (row ", r, ")"));
    }
    m.stamp[s] = m.stamp_counter;
  }
  output->policy_logits.resize(N * m.A);
  output->value.resize(N);
  output->outcome_logits.resize(N * m.O);
  output->has_output.resize(N);
  // Chunks of at most kChunkRows matches keep the scratch (gates, q/k/v) in L2 beside the weights;
  // every row's arithmetic is independent of the other rows, so chunking changes no bit.
  m.EnsureScratch(static_cast<int>(std::min<size_t>(N, kChunkRows)));
  for (size_t r0 = 0; r0 < N; r0 += kChunkRows) {
    m.StepChunk(handles.data() + r0, x.data() + r0 * I, valid.empty() ? nullptr : valid.data() + r0,
                static_cast<int>(std::min<size_t>(N - r0, kChunkRows)), r0, output);
  }
  return absl::OkStatus();
}

}  // namespace superbet::hrl::nn
