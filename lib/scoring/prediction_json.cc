#include "superbet/scoring/prediction_json.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/internal/number_text.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace superbet::scoring {
namespace {

namespace pb = google::protobuf;

// A validation failure: the JSON path of the offending field and why.
struct FieldError {
  std::string field;
  std::string reason;
};

using MaybeError = std::optional<FieldError>;

constexpr const char* kRequiredKeys[] = {"match_id",       "home",       "away",  "kickoff",
                                         "pick",           "prob",       "odds",  "confidence",
                                         "kelly_fraction", "decided_at", "agent", "model_version"};

constexpr std::pair<const char*, v1::Action> kPickActions[] = {
    {"home", v1::ACTION_BET_HOME},
    {"draw", v1::ACTION_BET_DRAW},
    {"away", v1::ACTION_BET_AWAY},
};

using core::internal::ShortestText;
std::string Num(double v) { return ShortestText(v); }

// Whether `object` has `proto_name` (or the protobuf JSON camelCase name, which the protobuf
// parser also accepts).
bool HasKey(const pb::Struct& object, const pb::FieldDescriptor* field) {
  return object.fields().contains(field->name()) || object.fields().contains(field->json_name());
}

// The first line of a parser message (protobuf's syntax errors add the input and a caret line).
std::string FirstLine(absl::string_view msg) { return std::string(msg.substr(0, msg.find('\n'))); }

// Protobuf 3.21's wording of the two rejections users meet most, in ours; others kept as they are
// (first line).
std::string ReadableParserReason(absl::string_view reason) {
  if (reason == "Cannot find field.") return "unknown field";
  constexpr absl::string_view kTime = "Invalid time format: ";
  constexpr absl::string_view kTimeType = " for type type.googleapis.com/google.protobuf.Timestamp";
  const size_t at = reason.find(kTime);
  if (at != absl::string_view::npos && absl::EndsWith(reason, kTimeType)) {
    const size_t from = at + kTime.size();
    const absl::string_view value = reason.substr(from, reason.size() - kTimeType.size() - from);
    return absl::StrCat("must be an RFC 3339 timestamp (e.g. 2023-08-12T11:30:00Z), got \"", value,
                        "\"");
  }
  return FirstLine(reason);
}

// Protobuf's parser reports "<path>: <reason>" or "(<path>): <reason>" (3.21); split the path
// off when it is there.
FieldError FromParserStatus(const pb::util::Status& status) {
  std::string msg(status.message().data(), status.message().size());
  const size_t colon = msg.find(": ");
  // A nested key: "(prob) hme: Cannot find field." -> "prob.hme".
  const size_t close = msg.find(") ");
  if (!msg.empty() && msg.front() == '(' && close != std::string::npos &&
      colon != std::string::npos && close < colon && msg.find(' ', close + 2) > colon) {
    return {absl::StrCat(msg.substr(1, close - 1), ".", msg.substr(close + 2, colon - close - 2)),
            ReadableParserReason(msg.substr(colon + 2))};
  }
  if (colon != std::string::npos && colon > 0 && msg.find(' ') > colon) {
    std::string field = msg.substr(0, colon);
    if (field.size() > 2 && field.front() == '(' && field.back() == ')') {  // "(kickoff)"
      field = field.substr(1, field.size() - 2);
    }
    return {field, ReadableParserReason(msg.substr(colon + 2))};
  }
  return {"(json)", FirstLine(msg)};
}

MaybeError CheckOdds(const std::string& path, bool has, double value) {
  if (has && !(std::isfinite(value) && value > 1.0)) {
    return FieldError{path, "decimal odds must be finite and > 1, got " + Num(value)};
  }
  return std::nullopt;
}

MaybeError CheckProbability(const std::string& path, bool has, double value) {
  if (has && !(std::isfinite(value) && value >= 0.0 && value <= 1.0)) {
    return FieldError{path, "probability must be finite and in [0, 1], got " + Num(value)};
  }
  return std::nullopt;
}

MaybeError CheckFinite(const std::string& path, bool has, double value) {
  if (has && !std::isfinite(value)) {
    return FieldError{path, "must be finite, got " + Num(value)};
  }
  return std::nullopt;
}

// Validates a parsed Prediction. `object` is the same JSON object as a Struct (for key
// presence); `prefix` is "" or "prediction." (for paths). `allow_no_pick`: a ledger line of a
// no_bet decision.
MaybeError Validate(const v1::Prediction& p, const pb::Struct& object, const std::string& prefix,
                    bool allow_no_pick) {
  const pb::Descriptor* d = v1::Prediction::descriptor();
  const bool no_pick = allow_no_pick && p.pick().empty();
  for (const char* key : kRequiredKeys) {
    const pb::FieldDescriptor* f = d->FindFieldByName(key);
    if (no_pick && (f->name() == "prob" || f->name() == "odds")) continue;
    if (!HasKey(object, f)) return FieldError{prefix + key, "missing required field"};
    if (f->type() == pb::FieldDescriptor::TYPE_STRING && f->name() != "pick" &&
        p.GetReflection()->GetString(p, f).empty()) {
      return FieldError{prefix + key, "required field is empty"};
    }
  }
  std::optional<v1::Action> pick_action;
  for (const auto& [name, action] : kPickActions) {
    if (p.pick() == name) pick_action = action;
  }
  if (!pick_action.has_value() && !no_pick) {
    return FieldError{prefix + "pick",
                      absl::StrCat("must be one of home|draw|away, got \"", p.pick(), "\"")};
  }
  const v1::OneXTwo& o = p.odds();
  const v1::OneXTwo& q = p.prob();
  for (MaybeError e : {CheckOdds(prefix + "odds.home", o.has_home(), o.home()),
                       CheckOdds(prefix + "odds.draw", o.has_draw(), o.draw()),
                       CheckOdds(prefix + "odds.away", o.has_away(), o.away()),
                       CheckProbability(prefix + "prob.home", q.has_home(), q.home()),
                       CheckProbability(prefix + "prob.draw", q.has_draw(), q.draw()),
                       CheckProbability(prefix + "prob.away", q.has_away(), q.away()),
                       CheckProbability(prefix + "confidence", true, p.confidence()),
                       CheckFinite(prefix + "vsnr", p.has_vsnr(), p.vsnr()),
                       CheckFinite(prefix + "cas", p.has_cas(), p.cas()),
                       CheckFinite(prefix + "gamma", p.has_gamma(), p.gamma())}) {
    if (e.has_value()) return e;
  }
  if (!(std::isfinite(p.kelly_fraction()) && p.kelly_fraction() >= 0.0 &&
        p.kelly_fraction() <= 1.0)) {
    return FieldError{
        prefix + "kelly_fraction",
        "Kelly fraction must be finite and in [0, 1], got " + Num(p.kelly_fraction())};
  }
  if (p.has_cas() && p.cas() < 0.0) {
    return FieldError{prefix + "cas", "must be >= 0, got " + Num(p.cas())};
  }
  if (p.has_data_staleness_s() &&
      !(std::isfinite(p.data_staleness_s()) && p.data_staleness_s() >= 0.0)) {
    return FieldError{prefix + "data_staleness_s",
                      "seconds must be finite and >= 0, got " + Num(p.data_staleness_s())};
  }
  if (pick_action.has_value()) {
    const bool has_price = (p.pick() == "home")   ? o.has_home()
                           : (p.pick() == "draw") ? o.has_draw()
                                                  : o.has_away();
    const bool has_prob = (p.pick() == "home")   ? q.has_home()
                          : (p.pick() == "draw") ? q.has_draw()
                                                 : q.has_away();
    if (!has_price) return FieldError{prefix + "odds." + p.pick(), "missing: the pick's price"};
    if (!has_prob) {
      return FieldError{prefix + "prob." + p.pick(), "missing: the pick's probability"};
    }
    if (p.action() != v1::ACTION_UNSPECIFIED && p.action() != *pick_action) {
      return FieldError{prefix + "action", absl::StrCat("must agree with pick \"", p.pick(),
                                                        "\", got ", v1::Action_Name(p.action()))};
    }
  } else if (p.action() != v1::ACTION_UNSPECIFIED && p.action() != v1::ACTION_NO_BET) {
    return FieldError{prefix + "action", absl::StrCat("a decision with no pick must be "
                                                      "ACTION_NO_BET, got ",
                                                      v1::Action_Name(p.action()))};
  }
  return std::nullopt;
}

pb::util::JsonParseOptions ParseOptions(const ReadOptions& options) {
  pb::util::JsonParseOptions o;
  o.ignore_unknown_fields = options.ignore_unknown_fields;
  return o;
}

// Rewrites every -0.0 double field of `m` (recursively) as +0.0. protobuf 3.21's JSON parser
// reads "-0.000" as -0.0 but the "-0" its printer writes back as +0.0, so without this a line
// would not read back to the message it was printed from; -0 and 0 mean the same here.
void CanonicalizeNegativeZero(pb::Message* m) {
  const pb::Reflection* r = m->GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(*m, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    if (f->is_repeated()) continue;  // Prediction/Decision have no repeated numbers.
    if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_DOUBLE) {
      const double v = r->GetDouble(*m, f);
      if (v == 0.0 && std::signbit(v)) r->SetDouble(m, f, 0.0);
    } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      CanonicalizeNegativeZero(r->MutableMessage(m, f));
    }
  }
}

// Parses `line` as a JSON object into `object` and as a `Message` into `out`.
MaybeError ParseBoth(absl::string_view line, const ReadOptions& options, pb::Struct* object,
                     pb::Message* out) {
  // A Struct accepts any JSON object, so its failure is a JSON syntax error (or not an object).
  const pb::StringPiece input(line.data(), line.size());
  const pb::util::Status syntax = pb::util::JsonStringToMessage(input, object);
  if (!syntax.ok()) {
    return FieldError{"(json)",
                      absl::StrCat("not a JSON object: ", FirstLine(syntax.message().ToString()))};
  }
  const pb::util::Status typed = pb::util::JsonStringToMessage(input, out, ParseOptions(options));
  if (!typed.ok()) return FromParserStatus(typed);
  CanonicalizeNegativeZero(out);
  return std::nullopt;
}

absl::Status ToStatus(int64_t line_number, const FieldError& e) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", line_number, ": ", e.field, ": ", e.reason));
}

// The line-level parse of a Prediction that keeps the field for the stream reader's counts.
MaybeError ParsePrediction(absl::string_view line, const ReadOptions& options,
                           v1::Prediction* out) {
  if (line.size() > options.max_line_bytes) {
    return FieldError{"(line)", absl::StrCat("line of ", line.size(), " bytes is longer than ",
                                             options.max_line_bytes, " bytes")};
  }
  pb::Struct object;
  if (MaybeError e = ParseBoth(line, options, &object, out)) return e;
  return Validate(*out, object, "", /*allow_no_pick=*/false);
}

absl::StatusOr<std::string> Print(const pb::Message& message) {
  pb::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.always_print_primitive_fields = true;
  o.add_whitespace = false;
  std::string out;
  const pb::util::Status s = pb::util::MessageToJsonString(message, &out, o);
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("protobuf JSON printer: ", s.message().ToString()));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> PredictionToJsonLine(const v1::Prediction& prediction) {
  return Print(prediction);
}

absl::StatusOr<std::string> DecisionToJsonLine(const v1::Decision& decision) {
  return Print(decision);
}

absl::StatusOr<v1::Prediction> PredictionFromJsonLine(absl::string_view line, int64_t line_number,
                                                      const ReadOptions& options) {
  v1::Prediction p;
  if (MaybeError e = ParsePrediction(line, options, &p)) return ToStatus(line_number, *e);
  return p;
}

absl::StatusOr<v1::Decision> DecisionFromJsonLine(absl::string_view line, int64_t line_number,
                                                  const ReadOptions& options) {
  v1::Decision d;
  if (line.size() > options.max_line_bytes) {
    return ToStatus(line_number,
                    {"(line)", absl::StrCat("line of ", line.size(), " bytes is longer than ",
                                            options.max_line_bytes, " bytes")});
  }
  pb::Struct object;
  if (MaybeError e = ParseBoth(line, options, &object, &d)) return ToStatus(line_number, *e);
  auto it = object.fields().find("prediction");
  if (it == object.fields().end() || !it->second.has_struct_value()) {
    return ToStatus(line_number, {"prediction", "missing required field"});
  }
  if (MaybeError e = Validate(d.prediction(), it->second.struct_value(), "prediction.",
                              /*allow_no_pick=*/true)) {
    return ToStatus(line_number, *e);
  }
  if (d.verdict() == v1::VERDICT_UNSPECIFIED) {
    return ToStatus(line_number, {"verdict", "must be VERDICT_ACCEPTED or VERDICT_DENIED"});
  }
  if (!(std::isfinite(d.stake()) && d.stake() >= 0.0)) {
    return ToStatus(line_number, {"stake", "must be finite and >= 0, got " + Num(d.stake())});
  }
  if (!(std::isfinite(d.bankroll_before()) && d.bankroll_before() >= 0.0)) {
    return ToStatus(line_number, {"bankroll_before",
                                  "must be finite and >= 0, got " + Num(d.bankroll_before())});
  }
  return d;
}

PredictionStreamReader::PredictionStreamReader(std::istream& in, ReadOptions options,
                                               size_t max_kept_rejections)
    : in_(in), options_(options), max_kept_rejections_(max_kept_rejections) {}

std::optional<v1::Prediction> PredictionStreamReader::Next() {
  std::string line;
  while (std::getline(in_, line)) {
    ++lines_read_;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files.
    if (absl::StripAsciiWhitespace(line).empty()) {
      ++blank_;
      continue;
    }
    v1::Prediction p;
    if (MaybeError e = ParsePrediction(line, options_, &p)) {
      ++rejected_;
      ++rejected_by_field_[e->field];
      if (rejections_.size() < max_kept_rejections_) {
        rejections_.push_back(
            {lines_read_, e->field, std::string(ToStatus(lines_read_, *e).message())});
      }
      continue;
    }
    ++accepted_;
    return p;
  }
  return std::nullopt;
}

}  // namespace superbet::scoring
