// lib/hrl/nn/internal/eigen.h: row-major Eigen views over the std::vector<float> storage of
// hrl/nn, and the size checks every entry point makes. Private to lib/hrl/nn.

#ifndef SUPERBET_LIB_HRL_NN_INTERNAL_EIGEN_H_
#define SUPERBET_LIB_HRL_NN_INTERNAL_EIGEN_H_

#include <Eigen/Core>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace superbet::hrl::nn::internal {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixView = Eigen::Map<RowMatrix>;
using ConstMatrixView = Eigen::Map<const RowMatrix>;
using VectorView = Eigen::Map<Eigen::RowVectorXf>;
using ConstVectorView = Eigen::Map<const Eigen::RowVectorXf>;

inline ConstMatrixView View(const float* data, std::ptrdiff_t rows, std::ptrdiff_t cols) {
  return ConstMatrixView(data, rows, cols);
}
inline MatrixView View(float* data, std::ptrdiff_t rows, std::ptrdiff_t cols) {
  return MatrixView(data, rows, cols);
}

// InvalidArgument "<what>: expected <expected> values, got <actual>" unless they are equal.
inline absl::Status CheckSize(absl::string_view what, std::size_t actual, std::size_t expected) {
  if (actual == expected) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": expected ", expected, " values, got ", actual));
}

// Sets Eigen to one thread (it only threads with OpenMP, which we do not enable; kept explicit).
void UseOneThread();

}  // namespace superbet::hrl::nn::internal

#endif  // SUPERBET_LIB_HRL_NN_INTERNAL_EIGEN_H_
