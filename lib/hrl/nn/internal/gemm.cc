// The streaming-inference kernel (see gemm.h). Every function here has internal linkage, so the
// AVX2 code cannot replace any other translation unit's code at link time.

#include "hrl/nn/internal/gemm.h"

#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SUPERBET_NN_HAVE_AVX2_KERNEL 1
#endif

namespace superbet::hrl::nn::internal {

namespace {
int PanelWidth(int m, int col) {
  const int left = m - col;
  return left >= 24 ? 24 : (left >= 8 ? 8 : left);
}
}  // namespace

std::vector<float> PackPanels(const float* wt, int k, int m) {
  std::vector<float> packed(static_cast<size_t>(k) * m);
  for (int col = 0; col < m;) {
    const int w = PanelWidth(m, col);
    float* panel = packed.data() + static_cast<long>(col) * k;
    for (int kk = 0; kk < k; ++kk) {
      for (int c = 0; c < w; ++c) panel[kk * w + c] = wt[static_cast<long>(kk) * m + col + c];
    }
    col += w;
  }
  return packed;
}

void GemmPortable(const GemmArgs& a) {
  for (int r = 0; r < a.n; ++r) {
    float* y = a.y + static_cast<long>(r) * a.ldy;
    for (int j = 0; j < a.m; ++j) y[j] = a.bias[j];
    const float* x = a.x + static_cast<long>(r) * a.ldx;
    for (int col = 0; col < a.m;) {
      const int w = PanelWidth(a.m, col);
      const float* panel = a.wt + static_cast<long>(col) * a.k;
      for (int kk = 0; kk < a.active_count; ++kk) {
        const int k = a.active[kk];
        const float xv = x[k];
        const float* wr = panel + static_cast<long>(k) * w;
        for (int c = 0; c < w; ++c) y[col + c] += xv * wr[c];
      }
      col += w;
    }
  }
}

namespace {
inline float SigmoidPortable(float x) { return 1.0f / (1.0f + std::exp(-x)); }
}  // namespace

void LstmCellPortable(const float* gates, int n, int H, const float* c_old, float* c_new,
                      float* h_new) {
  for (int r = 0; r < n; ++r) {
    const float* g = gates + static_cast<long>(r) * 4 * H;
    const float* co = c_old + static_cast<long>(r) * H;
    float* cn = c_new + static_cast<long>(r) * H;
    float* hn = h_new + static_cast<long>(r) * H;
    for (int k = 0; k < H; ++k) {
      const float i = SigmoidPortable(g[k]);
      const float f = SigmoidPortable(g[H + k]);
      const float gg = 2.0f * SigmoidPortable(2.0f * g[2 * H + k]) - 1.0f;
      const float o = SigmoidPortable(g[3 * H + k]);
      cn[k] = f * co[k] + i * gg;
      hn[k] = o * (2.0f * SigmoidPortable(2.0f * cn[k]) - 1.0f);
    }
  }
}

namespace {
#ifdef SUPERBET_NN_HAVE_AVX2_KERNEL
// exp(x) for 8 floats: x = n ln2 + r, |r| <= ln2 / 2, exp(r) by the Cephes expf polynomial.
__attribute__((target("avx2,fma"), always_inline)) inline __m256 Exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  const __m256 r2 = _mm256_mul_ps(r, r);
  p = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i e =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

__attribute__((target("avx2,fma"), always_inline)) inline __m256 Sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, Exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

__attribute__((target("avx2,fma"), always_inline)) inline __m256 Tanh8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 s = Sigmoid8(_mm256_add_ps(x, x));
  return _mm256_sub_ps(_mm256_add_ps(s, s), one);
}

__attribute__((target("avx2,fma"))) void LstmCellAvx2(const float* gates, int n, int H,
                                                      const float* c_old, float* c_new,
                                                      float* h_new) {
  for (int r = 0; r < n; ++r) {
    const float* g = gates + static_cast<long>(r) * 4 * H;
    const float* co = c_old + static_cast<long>(r) * H;
    float* cn = c_new + static_cast<long>(r) * H;
    float* hn = h_new + static_cast<long>(r) * H;
    for (int k = 0; k < H; k += 8) {
      const __m256 i = Sigmoid8(_mm256_loadu_ps(g + k));
      const __m256 f = Sigmoid8(_mm256_loadu_ps(g + H + k));
      const __m256 gg = Tanh8(_mm256_loadu_ps(g + 2 * H + k));
      const __m256 o = Sigmoid8(_mm256_loadu_ps(g + 3 * H + k));
      const __m256 c = _mm256_fmadd_ps(f, _mm256_loadu_ps(co + k), _mm256_mul_ps(i, gg));
      _mm256_storeu_ps(cn + k, c);
      _mm256_storeu_ps(hn + k, _mm256_mul_ps(o, Tanh8(c)));
    }
  }
}

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
    const float* w = a.wt + static_cast<long>(col) * a.k + static_cast<long>(k) * (8 * C);
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

void LstmCell(const float* gates, int n, int hidden, const float* c_old, float* c_new,
              float* h_new) {
#ifdef SUPERBET_NN_HAVE_AVX2_KERNEL
  if (hidden % 8 == 0 && CpuHasAvx2Fma()) {
    LstmCellAvx2(gates, n, hidden, c_old, c_new, h_new);
    return;
  }
#endif
  LstmCellPortable(gates, n, hidden, c_old, c_new, h_new);
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
