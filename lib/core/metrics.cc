#include "superbet/core/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace superbet::core {

const char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

namespace {

void AtomicAdd(std::atomic<double>& target, double delta) {
  double old = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(old, old + delta, std::memory_order_relaxed)) {
  }
}

bool IsMetricName(const std::string& s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsLabelName(const std::string& s) {
  if (s.empty() || s.rfind("__", 0) == 0) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// {a="x",b="y"} with an optional extra pair appended (the histogram's le); "" when empty.
std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      const std::string& extra_name = "", const std::string& extra_value = "") {
  std::vector<std::string> parts;
  for (size_t i = 0; i < names.size(); ++i) {
    parts.push_back(absl::StrCat(names[i], "=\"", EscapeLabelValue(values[i]), "\""));
  }
  if (!extra_name.empty()) parts.push_back(absl::StrCat(extra_name, "=\"", extra_value, "\""));
  if (parts.empty()) return "";
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(const std::string& help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return "NaN";  // Unreachable: 64 bytes hold any double.
  return std::string(buf, end);
}

std::vector<double> LatencyBucketsSeconds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   10.0};
}

void Counter::Increment(double amount) {
  if (!(amount >= 0.0) || std::isinf(amount)) {
    rejected_->fetch_add(1);
    return;
  }
  AtomicAdd(value_, amount);
}

void Gauge::Add(double delta) { AtomicAdd(value_, delta); }

Histogram::Histogram(std::vector<double> upper_bounds, std::atomic<int64_t>* rejected)
    : upper_bounds_(std::move(upper_bounds)),
      rejected_(rejected),
      counts_(upper_bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  if (std::isnan(value)) {
    rejected_->fetch_add(1);
    return;
  }
  const size_t bucket =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin();
  absl::MutexLock lock(&mu_);
  ++counts_[bucket];
  sum_ += value;
}

absl::Status Histogram::Assign(absl::Span<const uint64_t> bucket_counts, double sum) {
  if (bucket_counts.size() != upper_bounds_.size() + 1) {
    return absl::InvalidArgumentError(absl::StrCat("histogram has ", upper_bounds_.size() + 1,
                                                   " buckets (+Inf last), got ",
                                                   bucket_counts.size(), " counts"));
  }
  if (std::isnan(sum)) return absl::InvalidArgumentError("histogram sum is NaN");
  absl::MutexLock lock(&mu_);
  counts_.assign(bucket_counts.begin(), bucket_counts.end());
  sum_ = sum;
  return absl::OkStatus();
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = upper_bounds_;
  absl::MutexLock lock(&mu_);
  uint64_t running = 0;
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    running += counts_[i];
    s.cumulative_counts.push_back(running);
  }
  s.count = running + counts_.back();
  s.sum = sum_;
  return s;
}

template <typename Metric>
absl::StatusOr<Metric*> Family<Metric>::WithLabels(absl::Span<const std::string> values) {
  if (values.size() != label_names_.size()) {
    return absl::InvalidArgumentError(absl::StrCat("metric ", name_, " has ", label_names_.size(),
                                                   " label(s) (", absl::StrJoin(label_names_, ","),
                                                   "), got ", values.size(), " value(s)"));
  }
  std::vector<std::string> key(values.begin(), values.end());
  absl::MutexLock lock(&mu_);
  auto it = children_.find(key);
  if (it == children_.end()) it = children_.emplace(std::move(key), make_()).first;
  return it->second.get();
}

template <typename Metric>
std::vector<std::pair<std::vector<std::string>, const Metric*>> Family<Metric>::Children() const {
  std::vector<std::pair<std::vector<std::string>, const Metric*>> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [values, metric] : children_) out.emplace_back(values, metric.get());
  return out;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

struct MetricsRegistry::Entry {
  std::string name;
  std::string help;
  std::variant<std::unique_ptr<CounterFamily>, std::unique_ptr<GaugeFamily>,
               std::unique_ptr<HistogramFamily>>
      family;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

absl::Status MetricsRegistry::Reserve(const std::string& name,
                                      const std::vector<std::string>& label_names, bool histogram) {
  if (!IsMetricName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*, got \"", name, "\""));
  }
  std::set<std::string> seen;
  for (const std::string& label : label_names) {
    if (!IsLabelName(label)) {
      return absl::InvalidArgumentError(
          absl::StrCat("metric ", name, ": label name must match [a-zA-Z_][a-zA-Z0-9_]* and not ",
                       "start with \"__\", got \"", label, "\""));
    }
    if (histogram && label == "le") {
      return absl::InvalidArgumentError(
          absl::StrCat("metric ", name, ": a histogram may not use the label name \"le\""));
    }
    if (!seen.insert(label).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("metric ", name, ": label name \"", label, "\" is repeated"));
    }
  }
  for (const auto& e : entries_) {
    if (e->name == name) {
      return absl::AlreadyExistsError(absl::StrCat("metric ", name, " is already registered"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CounterFamily*> MetricsRegistry::AddCounter(const std::string& name,
                                                           const std::string& help,
                                                           std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Reserve(name, label_names, false); !s.ok()) return s;
  std::atomic<int64_t>* rejected = &rejected_;
  auto family = std::unique_ptr<CounterFamily>(new CounterFamily(
      name, std::move(label_names), [rejected] { return std::make_unique<Counter>(rejected); }));
  CounterFamily* raw = family.get();
  entries_.push_back(std::unique_ptr<Entry>(new Entry{name, help, std::move(family)}));
  return raw;
}

absl::StatusOr<GaugeFamily*> MetricsRegistry::AddGauge(const std::string& name,
                                                       const std::string& help,
                                                       std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Reserve(name, label_names, false); !s.ok()) return s;
  auto family = std::unique_ptr<GaugeFamily>(
      new GaugeFamily(name, std::move(label_names), [] { return std::make_unique<Gauge>(); }));
  GaugeFamily* raw = family.get();
  entries_.push_back(std::unique_ptr<Entry>(new Entry{name, help, std::move(family)}));
  return raw;
}

absl::StatusOr<HistogramFamily*> MetricsRegistry::AddHistogram(const std::string& name,
                                                               const std::string& help,
                                                               std::vector<std::string> label_names,
                                                               std::vector<double> upper_bounds) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Reserve(name, label_names, true); !s.ok()) return s;
  if (upper_bounds.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("histogram ", name, ": no bucket bounds"));
  }
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i]) || (i > 0 && !(upper_bounds[i] > upper_bounds[i - 1]))) {
      return absl::InvalidArgumentError(
          absl::StrCat("histogram ", name, ": bucket bounds must be finite and strictly ",
                       "increasing, got ", FormatSampleValue(upper_bounds[i]), " at index ", i));
    }
  }
  std::atomic<int64_t>* rejected = &rejected_;
  auto family = std::unique_ptr<HistogramFamily>(new HistogramFamily(
      name, std::move(label_names),
      [rejected, upper_bounds] { return std::make_unique<Histogram>(upper_bounds, rejected); }));
  HistogramFamily* raw = family.get();
  entries_.push_back(std::unique_ptr<Entry>(new Entry{name, help, std::move(family)}));
  return raw;
}

void MetricsRegistry::AddCollector(std::function<void()> collector) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::Exposition() const {
  std::vector<std::function<void()>> collectors;
  {
    absl::MutexLock lock(&mu_);
    collectors = collectors_;
  }
  for (const auto& c : collectors) c();

  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& e : entries_) {
    absl::StrAppend(&out, "# HELP ", e->name, " ", EscapeHelp(e->help), "\n");
    if (const auto* c = std::get_if<std::unique_ptr<CounterFamily>>(&e->family)) {
      absl::StrAppend(&out, "# TYPE ", e->name, " counter\n");
      for (const auto& [values, m] : (*c)->Children()) {
        absl::StrAppend(&out, e->name, LabelText((*c)->label_names(), values), " ",
                        FormatSampleValue(m->value()), "\n");
      }
    } else if (const auto* g = std::get_if<std::unique_ptr<GaugeFamily>>(&e->family)) {
      absl::StrAppend(&out, "# TYPE ", e->name, " gauge\n");
      for (const auto& [values, m] : (*g)->Children()) {
        absl::StrAppend(&out, e->name, LabelText((*g)->label_names(), values), " ",
                        FormatSampleValue(m->value()), "\n");
      }
    } else {
      const auto& h = std::get<std::unique_ptr<HistogramFamily>>(e->family);
      absl::StrAppend(&out, "# TYPE ", e->name, " histogram\n");
      const auto& names = h->label_names();
      for (const auto& [values, m] : h->Children()) {
        const Histogram::Snapshot s = m->snapshot();
        for (size_t i = 0; i < s.upper_bounds.size(); ++i) {
          absl::StrAppend(&out, e->name, "_bucket",
                          LabelText(names, values, "le", FormatSampleValue(s.upper_bounds[i])), " ",
                          s.cumulative_counts[i], "\n");
        }
        absl::StrAppend(&out, e->name, "_bucket", LabelText(names, values, "le", "+Inf"), " ",
                        s.count, "\n");
        absl::StrAppend(&out, e->name, "_sum", LabelText(names, values), " ",
                        FormatSampleValue(s.sum), "\n");
        absl::StrAppend(&out, e->name, "_count", LabelText(names, values), " ", s.count, "\n");
      }
    }
  }
  return out;
}

}  // namespace superbet::core
