// agent-svc's StartTraining / WatchTraining: one training job at a time
// (superbet/hrl/training_job.h), its checkpoint written under the service's --training_dir. Agent
// "live" / "live-ppo" trains the live worker (as `superbet train --agent live`); "prematch" the
// pre-match worker (as `superbet train --agent prematch`, the same code: cli/train_prematch.h, so
// the same checkpoint bytes for the same request and seed).
//
// StartTraining validates the request (agent, seasons, seed, steps, episodes, worker, data_dir,
// output, match ids: INVALID_ARGUMENT naming the field and the value), refuses a second job while
// one runs (RESOURCE_EXHAUSTED) and returns "train-<n>". WatchTraining streams the job's progress,
// one message per PPO update (live) or per pass over the seasons (prematch; a first one when the
// features are computed), until the job ends (the last message has done = true); a finished job
// can be watched again (its last state). On SIGTERM the service cancels the running job: a watcher
// gets a last message with state "cancelled" and the stream ends OK.
//
// Thread-safety: thread-safe. Ownership: owns the jobs; the clock must outlive it.
#ifndef SUPERBET_SERVICES_AGENT_TRAINING_SERVICE_H_
#define SUPERBET_SERVICES_AGENT_TRAINING_SERVICE_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/sync_stream.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/flags.h"
#include "superbet/core/clock.h"
#include "superbet/hrl/training_job.h"
#include "superbet/v1/services.pb.h"

namespace superbet::services {

struct TrainingServiceOptions {
  std::string training_dir;   // Outputs go under it; "" = StartTraining is FAILED_PRECONDITION.
  std::string training_data;  // Data root used when a request has no data_dir.

  // --training_dir and --training_data.
  void Register(FlagSet& flags);
};

class TrainingService {
 public:
  TrainingService(TrainingServiceOptions options, const core::Clock& clock)
      : options_(std::move(options)), clock_(clock) {}
  ~TrainingService() { CancelAll(); }

  // Errors: FailedPrecondition without --training_dir; InvalidArgument naming the field;
  // AlreadyExists when the output folder already holds a checkpoint; ResourceExhausted while
  // another job runs; a data loading error (NotFound, ...) as PrepareLiveTraining /
  // LoadPreMatchTraining gives it.
  [[nodiscard]] absl::StatusOr<std::string> Start(const v1::StartTrainingRequest& request);

  // Streams the job's progress until it ends, the client goes away (Cancelled) or `draining()`
  // becomes true (then the job is cancelled and its last state is sent). Errors: NotFound for an
  // unknown job id; Unavailable when a write fails.
  [[nodiscard]] absl::Status Watch(const std::string& job_id, grpc::ServerContext* context,
                                   grpc::ServerWriterInterface<v1::TrainingProgress>* writer,
                                   const std::function<bool()>& draining);

  // Cancels the running job (if any) and waits for it to end.
  void CancelAll();

 private:
  // Agent "prematch": validated, the seasons loaded, the job started.
  absl::StatusOr<std::string> StartPreMatch(const v1::StartTrainingRequest& request,
                                            const std::string& data_root, const std::string& out);
  absl::Status CheckNoJobRunning() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const TrainingServiceOptions options_;
  const core::Clock& clock_;
  absl::Mutex mu_;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<std::string, std::shared_ptr<hrl::TrainingJob>> jobs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_AGENT_TRAINING_SERVICE_H_
