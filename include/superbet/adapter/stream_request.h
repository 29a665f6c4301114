// A StreamLiveMatches request (services.proto) checked and turned into the options of
// providers::StreamLiveUpdates: what adapter-svc's handler streams with, usable without gRPC.
#ifndef SUPERBET_ADAPTER_STREAM_REQUEST_H_
#define SUPERBET_ADAPTER_STREAM_REQUEST_H_

#include "absl/status/statusor.h"
#include "superbet/providers/live_updates.h"
#include "superbet/v1/services.pb.h"

namespace superbet::adapter {

// match_ids as asked (empty: every match live when the stream starts); interval: the request's
// interval_s, or `default_interval_s` when it is 0 (providers::StreamInterval); max_updates as
// asked (0 = no limit). The stop and wait functions are left for the caller to set.
// Errors: InvalidArgument naming the field and the value: interval_s negative, NaN, infinite or
// below 0.01 s ("interval_s must be 0 (default) or >= 0.01 s, got -1"); max_updates < 0
// ("max_updates must be >= 0 (0 = no limit), got -3"); an empty match id ("match_ids[1]: empty").
[[nodiscard]] absl::StatusOr<providers::LiveStreamOptions> StreamOptionsFromRequest(
    const superbet::v1::StreamLiveMatchesRequest& request, double default_interval_s);

}  // namespace superbet::adapter

#endif  // SUPERBET_ADAPTER_STREAM_REQUEST_H_
