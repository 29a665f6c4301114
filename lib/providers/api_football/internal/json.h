// Private helpers of the API-Football mappers: simdjson On-Demand traversal with JSON-path error
// messages. Not a public header.

#ifndef SUPERBET_LIB_PROVIDERS_API_FOOTBALL_INTERNAL_JSON_H_
#define SUPERBET_LIB_PROVIDERS_API_FOOTBALL_INTERNAL_JSON_H_

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/api_football/api_football.h"

namespace superbet::providers::api_football::internal {

// The public API takes absl::string_view (the library's one string-view type); the simdjson code
// works on std::string_view. Debian's absl::string_view is its own class, so convert explicitly.
inline absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

namespace od = simdjson::ondemand;

// Debian's Abseil has its own absl::string_view (not std::string_view): convert at the boundary.
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A JSON path as a chain of stack-allocated nodes; rendered ("$.response[3].fixture") only for
// error messages.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;
  int64_t index = -1;  // >= 0: an array index.

  Path Key(std::string_view k) const { return Path{this, k, -1}; }
  Path Index(int64_t i) const { return Path{this, {}, i}; }
  std::string ToString() const;
};

inline const Path& Root() {
  static const Path root{nullptr, "$", -1};
  return root;
}

// One parse: the padded copy of the input, the document, the envelope's side facts, the counters.
// Uses a per-thread parser and buffer (reused across calls, so steady-state parsing allocates
// nothing). Not reentrant: one Ctx alive per thread at a time.
class Ctx {
 public:
  explicit Ctx(MapCounters* caller_counters) : caller_counters_(caller_counters) {}
  ~Ctx() {
    if (caller_counters_ != nullptr) caller_counters_->Add(counters);
  }
  Ctx(const Ctx&) = delete;
  Ctx& operator=(const Ctx&) = delete;

  // Starts the document: in place when `readable_after` >= kJsonPadding bytes after the end of
  // `json` are readable, else on a padded copy.
  absl::Status Parse(std::string_view json, size_t readable_after = 0);
  od::document& doc() { return doc_; }

  // The status for simdjson error `e` met at `path`: InvalidArgument for a wrong type or bad
  // number, DataLoss (with the byte offset) for everything else.
  absl::Status Error(simdjson::error_code e, const Path& path);
  // DataLoss unless the whole input has been consumed.
  absl::Status CheckAtEnd();
  // InvalidArgument "<path>: expected <what>, got <raw JSON token>".
  absl::Status TypeError(od::value& v, const Path& path, std::string_view what);

  MapCounters counters;
  std::string endpoint;       // Envelope `get`.
  std::string fixture_param;  // Envelope parameters.fixture, when present.
  int paging_current = 1;
  int paging_total = 1;

 private:
  MapCounters* caller_counters_;
  od::document doc_;
  const char* base_ = nullptr;
  size_t size_ = 0;
};

// Iterates an object's fields in document order: fn(std::string_view key, od::value& v) ->
// absl::Status. A null value is treated as an empty object.
template <typename Fn>
absl::Status ForEachField(od::value& v, const Path& path, Ctx& ctx, Fn&& fn) {
  od::json_type type;
  if (auto e = v.type().get(type)) return ctx.Error(e, path);
  if (type == od::json_type::null) return absl::OkStatus();
  if (type != od::json_type::object) return ctx.TypeError(v, path, "an object");
  od::object object;
  if (auto e = v.get_object().get(object)) return ctx.Error(e, path);
  for (auto field_result : object) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return ctx.Error(e, path);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return ctx.Error(e, path);
    SUPERBET_RETURN_IF_ERROR(fn(key, field.value()));
  }
  return absl::OkStatus();
}

// Iterates an array: fn(int64_t index, od::value& element) -> absl::Status. Null = empty array.
template <typename Fn>
absl::Status ForEachElement(od::value& v, const Path& path, Ctx& ctx, Fn&& fn) {
  od::json_type type;
  if (auto e = v.type().get(type)) return ctx.Error(e, path);
  if (type == od::json_type::null) return absl::OkStatus();
  if (type != od::json_type::array) return ctx.TypeError(v, path, "an array");
  od::array array;
  if (auto e = v.get_array().get(array)) return ctx.Error(e, path);
  int64_t i = 0;
  for (auto element_result : array) {
    od::value element;
    if (auto e = std::move(element_result).get(element)) return ctx.Error(e, path.Index(i));
    SUPERBET_RETURN_IF_ERROR(fn(i, element));
    ++i;
  }
  return absl::OkStatus();
}

// The largest count (goals, shots, a standings record, a page number) the mappers accept; a larger
// one is a data error, rejected and counted. Small enough that every accepted count fits int32_t.
inline constexpr int64_t kMaxCount = 1000000;

// Scalars: null -> nullopt. Wrong JSON type -> InvalidArgument naming the path and the token.
// GetInt: an integral number outside the range of int64_t (e.g. 1e300, 1e20) is rejected before
// any conversion: nullopt, counted in *rejected (ctx.counters.rejected_values when null).
[[nodiscard]] absl::Status GetInt(od::value& v, const Path& path, Ctx& ctx,
                                  std::optional<int64_t>* out, int64_t* rejected = nullptr);
// True when `d` converts to int64_t without overflow (false for NaN and +-infinity).
bool FitsInt64(double d);
absl::Status GetString(od::value& v, const Path& path, Ctx& ctx,
                       std::optional<std::string_view>* out);
absl::Status GetBool(od::value& v, const Path& path, Ctx& ctx, std::optional<bool>* out);
// A number, or a string holding one ("1.17", "62%" -> 62 with *percent = true). An unparsable
// string is counted in rejected_values and gives nullopt.
absl::Status GetNumberOrText(od::value& v, const Path& path, Ctx& ctx, std::optional<double>* out,
                             bool* percent);
// An integer, or a string holding one ("26"). Like GetNumberOrText otherwise.
absl::Status GetIdText(od::value& v, const Path& path, Ctx& ctx, std::optional<std::string>* out);

// Parses the envelope; calls on_response(od::value& response, const Path& path) for `response`.
// Returns the `errors` status (when non-empty) in preference to anything the response yielded.
template <typename Fn>
absl::Status ParseEnvelope(std::string_view json, Ctx& ctx, Fn&& on_response,
                           size_t readable_after = 0);

// Parses an envelope whose `response` is an array, appending one default-constructed T to *out
// per element and filling it with read(od::value& element, const Path& element_path, T* item).
// Errors: as ParseEnvelope, or the first error `read` returns (elements before it stay in *out).
template <typename T, typename ReadFn>
absl::Status MapResponseArray(std::string_view json, Ctx& ctx, std::vector<T>* out, ReadFn&& read,
                              size_t readable_after = 0);

// The status an `errors` value stands for (OK when empty); parse errors as usual.
absl::Status ErrorsStatus(od::value& v, const Path& path, Ctx& ctx, absl::Status* out);
absl::Status ReadParameters(od::value& v, const Path& path, Ctx& ctx);
absl::Status ReadPaging(od::value& v, const Path& path, Ctx& ctx);

template <typename Fn>
absl::Status ParseEnvelope(std::string_view json, Ctx& ctx, Fn&& on_response,
                           size_t readable_after) {
  SUPERBET_RETURN_IF_ERROR(ctx.Parse(json, readable_after));
  od::value root;
  if (auto e = ctx.doc().get_value().get(root)) return ctx.Error(e, Root());
  absl::Status errors = absl::OkStatus();
  bool seen_response = false;
  SUPERBET_RETURN_IF_ERROR(
      ForEachField(root, Root(), ctx, [&](std::string_view key, od::value& v) -> absl::Status {
        if (key == "response") {
          seen_response = true;
          if (!errors.ok()) return absl::OkStatus();
          return on_response(v, Root().Key("response"));
        }
        if (key == "errors") return ErrorsStatus(v, Root().Key("errors"), ctx, &errors);
        if (key == "get") {
          std::optional<std::string_view> s;
          SUPERBET_RETURN_IF_ERROR(GetString(v, Root().Key("get"), ctx, &s));
          if (s) ctx.endpoint = std::string(*s);
          return absl::OkStatus();
        }
        if (key == "parameters") return ReadParameters(v, Root().Key("parameters"), ctx);
        if (key == "paging") return ReadPaging(v, Root().Key("paging"), ctx);
        return absl::OkStatus();
      }));
  SUPERBET_RETURN_IF_ERROR(ctx.CheckAtEnd());
  if (!errors.ok()) return errors;
  if (!seen_response) {
    return absl::InvalidArgumentError("api-football: $: no `response` field in the envelope");
  }
  return absl::OkStatus();
}

template <typename T, typename ReadFn>
absl::Status MapResponseArray(std::string_view json, Ctx& ctx, std::vector<T>* out, ReadFn&& read,
                              size_t readable_after) {
  return ParseEnvelope(
      json, ctx,
      [&](od::value& response, const Path& path) -> absl::Status {
        return ForEachElement(response, path, ctx, [&](int64_t i, od::value& element) {
          out->emplace_back();
          return read(element, path.Index(i), &out->back());
        });
      },
      readable_after);
}

// Helpers shared by the mapping files (defined in api_football_map.cc).
absl::Status ReadTeamObject(od::value& v, const Path& path, Ctx& ctx, superbet::v1::Team* team);
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts);
// "2021-04-22T16:00:40+00:00" -> ts; false when unparsable.
bool ParseIsoTimestamp(std::string_view text, google::protobuf::Timestamp* ts);
// Counts rejected_counts and returns nullopt for a negative (or absurd) count.
std::optional<int64_t> ValidCount(std::optional<int64_t> c, Ctx& ctx);

}  // namespace superbet::providers::api_football::internal

#endif  // SUPERBET_LIB_PROVIDERS_API_FOOTBALL_INTERNAL_JSON_H_
