#include "providers/statsbomb/internal/statsbomb_json.h"

#include "absl/strings/str_cat.h"
#include "superbet/core/status_macros.h"

namespace superbet::providers::statsbomb::internal {
namespace {

using simdjson::dom::element;

constexpr size_t kMaxDescribed = 60;

absl::Status WrongType(const std::string& path, std::string_view key, absl::string_view expected,
                       element value) {
  return absl::InvalidArgumentError(
      absl::StrCat(Child(path, key), ": expected ", expected, ", got ", Describe(value)));
}

// The raw field: absent for a missing key or a null; an error when `e` is not an object.
absl::StatusOr<std::optional<element>> Raw(element e, const std::string& path,
                                           std::string_view key) {
  simdjson::dom::object obj;
  if (e.get(obj) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected an object, got ", Describe(e)));
  }
  element value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

}  // namespace

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

absl::Status ExpectObject(element e, const std::string& path) {
  if (e.is_object()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(path, ": expected an object, got ", Describe(e)));
}

absl::StatusOr<std::optional<element>> Object(element e, const std::string& path,
                                              std::string_view key) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f, Raw(e, path, key));
  if (f && !f->is_object()) return WrongType(path, key, "an object", *f);
  return f;
}

absl::StatusOr<std::optional<simdjson::dom::array>> Array(element e, const std::string& path,
                                                          std::string_view key) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f, Raw(e, path, key));
  if (!f) return std::nullopt;
  simdjson::dom::array a;
  if (f->get(a) != simdjson::SUCCESS) return WrongType(path, key, "an array", *f);
  return a;
}

absl::StatusOr<std::optional<int64_t>> Int(element e, const std::string& path,
                                           std::string_view key) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f, Raw(e, path, key));
  if (!f) return std::nullopt;
  int64_t v = 0;
  // get<int64_t> fails for a string, a double (1.0) and an unsigned integer above INT64_MAX.
  if (f->get(v) != simdjson::SUCCESS) return WrongType(path, key, "an integer", *f);
  return v;
}

absl::StatusOr<std::optional<double>> Double(element e, const std::string& path,
                                             std::string_view key) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f, Raw(e, path, key));
  if (!f) return std::nullopt;
  double v = 0;
  if (f->get_double().get(v) != simdjson::SUCCESS) return WrongType(path, key, "a number", *f);
  return v;
}

absl::StatusOr<std::optional<absl::string_view>> String(element e, const std::string& path,
                                                        std::string_view key) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f, Raw(e, path, key));
  if (!f) return std::nullopt;
  std::string_view v;
  if (f->get(v) != simdjson::SUCCESS) return WrongType(path, key, "a string", *f);
  return absl::string_view(v.data(), v.size());
}

absl::StatusOr<std::optional<int64_t>> NestedInt(element e, const std::string& path,
                                                 std::string_view outer, std::string_view inner) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f, Object(e, path, outer));
  if (!f) return std::nullopt;
  // The path "<path>.<outer>" is built only for an error (this runs for every event).
  absl::StatusOr<std::optional<int64_t>> v = Int(*f, path, inner);
  if (v.ok()) return v;
  return Int(*f, Child(path, outer), inner);
}

absl::StatusOr<std::optional<absl::string_view>> NestedString(element e, const std::string& path,
                                                              std::string_view outer,
                                                              std::string_view inner) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f, Object(e, path, outer));
  if (!f) return std::nullopt;
  absl::StatusOr<std::optional<absl::string_view>> v = String(*f, path, inner);
  if (v.ok()) return v;
  return String(*f, Child(path, outer), inner);
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
