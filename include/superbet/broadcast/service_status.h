// The answers of superbet.v1.BroadcastService's GetStatus and FlushDigest
// (proto/superbet/v1/services.proto), built from a BroadcastPlant (superbet/broadcast/plant.h):
// per-platform circuit-breaker state, token-bucket levels, digest size and staleness, dead-letter
// queue depth; an on-demand digest flush. Plain protobuf messages: a program without gRPC can
// answer the same questions (a CLI, a dashboard exporter).
//
// Thread-safety: the plant is thread-compatible; callers hold the lock that guards it
// (PlantRunner, superbet/broadcast/plant_runner.h, does).

#ifndef SUPERBET_BROADCAST_SERVICE_STATUS_H_
#define SUPERBET_BROADCAST_SERVICE_STATUS_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "superbet/broadcast/plant.h"
#include "superbet/v1/services.pb.h"

namespace superbet::broadcast {

// Fills `out` from plant.metrics() and plant.BucketLevels(), observed at `now` (UTC, the caller's
// clock): one PlatformStatus per enabled platform, in name order, with
//   breaker_state        the breaker's state as broadcast_circuit_breaker_state exports it
//                        (0 closed, 1 open, 2 half-open);
//   digest_size          events buffered in the platform's digest buckets;
//   digest_staleness_s   seconds since the oldest buffered event was first seen, present only when
//                        digest_size > 0 (absent, not 0, for an empty buffer);
//   hourly_tokens        tokens left in the hourly bucket, present only when the platform has an
//                        hourly limit (PlantOptions::limits[platform].hourly > 0);
//   daily_tokens         tokens left in the daily bucket;
// global_daily_tokens: the per-prediction global bucket; dlq_depth: events the platforms sent to
// the dead-letter queue (the sum of every platform's dlq_by_reason).
//
// Returns OK, or the error BucketLevels returned: `out` is then filled all the same, with every
// token field absent (a status page still answers while Redis hiccups); the caller logs it, it is
// not the request's error.
[[nodiscard]] absl::Status FillBroadcastStatus(BroadcastPlant& plant, absl::Time now,
                                               superbet::v1::BroadcastStatus* out);

// Runs plant.FlushDigestNow for request.platform ("" = every enabled platform), flushing the
// bucket still filling too when request.include_current; copies the DigestFlushResult into `out`.
// Errors: InvalidArgument "platform: platform \"x\" is not enabled in this plant" for a platform
// not enabled; the transport's.
[[nodiscard]] absl::Status FlushBroadcastDigest(BroadcastPlant& plant,
                                                const superbet::v1::FlushDigestRequest& request,
                                                superbet::v1::FlushDigestResponse* out);

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_SERVICE_STATUS_H_
