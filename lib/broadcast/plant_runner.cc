// A live plant's life cycle (moved from broadcast-svc's main: its PlantHolder, pump thread and
// drain on SIGTERM), with the drain deadline on the injected clock instead of absl::Now().
#include "superbet/broadcast/plant_runner.h"

#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "superbet/broadcast/service_status.h"

namespace superbet::broadcast {

absl::StatusOr<std::unique_ptr<PlantRunner>> PlantRunner::Create(
    PlantOptions options, superbet::bus::Transport* transport, const superbet::core::Clock* clock,
    SleepFn sleep, std::map<std::string, Publisher*> publishers, PlantRunnerOptions runner) {
  if (runner.pump_period <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("pump_period must be > 0, got " +
                                      absl::FormatDuration(runner.pump_period));
  }
  auto plant = BroadcastPlant::Create(std::move(options), transport, clock, std::move(sleep),
                                      std::move(publishers));
  if (!plant.ok()) return plant.status();
  return std::unique_ptr<PlantRunner>(new PlantRunner(*std::move(plant), clock, std::move(runner)));
}

PlantRunner::PlantRunner(std::unique_ptr<BroadcastPlant> plant, const superbet::core::Clock* clock,
                         PlantRunnerOptions runner)
    : clock_(clock), runner_(std::move(runner)), plant_(std::move(plant)) {}

PlantRunner::~PlantRunner() { StopPump(); }

absl::Status PlantRunner::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (started_ || stop_.HasBeenNotified()) {
      return absl::FailedPreconditionError("plant runner already started or drained");
    }
    if (absl::Status s = plant_->Start(); !s.ok()) return s;
    // Persistent stage workers: main, priority and each platform stage on their own connection
    // and thread; the pump then only reports their errors (RunUntil with a past deadline returns
    // a worker's error, else OK at once).
    if (runner_.worker_connect) {
      if (absl::Status s = plant_->StartWorkers(runner_.worker_connect); !s.ok()) return s;
    }
    started_ = true;
  }
  pump_ = std::thread([this] { PumpLoop(); });
  return absl::OkStatus();
}

void PlantRunner::PumpLoop() {
  while (!stop_.HasBeenNotified()) {
    absl::Status s;
    {
      absl::MutexLock lock(&mu_);
      s = plant_->RunUntil(absl::InfinitePast());
      if (runner_.on_degraded) ReportDegraded();
    }
    if (!s.ok() && runner_.on_pump_error) runner_.on_pump_error(s);
    stop_.WaitForNotificationWithTimeout(runner_.pump_period);
  }
}

namespace {

constexpr const char* kBreakerStateNames[] = {"CLOSED", "OPEN", "HALF_OPEN", "DISABLED"};

const char* BreakerStateName(int state) {
  return state >= 0 && state < 4 ? kBreakerStateNames[state] : "UNKNOWN";
}

// `now[key] - before[key]` for every key of `now` whose count rose.
std::map<std::string, int64_t> Rises(const std::map<std::string, int64_t>& before,
                                     const std::map<std::string, int64_t>& now) {
  std::map<std::string, int64_t> out;
  for (const auto& [key, n] : now) {
    auto it = before.find(key);
    const int64_t rise = n - (it == before.end() ? 0 : it->second);
    if (rise > 0) out[key] = rise;
  }
  return out;
}

}  // namespace

void PlantRunner::ReportDegraded() {
  PlantMetrics now = plant_->metrics();
  for (const auto& [platform, m] : now.platforms) {
    const auto it = last_reported_.platforms.find(platform);
    const PlatformMetrics before =
        it == last_reported_.platforms.end() ? PlatformMetrics{} : it->second;
    PlatformMetrics& reported = last_reported_.platforms[platform];
    const std::map<std::string, int64_t> dead = Rises(before.dlq_by_reason, m.dlq_by_reason);
    if (!dead.empty()) {
      std::string errors;
      for (const auto& [reason, n] : Rises(before.publish_errors, m.publish_errors)) {
        absl::StrAppend(&errors, errors.empty() ? "" : ", ", reason, " ", n);
      }
      for (const auto& [reason, n] : dead) {
        runner_.on_degraded(absl::StrCat(platform, ": ", n, " event(s) moved to broadcast.dlq (",
                                         reason,
                                         "); publish errors: ", errors.empty() ? "none" : errors));
      }
      // The errors are reported with the dead letters they led to; errors that end in a publish
      // (retried, then posted) are in the metrics only.
      reported.publish_errors = m.publish_errors;
      reported.dlq_by_reason = m.dlq_by_reason;
    }
    if (m.breaker_state != before.breaker_state) {
      runner_.on_degraded(absl::StrCat(
          platform, ": circuit breaker ", BreakerStateName(m.breaker_state), " (was ",
          BreakerStateName(before.breaker_state), ")",
          m.breaker_state == 1 ? ": its events wait in the digest until it closes" : ""));
      reported.breaker_state = m.breaker_state;
    }
  }
}

void PlantRunner::StopPump() {
  // Once, whichever of Drain (on any thread) and the destructor comes first.
  std::call_once(join_once_, [this] {
    stop_.Notify();
    if (pump_.joinable()) pump_.join();
  });
}

absl::Status PlantRunner::Status(superbet::v1::BroadcastStatus* out) {
  absl::MutexLock lock(&mu_);
  return FillBroadcastStatus(*plant_, clock_->Now(), out);
}

absl::Status PlantRunner::FlushDigest(const superbet::v1::FlushDigestRequest& request,
                                      superbet::v1::FlushDigestResponse* out) {
  absl::MutexLock lock(&mu_);
  return FlushBroadcastDigest(*plant_, request, out);
}

PlantMetrics PlantRunner::Metrics() {
  absl::MutexLock lock(&mu_);
  return plant_->metrics();
}

DrainReport PlantRunner::Drain(absl::Duration deadline) {
  StopPump();
  DrainReport report;
  absl::MutexLock lock(&mu_);
  if (!drained_) {
    drained_ = true;
    // The workers stop (each finishes its step); what they hold is drained below by Pump.
    report.stop_workers = plant_->StopWorkers();
    report.run = plant_->RunUntil(clock_->Now() + deadline);
  }
  report.outstanding = plant_->Outstanding();
  return report;
}

}  // namespace superbet::broadcast
