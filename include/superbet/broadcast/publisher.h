// A platform publisher: sends one formatted event to one platform (X, Telegram, FCM, or a sink)
// and classifies the outcome for the retry policy:
//   success            the platform accepted the event;
//   retry (transient)  network error, timeout, HTTP 429 or 5xx: retried with equal-jitter backoff,
//                      honouring `retry_after` when the platform sent one;
//   neither            any other 4xx: permanent, never retried; goes to the DLQ with `reason`.

#ifndef SUPERBET_BROADCAST_PUBLISHER_H_
#define SUPERBET_BROADCAST_PUBLISHER_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/broadcast/cloud_event.h"

namespace superbet::broadcast {

struct PublishResult {
  bool success = false;
  bool retry = false;                         // Transient failure (worth another attempt).
  std::string reason;                         // Stable id: "http_500", "timeout", "http_400".
  std::string error;                          // Detail (no credentials).
  std::optional<absl::Duration> retry_after;  // The platform's hint (Retry-After, retry_after).
};

// Classifies an HTTP status: 2xx success; 429 and 5xx retry; other 4xx permanent. `status` 0 means
// no response (network error or timeout): retry.
PublishResult ClassifyHttpStatus(long status, absl::string_view detail);

// Thread-compatible: the plant calls one publisher from one thread at a time.
class Publisher {
 public:
  virtual ~Publisher() = default;
  // The platform name ("twitter", "telegram", "android").
  virtual absl::string_view platform() const = 0;
  // Publishes `event`; `cloud_event_json` is its structured-mode CloudEvent.
  virtual PublishResult Publish(const BroadcastEvent& event,
                                absl::string_view cloud_event_json) = 0;
};

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_PUBLISHER_H_
