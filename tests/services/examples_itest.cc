// The gRPC examples a user copies (examples/agent_decide_client.cc,
// examples/broadcast_publish_client.cc), built and run against the real services on 127.0.0.1:
// agent-svc with a bearer token and a tiny live checkpoint; broadcast-svc against a real
// redis-server and a fake Telegram Bot API.
//
// Oracles: the examples' documented output and exit codes (0 and one line per decision /
// "published event <id> as risk.verified entry <ms>-<seq>"; 1 with the gRPC code on failure:
// UNAUTHENTICATED = 16 without the token); the plant's filter (the example's prediction passes:
// confidence 0.72 >= 0.65, VSNR 2.8 >= 2.2, CAS 1.218 >= 1.0), so the fake Telegram receives
// exactly one post.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <regex>
#include <string>
#include <thread>

#include "services/live_support.h"
#include "services/process.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/providers/replay_provider.h"
#include "support/test_data.h"

namespace superbet::testing {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

// The command's exit code (Shell returns the raw wait status).
int ExitCode(const std::string& command) {
  const int status = Shell(command);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

void WaitReady(const Ports& ports) {
  for (int i = 0; i < 200 && HttpGet(ports.metrics, "/health/ready").first != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(HttpGet(ports.metrics, "/health/ready").first == 200);
}

TEST_CASE("examples: agent_decide_client against agent-svc, with and without the token",
          "[services][examples]") {
  TempDir dir;
  WriteTinyCheckpoint(dir);
  WriteFile(dir.File("token"), "example-token-123\n");
  Child svc({AGENT_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--ports_file=" + dir.File("ports.json"), "--checkpoint=" + dir.File("ckpt"),
             "--token_file=" + dir.File("token")},
            dir.File("svc.log"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  WaitReady(*ports);
  const std::string target = "127.0.0.1:" + std::to_string(ports->grpc);

  const int ok = ExitCode(std::string(EXAMPLE_AGENT_DECIDE_CLIENT) + " " + target + " " +
                          dir.File("token") + " > " + dir.File("out") + " 2> " + dir.File("err"));
  CHECK(ok == 0);
  const std::string out = Slurp(dir.File("out"));
  INFO(out << Slurp(dir.File("err")));
  CHECK(std::regex_search(out, std::regex("^statsbomb:3754097: VERDICT_(ACCEPTED|DENIED) pick=")));

  // Without the token: exit 1, the gRPC code UNAUTHENTICATED (16) on stderr.
  const int refused = ExitCode(std::string(EXAMPLE_AGENT_DECIDE_CLIENT) + " " + target + " > " +
                               dir.File("out2") + " 2> " + dir.File("err2"));
  CHECK(refused == 1);
  CHECK(Slurp(dir.File("err2")).find("Decide failed: code 16") != std::string::npos);
  // No argument: usage, exit 2.
  CHECK(ExitCode(std::string(EXAMPLE_AGENT_DECIDE_CLIENT) + " > /dev/null 2>&1") == 2);

  svc.Signal(SIGTERM);
  CHECK(svc.Wait(30) == std::optional<int>(0));
}

TEST_CASE("examples: broadcast_publish_client against broadcast-svc, one Telegram post",
          "[services][examples]") {
  TempDir dir;
  const int redis_port = FreePort();
  Child redis({"/usr/bin/redis-server", "--port", std::to_string(redis_port), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--dir", dir.path()},
              dir.File("redis.log"));
  httplib::Server telegram;
  std::atomic<int> posts{0};
  telegram.Post(R"(/bot([^/]+)/sendMessage)", [&](const httplib::Request&, httplib::Response& res) {
    posts.fetch_add(1);
    res.set_content(R"({"ok":true,"result":{"message_id":1}})", "application/json");
  });
  const int tg_port = telegram.bind_to_any_port("127.0.0.1");
  std::thread tg([&] { telegram.listen_after_bind(); });
  WriteFile(dir.File("tg_token"), "123:EXAMPLE\n");
  for (int i = 0; i < 100; ++i) {
    if (Shell("redis-cli -p " + std::to_string(redis_port) + " ping > /dev/null 2>&1") == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Child svc({BROADCAST_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--ports_file=" + dir.File("ports.json"),
             "--redis=redis://127.0.0.1:" + std::to_string(redis_port),
             "--telegram_base_url=http://127.0.0.1:" + std::to_string(tg_port),
             "--telegram_token_file=" + dir.File("tg_token"), "--telegram_chat_id=@example",
             "--platforms=telegram", "--drain_deadline_s=5"},
            dir.File("svc.log"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  WaitReady(*ports);
  const std::string target = "127.0.0.1:" + std::to_string(ports->grpc);
  const int rc = ExitCode(std::string(EXAMPLE_BROADCAST_PUBLISH_CLIENT) + " " + target + " > " +
                          dir.File("out") + " 2> " + dir.File("err"));
  INFO(Slurp(dir.File("err")));
  CHECK(rc == 0);
  CHECK(std::regex_match(Slurp(dir.File("out")),
                         std::regex("published event pred-statsbomb:3754097-1439038000000 as "
                                    "risk.verified entry [0-9]+-[0-9]+\n")));
  for (int i = 0; i < 400 && posts.load() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // A second post would show now.
  CHECK(posts.load() == 1);

  svc.Signal(SIGTERM);
  CHECK(svc.Wait(30) == std::optional<int>(0));
  telegram.stop();
  tg.join();
  redis.Signal(SIGTERM);
  CHECK(redis.Wait(10).has_value());
}

}  // namespace
}  // namespace superbet::testing
