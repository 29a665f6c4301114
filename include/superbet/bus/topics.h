// Stream, consumer-group and key names of the broadcast plant (one Redis Stream per former Kafka
// topic; per-platform outboxes as bulkheads).

#ifndef SUPERBET_BUS_TOPICS_H_
#define SUPERBET_BUS_TOPICS_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace superbet::bus {

inline constexpr absl::string_view kRiskVerified = "risk.verified";
inline constexpr absl::string_view kMainGroup = "broadcast-plant-main";
inline constexpr absl::string_view kPriorityQueue = "broadcast.queue.priority";
inline constexpr absl::string_view kPriorityGroup = "broadcast-plant-priority";
inline constexpr absl::string_view kDigestStream = "broadcast.digest.buffer";
inline constexpr absl::string_view kDlq = "broadcast.dlq";

// "broadcast.outbox.twitter".
inline std::string OutboxStream(absl::string_view platform) {
  return absl::StrCat("broadcast.outbox.", platform);
}
// "twitter-adapter-consumer".
inline std::string AdapterGroup(absl::string_view platform) {
  return absl::StrCat(platform, "-adapter-consumer");
}
// "broadcast:limits:twitter", "broadcast:limits:global".
inline std::string LimitsKey(absl::string_view platform) {
  return absl::StrCat("broadcast:limits:", platform);
}
// "broadcast:digest:twitter:1953601".
inline std::string DigestKey(absl::string_view platform, int64_t bucket_id) {
  return absl::StrCat("broadcast:digest:", platform, ":", bucket_id);
}
// The set naming a platform's digest lists "broadcast:digest-index:twitter" (so that the plant
// finds its digest buckets without scanning the keyspace; Transport::IndexedKeys).
inline std::string DigestIndexKey(absl::string_view platform) {
  return absl::StrCat("broadcast:digest-index:", platform);
}
// Idempotency guard "broadcast:sent:twitter:pred-...".
inline std::string SentKey(absl::string_view platform, absl::string_view event_id) {
  return absl::StrCat("broadcast:sent:", platform, ":", event_id);
}
// Terminal outcome per event: hash field event id -> "published" or "dlq:<reason>"; the dropped
// hash holds the drop reason.
inline std::string OutcomeKey(absl::string_view platform) {
  return absl::StrCat("broadcast:outcome:", platform);
}
inline constexpr absl::string_view kDroppedKey = "broadcast:outcome:dropped";

}  // namespace superbet::bus

#endif  // SUPERBET_BUS_TOPICS_H_
