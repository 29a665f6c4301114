// The Transport suite (transport_suite.h) on the embedded, in-process implementation, plus key
// expiry on the injected clock.

#include "superbet/bus/embedded_transport.h"

#include <catch2/catch.hpp>

#include "superbet/core/clock.h"
#include "transport_suite.h"

using superbet::core::FakeClock;

TEST_CASE("embedded transport: stream, key and bucket semantics", "[bus]") {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  superbet::bus::EmbeddedTransport t(clock);
  superbet::testing::RunTransportSuite(
      t, [&](absl::Duration d) { clock.Advance(d); }, absl::Seconds(60));
}

TEST_CASE("embedded transport: pipeline calls equal the single calls", "[bus]") {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  superbet::bus::EmbeddedTransport t(clock);
  superbet::testing::RunPipelineSuite(
      t, [&](absl::Duration d) { clock.Advance(d); }, absl::Seconds(60));
}

TEST_CASE("embedded transport: keys expire on the injected clock", "[bus]") {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  superbet::bus::EmbeddedTransport t(clock);
  REQUIRE(*t.SetIfAbsent("sent", "inflight", absl::Seconds(86400)));
  REQUIRE(t.ListPush("digest", "e", absl::Seconds(1800)).ok());
  clock.Advance(absl::Seconds(1799));
  CHECK(t.ListRange("digest")->size() == 1);
  clock.Advance(absl::Seconds(1));
  CHECK(t.ListRange("digest")->empty());  // Expired at exactly 1800 s.
  CHECK(t.KeysWithPrefix("digest")->empty());
  // An indexed list expires too, and leaves its index then.
  REQUIRE(t.ListPushIndexed("digest:2", "e", absl::Seconds(1800), "digest-index").ok());
  CHECK(*t.IndexedKeys("digest-index") == std::vector<std::string>{"digest:2"});
  clock.Advance(absl::Seconds(1800));
  CHECK(t.IndexedKeys("digest-index")->empty());
  clock.Advance(absl::Seconds(86400));
  CHECK(*t.SetIfAbsent("sent", "inflight", absl::Seconds(86400)));
}

TEST_CASE("embedded transport: MINID trims entries older than the retention", "[bus]") {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  superbet::bus::EmbeddedTransport t(clock);
  REQUIRE(t.Add("s", {{"a", "1"}}).ok());
  clock.Advance(absl::Hours(24 * 8));
  const int64_t min_id = absl::ToUnixMillis(clock.Now() - absl::Hours(24 * 7));
  REQUIRE(t.Add("s", {{"a", "2"}}, min_id).ok());
  auto all = t.Range("s");
  REQUIRE(all->size() == 1);
  CHECK(all->at(0).Field("a") == "2");
}

TEST_CASE("embedded transport: AddOnce adds once per marker, atomically", "[bus]") {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  superbet::bus::EmbeddedTransport t(clock);
  superbet::testing::RunAddOnceSuite(t);
  // The marker expires with its ttl on the injected clock: then the next add is a new entry.
  clock.Advance(absl::Seconds(3600));
  auto late = t.AddOnce("once", {{"event_id", "pred-x-1"}}, "once:pred-x-1", absl::Seconds(3600));
  REQUIRE(late.ok());
  CHECK(late->second);
  CHECK(t.Range("once")->size() == 2);
}
