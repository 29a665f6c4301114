// The streaming kernels: the dispatched path (AVX2+FMA where the CPU has it) against the portable
// path a CPU without AVX2 runs, and both against a direct double-precision evaluation.
// Oracle: the defining formulas in double (sum_k x_k w_kj + b_j; sigmoid, tanh from <cmath>).

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "hrl/nn/internal/gemm.h"

namespace internal = superbet::hrl::nn::internal;

TEST_CASE("Streaming GEMM: dispatched and portable paths equal the double-precision sum",
          "[hrl][nn]") {
  const int n = 7, k = 37, m = 40;  // odd sizes: row remainder 3, column blocks 24 + 8 + 8
  std::vector<float> x(n * k), w(k * m), b(m), y1(n * m), y2(n * m);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.7f * i);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::cos(0.3f * i) * 0.2f;
  for (int j = 0; j < m; ++j) b[j] = 0.01f * j;
  for (int r = 0; r < n; ++r) x[r * k + 5] = 0.0f;  // column 5 is zero in every row: skipped
  std::vector<int> active;
  for (int i = 0; i < k; ++i) {
    if (i != 5) active.push_back(i);
  }
  const std::vector<float> packed = internal::PackPanels(w.data(), k, m);
  const internal::GemmArgs args1{
      x.data(), k,         n, active.data(), static_cast<int>(active.size()), packed.data(), k, m,
      b.data(), y1.data(), m};
  internal::GemmArgs args2 = args1;
  args2.y = y2.data();
  internal::Gemm(args1);
  internal::GemmPortable(args2);
  for (int r = 0; r < n; ++r) {
    for (int j = 0; j < m; ++j) {
      double ref = b[j];
      for (int i = 0; i < k; ++i) ref += double{x[r * k + i]} * w[i * m + j];
      CHECK(std::fabs(y1[r * m + j] - ref) < 1e-5);
      CHECK(std::fabs(y2[r * m + j] - ref) < 1e-5);
    }
  }
}

TEST_CASE("Streaming LSTM cell: both paths equal sigmoid and tanh within 1e-6", "[hrl][nn]") {
  const int n = 3, h = 16;
  std::vector<float> gates(n * 4 * h), c_old(n * h), c1(n * h), h1(n * h), c2(n * h), h2(n * h);
  for (size_t i = 0; i < gates.size(); ++i) gates[i] = 12.0f * std::sin(1.3f * i);  // saturating
  for (size_t i = 0; i < c_old.size(); ++i) c_old[i] = 3.0f * std::cos(0.9f * i);
  internal::LstmCell(gates.data(), n, h, c_old.data(), c1.data(), h1.data());
  internal::LstmCellPortable(gates.data(), n, h, c_old.data(), c2.data(), h2.data());
  auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  for (int r = 0; r < n; ++r) {
    for (int k = 0; k < h; ++k) {
      const float* g = gates.data() + r * 4 * h;
      const double c =
          sig(g[h + k]) * c_old[r * h + k] + sig(g[k]) * std::tanh(double{g[2 * h + k]});
      const double hh = sig(g[3 * h + k]) * std::tanh(c);
      CHECK(std::fabs(c1[r * h + k] - c) < 1e-6 * (1 + std::fabs(c)));
      CHECK(std::fabs(c2[r * h + k] - c) < 1e-6 * (1 + std::fabs(c)));
      CHECK(std::fabs(h1[r * h + k] - hh) < 1e-6);
      CHECK(std::fabs(h2[r * h + k] - hh) < 1e-6);
    }
  }
}
