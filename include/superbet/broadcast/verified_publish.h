// Adding a verified prediction to risk.verified once per event: the path of a producer that
// answers its caller with the entry's stream id and may be called again for the same event
// (broadcast-svc's Publish, retried by a client that lost the answer).
//
// The entry is the plant's own encoding (RiskVerifiedFields in prediction_input.h: the validated
// JSON line and its CloudEvent id pred-{match_id}-{decided_at ms}); the plant consumes it as any
// other producer's entry. The event's marker key broadcast:verified:{event id} remembers the
// stream id: Transport::AddOnce checks the marker and, when it is absent, XADDs the entry and sets
// the marker to the new id, atomically (one Lua script on Redis: one round trip).
//
// So the same event published twice, even concurrently, is one entry in risk.verified, and every
// call returns that entry's stream id. Limits: the marker is this path's only (another
// producer's entry for the same event is not seen; the plant's per-platform idempotency guard
// still keeps it from being posted twice); a marker is forgotten after marker_ttl (by default the
// guard's 24 h), and a later add of the same event is a new entry (posted once, by the guard).
//
// Source: Redis XADD (redis.io/commands/xadd), SET EX (redis.io/commands/set), EVAL scripts
// run atomically (redis.io/docs/interact/programmability/eval-intro).

#ifndef SUPERBET_BROADCAST_VERIFIED_PUBLISH_H_
#define SUPERBET_BROADCAST_VERIFIED_PUBLISH_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/bus/transport.h"

namespace superbet::broadcast {

// "broadcast:verified:pred-...": the marker of an event added by AddVerifiedOnce.
std::string VerifiedMarkerKey(absl::string_view event_id);

struct VerifiedAddOptions {
  absl::Duration marker_ttl = absl::Hours(24);  // How long an added event's stream id is kept.
};

struct VerifiedAdd {
  std::string event_id;    // The CloudEvent id (the entry's event_id field).
  std::string stream_id;   // The entry's id in risk.verified, "<ms>-<seq>".
  bool duplicate = false;  // True: added by an earlier call; this call wrote nothing.
};

// Adds the risk.verified entry `fields` (as returned by RiskVerifiedFields: it must hold a
// non-empty "event_id") once per event id, on `transport` (use a connection of the caller's own,
// see bus/transport_pool.h). `min_id_ms` (Unix ms, 0 = none): entries older than it are trimmed
// (the plant's retention).
// Errors: InvalidArgument when `fields` has no event_id; the transport's.
[[nodiscard]] absl::StatusOr<VerifiedAdd> AddVerifiedOnce(superbet::bus::Transport& transport,
                                                          const superbet::bus::Fields& fields,
                                                          int64_t min_id_ms,
                                                          const VerifiedAddOptions& options = {});

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_VERIFIED_PUBLISH_H_
