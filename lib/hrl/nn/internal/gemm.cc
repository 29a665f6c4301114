// The streaming-inference kernel (see gemm.h). Every function here has internal linkage, so the
// AVX2 code cannot replace any other translation unit's code at link time.

#include "hrl/nn/internal/gemm.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SUPERBET_NN_HAVE_AVX2_KERNEL 1
#endif

namespace superbet::hrl::nn::internal {
namespace {

void GemmPortable(const GemmArgs& a) {
  for (int r = 0; r < a.n; ++r) {
    float* y = a.y + static_cast<long>(r) * a.ldy;
    for (int j = 0; j < a.m; ++j) y[j] = a.bias[j];
    const float* x = a.x + static_cast<long>(r) * a.ldx;
    for (int kk = 0; kk < a.active_count; ++kk) {
      const int k = a.active[kk];
      const float xv = x[k];
      const float* w = a.wt + static_cast<long>(k) * a.ldw;
      for (int j = 0; j < a.m; ++j) y[j] += xv * w[j];
    }
  }
}

#ifdef SUPERBET_NN_HAVE_AVX2_KERNEL
// R rows x C vectors of 8 columns, accumulators in registers (R * C <= 12).
template <int R, int C>
__attribute__((target("avx2,fma"), always_inline)) inline void Block(const GemmArgs& a, int row,
                                                                     int col) {
  __m256 acc[R][C];
  for (int c = 0; c < C; ++c) {
    const __m256 b = _mm256_loadu_ps(a.bias + col + 8 * c);
    for (int r = 0; r < R; ++r) acc[r][c] = b;
  }
  const float* x = a.x + static_cast<long>(row) * a.ldx;
  for (int kk = 0; kk < a.active_count; ++kk) {
    const int k = a.active[kk];
    const float* w = a.wt + static_cast<long>(k) * a.ldw + col;
    __m256 wv[C];
    for (int c = 0; c < C; ++c) wv[c] = _mm256_loadu_ps(w + 8 * c);
    for (int r = 0; r < R; ++r) {
      const __m256 xv = _mm256_broadcast_ss(x + static_cast<long>(r) * a.ldx + k);
      for (int c = 0; c < C; ++c) acc[r][c] = _mm256_fmadd_ps(xv, wv[c], acc[r][c]);
    }
  }
  for (int r = 0; r < R; ++r) {
    float* y = a.y + static_cast<long>(row + r) * a.ldy + col;
    for (int c = 0; c < C; ++c) _mm256_storeu_ps(y + 8 * c, acc[r][c]);
  }
}

template <int R>
__attribute__((target("avx2,fma"))) void Rows(const GemmArgs& a, int row) {
  int col = 0;
  for (; col + 24 <= a.m; col += 24) Block<R, 3>(a, row, col);
  for (; col + 8 <= a.m; col += 8) Block<R, 1>(a, row, col);
}

__attribute__((target("avx2,fma"))) void GemmAvx2(const GemmArgs& a) {
  int row = 0;
  for (; row + 4 <= a.n; row += 4) Rows<4>(a, row);
  switch (a.n - row) {
    case 3:
      Rows<3>(a, row);
      break;
    case 2:
      Rows<2>(a, row);
      break;
    case 1:
      Rows<1>(a, row);
      break;
    default:
      break;
  }
}

bool CpuHasAvx2Fma() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}
#endif

}  // namespace

bool GemmUsesAvx2() {
#ifdef SUPERBET_NN_HAVE_AVX2_KERNEL
  return CpuHasAvx2Fma();
#else
  return false;
#endif
}

void Gemm(const GemmArgs& a) {
#ifdef SUPERBET_NN_HAVE_AVX2_KERNEL
  if (a.m % 8 == 0 && CpuHasAvx2Fma()) {
    GemmAvx2(a);
    return;
  }
#endif
  GemmPortable(a);
}

}  // namespace superbet::hrl::nn::internal
