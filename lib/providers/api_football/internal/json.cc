#include "providers/api_football/internal/json.h"

#include <cmath>
#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace superbet::providers::api_football::internal {
namespace {

struct ThreadBuffers {
  od::parser parser;
  std::string padded;
};

ThreadBuffers& Buffers() {
  thread_local ThreadBuffers buffers;
  return buffers;
}

std::string_view Clip(std::string_view s) { return s.size() <= 80 ? s : s.substr(0, 80); }

}  // namespace

std::string Path::ToString() const {
  std::vector<const Path*> chain;
  for (const Path* p = this; p != nullptr; p = p->parent) chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Path* p = *it;
    if (p->index >= 0) {
      absl::StrAppend(&out, "[", p->index, "]");
    } else if (p->parent == nullptr) {
      absl::StrAppend(&out, AV(p->key));
    } else {
      absl::StrAppend(&out, ".", AV(p->key));
    }
  }
  return out;
}

absl::Status Ctx::Parse(std::string_view json, size_t readable_after) {
  static_assert(kJsonPadding >= simdjson::SIMDJSON_PADDING);
  ThreadBuffers& b = Buffers();
  const char* data = json.data();
  size_t allocated = json.size() + readable_after;
  if (readable_after < kJsonPadding) {
    b.padded.reserve(json.size() + simdjson::SIMDJSON_PADDING);
    b.padded.assign(json.data(), json.size());
    data = b.padded.data();
    allocated = b.padded.capacity();
  }
  base_ = data;
  size_ = json.size();
  if (auto e = b.parser.iterate(data, json.size(), allocated).get(doc_)) {
    // Stage 1 (structure indexing) failed: no traversal position exists yet.
    return absl::DataLossError(
        absl::StrCat("api-football: malformed JSON (path $, ", json.size(),
                     " bytes, found while indexing): ", simdjson::error_message(e)));
  }
  return absl::OkStatus();
}

absl::Status Ctx::Error(simdjson::error_code e, const Path& path) {
  switch (e) {
    case simdjson::INCORRECT_TYPE:
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return absl::InvalidArgumentError(
          absl::StrCat("api-football: ", path.ToString(), ": ", simdjson::error_message(e)));
    default:
      break;
  }
  std::string where = "end of input";
  const char* location = nullptr;
  if (!doc_.current_location().get(location) && location >= base_ && location <= base_ + size_) {
    where = absl::StrCat("byte offset ", location - base_);
  }
  return absl::DataLossError(absl::StrCat("api-football: malformed JSON at ", where, " (path ",
                                          path.ToString(), ", ", size_,
                                          " bytes): ", simdjson::error_message(e)));
}

absl::Status Ctx::CheckAtEnd() {
  // current_location() fails with OUT_OF_BOUNDS exactly when the document is consumed.
  const char* location = nullptr;
  if (doc_.current_location().get(location)) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      "api-football: trailing content after the JSON document at byte offset ", location - base_));
}

absl::Status Ctx::TypeError(od::value& v, const Path& path, std::string_view what) {
  const std::string_view token = v.raw_json_token();
  return absl::InvalidArgumentError(absl::StrCat("api-football: ", path.ToString(), ": expected ",
                                                 AV(what), ", got ", AV(Clip(token))));
}

bool FitsInt64(double d) {
  // -2^63 and 2^63 are exact doubles; every double in [-2^63, 2^63) converts without overflow.
  constexpr double kTwoTo63 = 9223372036854775808.0;
  return d >= -kTwoTo63 && d < kTwoTo63;
}

absl::Status GetInt(od::value& v, const Path& path, Ctx& ctx, std::optional<int64_t>* out,
                    int64_t* rejected) {
  out->reset();
  od::json_type type;
  if (auto e = v.type().get(type)) return ctx.Error(e, path);
  if (type == od::json_type::null) return absl::OkStatus();
  if (type != od::json_type::number) return ctx.TypeError(v, path, "an integer");
  int64_t x = 0;
  if (v.get_int64().get(x)) {
    // Not an int64 literal: a float (90.0, 1e300) or an integer beyond int64_t.
    double d = 0;
    if (v.get_double().get(d) || d != std::trunc(d)) return ctx.TypeError(v, path, "an integer");
    if (!FitsInt64(d)) {  // Range-checked before the cast: out of range is a rejected value.
      ++*(rejected != nullptr ? rejected : &ctx.counters.rejected_values);
      return absl::OkStatus();
    }
    x = static_cast<int64_t>(d);  // Integral and in range: exact.
  }
  *out = x;
  return absl::OkStatus();
}

absl::Status GetString(od::value& v, const Path& path, Ctx& ctx,
                       std::optional<std::string_view>* out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return ctx.Error(e, path);
  if (type == od::json_type::null) {
    out->reset();
    return absl::OkStatus();
  }
  if (type != od::json_type::string) return ctx.TypeError(v, path, "a string");
  std::string_view s;
  if (auto e = v.get_string().get(s)) return ctx.Error(e, path);
  *out = s;
  return absl::OkStatus();
}

absl::Status GetBool(od::value& v, const Path& path, Ctx& ctx, std::optional<bool>* out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return ctx.Error(e, path);
  if (type == od::json_type::null) {
    out->reset();
    return absl::OkStatus();
  }
  if (type != od::json_type::boolean) return ctx.TypeError(v, path, "a boolean");
  bool b = false;
  if (auto e = v.get_bool().get(b)) return ctx.Error(e, path);
  *out = b;
  return absl::OkStatus();
}

absl::Status GetNumberOrText(od::value& v, const Path& path, Ctx& ctx, std::optional<double>* out,
                             bool* percent) {
  *percent = false;
  od::json_type type;
  if (auto e = v.type().get(type)) return ctx.Error(e, path);
  out->reset();
  switch (type) {
    case od::json_type::null:
      return absl::OkStatus();
    case od::json_type::number: {
      double d = 0;
      if (auto e = v.get_double().get(d)) return ctx.Error(e, path);
      *out = d;
      return absl::OkStatus();
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return ctx.Error(e, path);
      absl::string_view t = absl::StripAsciiWhitespace(AV(s));
      if (absl::ConsumeSuffix(&t, "%")) *percent = true;
      double d = 0;
      if (t.empty() || !absl::SimpleAtod(t, &d)) {
        ++ctx.counters.rejected_values;
        return absl::OkStatus();
      }
      *out = d;
      return absl::OkStatus();
    }
    default:
      return ctx.TypeError(v, path, "a number or a numeric string");
  }
}

absl::Status GetIdText(od::value& v, const Path& path, Ctx& ctx, std::optional<std::string>* out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return ctx.Error(e, path);
  out->reset();
  if (type == od::json_type::null) return absl::OkStatus();
  if (type == od::json_type::number) {
    std::optional<int64_t> x;
    SUPERBET_RETURN_IF_ERROR(GetInt(v, path, ctx, &x));
    if (x) *out = absl::StrCat(*x);
    return absl::OkStatus();
  }
  if (type == od::json_type::string) {
    std::optional<std::string_view> s;
    SUPERBET_RETURN_IF_ERROR(GetString(v, path, ctx, &s));
    if (s) *out = std::string(*s);
    return absl::OkStatus();
  }
  return ctx.TypeError(v, path, "an id (integer or string)");
}

namespace {

// Classifies one `errors` entry: the status code it stands for.
absl::StatusCode ClassifyError(std::string_view key, std::string_view message) {
  const std::string k = absl::AsciiStrToLower(AV(key));
  const std::string m = absl::AsciiStrToLower(AV(message));
  if (k == "token" || k == "key" || k == "access" || absl::StrContains(m, "application key") ||
      absl::StrContains(m, "api key") || absl::StrContains(m, "token")) {
    return absl::StatusCode::kUnauthenticated;
  }
  if (k == "requests" || k == "ratelimit" || absl::StrContains(m, "request limit") ||
      absl::StrContains(m, "too many requests") || absl::StrContains(m, "rate limit")) {
    return absl::StatusCode::kResourceExhausted;
  }
  return absl::StatusCode::kInvalidArgument;
}

struct ErrorList {
  std::vector<std::string> parts;
  absl::StatusCode code = absl::StatusCode::kOk;
  void Add(std::string_view key, std::string_view message) {
    parts.push_back(key.empty() ? std::string(message) : absl::StrCat(AV(key), ": ", AV(message)));
    const absl::StatusCode c = ClassifyError(key, message);
    // Unauthenticated outranks rate limiting, which outranks a bad request.
    auto rank = [](absl::StatusCode x) {
      return x == absl::StatusCode::kUnauthenticated     ? 3
             : x == absl::StatusCode::kResourceExhausted ? 2
             : x == absl::StatusCode::kInvalidArgument   ? 1
                                                         : 0;
    };
    if (rank(c) > rank(code)) code = c;
  }
};

// Adds every "key: message" of one `errors` object (values may be strings or anything else).
absl::Status AddErrorObject(od::value& v, const Path& path, Ctx& ctx, ErrorList* list) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& m) -> absl::Status {
    const std::string key_copy(key);
    od::json_type type;
    if (auto e = m.type().get(type)) return ctx.Error(e, path.Key(key_copy));
    std::string message;
    if (type == od::json_type::string) {
      std::string_view s;
      if (auto e = m.get_string().get(s)) return ctx.Error(e, path.Key(key_copy));
      message = std::string(s);
    } else {
      message = std::string(absl::StripAsciiWhitespace(AV(m.raw_json_token())));
    }
    list->Add(key_copy, message);
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status ErrorsStatus(od::value& v, const Path& path, Ctx& ctx, absl::Status* out) {
  ErrorList list;
  od::json_type type;
  if (auto e = v.type().get(type)) return ctx.Error(e, path);
  if (type == od::json_type::object) {
    SUPERBET_RETURN_IF_ERROR(AddErrorObject(v, path, ctx, &list));
  } else if (type == od::json_type::array) {
    SUPERBET_RETURN_IF_ERROR(
        ForEachElement(v, path, ctx, [&](int64_t i, od::value& el) -> absl::Status {
          od::json_type t;
          if (auto e = el.type().get(t)) return ctx.Error(e, path.Index(i));
          if (t == od::json_type::object) return AddErrorObject(el, path.Index(i), ctx, &list);
          std::optional<std::string_view> s;
          if (t == od::json_type::string) {
            SUPERBET_RETURN_IF_ERROR(GetString(el, path.Index(i), ctx, &s));
            list.Add("", *s);
          } else if (t != od::json_type::null) {
            const absl::string_view raw = absl::StripAsciiWhitespace(AV(el.raw_json_token()));
            list.Add("", std::string_view(raw.data(), raw.size()));
          }
          return absl::OkStatus();
        }));
  } else if (type == od::json_type::string) {
    std::optional<std::string_view> s;
    SUPERBET_RETURN_IF_ERROR(GetString(v, path, ctx, &s));
    if (s && !s->empty()) list.Add("", *s);
  }
  if (!list.parts.empty()) {
    *out = absl::Status(list.code,
                        absl::StrCat("api-football errors: ", absl::StrJoin(list.parts, "; ")));
  }
  return absl::OkStatus();
}

absl::Status ReadParameters(od::value& v, const Path& path, Ctx& ctx) {
  od::json_type type;
  if (auto e = v.type().get(type)) return ctx.Error(e, path);
  if (type != od::json_type::object) return absl::OkStatus();  // `[]` when there are none.
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& p) -> absl::Status {
    if (key != "fixture") return absl::OkStatus();
    std::optional<std::string> id;
    SUPERBET_RETURN_IF_ERROR(GetIdText(p, path.Key("fixture"), ctx, &id));
    if (id) ctx.fixture_param = *id;
    return absl::OkStatus();
  });
}

absl::Status ReadPaging(od::value& v, const Path& path, Ctx& ctx) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& p) -> absl::Status {
    if (key != "current" && key != "total") return absl::OkStatus();
    std::optional<int64_t> x;
    SUPERBET_RETURN_IF_ERROR(GetInt(p, path.Key(key), ctx, &x));
    if (x && (*x < 0 || *x > kMaxCount)) {  // Range-checked before narrowing to int.
      ++ctx.counters.rejected_values;
      return absl::OkStatus();
    }
    if (x) (key == "current" ? ctx.paging_current : ctx.paging_total) = static_cast<int>(*x);
    return absl::OkStatus();
  });
}

}  // namespace superbet::providers::api_football::internal
