#include "superbet/broadcast/cloud_event.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broadcast/internal/json_writer.h"
#include "simdjson.h"
#include "superbet/core/json_string.h"

namespace superbet::broadcast {

using internal::AppendJsonNumber;
using internal::AppendJsonOptional;
using internal::AppendJsonString;

namespace {

int64_t UnixMs(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

}  // namespace

std::string EventId(const superbet::v1::Prediction& p) {
  return absl::StrCat("pred-", p.match_id(), "-", UnixMs(p.decided_at()));
}

BroadcastEvent BuildEvent(const superbet::v1::Prediction& p, const Formatter& formatter) {
  BroadcastEvent e;
  BuildEventInto(p, formatter, &e);
  return e;
}

BroadcastEvent BuildEvent(superbet::v1::Prediction&& p, const Formatter& formatter) {
  BroadcastEvent e;
  e.prediction = std::move(p);
  FillEvent(formatter, &e);
  return e;
}

void BuildEventInto(const superbet::v1::Prediction& p, const Formatter& formatter,
                    BroadcastEvent* e) {
  e->prediction = p;  // CopyFrom: reuses the strings and sub-messages of `e`.
  FillEvent(formatter, e);
}

void BuildEventInto(superbet::v1::Prediction&& p, const Formatter& formatter, BroadcastEvent* e) {
  e->prediction = std::move(p);  // Same arena (none): a swap of the message's fields.
  FillEvent(formatter, e);
}

void FillEvent(const Formatter& formatter, BroadcastEvent* e) {
  const superbet::v1::Prediction& p = e->prediction;
  e->decided_at_ms = UnixMs(p.decided_at());
  e->id.clear();
  absl::StrAppend(&e->id, "pred-", p.match_id(), "-", e->decided_at_ms);
  e->priority_score = PriorityScore(p.confidence(), p.kelly_fraction(), p.vsnr(), p.cas());
  e->tier = TierOf(e->priority_score);
  formatter.FormatInto(p, &e->texts);
}

namespace {

// Writes into a buffer sized beforehand (CloudEventBound): no capacity check per piece.
class RawWriter {
 public:
  explicit RawWriter(char* at) : at_(at) {}
  char* at() const { return at_; }
  template <size_t N>
  void Lit(const char (&s)[N]) {
    std::memcpy(at_, s, N - 1);
    at_ += N - 1;
  }
  void Raw(absl::string_view s) {
    std::memcpy(at_, s.data(), s.size());
    at_ += s.size();
  }
  void Str(absl::string_view s) {
    *at_++ = '"';
    at_ = core::WriteJsonEscaped(at_, s);
    *at_++ = '"';
  }
  void Num(double v) { at_ = internal::WriteJsonNumber(at_, v); }
  void Opt(bool has, double v) {
    if (has) {
      Num(v);
    } else {
      Lit("null");
    }
  }
  void Int(int64_t v) { at_ = std::to_chars(at_, at_ + 24, v).ptr; }

 private:
  char* at_;
};

// Bytes of the literal parts of the JSON (the string constants below), with room to spare.
constexpr size_t kLiteralBytes = 800;
constexpr size_t kNumberBytes = 32;  // internal::kJsonNumberMaxBytes, rounded up.

size_t CloudEventBound(const BroadcastEvent& e) {
  const auto& p = e.prediction;
  const size_t strings = 2 * e.id.size() + p.match_id().size() + p.home().size() + p.away().size() +
                         p.pick().size() + e.texts.x.size() + e.texts.telegram.size() +
                         e.texts.android.title.size() + e.texts.android.body.size() +
                         p.model_version().size();
  // 12 numbers + the score twice + produced_at + the RFC 3339 time.
  return kLiteralBytes + core::kJsonEscapedMaxGrowth * strings + 16 * kNumberBytes;
}

char* WriteCloudEventJson(const BroadcastEvent& e, char* at) {
  const auto& p = e.prediction;
  RawWriter w(at);
  // S once; written twice (the extension attribute and metadata.priority_score).
  char score[kNumberBytes];
  const absl::string_view score_text(score,
                                     internal::WriteJsonNumber(score, e.priority_score) - score);
  const absl::string_view tier = TierName(e.tier);
  w.Lit(
      "{\"specversion\":\"1.0\",\"type\":\"com.superbet.prediction.published\","
      "\"source\":\"/plant/broadcast\",\"id\":");
  w.Str(e.id);
  w.Lit(",\"time\":\"");
  char time[internal::kRfc3339MaxBytes];
  w.Raw(absl::string_view(
      time, internal::WriteRfc3339(time, p.decided_at().seconds(), p.decided_at().nanos()) - time));
  w.Lit("\",\"datacontenttype\":\"application/json\",\"priority\":\"");
  w.Raw(tier);
  w.Lit("\",\"priorityscore\":\"");
  w.Raw(score_text);
  w.Lit("\",\"data\":{\"match_id\":");
  w.Str(p.match_id());
  w.Lit(",\"teams\":{\"home\":");
  w.Str(p.home());
  w.Lit(",\"away\":");
  w.Str(p.away());
  w.Lit("},\"prediction\":{\"pick\":");
  w.Str(p.pick());
  w.Lit(",\"home_win\":");
  w.Opt(p.prob().has_home(), p.prob().home());
  w.Lit(",\"draw\":");
  w.Opt(p.prob().has_draw(), p.prob().draw());
  w.Lit(",\"away_win\":");
  w.Opt(p.prob().has_away(), p.prob().away());
  w.Lit("},\"odds\":{\"home\":");
  w.Opt(p.odds().has_home(), p.odds().home());
  w.Lit(",\"draw\":");
  w.Opt(p.odds().has_draw(), p.odds().draw());
  w.Lit(",\"away\":");
  w.Opt(p.odds().has_away(), p.odds().away());
  w.Lit("},\"metrics\":{\"confidence\":");
  w.Num(p.confidence());
  w.Lit(",\"vsnr\":");
  w.Opt(p.has_vsnr(), p.vsnr());
  w.Lit(",\"cas\":");
  w.Opt(p.has_cas(), p.cas());
  w.Lit(",\"kelly_fraction\":");
  w.Num(p.kelly_fraction());
  w.Lit(",\"gamma\":");
  w.Opt(p.has_gamma(), p.gamma());
  w.Lit("},\"formatted\":{\"twitter\":");
  w.Str(e.texts.x);
  w.Lit(",\"telegram\":");
  w.Str(e.texts.telegram);
  w.Lit(",\"android\":{\"title\":");
  w.Str(e.texts.android.title);
  w.Lit(",\"body\":");
  w.Str(e.texts.android.body);
  w.Lit("}},\"metadata\":{\"priority_score\":");
  w.Raw(score_text);
  w.Lit(",\"tier\":\"");
  w.Raw(tier);
  w.Lit("\",\"trace_id\":");
  w.Str(e.id);
  w.Lit(",\"model_version\":");
  w.Str(p.model_version());
  w.Lit(",\"produced_at\":");
  w.Int(e.decided_at_ms);
  w.Lit("}}}");
  return w.at();
}

}  // namespace

void AppendCloudEventJson(const BroadcastEvent& e, std::string* out) {
  const size_t bound = CloudEventBound(e);
  // A typical event (~1.2 KB, bound ~4 KB) is written on the stack and appended with one copy;
  // a larger one straight into `out`, resized to the bound and trimmed.
  constexpr size_t kStackBytes = 8192;
  if (bound <= kStackBytes) {
    char buf[kStackBytes];
    out->append(buf, static_cast<size_t>(WriteCloudEventJson(e, buf) - buf));
    return;
  }
  const size_t old = out->size();
  out->resize(old + bound);
  char* const begin = out->data();
  out->resize(static_cast<size_t>(WriteCloudEventJson(e, begin + old) - begin));
}

std::string CloudEventJson(const BroadcastEvent& e) {
  std::string out;
  out.reserve(1024);
  AppendCloudEventJson(e, &out);
  return out;
}

superbet::v1::broadcast::BroadcastData ToBroadcastData(const BroadcastEvent& e) {
  const auto& p = e.prediction;
  superbet::v1::broadcast::BroadcastData d;
  d.set_match_id(p.match_id());
  d.mutable_teams()->set_home(p.home());
  d.mutable_teams()->set_away(p.away());
  auto* pr = d.mutable_prediction();
  pr->set_pick(p.pick());
  if (p.prob().has_home()) pr->set_home_win(p.prob().home());
  if (p.prob().has_draw()) pr->set_draw(p.prob().draw());
  if (p.prob().has_away()) pr->set_away_win(p.prob().away());
  auto* o = d.mutable_odds();
  if (p.odds().has_home()) o->set_home(p.odds().home());
  if (p.odds().has_draw()) o->set_draw(p.odds().draw());
  if (p.odds().has_away()) o->set_away(p.odds().away());
  auto* m = d.mutable_metrics();
  m->set_confidence(p.confidence());
  if (p.has_vsnr()) m->set_vsnr(p.vsnr());
  if (p.has_cas()) m->set_cas(p.cas());
  m->set_kelly_fraction(p.kelly_fraction());
  if (p.has_gamma()) m->set_gamma(p.gamma());
  auto* f = d.mutable_formatted();
  f->set_twitter(e.texts.x);
  f->set_telegram(e.texts.telegram);
  f->mutable_android()->set_title(e.texts.android.title);
  f->mutable_android()->set_body(e.texts.android.body);
  auto* md = d.mutable_metadata();
  md->set_priority_score(e.priority_score);
  md->set_tier(std::string(TierName(e.tier)));
  md->set_trace_id(e.id);
  md->set_model_version(p.model_version());
  md->set_produced_at(e.decided_at_ms);
  return d;
}

io::cloudevents::v1::CloudEvent ToCloudEventProto(const BroadcastEvent& e) {
  io::cloudevents::v1::CloudEvent ce;
  ce.set_id(e.id);
  ce.set_source(std::string(kEventSource));
  ce.set_spec_version("1.0");
  ce.set_type(std::string(kEventType));
  auto& attrs = *ce.mutable_attributes();
  *attrs["time"].mutable_ce_timestamp() = e.prediction.decided_at();
  attrs["datacontenttype"].set_ce_string("application/protobuf");
  attrs["priority"].set_ce_string(std::string(TierName(e.tier)));
  std::string score;
  AppendJsonNumber(&score, e.priority_score);
  attrs["priorityscore"].set_ce_string(score);
  ce.mutable_proto_data()->PackFrom(ToBroadcastData(e));
  return ce;
}

namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status AttrError(absl::string_view name, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("attribute '", name, "' ", problem));
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

absl::StatusOr<absl::string_view> RequiredString(simdjson::dom::object obj,
                                                 absl::string_view name) {
  simdjson::dom::element el;
  if (obj.at_key(std::string_view(name.data(), name.size())).get(el) != simdjson::SUCCESS) {
    return AttrError(name, "is REQUIRED, absent");
  }
  std::string_view v;
  if (el.get_string().get(v) != simdjson::SUCCESS) {
    return AttrError(name,
                     absl::StrCat("must be a string, got ", std::string(simdjson::to_string(el))));
  }
  if (v.empty()) return AttrError(name, "must be a non-empty string, got \"\"");
  return AV(v);
}

absl::Status ValidateObject(simdjson::dom::object obj) {
  for (absl::string_view name : {"id", "source", "specversion", "type"}) {
    auto v = RequiredString(obj, name);
    if (!v.ok()) return v.status();
    if (name == "specversion" && *v != "1.0") {
      return AttrError(name, absl::StrCat("must be \"1.0\", got \"", *v, "\""));
    }
  }
  bool has_data = false, has_data_base64 = false;
  for (auto field : obj) {
    const absl::string_view key = AV(field.key);
    if (key == "data") {
      has_data = true;
      continue;
    }
    if (key == "data_base64") {
      has_data_base64 = true;
      continue;
    }
    if (!ValidName(std::string_view(key.data(), key.size()))) {
      return AttrError(key, "name must consist of lower-case letters a-z and digits 0-9");
    }
    if (key == "time" || key == "datacontenttype" || key == "dataschema" || key == "subject") {
      std::string_view v;
      if (field.value.get_string().get(v) != simdjson::SUCCESS) {
        return AttrError(key, absl::StrCat("must be a string, got ",
                                           std::string(simdjson::to_string(field.value))));
      }
      if (key == "time") {
        absl::Time t;
        std::string err;
        if (!absl::ParseTime(absl::RFC3339_full, std::string(v), &t, &err)) {
          return AttrError(key, absl::StrCat("must be an RFC 3339 timestamp, got \"", AV(v), "\""));
        }
      }
    } else if (field.value.type() == simdjson::dom::element_type::ARRAY ||
               field.value.type() == simdjson::dom::element_type::OBJECT) {
      return AttrError(key, "must be a string, number or boolean (CloudEvents type system)");
    }
  }
  if (has_data && has_data_base64) {
    return AttrError("data_base64", "must not be present together with 'data'");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateCloudEventJson(absl::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("CloudEvent: not valid JSON");
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("CloudEvent: the event must be a JSON object");
  }
  return ValidateObject(obj);
}

absl::StatusOr<BroadcastEvent> ParseCloudEventJson(absl::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("CloudEvent: not valid JSON");
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("CloudEvent: the event must be a JSON object");
  }
  if (absl::Status s = ValidateObject(obj); !s.ok()) return s;
  BroadcastEvent e;
  auto str = [&](const char* path, std::string* out) -> absl::Status {
    std::string_view v;
    if (doc.at_pointer(path).get_string().get(v) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(absl::StrCat("CloudEvent: ", path, " must be a string"));
    }
    out->assign(v.data(), v.size());
    return absl::OkStatus();
  };
  std::string tier;
  for (auto [path, out] : std::initializer_list<std::pair<const char*, std::string*>>{
           {"/id", &e.id},
           {"/priority", &tier},
           {"/data/match_id", e.prediction.mutable_match_id()},
           {"/data/teams/home", e.prediction.mutable_home()},
           {"/data/teams/away", e.prediction.mutable_away()},
           {"/data/prediction/pick", e.prediction.mutable_pick()},
           {"/data/metadata/model_version", e.prediction.mutable_model_version()},
           {"/data/formatted/twitter", &e.texts.x},
           {"/data/formatted/telegram", &e.texts.telegram},
           {"/data/formatted/android/title", &e.texts.android.title},
           {"/data/formatted/android/body", &e.texts.android.body}}) {
    if (absl::Status s = str(path, out); !s.ok()) return s;
  }
  auto t = TierFromName(tier);
  if (!t)
    return absl::InvalidArgumentError(
        absl::StrCat("CloudEvent: /priority: unknown tier \"", tier, "\""));
  e.tier = *t;
  double score = 0;
  if (doc.at_pointer("/data/metadata/priority_score").get_double().get(score) !=
      simdjson::SUCCESS) {
    return absl::InvalidArgumentError("CloudEvent: /data/metadata/priority_score must be a number");
  }
  e.priority_score = score;
  int64_t ms = 0;
  if (doc.at_pointer("/data/metadata/produced_at").get_int64().get(ms) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("CloudEvent: /data/metadata/produced_at must be an integer");
  }
  e.decided_at_ms = ms;
  e.prediction.mutable_decided_at()->set_seconds(ms / 1000);
  e.prediction.mutable_decided_at()->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
  return e;
}

}  // namespace superbet::broadcast
