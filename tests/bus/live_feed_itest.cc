// The live feed suite (live_feed_suite.h) on a real redis-server started by the test
// (tests/support/redis_server.h: 127.0.0.1, free port, temporary folder): Redis measures idle
// time on its own clock, so the test waits for real with a short claim_idle (2 s).

#include <catch2/catch.hpp>

#include "absl/time/clock.h"
#include "live_feed_suite.h"
#include "superbet/bus/redis_transport.h"
#include "support/redis_server.h"

namespace bus = superbet::bus;

TEST_CASE("live feed: every entry decided once, reclaimed from dead consumers (redis-server)",
          "[redis][live]") {
  superbet::testing::RedisServer server;
  REQUIRE(server.ok());
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(server.url()));
  REQUIRE(t.ok());
  superbet::testing::RunLiveFeedSuite(
      **t, [](absl::Duration d) { absl::SleepFor(d); }, absl::Seconds(2));
}

TEST_CASE("live feed: a poison entry and a failing decision end in match.live.dlq (redis-server)",
          "[redis][live][dlq]") {
  superbet::testing::RedisServer server;
  REQUIRE(server.ok());
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(server.url()));
  REQUIRE(t.ok());
  superbet::testing::RunLiveFeedDlqSuite(
      **t, [](absl::Duration d) { absl::SleepFor(d); }, absl::Milliseconds(300));
}
