#include "superbet/adapter/stream_request.h"

#include "absl/strings/str_cat.h"

namespace superbet::adapter {

absl::StatusOr<providers::LiveStreamOptions> StreamOptionsFromRequest(
    const superbet::v1::StreamLiveMatchesRequest& request, double default_interval_s) {
  providers::LiveStreamOptions options;
  auto interval = providers::StreamInterval(request.interval_s(), default_interval_s);
  if (!interval.ok()) return interval.status();
  options.interval = *interval;
  if (request.max_updates() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_updates must be >= 0 (0 = no limit), got ", request.max_updates()));
  }
  options.max_updates = request.max_updates();
  for (int i = 0; i < request.match_ids_size(); ++i) {
    if (request.match_ids(i).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("match_ids[", i, "]: empty"));
    }
  }
  options.match_ids.assign(request.match_ids().begin(), request.match_ids().end());
  return options;
}

}  // namespace superbet::adapter
