// adapter-svc in live mode (no --replay) against a local API-Football (cpp-httplib on 127.0.0.1,
// port 0) that starts failing: the data layer's breaker and fallback as the real process serves
// them over gRPC, and --store keeping the fallback across a restart.
//
// The fake serves the first fixture of the recorded ../shared/data/api-football/
// fixtures_live_all_2024-02-28.json (fixture 1148845) until it is told to answer HTTP 500.
//
// Oracles: the fake's own count of the requests it received (the breaker stops them); the
// documented breaker (providers/resilient_provider.h: 3 attempts per read, 3 failures open it for
// 60 s), the documented fallback (the last state read within 5 minutes, served with its age as
// data_staleness_s, so LiveMatchUpdate.degraded) and the state the fake served (minute, score).
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "services/process.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/v1/services.grpc.pb.h"
#include "support/loopback_http.h"
#include "support/redis_server.h"
#include "support/test_data.h"

namespace superbet::testing {
namespace {

namespace bus = superbet::bus;
namespace v1 = superbet::v1;

class FailingApiFootball {
 public:
  FailingApiFootball() {
    std::ifstream in(DataDir() + "/api-football/fixtures_live_all_2024-02-28.json");
    const nlohmann::json all = nlohmann::json::parse(in, nullptr, false);
    REQUIRE(all.is_object());
    fixture_ = all["response"][0];
    fixture_id_ = fixture_["fixture"]["id"].get<int64_t>();
    server_.Get("/fixtures", [this](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      if (failing_.load()) {
        res.status = 500;
        res.set_content("{\"message\":\"internal error\"}", "application/json");
        return;
      }
      nlohmann::json body = {{"get", "fixtures"},
                             {"errors", nlohmann::json::array()},
                             {"results", 1},
                             {"paging", {{"current", 1}, {"total", 1}}},
                             {"response", nlohmann::json::array({fixture_})}};
      res.set_content(body.dump(), "application/json");
    });
    http_.emplace(server_);
  }
  ~FailingApiFootball() { http_.reset(); }  // Stops serving before the members go.
  std::string url() const { return http_->url(); }
  std::string match_id() const { return "api-football:" + std::to_string(fixture_id_); }
  const nlohmann::json& fixture() const { return fixture_; }
  void Fail() { failing_.store(true); }
  int requests() const { return requests_.load(); }

 private:
  nlohmann::json fixture_;
  int64_t fixture_id_ = 0;
  std::atomic<bool> failing_{false};
  std::atomic<int> requests_{0};
  httplib::Server server_;
  std::optional<superbet::testing::LoopbackHttp> http_;
};

double Metric(int port, const std::string& series) {
  return MetricValue(HttpGet(port, "/metrics").second, series).value_or(-1.0);
}

struct Adapter {
  std::unique_ptr<Child> child;
  Ports ports;
  std::unique_ptr<v1::AdapterService::Stub> stub;
};

Adapter Start(const TempDir& dir, const FailingApiFootball& api, const std::string& name) {
  Adapter a;
  a.child = std::make_unique<Child>(
      std::vector<std::string>{ADAPTER_SVC, "--grpc_address=127.0.0.1:0",
                               "--metrics_address=127.0.0.1:0",
                               "--ports_file=" + dir.File(name + ".json"),
                               "--api_base_url=" + api.url(), "--api_key_file=" + dir.File("key"),
                               "--store=sqlite:" + dir.File("store.db"), "--drain_grace_s=0.1"},
      dir.File(name + ".log"));
  auto ports = WaitForPorts(dir.File(name + ".json"), 60);
  REQUIRE(ports.has_value());
  a.ports = *ports;
  a.stub = v1::AdapterService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(a.ports.grpc), grpc::InsecureChannelCredentials()));
  return a;
}

grpc::Status GetLive(Adapter& a, const std::string& match_id, v1::LiveMatchUpdate* out) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetLiveMatchRequest req;
  req.set_match_id(match_id);
  return a.stub->GetLiveMatch(&ctx, req, out);
}

TEST_CASE(
    "adapter-svc live: a failing API-Football opens the breaker, reads fall back, --store "
    "keeps the fallback across a restart",
    "[services][adapter]") {
  TempDir dir;
  FailingApiFootball api;
  {
    std::ofstream key(dir.File("key"));
    key << "test-key\n";
  }
  const std::string provider = "{provider=\"api-football\"}";
  const int minute = api.fixture()["fixture"]["status"]["elapsed"].get<int>();
  const int home_goals = api.fixture()["goals"]["home"].get<int>();

  Adapter a = Start(dir, api, "a");
  // Healthy: a fresh read, not degraded; the breaker closed; the state goes to the store.
  v1::LiveMatchUpdate fresh;
  REQUIRE(GetLive(a, api.match_id(), &fresh).ok());
  CHECK_FALSE(fresh.degraded());
  CHECK(fresh.state().minute() == minute);
  CHECK(fresh.state().score_home() == home_goals);
  CHECK(Metric(a.ports.metrics, "adapter_provider_breaker_state" + provider) == 0);
  CHECK(Metric(a.ports.metrics, "adapter_store_live_rows_written") >= 1);

  // The provider fails: the read is answered from the fallback (the state above, degraded), after
  // 3 attempts that open the breaker.
  api.Fail();
  const int before = api.requests();
  v1::LiveMatchUpdate fallback;
  const grpc::Status s = GetLive(a, api.match_id(), &fallback);
  REQUIRE(s.ok());
  CHECK(fallback.degraded());
  CHECK(fallback.state().minute() == minute);
  CHECK(fallback.state().score_home() == home_goals);
  CHECK(fallback.state().data_staleness_s() > 0);
  CHECK(api.requests() - before == 3);
  CHECK(Metric(a.ports.metrics, "adapter_provider_breaker_state" + provider) == 1);
  CHECK(Metric(a.ports.metrics, "adapter_fallback_total" + provider) == 1);
  // Breaker open: the next read reaches no server and is still answered from the fallback.
  const int open_before = api.requests();
  v1::LiveMatchUpdate again;
  REQUIRE(GetLive(a, api.match_id(), &again).ok());
  CHECK(again.degraded());
  CHECK(api.requests() == open_before);
  CHECK(Metric(a.ports.metrics, "adapter_fallback_total" + provider) == 2);
  a.child->Signal(SIGTERM);
  CHECK(a.child->Wait(30) == std::optional<int>(0));

  // A new process with the same --store: it never read the match, the provider still fails, and
  // the store answers (the window of the process before is gone).
  Adapter b = Start(dir, api, "b");
  v1::LiveMatchUpdate stored;
  REQUIRE(GetLive(b, api.match_id(), &stored).ok());
  CHECK(stored.degraded());
  CHECK(stored.state().minute() == minute);
  CHECK(stored.state().score_home() == home_goals);
  CHECK(Metric(b.ports.metrics, "adapter_fallback_total" + provider) == 1);
  b.child->Signal(SIGTERM);
  CHECK(b.child->Wait(30) == std::optional<int>(0));
}

TEST_CASE("adapter-svc live: SIGTERM does not wait out the --redis publisher's poll interval",
          "[services][adapter]") {
  // Oracle: the documented drain (in-flight work gets --drain_deadline_s, then exit 0): the
  // publisher thread sleeping a 10-minute --interval_s between polls stops at the drain.
  TempDir dir;
  FailingApiFootball api;
  {
    std::ofstream key(dir.File("key"));
    key << "test-key\n";
  }
  RedisServer redis;
  REQUIRE(redis.ok());
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(redis.url()));
  REQUIRE(t.ok());
  Child adapter({ADAPTER_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                 "--ports_file=" + dir.File("p.json"), "--api_base_url=" + api.url(),
                 "--api_key_file=" + dir.File("key"), "--redis=" + redis.url(), "--interval_s=600",
                 "--drain_deadline_s=3", "--odds_live=false"},
                dir.File("p.log"));
  REQUIRE(WaitForPorts(dir.File("p.json"), 60).has_value());
  bool published = false;  // The first poll's state is on match.live: the thread now sleeps.
  for (int i = 0; i < 400 && !published; ++i) {
    auto live = (*t)->Range(bus::kMatchLive);
    REQUIRE(live.ok());
    published = !live->empty();
    if (!published) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  REQUIRE(published);
  adapter.Signal(SIGTERM);
  CHECK(adapter.Wait(10) == std::optional<int>(0));
}

}  // namespace
}  // namespace superbet::testing
