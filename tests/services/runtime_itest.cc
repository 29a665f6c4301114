// ServiceRuntime's three handler paths admit and count calls alike: Handle() on gRPC's synchronous
// API, HandleUnary() on its callback API (agent-svc's Decide) and ServeUnaryBusyPoll() on the
// asynchronous API drained by a busy-polling thread (agent-svc --busy_poll), whose health service
// is the runtime's own: it must answer as gRPC's built-in one does (SERVING for a known service,
// NOT_FOUND for an unknown one). One in-process server per path
// on 127.0.0.1:0 with the same EchoService body. Oracles: the runtime's documented contract
// (services/common/server.h: UNAUTHENTICATED without the bearer token, RESOURCE_EXHAUSTED past
// the per-client burst, INTERNAL for an exception, the grpc_server_* counters), the token bucket's
// closed form (a bucket of capacity B that never refills admits exactly B calls: the clock is a
// FakeClock that does not move), and the sync path's own answers.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "common/server.h"
#include "services/process.h"
#include "superbet/core/clock.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::services {
namespace {

namespace v1 = superbet::v1;

absl::Status EchoBody(const v1::EchoMessage& req, v1::EchoMessage* resp) {
  if (req.payload() == "throw") throw std::runtime_error("boom");
  if (req.payload() == "slow") absl::SleepFor(absl::Milliseconds(1500));
  if (req.payload().empty()) return absl::InvalidArgumentError("payload is empty");
  resp->set_payload(req.payload());
  return absl::OkStatus();
}

class SyncEcho final : public v1::EchoService::Service {
 public:
  explicit SyncEcho(ServiceRuntime* rt) : rt_(rt) {}
  grpc::Status Echo(grpc::ServerContext* ctx, const v1::EchoMessage* req,
                    v1::EchoMessage* resp) override {
    return rt_->Handle(ctx, "EchoService", "Echo", [&] { return EchoBody(*req, resp); });
  }

 private:
  ServiceRuntime* rt_;
};

class CallbackEcho final : public v1::EchoService::CallbackService {
 public:
  explicit CallbackEcho(ServiceRuntime* rt) : rt_(rt) {}
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const v1::EchoMessage* req,
                                 v1::EchoMessage* resp) override {
    return rt_->HandleUnary(ctx, "EchoService", "Echo", [&] { return EchoBody(*req, resp); });
  }

 private:
  ServiceRuntime* rt_;
};

using AsyncEcho = v1::EchoService::WithAsyncMethod_Echo<v1::EchoService::Service>;

// The value of the exposition line that starts with `series` ("name{labels}"), or -1.
double MetricValue(const std::string& text, const std::string& series) {
  const size_t at = text.find(series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 1));
}

grpc::Status Call(v1::EchoService::Stub& stub, const std::string& payload, const char* token,
                  v1::EchoMessage* resp) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (token != nullptr) ctx.AddMetadata("authorization", std::string("Bearer ") + token);
  v1::EchoMessage req;
  req.set_payload(payload);
  return stub.Echo(&ctx, req, resp);
}

TEST_CASE(
    "services: runtime admits, answers and counts alike on the sync, callback and busy-poll paths",
    "[services]") {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("runtime_itest_" + std::to_string(::getpid())))
          .string();
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/token") << "t0ken\n";
  for (const char* mode : {"sync", "callback", "busy"}) {
    INFO(mode);
    const bool callback = std::string(mode) == "callback", busy = std::string(mode) == "busy";
    core::FakeClock clock;  // Never advanced: the rate-limit bucket never refills.
    ServerOptions options;
    options.service = "runtime-itest";
    options.grpc_address = "127.0.0.1:0";
    options.metrics_address = "127.0.0.1:0";
    options.token_file = dir + "/token";
    options.rate_limit_qps = 1;
    options.rate_limit_burst = 5;
    options.log_level = "off";
    auto rt = ServiceRuntime::Create(options, clock);
    REQUIRE(rt.ok());
    SyncEcho sync_echo(rt->get());
    CallbackEcho callback_echo(rt->get());
    AsyncEcho async_echo;
    if (busy) {
      (*rt)->ServeUnaryBusyPoll<v1::EchoMessage, v1::EchoMessage>(
          "EchoService", "Echo",
          [&async_echo](auto* ctx, auto* req, auto* writer, auto* cq, auto* notify, void* tag) {
            async_echo.RequestEcho(ctx, req, writer, cq, notify, tag);
          },
          EchoBody);
    }
    (*rt)->AddService(callback ? static_cast<grpc::Service*>(&callback_echo)
                      : busy   ? static_cast<grpc::Service*>(&async_echo)
                               : &sync_echo,
                      "superbet.v1.EchoService");
    REQUIRE((*rt)->Start().ok());
    CHECK((*rt)->busy_polling() == busy);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*rt)->grpc_port()),
                                       grpc::InsecureChannelCredentials());
    CHECK(testing::HealthCheck(channel, "superbet.v1.EchoService") == 2);  // NOT_SERVING yet.
    (*rt)->SetReady(true);
    CHECK(testing::HealthCheck(channel, "") == 1);
    CHECK(testing::HealthCheck(channel, "superbet.v1.EchoService") == 1);
    CHECK(testing::HealthCheck(channel, "superbet.v1.Nope") == -grpc::NOT_FOUND);
    auto stub = v1::EchoService::NewStub(channel);

    v1::EchoMessage resp;
    // No token, a wrong token: refused before the handler, no bucket token spent.
    CHECK(Call(*stub, "x", nullptr, &resp).error_code() == grpc::UNAUTHENTICATED);
    CHECK(Call(*stub, "x", "wrong", &resp).error_code() == grpc::UNAUTHENTICATED);
    // The burst of 5: an answer, a mapped error, an exception, two more answers.
    grpc::Status s = Call(*stub, "hello", "t0ken", &resp);
    CHECK(s.ok());
    CHECK(resp.payload() == "hello");
    s = Call(*stub, "", "t0ken", &resp);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() == "payload is empty");
    s = Call(*stub, "throw", "t0ken", &resp);
    CHECK(s.error_code() == grpc::INTERNAL);
    CHECK(s.error_message() == "Echo: unexpected exception: boom");
    CHECK(Call(*stub, "a", "t0ken", &resp).ok());
    CHECK(Call(*stub, "b", "t0ken", &resp).ok());
    // The sixth admitted-by-token call finds the bucket empty.
    s = Call(*stub, "c", "t0ken", &resp);
    CHECK(s.error_code() == grpc::RESOURCE_EXHAUSTED);
    CHECK(s.error_message().find("over the rate limit of 1 calls/s (burst 5)") !=
          std::string::npos);

    const std::string m = (*rt)->metrics().Exposition();
    const std::string h =
        "grpc_server_handled_total{grpc_service=\"EchoService\","
        "grpc_method=\"Echo\",grpc_code=";
    CHECK(MetricValue(m, h + "\"OK\"}") == 3.0);
    CHECK(MetricValue(m, h + "\"INVALID_ARGUMENT\"}") == 1.0);
    CHECK(MetricValue(m, h + "\"INTERNAL\"}") == 1.0);
    CHECK(MetricValue(m, h + "\"UNAUTHENTICATED\"}") == 2.0);
    CHECK(MetricValue(m, h + "\"RESOURCE_EXHAUSTED\"}") == 1.0);
    CHECK(MetricValue(m,
                      "grpc_server_started_total{grpc_service=\"EchoService\","
                      "grpc_method=\"Echo\"}") == 5.0);
    CHECK(MetricValue(m,
                      "grpc_server_handling_seconds_count{grpc_service=\"EchoService\","
                      "grpc_method=\"Echo\"}") == 5.0);
    CHECK(MetricValue(m,
                      "grpc_server_rejected_total{grpc_service=\"EchoService\","
                      "reason=\"rate_limited\"}") == 1.0);
    CHECK(MetricValue(m,
                      "grpc_server_rejected_total{grpc_service=\"EchoService\","
                      "reason=\"unauthenticated\"}") == 2.0);
    stub.reset();
    (*rt).reset();  // Stops the server before the services it serves go.
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("services: on_drain gets what is left of --drain_deadline_s after the in-flight calls",
          "[services]") {
  // Oracle: server.h's drain contract: the in-flight calls and the service's own drain (on_drain:
  // broadcast-svc's plant) share one --drain_deadline_s. A call that takes 1.5 s after SIGTERM
  // leaves on_drain at most 3 - 1.5 s of a 3 s deadline (before: on_drain got a whole deadline of
  // its own, so the process could take twice --drain_deadline_s).
  core::FakeClock clock;
  ServerOptions options;
  options.service = "runtime-drain-itest";
  options.grpc_address = "127.0.0.1:0";
  options.metrics_address = "127.0.0.1:0";
  options.drain_deadline_s = 3;
  options.log_level = "off";
  auto rt = ServiceRuntime::Create(options, clock);
  REQUIRE(rt.ok());
  SyncEcho echo(rt->get());
  (*rt)->AddService(&echo, "superbet.v1.EchoService");
  REQUIRE((*rt)->Start().ok());
  (*rt)->SetReady(true);
  CHECK((*rt)->DrainTimeLeft() == absl::Seconds(3));  // Before the drain: the whole deadline.
  auto stub = v1::EchoService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string((*rt)->grpc_port()), grpc::InsecureChannelCredentials()));
  grpc::Status slow;
  std::thread client([&] {
    v1::EchoMessage resp;
    slow = Call(*stub, "slow", nullptr, &resp);
  });
  std::thread signal([] {
    absl::SleepFor(absl::Milliseconds(200));  // The slow call is in its handler by then.
    ::kill(::getpid(), SIGTERM);  // Blocked in every thread: WaitForShutdown's sigwait takes it.
  });
  absl::Duration left = absl::InfiniteDuration();
  CHECK((*rt)->WaitForShutdown([&] { left = (*rt)->DrainTimeLeft(); }) == 0);
  client.join();
  signal.join();
  CHECK(slow.ok());  // The in-flight call finished within the deadline.
  CHECK(left <= absl::Milliseconds(3000 - 1200));
  CHECK(left > absl::ZeroDuration());
}

}  // namespace
}  // namespace superbet::services
