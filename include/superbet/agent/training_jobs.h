// Training jobs started and watched by request (agent-svc's StartTraining / WatchTraining, usable
// without gRPC): one job at a time (superbet/hrl/training_job.h), its checkpoint written under a
// training folder. Agent "live" / "live-ppo" trains the live worker (as `superbet train --agent
// live`); "prematch" the pre-match worker (as `superbet train --agent prematch`, the same code:
// superbet/hrl/train_prematch.h, so the same checkpoint bytes for the same request and seed).
//
// Start validates the request (agent, seasons, seed, steps, episodes, worker, data_dir,
// output, match ids: INVALID_ARGUMENT naming the field and the value), refuses a second job while
// one runs (RESOURCE_EXHAUSTED) and returns "train-<n>". Watch streams the job's progress,
// one message per PPO update (live) or per pass over the seasons (prematch; a first one when the
// features are computed), until the job ends (the last message has done = true); a finished job
// can be watched again (its last state). When the owner drains (SIGTERM in agent-svc) the running
// job is cancelled: a watcher gets a last message with state "cancelled" and Watch returns OK.
//
// Source: the request and progress messages of superbet.v1.AgentService (services.proto); PPO
// (Schulman et al. 2017) for the live worker, tabular Q-learning / DQN (Mnih et al. 2015) for the
// pre-match worker (superbet/hrl/prematch.h).
//
// Thread-safety: thread-safe (one mutex over the job table; a Watch blocks only its caller).
// Ownership: owns the jobs (their threads end in CancelAll or the destructor); the clock must
// outlive it.

#ifndef SUPERBET_AGENT_TRAINING_JOBS_H_
#define SUPERBET_AGENT_TRAINING_JOBS_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "superbet/core/clock.h"
#include "superbet/hrl/training_job.h"
#include "superbet/v1/services.pb.h"

namespace superbet::agent {

struct TrainingJobsOptions {
  std::string training_dir;   // Outputs go under it; "" = Start is FAILED_PRECONDITION.
  std::string training_data;  // Data root (laid out like ../shared/data) when a request has none.
};

// Writes one progress message to a watcher; false when the stream is closed.
using ProgressWriter = std::function<bool(const superbet::v1::TrainingProgress&)>;

class TrainingJobs {
 public:
  TrainingJobs(TrainingJobsOptions options, const core::Clock& clock)
      : options_(std::move(options)), clock_(clock) {}
  ~TrainingJobs() { CancelAll(); }

  // Validates `request`, loads its data and starts the job on a thread of its own; returns the
  // job id ("train-1", "train-2", ...). Live agents: seasons only "1516", steps in [1, 10^7],
  // train_matches StatsBomb ids, no league / episodes / worker / decide_at_closing. Prematch:
  // steps 0, no train_matches, the rest as `superbet train --agent prematch`
  // (hrl::CheckPreMatchTrainArgs, its "train_seasons[i]" named "seasons[i]").
  // Errors: FailedPrecondition without a training_dir ("StartTraining is disabled: agent-svc was
  // started without --training_dir"); InvalidArgument naming the field and the value (agent,
  // seed > 2^63-1, data_dir not an existing folder, output absolute or with '..' / '.', ...);
  // AlreadyExists when the output folder already holds a checkpoint.pb; ResourceExhausted while
  // another job runs; a data loading error (NotFound, ...) as hrl::TrainingJob::Start /
  // hrl::LoadPreMatchTraining gives it.
  [[nodiscard]] absl::StatusOr<std::string> Start(
      const superbet::v1::StartTrainingRequest& request);

  // Writes the job's current progress, then every change after it in order (none coalesced),
  // until the job ends (the last message has done = true; a finished job gives its last state
  // only). Polled every 200 ms: `cancelled()` true (the watcher went away) returns Cancelled;
  // `draining()` true cancels the job, whose last state ("cancelled") is then written.
  // Errors: NotFound for an unknown job id ("job_id: unknown training job "x""); Cancelled;
  // Unavailable when `write` returns false.
  [[nodiscard]] absl::Status Watch(const std::string& job_id, const ProgressWriter& write,
                                   const std::function<bool()>& cancelled,
                                   const std::function<bool()>& draining);

  // Cancels the running job (if any) and waits for it to end.
  void CancelAll();

 private:
  // Agent "prematch": validated, the seasons loaded, the job started.
  [[nodiscard]] absl::StatusOr<std::string> StartPreMatch(
      const superbet::v1::StartTrainingRequest& request, const std::string& data_root,
      const std::string& out);
  [[nodiscard]] absl::Status CheckNoJobRunning() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const TrainingJobsOptions options_;
  const core::Clock& clock_;
  absl::Mutex mu_;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<std::string, std::shared_ptr<hrl::TrainingJob>> jobs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace superbet::agent

#endif  // SUPERBET_AGENT_TRAINING_JOBS_H_
