// The live worker's network (see include/superbet/hrl/nn/live_network.h).

#include "superbet/hrl/nn/live_network.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "hrl/nn/internal/eigen.h"

namespace superbet::hrl::nn {
namespace {
using internal::CheckSize;

absl::Status CheckConfig(const LiveNetworkConfig& c) {
  if (c.input_size < 1 || c.hidden_size < 1 || c.num_heads < 1 || c.window_steps < 1 ||
      c.num_actions < 1 || c.num_outcomes < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("live network config values must be >= 1, got input ", c.input_size,
                     ", hidden ", c.hidden_size, ", heads ", c.num_heads, ", window ",
                     c.window_steps, ", actions ", c.num_actions, ", outcomes ", c.num_outcomes));
  }
  if (c.hidden_size % c.num_heads != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hidden_size ", c.hidden_size, " is not a multiple of num_heads ", c.num_heads));
  }
  return absl::OkStatus();
}
}  // namespace

ParameterList LiveNetwork::Parameters() {
  ParameterList list = lstm.Parameters();
  for (Parameter* p : attention.Parameters()) list.push_back(p);
  for (Linear* head : {&policy_head, &value_head, &outcome_head}) {
    list.push_back(&head->weight);
    list.push_back(&head->bias);
  }
  return list;
}

absl::StatusOr<LiveNetwork> MakeLiveNetwork(const LiveNetworkConfig& config, uint64_t seed) {
  if (auto s = CheckConfig(config); !s.ok()) return s;
  InitRng rng(seed);
  LiveNetwork net;
  net.config = config;
  auto lstm = MakeLstm("lstm", config.input_size, config.hidden_size, rng);
  if (!lstm.ok()) return lstm.status();
  net.lstm = *std::move(lstm);
  auto attention = MakeMultiheadAttention("attention", config.hidden_size, config.num_heads, rng);
  if (!attention.ok()) return attention.status();
  net.attention = *std::move(attention);
  auto policy = MakeLinear("policy_head", config.hidden_size, config.num_actions, rng);
  auto value = MakeLinear("value_head", config.hidden_size, 1, rng);
  auto outcome = MakeLinear("outcome_head", config.hidden_size, config.num_outcomes, rng);
  if (!policy.ok()) return policy.status();
  if (!value.ok()) return value.status();
  if (!outcome.ok()) return outcome.status();
  net.policy_head = *std::move(policy);
  net.value_head = *std::move(value);
  net.outcome_head = *std::move(outcome);
  return net;
}

absl::Status LiveNetworkForward(const LiveNetwork& network, const LiveWindowInput& input,
                                LiveNetworkCache* cache, LiveNetworkOutput* output) {
  const LiveNetworkConfig& cfg = network.config;
  const int B = input.batch, T = input.steps, H = cfg.hidden_size;
  if (B < 1 || T < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch and steps must be >= 1, got batch ", B, ", steps ", T));
  }
  if (!input.valid.empty()) {
    if (auto s = CheckSize("valid", input.valid.size(), static_cast<size_t>(B) * T); !s.ok()) {
      return s;
    }
  }
  LiveNetworkCache local;
  LiveNetworkCache& c = cache != nullptr ? *cache : local;
  c.batch = B;
  c.steps = T;
  if (auto s = CheckSize("x", input.x.size(), static_cast<size_t>(B) * T * cfg.input_size);
      !s.ok()) {
    return s;
  }
  for (size_t i = 0; i < input.x.size(); ++i) {
    if (!std::isfinite(input.x[i])) {
      const size_t I = cfg.input_size;
      return absl::InvalidArgumentError(absl::StrCat("x[row ", i / (T * I), ", step ", (i / I) % T,
                                                     ", slot ", i % I,
                                                     "] is not finite: ", input.x[i]));
    }
  }
  c.last_valid.assign(B, -1);
  for (int b = 0; b < B; ++b) {
    for (int t = T - 1; t >= 0; --t) {
      if (input.valid.empty() || input.valid[b * T + t] != 0) {
        c.last_valid[b] = t;
        break;
      }
    }
    if (c.last_valid[b] < 0) {
      return absl::InvalidArgumentError(absl::StrCat("window of batch row ", b,
                                                     " has no valid step (all ", T,
                                                     " minutes padded): no decision"));
    }
  }
  if (auto s = LstmForward(network.lstm, input.x, input.valid, B, T, input.h0, input.c0,
                           cache != nullptr ? &c.lstm : nullptr, &c.lstm_out, &output->h_n,
                           &output->c_n);
      !s.ok()) {
    return s;
  }
  std::vector<float> attn_out;
  if (auto s = AttentionForward(network.attention, c.lstm_out, input.valid, B, T,
                                cache != nullptr ? &c.attention : nullptr, &attn_out);
      !s.ok()) {
    return s;
  }
  c.z.resize(static_cast<size_t>(B) * H);
  for (int b = 0; b < B; ++b) {
    const float* row = attn_out.data() + (static_cast<size_t>(b) * T + c.last_valid[b]) * H;
    std::copy(row, row + H, c.z.data() + static_cast<size_t>(b) * H);
  }
  if (auto s = LinearForward(network.policy_head, c.z, B, &output->policy_logits); !s.ok()) {
    return s;
  }
  if (auto s = LinearForward(network.value_head, c.z, B, &output->value); !s.ok()) return s;
  if (auto s = LinearForward(network.outcome_head, c.z, B, &output->outcome_logits); !s.ok()) {
    return s;
  }
  output->last_valid = c.last_valid;
  return absl::OkStatus();
}

absl::Status LiveNetworkBackward(LiveNetwork& network, const LiveNetworkCache& cache,
                                 const LiveNetworkUpstream& upstream, std::vector<float>* dx) {
  const int B = cache.batch, T = cache.steps, H = network.config.hidden_size;
  if (B < 1 || T < 1 || cache.z.size() != static_cast<size_t>(B) * H || cache.lstm.batch != B) {
    return absl::InvalidArgumentError(
        "live network backward: the cache was not filled by LiveNetworkForward with a cache");
  }
  std::vector<float> dz(static_cast<size_t>(B) * H, 0.0f);
  std::vector<float> d_head;
  const struct {
    Linear* head;
    absl::Span<const float> grad;
  } heads[] = {{&network.policy_head, upstream.d_policy_logits},
               {&network.value_head, upstream.d_value},
               {&network.outcome_head, upstream.d_outcome_logits}};
  for (const auto& h : heads) {
    if (h.grad.empty()) continue;
    if (auto s = LinearBackward(*h.head, cache.z, h.grad, B, &d_head); !s.ok()) return s;
    for (size_t i = 0; i < dz.size(); ++i) dz[i] += d_head[i];
  }
  std::vector<float> d_attn(static_cast<size_t>(B) * T * H, 0.0f);
  for (int b = 0; b < B; ++b) {
    std::copy(dz.begin() + static_cast<size_t>(b) * H, dz.begin() + static_cast<size_t>(b + 1) * H,
              d_attn.begin() + (static_cast<size_t>(b) * T + cache.last_valid[b]) * H);
  }
  std::vector<float> d_lstm_out;
  if (auto s = AttentionBackward(network.attention, cache.attention, d_attn, &d_lstm_out);
      !s.ok()) {
    return s;
  }
  return LstmBackward(network.lstm, cache.lstm, d_lstm_out, {}, {}, dx, nullptr, nullptr);
}

}  // namespace superbet::hrl::nn
