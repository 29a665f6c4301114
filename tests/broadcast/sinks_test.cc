// The embedded sinks (publishers.h): dir:PATH writes PATH/{platform}/{event id}.json holding the
// CloudEvent whose data is the BroadcastData (teams, prediction, odds, metrics, formatted texts),
// exclusively (a second write of an event is refused as "duplicate", never overwritten);
// stdout writes one {"platform", "event"} line per publish. Oracles: the files and lines read
// back and parsed with simdjson against the event built here from a real match line (E0 2023/24,
// Brighton & Hove Albion v Nott'm Forest); ValidateCloudEventJson for the CloudEvents rules.

#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "simdjson.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/broadcast/prediction_input.h"
#include "superbet/broadcast/publishers.h"

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

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/superbet-sinks-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The CloudEvent's BroadcastData as the design's section on the envelope lists it.
void CheckBroadcastData(simdjson::dom::element ce, const sb::BroadcastEvent& e) {
  std::string_view s;
  double x = 0;
  REQUIRE(ce["id"].get_string().get(s) == simdjson::SUCCESS);
  CHECK(s == e.id);
  REQUIRE(ce["priority"].get_string().get(s) == simdjson::SUCCESS);
  CHECK(s == "critical");
  simdjson::dom::element data;
  REQUIRE(ce["data"].get(data) == simdjson::SUCCESS);
  REQUIRE(data["match_id"].get_string().get(s) == simdjson::SUCCESS);
  CHECK(s == "football-data:E0_2324:12");
  REQUIRE(data.at_pointer("/teams/home").get_string().get(s) == simdjson::SUCCESS);
  CHECK(s == "Brighton & Hove Albion");
  REQUIRE(data.at_pointer("/teams/away").get_string().get(s) == simdjson::SUCCESS);
  CHECK(s == "Nott'm Forest");
  REQUIRE(data.at_pointer("/prediction/pick").get_string().get(s) == simdjson::SUCCESS);
  CHECK(s == "home");
  REQUIRE(data.at_pointer("/prediction/home_win").get_double().get(x) == simdjson::SUCCESS);
  CHECK(x == 0.62);
  REQUIRE(data.at_pointer("/odds/away").get_double().get(x) == simdjson::SUCCESS);
  CHECK(x == 4.5);
  REQUIRE(data.at_pointer("/metrics/vsnr").get_double().get(x) == simdjson::SUCCESS);
  CHECK(x == 3.1);
  REQUIRE(data.at_pointer("/metrics/kelly_fraction").get_double().get(x) == simdjson::SUCCESS);
  CHECK(x == 0.145);
  CHECK(data.at_pointer("/metrics/gamma").is_null());  // Absent stays null, never 0.
  REQUIRE(data.at_pointer("/formatted/twitter").get_string().get(s) == simdjson::SUCCESS);
  CHECK(s == e.texts.x);
  REQUIRE(data.at_pointer("/formatted/telegram").get_string().get(s) == simdjson::SUCCESS);
  CHECK(s == e.texts.telegram);
  REQUIRE(data.at_pointer("/formatted/android/title").get_string().get(s) == simdjson::SUCCESS);
  CHECK(s == e.texts.android.title);
}

}  // namespace

TEST_CASE("dir sink: one file per event and platform, the CloudEvent with its BroadcastData",
          "[sinks]") {
  TempDir tmp;
  auto missing = sb::DirSink::Create(tmp.path + "/nope", "twitter");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(missing.status().message() == "sink dir:" + tmp.path + "/nope: not an existing folder");
  auto sink = sb::DirSink::Create(tmp.path, "telegram");
  REQUIRE(sink.ok());
  CHECK((*sink)->platform() == "telegram");
  const sb::BroadcastEvent e = Event();
  const std::string json = sb::CloudEventJson(e);
  const sb::PublishResult r = (*sink)->Publish(e, json);
  CHECK(r.success);
  const std::string path = tmp.path + "/telegram/" + e.id + ".json";
  const std::string written = ReadAll(path);
  CHECK(written == json + "\n");
  CHECK(sb::ValidateCloudEventJson(written.substr(0, written.size() - 1)).ok());
  simdjson::dom::parser parser;
  simdjson::dom::element ce;
  REQUIRE(parser.parse(written).get(ce) == simdjson::SUCCESS);
  CheckBroadcastData(ce, e);
  // The same event again: refused, permanent, the file unchanged.
  const sb::PublishResult again = (*sink)->Publish(e, "{}");
  CHECK_FALSE(again.success);
  CHECK_FALSE(again.retry);
  CHECK(again.reason == "duplicate");
  CHECK(ReadAll(path) == written);
  // An id with a '/' cannot leave the platform folder.
  sb::BroadcastEvent slash = e;
  slash.id = "pred-../../x/y-1";
  CHECK((*sink)->Publish(slash, json).success);
  CHECK(std::filesystem::exists(tmp.path + "/telegram/pred-.._.._x_y-1.json"));
}

TEST_CASE("stdout sink: one {platform, event} line per publish", "[sinks]") {
  TempDir tmp;
  const std::string path = tmp.path + "/out.jsonl";
  std::FILE* f = std::fopen(path.c_str(), "w");
  REQUIRE(f != nullptr);
  sb::StreamSink sink(f, "twitter");
  const sb::BroadcastEvent e = Event();
  CHECK(sink.Publish(e, sb::CloudEventJson(e)).success);
  CHECK(sink.Publish(e, sb::CloudEventJson(e)).success);
  std::fclose(f);
  const std::string out = ReadAll(path);
  const std::string one = "{\"platform\":\"twitter\",\"event\":" + sb::CloudEventJson(e) + "}\n";
  CHECK(out == one + one);
  simdjson::dom::parser parser;
  simdjson::dom::element line;
  REQUIRE(parser.parse(one).get(line) == simdjson::SUCCESS);
  simdjson::dom::element ce;
  REQUIRE(line["event"].get(ce) == simdjson::SUCCESS);
  CheckBroadcastData(ce, e);
}

// Fault injection: the file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) makes write() stop short,
// as a full disk would. The failed publish must leave no partial file behind, so that the
// plant's retry writes the whole event instead of meeting its own fragment as a "duplicate".
TEST_CASE("dir: sink, a short write leaves no partial file and the retry writes the event",
          "[sinks]") {
  TempDir dir;
  auto sink = sb::DirSink::Create(dir.path, "telegram");
  REQUIRE(sink.ok());
  const sb::BroadcastEvent e = Event();
  std::string json;
  sb::AppendCloudEventJson(e, &json);
  REQUIRE(json.size() > 200);
  const std::string path = dir.path + "/telegram/" + e.id + ".json";

  struct rlimit old {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  void (*old_handler)(int) = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 100;  // Bytes: the write stops after 100 of the event's > 200.
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  const sb::PublishResult failed = (*sink)->Publish(e, json);
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &old) == 0);
  std::signal(SIGXFSZ, old_handler);

  CHECK_FALSE(failed.success);
  CHECK(failed.reason == "io_error");
  CHECK(failed.retry);
  CHECK(failed.error.find(path) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));

  const sb::PublishResult retried = (*sink)->Publish(e, json);
  CHECK(retried.success);
  CHECK(ReadAll(path) == json + "\n");
}
