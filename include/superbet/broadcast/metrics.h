// The broadcast plant's counters as plain data, named after the Prometheus metrics they feed
// (broadcast_published_total{platform,priority}, broadcast_dropped_total{reason},
// broadcast_publish_attempts_total{platform}, broadcast_publish_errors_total{platform,reason},
// broadcast_circuit_breaker_state{platform}, broadcast_digest_buffer_size{platform},
// broadcast_digest_staleness_seconds{platform} (only while the platform's digest buffer holds an
// event), broadcast_latency_seconds{platform} with buckets
// 0.01, 0.05, 0.1, 0.5, 1, 5 s). The exposition writer lives with the services (obs/).

#ifndef SUPERBET_BROADCAST_METRICS_H_
#define SUPERBET_BROADCAST_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace superbet::broadcast {

inline constexpr std::array<double, 6> kLatencyBucketsS = {0.01, 0.05, 0.1, 0.5, 1.0, 5.0};

struct PlatformMetrics {
  std::map<std::string, int64_t> published_by_tier;  // broadcast_published_total{priority}.
  int64_t publish_attempts = 0;                      // broadcast_publish_attempts_total.
  std::map<std::string, int64_t> publish_errors;     // broadcast_publish_errors_total{reason}.
  std::map<std::string, int64_t> dlq_by_reason;      // Entries written to broadcast.dlq.
  int64_t digest_buffered = 0;                       // Events pushed to the digest buffer.
  int64_t digest_flushed_published = 0;              // Published by a digest flush.
  int64_t duplicates_suppressed = 0;                 // Idempotency guard hits.
  int64_t rate_limited = 0;                          // Acquire attempts that had to wait.
  int breaker_state = 0;                             // broadcast_circuit_breaker_state.
  int64_t digest_buffer_size = 0;                    // broadcast_digest_buffer_size.
  double digest_staleness_s = 0;                     // broadcast_digest_staleness_seconds.
  std::array<int64_t, kLatencyBucketsS.size() + 1> latency_buckets{};  // Last = +Inf.
  double latency_sum_s = 0;
  int64_t latency_count = 0;
};

// How many rejection messages PlantMetrics::rejected_lines keeps (the first ones).
inline constexpr size_t kMaxRejectedLineMessages = 100;

struct PlantMetrics {
  int64_t input_lines = 0;
  std::map<std::string, int64_t> rejected_by_reason;  // Input lines that failed validation.
  // The first kMaxRejectedLineMessages rejections, in input order, each as the validation error
  // names it: "line N: <json path>: <problem>, got <value>".
  std::vector<std::string> rejected_lines;
  int64_t accepted = 0;                              // Valid predictions entered.
  std::map<std::string, int64_t> dropped_by_reason;  // broadcast_dropped_total{reason}.
  int64_t passed_filter = 0;
  int64_t global_rate_limited = 0;
  int64_t digest_flushes = 0;
  std::map<std::string, PlatformMetrics> platforms;
};

// The metrics in the Prometheus text exposition format 0.0.4
// (prometheus.io/docs/instrumenting/exposition_formats): # HELP and # TYPE lines, counters
// ending in _total, the latency histogram as _bucket{le=...} (cumulative, +Inf last), _sum and
// _count; label values escaped (backslash, double quote, newline). Also the plant's own
// counters: broadcast_input_lines_total, broadcast_rejected_lines_total{reason},
// broadcast_dlq_total{platform,reason}, broadcast_digest_flushes_total. Written by the
// library's one Prometheus writer (superbet/core/metrics.h); families in the order above,
// children in label order, so equal metrics give byte-identical text.
// Errors: InvalidArgument only if a label value cannot be written (never for the plant's own
// platform, tier and reason names).
[[nodiscard]] absl::StatusOr<std::string> PrometheusText(const PlantMetrics& metrics);

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_METRICS_H_
