// include/superbet/hrl/nn/live_network.h
//
// The live worker's network: LSTM -> multi-head self-attention -> three heads read at the LAST
// VALID step of the window (the design's live-worker layout; the original design reads step -1,
// which is a padded step whenever the last minute has no snapshot).
//
//   lstm_out = LSTM(x, valid, h0, c0)                    [B, T, 128]  (0 at padded steps)
//   attn_out = MultiheadAttention(lstm_out, key_valid = valid)   [B, T, 128]
//   z_b      = attn_out[b, last valid step of b]          [B, 128]
//   policy_logits = z W_p^T + b_p   [B, 3]: bet_home, bet_away, no_bet
//   value         = z W_v^T + b_v   [B]
//   outcome_logits = z W_o^T + b_o  [B, 3]: home, draw, away (softmax gives p; trained with
//                                           cross-entropy on results, see losses.h)
//
// Defaults: input 64, hidden = embed 128, 4 heads (head size 32), window T = 10 one-minute steps.
// The LSTM state entering the window (h0, c0) is an input: a full-window forward started from the
// state the stream had before the window equals streaming.h's incremental result, and training
// truncates backpropagation at the window start (h0, c0 are treated as constants unless their
// gradients are asked for).
//
// Parameter names and order (PyTorch state_dict keys of the original design's LiveWorkerAgent plus
// the outcome head): lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0,
// attention.in_proj_weight, attention.in_proj_bias, attention.out_proj.weight,
// attention.out_proj.bias, policy_head.weight, policy_head.bias, value_head.weight,
// value_head.bias, outcome_head.weight, outcome_head.bias.

#ifndef SUPERBET_HRL_NN_LIVE_NETWORK_H_
#define SUPERBET_HRL_NN_LIVE_NETWORK_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/hrl/nn/attention.h"
#include "superbet/hrl/nn/linear.h"
#include "superbet/hrl/nn/lstm.h"
#include "superbet/hrl/nn/parameter.h"

namespace superbet::hrl::nn {

// Policy-logit columns (the design's actions; there is no draw action).
inline constexpr int kBetHome = 0;
inline constexpr int kBetAway = 1;
inline constexpr int kNoBet = 2;
// Outcome-logit columns.
inline constexpr int kOutcomeHome = 0;
inline constexpr int kOutcomeDraw = 1;
inline constexpr int kOutcomeAway = 2;

struct LiveNetworkConfig {
  int input_size = 64;
  int hidden_size = 128;  // also the attention's embedding size
  int num_heads = 4;
  int window_steps = 10;  // T: one-minute steps the attention looks back over
  int num_actions = 3;
  int num_outcomes = 3;
};

// Ownership: owns all parameters by value; Parameters() points into this object, so do not move
// it while an optimiser holds the list. Forward on a const network is thread-safe with one cache
// per thread; Backward writes grads and is not.
struct LiveNetwork {
  LiveNetworkConfig config;
  Lstm lstm;
  MultiheadAttention attention;
  Linear policy_head;
  Linear value_head;
  Linear outcome_head;

  // The 14 parameters in the order listed in the file comment.
  ParameterList Parameters();
};

// A network with PyTorch's default init drawn from InitRng(seed), in parameter order.
// Errors: InvalidArgument for a config value < 1 or hidden_size % num_heads != 0.
[[nodiscard]] absl::StatusOr<LiveNetwork> MakeLiveNetwork(const LiveNetworkConfig& config,
                                                          uint64_t seed);

// A batch of windows. Spans are views: the caller keeps the data alive during the call.
struct LiveWindowInput {
  int batch = 0;
  int steps = 0;              // usually config.window_steps
  absl::Span<const float> x;  // [batch, steps, input_size] masked states (slots as in the live
                              // feature spec)
  absl::Span<const uint8_t> valid;  // [batch, steps]: 1 = minute with a snapshot; empty = all
  absl::Span<const float> h0;       // [batch, hidden] LSTM state entering the window; empty = 0
  absl::Span<const float> c0;       // [batch, hidden]; empty = 0
};

struct LiveNetworkOutput {
  std::vector<float> policy_logits;   // [batch, num_actions]
  std::vector<float> value;           // [batch]
  std::vector<float> outcome_logits;  // [batch, num_outcomes]
  std::vector<int> last_valid;        // [batch]: the step the heads read
  std::vector<float> h_n;             // [batch, hidden]: LSTM state after the window
  std::vector<float> c_n;             // [batch, hidden]
};

// Kept by Forward for Backward (implementation detail; reuse it to reuse memory).
struct LiveNetworkCache {
  int batch = 0;
  int steps = 0;
  LstmCache lstm;
  std::vector<float> lstm_out;
  AttentionCache attention;
  std::vector<float> z;  // [batch, hidden]
  std::vector<int> last_valid;
};

// Forward pass. `cache` may be null (inference).
// Errors: InvalidArgument on a size mismatch (names the field, expected and actual size), a value
// of x that is not finite (names row, step, slot and value; masked-out slots hold 0, not NaN), or
// a window with no valid step (names the batch row): such a window has no decision.
[[nodiscard]] absl::Status LiveNetworkForward(const LiveNetwork& network,
                                              const LiveWindowInput& input, LiveNetworkCache* cache,
                                              LiveNetworkOutput* output);

// Upstream gradients of the loss with respect to the outputs; an empty span means 0.
struct LiveNetworkUpstream {
  absl::Span<const float> d_policy_logits;   // [batch, num_actions]
  absl::Span<const float> d_value;           // [batch]
  absl::Span<const float> d_outcome_logits;  // [batch, num_outcomes]
};

// Backward pass: adds dL/d(parameter) to every parameter's grad (BPTT through the window). Writes
// dL/dx [batch, steps, input] unless `dx` is null.
// Errors: InvalidArgument on a size mismatch or a cache not filled by LiveNetworkForward.
[[nodiscard]] absl::Status LiveNetworkBackward(LiveNetwork& network, const LiveNetworkCache& cache,
                                               const LiveNetworkUpstream& upstream,
                                               std::vector<float>* dx);

}  // namespace superbet::hrl::nn

#endif  // SUPERBET_HRL_NN_LIVE_NETWORK_H_
