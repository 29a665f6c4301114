#include "providers/statsbomb/internal/statsbomb_json.h"

#include "absl/strings/str_cat.h"
#include "superbet/core/status_macros.h"

namespace superbet::providers::statsbomb::internal {
namespace {

using simdjson::dom::element;

constexpr size_t kMaxDescribed = 60;

absl::Status WrongType(const JsonPath& path, std::string_view key, absl::string_view expected,
                       element value) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.Child(key).ToString(), ": expected ", expected, ", got ", Describe(value)));
}

absl::Status NotAnObject(const JsonPath& path, element e) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.ToString(), ": expected an object, got ", Describe(e)));
}

// Finds field `key` of `e` into *value: false when the key is missing. Errors: InvalidArgument
// when `e` is not an object.
absl::StatusOr<bool> Raw(element e, const JsonPath& path, std::string_view key, element* value) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return NotAnObject(path, e);
  return obj.at_key(key).get(*value) == simdjson::SUCCESS;
}

// A missing field or a JSON null is absent.
bool Absent(const element* value) { return value == nullptr || value->is_null(); }

absl::StatusOr<std::optional<double>> DoubleValue(const element* value, const JsonPath& path,
                                                  std::string_view key) {
  if (Absent(value)) return std::nullopt;
  double v = 0;
  if (value->get_double().get(v) != simdjson::SUCCESS) {
    return WrongType(path, key, "a number", *value);
  }
  return v;
}

}  // namespace

JsonPath::JsonPath(const std::string& base) : base_(&base) {}

JsonPath::JsonPath(size_t index) : index_(index) {}

JsonPath JsonPath::Child(std::string_view key) const {
  JsonPath out = *this;
  if (out.depth_ < kMaxKeys) out.keys_[out.depth_] = key;
  ++out.depth_;
  return out;
}

std::string JsonPath::ToString() const {
  std::string out = base_ != nullptr ? *base_ : absl::StrCat("[", index_, "]");
  for (int k = 0; k < depth_; ++k) {
    out += '.';
    if (k < kMaxKeys) {
      out.append(keys_[k].data(), keys_[k].size());
    } else {
      out += '~';
    }
  }
  return out;
}

absl::StatusOr<element> ParseDom(absl::string_view json) {
  thread_local simdjson::dom::parser parser;
  element root;
  simdjson::error_code err = parser.parse(json.data(), json.size()).get(root);
  if (err != simdjson::SUCCESS) {
    return absl::DataLossError(
        absl::StrCat("invalid JSON (", json.size(), " bytes): ", simdjson::error_message(err)));
  }
  return root;
}

absl::Status ExpectObject(element e, const JsonPath& path) {
  if (e.is_object()) return absl::OkStatus();
  return NotAnObject(path, e);
}

absl::StatusOr<std::optional<absl::string_view>> StringValue(const element* value,
                                                             const JsonPath& path,
                                                             std::string_view key) {
  if (Absent(value)) return std::nullopt;
  std::string_view v;
  if (value->get_string().get(v) != simdjson::SUCCESS) {
    return WrongType(path, key, "a string", *value);
  }
  return absl::string_view(v.data(), v.size());
}

absl::StatusOr<std::optional<element>> ObjectValue(const element* value, const JsonPath& path,
                                                   std::string_view key) {
  if (Absent(value)) return std::nullopt;
  if (!value->is_object()) return WrongType(path, key, "an object", *value);
  return *value;
}

absl::StatusOr<std::optional<simdjson::dom::array>> ArrayValue(const element* value,
                                                               const JsonPath& path,
                                                               std::string_view key) {
  if (Absent(value)) return std::nullopt;
  simdjson::dom::array a;
  if (value->get_array().get(a) != simdjson::SUCCESS) {
    return WrongType(path, key, "an array", *value);
  }
  return a;
}

absl::StatusOr<std::optional<int64_t>> IntValue(const element* value, const JsonPath& path,
                                                std::string_view key) {
  if (Absent(value)) return std::nullopt;
  int64_t v = 0;
  // get_int64 fails for a string, a double (1.0) and an unsigned integer above INT64_MAX.
  if (value->get_int64().get(v) != simdjson::SUCCESS) {
    return WrongType(path, key, "an integer", *value);
  }
  return v;
}

absl::StatusOr<std::optional<int64_t>> NestedIntValue(const element* value, const JsonPath& path,
                                                      std::string_view outer,
                                                      std::string_view inner) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f, ObjectValue(value, path, outer));
  if (!f) return std::nullopt;
  return Int(*f, path.Child(outer), inner);
}

absl::StatusOr<std::optional<element>> Object(element e, const JsonPath& path,
                                              std::string_view key) {
  element f;
  SUPERBET_ASSIGN_OR_RETURN(const bool found, Raw(e, path, key, &f));
  return ObjectValue(found ? &f : nullptr, path, key);
}

absl::StatusOr<std::optional<simdjson::dom::array>> Array(element e, const JsonPath& path,
                                                          std::string_view key) {
  element f;
  SUPERBET_ASSIGN_OR_RETURN(const bool found, Raw(e, path, key, &f));
  return ArrayValue(found ? &f : nullptr, path, key);
}

absl::StatusOr<std::optional<int64_t>> Int(element e, const JsonPath& path, std::string_view key) {
  element f;
  SUPERBET_ASSIGN_OR_RETURN(const bool found, Raw(e, path, key, &f));
  return IntValue(found ? &f : nullptr, path, key);
}

absl::StatusOr<std::optional<double>> Double(element e, const JsonPath& path,
                                             std::string_view key) {
  element f;
  SUPERBET_ASSIGN_OR_RETURN(const bool found, Raw(e, path, key, &f));
  return DoubleValue(found ? &f : nullptr, path, key);
}

absl::StatusOr<std::optional<absl::string_view>> String(element e, const JsonPath& path,
                                                        std::string_view key) {
  element f;
  SUPERBET_ASSIGN_OR_RETURN(const bool found, Raw(e, path, key, &f));
  return StringValue(found ? &f : nullptr, path, key);
}

absl::StatusOr<std::optional<int64_t>> NestedInt(element e, const JsonPath& path,
                                                 std::string_view outer, std::string_view inner) {
  element f;
  SUPERBET_ASSIGN_OR_RETURN(const bool found, Raw(e, path, outer, &f));
  return NestedIntValue(found ? &f : nullptr, path, outer, inner);
}

absl::StatusOr<std::optional<absl::string_view>> NestedString(element e, const JsonPath& path,
                                                              std::string_view outer,
                                                              std::string_view inner) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f, Object(e, path, outer));
  if (!f) return std::nullopt;
  return String(*f, path.Child(outer), inner);
}

std::string Child(const std::string& path, std::string_view key) {
  std::string out = path;
  out += '.';
  out.append(key.data(), key.size());
  return out;
}

std::string Describe(element value) {
  std::string s = simdjson::minify(value);
  if (s.size() > kMaxDescribed) {
    s.resize(kMaxDescribed);
    s += "...";
  }
  return s;
}

absl::Status WithPath(const absl::Status& status, const std::string& path) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
}

}  // namespace superbet::providers::statsbomb::internal
