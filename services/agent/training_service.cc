#include "agent/training_service.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <limits>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::services {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kMaxSteps = 10'000'000;

v1::TrainingProgress ToProto(const std::string& job_id, const hrl::TrainingProgress& p) {
  v1::TrainingProgress out;
  out.set_job_id(job_id);
  out.set_step(p.step);
  out.set_total_steps(p.total_steps);
  if (p.mean_episode_return.has_value()) out.set_mean_reward(*p.mean_episode_return);
  out.set_done(p.state != hrl::TrainingState::kRunning);
  out.set_error(p.error);
  out.set_state(std::string(hrl::TrainingStateName(p.state)));
  out.set_updates(p.updates);
  out.set_episodes(p.episodes);
  if (p.policy_loss.has_value()) out.set_policy_loss(*p.policy_loss);
  out.set_elapsed_s(p.elapsed_s);
  out.set_checkpoint(p.checkpoint_path);
  return out;
}

// `output` relative to `root`, with no "..", "." or empty component: root/output.
absl::StatusOr<std::string> OutputDir(const std::string& root, const std::string& output) {
  const fs::path rel(output);
  if (output.empty() || rel.is_absolute()) {
    return absl::InvalidArgumentError(
        absl::StrCat("output must be a folder relative to --training_dir, got \"", output, "\""));
  }
  for (const fs::path& part : rel) {
    if (part == ".." || part == "." || part.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "output must stay under --training_dir (no '..' or '.'), got \"", output, "\""));
    }
  }
  return (fs::path(root) / rel).string();
}

}  // namespace

void TrainingServiceOptions::Register(FlagSet& flags) {
  flags.String("training_dir", &training_dir,
               "StartTraining writes checkpoints only under this folder (empty: StartTraining "
               "is refused)");
  flags.String("training_data", &training_data,
               "data root (like ../shared/data) for StartTraining requests without data_dir");
}

absl::StatusOr<std::string> TrainingService::Start(const v1::StartTrainingRequest& r) {
  if (options_.training_dir.empty()) {
    return absl::FailedPreconditionError(
        "StartTraining is disabled: agent-svc was started without --training_dir");
  }
  if (r.agent() != "live" && r.agent() != hrl::kLiveAgentName) {
    return absl::InvalidArgumentError(
        absl::StrCat("agent must be \"live\" or \"live-ppo\", got \"", r.agent(),
                     "\" (pre-match agents: `superbet train --agent prematch`)"));
  }
  for (int i = 0; i < r.seasons_size(); ++i) {
    if (r.seasons(i) != "1516") {
      return absl::InvalidArgumentError(
          absl::StrCat("seasons[", i, "] must be \"1516\" (the StatsBomb season recorded), got \"",
                       r.seasons(i), "\""));
    }
  }
  if (r.seed() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat("seed must be <= 2^63-1, got ", r.seed()));
  }
  if (r.steps() < 1 || r.steps() > kMaxSteps) {
    return absl::InvalidArgumentError(
        absl::StrCat("steps must be in [1, ", kMaxSteps, "], got ", r.steps()));
  }
  hrl::LiveTrainingSpec spec;
  spec.data_root = r.data_dir().empty() ? options_.training_data : r.data_dir();
  std::error_code ec;
  if (spec.data_root.empty() || !fs::is_directory(spec.data_root, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("data_dir must be an existing folder, got \"", spec.data_root, "\"",
                     r.data_dir().empty() ? " (from --training_data)" : ""));
  }
  for (int i = 0; i < r.train_matches_size(); ++i) {
    absl::StatusOr<int64_t> id = providers::statsbomb::ParseStatsBombId(r.train_matches(i));
    if (!id.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "train_matches[", i, "] is not a StatsBomb match id, got \"", r.train_matches(i), "\""));
    }
    spec.train_matches.push_back(absl::StrCat("statsbomb:", *id));
  }
  spec.seed = r.seed();
  spec.total_env_steps = r.steps();
  spec.load_eval_matches = false;
  absl::StatusOr<std::string> out = OutputDir(options_.training_dir, r.output());
  if (!out.ok()) return out.status();
  if (fs::exists(fs::path(*out) / "checkpoint.pb", ec)) {
    return absl::AlreadyExistsError(
        absl::StrCat("output \"", r.output(), "\" already holds a checkpoint.pb"));
  }

  absl::MutexLock lock(&mu_);
  for (const auto& [id, job] : jobs_) {
    if (job->Snapshot().state == hrl::TrainingState::kRunning) {
      return absl::ResourceExhaustedError(
          absl::StrCat("training job ", id, " is running; agent-svc runs one job at a time"));
    }
  }
  // Data loading happens here, under the lock, so that two concurrent starts cannot both pass.
  auto job = hrl::LiveTrainingJob::Start(spec, *out, clock_);
  if (!job.ok()) return job.status();
  const std::string id = absl::StrCat("train-", next_id_++);
  jobs_[id] = std::shared_ptr<hrl::LiveTrainingJob>(*std::move(job));
  spdlog::info("training job {} started: live, {} steps, seed {}, output {}", id, r.steps(),
               r.seed(), *out);
  return id;
}

absl::Status TrainingService::Watch(const std::string& job_id, grpc::ServerContext* context,
                                    grpc::ServerWriterInterface<v1::TrainingProgress>* writer,
                                    const std::function<bool()>& draining) {
  std::shared_ptr<hrl::LiveTrainingJob> job;
  {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) {
      return absl::NotFoundError(absl::StrCat("job_id: unknown training job \"", job_id, "\""));
    }
    job = it->second;
  }
  int64_t sent = -1;
  while (true) {
    if (context->IsCancelled()) return absl::CancelledError("the client went away");
    if (draining()) job->Cancel();
    const hrl::TrainingProgress p = job->WaitForChange(sent, absl::Milliseconds(200));
    if (p.version != sent) {
      if (!writer->Write(ToProto(job_id, p))) {
        return absl::UnavailableError("WatchTraining: the stream is closed");
      }
      sent = p.version;
    }
    if (p.state != hrl::TrainingState::kRunning) return absl::OkStatus();
  }
}

void TrainingService::CancelAll() {
  std::vector<std::shared_ptr<hrl::LiveTrainingJob>> jobs;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [id, job] : jobs_) jobs.push_back(job);
  }
  for (auto& job : jobs) job->Cancel();
  for (auto& job : jobs) job->Wait();
}

}  // namespace superbet::services
