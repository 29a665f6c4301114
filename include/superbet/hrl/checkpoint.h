// Agent checkpoints: a versioned superbet.v1.Checkpoint (proto/superbet/v1/checkpoint.proto)
// written as binary protobuf, shared by the pre-match and the live worker.
//
// A checkpoint records the feature spec the agent was trained on, its hyperparameters, training
// seasons (or matches), seed and the library version that wrote it. Loading checks the format
// version and the feature spec against what the loading code computes and refuses a mismatch with
// an error naming both, so an agent is never fed inputs laid out differently from its training.
//
// Files: <dir>/checkpoint.pb (binary, deterministic: map entries in key order; the one read back)
// and <dir>/checkpoint.json (the same message in protobuf's JSON mapping, for people; never read).
// All functions are thread-safe (no shared state).

#ifndef SUPERBET_HRL_CHECKPOINT_H_
#define SUPERBET_HRL_CHECKPOINT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "superbet/v1/checkpoint.pb.h"

namespace superbet::hrl {

// The format_version this code writes and reads.
inline constexpr int kCheckpointFormatVersion = 1;

// "<project version> (git <revision>)", e.g. "0.1.0 (git 0123456789ab)" (core/version.h).
std::string LibraryVersionString();

// Sets format_version and library_version (when empty) and writes <dir>/checkpoint.pb and
// <dir>/checkpoint.json; creates `dir` when missing (not its parents).
// Errors: InvalidArgument when the checkpoint has no agent or no feature spec name; the file
// error (Internal / NotFound naming the path) when a file cannot be written.
[[nodiscard]] absl::Status SaveCheckpoint(const std::string& dir,
                                          superbet::v1::Checkpoint checkpoint);

// Reads <dir>/checkpoint.pb and checks it against `expected_spec` (name, version and every slot
// name in order).
// Errors: NotFound naming the file when it is missing; DataLoss when it does not parse;
// FailedPrecondition when format_version is not kCheckpointFormatVersion ("checkpoint format
// version 2, this build reads 1") or the feature spec differs ("feature spec prematch-v2 (40
// slots) in <path>, this build computes prematch-v1 (38 slots); first difference at slot 3:
// 'form.home' vs 'form_home'").
[[nodiscard]] absl::StatusOr<superbet::v1::Checkpoint> LoadCheckpoint(
    const std::string& dir, const superbet::v1::FeatureSpec& expected_spec);

// The same checks on a checkpoint already in memory; `where` names it in errors.
[[nodiscard]] absl::Status CheckCheckpoint(const superbet::v1::Checkpoint& checkpoint,
                                           const superbet::v1::FeatureSpec& expected_spec,
                                           absl::string_view where);

// A Tensor named `name` of `shape` holding `data` (row-major).
// Errors: InvalidArgument when product(shape) != data.size().
[[nodiscard]] absl::StatusOr<superbet::v1::Tensor> MakeTensor(std::string name,
                                                              std::vector<int64_t> shape,
                                                              const std::vector<float>& data);

// The tensor named `name` of `checkpoint` with exactly `shape`.
// Errors: NotFound naming the tensor; InvalidArgument when its shape or size differs (both named).
[[nodiscard]] absl::StatusOr<const superbet::v1::Tensor*> FindTensor(
    const superbet::v1::Checkpoint& checkpoint, absl::string_view name,
    const std::vector<int64_t>& shape);

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_CHECKPOINT_H_
