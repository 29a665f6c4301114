// TrainingJobs: agent-svc's StartTraining / WatchTraining without gRPC. Request validation names
// the field and the value; one job at a time; a draining owner cancels the job. (A job watched to
// its checkpoint takes seconds: training_jobs_itest.cc.)
//
// Oracles: the request as sent (each message names the offending field and value) and the
// progress protocol (the last message alone has done = true; a cancelled job leaves no
// checkpoint).

#include "superbet/agent/training_jobs.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <vector>

#include "agent/agent_support.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/live_worker.h"
#include "support/test_data.h"

namespace superbet::agent {
namespace {

namespace v1 = superbet::v1;

using agent_testing::LiveTrainingRequest;

TEST_CASE("TrainingJobs refuses bad requests, naming the field and the value",
          "[agent][training]") {
  core::FakeClock clock;
  agent_testing::TempDir dir;
  {
    TrainingJobs off({"", superbet::testing::DataDir()}, clock);
    absl::StatusOr<std::string> s = off.Start(LiveTrainingRequest("a"));
    CHECK(s.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(s.status().message() ==
          "StartTraining is disabled: agent-svc was started without --training_dir");
  }
  TrainingJobs jobs({dir.path(), superbet::testing::DataDir()}, clock);
  auto message = [&](const v1::StartTrainingRequest& r) {
    absl::StatusOr<std::string> s = jobs.Start(r);
    CHECK(s.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(s.status().message());
  };
  v1::StartTrainingRequest r = LiveTrainingRequest("a");
  r.set_agent("dqn");
  CHECK(message(r) == "agent must be \"live\", \"live-ppo\" or \"prematch\", got \"dqn\"");
  r = LiveTrainingRequest("a");
  r.set_seed(uint64_t{1} << 63);
  CHECK(message(r) == "seed must be <= 2^63-1, got 9223372036854775808");
  r = LiveTrainingRequest("a");
  r.set_data_dir(dir.File("missing"));
  CHECK(message(r) == "data_dir must be an existing folder, got \"" + dir.File("missing") + "\"");
  CHECK(message(LiveTrainingRequest("../escape")) ==
        "output must stay under --training_dir (no '..' or '.'), got \"../escape\"");
  CHECK(message(LiveTrainingRequest("/abs")) ==
        "output must be a folder relative to --training_dir, got \"/abs\"");
  r = LiveTrainingRequest("a");
  r.add_seasons("1617");
  CHECK(message(r) == "seasons[0] must be \"1516\" (the StatsBomb season recorded), got \"1617\"");
  r = LiveTrainingRequest("a");
  r.set_steps(0);
  CHECK(message(r) == "steps must be in [1, 10000000], got 0");
  r = LiveTrainingRequest("a");
  r.set_worker("dqn");
  CHECK(message(r) ==
        "league, episodes, worker and decide_at_closing apply to agent \"prematch\" only");
  r = LiveTrainingRequest("a");
  r.set_train_matches(0, "statsbomb:abc");
  CHECK(message(r) == "train_matches[0] is not a StatsBomb match id, got \"statsbomb:abc\"");
  r = LiveTrainingRequest("a");
  r.set_agent("prematch");
  CHECK(message(r) ==
        "steps must be 0 for agent \"prematch\" (it trains for `episodes` passes), got 64");
  r.set_steps(0);
  CHECK(message(r) == "train_matches applies to live agents only (prematch trains on `seasons`)");
  r.clear_train_matches();
  r.add_seasons("15-16");
  CHECK(message(r).rfind("seasons[0]", 0) == 0);  // The CLI's train_seasons, renamed.

  absl::Status unknown = jobs.Watch(
      "train-9", [](const v1::TrainingProgress&) { return true; }, [] { return false; },
      [] { return false; });
  CHECK(unknown.code() == absl::StatusCode::kNotFound);
  CHECK(unknown.message() == "job_id: unknown training job \"train-9\"");
}

TEST_CASE("TrainingJobs: a draining owner cancels the job, whose last state is cancelled",
          "[agent][training]") {
  core::FakeClock clock;
  agent_testing::TempDir dir;
  TrainingJobs jobs({dir.path(), superbet::testing::DataDir()}, clock);
  v1::StartTrainingRequest r = LiveTrainingRequest("long");
  r.set_steps(10'000'000);
  absl::StatusOr<std::string> id = jobs.Start(r);
  REQUIRE(id.ok());
  // One job at a time.
  absl::StatusOr<std::string> second = jobs.Start(LiveTrainingRequest("other"));
  CHECK(second.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK(second.status().message() ==
        "training job train-1 is running; agent-svc runs one job at a time");
  std::vector<v1::TrainingProgress> seen;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  REQUIRE(jobs.Watch(
                  *id,
                  [&](const v1::TrainingProgress& p) {
                    seen.push_back(p);
                    return true;
                  },
                  [deadline] { return absl::Now() > deadline; },  // Bounded: never hangs.
                  [] { return true; })
              .ok());
  REQUIRE(!seen.empty());
  CHECK(seen.back().done());
  CHECK(seen.back().state() == "cancelled");
  CHECK_FALSE(std::filesystem::exists(dir.File("long/checkpoint.pb")));
}

}  // namespace
}  // namespace superbet::agent
