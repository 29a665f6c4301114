// TrainingJobs watched to the end: a real live job (64 PPO steps on StatsBomb 3754097, several
// seconds: an integration test) streamed by Watch until its checkpoint is written.
//
// Oracles: the job's checkpoint on disk (it loads against the live-v1 spec once the last progress
// message says done with state "done", and its seed is the request's), and the progress protocol
// (steps never go back; the last message alone has done = true).

#include <catch2/catch.hpp>
#include <filesystem>
#include <vector>

#include "agent/agent_support.h"
#include "superbet/agent/training_jobs.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/live_worker.h"
#include "support/test_data.h"

namespace superbet::agent {
namespace {

namespace v1 = superbet::v1;

using agent_testing::LiveTrainingRequest;

TEST_CASE("TrainingJobs runs one live job at a time and Watch streams it to its checkpoint",
          "[agent][training]") {
  core::FakeClock clock;
  agent_testing::TempDir dir;
  TrainingJobs jobs({dir.path(), superbet::testing::DataDir()}, clock);
  absl::StatusOr<std::string> id = jobs.Start(LiveTrainingRequest("first"));
  REQUIRE(id.ok());
  CHECK(*id == "train-1");
  std::vector<v1::TrainingProgress> seen;
  REQUIRE(jobs.Watch(
                  *id,
                  [&](const v1::TrainingProgress& p) {
                    seen.push_back(p);
                    return true;
                  },
                  [] { return false; }, [] { return false; })
              .ok());
  REQUIRE(!seen.empty());
  for (size_t i = 0; i + 1 < seen.size(); ++i) {
    CHECK_FALSE(seen[i].done());
    CHECK(seen[i].step() <= seen[i + 1].step());
  }
  CHECK(seen.back().done());
  CHECK(seen.back().state() == "done");
  CHECK(seen.back().job_id() == "train-1");
  const std::string out = dir.File("first");
  CHECK(seen.back().checkpoint().find(out) == 0);
  auto c = hrl::LoadCheckpoint(out, hrl::LiveFeatureSpec());
  REQUIRE(c.ok());
  CHECK(c->seed() == 11);
  // The same output again: refused, it holds a checkpoint.
  CHECK(jobs.Start(LiveTrainingRequest("first")).status().code() ==
        absl::StatusCode::kAlreadyExists);
  // A finished job is watched again: its last state only.
  std::vector<v1::TrainingProgress> again;
  REQUIRE(jobs.Watch(
                  *id,
                  [&](const v1::TrainingProgress& p) {
                    again.push_back(p);
                    return true;
                  },
                  [] { return false; }, [] { return false; })
              .ok());
  REQUIRE(again.size() == 1);
  CHECK(again[0].done());
  // A closed stream ends the watch: Unavailable.
  CHECK(jobs.Watch(
                *id, [](const v1::TrainingProgress&) { return false; }, [] { return false; },
                [] { return false; })
            .code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace superbet::agent
