#include "superbet/broadcast/cloud_event.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broadcast/internal/json_writer.h"
#include "simdjson.h"

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

void FillEvent(const Formatter& formatter, BroadcastEvent* e) {
  const superbet::v1::Prediction& p = e->prediction;
  e->decided_at_ms = UnixMs(p.decided_at());
  e->id.clear();
  absl::StrAppend(&e->id, "pred-", p.match_id(), "-", e->decided_at_ms);
  e->priority_score = PriorityScore(p.confidence(), p.kelly_fraction(), p.vsnr(), p.cas());
  e->tier = TierOf(e->priority_score);
  formatter.FormatInto(p, &e->texts);
}

void AppendCloudEventJson(const BroadcastEvent& e, std::string* out) {
  const auto& p = e.prediction;
  out->append(
      "{\"specversion\":\"1.0\",\"type\":\"com.superbet.prediction.published\","
      "\"source\":\"/plant/broadcast\",\"id\":");
  AppendJsonString(out, e.id);
  out->append(",\"time\":\"");
  internal::AppendRfc3339(out, p.decided_at().seconds(), p.decided_at().nanos());
  out->append("\",\"datacontenttype\":\"application/json\",\"priority\":\"");
  out->append(TierName(e.tier).data(), TierName(e.tier).size());
  out->append("\",\"priorityscore\":\"");
  AppendJsonNumber(out, e.priority_score);
  out->append("\",\"data\":{\"match_id\":");
  AppendJsonString(out, p.match_id());
  out->append(",\"teams\":{\"home\":");
  AppendJsonString(out, p.home());
  out->append(",\"away\":");
  AppendJsonString(out, p.away());
  out->append("},\"prediction\":{\"pick\":");
  AppendJsonString(out, p.pick());
  out->append(",\"home_win\":");
  AppendJsonOptional(out, p.prob().has_home(), p.prob().home());
  out->append(",\"draw\":");
  AppendJsonOptional(out, p.prob().has_draw(), p.prob().draw());
  out->append(",\"away_win\":");
  AppendJsonOptional(out, p.prob().has_away(), p.prob().away());
  out->append("},\"odds\":{\"home\":");
  AppendJsonOptional(out, p.odds().has_home(), p.odds().home());
  out->append(",\"draw\":");
  AppendJsonOptional(out, p.odds().has_draw(), p.odds().draw());
  out->append(",\"away\":");
  AppendJsonOptional(out, p.odds().has_away(), p.odds().away());
  out->append("},\"metrics\":{\"confidence\":");
  AppendJsonNumber(out, p.confidence());
  out->append(",\"vsnr\":");
  AppendJsonOptional(out, p.has_vsnr(), p.vsnr());
  out->append(",\"cas\":");
  AppendJsonOptional(out, p.has_cas(), p.cas());
  out->append(",\"kelly_fraction\":");
  AppendJsonNumber(out, p.kelly_fraction());
  out->append(",\"gamma\":");
  AppendJsonOptional(out, p.has_gamma(), p.gamma());
  out->append("},\"formatted\":{\"twitter\":");
  AppendJsonString(out, e.texts.x);
  out->append(",\"telegram\":");
  AppendJsonString(out, e.texts.telegram);
  out->append(",\"android\":{\"title\":");
  AppendJsonString(out, e.texts.android.title);
  out->append(",\"body\":");
  AppendJsonString(out, e.texts.android.body);
  out->append("}},\"metadata\":{\"priority_score\":");
  AppendJsonNumber(out, e.priority_score);
  out->append(",\"tier\":\"");
  out->append(TierName(e.tier).data(), TierName(e.tier).size());
  out->append("\",\"trace_id\":");
  AppendJsonString(out, e.id);
  out->append(",\"model_version\":");
  AppendJsonString(out, p.model_version());
  out->append(",\"produced_at\":");
  out->append(std::to_string(e.decided_at_ms));
  out->append("}}}");
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
