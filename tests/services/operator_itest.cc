// What an operator meets starting the services by hand on one host (the real processes on
// 127.0.0.1, ports 0 unless the test needs a given one).
//
// Oracles: bind(2) semantics (a TCP port held by a listening socket is EADDRINUSE for another
// socket unless both set SO_REUSEPORT) and the services' documented start-up contract
// (services/README.md: a failure exits 1 naming the flag and the value).
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "services/live_support.h"
#include "services/process.h"
#include "support/test_data.h"

namespace superbet::testing {
namespace {

TEST_CASE("operator: a second service on a port already served exits 1 naming the flag and address",
          "[services][operator]") {
  // gRPC sets SO_REUSEPORT on its listeners by default: a second adapter-svc (a stale one, or one
  // started with another token or data) used to bind the same port and silently take half of the
  // connections.
  TempDir dir;
  Child first(
      {ADAPTER_SVC, "--replay=" + DataDir(), "--matches=3754097", "--grpc_address=127.0.0.1:0",
       "--metrics_address=127.0.0.1:0", "--ports_file=" + dir.File("ports.json")},
      dir.File("first.log"));
  const Ports ports = Ready(dir.File("ports.json"));
  const std::string address = "127.0.0.1:" + std::to_string(ports.grpc);
  Child second({ADAPTER_SVC, "--replay=" + DataDir(), "--matches=3754097",
                "--grpc_address=" + address, "--metrics_address=127.0.0.1:0"},
               dir.File("second.log"));
  const std::optional<int> code = second.Wait(30);
  if (!code.has_value()) second.Signal(SIGKILL);
  CHECK(code == std::optional<int>(1));
  CHECK(Slurp(dir.File("second.log")).find("cannot listen on --grpc_address " + address) !=
        std::string::npos);
  // The same on the metrics port (cpp-httplib sets SO_REUSEPORT too): a second process answered
  // half of the scrapes and health probes.
  const std::string metrics = "127.0.0.1:" + std::to_string(ports.metrics);
  Child third({ADAPTER_SVC, "--replay=" + DataDir(), "--matches=3754097",
               "--grpc_address=127.0.0.1:0", "--metrics_address=" + metrics},
              dir.File("third.log"));
  const std::optional<int> third_code = third.Wait(30);
  if (!third_code.has_value()) third.Signal(SIGKILL);
  CHECK(third_code == std::optional<int>(1));
  CHECK(Slurp(dir.File("third.log")).find("cannot listen on --metrics_address " + metrics) !=
        std::string::npos);
  first.Signal(SIGTERM);
  CHECK(first.Wait(30) == std::optional<int>(0));
}

TEST_CASE("operator: broadcast-svc drained with Redis gone says it cannot tell what is left",
          "[services][operator]") {
  // The drain's last line is what an operator reads after a SIGTERM during a Redis outage. It
  // used to say "outstanding work left in Redis: no" when Redis could not be asked at all.
  TempDir dir;
  auto redis = std::make_unique<RedisServer>();
  REQUIRE(redis->ok());
  std::FILE* token = std::fopen(dir.File("tg_token").c_str(), "w");
  REQUIRE(token != nullptr);
  std::fputs("123:ITEST-BOT-TOKEN\n", token);
  std::fclose(token);
  Child svc({BROADCAST_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--ports_file=" + dir.File("ports.json"), "--redis=" + redis->url(),
             "--platforms=telegram", "--telegram_token_file=" + dir.File("tg_token"),
             "--telegram_chat_id=@itest", "--drain_deadline_s=2"},
            dir.File("svc.log"));
  Ready(dir.File("ports.json"));
  redis.reset();  // Redis is gone.
  svc.Signal(SIGTERM);
  CHECK(svc.Wait(120) == std::optional<int>(0));
  const std::string log = Slurp(dir.File("svc.log"));
  INFO(log);
  CHECK(log.find("outstanding work left in Redis: no") == std::string::npos);
  CHECK(log.find("outstanding work left in Redis: unknown (") != std::string::npos);
}

TEST_CASE("operator: broadcast-svc's default consumer name is unique per container",
          "[services][operator]") {
  // In a container every service is pid 1: the default "broadcast-svc-<pid>" named every replica
  // "broadcast-svc-1" in the plant's groups. Like agent-svc's, the default is now
  // <hostname>-<pid> (a container's hostname is its id). Oracle: gethostname(2), XINFO CONSUMERS.
  TempDir dir;
  RedisServer redis;
  REQUIRE(redis.ok());
  std::FILE* token = std::fopen(dir.File("tg_token").c_str(), "w");
  REQUIRE(token != nullptr);
  std::fputs("123:ITEST-BOT-TOKEN\n", token);
  std::fclose(token);
  Child svc(
      {BROADCAST_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
       "--ports_file=" + dir.File("ports.json"), "--redis=" + redis.url(), "--platforms=telegram",
       "--telegram_token_file=" + dir.File("tg_token"), "--telegram_chat_id=@itest"},
      dir.File("svc.log"));
  Ready(dir.File("ports.json"));
  char host[256] = {};
  REQUIRE(::gethostname(host, sizeof(host) - 1) == 0);
  const std::string expected = std::string(host) + "-" + std::to_string(svc.pid());
  const std::string out = dir.File("consumers.txt");
  // A consumer appears in XINFO with its first delivery: one (invalid, so rejected) entry.
  REQUIRE(Shell("redis-cli -p " + std::to_string(redis.port()) +
                " XADD risk.verified '*' event '{}' event_id x > /dev/null 2>&1") == 0);
  // The main group's consumers (bounded wait).
  CHECK(WaitFor(
      [&] {
        Shell("redis-cli -p " + std::to_string(redis.port()) +
              " --raw XINFO CONSUMERS risk.verified broadcast-plant-main > " + out + " 2>&1");
        return Slurp(out).find(expected) != std::string::npos;
      },
      20));
  INFO(Slurp(out));
  svc.Signal(SIGTERM);
  CHECK(svc.Wait(30) == std::optional<int>(0));
}

}  // namespace
}  // namespace superbet::testing
