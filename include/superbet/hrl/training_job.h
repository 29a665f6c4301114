// The live worker's offline training as a job: what `superbet train --agent live` runs, on a
// background thread, with progress a caller can poll or wait on, cancellation, and the checkpoint
// written to an output folder when it ends. agent-svc's StartTraining / WatchTraining run it.
// TrainingJob::Run runs any other trainer (the pre-match worker's) with the same machinery.
//
// The job trains exactly as `superbet train --agent live` with the same data, match lists, seed
// and steps (both call PrepareLiveTraining and TrainLiveWorker of superbet/hrl/live_worker.h), so
// the checkpoint bytes are the same (CheckpointBytes). The held-out evaluation of the CLI is not
// part of the job.
//
// IN-PLAY PRICES ARE MODELLED, NOT RECORDED (superbet/hrl/live_prices.h).

#ifndef SUPERBET_HRL_TRAINING_JOB_H_
#define SUPERBET_HRL_TRAINING_JOB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/core/clock.h"
#include "superbet/hrl/live_env.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/v1/checkpoint.pb.h"

namespace superbet::hrl {

// Training matches when none are named: the first this many recorded StatsBomb matches by kickoff.
inline constexpr int kDefaultLiveTrainMatches = 25;

// What to train on. Match ids are "statsbomb:<id>".
struct LiveTrainingSpec {
  std::string data_root;                   // Laid out like ../shared/data.
  std::vector<std::string> train_matches;  // Empty: the first kDefaultLiveTrainMatches by kickoff.
  std::vector<std::string> eval_matches;   // Empty: every recorded match not trained on.
  uint64_t seed = 1;                       // Network, sampling and episode order.
  int64_t total_env_steps = 20000;         // Updates continue until at least this many steps.
  bool load_eval_matches = true;           // false: no held-out match is loaded (eval empty).
};

// The matches of a spec, loaded and prepared, in the order given (default: kickoff order).
struct PreparedLiveTraining {
  std::vector<LiveMatch> train;
  std::vector<LiveMatch> eval;
  std::vector<std::string> left_out;  // One message per match that could not be prepared.
  LiveTrainOptions options;           // seed and total_env_steps from the spec; defaults else.
};

// Loads the StatsBomb timelines of the spec's matches (superbet/providers/replay_provider.h) and
// prepares them (PrepareLiveMatch). A loaded match that cannot be prepared is left out and named
// in `left_out`, not an error.
// Errors: those of ReplayableMatches / LoadReplayData (the folder, a file, NotFound naming a match
// that is not recorded); InvalidArgument
// naming the match when a held-out match is also a training match, or total_env_steps < 1;
// FailedPrecondition when no training match could be prepared.
[[nodiscard]] absl::StatusOr<PreparedLiveTraining> PrepareLiveTraining(
    const LiveTrainingSpec& spec);

enum class TrainingState { kRunning, kDone, kFailed, kCancelled };
// "running", "done", "failed", "cancelled".
absl::string_view TrainingStateName(TrainingState state);

// Snapshots a job keeps for ChangesSince.
inline constexpr size_t kTrainingHistory = 4096;

// A snapshot of a job's progress.
struct TrainingProgress {
  TrainingState state = TrainingState::kRunning;
  int64_t version = 0;  // Grows by one with every change of the snapshot.
  // Live: environment steps so far. Pre-match: decisions so far (steps per pass x passes).
  int64_t step = 0;
  // Live: the spec's total_env_steps (the last update may pass it). Pre-match: steps per pass x
  // passes, 0 until the environment is built.
  int64_t total_steps = 0;
  int64_t updates = 0;   // Live: PPO updates so far. Pre-match: passes (epochs) so far.
  int64_t episodes = 0;  // Live: episodes (matches played) so far. Pre-match: passes so far.
  // Live: the last update's mean episode return. Pre-match: the last pass's mean reward.
  // Absent before the first update / pass.
  std::optional<double> mean_episode_return;
  // Live: the last update's PPO policy loss. Pre-match: the last pass's mean squared TD error.
  // Absent before the first update / pass.
  std::optional<double> policy_loss;
  double elapsed_s = 0;         // Since Start, by the injected clock.
  std::string error;            // Failed / cancelled: why.
  std::string checkpoint_path;  // Done: <out_dir>/checkpoint.pb.
};

// What a trainer run by TrainingJob::Run is handed: `stop()` turns true once the job is cancelled
// (the trainer returns Cancelled at its next epoch / update boundary); `report(change)` applies
// `change` to the job's snapshot (under its lock; the version and elapsed_s are bumped by the job).
struct TrainingHooks {
  std::function<bool()> stop;
  std::function<void(const std::function<void(TrainingProgress&)>&)> report;
};
// A trainer: trains and returns the checkpoint the job writes; Cancelled when stopped.
using TrainingBody = std::function<absl::StatusOr<superbet::v1::Checkpoint>(const TrainingHooks&)>;

// One training job on its own thread.
//
// Thread-safety: every method is thread-safe. Ownership: owns its thread; the destructor cancels
// the job and joins the thread. The clock is not owned and must outlive the job.
class TrainingJob {
 public:
  // The live worker: prepares the data on the caller's thread (so a bad spec fails here), then
  // trains on a new thread and writes <out_dir>/checkpoint.pb and checkpoint.json
  // (SaveCheckpoint) at the end.
  // Errors: those of PrepareLiveTraining; InvalidArgument when out_dir is empty.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TrainingJob>> Start(
      const LiveTrainingSpec& spec, std::string out_dir, const core::Clock& clock);
  // Any trainer: runs `body` on a new thread (total_steps is the snapshot's until the body
  // reports another) and writes the checkpoint it returns to <out_dir> (SaveCheckpoint). A body
  // error ends the job kFailed (kCancelled for Cancelled) without a checkpoint.
  // Errors: InvalidArgument when out_dir is empty or body is null.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TrainingJob>> Run(TrainingBody body,
                                                                        int64_t total_steps,
                                                                        std::string out_dir,
                                                                        const core::Clock& clock);
  ~TrainingJob();
  TrainingJob(const TrainingJob&) = delete;
  TrainingJob& operator=(const TrainingJob&) = delete;

  TrainingProgress Snapshot() const;
  // Blocks until the snapshot's version is > `after_version`, the job has ended, or `timeout`
  // has passed (real time); returns the snapshot then.
  TrainingProgress WaitForChange(int64_t after_version, absl::Duration timeout) const;
  // Every snapshot with a version > `after_version`, oldest first, so that a watcher sees each
  // update / pass even when several happen between two calls; waits (real time) up to `timeout`
  // for the first. Empty when none came. Only the last kTrainingHistory snapshots are kept: a
  // caller further behind gets the oldest kept one first (a jump in versions).
  std::vector<TrainingProgress> ChangesSince(int64_t after_version, absl::Duration timeout) const;
  // Asks the job to stop after the PPO update in progress; it ends kCancelled without writing a
  // checkpoint. No effect once it has ended.
  void Cancel();
  // Blocks until the job has ended; returns its last snapshot.
  TrainingProgress Wait() const;

 private:
  struct State;
  TrainingJob();
  std::shared_ptr<State> state_;
};
// The live worker's job (the name it had before TrainingJob::Run).
using LiveTrainingJob = TrainingJob;

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_TRAINING_JOB_H_
