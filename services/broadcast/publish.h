// broadcast-svc's Publish: an accepted decision's prediction, validated by the plant's reader, is
// added to risk.verified once per event (superbet/broadcast/verified_publish.h) on a connection
// of its own from a pool (superbet/bus/transport_pool.h), without the plant's lock: the pump
// thread consumes the entry as any other producer's (agent-svc's live consumer writes the same
// entries). The answer carries the event id and the entry's stream id; a second Publish of the
// same event returns the first one's stream id and writes nothing.
//
// Counting, once per call that reaches the plant's reader: input_lines; then either one rejected
// line under its reason (the call is INVALID_ARGUMENT), or one accepted (a new entry), or one
// duplicate. AddCountsTo merges the first three into the plant's counters, so /metrics'
// broadcast_input_lines_total and broadcast_rejected_lines_total mean what they meant when
// Publish went through BroadcastPlant::Ingest.
//
// Thread-safety: thread-safe. Does not own the pool, clock or counter.
#ifndef SUPERBET_SERVICES_BROADCAST_PUBLISH_H_
#define SUPERBET_SERVICES_BROADCAST_PUBLISH_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/broadcast/metrics.h"
#include "superbet/broadcast/verified_publish.h"
#include "superbet/bus/transport_pool.h"
#include "superbet/core/clock.h"
#include "superbet/core/metrics.h"
#include "superbet/v1/services.pb.h"

namespace superbet::services {

class PublishHandler {
 public:
  // `retention`: entries older than now - retention are trimmed by the XADD (the plant's
  // PlantOptions::retention). `duplicates` (may be null) counts duplicate Publishes.
  PublishHandler(bus::TransportPool* pool, const core::Clock* clock, absl::Duration retention,
                 broadcast::VerifiedAddOptions options, core::Counter* duplicates);

  // Errors: FailedPrecondition when decision.verdict is not VERDICT_ACCEPTED; InvalidArgument
  // when event_id is neither empty nor the derived id, or "decision.prediction rejected by the
  // plant: <json path>: <problem>" when the plant's reader refuses the prediction; the pool's
  // and the transport's.
  [[nodiscard]] absl::Status Publish(const v1::PublishRequest& request,
                                     v1::PublishResponse* response);

  // Adds this handler's input_lines, accepted and rejected_by_reason to `metrics`.
  void AddCountsTo(broadcast::PlantMetrics* metrics) const;

 private:
  bus::TransportPool* const pool_;
  const core::Clock* const clock_;
  const absl::Duration retention_;
  const broadcast::VerifiedAddOptions options_;
  core::Counter* const duplicates_;
  mutable absl::Mutex mu_;
  int64_t input_lines_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, int64_t> rejected_by_reason_ ABSL_GUARDED_BY(mu_);
};

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_BROADCAST_PUBLISH_H_
