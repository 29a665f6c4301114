#include "providers/statsbomb/internal/statsbomb_json.h"

#include "absl/strings/str_cat.h"

namespace superbet::providers::statsbomb::internal {

absl::StatusOr<simdjson::dom::element> ParseDom(absl::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::error_code err = parser.parse(json.data(), json.size()).get(root);
  if (err != simdjson::SUCCESS) {
    return absl::DataLossError(absl::StrCat("invalid JSON (", json.size(),
                                            " bytes): ", simdjson::error_message(err)));
  }
  return root;
}

std::optional<simdjson::dom::element> Field(simdjson::dom::element e, std::string_view key) {
  simdjson::dom::object obj;
  if (e.get(obj) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::element value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  if (value.is_null()) return std::nullopt;
  return value;
}

std::optional<int64_t> Int(simdjson::dom::element e, std::string_view key) {
  std::optional<simdjson::dom::element> f = Field(e, key);
  int64_t v = 0;
  if (!f || f->get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::optional<double> Double(simdjson::dom::element e, std::string_view key) {
  std::optional<simdjson::dom::element> f = Field(e, key);
  double v = 0;
  if (!f || f->get_double().get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::optional<absl::string_view> String(simdjson::dom::element e, std::string_view key) {
  std::optional<simdjson::dom::element> f = Field(e, key);
  std::string_view v;
  if (!f || f->get(v) != simdjson::SUCCESS) return std::nullopt;
  return absl::string_view(v.data(), v.size());
}

std::optional<int64_t> NestedInt(simdjson::dom::element e, std::string_view outer,
                                 std::string_view inner) {
  std::optional<simdjson::dom::element> f = Field(e, outer);
  if (!f) return std::nullopt;
  return Int(*f, inner);
}

std::optional<absl::string_view> NestedString(simdjson::dom::element e, std::string_view outer,
                                             std::string_view inner) {
  std::optional<simdjson::dom::element> f = Field(e, outer);
  if (!f) return std::nullopt;
  return String(*f, inner);
}

absl::Status WithPath(const absl::Status& status, const std::string& path) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
}

}  // namespace superbet::providers::statsbomb::internal
