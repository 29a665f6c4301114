// broadcast-svc's GetStatus and FlushDigest answers, built from the plant
// (superbet/broadcast/plant.h): per-platform breaker state, token-bucket levels, digest size and
// staleness, DLQ depth; an on-demand digest flush.
//
// Thread-safety: the plant is thread-compatible; callers hold the lock that guards it.
#ifndef SUPERBET_SERVICES_BROADCAST_STATUS_H_
#define SUPERBET_SERVICES_BROADCAST_STATUS_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "superbet/broadcast/plant.h"
#include "superbet/v1/services.pb.h"

namespace superbet::services {

// Fills `out` (observed_at = `now`). A bucket that cannot be read leaves hourly_tokens,
// daily_tokens and global_daily_tokens absent (logged), not an error.
void FillBroadcastStatus(broadcast::BroadcastPlant& plant, absl::Time now,
                         v1::BroadcastStatus* out);

// Runs the plant's FlushDigestNow for request.platform ("" = all).
// Errors: InvalidArgument "platform: ..." for a platform not enabled; the transport's.
[[nodiscard]] absl::Status FlushBroadcastDigest(broadcast::BroadcastPlant& plant,
                                                const v1::FlushDigestRequest& request,
                                                v1::FlushDigestResponse* out);

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_BROADCAST_STATUS_H_
