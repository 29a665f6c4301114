// ApiFootballClient over real HTTP: a cpp-httplib server on 127.0.0.1 (port chosen by the OS)
// serves the recorded API-Football responses of ../shared/data/api-football/, and injects faults
// (HTTP 500, 429 + Retry-After, a slow answer past the client's timeout, a truncated body,
// malformed JSON, an `errors` field). Oracle: the status table of api_football_client.h and
// the recorded files' contents (spot values as in api_football_test.cc).

// Debian's libcpp-httplib.so is built with these; the header must see the same configuration.
#define CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "superbet/core/clock.h"
#include "superbet/providers/api_football/api_football_client.h"
#include "superbet/providers/http/http_client.h"
#include "superbet/providers/resilient_provider.h"
#include "support/loopback_http.h"
#include "support/test_data.h"

namespace {

using superbet::providers::ApiFootballClient;
using superbet::providers::ApiFootballOptions;
using superbet::testing::DataPath;
using superbet::testing::ReadFileOrEmpty;

constexpr char kKey[] = "test-key-0123456789";

enum class Fault { kNone, k500, k429, kSlow, kTruncated, kMalformed, kErrorsField, kTokenError };

// Answers that quote the x-apisports-key the request carried (whatever it is), as a misbehaving
// server or proxy might: a 200 whose `errors` names the key, a 200 whose `response` is the key (a
// mapper type error quoting the offending JSON text), the same with the key starting 6 characters
// before the end of the 80-character excerpt a type error quotes (so a redaction of the message
// alone would miss the clipped key), and a 401 whose body names the key.
enum class Echo { kNone, kErrorsField, kWrongType, kClipped, k401 };

std::string EchoBody(Echo echo, const std::string& key) {
  switch (echo) {
    case Echo::kErrorsField:
      return absl::StrCat(R"({"get":"fixtures","parameters":[],"errors":{"token":"The key )", key,
                          R"( is not valid"},"results":0,"paging":{"current":1,"total":1},)",
                          R"("response":[]})");
    case Echo::kWrongType:
      return absl::StrCat(R"({"get":"fixtures","parameters":[],"errors":[],"results":1,)",
                          R"("paging":{"current":1,"total":1},"response":")", key, R"("})");
    case Echo::kClipped:
      return absl::StrCat(R"({"get":"fixtures","parameters":[],"errors":[],"results":1,)",
                          R"("paging":{"current":1,"total":1},"response":")", std::string(73, 'x'),
                          key, R"("})");
    case Echo::k401:
      return absl::StrCat(R"({"message":"bad key )", key, R"("})");
    case Echo::kNone:
      break;
  }
  return "";
}

// The recorded body served for a request path (query ignored).
std::string BodyFor(const std::string& path) {
  static const std::map<std::string, std::string> files = {
      {"/fixtures", "fixtures_live_all_2024-02-28.json"},
      {"/fixtures/events", "fixtures_events_653808.json"},
      {"/fixtures/lineups", "fixtures_lineups_592872.json"},
      {"/fixtures/headtohead", "fixtures_headtohead_33-50.json"},
      {"/odds", "odds_prematch_fixture601269_bookmaker4_bet1.json"},
      {"/injuries", "injuries_league78_2024-03-31.json"},
      {"/players", "players_league78_season2022_page3_of35.json"},
      {"/predictions", "predictions_1049124.json"},
      {"/standings", "standings_league39_season2022.json"},
  };
  if (path == "/odds/live") {
    return ReadFileOrEmpty(superbet::testing::SourceDir() +
                           "/tests/providers/data/odds_live_doc_example.json");
  }
  if (path == "/fixtures/statistics") {
    // A two-team answer built from the two recorded envelope-less items.
    return absl::StrCat(
        R"({"get":"fixtures/statistics","parameters":{"fixture":"1149999"},"errors":[],)",
        R"("results":2,"paging":{"current":1,"total":1},"response":[)",
        ReadFileOrEmpty(DataPath("api-football/fixtures_statistics_item_home_2024-02-28.json")),
        ",",
        ReadFileOrEmpty(DataPath("api-football/fixtures_statistics_item_away_2024-02-28.json")),
        "]}");
  }
  auto it = files.find(path);
  if (it == files.end()) return "";
  return ReadFileOrEmpty(DataPath("api-football/" + it->second));
}

// A local API-Football: started in the constructor, stopped in the destructor.
class FakeApiFootball {
 public:
  FakeApiFootball() {
    server_.Get(R"(/.*)",
                [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
    http_.emplace(server_);
  }
  ~FakeApiFootball() { http_.reset(); }  // Stops serving before the members go.

  std::string url() const { return http_->url(); }
  void set_fault(Fault f) { fault_.store(f); }
  void set_echo(Echo e) { echo_.store(e); }
  int requests() const { return requests_.load(); }
  std::set<int> client_ports() {
    std::lock_guard<std::mutex> lock(mu_);
    return client_ports_;
  }
  std::string last_key() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_key_;
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    {
      std::lock_guard<std::mutex> lock(mu_);
      client_ports_.insert(req.remote_port);
      last_key_ = req.get_header_value("x-apisports-key");
    }
    res.set_header("x-ratelimit-requests-remaining", "97");
    if (const Echo echo = echo_.load(); echo != Echo::kNone) {
      res.status = echo == Echo::k401 ? 401 : 200;
      res.set_content(EchoBody(echo, req.get_header_value("x-apisports-key")), "application/json");
      return;
    }
    if (req.get_header_value("x-apisports-key") != kKey) {
      res.status = 401;
      res.set_content(R"({"message":"bad key"})", "application/json");
      return;
    }
    std::string body = BodyFor(req.path);
    if (body.empty()) {
      res.status = 404;
      return;
    }
    switch (fault_.load()) {
      case Fault::kNone:
        break;
      case Fault::k500:
        res.status = 500;
        res.set_content("upstream exploded", "text/plain");
        return;
      case Fault::k429:
        res.status = 429;
        res.set_header("Retry-After", "7");
        res.set_content(R"({"message":"Too many requests"})", "application/json");
        return;
      case Fault::kSlow:
        std::this_thread::sleep_for(std::chrono::milliseconds(900));
        break;
      case Fault::kTruncated:
        body = body.substr(0, body.size() / 2);
        break;
      case Fault::kMalformed:
        body = R"({"get":"fixtures","errors":[],"response":[{"fixture":{"id":1,,}}]})";
        break;
      case Fault::kErrorsField:
        body = ReadFileOrEmpty(DataPath("api-football/error_injuries_no_params.json"));
        break;
      case Fault::kTokenError:
        body = R"({"get":"status","parameters":[],"errors":{"token":"Error/Missing application )"
               R"(key."},"results":0,"paging":{"current":1,"total":1},"response":[]})";
        break;
    }
    res.status = 200;
    res.set_content(body, "application/json");
  }

  httplib::Server server_;
  std::optional<superbet::testing::LoopbackHttp> http_;
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<Echo> echo_{Echo::kNone};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::set<int> client_ports_;
  std::string last_key_;
};

// Client options for `server`. The timeout is generous by default: under a loaded machine (ctest
// -j2 beside a build) a 300 ms budget made good answers time out; only the timeout test shortens
// it, below the slow fault's 900 ms.
ApiFootballOptions Options(const FakeApiFootball& server,
                           absl::Duration timeout = absl::Seconds(5)) {
  ApiFootballOptions o;
  o.base_url = server.url();
  o.api_key = kKey;
  o.http.connect_timeout = timeout;
  o.http.total_timeout = timeout;
  return o;
}

}  // namespace

TEST_CASE("every endpoint over HTTP maps the recorded answers", "[api_football][http]") {
  FakeApiFootball server;
  superbet::core::FakeClock clock(absl::FromUnixSeconds(1709083000));
  ApiFootballClient client(Options(server), clock);
  CHECK_FALSE(client.requests_remaining().has_value());

  auto live = client.LiveFixtures();
  REQUIRE(live.ok());
  REQUIRE(live->size() == 14);
  CHECK((*live)[2].state.home_team() == "Club Queretaro");
  CHECK((*live)[2].state.score_home() == 2);
  CHECK((*live)[2].state.minute() == 16);
  CHECK((*live)[2].state.observed_at().seconds() == 1709083000);
  CHECK(client.requests_remaining() == 97);
  CHECK(server.last_key() == kKey);

  auto fixture = client.GetFixture("api-football:1148845");
  REQUIRE(fixture.ok());
  CHECK(fixture->fixture.id() == "api-football:1148845");

  auto stats = client.Statistics("1149999");
  REQUIRE(stats.ok());
  CHECK(stats->home_team() == "RB Bragantino");
  CHECK(stats->home().possession() == Approx(0.71));
  CHECK_FALSE(stats->home().has_xg());  // expected_goals null in the recording

  CHECK(client.Events("653808")->size() == 9);
  CHECK(client.Lineups("592872")->size() == 2);
  CHECK(client.PrematchOdds("601269")->front().decimal_odds() == 1.38);
  CHECK(client.LiveOdds("721238")->size() == 13);
  CHECK(client.Injuries("1049122")->size() == 31);
  auto page = client.Players("173", 2022, 3);
  REQUIRE(page.ok());
  CHECK(page->total_pages == 35);
  CHECK(client.Predictions("1049124")->front().home_probability() == Approx(0.45));
  CHECK(client.Standings(39, 2022)->size() == 20);
  CHECK(client.HeadToHead("33", "50")->size() == 8);
  CHECK(client.Players("173", 2022, 0).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(client.counters().total_rejected() == 0);
  // One CURL handle keeps the connection: cpp-httplib closes a keep-alive connection after 5
  // requests (CPPHTTPLIB_KEEPALIVE_MAX_COUNT), so N requests need ceil(N / 5) connections.
  CHECK(server.requests() == 12);  // Players(page 0) is refused before any request.
  CHECK(server.client_ports().size() == 3);
}

TEST_CASE("HTTP faults map to the documented status codes", "[api_football][http]") {
  FakeApiFootball server;
  superbet::core::FakeClock clock;
  ApiFootballClient client(Options(server), clock);

  server.set_fault(Fault::k500);
  CHECK(client.LiveFixtures().status().code() == absl::StatusCode::kUnavailable);

  server.set_fault(Fault::k429);
  auto limited = client.LiveFixtures();
  CHECK(limited.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK(absl::StrContains(std::string(limited.status().message()), "retry_after_s=7"));

  server.set_fault(Fault::kSlow);  // 900 ms answer, 300 ms client timeout.
  ApiFootballClient hasty(Options(server, absl::Milliseconds(300)), clock);
  const auto start = std::chrono::steady_clock::now();
  auto slow = hasty.LiveFixtures();
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(slow.status().code() == absl::StatusCode::kUnavailable);
  CHECK(absl::StrContains(std::string(slow.status().message()), "timeout"));
  CHECK(took < std::chrono::milliseconds(800));

  server.set_fault(Fault::kTruncated);
  CHECK(client.LiveFixtures().status().code() == absl::StatusCode::kDataLoss);
  server.set_fault(Fault::kMalformed);
  auto malformed = client.LiveFixtures();
  CHECK(malformed.status().code() == absl::StatusCode::kDataLoss);
  CHECK(absl::StrContains(std::string(malformed.status().message()), "/fixtures?live=all"));

  server.set_fault(Fault::kErrorsField);
  auto errors = client.Injuries("1");
  CHECK(errors.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(std::string(errors.status().message()),
                          "At least one parameter is required."));
  server.set_fault(Fault::kTokenError);
  CHECK(client.LiveFixtures().status().code() == absl::StatusCode::kUnauthenticated);

  server.set_fault(Fault::kNone);
  CHECK(client.LiveFixtures().ok());  // Recovers on the same handle after a timeout.
}

TEST_CASE("keys: wrong key -> Unauthenticated, never in messages, no key -> no request",
          "[api_football][http]") {
  FakeApiFootball server;
  superbet::core::FakeClock clock;
  ApiFootballOptions options = Options(server);
  options.api_key = "wrong-secret-key-42";
  ApiFootballClient wrong(options, clock);
  auto r = wrong.LiveFixtures();
  CHECK(r.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_FALSE(absl::StrContains(std::string(r.status().message()), "wrong-secret-key-42"));

  ::unsetenv("SUPERBET_APIFOOTBALL_KEY");
  options.api_key.clear();
  ApiFootballClient none(options, clock);
  const int before = server.requests();
  CHECK(none.LiveFixtures().status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(server.requests() == before);

  ::setenv("SUPERBET_APIFOOTBALL_KEY", kKey, 1);
  ApiFootballClient from_env(options, clock);
  CHECK(from_env.LiveFixtures().ok());
  ::unsetenv("SUPERBET_APIFOOTBALL_KEY");
}

TEST_CASE("keys: redacted from every error, mapper errors of a 200 answer too, short keys too",
          "[api_football][http][secrets]") {
  // Oracle: the fake server puts the key it received into each answer (EchoBody), so an
  // unredacted message must contain it; every error message must contain "<redacted>" instead.
  FakeApiFootball server;
  superbet::core::FakeClock clock;
  for (const std::string key : {std::string(kKey), std::string("k3y-secret"), std::string("k3y")}) {
    ApiFootballOptions options = Options(server);
    options.api_key = key;
    ApiFootballClient client(options, clock);
    for (Echo echo : {Echo::kErrorsField, Echo::kWrongType, Echo::kClipped, Echo::k401}) {
      server.set_echo(echo);
      CAPTURE(key, static_cast<int>(echo));
      REQUIRE(absl::StrContains(EchoBody(echo, key), key));
      const absl::Status statuses[] = {
          client.LiveFixtures().status(),      client.GetFixture("1").status(),
          client.Statistics("1").status(),     client.Events("1").status(),
          client.LiveOdds("1").status(),       client.Players("1", 2022, 1).status(),
          client.Standings(39, 2022).status(), client.HeadToHead("1", "2").status(),
      };
      CHECK(server.last_key() == key);
      for (const absl::Status& status : statuses) {
        CAPTURE(status.ToString());
        CHECK_FALSE(status.ok());
        CHECK_FALSE(absl::StrContains(status.message(), key));
        CHECK_FALSE(absl::StrContains(status.message(), key.substr(0, 6)));  // Not even a part.
        CHECK(absl::StrContains(status.message(), "<redac"));  // "<redacted>", maybe clipped.
      }
    }
  }
  server.set_echo(Echo::kNone);
}

TEST_CASE("HttpClient: gzip, captured headers, connection refused", "[http]") {
  FakeApiFootball server;
  superbet::providers::HttpClient http;
  auto r = http.Get(server.url() + "/fixtures?live=all", {{"x-apisports-key", kKey}});
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->Header("x-ratelimit-requests-remaining") == "97");
  // CURLOPT_ACCEPT_ENCODING "" offers every encoding libcurl decodes (gzip, deflate, br);
  // cpp-httplib picks brotli when offered, else gzip. The body arrives decoded.
  const std::string encoding = r->Header("content-encoding");
  CHECK((encoding == "gzip" || encoding == "br"));
  CHECK(r->body == BodyFor("/fixtures"));

  superbet::providers::HttpClientOptions o;
  o.connect_timeout = absl::Milliseconds(300);
  superbet::providers::HttpClient closed(o);
  // Port 1 on loopback: nothing listens there.
  auto refused = closed.Get("http://127.0.0.1:1/fixtures?secret=1", {});
  CHECK(refused.status().code() == absl::StatusCode::kUnavailable);
  CHECK_FALSE(absl::StrContains(std::string(refused.status().message()), "secret"));
}

TEST_CASE("ResilientProvider over real HTTP: breaker opens, stale fallback, recovery",
          "[api_football][http][resilience]") {
  FakeApiFootball server;
  superbet::core::FakeClock clock(absl::FromUnixSeconds(1709083000));
  ApiFootballClient client(Options(server), clock);
  std::vector<absl::Duration> waits;
  superbet::providers::ResilientProvider resilient(&client, clock, [&](absl::Duration d) {
    waits.push_back(d);
    clock.Advance(d);
  });
  using superbet::resilience::BreakerState;

  // Healthy: a live read is recorded in the window.
  auto fresh = resilient.GetFixture("1148845");
  REQUIRE(fresh.ok());
  CHECK(fresh->state.data_staleness_s() == 0.0);
  CHECK(resilient.breaker_state() == BreakerState::kClosed);

  // The server fails: 3 failed attempts open the breaker; the fallback is served.
  server.set_fault(Fault::k500);
  clock.Advance(absl::Seconds(10));
  auto fallback1 = resilient.GetFixture("1148845");
  REQUIRE(fallback1.ok());
  CHECK(resilient.breaker_state() == BreakerState::kOpen);
  const double stale1 = fallback1->state.data_staleness_s();
  CHECK(stale1 > 10.0);
  CHECK(fallback1->state.home_team() == "Philadelphia Union");

  // While OPEN no request reaches the server, and staleness grows with the clock.
  const int requests = server.requests();
  clock.Advance(absl::Seconds(20));
  auto fallback2 = resilient.GetFixture("1148845");
  REQUIRE(fallback2.ok());
  CHECK(server.requests() == requests);
  CHECK(fallback2->state.data_staleness_s() == Approx(stale1 + 20.0));

  // The server recovers; after the 60 s wait the breaker half-opens, the trial call succeeds
  // over HTTP and closes it.
  server.set_fault(Fault::kNone);
  clock.Advance(absl::Seconds(61));
  auto recovered = resilient.GetFixture("1148845");
  REQUIRE(recovered.ok());
  CHECK(recovered->state.data_staleness_s() == 0.0);
  CHECK(server.requests() == requests + 1);
  CHECK(resilient.breaker_state() == BreakerState::kClosed);
  CHECK(resilient.counters().fallbacks_served == 2);
}
