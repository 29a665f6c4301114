// odds.live (superbet/bus/live_odds.h) on the embedded transport. Oracles: the documented
// contract -- one update per change of a match's prices (a hand-made price path: 5 states, 3
// changes), nothing for absent, unquoted or invalid prices (invalid ones counted), the entry's
// fields equal to the message's, and errors naming the field and the value.

#include "superbet/bus/live_odds.h"

#include <catch2/catch.hpp>
#include <limits>

#include "superbet/bus/embedded_transport.h"
#include "superbet/core/clock.h"

namespace bus = superbet::bus;
namespace v1 = superbet::v1;
using superbet::core::FakeClock;

namespace {

v1::LiveMatchState State(const std::string& id, int minute, double h, double d, double a) {
  v1::LiveMatchState s;
  s.set_match_id(id);
  s.set_minute(minute);
  s.mutable_live_odds()->set_home(h);
  s.mutable_live_odds()->set_draw(d);
  s.mutable_live_odds()->set_away(a);
  s.mutable_live_odds()->set_bookmaker("modelled");
  return s;
}

}  // namespace

TEST_CASE("odds.live: one update per change of a match's prices", "[bus][odds]") {
  bus::LiveOddsTracker tracker;
  // Match A: 2.1/3.4/3.6 at 0 and 1, 2.0/3.4/3.9 at 2, same at 3, home suspended (0) at 4.
  auto u0 = tracker.Observe(State("m:A", 0, 2.1, 3.4, 3.6));
  REQUIRE(u0.has_value());
  CHECK(u0->sequence() == 1);
  CHECK(u0->minute() == 0);
  CHECK(u0->odds().home() == 2.1);
  CHECK_FALSE(tracker.Observe(State("m:A", 1, 2.1, 3.4, 3.6)).has_value());
  // Match B is tracked apart: its first prices are a change even though equal to A's.
  auto b0 = tracker.Observe(State("m:B", 1, 2.1, 3.4, 3.6));
  REQUIRE(b0.has_value());
  CHECK(b0->sequence() == 1);
  auto u2 = tracker.Observe(State("m:A", 2, 2.0, 3.4, 3.9));
  REQUIRE(u2.has_value());
  CHECK(u2->sequence() == 2);
  CHECK(u2->odds().away() == 3.9);
  CHECK_FALSE(tracker.Observe(State("m:A", 3, 2.0, 3.4, 3.9)).has_value());
  auto u4 = tracker.Observe(State("m:A", 4, 0, 3.4, 3.9));
  REQUIRE(u4.has_value());
  CHECK(u4->sequence() == 3);
  CHECK(u4->odds().home() == 0);
  // A bookmaker change with the same prices is a change.
  v1::LiveMatchState other = State("m:A", 5, 0, 3.4, 3.9);
  other.mutable_live_odds()->set_bookmaker("Bet365");
  CHECK(tracker.Observe(other).has_value());

  // Absent, nothing quoted, invalid: no update; invalid counted; the last prices kept.
  v1::LiveMatchState none;
  none.set_match_id("m:A");
  CHECK_FALSE(tracker.Observe(none).has_value());
  CHECK_FALSE(tracker.Observe(State("m:A", 6, 0, 0, 0)).has_value());
  CHECK(tracker.rejected() == 0);
  CHECK_FALSE(tracker.Observe(State("m:A", 7, 0.97, 3.4, 3.9)).has_value());
  CHECK_FALSE(tracker.Observe(State("m:A", 7, std::numeric_limits<double>::quiet_NaN(), 3.4, 3.9))
                  .has_value());
  CHECK(tracker.rejected() == 2);
  CHECK_FALSE(tracker.Observe(other).has_value());

  // Lines are carried.
  v1::BettingLine line;
  line.set_fixture_id("m:C");
  line.set_decimal_odds(1.9);
  auto c = tracker.Observe(State("m:C", 10, 1.9, 3.5, 4.2), {line});
  REQUIRE(c.has_value());
  REQUIRE(c->lines_size() == 1);
  CHECK(c->lines(0).decimal_odds() == 1.9);
}

TEST_CASE("odds.live: entries round-trip, bad ones are named, the stream is trimmed",
          "[bus][odds]") {
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  bus::EmbeddedTransport t(clock);
  bus::LiveOddsTracker tracker;
  auto u = tracker.Observe(State("statsbomb:1", 12, 2.5, 3.1, 2.9));
  REQUIRE(u.has_value());
  auto id = bus::PublishLiveOdds(t, *u, "replay");
  REQUIRE(id.ok());
  auto entries = t.Range(bus::kOddsLive);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  const bus::Entry& e = entries->front();
  CHECK(e.Field("match_id") == "statsbomb:1");
  CHECK(e.Field("minute") == "12");
  CHECK(e.Field("provider") == "replay");
  CHECK(e.Field("home") == "2.5");
  CHECK(e.Field("draw") == "3.1");
  CHECK(e.Field("away") == "2.9");
  auto parsed = bus::ParseLiveOddsEntry(e);
  REQUIRE(parsed.ok());
  CHECK(parsed->SerializeAsString() == u->SerializeAsString());

  v1::LiveOddsUpdate bad = *u;
  bad.mutable_odds()->set_draw(0.97);
  CHECK(bus::LiveOddsFields(bad, "replay").status().message() ==
        "odds.draw must be 0 (not quoted) or a decimal odds > 1, got 0.97");
  bad = *u;
  bad.clear_match_id();
  CHECK(bus::LiveOddsFields(bad, "replay").status().message() == "match_id is empty");
  bad = *u;
  bad.mutable_odds()->set_home(0);
  bad.mutable_odds()->set_draw(0);
  bad.mutable_odds()->set_away(0);
  CHECK(bus::PublishLiveOdds(t, bad, "replay").status().message() == "odds: no selection quoted");
  CHECK(bus::ParseLiveOddsEntry(bus::Entry{"5-0", {{"match_id", "x"}, {"update", "junk"}}, 1})
            .status()
            .message() == "odds.live 5-0: update: absent or not a LiveOddsUpdate");
  bus::Entry mismatch = e;
  mismatch.fields[0].second = "statsbomb:2";
  CHECK(bus::ParseLiveOddsEntry(mismatch).status().message() ==
        "odds.live " + e.id +
            ": match_id: field says \"statsbomb:2\", update says \"statsbomb:1\"");

  // Retention (Redis's XADD MINID ~, as the embedded transport implements it): 8 days later,
  // publishing with `now` drops the first entry.
  clock.Advance(absl::Hours(24 * 8));
  auto later = tracker.Observe(State("statsbomb:1", 13, 2.6, 3.1, 2.8));
  REQUIRE(later.has_value());
  REQUIRE(bus::PublishLiveOdds(t, *later, "replay", clock.Now()).ok());
  entries = t.Range(bus::kOddsLive);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  CHECK(entries->front().Field("minute") == "13");
}
