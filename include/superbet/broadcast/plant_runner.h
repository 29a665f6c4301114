// PlantRunner: a BroadcastPlant (superbet/broadcast/plant.h) run live by a long-lived process, the
// life cycle broadcast-svc gives it, without gRPC:
//
//   Create   the plant on the caller's transport (BroadcastPlant::Create).
//   Start    the consumer groups (BroadcastPlant::Start); with a `worker_connect` factory, the
//            persistent stage workers (BroadcastPlant::StartWorkers: main, priority and each
//            platform stage on a connection and thread of their own); then the pump thread,
//            which every `pump_period` takes the lock and calls RunUntil(InfinitePast()): with
//            workers it only collects an error a worker reported; without workers it runs the
//            stages until nothing moves (a single-threaded live plant). Errors it meets go to
//            `on_pump_error` and the pump goes on.
//   Status / FlushDigest / Metrics   the plant's answers under the lock
//            (superbet/broadcast/service_status.h).
//   Drain    on shutdown: stop the pump, stop the workers (each finishes its step; what they hold
//            stays held by this consumer), run the plant until nothing is outstanding or
//            `deadline` has passed on the injected clock, and report what is left. Entries still
//            pending stay in Redis for another replica's XAUTOCLAIM.
//
// Time: the drain deadline is measured on the injected clock and the plant sleeps with the
// injected sleep function; only the pump's period is a real-time wait (the cadence of a live
// process, not logic).
//
// Thread-safety: thread-safe. One absl::Mutex serialises the pump, Status, FlushDigest, Metrics
// and Drain: the plant is driven by one thread at a time. Owns the plant and the pump thread; does
// not own the transport, clock or publishers, which must outlive it (the publishers and the
// sleep function are called from the pump thread and, with workers, from the workers' threads).

#ifndef SUPERBET_BROADCAST_PLANT_RUNNER_H_
#define SUPERBET_BROADCAST_PLANT_RUNNER_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "superbet/broadcast/metrics.h"
#include "superbet/broadcast/plant.h"
#include "superbet/bus/transport.h"
#include "superbet/core/clock.h"
#include "superbet/v1/services.pb.h"

namespace superbet::broadcast {

struct PlantRunnerOptions {
  // Opens one connection for a persistent stage worker (2 + platforms calls at Start). Empty: no
  // workers; the pump thread runs the stages.
  BroadcastPlant::ConnectFn worker_connect;
  // Real-time wait between two runs of the pump (> 0).
  absl::Duration pump_period = absl::Milliseconds(500);
  // Called from the pump thread with each error RunUntil returns (may be empty).
  std::function<void(const absl::Status&)> on_pump_error;
  // Called from the pump thread, after a run, with one line per change an operator must see in
  // the log (may be empty; the counts are also in the metrics): a platform's circuit breaker
  // changing state ("telegram: circuit breaker OPEN (was CLOSED): ..."), and events moved to
  // broadcast.dlq since the last line, per platform and reason, with the publish errors by reason
  // counted since then ("telegram: 2 event(s) moved to broadcast.dlq (max_attempts_exceeded);
  // publish errors: network 10"). Each change is reported once. Reads the plant's metrics() on
  // each run of the pump when set.
  std::function<void(const std::string&)> on_degraded;
};

// What Drain did. Each step runs whatever the ones before returned.
struct DrainReport {
  absl::Status stop_workers;         // StopWorkers' result (a worker's last error), else OK.
  absl::Status run;                  // RunUntil(now + deadline)'s result.
  absl::StatusOr<bool> outstanding;  // Outstanding() after the run: true = work left in Redis.
};

class PlantRunner {
 public:
  // Creates the plant (see BroadcastPlant::Create for `options`, `sleep` and `publishers`) on
  // `transport`. Errors: InvalidArgument as BroadcastPlant::Create (bad options, an enabled
  // platform without publisher); InvalidArgument when runner.pump_period <= 0.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PlantRunner>> Create(
      PlantOptions options, superbet::bus::Transport* transport, const superbet::core::Clock* clock,
      SleepFn sleep, std::map<std::string, Publisher*> publishers, PlantRunnerOptions runner);
  // Stops the pump when Drain was not called; the plant stops its workers.
  ~PlantRunner();
  PlantRunner(const PlantRunner&) = delete;
  PlantRunner& operator=(const PlantRunner&) = delete;

  // Creates the consumer groups, starts the workers (with worker_connect) and the pump thread.
  // Call Start and Drain from one thread (a process's main thread).
  // Errors: FailedPrecondition when already started or drained; the transport's; worker_connect's
  // (no worker and no pump started).
  [[nodiscard]] absl::Status Start();

  // GetStatus: FillBroadcastStatus(plant, clock.Now(), out) under the lock. Returns its status:
  // OK, or the token-bucket read error (`out` filled all the same, token fields absent).
  [[nodiscard]] absl::Status Status(superbet::v1::BroadcastStatus* out);

  // FlushDigest: FlushBroadcastDigest under the lock (the workers, if any, pause for the flush).
  // Errors: as FlushBroadcastDigest.
  [[nodiscard]] absl::Status FlushDigest(const superbet::v1::FlushDigestRequest& request,
                                         superbet::v1::FlushDigestResponse* out);

  // The plant's metrics() under the lock (for /metrics).
  PlantMetrics Metrics();

  // Shutdown, once (see the file comment): stops the pump (waits for its current run), stops the
  // workers, runs the plant until clock.Now() + `deadline`, then asks what is outstanding. Later
  // calls only repeat the Outstanding() question. Status, FlushDigest and Metrics still answer
  // after it.
  DrainReport Drain(absl::Duration deadline);

 private:
  PlantRunner(std::unique_ptr<BroadcastPlant> plant, const superbet::core::Clock* clock,
              PlantRunnerOptions runner);
  void PumpLoop();
  void StopPump();
  // The on_degraded lines of what changed since `last_reported_`, which it then becomes.
  void ReportDegraded() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const superbet::core::Clock* const clock_;
  const PlantRunnerOptions runner_;
  absl::Mutex mu_;
  std::unique_ptr<BroadcastPlant> plant_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool drained_ ABSL_GUARDED_BY(mu_) = false;
  PlantMetrics last_reported_ ABSL_GUARDED_BY(mu_);  // What on_degraded has reported.
  absl::Notification stop_;
  std::once_flag join_once_;
  std::thread pump_;
};

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_PLANT_RUNNER_H_
