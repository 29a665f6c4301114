// Metrics in the Prometheus text exposition format, version 0.0.4: counters, gauges and
// histograms, each a family of children told apart by label values, and one registry that writes
// them all out for a `/metrics` scrape.
//
//   MetricsRegistry registry;
//   auto bets = registry.AddCounter("hrl_bets_total", "Bets placed", {"agent"});
//   (*bets)->WithLabels({"live"}).value()->Increment();
//   std::string text = registry.Exposition();   // served with Content-Type kExpositionContentType
//
// Format rules followed (Prometheus "Exposition formats", text format 0.0.4):
//   * metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* and do not
//     start with "__"; a histogram family may not use the label name "le";
//   * label values escape backslash as \\, double quote as \" and line feed as \n; HELP text
//     escapes backslash and line feed;
//   * sample values are written in the shortest form that reads back to the same double, and as
//     +Inf, -Inf and NaN for the special values;
//   * a histogram writes cumulative <name>_bucket{le="..."} samples for its upper bounds in
//     increasing order, the le="+Inf" bucket (= the count), then <name>_sum and <name>_count.
// Families appear in registration order; a family's children in increasing order of their label
// values, so two scrapes of the same state are byte-identical.
//
// Counters only go up: Increment with a negative, NaN or infinite amount changes nothing and is
// counted in rejected_observations() (so is a histogram Observe of NaN), never silently applied.
//
// Thread-safety: everything is thread-safe. Counter/Gauge updates are lock-free atomics; a
// Histogram observation takes that histogram's own mutex; the registry's family list and each
// family's children are guarded by mutexes. Ownership: the registry owns every family and child;
// the pointers it hands out stay valid for the registry's lifetime (children are never removed).

#ifndef SUPERBET_CORE_METRICS_H_
#define SUPERBET_CORE_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace superbet::core {

// The Content-Type of Exposition(): "text/plain; version=0.0.4; charset=utf-8".
extern const char kExpositionContentType[];

// A monotonically increasing value (requests served, bets placed).
class Counter {
 public:
  explicit Counter(std::atomic<int64_t>* rejected) : rejected_(rejected) {}
  // Adds `amount` (>= 0, finite); any other amount is rejected (counted, not applied).
  void Increment(double amount = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
  std::atomic<int64_t>* rejected_;
};

// A value that goes up and down (budget remaining in currency units, staleness in seconds).
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Cumulative histogram over fixed upper bounds (latency in seconds, reward).
class Histogram {
 public:
  // `upper_bounds` strictly increasing and finite (checked by the registry).
  Histogram(std::vector<double> upper_bounds, std::atomic<int64_t>* rejected);
  // Counts `value` in the first bucket whose upper bound is >= value (and in +Inf); a NaN is
  // rejected. +/-Inf are counted (in +Inf, resp. every bucket) and make the sum infinite.
  void Observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative_counts;  // Same length as upper_bounds; excludes +Inf.
    uint64_t count = 0;                       // The +Inf bucket.
    double sum = 0.0;
  };
  Snapshot snapshot() const;

  // Replaces the state with an aggregate kept elsewhere (e.g. a component's own per-bucket
  // counters copied in by a collector): `bucket_counts` per bucket, NOT cumulative, one per upper
  // bound then the +Inf bucket last; `sum` the sum of the observations.
  // Errors: InvalidArgument when bucket_counts.size() != upper bounds + 1 (both named) or `sum`
  // is NaN; the state is unchanged then.
  [[nodiscard]] absl::Status Assign(absl::Span<const uint64_t> bucket_counts, double sum);

 private:
  const std::vector<double> upper_bounds_;
  std::atomic<int64_t>* rejected_;
  mutable absl::Mutex mu_;
  std::vector<uint64_t> counts_ ABSL_GUARDED_BY(mu_);  // Per bucket, not cumulative; +Inf last.
  double sum_ ABSL_GUARDED_BY(mu_) = 0.0;
};

// A family: one metric name, HELP text, type and label names; one child per label-value tuple.
template <typename Metric>
class Family {
 public:
  // The child for these label values (created at 0 on first use), in label-name order.
  // Errors: InvalidArgument when the number of values differs from the number of label names
  // (the message names the metric and both counts).
  [[nodiscard]] absl::StatusOr<Metric*> WithLabels(absl::Span<const std::string> values);
  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  friend class MetricsRegistry;
  Family(std::string name, std::vector<std::string> label_names,
         std::function<std::unique_ptr<Metric>()> make)
      : name_(std::move(name)), label_names_(std::move(label_names)), make_(std::move(make)) {}
  // Children in label-value order, for the exposition.
  std::vector<std::pair<std::vector<std::string>, const Metric*>> Children() const;

  const std::string name_;
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<Metric>()> make_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_ ABSL_GUARDED_BY(mu_);
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registers a family. Errors: InvalidArgument naming the offending name for a bad metric or
  // label name, a repeated label name, or "le" on a histogram; AlreadyExists when the metric name
  // is taken; for histograms, InvalidArgument when `upper_bounds` is empty, not strictly
  // increasing or holds a non-finite value (named with its index).
  [[nodiscard]] absl::StatusOr<CounterFamily*> AddCounter(const std::string& name,
                                                          const std::string& help,
                                                          std::vector<std::string> label_names);
  [[nodiscard]] absl::StatusOr<GaugeFamily*> AddGauge(const std::string& name,
                                                      const std::string& help,
                                                      std::vector<std::string> label_names);
  [[nodiscard]] absl::StatusOr<HistogramFamily*> AddHistogram(const std::string& name,
                                                              const std::string& help,
                                                              std::vector<std::string> label_names,
                                                              std::vector<double> upper_bounds);

  // A function run at the start of every Exposition(), before anything is written, e.g. to copy
  // a breaker's state into a gauge. Collectors run in registration order on the scraping thread.
  void AddCollector(std::function<void()> collector);

  // Every family in the text format 0.0.4 (see the file comment). A family with no child yet
  // writes only its HELP and TYPE lines.
  std::string Exposition() const;

  // Observations refused since construction (negative or non-finite counter increments, NaN
  // histogram observations).
  int64_t rejected_observations() const { return rejected_.load(); }

 private:
  struct Entry;
  [[nodiscard]] absl::Status Reserve(const std::string& name,
                                     const std::vector<std::string>& label_names, bool histogram)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::atomic<int64_t> rejected_{0};
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> collectors_ ABSL_GUARDED_BY(mu_);
};

// The exposition's escaping of a label value (\\, \", \n) and of HELP text (\\, \n).
std::string EscapeLabelValue(const std::string& value);
std::string EscapeHelp(const std::string& help);
// A sample value as written: the shortest decimal that reads back to `value`; +Inf, -Inf, NaN.
std::string FormatSampleValue(double value);

// Upper bounds of the gRPC latency histograms, seconds: 50 us to 10 s.
std::vector<double> LatencyBucketsSeconds();

}  // namespace superbet::core

#endif  // SUPERBET_CORE_METRICS_H_
