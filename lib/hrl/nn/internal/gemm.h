// lib/hrl/nn/internal/gemm.h: the small dense kernel of streaming inference.
//
// Y[N, M] = X[N, K] * Wt[K, M] + bias[M], X and Y row-major with leading dimensions, Wt packed by
// PackPanels (column panels of 24, then 8, stored one after the other, each K rows of its width,
// so that the kernel streams it in order), summing only over the k listed in `active` (the input
// columns that are non-zero somewhere in the batch: a zero column adds exactly 0, so skipping it
// changes no bit of the result except the sign of a zero).
//
// Dispatch: an AVX2+FMA kernel (GCC target attribute, chosen at run time with
// __builtin_cpu_supports; no -march flag, so the binary runs on any x86-64) when M % 8 == 0 and
// the CPU has both; otherwise a portable loop. Results are bit-identical run to run on one
// machine; across machines with and without FMA they differ by float32 rounding only.

#ifndef SUPERBET_LIB_HRL_NN_INTERNAL_GEMM_H_
#define SUPERBET_LIB_HRL_NN_INTERNAL_GEMM_H_

#include <vector>

namespace superbet::hrl::nn::internal {

// Wt [k, m] row-major -> the panel layout Gemm reads.
std::vector<float> PackPanels(const float* wt, int k, int m);

struct GemmArgs {
  const float* x;
  int ldx;
  int n;
  const int* active;  // k indices, ascending
  int active_count;
  const float* wt;  // PackPanels of Wt [k, m]
  int k;            // rows of Wt
  int m;
  const float* bias;  // [m], not null
  float* y;
  int ldy;
};

void Gemm(const GemmArgs& a);

// The LSTM cell on a batch: gates [n, 4H] pre-activation (i | f | g | o), c_old [n, H];
// c_new = sigmoid(f) * c_old + sigmoid(i) * tanh(g), h_new = sigmoid(o) * tanh(c_new).
// sigmoid(x) = 1 / (1 + exp(-x)) and tanh(x) = 2 sigmoid(2x) - 1, with exp as a degree-6
// polynomial after range reduction (Cephes expf, about 2 ulp) in the AVX2 path and std::exp in the
// portable one: both agree with std::tanh / a direct sigmoid within 1e-6 absolute.
void LstmCell(const float* gates, int n, int hidden, const float* c_old, float* c_new,
              float* h_new);

// The portable paths alone (what a CPU without AVX2+FMA runs), for tests.
void GemmPortable(const GemmArgs& a);
void LstmCellPortable(const float* gates, int n, int hidden, const float* c_old, float* c_new,
                      float* h_new);

// True when the AVX2+FMA kernel is in use on this CPU.
bool GemmUsesAvx2();

}  // namespace superbet::hrl::nn::internal

#endif  // SUPERBET_LIB_HRL_NN_INTERNAL_GEMM_H_
