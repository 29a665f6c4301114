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
  o.claim_idle = absl::ZeroDuration();
  CHECK(bus::LiveFeedConsumer::Create(&t, o).status().message() == "claim_idle must be > 0, got 0");
}
