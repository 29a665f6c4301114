// GetStatus / FlushDigest answers from the plant (moved from broadcast-svc, behaviour unchanged).
#include "superbet/broadcast/service_status.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace superbet::broadcast {

absl::Status FillBroadcastStatus(BroadcastPlant& plant, absl::Time now,
                                 superbet::v1::BroadcastStatus* out) {
  const PlantMetrics m = plant.metrics();
  auto levels = plant.BucketLevels();
  int64_t dlq = 0;
  for (const auto& [platform, p] : m.platforms) {
    superbet::v1::PlatformStatus* s = out->add_platforms();
    s->set_platform(platform);
    s->set_breaker_state(p.breaker_state);
    s->set_digest_size(p.digest_buffer_size);
    if (p.digest_buffer_size > 0) s->set_digest_staleness_s(p.digest_staleness_s);
    for (const auto& [reason, n] : p.dlq_by_reason) dlq += n;
    if (!levels.ok()) continue;
    auto it = levels->find(platform);
    if (it == levels->end()) continue;
    const auto lim = plant.options().limits.find(platform);
    if (lim != plant.options().limits.end() && lim->second.hourly > 0) {
      s->set_hourly_tokens(it->second.hourly);
    }
    s->set_daily_tokens(it->second.daily);
  }
  if (levels.ok()) {
    auto g = levels->find("global");
    if (g != levels->end()) out->set_global_daily_tokens(g->second.daily);
  }
  out->set_dlq_depth(dlq);
  const int64_t ns = absl::ToUnixNanos(now);
  out->mutable_observed_at()->set_seconds(ns / 1'000'000'000);
  out->mutable_observed_at()->set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
  return levels.status();
}

absl::Status FlushBroadcastDigest(BroadcastPlant& plant,
                                  const superbet::v1::FlushDigestRequest& request,
                                  superbet::v1::FlushDigestResponse* out) {
  std::vector<std::string> only;
  if (!request.platform().empty()) only.push_back(request.platform());
  auto r = plant.FlushDigestNow(only, request.include_current());
  if (absl::IsInvalidArgument(r.status())) {
    return absl::InvalidArgumentError(absl::StrCat("platform: ", r.status().message()));
  }
  if (!r.ok()) return r.status();
  out->set_sent(r->sent);
  out->set_failed(r->failed);
  out->set_requeued(r->requeued);
  out->set_buckets(r->buckets);
  for (const std::string& p : r->skipped_breaker_open) out->add_skipped_breaker_open(p);
  return absl::OkStatus();
}

}  // namespace superbet::broadcast
