// The live feed (superbet/bus/live_feed.h) on any Transport: a real StatsBomb match (3754237,
// ../shared/data) published minute by minute to match.live, consumed by two consumers of one
// group, with a third that reads a batch and dies (its entries stay pending) and a fourth that
// dies after publishing but before its XACK.
//
// Oracles: the documented contract, checked against the test's own bookkeeping: every entry is
// decided exactly once (each (match, minute) reaches the decide function once, duplicates and
// reclaims included), the history a decide call sees is exactly the published states of the
// minutes max(0, k-24) .. k-1 (the window definition), risk.verified holds each accepted
// decision once, XPENDING and the group's lag are 0 at the end, and the counts add up.

#ifndef SUPERBET_TESTS_BUS_LIVE_FEED_SUITE_H_
#define SUPERBET_TESTS_BUS_LIVE_FEED_SUITE_H_

#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "superbet/bus/live_feed.h"
#include "superbet/bus/topics.h"
#include "superbet/providers/replay_provider.h"
#include "support/test_data.h"

namespace superbet::testing {

// The LIVE states of match 3754237 (minute k at index k), as the replay provider serves them.
inline std::vector<superbet::v1::LiveMatchState> LiveFeedStates() {
  providers::ReplayLoadOptions options;
  options.only_matches = {"3754237"};
  auto d = providers::LoadReplayData(DataDir(), options);
  REQUIRE(d.ok());
  REQUIRE(d->timelines.size() == 1);
  std::vector<superbet::v1::LiveMatchState> out;
  for (const auto& s : d->timelines[0].states) {
    if (s.has_minute() && s.minute() == static_cast<int>(out.size())) out.push_back(s);
  }
  REQUIRE(out.size() > 80);
  return out;
}

// `wait(d)`: lets `d` of the transport's idle time pass; `idle`: the claim_idle used.
inline void RunLiveFeedSuite(superbet::bus::Transport& t,
                             const std::function<void(absl::Duration)>& wait, absl::Duration idle) {
  namespace bus = superbet::bus;
  namespace v1 = superbet::v1;
  const std::vector<v1::LiveMatchState> states = LiveFeedStates();
  const int n = static_cast<int>(states.size());

  auto make = [&](const std::string& name) {
    bus::LiveConsumerOptions o;
    o.consumer = name;
    o.claim_idle = idle;
    o.batch = 5;
    auto c = bus::LiveFeedConsumer::Create(&t, o);
    REQUIRE(c.ok());
    return *std::move(c);
  };
  bus::LiveFeedConsumer a = make("a");
  bus::LiveFeedConsumer b = make("b");
  REQUIRE(a.Start().ok());
  REQUIRE(b.Start().ok());  // The group exists already: not an error.

  for (int k = 0; k < n; ++k) {
    v1::LiveMatchUpdate u;
    *u.mutable_state() = states[k];
    u.set_sequence(k + 1);
    REQUIRE(bus::PublishLiveUpdate(t, u, "replay").ok());
  }
  // A second update for minute 5 with other content (a re-read): the window keeps the first.
  {
    v1::LiveMatchUpdate u;
    *u.mutable_state() = states[5];
    u.mutable_state()->mutable_home()->set_dangerous_attacks(999);
    REQUIRE(bus::PublishLiveUpdate(t, u, "replay").ok());
    auto w = t.Get(bus::LiveWindowKey(states[5].match_id(), 5));
    REQUIRE(w.ok());
    REQUIRE(w->has_value());
    CHECK(**w == states[5].SerializeAsString());
  }
  // A malformed entry from some other producer.
  REQUIRE(t.Add(bus::kMatchLive, {{"match_id", "x"}, {"minute", "1"}, {"update", "junk"}}).ok());
  const int entries = n + 2;

  // The decide oracle: accepts minutes k % 7 == 3; records every call and checks its history.
  std::map<int, int> decided;  // minute -> decide calls.
  std::set<int> accepted;
  bus::LiveDecideFn decide =
      [&](const bus::LiveFeedEntry& e,
          const std::map<int, v1::LiveMatchState>& history) -> absl::StatusOr<bus::LiveOutcome> {
    const int k = e.update.state().minute();
    ++decided[k];
    std::vector<int> want, got;
    for (int j = std::max(0, k - 24); j < k; ++j) want.push_back(j);
    for (const auto& [j, s] : history) {
      got.push_back(j);
      CHECK(s.SerializeAsString() == states[j].SerializeAsString());
    }
    CHECK(got == want);
    bus::LiveOutcome o;
    if (k % 7 == 3) {
      o.accepted = true;
      accepted.insert(k);
      o.verified = {{"event", absl::StrCat(e.update.state().match_id(), "@", k)},
                    {"event_id", absl::StrCat("pred-", k)}};
    } else {
      o.reason = "no_bet";
    }
    return o;
  };

  // A replica that dies right after its XREADGROUP: 5 entries pending on "dead".
  auto dead = t.ReadGroup(bus::kMatchLive, bus::kAgentLiveGroup, "dead", 5);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 5);
  // ... one of which (minute 2) it had claimed before dying: its own claim, so it is decided.
  REQUIRE(dead->at(2).Field("minute") == "2");
  REQUIRE(t.Set(bus::LiveDecidedKey(states[2].match_id(), 2), "deciding:" + dead->at(2).id,
                absl::Hours(1))
              .ok());
  // A replica that dies after publishing minute 10's decision and its guard, before the XACK.
  auto late = t.ReadGroup(bus::kMatchLive, bus::kAgentLiveGroup, "late", 6);
  REQUIRE(late.ok());
  REQUIRE(late->size() == 6);
  REQUIRE(late->at(5).Field("minute") == "10");
  REQUIRE(t.Add(bus::kRiskVerified,
                {{"event", absl::StrCat(states[10].match_id(), "@10")}, {"event_id", "pred-10"}})
              .ok());
  REQUIRE(t.Set(bus::LiveDecidedKey(states[10].match_id(), 10), "published", absl::Hours(1)).ok());
  accepted.insert(10);  // Published by the late replica (10 % 7 == 3).
  ++decided[10];

  // a and b take turns; the dead replicas' 11 entries are reclaimed once idle.
  int handled = 0;
  for (int round = 0; round < 200 && handled < entries - 11; ++round) {
    auto x = (round % 2 == 0 ? a : b).PollOnce(decide);
    REQUIRE(x.ok());
    handled += *x;
  }
  CHECK(handled == entries - 11);
  auto pending = t.PendingCount(bus::kMatchLive, bus::kAgentLiveGroup);
  REQUIRE(pending.ok());
  CHECK(*pending == 11);
  wait(idle + idle);
  for (int round = 0; round < 10 && handled < entries; ++round) {
    auto x = a.PollOnce(decide);
    REQUIRE(x.ok());
    handled += *x;
  }
  CHECK(handled == entries);
  CHECK(a.counts().reclaimed == 11);
  CHECK(b.counts().reclaimed == 0);

  // Every (match, minute) decided exactly once; the second minute-5 update and the late
  // replica's minute 10 were acked as duplicates.
  REQUIRE(static_cast<int>(decided.size()) == n);
  for (const auto& [k, calls] : decided) {
    INFO("minute " << k);
    CHECK(calls == 1);
  }
  const bus::LiveConsumerCounts& ca = a.counts();
  const bus::LiveConsumerCounts& cb = b.counts();
  CHECK(ca.duplicate + cb.duplicate == 2);
  CHECK(ca.dead_lettered + cb.dead_lettered == 1);
  auto unparseable = [](const bus::LiveConsumerCounts& c) {
    auto it = c.dead_lettered_by_reason.find("unparseable");
    return it == c.dead_lettered_by_reason.end() ? int64_t{0} : it->second;
  };
  CHECK(unparseable(ca) + unparseable(cb) == 1);
  CHECK(ca.accepted + cb.accepted + 1 == static_cast<int64_t>(accepted.size()));
  CHECK(ca.accepted + cb.accepted + ca.denied + cb.denied + 1 == n);
  CHECK(ca.accepted + ca.denied + ca.dead_lettered + ca.duplicate + cb.accepted + cb.denied +
            cb.dead_lettered + cb.duplicate ==
        entries);
  CHECK(ca.retried + cb.retried == 0);
  // The malformed entry is in match.live.dlq, at once (one delivery), with its fields.
  {
    auto dlq = t.Range(bus::kMatchLiveDlq);
    REQUIRE(dlq.ok());
    REQUIRE(dlq->size() == 1);
    const bus::Entry& d = dlq->front();
    CHECK(d.Field("reason") == "unparseable");
    CHECK(d.Field("attempts") == "1");
    CHECK(d.Field("entry.update") == "junk");
    CHECK(d.Field("entry.match_id") == "x");
    CHECK(d.Field("last_error").find("update: absent or not a LiveMatchUpdate") !=
          std::string::npos);
  }

  // risk.verified: each accepted decision once.
  auto verified = t.Range(bus::kRiskVerified);
  REQUIRE(verified.ok());
  std::multiset<std::string> ids;
  for (const auto& e : *verified) ids.insert(e.Field("event_id"));
  CHECK(ids.size() == accepted.size());
  for (int k : accepted) CHECK(ids.count(absl::StrCat("pred-", k)) == 1);
  // Every guard written, with the outcome.
  for (int k = 0; k < n; ++k) {
    auto g = t.Get(bus::LiveDecidedKey(states[k].match_id(), k));
    REQUIRE(g.ok());
    REQUIRE(g->has_value());
    CHECK(**g == (k % 7 == 3 ? "published" : "denied:no_bet"));
  }
  pending = t.PendingCount(bus::kMatchLive, bus::kAgentLiveGroup);
  REQUIRE(pending.ok());
  CHECK(*pending == 0);
  auto lag = t.Undelivered(bus::kMatchLive, bus::kAgentLiveGroup);
  REQUIRE(lag.ok());
  CHECK(*lag == 0);

  // Two updates of one new minute: the first is claimed by a consumer "z" that then stalls; the
  // second, read meanwhile, is a duplicate of the claim; once z's entry is reclaimed it is
  // decided (its own claim). The minute is decided once.
  v1::LiveMatchUpdate extra;
  *extra.mutable_state() = states[n - 1];
  extra.mutable_state()->set_minute(n);
  REQUIRE(bus::PublishLiveUpdate(t, extra, "replay").ok());
  REQUIRE(bus::PublishLiveUpdate(t, extra, "replay").ok());
  auto z = t.ReadGroup(bus::kMatchLive, bus::kAgentLiveGroup, "z", 1);
  REQUIRE(z.ok());
  REQUIRE(z->size() == 1);
  REQUIRE(*t.SetIfAbsent(bus::LiveDecidedKey(extra.state().match_id(), n),
                         "deciding:" + z->at(0).id, absl::Hours(1)));
  const int64_t duplicates_before = a.counts().duplicate;
  auto second = a.PollOnce(decide);
  REQUIRE(second.ok());
  CHECK(*second == 1);
  CHECK(a.counts().duplicate == duplicates_before + 1);
  CHECK(decided.count(n) == 0);
  wait(idle + idle);
  auto first = a.PollOnce(decide);
  REQUIRE(first.ok());
  CHECK(*first == 1);
  CHECK(decided[n] == 1);
  pending = t.PendingCount(bus::kMatchLive, bus::kAgentLiveGroup);
  REQUIRE(pending.ok());
  CHECK(*pending == 0);
}

// The retry cap and match.live.dlq (live_feed.h) on any Transport. Oracles: the documented
// contract and the test's own bookkeeping: a poison entry goes to the DLQ on its first delivery
// (reason unparseable); an entry whose decision always fails is decided exactly max_deliveries (5)
// times and then moved (reason max_deliveries, attempts 5, its last error); an entry whose
// decision fails once is decided on its second delivery; an entry held by a consumer that never
// finishes (claimed 6 times) is moved without being decided, with no last_error; every other entry
// is decided exactly once; nothing stays pending.
inline void RunLiveFeedDlqSuite(superbet::bus::Transport& t,
                                const std::function<void(absl::Duration)>& wait,
                                absl::Duration idle) {
  namespace bus = superbet::bus;
  namespace v1 = superbet::v1;
  const std::vector<v1::LiveMatchState> states = LiveFeedStates();
  bus::LiveConsumerOptions o;
  o.consumer = "a";
  o.claim_idle = idle;
  o.max_deliveries = 5;
  auto created = bus::LiveFeedConsumer::Create(&t, o);
  REQUIRE(created.ok());
  bus::LiveFeedConsumer a = *std::move(created);
  REQUIRE(a.Start().ok());
  auto publish = [&](int k) {
    v1::LiveMatchUpdate u;
    *u.mutable_state() = states[k];
    u.set_sequence(k + 1);
    auto id = bus::PublishLiveUpdate(t, u, "replay");
    REQUIRE(id.ok());
    return *id;
  };
  // Minute 30, read by a consumer "ghost" that keeps claiming it and never finishes: 6 deliveries.
  const std::string stalled = publish(30);
  auto ghost = t.ReadGroup(bus::kMatchLive, bus::kAgentLiveGroup, "ghost", 1);
  REQUIRE(ghost.ok());
  REQUIRE(ghost->size() == 1);
  for (int i = 0; i < 5; ++i) {
    auto c = t.AutoClaim(bus::kMatchLive, bus::kAgentLiveGroup, "ghost", absl::ZeroDuration(), 1);
    REQUIRE(c.ok());
    REQUIRE(c->size() == 1);
  }
  std::map<int, std::string> ids;
  for (int k = 0; k < 10; ++k) ids[k] = publish(k);
  // A poison entry: its update does not parse.
  auto poison =
      t.Add(bus::kMatchLive,
            {{"match_id", states[0].match_id()}, {"minute", "11"}, {"update", "\x08\xff\xff"}});
  REQUIRE(poison.ok());
  const int entries = 12;

  std::map<int, int> calls;  // minute -> decide calls.
  bus::LiveDecideFn decide =
      [&](const bus::LiveFeedEntry& e,
          const std::map<int, v1::LiveMatchState>&) -> absl::StatusOr<bus::LiveOutcome> {
    const int k = e.update.state().minute();
    ++calls[k];
    if (k == 4)
      return absl::InternalError(absl::StrCat("model exploded at delivery ", e.deliveries));
    if (k == 6 && calls[k] == 1) return absl::UnavailableError("transient");
    bus::LiveOutcome out;
    out.reason = "no_bet";
    return out;
  };
  int handled = 0;
  for (int round = 0; round < 30 && handled < entries; ++round) {
    auto n = a.PollOnce(decide);
    REQUIRE(n.ok());
    handled += *n;
    if (handled < entries) wait(idle + idle);
  }
  CHECK(handled == entries);
  for (int k = 0; k < 10; ++k) {
    INFO("minute " << k);
    CHECK(calls[k] == (k == 4 ? 5 : k == 6 ? 2 : 1));
  }
  CHECK(calls.count(30) == 0);  // Moved without deciding.
  const bus::LiveConsumerCounts& c = a.counts();
  CHECK(c.denied == 9);
  CHECK(c.accepted == 0);
  CHECK(c.dead_lettered == 3);
  CHECK(c.dead_lettered_by_reason.at("unparseable") == 1);
  CHECK(c.dead_lettered_by_reason.at("max_deliveries") == 2);
  CHECK(c.retried == 4 + 1);
  auto pending = t.PendingCount(bus::kMatchLive, bus::kAgentLiveGroup);
  REQUIRE(pending.ok());
  CHECK(*pending == 0);

  auto dlq = t.Range(bus::kMatchLiveDlq);
  REQUIRE(dlq.ok());
  REQUIRE(dlq->size() == 3);
  std::map<std::string, bus::Entry> by_id;
  for (const bus::Entry& d : *dlq) by_id[d.Field("entry_id")] = d;
  REQUIRE(by_id.count(*poison) == 1);
  CHECK(by_id[*poison].Field("reason") == "unparseable");
  CHECK(by_id[*poison].Field("attempts") == "1");
  CHECK(by_id[*poison].Field("entry.update") == "\x08\xff\xff");
  REQUIRE(by_id.count(ids[4]) == 1);
  const bus::Entry& failed = by_id[ids[4]];
  CHECK(failed.Field("reason") == "max_deliveries");
  CHECK(failed.Field("attempts") == "5");
  CHECK(failed.Field("last_error") == "INTERNAL: model exploded at delivery 5");
  CHECK(failed.Field("consumer") == "a");
  CHECK(failed.Field("first_seen") == ids[4].substr(0, ids[4].find('-')));
  v1::LiveMatchUpdate u;
  REQUIRE(u.ParseFromString(failed.Field("entry.update")));
  CHECK(u.state().minute() == 4);
  REQUIRE(by_id.count(stalled) == 1);
  CHECK(by_id[stalled].Field("reason") == "max_deliveries");
  CHECK(by_id[stalled].Field("attempts") == "7");
  bool has_error = false;
  for (const auto& [name, value] : by_id[stalled].fields) has_error |= name == "last_error";
  CHECK_FALSE(has_error);  // Absent: no decision ever ended.
  // Guards: the moved minutes say so; the error key is gone.
  auto g4 = t.Get(bus::LiveDecidedKey(states[4].match_id(), 4));
  REQUIRE(g4.ok());
  CHECK(*g4 == std::optional<std::string>("dlq:max_deliveries"));
  auto g6 = t.Get(bus::LiveDecidedKey(states[6].match_id(), 6));
  REQUIRE(g6.ok());
  CHECK(*g6 == std::optional<std::string>("denied:no_bet"));
  auto e4 = t.Get(bus::LiveErrorKey(ids[4]));
  REQUIRE(e4.ok());
  CHECK_FALSE(e4->has_value());
}

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_BUS_LIVE_FEED_SUITE_H_
