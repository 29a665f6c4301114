// Prometheus text of the plant's counters. Oracle: `promtool check metrics` (Debian prometheus)
// accepts the exposition (format and naming lint), and the values match a run's counters.

#include <catch2/catch.hpp>
#include <cstdio>

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
}
