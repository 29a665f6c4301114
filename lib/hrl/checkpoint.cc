// Agent checkpoints (include/superbet/hrl/checkpoint.h).

#include "superbet/hrl/checkpoint.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "superbet/core/file.h"
#include "superbet/core/version.h"

namespace superbet::hrl {
namespace {

std::string SpecLabel(const superbet::v1::FeatureSpec& s) {
  return absl::StrCat(s.name(), " v", s.version(), " (", s.slots_size(), " slots)");
}

}  // namespace

std::string LibraryVersionString() {
  return absl::StrCat(superbet::Version(), " (git ", superbet::GitRevision(), ")");
}

absl::Status SaveCheckpoint(const std::string& dir, superbet::v1::Checkpoint c) {
  if (c.agent().empty()) return absl::InvalidArgumentError("checkpoint has no agent");
  if (c.feature_spec().name().empty()) {
    return absl::InvalidArgumentError("checkpoint has no feature spec name");
  }
  c.set_format_version(kCheckpointFormatVersion);
  if (c.library_version().empty()) c.set_library_version(LibraryVersionString());
  if (!core::DirectoryExists(dir) && ::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::NotFoundError(
        absl::StrCat("cannot create checkpoint folder ", dir, ": ", std::strerror(errno)));
  }
  // Deterministic: map entries (hyperparameters, metadata) in key order, so the same checkpoint
  // is the same bytes in every process.
  std::string binary;
  {
    google::protobuf::io::StringOutputStream raw(&binary);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    if (!c.SerializeToCodedStream(&out)) {
      return absl::InternalError("cannot serialise the checkpoint");
    }
  }
  if (absl::Status s = core::WriteFileAtomically(dir + "/checkpoint.pb", binary); !s.ok()) {
    return s;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  if (auto s = google::protobuf::util::MessageToJsonString(c, &json, options); !s.ok()) {
    return absl::InternalError(absl::StrCat("checkpoint to JSON: ", std::string(s.message())));
  }
  // The JSON printer writes map entries in hash order; re-printed with sorted keys so the file is
  // the same bytes for the same checkpoint.
  try {
    json = nlohmann::json::parse(json).dump(1);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("checkpoint JSON: ", e.what()));
  }
  return core::WriteFileAtomically(dir + "/checkpoint.json", json + "\n");
}

absl::Status CheckCheckpoint(const superbet::v1::Checkpoint& c,
                             const superbet::v1::FeatureSpec& expected, absl::string_view where) {
  if (c.format_version() != kCheckpointFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("checkpoint format version ", c.format_version(), " in ", where,
                     ", this build reads format version ", kCheckpointFormatVersion));
  }
  const auto& got = c.feature_spec();
  std::string difference;
  if (got.name() != expected.name() || got.version() != expected.version()) {
    difference = "different name or version";
  } else if (got.slots_size() != expected.slots_size()) {
    difference = "different slot count";
  } else {
    for (int i = 0; i < got.slots_size(); ++i) {
      if (got.slots(i) != expected.slots(i)) {
        difference = absl::StrCat("first difference at slot ", i, ": '", got.slots(i), "' vs '",
                                  expected.slots(i), "'");
        break;
      }
    }
  }
  if (difference.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("feature spec ", SpecLabel(got), " in ", where,
                                                    ", this build computes ", SpecLabel(expected),
                                                    ": ", difference));
}

absl::StatusOr<superbet::v1::Checkpoint> LoadCheckpoint(const std::string& dir,
                                                        const superbet::v1::FeatureSpec& expected) {
  const std::string path = dir + "/checkpoint.pb";
  if (!core::FileExists(path)) {
    return absl::NotFoundError(absl::StrCat("no checkpoint file ", path));
  }
  auto bytes = core::ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  superbet::v1::Checkpoint c;
  if (!c.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat(path, " is not a superbet.v1.Checkpoint"));
  }
  if (absl::Status s = CheckCheckpoint(c, expected, path); !s.ok()) return s;
  return c;
}

absl::StatusOr<superbet::v1::Tensor> MakeTensor(std::string name, std::vector<int64_t> shape,
                                                const std::vector<float>& data) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  if (n != static_cast<int64_t>(data.size())) {
    return absl::InvalidArgumentError(absl::StrCat("tensor ", name, ": shape [",
                                                   absl::StrJoin(shape, ", "), "] holds ", n,
                                                   " values, got ", data.size()));
  }
  superbet::v1::Tensor t;
  t.set_name(std::move(name));
  for (int64_t d : shape) t.add_shape(d);
  t.mutable_data()->Add(data.begin(), data.end());
  return t;
}

absl::StatusOr<const superbet::v1::Tensor*> FindTensor(const superbet::v1::Checkpoint& c,
                                                       absl::string_view name,
                                                       const std::vector<int64_t>& shape) {
  for (const auto& t : c.tensors()) {
    if (t.name() != name) continue;
    int64_t n = 1;
    bool same = t.shape_size() == static_cast<int>(shape.size());
    for (size_t i = 0; i < shape.size(); ++i) {
      n *= shape[i];
      same = same && t.shape(static_cast<int>(i)) == shape[i];
    }
    if (!same || t.data_size() != n) {
      return absl::InvalidArgumentError(absl::StrCat(
          "checkpoint tensor ", name, " has shape [", absl::StrJoin(t.shape(), ", "), "] and ",
          t.data_size(), " values, expected [", absl::StrJoin(shape, ", "), "]"));
    }
    return &t;
  }
  return absl::NotFoundError(absl::StrCat("checkpoint has no tensor ", name));
}

}  // namespace superbet::hrl
