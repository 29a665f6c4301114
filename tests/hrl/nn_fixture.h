// Test support for the hrl/nn tests: reads the PyTorch reference fixtures written by
// tests/hrl/make_reference.py (format described there) and compares float vectors.

#ifndef SUPERBET_TESTS_HRL_NN_FIXTURE_H_
#define SUPERBET_TESTS_HRL_NN_FIXTURE_H_

#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "superbet/hrl/nn/parameter.h"
#include "support/test_data.h"

namespace superbet::testing {

struct FixtureTensor {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// Tensors of tests/hrl/fixtures/<file> by name; empty when the file cannot be read.
inline std::map<std::string, FixtureTensor> LoadNnFixture(const std::string& file) {
  std::map<std::string, FixtureTensor> out;
  std::ifstream in(SourceDir() + "/tests/hrl/fixtures/" + file);
  std::string header;
  while (std::getline(in, header)) {
    if (header.empty() || header[0] == '#') continue;
    std::istringstream hs(header);
    std::string name;
    int ndim = 0;
    hs >> name >> ndim;
    FixtureTensor t;
    int64_t n = 1;
    for (int i = 0; i < ndim; ++i) {
      int64_t d = 0;
      hs >> d;
      t.shape.push_back(d);
      n *= d;
    }
    std::string data;
    std::getline(in, data);
    std::istringstream ds(data);
    t.values.reserve(static_cast<size_t>(n));
    float v;
    while (ds >> v) t.values.push_back(v);
    if (static_cast<int64_t>(t.values.size()) != n) return {};  // malformed: tests fail on empty
    out[name] = std::move(t);
  }
  return out;
}

// Largest |a_i - b_i| / (1 + |b_i|); infinity on a size mismatch or a NaN.
inline double MaxScaledError(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size() || a.empty()) return INFINITY;
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double e = std::fabs(static_cast<double>(a[i]) - b[i]) / (1.0 + std::fabs(b[i]));
    if (!(e <= worst)) worst = e;  // also catches NaN
  }
  return worst;
}

// Weights from tests/hrl/make_reference.py hash_weights: the same float32 bits.
inline std::vector<float> HashWeights(int64_t n, double bound, uint64_t salt) {
  std::vector<float> w(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t h = (static_cast<uint64_t>(i) * 2654435761ull + salt) % (1ull << 32);
    const double u = static_cast<double>(h) / 4294967296.0;
    w[static_cast<size_t>(i)] = static_cast<float>((u - 0.5) * 2.0 * bound);
  }
  return w;
}

inline std::vector<uint8_t> AsMask(const std::vector<float>& v) {
  std::vector<uint8_t> m(v.size());
  for (size_t i = 0; i < v.size(); ++i) m[i] = v[i] != 0.0f ? 1 : 0;
  return m;
}

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_HRL_NN_FIXTURE_H_
