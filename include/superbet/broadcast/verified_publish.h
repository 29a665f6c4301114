// Adding a verified prediction to risk.verified once per event: the path of a producer that
// answers its caller with the entry's stream id and may be called again for the same event
// (broadcast-svc's Publish, retried by a client that lost the answer).
//
// The entry is the plant's own encoding (RiskVerifiedFields in prediction_input.h: the validated
// JSON line and its CloudEvent id pred-{match_id}-{decided_at ms}); the plant consumes it as any
// other producer's entry. The event's marker key broadcast:verified:{event id} remembers the
// stream id:
//
//   1. SET marker "adding" NX GET EX adding_ttl (one round trip).
//      - it was absent: this call owns the event, go on;
//      - it holds a stream id: the event was added before; nothing is written and that stream id
//        is returned (duplicate = true);
//      - it holds "adding": another call is adding the same event now: Aborted (retry).
//   2. XADD risk.verified (MINID ~ min_id_ms when > 0) -> stream id. On failure the marker is
//      deleted (best effort), so a retry adds the event.
//   3. SET marker <stream id> EX marker_ttl.
//
// So the same event published twice is one entry in risk.verified, and the second call returns
// the first call's stream id. Limits: the marker is this path's only (another producer's entry
// for the same event is not seen; the plant's per-platform idempotency guard still keeps it from
// being posted twice); a caller that dies between steps 1 and 3 leaves "adding" for adding_ttl,
// and a retry after that adds a second entry (posted once, again by the guard); a marker is
// forgotten after marker_ttl (by default the guard's 24 h).
//
// Source: Redis SET (NX, GET, EX; redis.io/commands/set), XADD (redis.io/commands/xadd).

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
  absl::Duration marker_ttl = absl::Hours(24);    // How long an added event's stream id is kept.
  absl::Duration adding_ttl = absl::Seconds(30);  // How long a claim lasts while its XADD runs.
};

struct VerifiedAdd {
  std::string event_id;    // The CloudEvent id (the entry's event_id field).
  std::string stream_id;   // The entry's id in risk.verified, "<ms>-<seq>".
  bool duplicate = false;  // True: added by an earlier call; this call wrote nothing.
};

// Adds the risk.verified entry `fields` (as returned by RiskVerifiedFields: it must hold a
// non-empty "event_id") once per event id, steps above, on `transport` (3 round trips for a new
// event, 1 for a duplicate; use a connection of the caller's own, see bus/transport_pool.h).
// `min_id_ms` (Unix ms, 0 = none): entries older than it are trimmed (the plant's retention).
// Errors: InvalidArgument when `fields` has no event_id; Aborted naming the event when another
// call is adding it now; the transport's (step 1 or 2; a failed step 3 is returned too: the entry
// exists, and a retry within adding_ttl is Aborted).
[[nodiscard]] absl::StatusOr<VerifiedAdd> AddVerifiedOnce(superbet::bus::Transport& transport,
                                                          const superbet::bus::Fields& fields,
                                                          int64_t min_id_ms,
                                                          const VerifiedAddOptions& options = {});

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_VERIFIED_PUBLISH_H_
