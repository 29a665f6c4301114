// lib/hrl/nn/internal/gemm.h: the small dense kernel of streaming inference.
//
// Y[N, M] = X[N, K] * Wt[K, M] + bias[M], all row-major with leading dimensions, summing only over
// the k listed in `active` (the input columns that are non-zero somewhere in the batch: a zero
// column adds exactly 0, so skipping it changes no bit of the result except the sign of a zero).
//
// Dispatch: an AVX2+FMA kernel (GCC target attribute, chosen at run time with
// __builtin_cpu_supports; no -march flag, so the binary runs on any x86-64) when M % 8 == 0 and
// the CPU has both; otherwise a portable loop. Results are bit-identical run to run on one
// machine; across machines with and without FMA they differ by float32 rounding only.

#ifndef SUPERBET_LIB_HRL_NN_INTERNAL_GEMM_H_
#define SUPERBET_LIB_HRL_NN_INTERNAL_GEMM_H_

namespace superbet::hrl::nn::internal {

struct GemmArgs {
  const float* x;
  int ldx;
  int n;
  const int* active;  // k indices, ascending
  int active_count;
  const float* wt;
  int ldw;
  int m;
  const float* bias;  // [m], not null
  float* y;
  int ldy;
};

void Gemm(const GemmArgs& a);

// True when the AVX2+FMA kernel is in use on this CPU.
bool GemmUsesAvx2();

}  // namespace superbet::hrl::nn::internal

#endif  // SUPERBET_LIB_HRL_NN_INTERNAL_GEMM_H_
