// Publish: an accepted decision's prediction (superbet.v1.PublishRequest, services.proto) added to
// risk.verified once per event, the path of broadcast-svc's Publish RPC and of any program that
// hands the plant predictions one call at a time and wants the entry's stream id back.
//
// The prediction is validated by the plant's own reader and encoded as BroadcastPlant::Ingest
// would write it (RiskVerifiedFields, superbet/broadcast/prediction_input.h), then added once per
// event (AddVerifiedOnce, superbet/broadcast/verified_publish.h: marker
// broadcast:verified:{event id}) on a connection of its own taken from a pool
// (superbet/bus/transport_pool.h), without the plant's lock: the plant consumes the entry as any
// other producer's. The answer carries the event id (pred-{match_id}-{decided_at ms}) and the
// entry's stream id; a second Publish of the same event returns the first one's stream id and
// writes nothing.
//
// Counting, once per call that reaches the plant's reader: input_lines; then either one rejected
// line under its reason (the call is InvalidArgument), or one accepted (a new entry), or one
// duplicate (broadcast_publish_duplicates_total). AddCountsTo merges the first three into a
// plant's counters, so broadcast_input_lines_total and broadcast_rejected_lines_total{reason}
// count Publish's lines as they count Ingest's.
//
// Thread-safety: thread-safe (many request threads may call Publish at once; the pool bounds the
// connections). Does not own the pool, the clock or the duplicates counter.

#ifndef SUPERBET_BROADCAST_PUBLISH_HANDLER_H_
#define SUPERBET_BROADCAST_PUBLISH_HANDLER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/broadcast/metrics.h"
#include "superbet/broadcast/plant.h"
#include "superbet/broadcast/verified_publish.h"
#include "superbet/bus/transport_pool.h"
#include "superbet/core/clock.h"
#include "superbet/core/metrics.h"
#include "superbet/v1/services.pb.h"

namespace superbet::broadcast {

class PublishHandler {
 public:
  // `retention`: the XADD trims entries older than now - retention (the plant's
  // PlantOptions::retention). `duplicates` (may be null) counts duplicate Publishes.
  PublishHandler(superbet::bus::TransportPool* pool, const superbet::core::Clock* clock,
                 absl::Duration retention, VerifiedAddOptions options,
                 superbet::core::Counter* duplicates);

  // The handler a plant configured with `plant` needs: its retention, and markers kept as long as
  // its idempotency guard (PlantOptions::sent_ttl, 24 h by default). When `registry` is not null,
  // registers there the counter broadcast_publish_duplicates_total (no labels) and counts
  // duplicates in it. Errors: the registry's (AlreadyExists when the name is taken).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PublishHandler>> Create(
      superbet::bus::TransportPool* pool, const superbet::core::Clock* clock,
      const PlantOptions& plant, superbet::core::MetricsRegistry* registry);

  // Adds request.decision.prediction to risk.verified once per event (see the file comment) and
  // fills response.event_id and response.stream_id ("<ms>-<seq>").
  // Errors: FailedPrecondition when decision.verdict is not VERDICT_ACCEPTED; InvalidArgument
  // when request.event_id is neither empty nor the derived id (both named), or
  // "decision.prediction rejected by the plant: <json path>: <problem>" when the plant's reader
  // refuses the prediction (e.g. "odds.home: decimal odds must be finite and > 1, got 0.97");
  // the pool's (DeadlineExceeded when every connection stays busy) and the transport's.
  [[nodiscard]] absl::Status Publish(const superbet::v1::PublishRequest& request,
                                     superbet::v1::PublishResponse* response);

  // Adds this handler's input_lines, accepted and rejected_by_reason to `metrics`.
  void AddCountsTo(PlantMetrics* metrics) const;

 private:
  superbet::bus::TransportPool* const pool_;
  const superbet::core::Clock* const clock_;
  const absl::Duration retention_;
  const VerifiedAddOptions options_;
  superbet::core::Counter* const duplicates_;
  mutable absl::Mutex mu_;
  int64_t input_lines_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, int64_t> rejected_by_reason_ ABSL_GUARDED_BY(mu_);
};

// The Prometheus text of `plant` (a plant's metrics()) with `publish`'s counts added
// (AddCountsTo), as PrometheusText (superbet/broadcast/metrics.h) writes it. When the text cannot
// be written, one comment line "# broadcast metrics: <error>\n" instead (a scrape never fails).
std::string BroadcastMetricsText(PlantMetrics plant, const PublishHandler& publish);

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_PUBLISH_HANDLER_H_
