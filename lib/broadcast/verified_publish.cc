#include "superbet/broadcast/verified_publish.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "superbet/bus/topics.h"

namespace superbet::broadcast {

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
  auto added = transport.AddOnce(superbet::bus::kRiskVerified, fields,
                                 VerifiedMarkerKey(out.event_id), options.marker_ttl, min_id_ms);
  if (!added.ok()) return added.status();
  out.stream_id = std::move(added->first);
  out.duplicate = !added->second;
  return out;
}

}  // namespace superbet::broadcast
