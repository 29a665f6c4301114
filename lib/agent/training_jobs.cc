#include "superbet/agent/training_jobs.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <limits>
#include <system_error>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "superbet/hrl/train_prematch.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::agent {
namespace {

namespace fs = std::filesystem;
namespace v1 = superbet::v1;
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

absl::StatusOr<std::string> TrainingJobs::Start(const v1::StartTrainingRequest& r) {
  if (options_.training_dir.empty()) {
    return absl::FailedPreconditionError(
        "StartTraining is disabled: agent-svc was started without --training_dir");
  }
  const bool prematch = r.agent() == "prematch";
  if (!prematch && r.agent() != "live" && r.agent() != hrl::kLiveAgentName) {
    return absl::InvalidArgumentError(absl::StrCat(
        "agent must be \"live\", \"live-ppo\" or \"prematch\", got \"", r.agent(), "\""));
  }
  if (r.seed() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat("seed must be <= 2^63-1, got ", r.seed()));
  }
  const std::string data_root = r.data_dir().empty() ? options_.training_data : r.data_dir();
  std::error_code ec;
  if (data_root.empty() || !fs::is_directory(data_root, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("data_dir must be an existing folder, got \"", data_root, "\"",
                     r.data_dir().empty() ? " (from --training_data)" : ""));
  }
  absl::StatusOr<std::string> out = OutputDir(options_.training_dir, r.output());
  if (!out.ok()) return out.status();
  if (fs::exists(fs::path(*out) / "checkpoint.pb", ec)) {
    return absl::AlreadyExistsError(
        absl::StrCat("output \"", r.output(), "\" already holds a checkpoint.pb"));
  }
  if (prematch) return StartPreMatch(r, data_root, *out);

  for (int i = 0; i < r.seasons_size(); ++i) {
    if (r.seasons(i) != "1516") {
      return absl::InvalidArgumentError(
          absl::StrCat("seasons[", i, "] must be \"1516\" (the StatsBomb season recorded), got \"",
                       r.seasons(i), "\""));
    }
  }
  if (r.steps() < 1 || r.steps() > kMaxSteps) {
    return absl::InvalidArgumentError(
        absl::StrCat("steps must be in [1, ", kMaxSteps, "], got ", r.steps()));
  }
  if (!r.league().empty() || !r.worker().empty() || r.episodes() != 0 || r.decide_at_closing()) {
    return absl::InvalidArgumentError(
        "league, episodes, worker and decide_at_closing apply to agent \"prematch\" only");
  }
  hrl::LiveTrainingSpec spec;
  spec.data_root = data_root;
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

  absl::MutexLock lock(&mu_);
  if (absl::Status s = CheckNoJobRunning(); !s.ok()) return s;
  // Data loading happens here, under the lock, so that two concurrent starts cannot both pass.
  auto job = hrl::TrainingJob::Start(spec, *out, clock_);
  if (!job.ok()) return job.status();
  const std::string id = absl::StrCat("train-", next_id_++);
  jobs_[id] = std::shared_ptr<hrl::TrainingJob>(*std::move(job));
  spdlog::info("training job {} started: live, {} steps, seed {}, output {}", id, r.steps(),
               r.seed(), *out);
  return id;
}

absl::Status TrainingJobs::CheckNoJobRunning() {
  for (const auto& [id, job] : jobs_) {
    if (job->Snapshot().state == hrl::TrainingState::kRunning) {
      return absl::ResourceExhaustedError(
          absl::StrCat("training job ", id, " is running; agent-svc runs one job at a time"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TrainingJobs::StartPreMatch(const v1::StartTrainingRequest& r,
                                                        const std::string& data_root,
                                                        const std::string& out) {
  if (r.steps() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "steps must be 0 for agent \"prematch\" (it trains for `episodes` passes), got ",
        r.steps()));
  }
  if (r.train_matches_size() > 0) {
    return absl::InvalidArgumentError(
        "train_matches applies to live agents only (prematch trains on `seasons`)");
  }
  hrl::PreMatchTrainArgs args;
  args.data_root = data_root;
  if (!r.league().empty()) args.league = r.league();
  args.train_seasons.assign(r.seasons().begin(), r.seasons().end());
  args.seed = r.seed();
  if (r.episodes() != 0) args.episodes = r.episodes();
  if (!r.worker().empty()) args.worker = r.worker();
  args.decide_at_closing = r.decide_at_closing();
  if (absl::Status s = hrl::CheckPreMatchTrainArgs(args); !s.ok()) {
    // The library names train_seasons[i]; the request calls them seasons.
    std::string m(s.message());
    if (absl::StartsWith(m, "train_seasons")) m = m.substr(std::string("train_").size());
    return absl::InvalidArgumentError(m);
  }

  absl::MutexLock lock(&mu_);
  if (absl::Status s = CheckNoJobRunning(); !s.ok()) return s;
  // The seasons are loaded here, under the lock (a missing season fails the call); the features
  // and the passes run on the job's thread.
  auto data = hrl::LoadPreMatchTraining(args);
  if (!data.ok()) return data.status();
  auto shared = std::make_shared<hrl::PreMatchTrainingData>(*std::move(data));
  hrl::TrainingBody body =
      [args, shared](const hrl::TrainingHooks& hooks) -> absl::StatusOr<v1::Checkpoint> {
    int64_t per_pass = 0;
    hrl::PreMatchTrainHooks h;
    h.stop = hooks.stop;
    h.on_env = [&](int64_t steps) {
      per_pass = steps;
      hooks.report([&](hrl::TrainingProgress& p) { p.total_steps = steps * args.episodes; });
    };
    h.on_episode = [&](const hrl::PreMatchEpisodeLog& e) {
      hooks.report([&](hrl::TrainingProgress& p) {
        p.step = per_pass * e.episode;
        p.updates = e.episode;
        p.episodes = e.episode;
        p.mean_episode_return = e.mean_reward;
        p.policy_loss = e.loss;
      });
    };
    absl::StatusOr<hrl::PreMatchTrainResult> result =
        hrl::TrainPreMatchCheckpoint(args, *shared, h);
    if (!result.ok()) return result.status();
    return std::move(result->checkpoint);
  };
  auto job = hrl::TrainingJob::Run(std::move(body), 0, out, clock_);
  if (!job.ok()) return job.status();
  const std::string id = absl::StrCat("train-", next_id_++);
  jobs_[id] = std::shared_ptr<hrl::TrainingJob>(*std::move(job));
  spdlog::info("training job {} started: prematch ({}), {} episodes, seed {}, output {}", id,
               args.worker, args.episodes, r.seed(), out);
  return id;
}

absl::Status TrainingJobs::Watch(const std::string& job_id, const ProgressWriter& write,
                                 const std::function<bool()>& cancelled,
                                 const std::function<bool()>& draining) {
  std::shared_ptr<hrl::TrainingJob> job;
  {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) {
      return absl::NotFoundError(absl::StrCat("job_id: unknown training job \"", job_id, "\""));
    }
    job = it->second;
  }
  // The current snapshot first, then every change after it in order (no pass or update is
  // coalesced away, however fast they come).
  const hrl::TrainingProgress now = job->Snapshot();
  if (!write(ToProto(job_id, now))) {
    return absl::UnavailableError("WatchTraining: the stream is closed");
  }
  if (now.state != hrl::TrainingState::kRunning) return absl::OkStatus();
  int64_t sent = now.version;
  while (true) {
    if (cancelled()) return absl::CancelledError("the client went away");
    if (draining()) job->Cancel();
    for (const hrl::TrainingProgress& p : job->ChangesSince(sent, absl::Milliseconds(200))) {
      if (!write(ToProto(job_id, p))) {
        return absl::UnavailableError("WatchTraining: the stream is closed");
      }
      sent = p.version;
      if (p.state != hrl::TrainingState::kRunning) return absl::OkStatus();
    }
  }
}

void TrainingJobs::CancelAll() {
  std::vector<std::shared_ptr<hrl::TrainingJob>> jobs;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [id, job] : jobs_) jobs.push_back(job);
  }
  for (auto& job : jobs) job->Cancel();
  for (auto& job : jobs) job->Wait();
}

}  // namespace superbet::agent
