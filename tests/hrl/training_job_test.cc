// hrl/training_job.h: PrepareLiveTraining's checks and the job's cancellation, on the recorded
// StatsBomb matches. (A whole job, compared byte for byte with `superbet train`, runs in
// tests/services/agent_training_itest.cc: it takes seconds.)
//
// Oracles: the header's contract (an overlap of training and held-out matches is
// InvalidArgument naming the match; a match that is not recorded is NotFound naming it; a job
// cancelled before its first PPO update ends "cancelled" with no checkpoint written).
#include "superbet/hrl/training_job.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>
#include <vector>

#include "absl/time/clock.h"
#include "superbet/core/clock.h"
#include "support/test_data.h"

namespace superbet::testing {
namespace {

TEST_CASE("PrepareLiveTraining: order kept, unknown match and overlap refused", "[hrl][training]") {
  hrl::LiveTrainingSpec spec;
  spec.data_root = DataDir();
  spec.train_matches = {"statsbomb:3754300", "statsbomb:3754097"};
  spec.load_eval_matches = false;
  auto p = hrl::PrepareLiveTraining(spec);
  REQUIRE(p.ok());
  REQUIRE(p->train.size() == 2);
  CHECK(p->train[0].match_id == "statsbomb:3754300");  // The order given, not the loader's.
  CHECK(p->train[1].match_id == "statsbomb:3754097");
  CHECK(p->eval.empty());
  CHECK(p->left_out.empty());
  CHECK(p->options.seed == 1);
  CHECK(p->options.total_env_steps == 20000);

  spec.eval_matches = {"statsbomb:3754097"};
  spec.load_eval_matches = true;
  auto overlap = hrl::PrepareLiveTraining(spec);
  CHECK(absl::IsInvalidArgument(overlap.status()));
  CHECK(overlap.status().message() == "held-out match statsbomb:3754097 is also a training match");

  spec.eval_matches.clear();
  spec.total_env_steps = 0;
  CHECK(hrl::PrepareLiveTraining(spec).status().message() == "total_env_steps must be >= 1, got 0");

  // A match that is not recorded: the loader's NotFound, naming it.
  spec.total_env_steps = 10;
  spec.train_matches = {"statsbomb:1"};
  spec.load_eval_matches = false;
  const absl::Status missing = hrl::PrepareLiveTraining(spec).status();
  CHECK(absl::IsNotFound(missing));
  CHECK(missing.message().find("statsbomb:1") != absl::string_view::npos);
}

TEST_CASE("LiveTrainingJob: cancelled before its first update, no checkpoint", "[hrl][training]") {
  const std::string out =
      (std::filesystem::temp_directory_path() / ("training_job_test_" + std::to_string(::getpid())))
          .string();
  core::FakeClock clock(absl::FromUnixSeconds(1700000000));
  hrl::LiveTrainingSpec spec;
  spec.data_root = DataDir();
  spec.train_matches = {"statsbomb:3754097"};
  spec.load_eval_matches = false;
  spec.total_env_steps = 10'000'000;
  CHECK(absl::IsInvalidArgument(hrl::LiveTrainingJob::Start(spec, "", clock).status()));
  {
    auto job = hrl::LiveTrainingJob::Start(spec, out, clock);
    REQUIRE(job.ok());
    (*job)->Cancel();
    const hrl::TrainingProgress p = (*job)->Wait();
    // The trainer checks the request before each update; at most the update in progress ran.
    CHECK(p.state == hrl::TrainingState::kCancelled);
    CHECK(hrl::TrainingStateName(p.state) == "cancelled");
    CHECK(p.total_steps == 10'000'000);
    CHECK(p.updates <= 1);
    CHECK(p.error.find("stopped on request") != std::string::npos);
    CHECK(p.checkpoint_path.empty());
    CHECK(p.elapsed_s == 0);  // The injected clock did not move.
    const hrl::TrainingProgress again = (*job)->WaitForChange(p.version, absl::Milliseconds(1));
    CHECK(again.version == p.version);  // Ended: nothing changes any more.
  }
  CHECK_FALSE(std::filesystem::exists(out + "/checkpoint.pb"));
  std::filesystem::remove_all(out);
}

TEST_CASE("TrainingJob::Run: progress reported, checkpoint written, failure and cancel end it",
          "[hrl][training]") {
  // Oracle: the header's contract, with a trainer whose every step the test controls.
  const std::string out = (std::filesystem::temp_directory_path() /
                           ("training_job_run_test_" + std::to_string(::getpid())))
                              .string();
  core::FakeClock clock(absl::FromUnixSeconds(1700000000));
  CHECK(hrl::TrainingJob::Run(nullptr, 1, out, clock).status().message() == "body is null");
  {
    auto job = hrl::TrainingJob::Run(
        [&clock](const hrl::TrainingHooks& hooks) -> absl::StatusOr<superbet::v1::Checkpoint> {
          for (int e = 1; e <= 3; ++e) {
            clock.Advance(absl::Seconds(2));
            hooks.report([e](hrl::TrainingProgress& p) {
              p.updates = e;
              p.step = 10 * e;
              p.mean_episode_return = 0.5 * e;
            });
          }
          superbet::v1::Checkpoint c;
          c.set_agent("test-agent");
          c.mutable_feature_spec()->set_name("test-v1");
          return c;
        },
        30, out, clock);
    REQUIRE(job.ok());
    const hrl::TrainingProgress p = (*job)->Wait();
    CHECK(p.state == hrl::TrainingState::kDone);
    CHECK(p.updates == 3);
    CHECK(p.step == 30);
    CHECK(p.total_steps == 30);
    CHECK(p.mean_episode_return == std::optional<double>(1.5));
    CHECK(p.version == 4);    // Three reports and the end.
    CHECK(p.elapsed_s == 6);  // By the injected clock.
    CHECK(p.checkpoint_path == out + "/checkpoint.pb");
    CHECK(std::filesystem::exists(out + "/checkpoint.pb"));
    // Every snapshot after version 1, in order, though the watcher was never there.
    const std::vector<hrl::TrainingProgress> changes =
        (*job)->ChangesSince(1, absl::Milliseconds(1));
    REQUIRE(changes.size() == 3);
    for (size_t i = 0; i < changes.size(); ++i) CHECK(changes[i].version == int64_t(i) + 2);
    CHECK(changes[0].updates == 2);
    CHECK(changes[1].updates == 3);
    CHECK(changes[2].state == hrl::TrainingState::kDone);
    CHECK((*job)->ChangesSince(4, absl::Milliseconds(1)).empty());
  }
  std::filesystem::remove_all(out);
  {
    auto job = hrl::TrainingJob::Run(
        [](const hrl::TrainingHooks&) -> absl::StatusOr<superbet::v1::Checkpoint> {
          return absl::DataLossError("bad data");
        },
        1, out, clock);
    REQUIRE(job.ok());
    const hrl::TrainingProgress p = (*job)->Wait();
    CHECK(p.state == hrl::TrainingState::kFailed);
    CHECK(p.error == "DATA_LOSS: bad data");
  }
  {
    // A trainer that runs until stopped.
    auto job = hrl::TrainingJob::Run(
        [](const hrl::TrainingHooks& hooks) -> absl::StatusOr<superbet::v1::Checkpoint> {
          for (int i = 0; i < 1'000'000; ++i) {
            if (hooks.stop()) return absl::CancelledError("stopped on request");
            absl::SleepFor(absl::Milliseconds(1));
          }
          return absl::DeadlineExceededError("never stopped");
        },
        1, out, clock);
    REQUIRE(job.ok());
    (*job)->Cancel();
    const hrl::TrainingProgress p = (*job)->Wait();
    CHECK(p.state == hrl::TrainingState::kCancelled);
  }
  CHECK_FALSE(std::filesystem::exists(out + "/checkpoint.pb"));
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace superbet::testing
