// The live feed on the embedded transport (idle time on a fake clock): live_feed_suite.h, plus
// the entry format and option checks.

#include "superbet/bus/live_feed.h"

#include <catch2/catch.hpp>

#include "live_feed_suite.h"
#include "superbet/bus/embedded_transport.h"
#include "superbet/core/clock.h"

namespace bus = superbet::bus;
namespace v1 = superbet::v1;
using superbet::core::FakeClock;

TEST_CASE("live feed: every entry decided once, reclaimed from dead consumers (embedded)",
          "[bus][live]") {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  bus::EmbeddedTransport t(clock);
  superbet::testing::RunLiveFeedSuite(
      t, [&](absl::Duration d) { clock.Advance(d); }, absl::Seconds(60));
}

TEST_CASE("live feed: retry cap and match.live.dlq (embedded)", "[bus][live][dlq]") {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  bus::EmbeddedTransport t(clock);
  superbet::testing::RunLiveFeedDlqSuite(
      t, [&](absl::Duration d) { clock.Advance(d); }, absl::Seconds(60));
}

TEST_CASE("live feed: entry fields round-trip, bad entries and options are named", "[bus][live]") {
  v1::LiveMatchUpdate u;
  u.mutable_state()->set_match_id("statsbomb:1");
  u.mutable_state()->set_minute(12);
  u.set_sequence(13);
  u.mutable_state()->set_data_staleness_s(4.5);
  auto f = bus::LiveFeedFields(u, "replay");
  REQUIRE(f.ok());
  bus::Entry e{"1700000000123-0", *f, 2};
  CHECK(e.Field("staleness_s") == "4.5");
  auto parsed = bus::ParseLiveFeedEntry(e);
  REQUIRE(parsed.ok());
  CHECK(parsed->update.SerializeAsString() == u.SerializeAsString());
  CHECK(parsed->provider == "replay");
  CHECK(parsed->time == absl::FromUnixMillis(1700000000123));
  CHECK(parsed->deliveries == 2);

  for (auto& [k, v] : e.fields) {
    if (k == "minute") v = "13";
  }
  CHECK(bus::ParseLiveFeedEntry(e).status().message() ==
        "match.live 1700000000123-0: minute: field says \"13\", state says 12");

  v1::LiveMatchUpdate no_minute;
  no_minute.mutable_state()->set_match_id("statsbomb:1");
  CHECK(bus::LiveFeedFields(no_minute, "replay").status().message() == "state.minute is absent");
  no_minute.mutable_state()->set_minute(-1);
  CHECK(bus::LiveFeedFields(no_minute, "replay").status().message() ==
        "state.minute must be >= 0, got -1");

  FakeClock clock(absl::FromUnixSeconds(1700000000));
  bus::EmbeddedTransport t(clock);
  bus::LiveConsumerOptions o;
  CHECK(bus::LiveFeedConsumer::Create(&t, o).status().message() == "consumer: empty");
  o.consumer = "a";
  o.batch = 0;
  CHECK(bus::LiveFeedConsumer::Create(&t, o).status().message() ==
        "batch must be in [1, 1000], got 0");
  o.batch = 5;
  o.max_deliveries = 0;
  CHECK(bus::LiveFeedConsumer::Create(&t, o).status().message() ==
        "max_deliveries must be in [1, 100], got 0");
  o.max_deliveries = 5;
  o.claim_idle = absl::ZeroDuration();
  CHECK(bus::LiveFeedConsumer::Create(&t, o).status().message() == "claim_idle must be > 0, got 0");
}

TEST_CASE("live feed: match.live is trimmed to the retention when given now", "[bus][live]") {
  // Oracle: Redis's XADD MINID semantics (entries with an id below now - 7 d go), as the
  // embedded transport implements them on its clock.
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  bus::EmbeddedTransport t(clock);
  v1::LiveMatchUpdate u;
  u.mutable_state()->set_match_id("statsbomb:1");
  u.mutable_state()->set_minute(0);
  REQUIRE(bus::PublishLiveUpdate(t, u, "replay", {}, clock.Now()).ok());
  clock.Advance(absl::Hours(24 * 8));
  u.mutable_state()->set_minute(1);
  REQUIRE(bus::PublishLiveUpdate(t, u, "replay", {}, clock.Now()).ok());
  auto live = t.Range(bus::kMatchLive);
  REQUIRE(live.ok());
  REQUIRE(live->size() == 1);
  CHECK(live->at(0).Field("minute") == "1");
  // Without `now`, nothing is trimmed.
  clock.Advance(absl::Hours(24 * 8));
  u.mutable_state()->set_minute(2);
  REQUIRE(bus::PublishLiveUpdate(t, u, "replay").ok());
  live = t.Range(bus::kMatchLive);
  REQUIRE(live.ok());
  CHECK(live->size() == 2);
}
