// Prometheus text of the plant's counters. Oracles: `promtool check metrics` (Debian prometheus)
// accepts the exposition (format and naming lint); the values match a run's counters; the design's
// metrics table (names, types, labels, latency buckets) and the series the deployed rules read.

#include <catch2/catch.hpp>
#include <cctype>
#include <cstdio>
#include <set>

#include "absl/strings/match.h"
#include "plant_support.h"
#include "superbet/broadcast/metrics.h"
#include "superbet/bus/embedded_transport.h"

namespace sb = superbet::broadcast;
namespace st = superbet::testing;

TEST_CASE("Prometheus text of a run passes promtool check metrics", "[metrics]") {
  superbet::core::FakeClock clock(absl::FromUnixSeconds(1690000000));
  superbet::bus::EmbeddedTransport transport(clock);
  st::FakePublisher x("twitter", clock),
      tg("telegram", clock, [](const std::string&, int call, absl::Time) {
        sb::PublishResult r;
        r.success = call > 1;
        r.retry = true;
        r.reason = r.success ? "" : "http_503";
        return r;
      });
  auto plant = sb::BroadcastPlant::Create({}, &transport, &clock,
                                          [&](absl::Duration d) { clock.Advance(d); },
                                          {{"twitter", &x}, {"telegram", &tg}});
  REQUIRE(plant.ok());
  REQUIRE((*plant)->Start().ok());
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 30, 2);
  REQUIRE(sb::FeedAndDrain(**plant, lines, &clock).ok());
  const sb::PlantMetrics m = (*plant)->metrics();
  const absl::StatusOr<std::string> exposition = sb::PrometheusText(m);
  REQUIRE(exposition.ok());
  const std::string& text = *exposition;
  CHECK(text.find("broadcast_input_lines_total 30\n") != std::string::npos);
  CHECK(text.find(absl::StrCat(
            "broadcast_publish_errors_total{platform=\"telegram\",reason=\"http_503\"} ",
            m.platforms.at("telegram").publish_errors.at("http_503"))) != std::string::npos);
  CHECK(text.find("broadcast_latency_seconds_bucket{platform=\"twitter\",le=\"+Inf\"}") !=
        std::string::npos);
  // Every family the design's metrics table names (broadcast_*), with its type and labels, and
  // the latency buckets 0.01, 0.05, 0.1, 0.5, 1.0, 5.0 s.
  const std::pair<const char*, const char*> families[] = {
      {"broadcast_published_total", "counter"},
      {"broadcast_dropped_total", "counter"},
      {"broadcast_circuit_breaker_state", "gauge"},
      {"broadcast_digest_buffer_size", "gauge"},
      {"broadcast_digest_staleness_seconds", "gauge"},
      {"broadcast_latency_seconds", "histogram"},
      {"broadcast_publish_attempts_total", "counter"},
      {"broadcast_publish_errors_total", "counter"},
  };
  for (const auto& [name, type] : families) {
    INFO(name);
    CHECK(text.find(absl::StrCat("# TYPE ", name, " ", type, "\n")) != std::string::npos);
  }
  CHECK(text.find("broadcast_published_total{platform=\"twitter\",priority=\"") !=
        std::string::npos);
  CHECK(text.find("broadcast_dropped_total{reason=\"low_") != std::string::npos);
  CHECK(text.find("broadcast_circuit_breaker_state{platform=\"twitter\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("broadcast_digest_buffer_size{platform=\"telegram\"} ") != std::string::npos);
  // The staleness series exists while something is buffered (see the test below).
  CHECK((text.find("broadcast_digest_staleness_seconds{platform=\"telegram\"} ") !=
         std::string::npos) == (m.platforms.at("telegram").digest_buffer_size > 0));
  for (const char* le : {"0.01", "0.05", "0.1", "0.5", "1", "5", "+Inf"}) {
    INFO("le " << le);
    CHECK(text.find(absl::StrCat("broadcast_latency_seconds_bucket{platform=\"telegram\",le=\"", le,
                                 "\"}")) != std::string::npos);
  }
  // Every series the deployed rules read (deploy/prometheus/rules/broadcast.yml) is written: a
  // renamed metric would leave the recording rule and the alerts silent.
  const std::string rules =
      st::ReadFileOrEmpty(st::SourceDir() + "/deploy/prometheus/rules/broadcast.yml");
  REQUIRE_FALSE(rules.empty());
  std::set<std::string> read_by_rules;
  for (size_t i = 0; (i = rules.find("broadcast_", i)) != std::string::npos;) {
    size_t end = i;
    while (end < rules.size() &&
           (std::islower(static_cast<unsigned char>(rules[end])) || rules[end] == '_')) {
      ++end;
    }
    read_by_rules.insert(rules.substr(i, end - i));
    i = end;
  }
  read_by_rules.erase("broadcast_error_rate");  // The recording rule's own output.
  CHECK(read_by_rules.size() == 4);             // staleness, breaker state, attempts, errors.
  bool buffered = false;
  for (const auto& [platform, pm] : m.platforms) buffered = buffered || pm.digest_buffer_size > 0;
  for (const std::string& name : read_by_rules) {
    INFO(name << " is read by the rules");
    if (name == "broadcast_digest_staleness_seconds" && !buffered) {
      CHECK(text.find("# TYPE broadcast_digest_staleness_seconds gauge\n") != std::string::npos);
      continue;
    }
    CHECK(text.find(absl::StrCat("\n", name, "{")) != std::string::npos);
  }
  char path[] = "/tmp/superbet-metrics-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  ::close(fd);
  const std::string cmd = absl::StrCat("promtool check metrics < ", path, " 2>&1");
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  const int rc = ::pclose(p);
  std::remove(path);
  INFO(out);
  CHECK(rc == 0);
  INFO(text);
}

TEST_CASE("broadcast_digest_staleness_seconds is absent while nothing is buffered", "[metrics]") {
  // Oracle: the metric's definition (the age of the oldest buffered event: no event, no age) and
  // GetStatus, which already leaves digest_staleness_s absent for an empty buffer. /metrics used to
  // write 0 for an empty buffer, a value that reads as "a fresh event is waiting".
  sb::PlantMetrics m;
  m.platforms["telegram"].digest_buffer_size = 0;
  m.platforms["telegram"].digest_staleness_s = 0;
  m.platforms["twitter"].digest_buffer_size = 3;
  m.platforms["twitter"].digest_staleness_s = 42.5;
  const absl::StatusOr<std::string> text = sb::PrometheusText(m);
  REQUIRE(text.ok());
  CHECK(text->find("broadcast_digest_staleness_seconds{platform=\"telegram\"}") ==
        std::string::npos);
  CHECK(text->find("broadcast_digest_buffer_size{platform=\"telegram\"} 0\n") != std::string::npos);
  CHECK(text->find("broadcast_digest_staleness_seconds{platform=\"twitter\"} 42.5\n") !=
        std::string::npos);
}
