// agent-svc --busy_poll as a real process on 127.0.0.1 (ports 0), beside a default agent-svc
// started from the same checkpoint (the tiny live worker of live_support.h).
//
// Oracles: the default mode itself (the same requests, sent in the same order to both processes,
// must get the same answers byte for byte: the decisions, their stakes and the bankroll they
// move; only decided_at, the server's clock at the call, may differ and is cleared before the
// comparison, after checking it lies inside the call); the documented contract of the runtime
// (services/common/server.h: UNAUTHENTICATED without the bearer token, RESOURCE_EXHAUSTED past
// the per-client burst, grpc_server_* counters) and of gRPC's health protocol (Check SERVING /
// NOT_SERVING, Watch streams the status changes and ends at the drain); the ledger (one line per
// non-dry-run decision answered OK: accepted work is not lost by the SIGTERM drain).
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "services/live_support.h"
#include "services/process.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::testing {
namespace {

namespace v1 = superbet::v1;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

void Deadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
}

// A started agent-svc: its process, ports and channel.
struct Agent {
  std::unique_ptr<Child> child;
  Ports ports;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::AgentService::Stub> stub;
};

Agent StartAgent(const TempDir& dir, const std::string& name, std::vector<std::string> extra) {
  std::vector<std::string> argv{AGENT_SVC,
                                "--grpc_address=127.0.0.1:0",
                                "--metrics_address=127.0.0.1:0",
                                "--ports_file=" + dir.File(name + ".json"),
                                "--checkpoint=" + dir.File("ckpt"),
                                "--drain_grace_s=0.5"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Agent a;
  a.child = std::make_unique<Child>(argv, dir.File(name + ".log"));
  auto ports = WaitForPorts(dir.File(name + ".json"), 60);
  REQUIRE(ports.has_value());
  a.ports = *ports;
  for (int i = 0; i < 100 && HttpGet(a.ports.metrics, "/health/ready").first != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(HttpGet(a.ports.metrics, "/health/ready").first == 200);
  a.channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(a.ports.grpc),
                                  grpc::InsecureChannelCredentials());
  a.stub = v1::AgentService::NewStub(a.channel);
  return a;
}

// The real states of match 3754237 with the in-play prices LiveEnv models for each minute.
std::vector<v1::LiveMatchState> States() {
  const hrl::LiveMatch m = LoadLiveMatch("3754237");
  std::vector<v1::LiveMatchState> out;
  for (size_t k = 0; k < m.states.size(); ++k) {
    v1::LiveMatchState s = m.states[k];
    if (m.quoted[k][0]) s.mutable_live_odds()->set_home(*m.quoted[k][0]);
    if (m.quoted[k][1]) s.mutable_live_odds()->set_draw(*m.quoted[k][1]);
    if (m.quoted[k][2]) s.mutable_live_odds()->set_away(*m.quoted[k][2]);
    out.push_back(s);
  }
  return out;
}

// Decide(req) on `a`: the status, and the response's bytes with every decided_at cleared after
// checking it lies within the call (seconds, the server's clock).
std::pair<grpc::Status, std::string> DecideBytes(Agent& a, const v1::DecideRequest& req,
                                                 int* decisions = nullptr) {
  grpc::ClientContext ctx;
  Deadline(ctx);
  v1::DecideResponse resp;
  const int64_t before = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  grpc::Status s = a.stub->Decide(&ctx, req, &resp);
  const int64_t after = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  for (v1::Decision& d : *resp.mutable_decisions()) {
    CHECK(d.prediction().decided_at().seconds() >= before);
    CHECK(d.prediction().decided_at().seconds() <= after);
    d.mutable_prediction()->clear_decided_at();
  }
  if (decisions != nullptr) *decisions = resp.decisions_size();
  std::string bytes;
  google::protobuf::io::StringOutputStream out(&bytes);
  google::protobuf::io::CodedOutputStream coded(&out);
  coded.SetSerializationDeterministic(true);
  resp.SerializeToCodedStream(&coded);
  coded.Trim();
  return {s, bytes};
}

TEST_CASE("agent-svc --busy_poll: same answers as the default mode, health, drain on SIGTERM",
          "[services][agent]") {
  TempDir dir;
  auto trained = TrainTinyLiveWorker();
  REQUIRE(trained.ok());
  REQUIRE(hrl::SaveCheckpoint(dir.File("ckpt"), trained->checkpoint).ok());
  Agent plain = StartAgent(dir, "plain", {"--ledger=" + dir.File("plain.jsonl")});
  Agent busy = StartAgent(dir, "busy", {"--busy_poll", "--ledger=" + dir.File("busy.jsonl")});
  CHECK(Slurp(dir.File("busy.log")).find("busy poll on") != std::string::npos);
  CHECK(Slurp(dir.File("plain.log")).find("busy poll off") != std::string::npos);
  CHECK(HealthCheck(busy.channel, "") == 1);
  CHECK(HealthCheck(busy.channel, "superbet.v1.AgentService") == 1);
  CHECK(HealthCheck(busy.channel, "superbet.v1.Nope") == -grpc::NOT_FOUND);

  // One call per minute (live, then dry run), one whole-match batch, and the invalid calls:
  // every answer byte for byte the default mode's, in the same order.
  const std::vector<v1::LiveMatchState> states = States();
  REQUIRE(states.size() > 80);
  int64_t decided_live = 0, accepted = 0;
  for (size_t k = 0; k < states.size(); ++k) {
    for (const bool dry : {false, true}) {
      v1::DecideRequest req;
      *req.add_states() = states[k];
      req.set_dry_run(dry);
      int n = 0;
      auto [ps, pb] = DecideBytes(plain, req);
      auto [bs, bb] = DecideBytes(busy, req, &n);
      INFO("minute index " << k << (dry ? " (dry run)" : ""));
      REQUIRE(ps.ok());
      REQUIRE(bs.ok());
      REQUIRE(n == 1);
      CHECK(bb == pb);
      if (!dry) ++decided_live;
      v1::DecideResponse r;
      REQUIRE(r.ParseFromString(bb));
      if (!dry && r.decisions(0).verdict() == v1::VERDICT_ACCEPTED) ++accepted;
    }
  }
  CHECK(accepted > 0);  // Both verdicts were exercised (the default test: 17 accepted).
  {
    v1::DecideRequest batch;
    for (const auto& s : states) *batch.add_states() = s;
    auto [ps, pb] = DecideBytes(plain, batch);
    auto [bs, bb] = DecideBytes(busy, batch);
    REQUIRE(ps.ok());
    REQUIRE(bs.ok());
    CHECK(bb == pb);
    decided_live += batch.states_size();
  }
  {
    v1::DecideRequest bad;
    *bad.add_states() = states[5];
    bad.add_states()->set_match_id("statsbomb:3754237");  // No minute.
    auto [ps, pb] = DecideBytes(plain, bad);
    auto [bs, bb] = DecideBytes(busy, bad);
    CHECK(bs.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(bs.error_message() == "states[1].minute must be >= 0, got absent");
    CHECK(bs.error_message() == ps.error_message());
  }
  {  // The synchronous methods still answer beside the busy-polled one.
    grpc::ClientContext ctx;
    Deadline(ctx);
    v1::GetModelInfoResponse info;
    REQUIRE(busy.stub->GetModelInfo(&ctx, {}, &info).ok());
    CHECK(info.models(0).model_version() == trained->checkpoint.model_version());
  }
  const std::string text = HttpGet(busy.ports.metrics, "/metrics").second;
  CHECK(MetricValue(text,
                    "grpc_server_handled_total{grpc_service=\"AgentService\","
                    "grpc_method=\"Decide\",grpc_code=\"OK\"}") ==
        std::optional<double>(2 * states.size() + 1));
  CHECK(MetricValue(text, "hrl_bets_total{agent=\"live\"}") ==
        MetricValue(HttpGet(plain.ports.metrics, "/metrics").second,
                    "hrl_bets_total{agent=\"live\"}"));

  // SIGTERM: a Watch stream sees SERVING then NOT_SERVING and ends OK at the drain; during the
  // grace a new Decide is refused (UNAVAILABLE, draining); a batch sent with the signal either
  // completes (and is in the ledger) or is refused whole; exit 0.
  auto health = grpc::health::v1::Health::NewStub(busy.channel);
  grpc::ClientContext watch_ctx;
  Deadline(watch_ctx);
  HealthCheckRequest watch_req;
  watch_req.set_service("superbet.v1.AgentService");
  auto watch = health->Watch(&watch_ctx, watch_req);
  HealthCheckResponse seen;
  REQUIRE(watch->Read(&seen));
  CHECK(seen.status() == HealthCheckResponse::SERVING);
  v1::DecideRequest last;
  for (const auto& s : states) *last.add_states() = s;
  auto in_flight = std::async(std::launch::async, [&] {
    int n = 0;
    auto r = DecideBytes(busy, last, &n);
    return std::make_pair(r.first, n);
  });
  busy.child->Signal(SIGTERM);
  REQUIRE(watch->Read(&seen));
  CHECK(seen.status() == HealthCheckResponse::NOT_SERVING);
  CHECK(HealthCheck(busy.channel, "superbet.v1.AgentService") == 2);
  {
    v1::DecideRequest one;
    *one.add_states() = states[0];
    auto [s, bytes] = DecideBytes(busy, one);
    CHECK(s.error_code() == grpc::UNAVAILABLE);
    CHECK(s.error_message() == "server is draining (SIGTERM received)");
  }
  CHECK_FALSE(watch->Read(&seen));
  CHECK(watch->Finish().ok());
  const auto [last_status, last_n] = in_flight.get();
  if (last_status.ok()) {
    CHECK(last_n == last.states_size());
    decided_live += last_n;
  } else {
    CHECK(last_status.error_code() == grpc::UNAVAILABLE);
  }
  CHECK(busy.child->Wait(30) == std::optional<int>(0));
  const std::string ledger = Slurp(dir.File("busy.jsonl"));
  CHECK(std::count(ledger.begin(), ledger.end(), '\n') == decided_live);
  plain.child->Signal(SIGTERM);
  CHECK(plain.child->Wait(30) == std::optional<int>(0));
}

TEST_CASE("agent-svc --busy_poll: bearer token and per-client rate limit still apply",
          "[services][agent]") {
  TempDir dir;
  auto trained = TrainTinyLiveWorker();
  REQUIRE(trained.ok());
  REQUIRE(hrl::SaveCheckpoint(dir.File("ckpt"), trained->checkpoint).ok());
  std::ofstream(dir.File("token")) << "s3cret\n";
  // A bucket of 3 that refills once in 1000 s: exactly 3 admitted calls.
  Agent busy = StartAgent(dir, "busy",
                          {"--busy_poll", "--token_file=" + dir.File("token"),
                           "--rate_limit_qps=0.001", "--rate_limit_burst=3"});
  const std::vector<v1::LiveMatchState> states = States();
  auto call = [&](const char* token) {
    grpc::ClientContext ctx;
    Deadline(ctx);
    if (token != nullptr) ctx.AddMetadata("authorization", std::string("Bearer ") + token);
    v1::DecideRequest req;
    *req.add_states() = states[10];
    req.set_dry_run(true);
    v1::DecideResponse resp;
    return busy.stub->Decide(&ctx, req, &resp);
  };
  CHECK(call(nullptr).error_code() == grpc::UNAUTHENTICATED);
  CHECK(call("wrong").error_code() == grpc::UNAUTHENTICATED);
  for (int i = 0; i < 3; ++i) CHECK(call("s3cret").ok());
  const grpc::Status limited = call("s3cret");
  CHECK(limited.error_code() == grpc::RESOURCE_EXHAUSTED);
  CHECK(limited.error_message().find("over the rate limit") != std::string::npos);
  CHECK(HealthCheck(busy.channel, "superbet.v1.AgentService") == 1);  // Health needs no token.
  const std::string text = HttpGet(busy.ports.metrics, "/metrics").second;
  CHECK(MetricValue(text,
                    "grpc_server_rejected_total{grpc_service=\"AgentService\","
                    "reason=\"unauthenticated\"}") == std::optional<double>(2));
  CHECK(MetricValue(text,
                    "grpc_server_rejected_total{grpc_service=\"AgentService\","
                    "reason=\"rate_limited\"}") == std::optional<double>(1));
  CHECK(MetricValue(text,
                    "grpc_server_handled_total{grpc_service=\"AgentService\","
                    "grpc_method=\"Decide\",grpc_code=\"OK\"}") == std::optional<double>(3));
  const std::string log = Slurp(dir.File("busy.log"));
  CHECK(log.find("bearer token does not match") != std::string::npos);
  CHECK(log.find("s3cret") == std::string::npos);
  busy.child->Signal(SIGTERM);
  CHECK(busy.child->Wait(30) == std::optional<int>(0));
}

}  // namespace
}  // namespace superbet::testing
