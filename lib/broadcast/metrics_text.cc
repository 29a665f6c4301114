// The plant's counters written through the library's one Prometheus writer (core/metrics.h): a
// fresh registry per call, filled from the PlantMetrics snapshot, so that the format rules
// (escaping, number form, histogram layout) live in one place.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "superbet/broadcast/metrics.h"
#include "superbet/core/metrics.h"
#include "superbet/core/status_macros.h"

namespace superbet::broadcast {
namespace {

using core::MetricsRegistry;

// Sets a fresh child of `family` (created at 0) to `value`.
template <typename Family>
absl::Status SetCounter(Family* family, std::vector<std::string> labels, double value) {
  SUPERBET_ASSIGN_OR_RETURN(auto* child, family->WithLabels(labels));
  child->Increment(value);
  return absl::OkStatus();
}

absl::Status SetGauge(core::GaugeFamily* family, std::vector<std::string> labels, double value) {
  SUPERBET_ASSIGN_OR_RETURN(core::Gauge * child, family->WithLabels(labels));
  child->Set(value);
  return absl::OkStatus();
}

absl::Status AddInputCounters(const PlantMetrics& m, MetricsRegistry& r) {
  SUPERBET_ASSIGN_OR_RETURN(auto* input, r.AddCounter("broadcast_input_lines_total",
                                                      "Input lines read.", {}));
  SUPERBET_RETURN_IF_ERROR(SetCounter(input, {}, static_cast<double>(m.input_lines)));
  SUPERBET_ASSIGN_OR_RETURN(auto* rejected,
                            r.AddCounter("broadcast_rejected_lines_total",
                                         "Input lines rejected, by field.", {"reason"}));
  for (const auto& [reason, n] : m.rejected_by_reason) {
    SUPERBET_RETURN_IF_ERROR(SetCounter(rejected, {reason}, static_cast<double>(n)));
  }
  SUPERBET_ASSIGN_OR_RETURN(auto* dropped,
                            r.AddCounter("broadcast_dropped_total",
                                         "Events dropped by the filter, by reason.", {"reason"}));
  for (const auto& [reason, n] : m.dropped_by_reason) {
    SUPERBET_RETURN_IF_ERROR(SetCounter(dropped, {reason}, static_cast<double>(n)));
  }
  return absl::OkStatus();
}

absl::Status AddPublishCounters(const PlantMetrics& m, MetricsRegistry& r) {
  SUPERBET_ASSIGN_OR_RETURN(
      auto* published, r.AddCounter("broadcast_published_total",
                                    "Events published, by platform and tier.",
                                    {"platform", "priority"}));
  SUPERBET_ASSIGN_OR_RETURN(auto* attempts,
                            r.AddCounter("broadcast_publish_attempts_total",
                                         "Publish attempts, by platform.", {"platform"}));
  SUPERBET_ASSIGN_OR_RETURN(
      auto* errors, r.AddCounter("broadcast_publish_errors_total",
                                 "Failed publish attempts, by platform and reason.",
                                 {"platform", "reason"}));
  SUPERBET_ASSIGN_OR_RETURN(auto* dlq, r.AddCounter("broadcast_dlq_total",
                                                    "Events sent to broadcast.dlq, by reason.",
                                                    {"platform", "reason"}));
  for (const auto& [platform, pm] : m.platforms) {
    for (const auto& [tier, n] : pm.published_by_tier) {
      SUPERBET_RETURN_IF_ERROR(SetCounter(published, {platform, tier}, static_cast<double>(n)));
    }
    SUPERBET_RETURN_IF_ERROR(
        SetCounter(attempts, {platform}, static_cast<double>(pm.publish_attempts)));
    for (const auto& [reason, n] : pm.publish_errors) {
      SUPERBET_RETURN_IF_ERROR(SetCounter(errors, {platform, reason}, static_cast<double>(n)));
    }
    for (const auto& [reason, n] : pm.dlq_by_reason) {
      SUPERBET_RETURN_IF_ERROR(SetCounter(dlq, {platform, reason}, static_cast<double>(n)));
    }
  }
  SUPERBET_ASSIGN_OR_RETURN(auto* flushes, r.AddCounter("broadcast_digest_flushes_total",
                                                        "Digest buckets flushed.", {}));
  return SetCounter(flushes, {}, static_cast<double>(m.digest_flushes));
}

absl::Status AddPlatformGauges(const PlantMetrics& m, MetricsRegistry& r) {
  SUPERBET_ASSIGN_OR_RETURN(
      auto* breaker, r.AddGauge("broadcast_circuit_breaker_state",
                                "Breaker state: 0 CLOSED, 1 OPEN, 2 HALF_OPEN.", {"platform"}));
  SUPERBET_ASSIGN_OR_RETURN(auto* size, r.AddGauge("broadcast_digest_buffer_size",
                                                   "Events waiting in the digest buffer.",
                                                   {"platform"}));
  SUPERBET_ASSIGN_OR_RETURN(
      auto* staleness,
      r.AddGauge("broadcast_digest_staleness_seconds",
                 "Age of the oldest buffered event, 0 when the buffer is empty.", {"platform"}));
  SUPERBET_ASSIGN_OR_RETURN(
      auto* latency,
      r.AddHistogram("broadcast_latency_seconds", "Publish call latency.", {"platform"},
                     std::vector<double>(kLatencyBucketsS.begin(), kLatencyBucketsS.end())));
  for (const auto& [platform, pm] : m.platforms) {
    SUPERBET_RETURN_IF_ERROR(SetGauge(breaker, {platform}, pm.breaker_state));
    SUPERBET_RETURN_IF_ERROR(
        SetGauge(size, {platform}, static_cast<double>(pm.digest_buffer_size)));
    if (pm.digest_buffer_size > 0) {  // No buffered event, no age: absent, as in GetStatus.
      SUPERBET_RETURN_IF_ERROR(SetGauge(staleness, {platform}, pm.digest_staleness_s));
    }
    SUPERBET_ASSIGN_OR_RETURN(core::Histogram * h, latency->WithLabels({platform}));
    const std::vector<uint64_t> buckets(pm.latency_buckets.begin(), pm.latency_buckets.end());
    SUPERBET_RETURN_IF_ERROR(h->Assign(buckets, pm.latency_sum_s));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> PrometheusText(const PlantMetrics& metrics) {
  MetricsRegistry registry;
  SUPERBET_RETURN_IF_ERROR(AddInputCounters(metrics, registry));
  SUPERBET_RETURN_IF_ERROR(AddPublishCounters(metrics, registry));
  SUPERBET_RETURN_IF_ERROR(AddPlatformGauges(metrics, registry));
  return registry.Exposition();
}

}  // namespace superbet::broadcast
