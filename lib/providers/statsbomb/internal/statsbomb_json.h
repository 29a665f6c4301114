// Private helpers of the StatsBomb adapter: DOM parsing with absl::Status errors and typed,
// optional field access that tells "absent" from "wrong type".
//
// Every accessor reads field `key` of the object `e` whose JSON path is `path` ("[12]",
// "[3].shot"). A missing key or a JSON null is absent (std::nullopt). A present value of another
// type is InvalidArgument "<path>.<key>: expected <type>, got <value>" (the value as JSON, at most
// 60 characters): a wrong type is never read as absent. Asking for a field of an element that is
// not an object is InvalidArgument "<path>: expected an object, got <value>".
//
// A path is a JsonPath: it is rendered to text only for an error, so reading a valid document
// builds no string (the events file is the hot path: bench/statsbomb_timeline_bench.cc).

#ifndef SUPERBET_LIB_PROVIDERS_STATSBOMB_INTERNAL_STATSBOMB_JSON_H_
#define SUPERBET_LIB_PROVIDERS_STATSBOMB_INTERNAL_STATSBOMB_JSON_H_

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace superbet::providers::statsbomb::internal {

// Where an element sits in the document: a base (a path string such as "[3].lineup[0]", or an
// array index rendered "[12]") followed by up to kMaxKeys keys (".shot.outcome"). Holds views:
// it must not outlive the string and keys it was made from. Cheap to copy; nothing is formatted
// until ToString().
class JsonPath {
 public:
  static constexpr int kMaxKeys = 4;

  // The path `base` (implicit, so a std::string path passes where a JsonPath is taken).
  JsonPath(const std::string& base);  // NOLINT(google-explicit-constructor)
  // The element at `index` of the root array: "[index]".
  explicit JsonPath(size_t index);

  // "<this>.<key>". Past kMaxKeys keys the extra keys are rendered as ".~" (no caller nests so
  // deep).
  JsonPath Child(std::string_view key) const;

  std::string ToString() const;

 private:
  const std::string* base_ = nullptr;  // Null: the base is "[index_]".
  size_t index_ = 0;
  std::array<std::string_view, kMaxKeys> keys_{};
  int depth_ = 0;
};

// Parses `json` with this thread's DOM parser. The element stays valid until the next call of
// ParseDom on the same thread. Errors: DataLoss with simdjson's error text.
[[nodiscard]] absl::StatusOr<simdjson::dom::element> ParseDom(absl::string_view json);

// OK when `e` is a JSON object, else InvalidArgument "<path>: expected an object, got <value>".
[[nodiscard]] absl::Status ExpectObject(simdjson::dom::element e, const JsonPath& path);

// Typed fields (see the file comment). Int: a JSON integer in the int64 range (1.0 and "1" are
// not). Double: any JSON number. Object and Array: the element itself.
[[nodiscard]] absl::StatusOr<std::optional<simdjson::dom::element>> Object(simdjson::dom::element e,
                                                                           const JsonPath& path,
                                                                           std::string_view key);
[[nodiscard]] absl::StatusOr<std::optional<simdjson::dom::array>> Array(simdjson::dom::element e,
                                                                        const JsonPath& path,
                                                                        std::string_view key);
[[nodiscard]] absl::StatusOr<std::optional<int64_t>> Int(simdjson::dom::element e,
                                                         const JsonPath& path,
                                                         std::string_view key);
[[nodiscard]] absl::StatusOr<std::optional<double>> Double(simdjson::dom::element e,
                                                           const JsonPath& path,
                                                           std::string_view key);
[[nodiscard]] absl::StatusOr<std::optional<absl::string_view>> String(simdjson::dom::element e,
                                                                      const JsonPath& path,
                                                                      std::string_view key);
// e[outer][inner] ("type" -> "id"): absent when e[outer] is absent; e[outer] must be an object.
[[nodiscard]] absl::StatusOr<std::optional<int64_t>> NestedInt(simdjson::dom::element e,
                                                               const JsonPath& path,
                                                               std::string_view outer,
                                                               std::string_view inner);
[[nodiscard]] absl::StatusOr<std::optional<absl::string_view>> NestedString(
    simdjson::dom::element e, const JsonPath& path, std::string_view outer, std::string_view inner);

// The same typed reads of a field the caller already found (`value`: the element of field `key`
// of the object at `path`, nullptr when the key is missing; a JSON null is absent). For a caller
// that collects an object's fields in one pass instead of one key lookup per field. (A pointer,
// not a std::optional by value: copying that through the stack stalls the load of its flag.)
[[nodiscard]] absl::StatusOr<std::optional<simdjson::dom::element>> ObjectValue(
    const simdjson::dom::element* value, const JsonPath& path, std::string_view key);
[[nodiscard]] absl::StatusOr<std::optional<simdjson::dom::array>> ArrayValue(
    const simdjson::dom::element* value, const JsonPath& path, std::string_view key);
[[nodiscard]] absl::StatusOr<std::optional<int64_t>> IntValue(const simdjson::dom::element* value,
                                                              const JsonPath& path,
                                                              std::string_view key);
[[nodiscard]] absl::StatusOr<std::optional<absl::string_view>> StringValue(
    const simdjson::dom::element* value, const JsonPath& path, std::string_view key);
// value[inner] where `value` is field `outer`: absent when `value` is absent; else it must be an
// object.
[[nodiscard]] absl::StatusOr<std::optional<int64_t>> NestedIntValue(
    const simdjson::dom::element* value, const JsonPath& path, std::string_view outer,
    std::string_view inner);

// The JSON path of field `key` of the element at `path`: "<path>.<key>".
std::string Child(const std::string& path, std::string_view key);

// `value` as compact JSON, cut to 60 characters ("..." appended when cut), for error messages.
std::string Describe(simdjson::dom::element value);

// Prefixes the message of a non-OK status with "<path>: ".
absl::Status WithPath(const absl::Status& status, const std::string& path);

}  // namespace superbet::providers::statsbomb::internal

#endif  // SUPERBET_LIB_PROVIDERS_STATSBOMB_INTERNAL_STATSBOMB_JSON_H_
