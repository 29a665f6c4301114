// include/superbet/hrl/nn/streaming.h
//
// Streaming inference of the live network for many matches at once. Each open match keeps its
// LSTM state (h, c), the attention keys and values of its last `window_steps` minutes (a ring
// buffer) and the query of its last valid minute, so a new minute costs one LSTM step, one q/k/v
// projection and one attention query over at most window_steps keys: not a recomputation of the
// window. Matches that receive a minute together are stepped as one batch (matrix-matrix products
// over the N matches).
//
// Equivalence: after minutes m_1..m_n of a match (n >= window_steps), Step's outputs equal
// LiveNetworkForward over the last window_steps minutes with (h0, c0) = the LSTM state after
// m_1..m_{n-window_steps} (within float32 rounding, 1e-5 in the tests). A minute with valid = 0 (no
// snapshot) leaves (h, c) unchanged, enters the window as padding (masked key), and the heads are
// read at the last valid minute still inside the window.
//
// Numerics: the products run on a kernel chosen at run time (AVX2+FMA where the CPU has both, a
// portable loop otherwise; the library is not built with -march), sigmoid and tanh use a
// polynomial exp (about 2 ulp), and the attention's output projection is folded into the heads
// (W_h (W_out c + b_out) + b_h = (W_h W_out) c + (W_h b_out + b_h), the product taken in double).
// So outputs are bit-identical run to run on one machine, agree with LiveNetworkForward within
// 1e-5 (not bit for bit), and may differ in the last bits between CPUs with and without FMA.
// Cost per decision at the default sizes: about 150 000 multiply-adds (LSTM step 192 x 512 less
// the input columns that are 0 for every match of the batch, q/k/v 128 x 384, heads 128 x 8),
// 4 x 10 x 32 x 2 for the attention, and 10 KB of keys and values read per match.
//
// Thread-safety: a LiveStreamingInference is NOT thread-safe: one thread at a time calls its
// methods (shard matches over one engine per thread). It owns a copy of the weights (the network
// passed to Create or Reload may be changed or destroyed afterwards) and all per-match state.
// Step allocates no memory once it has seen a batch of that size (and `output` keeps capacity).

#ifndef SUPERBET_HRL_NN_STREAMING_H_
#define SUPERBET_HRL_NN_STREAMING_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/hrl/nn/live_network.h"

namespace superbet::hrl::nn {

// Outputs of one batched Step, row i for handles[i].
struct LiveStepOutput {
  std::vector<float> policy_logits;   // [N, num_actions]
  std::vector<float> value;           // [N]
  std::vector<float> outcome_logits;  // [N, num_outcomes]
  // [N]: 0 when the match's window holds no valid minute; that row has no decision and its
  // values are quiet NaN (never a 0 that looks computed).
  std::vector<uint8_t> has_output;
};

class LiveStreamingInference {
 public:
  // Copies `network`'s weights. Errors: InvalidArgument when the network's tensors do not match
  // its config (e.g. after a bad import).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LiveStreamingInference>> Create(
      const LiveNetwork& network);
  ~LiveStreamingInference();
  LiveStreamingInference(const LiveStreamingInference&) = delete;
  LiveStreamingInference& operator=(const LiveStreamingInference&) = delete;

  // Opens a match stream with LSTM state (h0, c0) ([hidden] each; empty = zeros) and an empty
  // window; returns its handle (>= 0; handles of closed matches are reused).
  // Errors: InvalidArgument when h0/c0 have a size other than 0 or hidden_size.
  [[nodiscard]] absl::StatusOr<int> OpenMatch(absl::Span<const float> h0 = {},
                                              absl::Span<const float> c0 = {});

  // Forgets a match. Errors: NotFound for a handle that is not open.
  [[nodiscard]] absl::Status CloseMatch(int handle);

  // Number of open matches.
  int open_matches() const;

  // Advances each match in `handles` by one minute: x [N, input_size] (row i for handles[i]),
  // valid [N] (empty = all valid). Output vectors are resized to N rows.
  // Errors: InvalidArgument when N < 1, a size mismatches, a value of x is not finite (names row,
  // slot and value), or a handle appears twice; NotFound for a handle that is not open. On error no
  // match state changes.
  [[nodiscard]] absl::Status Step(absl::Span<const int> handles, absl::Span<const float> x,
                                  absl::Span<const uint8_t> valid, LiveStepOutput* output);

  // The LSTM state (h, c) of an open match, [hidden] each.
  // Errors: NotFound for a handle that is not open.
  [[nodiscard]] absl::Status GetState(int handle, std::vector<float>* h,
                                      std::vector<float>* c) const;

  // Replaces the weights (e.g. after a PPO update); match states are kept, but cached keys, values
  // and queries were made with the old weights, so callers normally reopen matches.
  // Errors: InvalidArgument when the new network's config differs.
  [[nodiscard]] absl::Status Reload(const LiveNetwork& network);

  const LiveNetworkConfig& config() const;

 private:
  struct Impl;
  explicit LiveStreamingInference(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace superbet::hrl::nn

#endif  // SUPERBET_HRL_NN_STREAMING_H_
