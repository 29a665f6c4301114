// adapter-svc in live mode (no --replay) against a local API-Football (cpp-httplib on 127.0.0.1,
// port 0) with --redis: the provider's /odds/live 1X2 goes to odds.live, one entry per change,
// and into the match.live states' live_odds.
//
// The fake serves one fixture, the first item of the recorded ../shared/data/api-football/
// fixtures_live_all_2024-02-28.json (fixture 1148845), with its elapsed minute advanced by each
// read (so every poll is a new state), and /odds/live answers in the documented shape
// (tests/providers/data/odds_live_doc_example.json) whose Fulltime Result prices move every
// second read.
//
// Oracle: the fake's own log of the prices it served, consecutive repeats removed: exactly the
// odds.live entries, in order, with sequence 1, 2, ...; the last match.live state carries the last
// prices served.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_format.h"
#include "services/process.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/live_odds.h"
#include "superbet/bus/redis_transport.h"
#include "support/loopback_http.h"
#include "support/redis_server.h"
#include "support/test_data.h"

namespace superbet::testing {
namespace {

namespace bus = superbet::bus;
using Triple = std::tuple<std::string, std::string, std::string>;

class FakeLiveApiFootball {
 public:
  FakeLiveApiFootball() {
    std::ifstream in(DataDir() + "/api-football/fixtures_live_all_2024-02-28.json");
    const nlohmann::json all = nlohmann::json::parse(in, nullptr, false);
    REQUIRE(all.is_object());
    fixture_ = all["response"][0];
    fixture_id_ = fixture_["fixture"]["id"].get<int64_t>();
    server_.Get("/fixtures", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      nlohmann::json item = fixture_;
      item["fixture"]["status"]["elapsed"] = std::min(2 + fixture_reads_++, 44);
      nlohmann::json body = {{"get", "fixtures"},
                             {"errors", nlohmann::json::array()},
                             {"results", 1},
                             {"paging", {{"current", 1}, {"total", 1}}},
                             {"response", nlohmann::json::array({item})}};
      res.set_content(body.dump(), "application/json");
    });
    server_.Get("/odds/live", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      const int step = odds_reads_++ / 2;  // The prices move every second read.
      const Triple t{absl::StrFormat("%.2f", 2.0 + 0.05 * step), "3.4",
                     absl::StrFormat("%.2f", 3.6 - 0.05 * (step % 10))};
      served_.push_back(t);
      auto value = [](const char* v, const std::string& odd) {
        return nlohmann::json{{"value", v},
                              {"odd", odd},
                              {"handicap", nullptr},
                              {"main", nullptr},
                              {"suspended", false}};
      };
      nlohmann::json item = {
          {"fixture", {{"id", fixture_id_}, {"status", {{"long", "First Half"}, {"elapsed", 10}}}}},
          {"status", {{"stopped", false}, {"blocked", false}, {"finished", false}}},
          {"update", "2024-02-28T01:30:00+00:00"},
          {"odds", nlohmann::json::array(
                       {{{"id", 59},
                         {"name", "Fulltime Result"},
                         {"values", nlohmann::json::array({value("Home", std::get<0>(t)),
                                                           value("Draw", std::get<1>(t)),
                                                           value("Away", std::get<2>(t))})}}})}};
      nlohmann::json body = {{"get", "odds/live"},
                             {"errors", nlohmann::json::array()},
                             {"results", 1},
                             {"paging", {{"current", 1}, {"total", 1}}},
                             {"response", nlohmann::json::array({item})}};
      res.set_content(body.dump(), "application/json");
    });
    http_.emplace(server_);
  }
  ~FakeLiveApiFootball() { http_.reset(); }  // Stops serving before the members go.
  std::string url() const { return http_->url(); }
  int64_t fixture_id() const { return fixture_id_; }
  std::vector<Triple> served() {
    std::lock_guard<std::mutex> lock(mu_);
    return served_;
  }

 private:
  nlohmann::json fixture_;
  int64_t fixture_id_ = 0;
  std::mutex mu_;
  int fixture_reads_ = 0;
  int odds_reads_ = 0;
  std::vector<Triple> served_;
  httplib::Server server_;
  std::optional<superbet::testing::LoopbackHttp> http_;
};

TEST_CASE("odds.live: adapter-svc live mode publishes each /odds/live 1X2 change",
          "[services][odds]") {
  TempDir dir;
  FakeLiveApiFootball api;
  RedisServer redis;
  REQUIRE(redis.ok());
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(redis.url()));
  REQUIRE(t.ok());
  {
    std::ofstream key(dir.File("key"));
    key << "test-key\n";
  }
  Child adapter({ADAPTER_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                 "--ports_file=" + dir.File("adapter.json"), "--api_base_url=" + api.url(),
                 "--api_key_file=" + dir.File("key"), "--interval_s=0.05", "--redis=" + redis.url(),
                 "--drain_grace_s=0.1"},
                dir.File("adapter.log"));
  auto ports = WaitForPorts(dir.File("adapter.json"), 60);
  REQUIRE(ports.has_value());
  // Until at least 6 changes are out (12 reads), bounded.
  for (int i = 0; i < 600; ++i) {
    auto odds = (*t)->Range(bus::kOddsLive);
    REQUIRE(odds.ok());
    if (odds->size() >= 6) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  adapter.Signal(SIGTERM);
  {
    INFO(Slurp(dir.File("adapter.log")).substr(0, 4000));
    REQUIRE(adapter.Wait(40) == std::optional<int>(0));
  }

  // The oracle: the prices served, consecutive repeats removed.
  std::vector<Triple> want;
  for (const Triple& s : api.served()) {
    if (want.empty() || want.back() != s) want.push_back(s);
  }
  auto odds = (*t)->Range(bus::kOddsLive);
  REQUIRE(odds.ok());
  REQUIRE(odds->size() >= 6);
  REQUIRE(odds->size() == want.size());
  const std::string match_id = "api-football:" + std::to_string(api.fixture_id());
  for (size_t i = 0; i < odds->size(); ++i) {
    INFO("entry " << i);
    auto u = bus::ParseLiveOddsEntry((*odds)[i]);
    REQUIRE(u.ok());
    CHECK(u->match_id() == match_id);
    CHECK((*odds)[i].Field("provider") == "api-football");
    CHECK(u->sequence() == static_cast<int64_t>(i) + 1);
    CHECK(u->odds().home() == std::stod(std::get<0>(want[i])));
    CHECK(u->odds().draw() == std::stod(std::get<1>(want[i])));
    CHECK(u->odds().away() == std::stod(std::get<2>(want[i])));
    CHECK(u->lines_size() == 3);  // The three Fulltime Result lines read.
    for (const auto& l : u->lines()) CHECK(l.is_live());
  }
  // match.live's states carry the prices too: the last state the last prices served.
  auto live = (*t)->Range(bus::kMatchLive);
  REQUIRE(live.ok());
  REQUIRE_FALSE(live->empty());
  auto last = bus::ParseLiveFeedEntry(live->back());
  REQUIRE(last.ok());
  REQUIRE(last->update.state().has_live_odds());
  CHECK(last->update.state().live_odds().home() == std::stod(std::get<0>(want.back())));
  CHECK(last->update.state().live_odds().away() == std::stod(std::get<2>(want.back())));
}

}  // namespace
}  // namespace superbet::testing
