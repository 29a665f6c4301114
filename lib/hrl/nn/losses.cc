#include "superbet/hrl/nn/losses.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "hrl/nn/internal/eigen.h"

namespace superbet::hrl::nn {
namespace {
absl::Status CheckLogits(absl::Span<const float> logits, int batch, int classes) {
  if (batch < 1 || classes < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch and classes must be >= 1, got batch ", batch, ", classes ", classes));
  }
  return internal::CheckSize("logits", logits.size(), static_cast<size_t>(batch) * classes);
}

// Writes softmax(row) into out and returns log-sum-exp(row).
float SoftmaxRow(const float* row, int classes, float* out) {
  const float mx = *std::max_element(row, row + classes);
  float sum = 0.0f;
  for (int k = 0; k < classes; ++k) {
    out[k] = std::exp(row[k] - mx);
    sum += out[k];
  }
  for (int k = 0; k < classes; ++k) out[k] /= sum;
  return mx + std::log(sum);
}
}  // namespace

absl::Status Softmax(absl::Span<const float> logits, int batch, int classes,
                     std::vector<float>* probabilities) {
  if (auto s = CheckLogits(logits, batch, classes); !s.ok()) return s;
  probabilities->resize(logits.size());
  for (int b = 0; b < batch; ++b) {
    SoftmaxRow(logits.data() + b * classes, classes, probabilities->data() + b * classes);
  }
  return absl::OkStatus();
}

absl::StatusOr<float> CrossEntropy(absl::Span<const float> logits, absl::Span<const int> labels,
                                   int batch, int classes, std::vector<float>* d_logits) {
  if (auto s = CheckLogits(logits, batch, classes); !s.ok()) return s;
  if (auto s = internal::CheckSize("labels", labels.size(), batch); !s.ok()) return s;
  for (int b = 0; b < batch; ++b) {
    if (labels[b] < 0 || labels[b] >= classes) {
      return absl::InvalidArgumentError(
          absl::StrCat("label of row ", b, " must be in [0, ", classes, "), got ", labels[b]));
    }
  }
  std::vector<float> probs(static_cast<size_t>(classes));
  if (d_logits != nullptr) d_logits->resize(logits.size());
  double total = 0.0;
  for (int b = 0; b < batch; ++b) {
    const float* row = logits.data() + b * classes;
    const float lse = SoftmaxRow(row, classes, probs.data());
    total += static_cast<double>(lse - row[labels[b]]);
    if (d_logits != nullptr) {
      for (int k = 0; k < classes; ++k) {
        (*d_logits)[b * classes + k] =
            (probs[k] - (k == labels[b] ? 1.0f : 0.0f)) / static_cast<float>(batch);
      }
    }
  }
  return static_cast<float>(total / batch);
}

}  // namespace superbet::hrl::nn
