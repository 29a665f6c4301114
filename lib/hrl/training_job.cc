#include "superbet/hrl/training_job.h"

#include <atomic>
#include <deque>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::hrl {

namespace v1 = superbet::v1;

absl::StatusOr<PreparedLiveTraining> PrepareLiveTraining(const LiveTrainingSpec& spec) {
  if (spec.total_env_steps < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("total_env_steps must be >= 1, got ", spec.total_env_steps));
  }
  auto fixtures = providers::ReplayableMatches(spec.data_root);
  if (!fixtures.ok()) return fixtures.status();
  std::vector<std::string> train = spec.train_matches, eval = spec.eval_matches;
  if (train.empty()) {
    for (size_t i = 0; i < fixtures->size() && i < kDefaultLiveTrainMatches; ++i) {
      train.push_back((*fixtures)[i].id());
    }
  }
  const std::set<std::string> train_set(train.begin(), train.end());
  if (!spec.load_eval_matches) {
    eval.clear();
  } else if (eval.empty()) {
    for (const auto& f : *fixtures) {
      if (!train_set.count(f.id())) eval.push_back(f.id());
    }
  }
  for (const std::string& id : eval) {
    if (train_set.count(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("held-out match ", id, " is also a training match"));
    }
  }
  providers::ReplayLoadOptions load;
  load.only_matches = train;
  load.only_matches.insert(load.only_matches.end(), eval.begin(), eval.end());
  absl::StatusOr<providers::ReplayData> data = providers::LoadReplayData(spec.data_root, load);
  if (!data.ok()) return data.status();
  PreparedLiveTraining out;
  out.options.seed = spec.seed;
  out.options.total_env_steps = spec.total_env_steps;
  // Keep the order the caller gave (default: kickoff order), not the loader's.
  for (const std::vector<std::string>* ids : {&train, &eval}) {
    for (const std::string& id : *ids) {
      const providers::statsbomb::Timeline* t = nullptr;
      for (const auto& tl : data->timelines) {
        if (tl.fixture.id() == id) t = &tl;
      }
      if (t == nullptr) {
        out.left_out.push_back(absl::StrCat(id, ": not loaded"));
        continue;
      }
      absl::StatusOr<LiveMatch> m = PrepareLiveMatch(*t, out.options.env.prices);
      if (!m.ok()) {
        out.left_out.push_back(std::string(m.status().message()));
        continue;
      }
      (ids == &train ? out.train : out.eval).push_back(*std::move(m));
    }
  }
  if (out.train.empty()) {
    return absl::FailedPreconditionError("no training match could be prepared");
  }
  return out;
}

namespace {

struct StateName {
  TrainingState state;
  absl::string_view name;
};
constexpr StateName kStateNames[] = {{TrainingState::kRunning, "running"},
                                     {TrainingState::kDone, "done"},
                                     {TrainingState::kFailed, "failed"},
                                     {TrainingState::kCancelled, "cancelled"}};

}  // namespace

absl::string_view TrainingStateName(TrainingState state) {
  for (const StateName& s : kStateNames) {
    if (s.state == state) return s.name;
  }
  return "unknown";
}

struct TrainingJob::State {
  explicit State(const core::Clock& c) : clock(c) {}
  const core::Clock& clock;
  absl::Time started;
  std::atomic<bool> cancel{false};
  mutable absl::Mutex mu;
  TrainingProgress progress ABSL_GUARDED_BY(mu);
  std::deque<TrainingProgress> history ABSL_GUARDED_BY(mu);  // Versions 1.., the last kept.
  std::thread thread;

  bool Ended() const ABSL_SHARED_LOCKS_REQUIRED(mu) {
    return progress.state != TrainingState::kRunning;
  }
  // Applies `change` and bumps the version, under the lock.
  template <typename F>
  void Update(F change) {
    absl::MutexLock lock(&mu);
    change(progress);
    progress.elapsed_s = absl::ToDoubleSeconds(clock.Now() - started);
    ++progress.version;
    history.push_back(progress);
    if (history.size() > kTrainingHistory) history.pop_front();
  }
};

TrainingJob::TrainingJob() = default;

absl::StatusOr<std::unique_ptr<TrainingJob>> TrainingJob::Start(const LiveTrainingSpec& spec,
                                                                std::string out_dir,
                                                                const core::Clock& clock) {
  if (out_dir.empty()) return absl::InvalidArgumentError("out_dir is empty");
  absl::StatusOr<PreparedLiveTraining> prepared = PrepareLiveTraining(spec);
  if (!prepared.ok()) return prepared.status();
  auto shared = std::make_shared<PreparedLiveTraining>(*std::move(prepared));
  TrainingBody body = [shared](const TrainingHooks& hooks) -> absl::StatusOr<v1::Checkpoint> {
    PreparedLiveTraining& p = *shared;
    p.options.stop_requested = hooks.stop;
    absl::StatusOr<LiveTrainResult> result =
        TrainLiveWorker(std::move(p.train), p.options, [&hooks](const PpoUpdateStats& u) {
          hooks.report([&u](TrainingProgress& pr) {
            pr.step = u.total_env_steps;
            pr.updates = u.update;
            pr.episodes += u.episodes;
            pr.mean_episode_return = u.mean_episode_return;
            pr.policy_loss = u.policy_loss;
          });
        });
    if (!result.ok()) return result.status();
    return std::move(result->checkpoint);
  };
  return Run(std::move(body), spec.total_env_steps, std::move(out_dir), clock);
}

absl::StatusOr<std::unique_ptr<TrainingJob>> TrainingJob::Run(TrainingBody body,
                                                              int64_t total_steps,
                                                              std::string out_dir,
                                                              const core::Clock& clock) {
  if (out_dir.empty()) return absl::InvalidArgumentError("out_dir is empty");
  if (!body) return absl::InvalidArgumentError("body is null");
  std::unique_ptr<TrainingJob> job(new TrainingJob());
  auto state = std::make_shared<State>(clock);
  job->state_ = state;
  state->started = clock.Now();
  {
    absl::MutexLock lock(&state->mu);
    state->progress.total_steps = total_steps;
  }
  State* s = state.get();
  state->thread = std::thread([s, body = std::move(body), out_dir]() {
    TrainingHooks hooks;
    hooks.stop = [s] { return s->cancel.load(); };
    hooks.report = [s](const std::function<void(TrainingProgress&)>& change) {
      s->Update([&change](TrainingProgress& pr) { change(pr); });
    };
    absl::StatusOr<v1::Checkpoint> checkpoint = body(hooks);
    absl::Status status = checkpoint.status();
    if (status.ok()) status = SaveCheckpoint(out_dir, *std::move(checkpoint));
    s->Update([&](TrainingProgress& pr) {
      if (status.ok()) {
        pr.state = TrainingState::kDone;
        pr.checkpoint_path = absl::StrCat(out_dir, "/checkpoint.pb");
      } else {
        pr.state = absl::IsCancelled(status) ? TrainingState::kCancelled : TrainingState::kFailed;
        pr.error = status.ToString();
      }
    });
  });
  return job;
}

TrainingJob::~TrainingJob() {
  if (state_ == nullptr) return;
  state_->cancel.store(true);
  if (state_->thread.joinable()) state_->thread.join();
}

TrainingProgress TrainingJob::Snapshot() const {
  absl::MutexLock lock(&state_->mu);
  return state_->progress;
}

TrainingProgress TrainingJob::WaitForChange(int64_t after_version, absl::Duration timeout) const {
  State* s = state_.get();
  absl::MutexLock lock(&s->mu);
  auto changed = [s, after_version]() ABSL_SHARED_LOCKS_REQUIRED(s->mu) {
    return s->progress.version > after_version || s->Ended();
  };
  s->mu.AwaitWithTimeout(absl::Condition(&changed), timeout);
  return s->progress;
}

std::vector<TrainingProgress> TrainingJob::ChangesSince(int64_t after_version,
                                                        absl::Duration timeout) const {
  State* s = state_.get();
  absl::MutexLock lock(&s->mu);
  auto changed = [s, after_version]() ABSL_SHARED_LOCKS_REQUIRED(s->mu) {
    return s->progress.version > after_version;
  };
  s->mu.AwaitWithTimeout(absl::Condition(&changed), timeout);
  std::vector<TrainingProgress> out;
  for (const TrainingProgress& p : s->history) {
    if (p.version > after_version) out.push_back(p);
  }
  return out;
}

void TrainingJob::Cancel() { state_->cancel.store(true); }

TrainingProgress TrainingJob::Wait() const {
  State* s = state_.get();
  absl::MutexLock lock(&s->mu);
  auto ended = [s]() ABSL_SHARED_LOCKS_REQUIRED(s->mu) { return s->Ended(); };
  s->mu.Await(absl::Condition(&ended));
  return s->progress;
}

}  // namespace superbet::hrl
