// One suite of Transport semantics run against both implementations (embedded_transport_test.cc,
// redis_transport_itest.cc). Oracle: Redis 7's documented stream semantics (XREADGROUP delivers
// each entry once per group; entries stay pending until XACK; XAUTOCLAIM moves entries idle for
// min_idle and counts the delivery) and the token bucket's closed form.

#ifndef SUPERBET_TESTS_BUS_TRANSPORT_SUITE_H_
#define SUPERBET_TESTS_BUS_TRANSPORT_SUITE_H_

#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "superbet/bus/transport.h"

namespace superbet::testing {

// `wait(d)`: lets `d` of the transport's idle time pass (fake clock advance, or a real sleep).
inline void RunTransportSuite(superbet::bus::Transport& t,
                              const std::function<void(absl::Duration)>& wait,
                              absl::Duration idle) {
  namespace bus = superbet::bus;
  REQUIRE(t.CreateGroup("s", "g").ok());
  REQUIRE(t.CreateGroup("s", "g").ok());  // An existing group is not an error.
  for (int i = 0; i < 7; ++i) {
    auto id = t.Add("s", {{"event", std::to_string(i)}, {"priority", std::to_string(i * 0.1)}});
    REQUIRE(id.ok());
  }
  auto undelivered = t.Undelivered("s", "g");
  REQUIRE(undelivered.ok());
  CHECK(*undelivered == 7);
  auto a = t.ReadGroup("s", "g", "alice", 5);
  REQUIRE(a.ok());
  REQUIRE(a->size() == 5);
  CHECK(a->at(0).Field("event") == "0");
  CHECK(a->at(4).Field("event") == "4");
  auto b = t.ReadGroup("s", "g", "bob", 5);
  REQUIRE(b.ok());
  REQUIRE(b->size() == 2);  // Each entry once per group.
  CHECK(b->at(0).Field("event") == "5");
  CHECK(*t.PendingCount("s", "g") == 7);
  REQUIRE(t.Ack("s", "g", a->at(0).id).ok());
  REQUIRE(t.Ack("s", "g", b->at(0).id).ok());
  CHECK(*t.PendingCount("s", "g") == 5);
  CHECK(*t.Undelivered("s", "g") == 0);
  // Nothing is idle yet.
  auto early = t.AutoClaim("s", "g", "carol", idle, 10);
  REQUIRE(early.ok());
  CHECK(early->empty());
  wait(idle + idle / 2);
  auto claimed = t.AutoClaim("s", "g", "carol", idle, 10);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 5);  // alice's 4 unacked + bob's 1.
  for (const auto& e : *claimed) CHECK(e.deliveries == 2);
  // Another group sees every entry again.
  REQUIRE(t.CreateGroup("s", "other").ok());
  auto o = t.ReadGroup("s", "other", "x", 100);
  REQUIRE(o.ok());
  CHECK(o->size() == 7);
  auto all = t.Range("s");
  REQUIRE(all.ok());
  CHECK(all->size() == 7);

  // Keys.
  CHECK(*t.SetIfAbsent("k", "inflight", absl::Seconds(60)));
  CHECK_FALSE(*t.SetIfAbsent("k", "again", absl::Seconds(60)));
  CHECK(t.Get("k")->value() == "inflight");
  REQUIRE(t.Set("k", "sent", absl::Seconds(60)).ok());
  CHECK(t.Get("k")->value() == "sent");
  REQUIRE(t.Delete("k").ok());
  CHECK_FALSE(t.Get("k")->has_value());
  REQUIRE(t.HashSet("h", "b", "2").ok());
  REQUIRE(t.HashSet("h", "a", "1").ok());
  CHECK(*t.HashGetAll("h") == bus::Fields{{"a", "1"}, {"b", "2"}});
  REQUIRE(t.ListPush("broadcast:digest:x:10", "one", absl::Seconds(1800)).ok());
  REQUIRE(t.ListPush("broadcast:digest:x:10", "two", absl::Seconds(1800)).ok());
  REQUIRE(t.ListPush("broadcast:digest:x:9", "zero", absl::Seconds(1800)).ok());
  CHECK(*t.ListRange("broadcast:digest:x:10") == std::vector<std::string>{"one", "two"});
  CHECK(*t.KeysWithPrefix("broadcast:digest:x:") ==
        std::vector<std::string>{"broadcast:digest:x:10", "broadcast:digest:x:9"});
  // Indexed lists: the index names exactly the lists pushed through it (no scan); a deleted
  // list leaves the index at the next read; IndexAdd names a list written without it.
  REQUIRE(t.ListPushIndexed("ix:b", "1", absl::Seconds(1800), "ix").ok());
  REQUIRE(t.ListPushIndexed("ix:a", "2", absl::Seconds(1800), "ix").ok());
  REQUIRE(t.ListPushIndexed("ix:b", "3", absl::Seconds(1800), "ix").ok());
  REQUIRE(t.ListPush("ix:c", "4", absl::Seconds(1800)).ok());
  CHECK(*t.IndexedKeys("ix") == std::vector<std::string>{"ix:a", "ix:b"});
  CHECK(*t.ListRange("ix:b") == std::vector<std::string>{"1", "3"});
  REQUIRE(t.Delete("ix:a").ok());
  CHECK(*t.IndexedKeys("ix") == std::vector<std::string>{"ix:b"});
  REQUIRE(t.IndexAdd("ix", {"ix:c", "ix:gone"}, absl::Seconds(1800)).ok());
  CHECK(*t.IndexedKeys("ix") == std::vector<std::string>{"ix:b", "ix:c"});
  REQUIRE(t.Delete("ix:b").ok());
  REQUIRE(t.Delete("ix:c").ok());
  CHECK(t.IndexedKeys("ix")->empty());
  CHECK(t.IndexedKeys("never")->empty());
  CHECK(*t.HashGetMany("h", {"b", "z", "a"}) ==
        std::vector<std::optional<std::string>>{"2", std::nullopt, "1"});
  CHECK(*t.HashGetMany("no-such-hash", {"a"}) == std::vector<std::optional<std::string>>{{}});

  // Token buckets: capacity 3/h and 5/d; the global bucket 2/d; all or nothing.
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  const bus::BucketSpec both[] = {{"lim:p", 3, 5}, {"lim:g", 0, 2}};
  CHECK(t.Acquire(both, t0)->acquired);
  CHECK(t.Acquire(both, t0)->acquired);
  auto third = t.Acquire(both, t0);
  REQUIRE(third.ok());
  CHECK_FALSE(third->acquired);  // Global empty: nothing taken from lim:p either.
  // Global refills 2/86400 per s: one token after 43200 s.
  CHECK(absl::ToDoubleSeconds(third->wait) == Approx(43200).margin(0.01));
  const bus::BucketSpec only_p[] = {{"lim:p", 3, 5}};
  CHECK(t.Acquire(only_p, t0)->acquired);  // lim:p still had 1 of 3 hourly.
  auto p4 = t.Acquire(only_p, t0);
  REQUIRE(p4.ok());
  CHECK_FALSE(p4->acquired);
  CHECK(absl::ToDoubleSeconds(p4->wait) == Approx(1200).margin(0.01));  // 3600 / 3.
  CHECK(t.Acquire(only_p, t0 + absl::Seconds(1200))->acquired);
  // 4 tokens taken from lim:p so far; the 5th at 2400 s (hourly refilled to 1, daily 1.139).
  CHECK(t.Acquire(only_p, t0 + absl::Seconds(2400))->acquired);
  // At 3600 s the hourly bucket has 1 again but the daily one only 5 - 5 + 3600 * 5 / 86400 =
  // 0.2083: wait (1 - 0.2083) * 86400 / 5 = 13680 s for the daily bucket.
  auto p6 = t.Acquire(only_p, t0 + absl::Seconds(3600));
  REQUIRE(p6.ok());
  CHECK_FALSE(p6->acquired);
  CHECK(absl::ToDoubleSeconds(p6->wait) == Approx(13680).margin(0.01));
  CHECK_FALSE(t.Acquire({{"bad", 1, 0}}, t0).ok());
  // PeekBucket reads the same closed form without taking: at 3600 s lim:p's hourly bucket is
  // 0 + 1200 * 3 / 3600 = 1 (last take at 2400 s), its daily one 0.2083; read twice, unchanged.
  for (int i = 0; i < 2; ++i) {
    auto peek = t.PeekBucket(only_p[0], t0 + absl::Seconds(3600));
    REQUIRE(peek.ok());
    CHECK(peek->hourly == Approx(1.0).margin(1e-9));
    CHECK(peek->daily == Approx(3600.0 * 5 / 86400).margin(1e-9));
  }
  // The global bucket: 0 at t0, one token after 43200 s; a bucket never used is full.
  CHECK(t.PeekBucket(both[1], t0 + absl::Seconds(43200))->daily == Approx(1.0).margin(1e-9));
  auto fresh = t.PeekBucket({"lim:never", 3, 5}, t0);
  REQUIRE(fresh.ok());
  CHECK(fresh->hourly == 3);
  CHECK(fresh->daily == 5);
  CHECK_FALSE(t.PeekBucket({"bad", 1, 0}, t0).ok());
}

// Pipelining: writes queued inside BeginPipeline/EndPipeline are applied in call order, before a
// later read sees the data; a queued write's error is reported; ClaimAndRead and GetMany equal
// the single calls. Oracle: the same calls made one by one (RunTransportSuite's semantics).
inline void RunPipelineSuite(superbet::bus::Transport& t,
                             const std::function<void(absl::Duration)>& wait, absl::Duration idle) {
  namespace bus = superbet::bus;
  REQUIRE(t.CreateGroup("p", "g").ok());
  t.BeginPipeline();
  t.BeginPipeline();  // Nested: only the outermost End flushes.
  for (int i = 0; i < 6; ++i) REQUIRE(t.AddNoReply("p", {{"event", std::to_string(i)}}).ok());
  REQUIRE(t.Set("k1", "inflight", absl::Seconds(60)).ok());
  REQUIRE(t.Set("k1", "sent", absl::Seconds(60)).ok());  // Order kept: "sent" wins.
  REQUIRE(t.HashSet("h", "e1", "published").ok());
  REQUIRE(t.EndPipeline().ok());
  // A read inside the pipeline sees every write queued before it.
  auto read = t.ClaimAndRead("p", "g", "alice", idle, 10, 4);
  REQUIRE(read.ok());
  CHECK(read->first.empty());
  REQUIRE(read->second.size() == 4);
  CHECK(read->second[0].Field("event") == "0");
  CHECK(read->second[3].Field("event") == "3");
  auto got = t.GetMany({"k1", "absent-key"});
  REQUIRE(got.ok());
  REQUIRE(got->size() == 2);
  CHECK(got->at(0) == std::optional<std::string>("sent"));
  CHECK(!got->at(1).has_value());
  // Acks queued, then the pending count read after them.
  for (const auto& e : read->second) REQUIRE(t.Ack("p", "g", e.id).ok());
  auto pending = t.PendingCount("p", "g");
  REQUIRE(pending.ok());
  CHECK(*pending == 0);
  REQUIRE(t.EndPipeline().ok());
  // Outside a pipeline: the rest, then a reclaim of the unacknowledged ones with their counts.
  auto rest = t.ClaimAndRead("p", "g", "bob", idle, 10, 10);
  REQUIRE(rest.ok());
  CHECK(rest->first.empty());
  REQUIRE(rest->second.size() == 2);
  wait(idle + idle / 2);
  auto again = t.ClaimAndRead("p", "g", "carol", idle, 10, 10);
  REQUIRE(again.ok());
  REQUIRE(again->first.size() == 2);
  for (const auto& e : again->first) CHECK(e.deliveries == 2);
  CHECK(again->second.empty());
  auto h = t.HashGetAll("h");
  REQUIRE(h.ok());
  CHECK(*h == bus::Fields{{"e1", "published"}});

  // SetIfAbsentMany: per key, nullopt when this call set it, else the value it held (unchanged);
  // a key repeated in one call is set by its first occurrence. Oracle: SET NX then GET, one by one.
  REQUIRE(t.Set("g:sent", "sent", absl::Seconds(60)).ok());
  t.BeginPipeline();
  REQUIRE(t.Set("g:other", "inflight", absl::Seconds(60)).ok());  // Queued, applied first.
  auto guards =
      t.SetIfAbsentMany({"g:new", "g:sent", "g:other", "g:new"}, "inflight", absl::Seconds(60));
  REQUIRE(t.EndPipeline().ok());
  REQUIRE(guards.ok());
  REQUIRE(guards->size() == 4);
  CHECK(!guards->at(0).has_value());
  CHECK(guards->at(1) == std::optional<std::string>("sent"));
  CHECK(guards->at(2) == std::optional<std::string>("inflight"));
  CHECK(guards->at(3) == std::optional<std::string>("inflight"));
  CHECK(t.Get("g:new")->value() == "inflight");
  CHECK(t.Get("g:sent")->value() == "sent");

  // FanOutAndAck: each target gets the entry's fields in order, then the entry is acknowledged;
  // other pending entries stay pending. Oracle: XRANGE of the targets and XPENDING.
  REQUIRE(t.CreateGroup("src", "g").ok());
  REQUIRE(t.Add("src", {{"event", "{\"id\":\"a\"}"}, {"priority", "0.5"}, {"tier", "high"}}).ok());
  REQUIRE(t.Add("src", {{"event", "b"}}).ok());
  auto two = t.ReadGroup("src", "g", "alice", 2);
  REQUIRE(two.ok());
  REQUIRE(two->size() == 2);
  const std::vector<std::string> targets = {"out.a", "out.b"};
  t.BeginPipeline();
  REQUIRE(t.FanOutAndAck("src", "g", two->at(0), targets, 1).ok());
  REQUIRE(t.EndPipeline().ok());
  for (const std::string& target : targets) {
    auto copy = t.Range(target);
    REQUIRE(copy.ok());
    REQUIRE(copy->size() == 1);
    CHECK(copy->at(0).fields == two->at(0).fields);
  }
  CHECK(*t.PendingCount("src", "g") == 1);  // Only "b" still pending.

  // FanOutAndAckMany: entry by entry, each to every target in the order given (binary fields
  // kept byte for byte), then every entry acknowledged. AckMany and HashSetMany: one call for
  // several ids / fields. Oracle: XRANGE, XPENDING and HGETALL.
  REQUIRE(t.CreateGroup("src2", "g").ok());
  const std::string binary("\x00\x01\xff\r\n\"", 6);
  for (int i = 0; i < 4; ++i) {
    REQUIRE(
        t.Add("src2", {{"event_pb", binary + std::to_string(i)}, {"n", std::to_string(i)}}).ok());
  }
  auto four = t.ReadGroup("src2", "g", "alice", 4);
  REQUIRE(four.ok());
  REQUIRE(four->size() == 4);
  const std::vector<std::string> targets2 = {"out2.a", "out2.b"};
  t.BeginPipeline();
  REQUIRE(t.FanOutAndAckMany("src2", "g", absl::MakeConstSpan(four->data(), 3), targets2, 0).ok());
  REQUIRE(t.FanOutAndAckMany("src2", "g", {}, targets2, 0).ok());  // Nothing: no-op.
  REQUIRE(t.EndPipeline().ok());
  for (const std::string& target : targets2) {
    auto copy = t.Range(target);
    REQUIRE(copy.ok());
    REQUIRE(copy->size() == 3);
    for (int i = 0; i < 3; ++i) CHECK(copy->at(i).fields == four->at(i).fields);
  }
  CHECK(*t.PendingCount("src2", "g") == 1);  // Only the fourth.
  REQUIRE(t.AckMany("src2", "g", {four->at(3).id}).ok());
  CHECK(*t.PendingCount("src2", "g") == 0);
  REQUIRE(t.HashSetMany("h2", {{"b", "2"}, {"a", "1"}}).ok());
  REQUIRE(t.HashSetMany("h2", {}).ok());
  auto h2 = t.HashGetAll("h2");
  REQUIRE(h2.ok());
  CHECK(*h2 == bus::Fields{{"a", "1"}, {"b", "2"}});
}

// AddOnce: the documented contract (the marker absent -> one XADD and the marker set to its id;
// present -> its value, nothing written), 8 threads adding the same marker at once -> one entry,
// and MINID trimming as Add does. `t` must be safe to call from several threads.
inline void RunAddOnceSuite(superbet::bus::Transport& t) {
  const superbet::bus::Fields fields = {{"event", "{\"a\":1}"}, {"event_id", "pred-x-1"}};
  auto first = t.AddOnce("once", fields, "once:pred-x-1", absl::Seconds(3600));
  REQUIRE(first.ok());
  CHECK(first->second);
  auto marker = t.Get("once:pred-x-1");
  REQUIRE(marker.ok());
  CHECK(*marker == std::optional<std::string>(first->first));
  auto again = t.AddOnce("once", fields, "once:pred-x-1", absl::Seconds(3600));
  REQUIRE(again.ok());
  CHECK_FALSE(again->second);
  CHECK(again->first == first->first);
  auto entries = t.Range("once");
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  CHECK(entries->at(0).id == first->first);
  CHECK(entries->at(0).fields == fields);
  // Concurrent callers of one marker: one entry, every caller answered its id.
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<std::pair<std::string, bool>>> got(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back(
        [&, i] { got[i] = t.AddOnce("once.c", fields, "once:c", absl::Seconds(60)); });
  }
  for (auto& th : threads) th.join();
  int added = 0;
  for (const auto& g : got) {
    REQUIRE(g.ok());
    added += g->second ? 1 : 0;
    CHECK(g->first == got[0]->first);
  }
  CHECK(added == 1);
  CHECK(t.Range("once.c")->size() == 1);
  // MINID as Add: an entry older than min_id_ms is trimmed by the next add (Redis trims "~",
  // whole nodes only, so only the kept entry is checked).
  auto kept = t.AddOnce("once.m", fields, "once:m2", absl::Seconds(60), 1);
  REQUIRE(kept.ok());
  CHECK(kept->second);
  auto m = t.Range("once.m");
  REQUIRE(m.ok());
  REQUIRE_FALSE(m->empty());
  CHECK(m->back().id == kept->first);
}

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_BUS_TRANSPORT_SUITE_H_
