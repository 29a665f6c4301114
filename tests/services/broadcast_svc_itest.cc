// broadcast-svc as a real process against a real redis-server and a fake Telegram Bot API, all
// on 127.0.0.1 (free ports).
//
// Oracles: the plant's documented filter (confidence >= 0.65, VSNR >= 2.2, CAS >= 1.0: the
// low-confidence prediction is dropped, the other posted exactly once); the Telegram Bot API's
// path (POST /bot<token>/sendMessage); the services.proto contract (a denied decision is
// FAILED_PRECONDITION); the counts of what this test sent, compared with /metrics and GetStatus;
// the token buckets' closed form (capacity - tokens taken + elapsed * capacity / period) for
// GetStatus's bucket levels.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "services/process.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::testing {
namespace {

namespace v1 = superbet::v1;

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

v1::PublishRequest Accepted(const std::string& match, double confidence) {
  v1::PublishRequest r;
  v1::Decision* d = r.mutable_decision();
  d->set_verdict(v1::VERDICT_ACCEPTED);
  d->set_stake(25);
  d->set_bankroll_before(1000);
  v1::Prediction* p = d->mutable_prediction();
  p->set_match_id(match);
  p->set_home("Manchester United");
  p->set_away("Tottenham Hotspur");
  p->mutable_kickoff()->set_seconds(1439041500);
  p->set_pick("home");
  p->set_action(v1::ACTION_BET_HOME);
  p->mutable_prob()->set_home(0.58);
  p->mutable_prob()->set_draw(0.25);
  p->mutable_prob()->set_away(0.17);
  p->mutable_odds()->set_home(2.10);
  p->mutable_odds()->set_draw(3.40);
  p->mutable_odds()->set_away(4.00);
  p->set_confidence(confidence);
  p->set_vsnr(2.8);
  p->set_cas(0.58 * 2.10);
  p->set_kelly_fraction((0.58 * 2.10 - 1) / 1.10);
  p->mutable_decided_at()->set_seconds(1439038000);
  p->set_agent("live");
  p->set_model_version("itest");
  p->set_data_staleness_s(2.0);
  return r;
}

TEST_CASE("broadcast-svc: publish through the plant to a fake Telegram, metrics, status, drain",
          "[services][broadcast]") {
  TempDir dir;
  const int redis_port = FreePort();
  Child redis({"/usr/bin/redis-server", "--port", std::to_string(redis_port), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--dir", dir.path()},
              dir.File("redis.log"));
  // The fake Telegram Bot API.
  httplib::Server telegram;
  std::atomic<int> posts{0};
  std::string last_path;
  telegram.Post(R"(/bot([^/]+)/sendMessage)",
                [&](const httplib::Request& req, httplib::Response& res) {
                  last_path = req.path;
                  posts.fetch_add(1);
                  res.set_content(R"({"ok":true,"result":{"message_id":1}})", "application/json");
                });
  const int tg_port = telegram.bind_to_any_port("127.0.0.1");
  std::thread tg([&] { telegram.listen_after_bind(); });
  {
    std::FILE* f = std::fopen(dir.File("tg_token").c_str(), "w");
    std::fputs("123:SECRET-BOT-TOKEN\n", f);
    std::fclose(f);
  }
  for (int i = 0; i < 100; ++i) {
    if (Shell("redis-cli -p " + std::to_string(redis_port) + " ping > /dev/null 2>&1") == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Child svc({BROADCAST_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--ports_file=" + dir.File("ports.json"),
             "--redis=redis://127.0.0.1:" + std::to_string(redis_port),
             "--telegram_base_url=http://127.0.0.1:" + std::to_string(tg_port),
             "--telegram_token_file=" + dir.File("tg_token"), "--telegram_chat_id=@itest",
             "--platforms=telegram", "--drain_deadline_s=5"},
            dir.File("svc.log"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  for (int i = 0; i < 100 && HttpGet(ports->metrics, "/health/ready").first != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(HttpGet(ports->metrics, "/health/ready").first == 200);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(ports->grpc),
                                     grpc::InsecureChannelCredentials());
  CHECK(HealthCheck(channel, "superbet.v1.BroadcastService") == 1);
  auto stub = v1::BroadcastService::NewStub(channel);
  auto call = [&](const v1::PublishRequest& r) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::PublishResponse resp;
    return stub->Publish(&ctx, r, &resp);
  };
  CHECK(call(Accepted("statsbomb:3754097", 0.72)).ok());
  CHECK(call(Accepted("statsbomb:3754138", 0.40)).ok());  // Below 0.65: dropped by the filter.
  v1::PublishRequest denied = Accepted("statsbomb:3754097", 0.72);
  denied.mutable_decision()->set_verdict(v1::VERDICT_DENIED);
  const grpc::Status d = call(denied);
  CHECK(d.error_code() == grpc::FAILED_PRECONDITION);
  CHECK(d.error_message() == "decision.verdict must be VERDICT_ACCEPTED, got VERDICT_DENIED");
  // The idempotency key is the derived CloudEvent id; another key would be ignored by the plant,
  // so it is refused, naming both.
  v1::PublishRequest keyed = Accepted("statsbomb:3754097", 0.72);
  keyed.set_event_id("my-key");
  const grpc::Status k = call(keyed);
  CHECK(k.error_code() == grpc::INVALID_ARGUMENT);
  CHECK(k.error_message().find(
            "event_id must be empty or the derived id \"pred-statsbomb:3754097-") == 0);
  CHECK(k.error_message().find("got \"my-key\"") != std::string::npos);

  for (int i = 0; i < 400 && posts.load() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // A second post would show now.
  CHECK(posts.load() == 1);
  CHECK(last_path == "/bot123:SECRET-BOT-TOKEN/sendMessage");

  const std::string metrics = HttpGet(ports->metrics, "/metrics").second;
  CHECK(MetricValue(metrics,
                    "grpc_server_handled_total{grpc_service=\"BroadcastService\","
                    "grpc_method=\"Publish\",grpc_code=\"OK\"}") == 2.0);
  CHECK(metrics.find("broadcast_published_total{platform=\"telegram\"") != std::string::npos);
  CHECK(metrics.find("broadcast_dropped_total{reason=\"low_confidence\"} 1") != std::string::npos);
  {
    grpc::ClientContext ctx;
    v1::BroadcastStatus status;
    REQUIRE(stub->GetStatus(&ctx, v1::GetStatusRequest(), &status).ok());
    REQUIRE(status.platforms_size() == 1);
    CHECK(status.platforms(0).platform() == "telegram");
    CHECK(status.platforms(0).breaker_state() == 0);
    CHECK(status.dlq_depth() == 0);
    // Bucket levels, closed form: one post took one token of telegram's 30/h and 200/d buckets
    // and one of the global 200/d bucket; they refill at 30/3600 and 200/86400 per second, and
    // this test has run for well under 60 s since.
    REQUIRE(status.platforms(0).has_hourly_tokens());
    CHECK(status.platforms(0).hourly_tokens() >= 29.0);
    CHECK(status.platforms(0).hourly_tokens() < 29.0 + 60 * 30.0 / 3600);
    REQUIRE(status.platforms(0).has_daily_tokens());
    CHECK(status.platforms(0).daily_tokens() >= 199.0);
    CHECK(status.platforms(0).daily_tokens() < 199.0 + 60 * 200.0 / 86400);
    REQUIRE(status.has_global_daily_tokens());
    CHECK(status.global_daily_tokens() >= 199.0);
    CHECK(status.global_daily_tokens() < 199.0 + 60 * 200.0 / 86400);
    CHECK(status.platforms(0).digest_size() == 0);
    CHECK_FALSE(status.platforms(0).has_digest_staleness_s());  // Absent: nothing buffered.
    CHECK(status.observed_at().seconds() > 1700000000);
  }
  // FlushDigest: nothing is buffered (telegram answered), so nothing is sent; a platform that is
  // not enabled is INVALID_ARGUMENT naming the field.
  {
    grpc::ClientContext ctx;
    v1::FlushDigestRequest req;
    req.set_include_current(true);
    v1::FlushDigestResponse resp;
    REQUIRE(stub->FlushDigest(&ctx, req, &resp).ok());
    CHECK(resp.buckets() == 0);
    CHECK(resp.sent() == 0);
    CHECK(resp.failed() == 0);
    CHECK(resp.skipped_breaker_open_size() == 0);
  }
  {
    grpc::ClientContext ctx;
    v1::FlushDigestRequest req;
    req.set_platform("twitter");
    v1::FlushDigestResponse resp;
    const grpc::Status s = stub->FlushDigest(&ctx, req, &resp);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() == "platform: platform \"twitter\" is not enabled in this plant");
  }
  svc.Signal(SIGTERM);
  CHECK(svc.Wait(30) == std::optional<int>(0));
  const std::string log = Slurp(dir.File("svc.log"));
  CHECK(log.find("SECRET-BOT-TOKEN") == std::string::npos);
  CHECK(log.find("drained; exiting 0") != std::string::npos);
  telegram.stop();
  tg.join();
  redis.Signal(SIGTERM);
  CHECK(redis.Wait(10).has_value());
}

TEST_CASE("agent-svc and broadcast-svc: --help exits 0 naming env fallbacks, usage errors exit 2",
          "[services][broadcast][agent]") {
  // Oracle: the documented contract (services/README.md, common/flags.h): --help on stdout and
  // exit 0; a missing required flag, an unknown flag or a bad value on stderr and exit 2; a flag
  // given by its environment variable SUPERBET_<NAME>.
  TempDir dir;
  struct Case {
    std::vector<std::string> argv;
    int code;
    std::string output;
  };
  const std::vector<Case> cases = {
      {{BROADCAST_SVC, "--help"}, 0, "env SUPERBET_REDIS"},
      {{BROADCAST_SVC, "--help"}, 0, "--telegram_token_file"},
      {{BROADCAST_SVC}, 2, "broadcast-svc: --redis is required"},
      {{BROADCAST_SVC, "--redis=redis://127.0.0.1:1", "--publish_connections=0"},
       2,
       "--publish_connections must be in [1, 256], got 0"},
      {{BROADCAST_SVC, "--redis=redis://127.0.0.1:1", "--min_vsnr=high"},
       2,
       "--min_vsnr: not a number: \"high\""},
      {{BROADCAST_SVC, "--redis=redis://127.0.0.1:1", "--bogus"}, 2, "unknown flag --bogus"},
      // A confidence threshold that is not a probability: a usage error before Redis is asked
      // (it was accepted, and dropped every prediction).
      {{BROADCAST_SVC, "--redis=redis://127.0.0.1:1", "--min_confidence=65"},
       2,
       "filter threshold min_confidence must be in [0, 1], got 65"},
      {{AGENT_SVC, "--help"}, 0, "env SUPERBET_CHECKPOINT"},
      {{AGENT_SVC, "--help"}, 0, "exit codes: 0 clean shutdown"},
      {{AGENT_SVC, "--checkpoint"}, 2, "--checkpoint needs a value"},
      // Usage errors come before the checkpoint is even looked for.
      {{AGENT_SVC, "--checkpoint=/nonexistent", "--redis=http://x"},
       2,
       "agent-svc: --redis: redis URL must start with redis://"},
      {{AGENT_SVC, "--checkpoint=/nonexistent", "--max_deliveries=0"},
       2,
       "--max_deliveries must be in [1, 100]"},
      {{AGENT_SVC, "--checkpoint=/x", "--drain_deadline_s=-1"},
       2,
       "--drain_deadline_s must be a finite number of seconds >= 0, got -1"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    INFO("case " << i);
    const std::string log = dir.File("case" + std::to_string(i) + ".txt");
    Child child(c.argv, log);
    CHECK(child.Wait(20) == std::optional<int>(c.code));
    CHECK(Slurp(log).find(c.output) != std::string::npos);
  }
  // The environment fallback: SUPERBET_REDIS set, no --redis: not a usage error (it gets as far
  // as connecting to Redis on a closed port, exit 1).
  const std::string env_log = dir.File("env.txt");
  CHECK(Shell("SUPERBET_REDIS=redis://127.0.0.1:1 " + std::string(BROADCAST_SVC) +
              " --platforms=android --grpc_address=127.0.0.1:0 --metrics_address=127.0.0.1:0 > " +
              env_log + " 2>&1") != 0);
  CHECK(Slurp(env_log).find("--redis is required") == std::string::npos);
}

}  // namespace
}  // namespace superbet::testing
