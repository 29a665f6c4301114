#include "superbet/hrl/nn/tensor_io.h"

#include <cmath>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace superbet::hrl::nn {

void ExportParameters(const ParameterList& parameters, superbet::v1::Checkpoint* checkpoint) {
  for (const Parameter* p : parameters) {
    superbet::v1::Tensor* t = checkpoint->add_tensors();
    t->set_name(p->name);
    for (int64_t d : p->shape) t->add_shape(d);
    t->mutable_data()->Add(p->value.begin(), p->value.end());
  }
}

absl::Status ImportParameters(const superbet::v1::Checkpoint& checkpoint,
                              const ParameterList& parameters) {
  absl::flat_hash_map<std::string, const superbet::v1::Tensor*> by_name;
  for (const superbet::v1::Tensor& t : checkpoint.tensors()) {
    if (!by_name.emplace(t.name(), &t).second) {
      return absl::InvalidArgumentError(absl::StrCat("tensor \"", t.name(), "\" appears twice"));
    }
  }
  for (const Parameter* p : parameters) {
    auto it = by_name.find(p->name);
    if (it == by_name.end()) {
      return absl::NotFoundError(absl::StrCat("checkpoint has no tensor \"", p->name, "\""));
    }
    const superbet::v1::Tensor& t = *it->second;
    const std::vector<int64_t> shape(t.shape().begin(), t.shape().end());
    if (shape != p->shape) {
      return absl::InvalidArgumentError(absl::StrCat("tensor \"", p->name, "\" has shape [",
                                                     absl::StrJoin(shape, ", "), "], expected [",
                                                     absl::StrJoin(p->shape, ", "), "]"));
    }
    if (t.data_size() != p->size()) {
      return absl::InvalidArgumentError(absl::StrCat("tensor \"", p->name, "\" has ", t.data_size(),
                                                     " values, its shape needs ", p->size()));
    }
    for (int i = 0; i < t.data_size(); ++i) {
      if (!std::isfinite(t.data(i))) {
        return absl::InvalidArgumentError(
            absl::StrCat("tensor \"", p->name, "\" value ", i, " is not finite: ", t.data(i)));
      }
    }
  }
  for (Parameter* p : parameters) {
    const superbet::v1::Tensor& t = *by_name.at(p->name);
    p->value.assign(t.data().begin(), t.data().end());
  }
  return absl::OkStatus();
}

}  // namespace superbet::hrl::nn
