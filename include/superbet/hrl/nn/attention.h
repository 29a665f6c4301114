// include/superbet/hrl/nn/attention.h
//
// Multi-head self-attention with a key-padding mask: torch.nn.MultiheadAttention(embed_dim,
// num_heads, batch_first=True) called as attention(x, x, x, key_padding_mask=~valid) (Vaswani et
// al. 2017, "Attention is all you need", §3.2.2; no dropout, no bias_k/bias_v, no add_zero_attn):
//   [q | k | v] = x W_in^T + b_in                          (3 * embed wide)
//   per head h (head size d = embed / num_heads):
//     A_h = softmax(q_h k_h^T / sqrt(d) with invalid keys at -inf) v_h
//   out = concat_h(A_h) W_out^T + b_out
// Every query position gets an output (padded positions too: they still attend to valid keys, as
// in torch); a padded position is never a key nor a value, so its input cannot reach any output
// except its own row.
//
// Shapes (row-major float32): x, out [batch, steps, embed]; key_valid [batch, steps] (1 = valid;
// empty = all valid); in_proj_weight [3E, E], in_proj_bias [3E], out_proj.weight [E, E],
// out_proj.bias [E].
// Init (PyTorch 1.13 default, torch/nn/modules/activation.py _reset_parameters): in_proj_weight
// xavier_uniform_ (bound sqrt(6 / (E + 3E))), in_proj_bias 0, out_proj.weight
// U(-1/sqrt(E), 1/sqrt(E)) (nn.Linear's default), out_proj.bias 0.

#ifndef SUPERBET_HRL_NN_ATTENTION_H_
#define SUPERBET_HRL_NN_ATTENTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/hrl/nn/parameter.h"

namespace superbet::hrl::nn {

// Ownership: owns its Parameters by value. Forward on a const object is safe from several threads
// (each with its own cache); Backward writes grads and is not.
struct MultiheadAttention {
  int embed_dim = 0;
  int num_heads = 0;
  Parameter in_proj_weight;   // "<name>.in_proj_weight" [3E, E]
  Parameter in_proj_bias;     // "<name>.in_proj_bias" [3E]
  Parameter out_proj_weight;  // "<name>.out_proj.weight" [E, E]
  Parameter out_proj_bias;    // "<name>.out_proj.bias" [E]

  int head_dim() const { return embed_dim / num_heads; }
  ParameterList Parameters() {
    return {&in_proj_weight, &in_proj_bias, &out_proj_weight, &out_proj_bias};
  }
};

// What Forward keeps for Backward (implementation detail; reuse to reuse memory).
struct AttentionCache {
  int batch = 0;
  int steps = 0;
  std::vector<float> x;            // [batch, steps, E]
  std::vector<uint8_t> key_valid;  // [batch, steps]
  std::vector<float> qkv;          // [batch, steps, 3E]
  std::vector<float> probs;        // [batch, heads, steps(query), steps(key)]
  std::vector<float> context;      // [batch, steps, E] (concatenated heads before out_proj)
};

// A MultiheadAttention named `name` with PyTorch's default init.
// Errors: InvalidArgument when embed_dim < 1, num_heads < 1 or embed_dim % num_heads != 0.
[[nodiscard]] absl::StatusOr<MultiheadAttention> MakeMultiheadAttention(const std::string& name,
                                                                        int embed_dim,
                                                                        int num_heads,
                                                                        InitRng& rng);

// Self-attention over `steps` positions of each of `batch` sequences. `cache` may be null.
// Errors: InvalidArgument on a size mismatch, or when a sequence has no valid key (torch would
// return NaN there); the message names the batch row.
[[nodiscard]] absl::Status AttentionForward(const MultiheadAttention& attention,
                                            absl::Span<const float> x,
                                            absl::Span<const uint8_t> key_valid, int batch,
                                            int steps, AttentionCache* cache,
                                            std::vector<float>* out);

// Given dL/d(out) [batch, steps, E]: adds the parameter gradients; writes dL/dx (resized) unless
// null. Errors: InvalidArgument on a size mismatch.
[[nodiscard]] absl::Status AttentionBackward(MultiheadAttention& attention,
                                             const AttentionCache& cache,
                                             absl::Span<const float> d_out, std::vector<float>* dx);

}  // namespace superbet::hrl::nn

#endif  // SUPERBET_HRL_NN_ATTENTION_H_
