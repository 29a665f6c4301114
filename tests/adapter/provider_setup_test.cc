// adapter/provider_setup.h: opening adapter-svc's data source without gRPC.
//
// Oracles: the replay formula minute = floor(elapsed x speed / 60 s) over the real StatsBomb
// match 3754097 (../shared/data; full time at replay minute 95, see
// providers/replay_provider_test.cc), with the stepped replay's own clock at speed 60 (one match
// minute per second); the header's error rule (InvalidArgument only for a bad option value, named
// by its flag; data errors keep their code, InvalidArgument from the data becoming
// FailedPrecondition), which is what adapter-svc's exit codes 2 / 1 are made of; the store
// fallback's contract (a live read writes live_stats rows, counted).
#include "superbet/adapter/provider_setup.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/core/clock.h"
#include "support/loopback_http.h"
#include "support/test_data.h"

namespace superbet::adapter {
namespace {

constexpr char kMatch[] = "statsbomb:3754097";
const auto kNoSleep = [](absl::Duration) {};

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/superbet-adapter-XXXXXX";
    path_ = mkdtemp(tmpl) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

LiveSourceOptions Replay() {
  LiveSourceOptions o;
  o.replay_root = superbet::testing::DataDir();
  o.match_ids = {kMatch};
  return o;
}

int MinuteNow(LiveSource& source) {
  auto fixture = source.provider().GetFixture(kMatch);
  REQUIRE(fixture.ok());
  return fixture->state.minute();
}

TEST_CASE("live source: a replay runs on the caller's clock at --speed", "[adapter][setup]") {
  core::FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  LiveSourceOptions o = Replay();
  o.speed = 600;  // Ten match minutes per clock minute.
  auto source = LiveSource::Open(o, clock, kNoSleep);
  REQUIRE(source.ok());
  CHECK((*source)->replay());
  CHECK((*source)->provider_name() == "replay");
  CHECK((*source)->replay_clock() == nullptr);
  CHECK((*source)->publish_ids() == std::vector<std::string>{kMatch});
  CHECK((*source)->modelled().empty());
  CHECK(MinuteNow(**source) == 0);
  clock.Advance(absl::Seconds(3));
  CHECK(MinuteNow(**source) == 30);
}

TEST_CASE("live source: stepped, the replay reads its own clock, one second per match minute",
          "[adapter][setup]") {
  core::FakeClock wall(absl::FromUnixSeconds(1'700'000'000));
  LiveSourceOptions o = Replay();
  o.stepped = true;
  o.speed = 6000;  // Irrelevant to the stepped replay's minutes (it paces the publisher's sleep).
  o.live_odds = ReplayLiveOdds::kModelled;
  auto source = LiveSource::Open(o, wall, kNoSleep);
  REQUIRE(source.ok());
  core::FakeClock* replay = (*source)->replay_clock();
  REQUIRE(replay != nullptr);
  CHECK(replay->Now() == wall.Now());
  wall.Advance(absl::Hours(1));  // The wall clock does not move the replay.
  CHECK(MinuteNow(**source) == 0);
  replay->Advance(absl::Seconds(45));
  CHECK(MinuteNow(**source) == 45);
  REQUIRE((*source)->modelled().count(kMatch) == 1);
  CHECK((*source)->modelled().at(kMatch).quoted.size() == 95);  // Minutes 0..94.
}

TEST_CASE("live source: bad option values are InvalidArgument naming the flag",
          "[adapter][setup]") {
  CHECK(*ParseReplayLiveOdds("prematch") == ReplayLiveOdds::kPrematch);
  CHECK(*ParseReplayLiveOdds("modelled") == ReplayLiveOdds::kModelled);
  CHECK(ParseReplayLiveOdds("live").status().message() ==
        "--replay_live_odds must be prematch or modelled, got live");
  core::FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  for (double speed : {0.0, -1.0, std::nan(""), HUGE_VAL}) {
    LiveSourceOptions o = Replay();
    o.speed = speed;
    INFO(speed);
    CHECK(absl::IsInvalidArgument(ValidateLiveSourceOptions(o)));
    CHECK(absl::IsInvalidArgument(LiveSource::Open(o, clock, kNoSleep).status()));
  }
  LiveSourceOptions zero = Replay();
  zero.speed = 0;
  CHECK(ValidateLiveSourceOptions(zero).message() == "--speed must be > 0, got 0");

  LiveSourceOptions store = Replay();
  store.store_url = "mysql://localhost/x";
  auto bad_store = LiveSource::Open(store, clock, kNoSleep);
  CHECK(absl::IsInvalidArgument(bad_store.status()));
  CHECK(bad_store.status().message().rfind("--store: ", 0) == 0);
}

TEST_CASE("live source: data errors are not usage errors", "[adapter][setup]") {
  core::FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  LiveSourceOptions unknown = Replay();
  unknown.match_ids = {"statsbomb:1"};
  auto a = LiveSource::Open(unknown, clock, kNoSleep);
  CHECK(absl::IsNotFound(a.status()));
  CHECK(a.status().message().rfind("--replay " + superbet::testing::DataDir() + ": ", 0) == 0);
  // A malformed --matches value is the option's error, not the data's: InvalidArgument naming
  // --matches (adapter-svc exits 2). It used to reach LoadReplayData and come back as the data's
  // FailedPrecondition, "--replay DIR: not a StatsBomb id ...", exit 1.
  LiveSourceOptions malformed = Replay();
  malformed.match_ids = {"3754097", "not-a-match"};
  CHECK(ValidateLiveSourceOptions(malformed).message() ==
        "--matches: not a StatsBomb id (\"statsbomb:<integer>\"): \"not-a-match\"");
  CHECK(absl::IsInvalidArgument(LiveSource::Open(malformed, clock, kNoSleep).status()));
  LiveSourceOptions missing = Replay();
  missing.replay_root = "/nonexistent/data";
  auto m = LiveSource::Open(missing, clock, kNoSleep);
  CHECK_FALSE(m.ok());
  CHECK_FALSE(absl::IsInvalidArgument(m.status()));
}

TEST_CASE("live source: live mode needs a key, from the key file's first line or the env value",
          "[adapter][setup]") {
  core::FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  LiveSourceOptions live;
  auto none = LiveSource::Open(live, clock, kNoSleep);
  CHECK(absl::IsInvalidArgument(none.status()));
  CHECK(none.status().message() ==
        "live mode (no --replay) needs the API-Football key: --api_key_file FILE (first line) or "
        "$SUPERBET_APIFOOTBALL_KEY");
  TempDir dir;
  std::FILE* empty = std::fopen(dir.File("empty").c_str(), "w");
  std::fclose(empty);
  live.api_key_file = dir.File("empty");
  CHECK(absl::IsInvalidArgument(LiveSource::Open(live, clock, kNoSleep).status()));
  live.env_api_key = "from-env";  // An empty key file falls back to the environment's key.
  auto from_env = LiveSource::Open(live, clock, kNoSleep);
  REQUIRE(from_env.ok());
  CHECK((*from_env)->provider_name() == "api-football");
  CHECK_FALSE((*from_env)->replay());
  CHECK((*from_env)->publish_ids().empty());
  CHECK((*from_env)->replay_clock() == nullptr);
  live.api_key_file = dir.File("absent");
  auto absent = LiveSource::Open(live, clock, kNoSleep);
  CHECK(absl::IsNotFound(absent.status()));
  CHECK(absent.status().message().rfind("--api_key_file: ", 0) == 0);
}

TEST_CASE("live source: live mode sends the key file's key before the env value",
          "[adapter][setup]") {
  // Oracle: API-Football v3 authenticates each request by its x-apisports-key header. (That only
  // the first line is sent is not observable here: libcurl cuts a header at a line break too.)
  httplib::Server server;
  absl::Mutex mu;
  std::vector<std::string> keys;
  server.Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
    absl::MutexLock lock(&mu);
    keys.push_back(req.get_header_value("x-apisports-key"));
    res.set_content(R"({"get":"fixtures","errors":[],"results":0,"response":[]})",
                    "application/json");
  });
  superbet::testing::LoopbackHttp http(server);
  TempDir dir;
  std::FILE* f = std::fopen(dir.File("key").c_str(), "w");
  std::fputs("key-from-file\r\nsecond line\n", f);
  std::fclose(f);
  core::FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  LiveSourceOptions live;
  live.api_base_url = http.url();
  live.api_key_file = dir.File("key");
  live.env_api_key = "key-from-env";
  auto from_file = LiveSource::Open(live, clock, kNoSleep);
  REQUIRE(from_file.ok());
  CHECK((*from_file)->provider().LiveFixtures().ok());
  live.api_key_file.clear();
  auto from_env = LiveSource::Open(live, clock, kNoSleep);
  REQUIRE(from_env.ok());
  CHECK((*from_env)->provider().LiveFixtures().ok());
  absl::MutexLock lock(&mu);
  CHECK(keys == std::vector<std::string>{"key-from-file", "key-from-env"});
}

TEST_CASE("live source: with --store, live reads are written to live_stats and counted",
          "[adapter][setup]") {
  core::FakeClock clock(absl::FromUnixSeconds(1'700'000'000));
  TempDir dir;
  LiveSourceOptions o = Replay();
  o.store_url = "sqlite:" + dir.File("adapter.db");
  auto source = LiveSource::Open(o, clock, kNoSleep);
  REQUIRE(source.ok());
  CHECK((*source)->store_counters().rows_written.load() == 0);
  clock.Advance(absl::Seconds(10));
  CHECK(MinuteNow(**source) == 10);
  CHECK((*source)->store_counters().rows_written.load() >= 1);
  CHECK((*source)->store_counters().write_errors.load() == 0);
  CHECK(std::filesystem::exists(dir.File("adapter.db")));
}

}  // namespace
}  // namespace superbet::adapter
