// Malformed requests at the RPC boundary of adapter-svc and agent-svc, sent as a client would
// (the real processes on 127.0.0.1, ports 0, a bearer token): each answer's gRPC code and a
// message naming the field and the offending value (services.proto: "Errors").
//
// Oracles: the documented contract (services.proto and services/README.md: INVALID_ARGUMENT
// naming the field and value, NOT_FOUND for an unknown match, at most 256 states per Decide), the
// definition of decimal odds (> 1; 0 marks a selection not quoted), and the recorded data of
// ../shared/data (StatsBomb match 3754097 exists, statsbomb:1 does not).
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "services/live_support.h"
#include "services/process.h"
#include "superbet/v1/services.grpc.pb.h"
#include "support/test_data.h"

namespace superbet::testing {
namespace {

namespace v1 = superbet::v1;

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

std::shared_ptr<grpc::Channel> Channel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

void WriteToken(const TempDir& dir, const std::string& token) {
  std::FILE* f = std::fopen(dir.File("token").c_str(), "w");
  REQUIRE(f != nullptr);
  std::fputs((token + "\n").c_str(), f);
  std::fclose(f);
}

TEST_CASE("rpc errors: adapter-svc names the field and the value of a malformed request",
          "[services][adapter][rpc_errors]") {
  TempDir dir;
  const std::string token = "rpc-errors-token-1";
  WriteToken(dir, token);
  Child svc({ADAPTER_SVC, "--replay=" + DataDir(), "--matches=3754097",
             "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--ports_file=" + dir.File("ports.json"), "--token_file=" + dir.File("token")},
            dir.File("log.jsonl"));
  const Ports ports = Ready(dir.File("ports.json"));
  auto stub = v1::AdapterService::NewStub(Channel(ports.grpc));
  {
    v1::LiveMatchUpdate u;
    grpc::Status s = stub->GetLiveMatch(Context(token).get(), v1::GetLiveMatchRequest(), &u);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() == "match_id: empty");
  }
  {
    v1::GetLiveMatchRequest req;
    req.set_match_id("statsbomb:1");
    v1::LiveMatchUpdate u;
    grpc::Status s = stub->GetLiveMatch(Context(token).get(), req, &u);
    CHECK(s.error_code() == grpc::NOT_FOUND);
    CHECK(s.error_message().find("statsbomb:1") != std::string::npos);
  }
  {  // A stream asking for an unknown match ends at once, NOT_FOUND naming it.
    v1::StreamLiveMatchesRequest req;
    req.add_match_ids("statsbomb:3754097");
    req.add_match_ids("statsbomb:1");
    auto ctx = Context(token);
    auto reader = stub->StreamLiveMatches(ctx.get(), req);
    v1::LiveMatchUpdate u;
    while (reader->Read(&u)) {
    }
    grpc::Status s = reader->Finish();
    CHECK(s.error_code() == grpc::NOT_FOUND);
    CHECK(s.error_message().find("statsbomb:1") != std::string::npos);
  }
  for (const auto& [interval, text] : {std::pair<double, std::string>{-1, "-1"},
                                       {std::numeric_limits<double>::quiet_NaN(), "nan"}}) {
    v1::StreamLiveMatchesRequest req;
    req.add_match_ids("statsbomb:3754097");
    req.set_interval_s(interval);
    auto ctx = Context(token);
    auto reader = stub->StreamLiveMatches(ctx.get(), req);
    v1::LiveMatchUpdate u;
    while (reader->Read(&u)) {
    }
    grpc::Status s = reader->Finish();
    INFO(s.error_message());
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message().find("interval_s") != std::string::npos);
    CHECK(s.error_message().find(text) != std::string::npos);
  }
  {  // A negative max_updates is not "no limit": INVALID_ARGUMENT naming it.
    v1::StreamLiveMatchesRequest req;
    req.add_match_ids("statsbomb:3754097");
    req.set_max_updates(-3);
    auto ctx = Context(token);
    auto reader = stub->StreamLiveMatches(ctx.get(), req);
    v1::LiveMatchUpdate u;
    int read = 0;
    while (reader->Read(&u)) ++read;
    grpc::Status s = reader->Finish();
    CHECK(read == 0);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() == "max_updates must be >= 0 (0 = no limit), got -3");
  }
  {
    v1::GetOddsRequest req;
    v1::GetOddsResponse resp;
    grpc::Status s = stub->GetOdds(Context(token).get(), req, &resp);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() == "fixture_id: empty");
  }
  svc.Signal(SIGTERM);
  CHECK(svc.Wait(30) == std::optional<int>(0));
  CHECK(Slurp(dir.File("log.jsonl")).find(token) == std::string::npos);
}

TEST_CASE("rpc errors: agent-svc names the state, the field and the value of a malformed Decide",
          "[services][agent][rpc_errors]") {
  TempDir dir;
  WriteTinyCheckpoint(dir);
  const std::string token = "rpc-errors-token-2";
  WriteToken(dir, token);
  Child svc({AGENT_SVC, "--checkpoint=" + dir.File("ckpt"), "--grpc_address=127.0.0.1:0",
             "--metrics_address=127.0.0.1:0", "--ports_file=" + dir.File("ports.json"),
             "--token_file=" + dir.File("token")},
            dir.File("log.jsonl"));
  const Ports ports = Ready(dir.File("ports.json"));
  auto stub = v1::AgentService::NewStub(Channel(ports.grpc));
  const hrl::LiveMatch match = LoadLiveMatch("3754237");
  auto state = [&](int k) {
    v1::LiveMatchState s = match.states.at(k);
    s.mutable_live_odds()->set_home(2.1);
    s.mutable_live_odds()->set_draw(3.4);
    s.mutable_live_odds()->set_away(3.6);
    return s;
  };
  auto decide = [&](const v1::DecideRequest& req) {
    v1::DecideResponse resp;
    grpc::Status s = stub->Decide(Context(token).get(), req, &resp);
    if (!s.ok()) CHECK(resp.decisions_size() == 0);
    return s;
  };
  {
    v1::DecideRequest req;
    *req.add_states() = state(40);
    req.mutable_states(0)->clear_match_id();
    grpc::Status s = decide(req);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() == "states[0].match_id is empty");
  }
  {  // Odds <= 1 in the second state: the whole batch refused, the value named.
    v1::DecideRequest req;
    *req.add_states() = state(40);
    *req.add_states() = state(41);
    req.mutable_states(1)->mutable_live_odds()->set_away(0.97);
    grpc::Status s = decide(req);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() ==
          "states[1].live_odds.away must be decimal odds > 1 (or 0: not quoted), got 0.97");
  }
  {  // Above the documented limit of 256 states.
    v1::DecideRequest req;
    for (int i = 0; i < 1000; ++i) *req.add_states() = state(40);
    grpc::Status s = decide(req);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() == "states: at most 256 per call, got 1000");
  }
  {  // A dry run on a state of a match the agent never saw: decided (no history is not an error).
    v1::DecideRequest req;
    *req.add_states() = state(40);
    req.mutable_states(0)->set_match_id("statsbomb:1");
    req.set_dry_run(true);
    CHECK(decide(req).ok());
  }
  {
    v1::AllocateRequest req;
    req.set_bankroll(-10);
    v1::AllocateResponse resp;
    grpc::Status s = stub->Allocate(Context(token).get(), req, &resp);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() == "bankroll must be finite and > 0, got -10");
  }
  svc.Signal(SIGTERM);
  CHECK(svc.Wait(30) == std::optional<int>(0));
  CHECK(Slurp(dir.File("log.jsonl")).find(token) == std::string::npos);
}

}  // namespace
}  // namespace superbet::testing
