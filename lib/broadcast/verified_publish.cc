#include "superbet/broadcast/verified_publish.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "superbet/bus/topics.h"

namespace superbet::broadcast {
namespace {

// The marker's value while its XADD runs; a stream id never looks like it ("<ms>-<seq>").
constexpr absl::string_view kAdding = "adding";

}  // namespace

std::string VerifiedMarkerKey(absl::string_view event_id) {
  return absl::StrCat("broadcast:verified:", event_id);
}

absl::StatusOr<VerifiedAdd> AddVerifiedOnce(superbet::bus::Transport& transport,
                                            const superbet::bus::Fields& fields, int64_t min_id_ms,
                                            const VerifiedAddOptions& options) {
  VerifiedAdd out;
  for (const auto& [name, value] : fields) {
    if (name == "event_id") out.event_id = value;
  }
  if (out.event_id.empty()) {
    return absl::InvalidArgumentError("risk.verified entry: field event_id missing or empty");
  }
  const std::vector<std::string> key = {VerifiedMarkerKey(out.event_id)};
  auto claimed = transport.SetIfAbsentMany(key, kAdding, options.adding_ttl);
  if (!claimed.ok()) return claimed.status();
  if (const std::optional<std::string>& held = claimed->front(); held.has_value()) {
    // "" is the transport's stand-in for a marker that expired between SET NX and GET.
    if (*held == kAdding || held->empty()) {
      return absl::AbortedError(absl::StrCat("event ", out.event_id,
                                             " is being added to risk.verified by another call; "
                                             "retry"));
    }
    out.stream_id = *held;
    out.duplicate = true;
    return out;
  }
  auto id = transport.Add(superbet::bus::kRiskVerified, fields, min_id_ms);
  if (!id.ok()) {
    (void)transport.Delete(key.front());  // Best effort: a retry may add the event.
    return id.status();
  }
  out.stream_id = *std::move(id);
  if (absl::Status s = transport.Set(key.front(), out.stream_id, options.marker_ttl); !s.ok()) {
    return absl::Status(
        s.code(), absl::StrCat("event ", out.event_id, " added to risk.verified as ", out.stream_id,
                               " but its marker was not set: ", s.message()));
  }
  return out;
}

}  // namespace superbet::broadcast
