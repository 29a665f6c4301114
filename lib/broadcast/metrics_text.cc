#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "superbet/broadcast/metrics.h"

namespace superbet::broadcast {
namespace {

std::string Label(absl::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Header(std::string* out, absl::string_view name, absl::string_view type,
            absl::string_view help) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

}  // namespace

std::string PrometheusText(const PlantMetrics& m) {
  std::string out;
  Header(&out, "broadcast_input_lines_total", "counter", "Input lines read.");
  absl::StrAppend(&out, "broadcast_input_lines_total ", m.input_lines, "\n");
  Header(&out, "broadcast_rejected_lines_total", "counter", "Input lines rejected, by field.");
  for (const auto& [r, n] : m.rejected_by_reason) {
    absl::StrAppend(&out, "broadcast_rejected_lines_total{reason=\"", Label(r), "\"} ", n, "\n");
  }
  Header(&out, "broadcast_dropped_total", "counter", "Events dropped by the filter, by reason.");
  for (const auto& [r, n] : m.dropped_by_reason) {
    absl::StrAppend(&out, "broadcast_dropped_total{reason=\"", Label(r), "\"} ", n, "\n");
  }
  Header(&out, "broadcast_published_total", "counter", "Events published, by platform and tier.");
  for (const auto& [p, pm] : m.platforms) {
    for (const auto& [t, n] : pm.published_by_tier) {
      absl::StrAppend(&out, "broadcast_published_total{platform=\"", Label(p), "\",priority=\"",
                      Label(t), "\"} ", n, "\n");
    }
  }
  Header(&out, "broadcast_publish_attempts_total", "counter", "Publish attempts, by platform.");
  for (const auto& [p, pm] : m.platforms) {
    absl::StrAppend(&out, "broadcast_publish_attempts_total{platform=\"", Label(p), "\"} ",
                    pm.publish_attempts, "\n");
  }
  Header(&out, "broadcast_publish_errors_total", "counter",
         "Failed publish attempts, by platform and reason.");
  for (const auto& [p, pm] : m.platforms) {
    for (const auto& [r, n] : pm.publish_errors) {
      absl::StrAppend(&out, "broadcast_publish_errors_total{platform=\"", Label(p), "\",reason=\"",
                      Label(r), "\"} ", n, "\n");
    }
  }
  Header(&out, "broadcast_dlq_total", "counter", "Events sent to broadcast.dlq, by reason.");
  for (const auto& [p, pm] : m.platforms) {
    for (const auto& [r, n] : pm.dlq_by_reason) {
      absl::StrAppend(&out, "broadcast_dlq_total{platform=\"", Label(p), "\",reason=\"", Label(r),
                      "\"} ", n, "\n");
    }
  }
  Header(&out, "broadcast_digest_flushes_total", "counter", "Digest buckets flushed.");
  absl::StrAppend(&out, "broadcast_digest_flushes_total ", m.digest_flushes, "\n");
  Header(&out, "broadcast_circuit_breaker_state", "gauge",
         "Breaker state: 0 CLOSED, 1 OPEN, 2 HALF_OPEN.");
  for (const auto& [p, pm] : m.platforms) {
    absl::StrAppend(&out, "broadcast_circuit_breaker_state{platform=\"", Label(p), "\"} ",
                    pm.breaker_state, "\n");
  }
  Header(&out, "broadcast_digest_buffer_size", "gauge", "Events waiting in the digest buffer.");
  for (const auto& [p, pm] : m.platforms) {
    absl::StrAppend(&out, "broadcast_digest_buffer_size{platform=\"", Label(p), "\"} ",
                    pm.digest_buffer_size, "\n");
  }
  Header(&out, "broadcast_digest_staleness_seconds", "gauge",
         "Age of the oldest buffered event, 0 when the buffer is empty.");
  for (const auto& [p, pm] : m.platforms) {
    absl::StrAppend(&out, "broadcast_digest_staleness_seconds{platform=\"", Label(p), "\"} ",
                    Num(pm.digest_staleness_s), "\n");
  }
  Header(&out, "broadcast_latency_seconds", "histogram", "Publish call latency.");
  for (const auto& [p, pm] : m.platforms) {
    int64_t cumulative = 0;
    for (size_t i = 0; i <= kLatencyBucketsS.size(); ++i) {
      cumulative += pm.latency_buckets[i];
      const std::string le = i < kLatencyBucketsS.size() ? Num(kLatencyBucketsS[i]) : "+Inf";
      absl::StrAppend(&out, "broadcast_latency_seconds_bucket{platform=\"", Label(p), "\",le=\"",
                      le, "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, "broadcast_latency_seconds_sum{platform=\"", Label(p), "\"} ",
                    Num(pm.latency_sum_s), "\n");
    absl::StrAppend(&out, "broadcast_latency_seconds_count{platform=\"", Label(p), "\"} ",
                    pm.latency_count, "\n");
  }
  return out;
}

}  // namespace superbet::broadcast
