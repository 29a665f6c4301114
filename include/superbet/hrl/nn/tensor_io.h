// include/superbet/hrl/nn/tensor_io.h
//
// Parameters to and from the checkpoint's named tensors (superbet.v1.Tensor in
// proto/superbet/v1/checkpoint.proto: name, shape, row-major float32 data).

#ifndef SUPERBET_HRL_NN_TENSOR_IO_H_
#define SUPERBET_HRL_NN_TENSOR_IO_H_

#include "absl/status/status.h"
#include "superbet/hrl/nn/parameter.h"
#include "superbet/v1/checkpoint.pb.h"

namespace superbet::hrl::nn {

// Appends one Tensor per parameter (name, shape, values; grads are not saved) to
// checkpoint->tensors, in list order.
void ExportParameters(const ParameterList& parameters, superbet::v1::Checkpoint* checkpoint);

// Sets each parameter's value from the tensor of the same name in `checkpoint` (other tensors are
// ignored, e.g. a Q-table or normalisation statistics). Nothing is changed unless all succeed.
// Errors: NotFound naming a parameter without a tensor; InvalidArgument when a tensor's shape
// differs (names both shapes), its data length is not product(shape), a value is not finite (names
// the tensor and index), or a name appears twice.
[[nodiscard]] absl::Status ImportParameters(const superbet::v1::Checkpoint& checkpoint,
                                            const ParameterList& parameters);

}  // namespace superbet::hrl::nn

#endif  // SUPERBET_HRL_NN_TENSOR_IO_H_
