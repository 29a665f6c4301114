// Tests of superbet/core/metrics.h. Oracle: the Prometheus text exposition format 0.0.4 as
// specified in the Prometheus documentation ("Exposition formats": escaping of label values and
// HELP text, histogram _bucket/_sum/_count series with cumulative counts and a +Inf bucket). The
// expected texts below are written by hand from that specification, not produced by the code.
// The services' integration test also feeds a live /metrics page to `promtool check metrics`.
#include "superbet/core/metrics.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace superbet::core {
namespace {

TEST_CASE("metrics: label values escape backslash, double quote and line feed only", "[metrics]") {
  REQUIRE(EscapeLabelValue(R"(C:\dir "x")") == R"(C:\\dir \"x\")");
  REQUIRE(EscapeLabelValue("a\nb") == "a\\nb");
  REQUIRE(EscapeLabelValue("tab\there") == "tab\there");              // Tabs are not escaped.
  REQUIRE(EscapeLabelValue("Mönchengladbach") == "Mönchengladbach");  // UTF-8 passes as is.
  // HELP escapes backslash and line feed but leaves double quotes alone.
  REQUIRE(EscapeHelp("say \"hi\"\\\n") == "say \"hi\"\\\\\\n");
}

TEST_CASE("metrics: sample values round-trip and spell the special values", "[metrics]") {
  REQUIRE(FormatSampleValue(0.1) == "0.1");
  REQUIRE(FormatSampleValue(3.0) == "3");
  REQUIRE(FormatSampleValue(-2.5) == "-2.5");
  REQUIRE(FormatSampleValue(1e-5) == "1e-05");
  REQUIRE(FormatSampleValue(std::numeric_limits<double>::infinity()) == "+Inf");
  REQUIRE(FormatSampleValue(-std::numeric_limits<double>::infinity()) == "-Inf");
  REQUIRE(FormatSampleValue(std::nan("")) == "NaN");
  const double third = 1.0 / 3.0;
  REQUIRE(std::stod(FormatSampleValue(third)) == third);  // Shortest round-trip form.
}

TEST_CASE("metrics: counter, gauge and histogram exposition matches the text format", "[metrics]") {
  MetricsRegistry registry;
  auto requests = registry.AddCounter("grpc_server_handled_total", "RPCs completed.",
                                      {"grpc_method", "grpc_code"});
  REQUIRE(requests.ok());
  auto budget = registry.AddGauge("hrl_budget_remaining", "Budget left\nin units \\ EUR.", {});
  REQUIRE(budget.ok());
  auto reward =
      registry.AddHistogram("hrl_reward", "Reward per settled bet.", {}, {-1.0, 0.0, 0.5});
  REQUIRE(reward.ok());

  (*(*requests)->WithLabels({"Decide", "OK"}))->Increment();
  (*(*requests)->WithLabels({"Decide", "OK"}))->Increment(2);
  (*(*requests)->WithLabels({"Allocate", "INVALID_ARGUMENT"}))->Increment();
  (*(*budget)->WithLabels({}))->Set(812.5);
  Histogram* h = *(*reward)->WithLabels({});
  for (double v : {-1.5, -1.0, 0.25, 0.5, 3.0}) h->Observe(v);

  const std::string expected =
      "# HELP grpc_server_handled_total RPCs completed.\n"
      "# TYPE grpc_server_handled_total counter\n"
      "grpc_server_handled_total{grpc_method=\"Allocate\",grpc_code=\"INVALID_ARGUMENT\"} 1\n"
      "grpc_server_handled_total{grpc_method=\"Decide\",grpc_code=\"OK\"} 3\n"
      "# HELP hrl_budget_remaining Budget left\\nin units \\\\ EUR.\n"
      "# TYPE hrl_budget_remaining gauge\n"
      "hrl_budget_remaining 812.5\n"
      "# HELP hrl_reward Reward per settled bet.\n"
      "# TYPE hrl_reward histogram\n"
      "hrl_reward_bucket{le=\"-1\"} 2\n"  // -1.5 and -1.0 (le means <=).
      "hrl_reward_bucket{le=\"0\"} 2\n"
      "hrl_reward_bucket{le=\"0.5\"} 4\n"  // + 0.25 and 0.5.
      "hrl_reward_bucket{le=\"+Inf\"} 5\n"
      "hrl_reward_sum 1.25\n"  // -1.5 - 1 + 0.25 + 0.5 + 3 (exact in binary).
      "hrl_reward_count 5\n";
  REQUIRE(registry.Exposition() == expected);
}

TEST_CASE("metrics: escaped label values appear in the exposition", "[metrics]") {
  MetricsRegistry registry;
  auto f = registry.AddCounter("broadcast_dropped_total", "Drops.", {"reason"});
  REQUIRE(f.ok());
  (*(*f)->WithLabels({"quote\" back\\ nl\n"}))->Increment();
  REQUIRE(registry.Exposition().find(
              "broadcast_dropped_total{reason=\"quote\\\" back\\\\ nl\\n\"} 1\n") !=
          std::string::npos);
}

TEST_CASE("metrics: bad names, label counts and bounds are refused with the offending value",
          "[metrics]") {
  MetricsRegistry registry;
  auto bad_name = registry.AddCounter("9lives", "x", {});
  REQUIRE(absl::IsInvalidArgument(bad_name.status()));
  REQUIRE(bad_name.status().message().find("9lives") != std::string::npos);
  REQUIRE(absl::IsInvalidArgument(registry.AddGauge("g", "x", {"__reserved"}).status()));
  REQUIRE(absl::IsInvalidArgument(registry.AddGauge("g", "x", {"a-b"}).status()));
  REQUIRE(absl::IsInvalidArgument(registry.AddGauge("g", "x", {"a", "a"}).status()));
  REQUIRE(absl::IsInvalidArgument(registry.AddHistogram("h", "x", {"le"}, {1.0}).status()));
  auto unsorted = registry.AddHistogram("h", "x", {}, {1.0, 0.5});
  REQUIRE(absl::IsInvalidArgument(unsorted.status()));
  REQUIRE(unsorted.status().message().find("0.5 at index 1") != std::string::npos);
  REQUIRE(absl::IsInvalidArgument(registry.AddHistogram("h", "x", {}, {}).status()));
  REQUIRE(absl::IsInvalidArgument(
      registry.AddHistogram("h", "x", {}, {std::numeric_limits<double>::infinity()}).status()));
  REQUIRE(registry.AddCounter("c", "x", {"k"}).ok());
  REQUIRE(absl::IsAlreadyExists(registry.AddGauge("c", "x", {}).status()));
  // A name with a colon (recording-rule style) is valid.
  REQUIRE(registry.AddGauge("job:up:sum", "x", {}).ok());

  auto c = registry.AddCounter("d", "x", {"a", "b"});
  REQUIRE(c.ok());
  auto wrong = (*c)->WithLabels({"only-one"});
  REQUIRE(absl::IsInvalidArgument(wrong.status()));
  REQUIRE(wrong.status().message() == "metric d has 2 label(s) (a,b), got 1 value(s)");
}

TEST_CASE("metrics: counters refuse decrements and non-finite amounts and count them",
          "[metrics]") {
  MetricsRegistry registry;
  auto f = registry.AddCounter("c_total", "x", {});
  REQUIRE(f.ok());
  Counter* c = *(*f)->WithLabels({});
  c->Increment(2.0);
  c->Increment(-1.0);
  c->Increment(std::nan(""));
  c->Increment(std::numeric_limits<double>::infinity());
  REQUIRE(c->value() == 2.0);
  auto hf = registry.AddHistogram("h", "x", {}, {1.0});
  REQUIRE(hf.ok());
  (*(*hf)->WithLabels({}))->Observe(std::nan(""));
  REQUIRE((*(*hf)->WithLabels({}))->snapshot().count == 0);
  REQUIRE(registry.rejected_observations() == 4);
}

TEST_CASE("metrics: a histogram assigned per-bucket counts writes what Observe would have",
          "[metrics]") {
  // Oracle: the same observations through Observe on a second registry (0.02 and 0.03 in the
  // 0.05 bucket, 7 in +Inf): Assign({0, 2, 1}, 7.05) must give the identical exposition.
  MetricsRegistry observed, assigned;
  auto a = observed.AddHistogram("lat_seconds", "Latency.", {"platform"}, {0.01, 0.05});
  auto b = assigned.AddHistogram("lat_seconds", "Latency.", {"platform"}, {0.01, 0.05});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  Histogram* ha = *(*a)->WithLabels({"x"});
  for (double v : {0.02, 0.03, 7.0}) ha->Observe(v);
  Histogram* hb = *(*b)->WithLabels({"x"});
  REQUIRE(hb->Assign(std::vector<uint64_t>{0, 2, 1}, 0.02 + 0.03 + 7.0).ok());
  CHECK(assigned.Exposition() == observed.Exposition());
  // Wrong bucket count or a NaN sum: InvalidArgument naming both sizes, state unchanged.
  const absl::Status bad = hb->Assign(std::vector<uint64_t>{1, 2}, 1.0);
  CHECK(bad.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.message()) == "histogram has 3 buckets (+Inf last), got 2 counts");
  CHECK(hb->Assign(std::vector<uint64_t>{1, 2, 3}, std::nan("")).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(assigned.Exposition() == observed.Exposition());
}

TEST_CASE("metrics: collectors run before every exposition", "[metrics]") {
  MetricsRegistry registry;
  auto g = registry.AddGauge("breaker_state", "0 closed, 1 open, 2 half-open", {"provider"});
  REQUIRE(g.ok());
  int state = 0;
  registry.AddCollector([&] { (*(*g)->WithLabels({"api-football"}))->Set(state); });
  REQUIRE(registry.Exposition().find("breaker_state{provider=\"api-football\"} 0\n") !=
          std::string::npos);
  state = 1;
  REQUIRE(registry.Exposition().find("breaker_state{provider=\"api-football\"} 1\n") !=
          std::string::npos);
}

TEST_CASE("metrics: concurrent increments from 4 threads are all counted", "[metrics]") {
  MetricsRegistry registry;
  auto f = registry.AddCounter("c_total", "x", {"t"});
  auto hf = registry.AddHistogram("lat", "x", {}, LatencyBucketsSeconds());
  REQUIRE(f.ok());
  REQUIRE(hf.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        (*(*f)->WithLabels({std::to_string(t % 2)}))->Increment();
        (*(*hf)->WithLabels({}))->Observe(0.0001 * (i % 7));
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE((*(*f)->WithLabels({"0"}))->value() == 20000);
  REQUIRE((*(*f)->WithLabels({"1"}))->value() == 20000);
  REQUIRE((*(*hf)->WithLabels({}))->snapshot().count == 40000);
}

}  // namespace
}  // namespace superbet::core
