// agent-svc's StartTraining / WatchTraining as a real process on 127.0.0.1 (ports 0), training
// the live worker on the recorded StatsBomb matches 3754097 and 3754300, and the pre-match worker
// (tabular Q and DQN) on the football-data season 2015/16 (E0_1516.csv, with the earlier seasons
// as history).
//
// Oracles: `superbet train --agent live` with the same matches, steps and seed (the checkpoint
// the service writes must have the same bytes: determinism across the two entry points);
// services.proto's contract (INVALID_ARGUMENT naming the field, one job at a time ->
// RESOURCE_EXHAUSTED, the stream's last message has done = true); hrl::LoadLiveWorker accepting
// the checkpoint; SIGTERM cancelling a running job (state "cancelled", no checkpoint, exit 0).
// Pre-match: `superbet train --agent prematch` with the same season, seed, episodes and worker
// (the same checkpoint bytes); the 2015/16 Premier League has 380 matches (one decision each, so
// 380 steps per pass: the season's fixture count, not the code's report); one progress message
// per pass with the pass count.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "services/live_support.h"
#include "services/process.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/v1/services.grpc.pb.h"
#include "support/test_data.h"

namespace superbet::testing {
namespace {

namespace v1 = superbet::v1;

v1::StartTrainingRequest Request(const std::string& output, int64_t steps) {
  v1::StartTrainingRequest r;
  r.set_agent("live");
  r.add_seasons("1516");
  r.set_seed(3);
  r.set_steps(steps);
  r.set_output(output);
  r.add_train_matches("3754097");
  r.add_train_matches("statsbomb:3754300");
  return r;
}

grpc::Status Start(v1::AgentService::Stub& stub, const v1::StartTrainingRequest& r,
                   v1::TrainingJob* job) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return stub.StartTraining(&ctx, r, job);
}

TEST_CASE("agent-svc: StartTraining + WatchTraining equal `superbet train`, SIGTERM cancels",
          "[services][agent][training]") {
  TempDir dir;
  // The service needs a live checkpoint to start: a tiny MLP one, as agent_svc_itest.cc.
  auto tiny = TrainTinyLiveWorker();
  REQUIRE(tiny.ok());
  REQUIRE(hrl::SaveCheckpoint(dir.File("serving"), tiny->checkpoint).ok());
  std::filesystem::create_directories(dir.File("jobs"));

  Child svc({AGENT_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--ports_file=" + dir.File("ports.json"), "--checkpoint=" + dir.File("serving"),
             "--training_dir=" + dir.File("jobs"), "--training_data=" + DataDir()},
            dir.File("svc.log"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  for (int i = 0; i < 200 && HttpGet(ports->metrics, "/health/ready").first != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(HttpGet(ports->metrics, "/health/ready").first == 200);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(ports->grpc),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::AgentService::NewStub(channel);

  // Validation: INVALID_ARGUMENT naming the field and the value.
  struct Bad {
    std::function<void(v1::StartTrainingRequest&)> edit;
    std::string message;
  };
  const std::vector<Bad> bad = {
      {[](auto& r) { r.set_agent("prematch-q"); },
       "agent must be \"live\", \"live-ppo\" or \"prematch\", got \"prematch-q\""},
      {[](auto& r) { r.set_episodes(3); },
       "league, episodes, worker and decide_at_closing apply to agent \"prematch\" only"},
      {[](auto& r) { r.set_seasons(0, "1415"); },
       "seasons[0] must be \"1516\" (the StatsBomb season recorded), got \"1415\""},
      {[](auto& r) { r.set_steps(0); }, "steps must be in [1, 10000000], got 0"},
      {[](auto& r) { r.set_output("../escape"); },
       "output must stay under --training_dir (no '..' or '.'), got \"../escape\""},
      {[](auto& r) { r.set_output("/tmp/abs"); },
       "output must be a folder relative to --training_dir, got \"/tmp/abs\""},
      {[](auto& r) { r.set_data_dir("/nonexistent/data"); },
       "data_dir must be an existing folder, got \"/nonexistent/data\""},
      {[](auto& r) { r.set_train_matches(1, "abc"); },
       "train_matches[1] is not a StatsBomb match id, got \"abc\""},
      {[](auto& r) { r.set_seed(uint64_t{1} << 63); },
       "seed must be <= 2^63-1, got 9223372036854775808"},
  };
  for (const Bad& b : bad) {
    v1::StartTrainingRequest r = Request("bad", 1);
    b.edit(r);
    v1::TrainingJob job;
    const grpc::Status s = Start(*stub, r, &job);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() == b.message);
  }
  {
    grpc::ClientContext ctx;
    v1::WatchTrainingRequest w;
    w.set_job_id("train-404");
    auto reader = stub->WatchTraining(&ctx, w);
    v1::TrainingProgress p;
    CHECK_FALSE(reader->Read(&p));
    CHECK(reader->Finish().error_code() == grpc::NOT_FOUND);
  }

  // A tiny real job: one PPO update (the rollout is 2048 steps rounded up to whole matches).
  v1::TrainingJob job;
  REQUIRE(Start(*stub, Request("job1", 1), &job).ok());
  CHECK(job.job_id() == "train-1");
  {
    v1::TrainingJob second;
    const grpc::Status s = Start(*stub, Request("job2", 1), &second);
    CHECK(s.error_code() == grpc::RESOURCE_EXHAUSTED);
    CHECK(s.error_message() == "training job train-1 is running; agent-svc runs one job at a time");
  }
  std::vector<v1::TrainingProgress> seen;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));
    v1::WatchTrainingRequest w;
    w.set_job_id(job.job_id());
    auto reader = stub->WatchTraining(&ctx, w);
    v1::TrainingProgress p;
    while (reader->Read(&p)) seen.push_back(p);
    REQUIRE(reader->Finish().ok());
  }
  REQUIRE(seen.size() >= 2);
  for (size_t i = 0; i < seen.size(); ++i) {
    INFO(i);
    CHECK(seen[i].job_id() == "train-1");
    CHECK(seen[i].total_steps() == 1);
    CHECK(seen[i].done() == (i + 1 == seen.size()));
    if (i > 0) {
      CHECK(seen[i].step() >= seen[i - 1].step());
      CHECK(seen[i].updates() >= seen[i - 1].updates());
      CHECK(seen[i].episodes() >= seen[i - 1].episodes());
      CHECK(seen[i].elapsed_s() >= seen[i - 1].elapsed_s());
    }
  }
  CHECK_FALSE(seen.front().has_mean_reward());  // Absent before the first update.
  const v1::TrainingProgress& last = seen.back();
  CHECK(last.state() == "done");
  CHECK(last.error().empty());
  CHECK(last.updates() == 1);
  CHECK(last.step() >= 1);
  CHECK(last.episodes() >= 2);
  CHECK(last.has_mean_reward());
  CHECK(last.checkpoint() == dir.File("jobs") + "/job1/checkpoint.pb");

  // The same job through `superbet train`: the same checkpoint bytes.
  const std::string cli = std::string(SUPERBET_CLI) + " train --agent live --data " + DataDir() +
                          " --train_matches 3754097,3754300 --eval_matches 3754237 --steps 1" +
                          " --seed 3 --out " + dir.File("cli") + " > " + dir.File("cli.out") +
                          " 2> " + dir.File("cli.err");
  REQUIRE(Shell(cli) == 0);
  const std::string from_service = Slurp(dir.File("jobs") + "/job1/checkpoint.pb");
  REQUIRE_FALSE(from_service.empty());
  CHECK(from_service == Slurp(dir.File("cli") + "/checkpoint.pb"));
  auto loaded = hrl::LoadCheckpoint(dir.File("jobs") + "/job1", hrl::LiveFeatureSpec());
  REQUIRE(loaded.ok());
  CHECK(hrl::LoadLiveWorker(*loaded).ok());
  CHECK(loaded->seed() == 3);

  // The output folder now holds a checkpoint: ALREADY_EXISTS.
  {
    v1::TrainingJob again;
    CHECK(Start(*stub, Request("job1", 1), &again).error_code() == grpc::ALREADY_EXISTS);
  }
  // A long job, cancelled by SIGTERM: the watcher's last message says so; no checkpoint.
  v1::TrainingJob long_job;
  REQUIRE(Start(*stub, Request("long", 5'000'000), &long_job).ok());
  CHECK(long_job.job_id() == "train-2");
  grpc::ClientContext wctx;
  wctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  v1::WatchTrainingRequest w;
  w.set_job_id(long_job.job_id());
  auto reader = stub->WatchTraining(&wctx, w);
  v1::TrainingProgress p;
  REQUIRE(reader->Read(&p));
  CHECK(p.state() == "running");
  svc.Signal(SIGTERM);
  v1::TrainingProgress final_p = p;
  while (reader->Read(&p)) final_p = p;
  CHECK(reader->Finish().ok());
  CHECK(final_p.done());
  CHECK(final_p.state() == "cancelled");
  CHECK(final_p.error().find("stopped on request") != std::string::npos);
  CHECK(svc.Wait(60) == std::optional<int>(0));
  CHECK_FALSE(std::filesystem::exists(dir.File("jobs") + "/long/checkpoint.pb"));
}

v1::StartTrainingRequest PreMatchRequest(const std::string& output, int episodes,
                                         const std::string& worker) {
  v1::StartTrainingRequest r;
  r.set_agent("prematch");
  r.add_seasons("1516");
  r.set_seed(7);
  r.set_episodes(episodes);
  r.set_worker(worker);
  r.set_output(output);
  return r;
}

std::vector<v1::TrainingProgress> WatchAll(v1::AgentService::Stub& stub, const std::string& id) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));
  v1::WatchTrainingRequest w;
  w.set_job_id(id);
  auto reader = stub.WatchTraining(&ctx, w);
  std::vector<v1::TrainingProgress> seen;
  v1::TrainingProgress p;
  while (reader->Read(&p)) seen.push_back(p);
  CHECK(reader->Finish().ok());
  return seen;
}

TEST_CASE("agent-svc: StartTraining prematch equals `superbet train --agent prematch`, cancels",
          "[services][agent][training]") {
  TempDir dir;
  auto tiny = TrainTinyLiveWorker();
  REQUIRE(tiny.ok());
  REQUIRE(hrl::SaveCheckpoint(dir.File("serving"), tiny->checkpoint).ok());
  std::filesystem::create_directories(dir.File("jobs"));
  Child svc({AGENT_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--ports_file=" + dir.File("ports.json"), "--checkpoint=" + dir.File("serving"),
             "--training_dir=" + dir.File("jobs"), "--training_data=" + DataDir()},
            dir.File("svc.log"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  for (int i = 0; i < 200 && HttpGet(ports->metrics, "/health/ready").first != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(HttpGet(ports->metrics, "/health/ready").first == 200);
  auto stub = v1::AgentService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(ports->grpc), grpc::InsecureChannelCredentials()));

  struct Bad {
    std::function<void(v1::StartTrainingRequest&)> edit;
    grpc::StatusCode code;
    std::string message;
  };
  const std::vector<Bad> bad = {
      {[](auto& r) { r.set_seasons(0, "15/16"); }, grpc::INVALID_ARGUMENT,
       "seasons[0] is not a season code (four digits, two consecutive years: 1516 = 2015/16), "
       "got \"15/16\""},
      {[](auto& r) { r.add_seasons("1516"); }, grpc::INVALID_ARGUMENT,
       "seasons[1]: season 1516 is repeated"},
      {[](auto& r) { r.set_steps(5); }, grpc::INVALID_ARGUMENT,
       "steps must be 0 for agent \"prematch\" (it trains for `episodes` passes), got 5"},
      {[](auto& r) { r.set_worker("sarsa"); }, grpc::INVALID_ARGUMENT,
       "worker must be q or dqn, got \"sarsa\""},
      {[](auto& r) { r.set_episodes(-1); }, grpc::INVALID_ARGUMENT,
       "episodes must be in [1, 100000], got -1"},
      {[](auto& r) { r.add_train_matches("3754097"); }, grpc::INVALID_ARGUMENT,
       "train_matches applies to live agents only (prematch trains on `seasons`)"},
      {[](auto& r) { r.set_league("ZZ"); }, grpc::NOT_FOUND, ""},
  };
  for (const Bad& b : bad) {
    v1::StartTrainingRequest r = PreMatchRequest("bad", 1, "q");
    b.edit(r);
    v1::TrainingJob job;
    const grpc::Status s = Start(*stub, r, &job);
    INFO(s.error_message());
    CHECK(s.error_code() == b.code);
    if (!b.message.empty()) CHECK(s.error_message() == b.message);
  }

  // Tabular Q, 3 passes; then DQN, 1 pass: each equal to the CLI's checkpoint.
  int n = 0;
  for (const auto& [worker, episodes] : {std::pair<std::string, int>{"q", 3}, {"dqn", 1}}) {
    INFO(worker);
    const std::string out = "pm-" + worker;
    v1::TrainingJob job;
    REQUIRE(Start(*stub, PreMatchRequest(out, episodes, worker), &job).ok());
    CHECK(job.job_id() == "train-" + std::to_string(++n));
    const std::vector<v1::TrainingProgress> seen = WatchAll(*stub, job.job_id());
    REQUIRE(seen.size() >= 2);
    std::vector<int64_t> passes;
    for (size_t i = 0; i < seen.size(); ++i) {
      CHECK(seen[i].done() == (i + 1 == seen.size()));
      if (i > 0) CHECK(seen[i].updates() >= seen[i - 1].updates());
      if (passes.empty() || passes.back() != seen[i].updates()) passes.push_back(seen[i].updates());
    }
    std::vector<int64_t> want;
    for (int64_t e = seen.front().updates(); e <= episodes; ++e) want.push_back(e);
    CHECK(passes == want);  // From the first snapshot on, every pass in order, none skipped.
    const v1::TrainingProgress& last = seen.back();
    CHECK(last.state() == "done");
    CHECK(last.total_steps() == 380 * episodes);
    CHECK(last.step() == 380 * episodes);
    CHECK(last.episodes() == episodes);
    CHECK(last.has_mean_reward());
    CHECK(last.has_policy_loss());
    CHECK(last.checkpoint() == dir.File("jobs") + "/" + out + "/checkpoint.pb");
    const std::string cli = std::string(SUPERBET_CLI) + " train --agent prematch --data " +
                            DataDir() + " --train_seasons 1516 --seed 7 --episodes " +
                            std::to_string(episodes) + " --worker " + worker + " --out " +
                            dir.File("cli-" + worker) + " > " + dir.File("cli.out") + " 2> " +
                            dir.File("cli.err");
    REQUIRE(Shell(cli) == 0);
    const std::string from_service = Slurp(dir.File("jobs") + "/" + out + "/checkpoint.pb");
    REQUIRE_FALSE(from_service.empty());
    CHECK(from_service == Slurp(dir.File("cli-" + worker) + "/checkpoint.pb"));
    v1::Checkpoint loaded;
    REQUIRE(loaded.ParseFromString(from_service));
    CHECK(loaded.agent() == (worker == "q" ? "prematch-q" : "prematch-dqn"));
    CHECK(loaded.seed() == 7);
  }

  // A long job (10^5 passes), cancelled by SIGTERM after its first pass.
  v1::TrainingJob long_job;
  REQUIRE(Start(*stub, PreMatchRequest("long", 100000, "q"), &long_job).ok());
  {
    v1::TrainingJob second;
    CHECK(Start(*stub, PreMatchRequest("other", 1, "q"), &second).error_code() ==
          grpc::RESOURCE_EXHAUSTED);
  }
  grpc::ClientContext wctx;
  wctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  v1::WatchTrainingRequest w;
  w.set_job_id(long_job.job_id());
  auto reader = stub->WatchTraining(&wctx, w);
  v1::TrainingProgress p;
  do {
    REQUIRE(reader->Read(&p));
  } while (p.updates() < 1);
  CHECK(p.state() == "running");
  svc.Signal(SIGTERM);
  v1::TrainingProgress final_p = p;
  while (reader->Read(&p)) final_p = p;
  CHECK(reader->Finish().ok());
  CHECK(final_p.state() == "cancelled");
  CHECK(final_p.error().find("stopped on request") != std::string::npos);
  CHECK(final_p.updates() < 100000);
  CHECK(svc.Wait(60) == std::optional<int>(0));
  CHECK_FALSE(std::filesystem::exists(dir.File("jobs") + "/long/checkpoint.pb"));
}

}  // namespace
}  // namespace superbet::testing
