#include "broadcast/publish.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/broadcast/prediction_input.h"

namespace superbet::services {

PublishHandler::PublishHandler(bus::TransportPool* pool, const core::Clock* clock,
                               absl::Duration retention, broadcast::VerifiedAddOptions options,
                               core::Counter* duplicates)
    : pool_(pool),
      clock_(clock),
      retention_(retention),
      options_(options),
      duplicates_(duplicates) {}

absl::Status PublishHandler::Publish(const v1::PublishRequest& req, v1::PublishResponse* resp) {
  if (req.decision().verdict() != v1::VERDICT_ACCEPTED) {
    return absl::FailedPreconditionError(
        absl::StrCat("decision.verdict must be VERDICT_ACCEPTED, got ",
                     v1::Verdict_Name(req.decision().verdict())));
  }
  // The plant keys an event by its CloudEvent id (pred-{match}-{decided_at ms}): that is the
  // idempotency key. A caller's other key would be silently ignored, so it is refused.
  const std::string event_id = broadcast::EventId(req.decision().prediction());
  if (!req.event_id().empty() && req.event_id() != event_id) {
    return absl::InvalidArgumentError(absl::StrCat("event_id must be empty or the derived id \"",
                                                   event_id, "\", got \"", req.event_id(), "\""));
  }
  // The plant's own encoding and validation (the entry BroadcastPlant::Ingest would write).
  auto fields = broadcast::RiskVerifiedFields(req.decision().prediction());
  {
    absl::MutexLock lock(&mu_);
    ++input_lines_;
    if (!fields.ok() && absl::IsInvalidArgument(fields.status())) {
      ++rejected_by_reason_[broadcast::RejectReason(fields.status())];
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
  auto added = broadcast::AddVerifiedOnce(**lease, *fields, min_id_ms, options_);
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

void PublishHandler::AddCountsTo(broadcast::PlantMetrics* m) const {
  absl::MutexLock lock(&mu_);
  m->input_lines += input_lines_;
  m->accepted += accepted_;
  for (const auto& [reason, n] : rejected_by_reason_) m->rejected_by_reason[reason] += n;
}

}  // namespace superbet::services
