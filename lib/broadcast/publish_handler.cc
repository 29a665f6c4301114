// Publish once per event on a pooled connection (moved from broadcast-svc, behaviour unchanged).
#include "superbet/broadcast/publish_handler.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/broadcast/prediction_input.h"

namespace superbet::broadcast {

namespace v1 = superbet::v1;

PublishHandler::PublishHandler(superbet::bus::TransportPool* pool,
                               const superbet::core::Clock* clock, absl::Duration retention,
                               VerifiedAddOptions options, superbet::core::Counter* duplicates)
    : pool_(pool),
      clock_(clock),
      retention_(retention),
      options_(options),
      duplicates_(duplicates) {}

absl::StatusOr<std::unique_ptr<PublishHandler>> PublishHandler::Create(
    superbet::bus::TransportPool* pool, const superbet::core::Clock* clock,
    const PlantOptions& plant, superbet::core::MetricsRegistry* registry) {
  superbet::core::Counter* duplicates = nullptr;
  if (registry != nullptr) {
    auto family = registry->AddCounter(
        "broadcast_publish_duplicates_total",
        "Publish calls whose event was already in risk.verified (answered with its stream id)", {});
    if (!family.ok()) return family.status();
    auto child = (*family)->WithLabels({});
    if (!child.ok()) return child.status();
    duplicates = *child;
  }
  VerifiedAddOptions verified;
  verified.marker_ttl = plant.sent_ttl;
  return std::make_unique<PublishHandler>(pool, clock, plant.retention, verified, duplicates);
}

absl::Status PublishHandler::Publish(const v1::PublishRequest& req, v1::PublishResponse* resp) {
  if (req.decision().verdict() != v1::VERDICT_ACCEPTED) {
    return absl::FailedPreconditionError(
        absl::StrCat("decision.verdict must be VERDICT_ACCEPTED, got ",
                     v1::Verdict_Name(req.decision().verdict())));
  }
  // The plant keys an event by its CloudEvent id (pred-{match}-{decided_at ms}): that is the
  // idempotency key. A caller's other key would be silently ignored, so it is refused.
  const std::string event_id = EventId(req.decision().prediction());
  if (!req.event_id().empty() && req.event_id() != event_id) {
    return absl::InvalidArgumentError(absl::StrCat("event_id must be empty or the derived id \"",
                                                   event_id, "\", got \"", req.event_id(), "\""));
  }
  // The plant's own encoding and validation (the entry BroadcastPlant::Ingest would write).
  auto fields = RiskVerifiedFields(req.decision().prediction());
  {
    absl::MutexLock lock(&mu_);
    ++input_lines_;
    if (!fields.ok() && absl::IsInvalidArgument(fields.status())) {
      ++rejected_by_reason_[RejectReason(fields.status())];
    }
  }
  if (!fields.ok()) {
    if (!absl::IsInvalidArgument(fields.status())) return fields.status();
    absl::string_view detail = fields.status().message();
    if (absl::StartsWith(detail, "line 1: ")) detail.remove_prefix(8);
    return absl::InvalidArgumentError(
        absl::StrCat("decision.prediction rejected by the plant: ", detail));
  }
  const int64_t min_id_ms = std::max<int64_t>(0, absl::ToUnixMillis(clock_->Now() - retention_));
  auto lease = pool_->Acquire();
  if (!lease.ok()) return lease.status();
  auto added = AddVerifiedOnce(**lease, *fields, min_id_ms, options_);
  if (!added.ok()) return added.status();
  if (added->duplicate) {
    if (duplicates_ != nullptr) duplicates_->Increment();
  } else {
    absl::MutexLock lock(&mu_);
    ++accepted_;
  }
  resp->set_event_id(added->event_id);
  resp->set_stream_id(added->stream_id);
  return absl::OkStatus();
}

void PublishHandler::AddCountsTo(PlantMetrics* m) const {
  absl::MutexLock lock(&mu_);
  m->input_lines += input_lines_;
  m->accepted += accepted_;
  for (const auto& [reason, n] : rejected_by_reason_) m->rejected_by_reason[reason] += n;
}

std::string BroadcastMetricsText(PlantMetrics plant, const PublishHandler& publish) {
  publish.AddCountsTo(&plant);
  absl::StatusOr<std::string> text = PrometheusText(plant);
  return text.ok() ? *std::move(text) : "# broadcast metrics: " + text.status().ToString() + "\n";
}

}  // namespace superbet::broadcast
