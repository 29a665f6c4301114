// Private helpers of the StatsBomb adapter: DOM parsing with absl::Status errors and typed,
// optional field access (a missing key, a null and a value of the wrong type all read as absent).

#ifndef SUPERBET_LIB_PROVIDERS_STATSBOMB_INTERNAL_STATSBOMB_JSON_H_
#define SUPERBET_LIB_PROVIDERS_STATSBOMB_INTERNAL_STATSBOMB_JSON_H_

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace superbet::providers::statsbomb::internal {

// Parses `json` with this thread's DOM parser. The element stays valid until the next call of
// ParseDom on the same thread. Errors: DataLoss with simdjson's error text.
absl::StatusOr<simdjson::dom::element> ParseDom(absl::string_view json);

// The element's field `key`, if present and of the asked type.
std::optional<simdjson::dom::element> Field(simdjson::dom::element e, std::string_view key);
std::optional<int64_t> Int(simdjson::dom::element e, std::string_view key);
std::optional<double> Double(simdjson::dom::element e, std::string_view key);
std::optional<absl::string_view> String(simdjson::dom::element e, std::string_view key);
// e[outer][inner] as an integer ("type" -> "id").
std::optional<int64_t> NestedInt(simdjson::dom::element e, std::string_view outer,
                                 std::string_view inner);
std::optional<absl::string_view> NestedString(simdjson::dom::element e, std::string_view outer,
                                             std::string_view inner);

// Prefixes the message of a non-OK status with "<path>: ".
absl::Status WithPath(const absl::Status& status, const std::string& path);

}  // namespace superbet::providers::statsbomb::internal

#endif  // SUPERBET_LIB_PROVIDERS_STATSBOMB_INTERNAL_STATSBOMB_JSON_H_
