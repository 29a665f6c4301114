// agent-svc's --ledger on a full disk recovers without a restart (issue 17), as a real process on
// 127.0.0.1: while the test lowers agent-svc's file size limit (prlimit(2) RLIMIT_FSIZE on the
// child: the kernel writes part of a ledger line and refuses the rest with EFBIG, as a disk that
// fills up mid-line does with ENOSPC), each Decide fails DATA_LOSS and leaves no torn line; once
// the limit is lifted ("space is back") the next decisions are recorded again. Before, the ledger
// stream stayed failed (every later Decide DATA_LOSS until a restart) and a torn line could stay
// in the file. Oracles: the file's bytes (its size while the disk is full; every line parsed by
// protobuf's JSON parser as a Decision; one line per decision answered OK) and the gRPC codes.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "google/protobuf/util/json_util.h"
#include "services/live_support.h"
#include "services/process.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::testing {
namespace {

namespace v1 = superbet::v1;

void SetFileSizeLimit(pid_t pid, rlim_t bytes) {
  rlimit l{};
  REQUIRE(::prlimit(pid, RLIMIT_FSIZE, nullptr, &l) == 0);
  l.rlim_cur = bytes;
  REQUIRE(::prlimit(pid, RLIMIT_FSIZE, &l, nullptr) == 0);
}

TEST_CASE("agent-svc: --ledger on a full disk records decisions again once space is back",
          "[services][agent][ledger]") {
  TempDir dir;
  auto trained = TrainTinyLiveWorker();
  REQUIRE(trained.ok());
  REQUIRE(hrl::SaveCheckpoint(dir.File("ckpt"), trained->checkpoint).ok());
  const std::string ledger = dir.File("ledger.jsonl");
  Child svc({AGENT_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--ports_file=" + dir.File("ports.json"), "--checkpoint=" + dir.File("ckpt"),
             "--ledger=" + ledger, "--drain_grace_s=0.2"},
            dir.File("log.jsonl"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  for (int i = 0; i < 100 && HttpGet(ports->metrics, "/health/ready").first != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(HttpGet(ports->metrics, "/health/ready").first == 200);
  auto stub = v1::AgentService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(ports->grpc), grpc::InsecureChannelCredentials()));

  const hrl::LiveMatch m = LoadLiveMatch("3754237");
  auto decide = [&](size_t k) {
    v1::DecideRequest req;
    v1::LiveMatchState* s = req.add_states();
    *s = m.states[k];
    s->mutable_live_odds()->set_home(m.quoted[k][0].value_or(0.0));
    s->mutable_live_odds()->set_draw(m.quoted[k][1].value_or(0.0));
    s->mutable_live_odds()->set_away(m.quoted[k][2].value_or(0.0));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::DecideResponse resp;
    return stub->Decide(&ctx, req, &resp);
  };
  REQUIRE(m.states.size() > 20);
  int recorded = 0;
  for (size_t k = 0; k < 5; ++k) {
    REQUIRE(decide(k).ok());
    ++recorded;
  }
  const auto size = std::filesystem::file_size(ledger);
  REQUIRE(size > 0);
  // The disk is full 40 bytes on: part of the next line fits, the rest does not.
  SetFileSizeLimit(svc.pid(), size + 40);
  for (size_t k = 5; k < 8; ++k) {
    INFO("minute " << k);
    const grpc::Status st = decide(k);
    CHECK(st.error_code() == grpc::StatusCode::DATA_LOSS);
    CHECK(st.error_message().find("ledger write failed") != std::string::npos);
    CHECK(std::filesystem::file_size(ledger) == size);  // No torn line.
  }
  // Space is back: decisions are recorded again, without a restart.
  SetFileSizeLimit(svc.pid(), RLIM_INFINITY);
  for (size_t k = 8; k < 20; ++k) {
    INFO("minute " << k);
    const grpc::Status st = decide(k);
    CHECK(st.error_message() == "");
    REQUIRE(st.ok());
    ++recorded;
  }
  std::ifstream in(ledger);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    INFO("ledger line " << lines << ": " << line);
    v1::Decision d;
    CHECK(google::protobuf::util::JsonStringToMessage(line, &d).ok());
  }
  CHECK(lines == recorded);
  svc.Signal(SIGTERM);
  CHECK(svc.Wait(40) == std::optional<int>(0));
}

}  // namespace
}  // namespace superbet::testing
