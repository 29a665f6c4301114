// CloudEvents: our structured JSON against the CloudEvents v1.0 rules (spec.md "Required
// Attributes", "Attribute Naming Convention"; formats/json-format.md), the validator's errors
// naming the attribute, and the protobuf format's field numbers (formats/cloudevents.proto:
// id 1, source 2, spec_version 3, type 4, attributes 5, binary_data 6, text_data 7, proto_data 8).

#include "superbet/broadcast/cloud_event.h"

#include <catch2/catch.hpp>

#include "google/protobuf/descriptor.h"
#include "superbet/broadcast/prediction_input.h"

namespace sb = superbet::broadcast;

namespace {

constexpr char kLine[] =
    R"({"match_id":"football-data:E0_2324:12","home":"Brighton & Hove Albion","away":"Nott'm Forest",)"
    R"("kickoff":"2023-08-26T14:00:00Z","pick":"home","prob":{"home":0.62,"draw":0.22,"away":0.16},)"
    R"("odds":{"home":1.8,"draw":4.0,"away":4.5},"confidence":0.81,"vsnr":3.1,"cas":1.3,)"
    R"("kelly_fraction":0.145,"decided_at":"2023-08-26T10:00:00.250Z","agent":"model",)"
    R"("model_version":"dc-2023"})";

sb::BroadcastEvent Event() {
  auto p = sb::ParsePredictionLine(kLine, 1);
  REQUIRE(p.ok());
  static const sb::Formatter f = *sb::Formatter::Create({});
  return sb::BuildEvent(*p, f);
}

}  // namespace

TEST_CASE("structured CloudEvent: attributes, id from the decision time, nulls", "[cloud_event]") {
  const sb::BroadcastEvent e = Event();
  // decided_at 2023-08-26T10:00:00.250Z = 1693044000250 ms.
  CHECK(e.id == "pred-football-data:E0_2324:12-1693044000250");
  const std::string json = sb::CloudEventJson(e);
  CHECK(sb::ValidateCloudEventJson(json).ok());
  CHECK(json.rfind(
            R"({"specversion":"1.0","type":"com.superbet.prediction.published",)"
            R"("source":"/plant/broadcast","id":"pred-football-data:E0_2324:12-1693044000250",)"
            R"("time":"2023-08-26T10:00:00.250Z","datacontenttype":"application/json",)"
            R"("priority":"critical",)",
            0) == 0);
  CHECK(json.find(R"("gamma":null)") != std::string::npos);  // Absent stays null.
  CHECK(json.find(R"("teams":{"home":"Brighton & Hove Albion","away":"Nott'm Forest"})") !=
        std::string::npos);
  // S = 0.81 * 0.145 * min(1.5, ln 4.1) * min(1.2, sqrt 1.3) = 0.81*0.145*1.41098697*1.14017543.
  CHECK(e.priority_score == Approx(0.81 * 0.145 * 1.41098697371026 * 1.14017542509914));
  auto back = sb::ParseCloudEventJson(json);
  REQUIRE(back.ok());
  CHECK(back->id == e.id);
  CHECK(back->tier == e.tier);
  CHECK(back->texts.x == e.texts.x);
  CHECK(back->texts.telegram == e.texts.telegram);
  CHECK(back->decided_at_ms == 1693044000250);
}

TEST_CASE("CloudEvent validation names the attribute", "[cloud_event]") {
  const std::pair<const char*, const char*> rows[] = {
      {R"({"source":"/s","specversion":"1.0","type":"t"})", "attribute 'id' is REQUIRED, absent"},
      {R"({"id":"","source":"/s","specversion":"1.0","type":"t"})",
       "attribute 'id' must be a non-empty string, got \"\""},
      {R"({"id":"1","source":"/s","specversion":"0.3","type":"t"})",
       "attribute 'specversion' must be \"1.0\", got \"0.3\""},
      {R"({"id":"1","source":"/s","specversion":"1.0"})", "attribute 'type' is REQUIRED, absent"},
      {R"({"id":"1","source":7,"specversion":"1.0","type":"t"})",
       "attribute 'source' must be a string, got 7"},
      {R"({"id":"1","source":"/s","specversion":"1.0","type":"t","time":"yesterday"})",
       "attribute 'time' must be an RFC 3339 timestamp, got \"yesterday\""},
      {R"({"id":"1","source":"/s","specversion":"1.0","type":"t","Priority":"high"})",
       "attribute 'Priority' name must consist of lower-case letters a-z and digits 0-9"},
      {R"({"id":"1","source":"/s","specversion":"1.0","type":"t","data":{},"data_base64":"AA=="})",
       "attribute 'data_base64' must not be present together with 'data'"},
  };
  for (const auto& [json, msg] : rows) {
    INFO(json);
    const absl::Status s = sb::ValidateCloudEventJson(json);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message() == msg);
  }
  CHECK(sb::ValidateCloudEventJson(
            R"({"id":"1","source":"/s","specversion":"1.0","type":"t","priority":"high"})")
            .ok());
}

TEST_CASE("protobuf CloudEvent: spec field numbers and the BroadcastData payload",
          "[cloud_event]") {
  const auto* d = io::cloudevents::v1::CloudEvent::descriptor();
  CHECK(d->full_name() == "io.cloudevents.v1.CloudEvent");
  const std::pair<const char*, int> fields[] = {
      {"id", 1},         {"source", 2},      {"spec_version", 3}, {"type", 4},
      {"attributes", 5}, {"binary_data", 6}, {"text_data", 7},    {"proto_data", 8}};
  for (const auto& [name, number] : fields) {
    REQUIRE(d->FindFieldByName(name) != nullptr);
    CHECK(d->FindFieldByName(name)->number() == number);
  }
  const sb::BroadcastEvent e = Event();
  const io::cloudevents::v1::CloudEvent ce = sb::ToCloudEventProto(e);
  CHECK(ce.spec_version() == "1.0");
  CHECK(ce.attributes().at("priority").ce_string() == "critical");
  CHECK(ce.attributes().at("time").ce_timestamp().seconds() == 1693044000);
  superbet::v1::broadcast::BroadcastData data;
  REQUIRE(ce.proto_data().UnpackTo(&data));
  CHECK(data.teams().home() == "Brighton & Hove Albion");
  CHECK(data.odds().home() == 1.8);
  CHECK_FALSE(data.metrics().has_gamma());
  CHECK(data.metadata().produced_at() == 1693044000250);
}

TEST_CASE("prediction lines: bad lines name line, field and value", "[input]") {
  // The decision core's reader (superbet/scoring/prediction_json.h) is the plant's input check.
  const std::string ok = kLine;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = ok;
    const size_t at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  const std::pair<std::string, std::string> rows[] = {
      {"not json", "(json)"},
      {with(R"("pick":"home")", R"("pick":"x")"), "pick"},
      {with(R"("home":1.8,)", R"("home":0.97,)"), "odds.home"},
      {with(R"("pick":"home","prob":{"home":0.62,)", R"("pick":"draw","prob":{"home":0.62,)"),
       "ok"},
      {with(R"("match_id":"football-data:E0_2324:12")", R"("match_id":"")"), "match_id"},
      // Unknown keys are the input's own names: counted under one reason (a bounded set of
      // report keys and metric labels, whatever the file holds); the message names the key.
      {with(R"("confidence")", R"("tier":"high","confidence")"), "(unknown field)"},
      {with(R"("prob":{"home")", R"("prob":{"hme":1,"home")"), "(unknown field)"},
  };
  for (const auto& [line, reason] : rows) {
    INFO(line);
    auto p = sb::ParsePredictionLine(line, 7);
    if (reason == "ok") {
      CHECK(p.ok());
      continue;
    }
    REQUIRE_FALSE(p.ok());
    CHECK(sb::RejectReason(p.status()) == reason);
    CHECK(std::string(p.status().message()).rfind("line 7: ", 0) == 0);
  }
  CHECK(sb::ParsePredictionLine(with(R"("confidence")", R"("tier":"high","confidence")"), 4)
            .status()
            .message() == "line 4: tier: unknown field");
  auto bad = sb::ParsePredictionLine(with(R"("home":1.8,)", R"("home":0.97,)"), 3);
  CHECK(bad.status().message() ==
        "line 3: odds.home: decimal odds must be finite and > 1, got 0.97");
}

TEST_CASE("BuildEventInto a reused event and BuildEvent by move give the same CloudEvent",
          "[cloud_event]") {
  // Oracle: BuildEvent(const Prediction&) on a fresh event, serialised.
  const sb::Formatter f = *sb::Formatter::Create({});
  auto a = sb::ParsePredictionLine(kLine, 1);
  REQUIRE(a.ok());
  superbet::v1::Prediction b = *a;
  b.set_match_id("football-data:E0_2324:13");
  b.set_home("1. FC K\u00f6ln");
  b.clear_vsnr();  // Absent stays absent (null) in the reused event.
  sb::BroadcastEvent reused;
  for (const superbet::v1::Prediction* p : {&*a, &b, &*a}) {
    sb::BuildEventInto(*p, f, &reused);
    const std::string want = sb::CloudEventJson(sb::BuildEvent(*p, f));
    CHECK(sb::CloudEventJson(reused) == want);
    superbet::v1::Prediction copy = *p;
    CHECK(sb::CloudEventJson(sb::BuildEvent(std::move(copy), f)) == want);
  }
  CHECK(sb::CloudEventJson(reused).find("\"vsnr\":null") == std::string::npos);
}
