// include/superbet/hrl/nn/lstm.h
//
// One-layer LSTM, batch-first, with backpropagation through time: torch.nn.LSTM(input_size,
// hidden_size, num_layers=1, batch_first=True) (Hochreiter & Schmidhuber 1997; equations and gate
// order i, f, g, o as in PyTorch's nn.LSTM documentation):
//   gates = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh        (4 * hidden wide: i | f | g | o)
//   i = sigmoid, f = sigmoid, g = tanh, o = sigmoid
//   c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
//
// Step validity (packing): a step marked invalid (a minute without a snapshot) is skipped: h and c
// carry over unchanged and its output row is 0, as pack_padded_sequence + pad_packed_sequence do
// for trailing padding; here the padded steps may also sit between valid ones, which equals
// running torch's LSTM over the valid steps only, in order.
//
// Shapes (row-major float32): x [batch, steps, input_size]; valid [batch, steps] (1 = valid; empty
// = all valid); h0, c0, h_n, c_n [batch, hidden_size] (empty h0/c0 = zeros); out [batch, steps,
// hidden_size].
// Init (PyTorch default, torch/nn/modules/rnn.py): every parameter U(-1/sqrt(hidden),
// 1/sqrt(hidden)).

#ifndef SUPERBET_HRL_NN_LSTM_H_
#define SUPERBET_HRL_NN_LSTM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/hrl/nn/parameter.h"

namespace superbet::hrl::nn {

// Ownership: owns its Parameters by value. Forward on a const Lstm is safe from several threads
// (each with its own cache); Backward writes grads and is not.
struct Lstm {
  int input_size = 0;
  int hidden_size = 0;
  Parameter weight_ih;  // "<name>.weight_ih_l0" [4H, input_size]
  Parameter weight_hh;  // "<name>.weight_hh_l0" [4H, H]
  Parameter bias_ih;    // "<name>.bias_ih_l0" [4H]
  Parameter bias_hh;    // "<name>.bias_hh_l0" [4H]

  ParameterList Parameters() { return {&weight_ih, &weight_hh, &bias_ih, &bias_hh}; }
};

// What Forward keeps for Backward. Contents are an implementation detail: fill it with
// LstmForward and pass it unchanged to LstmBackward. Reusing one cache across calls reuses its
// memory.
struct LstmCache {
  int batch = 0;
  int steps = 0;
  std::vector<float> x;        // [batch, steps, input]
  std::vector<uint8_t> valid;  // [batch, steps]
  std::vector<float> gates;    // [steps, batch, 4H] after the nonlinearities
  std::vector<float> h;        // [steps + 1, batch, H]: state before step t at index t
  std::vector<float> c;        // [steps + 1, batch, H]
  std::vector<float> tanh_c;   // [steps, batch, H]
};

// An Lstm named `name` with PyTorch's default init.
// Errors: InvalidArgument when input_size or hidden_size is < 1.
[[nodiscard]] absl::StatusOr<Lstm> MakeLstm(const std::string& name, int input_size,
                                            int hidden_size, InitRng& rng);

// Runs the LSTM over `steps` steps of each of `batch` sequences. `cache` may be null (inference);
// `h_n`/`c_n` may be null. Outputs are resized.
// Errors: InvalidArgument when batch or steps < 1 or a span has the wrong size (names it, with the
// expected and actual size).
[[nodiscard]] absl::Status LstmForward(const Lstm& lstm, absl::Span<const float> x,
                                       absl::Span<const uint8_t> valid, int batch, int steps,
                                       absl::Span<const float> h0, absl::Span<const float> c0,
                                       LstmCache* cache, std::vector<float>* out,
                                       std::vector<float>* h_n, std::vector<float>* c_n);

// Backpropagation through time. Inputs: dL/d(out) [batch, steps, H] (rows of invalid steps are
// ignored: those outputs are constant 0); dL/dh_n and dL/dc_n [batch, H] or empty (= 0). Adds the
// parameter gradients to the grads; writes dL/dx [batch, steps, input], dL/dh0 and dL/dc0 [batch,
// H] where the pointers are not null.
// Errors: InvalidArgument on a size mismatch or a cache from another shape.
[[nodiscard]] absl::Status LstmBackward(Lstm& lstm, const LstmCache& cache,
                                        absl::Span<const float> d_out,
                                        absl::Span<const float> d_h_n,
                                        absl::Span<const float> d_c_n, std::vector<float>* dx,
                                        std::vector<float>* d_h0, std::vector<float>* d_c0);

}  // namespace superbet::hrl::nn

#endif  // SUPERBET_HRL_NN_LSTM_H_
