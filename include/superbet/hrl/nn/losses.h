// include/superbet/hrl/nn/losses.h
//
// Softmax and the cross-entropy loss of the outcome head, as free functions over a batch of logit
// rows. Computed in float32 with the max subtracted (log-sum-exp), as torch.softmax and
// torch.nn.functional.cross_entropy (reduction="mean") do.

#ifndef SUPERBET_HRL_NN_LOSSES_H_
#define SUPERBET_HRL_NN_LOSSES_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace superbet::hrl::nn {

// Row-wise softmax of logits [batch, classes] into `probabilities` (resized, same shape; each row
// sums to 1).
// Errors: InvalidArgument when batch or classes < 1 or logits.size() != batch * classes.
[[nodiscard]] absl::Status Softmax(absl::Span<const float> logits, int batch, int classes,
                                   std::vector<float>* probabilities);

// Mean cross-entropy -1/batch * sum_b log softmax(logits_b)[label_b] (F.cross_entropy with
// reduction "mean"). When `d_logits` is not null it receives dL/dlogits = (softmax - onehot) /
// batch, [batch, classes].
// Errors: InvalidArgument on a size mismatch or a label outside [0, classes) (names the row and
// the label).
[[nodiscard]] absl::StatusOr<float> CrossEntropy(absl::Span<const float> logits,
                                                 absl::Span<const int> labels, int batch,
                                                 int classes, std::vector<float>* d_logits);

}  // namespace superbet::hrl::nn

#endif  // SUPERBET_HRL_NN_LOSSES_H_
