// The Transport suite (transport_suite.h) on a real redis-server started by the test
// (tests/support/redis_server.h): 127.0.0.1, free port, temporary folder, AOF on.

#include <hiredis/hiredis.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "superbet/bus/redis_transport.h"
#include "support/redis_server.h"
#include "transport_suite.h"

namespace bus = superbet::bus;

TEST_CASE("redis transport: stream, key and bucket semantics (real redis-server)", "[redis]") {
  superbet::testing::RedisServer server;
  REQUIRE(server.ok());
  auto addr = bus::ParseRedisUrl(server.url());
  REQUIRE(addr.ok());
  auto t = bus::RedisTransport::Connect(*addr);
  REQUIRE(t.ok());
  // Redis measures idle time on its own clock: wait for real, with a short min-idle.
  superbet::testing::RunTransportSuite(
      **t, [](absl::Duration d) { absl::SleepFor(d); }, absl::Milliseconds(200));
}

TEST_CASE("redis transport: AddOnce is one atomic round trip (Lua script)", "[redis]") {
  superbet::testing::RedisServer server;
  REQUIRE(server.ok());
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(server.url()));
  REQUIRE(t.ok());
  superbet::testing::RunAddOnceSuite(**t);
  const int64_t before = (*t)->round_trips();
  REQUIRE((*t)->AddOnce("once.rt", {{"event_id", "e"}}, "once:rt", absl::Seconds(60)).ok());
  CHECK((*t)->round_trips() - before == 1);
}

TEST_CASE("redis transport: pipelined writes keep their order and reads see them", "[redis]") {
  superbet::testing::RedisServer server;
  REQUIRE(server.ok());
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(server.url()));
  REQUIRE(t.ok());
  superbet::testing::RunPipelineSuite(
      **t, [](absl::Duration d) { absl::SleepFor(d); }, absl::Milliseconds(200));
}

TEST_CASE("redis transport: a queued write's error reaches the caller that sends it", "[redis]") {
  superbet::testing::RedisServer server;
  REQUIRE(server.ok());
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(server.url()));
  REQUIRE(t.ok());
  REQUIRE((*t)->HashSet("h", "f", "v").ok());
  (*t)->BeginPipeline();
  REQUIRE((*t)->Set("h", "x", absl::Seconds(10)).ok());  // SET on a hash: fine, replaces it.
  REQUIRE((*t)->HashSet("h", "f", "v").ok());            // HSET on a string: WRONGTYPE, queued.
  auto read = (*t)->Get("other");
  REQUIRE(!read.ok());
  CHECK(read.status().message().find("WRONGTYPE") != std::string::npos);
  REQUIRE((*t)->EndPipeline().ok());
  auto v = (*t)->Get("h");
  REQUIRE(v.ok());
  CHECK(*v == std::optional<std::string>("x"));
}

TEST_CASE("redis transport: reconnects after a server restart, AOF keeps the data", "[redis]") {
  superbet::testing::RedisServer server;
  REQUIRE(server.ok());
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(server.url()));
  REQUIRE(t.ok());
  REQUIRE((*t)->CreateGroup("s", "g").ok());
  REQUIRE((*t)->Add("s", {{"event", "1"}}).ok());
  auto read = (*t)->ReadGroup("s", "g", "c", 5);
  REQUIRE(read.ok());
  REQUIRE(read->size() == 1);
  REQUIRE(server.Restart());
  // The next call reconnects (and reloads the Lua script).
  auto pending = (*t)->PendingCount("s", "g");
  REQUIRE(pending.ok());
  CHECK(*pending == 1);  // The PEL survived (AOF).
  const bus::BucketSpec b[] = {{"lim", 0, 3}};
  CHECK((*t)->Acquire(b, absl::FromUnixSeconds(1700000000))->acquired);
}

// Redis loses its data (FLUSHALL here; a restart without AOF or a failover to a replica without
// the groups in production): the streams and their consumer groups are gone while the plant keeps
// reading. Publish's next XADD creates the stream again, without the group. The read that finds
// NOGROUP creates the group again at 0 and the next read delivers the new entry; before, every
// read answered "no entries" forever and nothing was ever posted. Oracle: XINFO GROUPS.
TEST_CASE("redis transport: a consumer group lost with the server's data is created again",
          "[redis]") {
  superbet::testing::RedisServer server;
  REQUIRE(server.ok());
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(server.url()));
  REQUIRE(t.ok());
  REQUIRE((*t)->CreateGroup("risk.verified", "main").ok());
  REQUIRE((*t)->Add("risk.verified", {{"event", "1"}}).ok());
  auto first = (*t)->ClaimAndRead("risk.verified", "main", "c", absl::Seconds(60), 10, 10);
  REQUIRE(first.ok());
  REQUIRE(first->second.size() == 1);
  REQUIRE((*t)->Ack("risk.verified", "main", first->second[0].id).ok());

  redisContext* c = redisConnect("127.0.0.1", server.port());
  REQUIRE(c != nullptr);
  REQUIRE(c->err == 0);
  freeReplyObject(redisCommand(c, "FLUSHALL"));
  REQUIRE((*t)->Add("risk.verified", {{"event", "2"}}).ok());  // The stream again, no group.

  auto lost = (*t)->ClaimAndReadBlocking("risk.verified", "main", "c", absl::Seconds(60), 10, 10,
                                         absl::Milliseconds(50));
  REQUIRE(lost.ok());
  CHECK((*t)->groups_recreated() == 1);
  auto* groups = static_cast<redisReply*>(redisCommand(c, "XINFO GROUPS risk.verified"));
  REQUIRE(groups != nullptr);
  CHECK(groups->type == REDIS_REPLY_ARRAY);
  CHECK(groups->elements == 1);
  freeReplyObject(groups);
  redisFree(c);

  auto next = (*t)->ClaimAndRead("risk.verified", "main", "c", absl::Seconds(60), 10, 10);
  REQUIRE(next.ok());
  const size_t delivered = lost->second.size() + next->second.size();
  REQUIRE(delivered == 1);
  const bus::Entry& e = lost->second.empty() ? next->second[0] : lost->second[0];
  REQUIRE(e.fields.size() == 1);
  CHECK(e.fields[0].second == "2");
  // AutoClaim alone heals the same way.
  c = redisConnect("127.0.0.1", server.port());
  REQUIRE(c != nullptr);
  freeReplyObject(redisCommand(c, "FLUSHALL"));
  redisFree(c);
  REQUIRE((*t)->Add("risk.verified", {{"event", "3"}}).ok());
  auto claimed = (*t)->AutoClaim("risk.verified", "main", "c", absl::Seconds(60), 10);
  REQUIRE(claimed.ok());
  CHECK((*t)->groups_recreated() == 2);
  auto third = (*t)->ClaimAndRead("risk.verified", "main", "c", absl::Seconds(60), 10, 10);
  REQUIRE(third.ok());
  CHECK(third->second.size() == 1);
}

// The fan-out is one MULTI ... EXEC queued in the pipeline. Sent on a connection that died (the
// server restarted), the transaction is sent again whole on the new connection: every copy exists
// once and the source entries are acknowledged. A copy the server refuses (a target that is not a
// stream) is reported by the call that sends it, with EXEC named. Oracle: XRANGE / XPENDING.
TEST_CASE("redis transport: the fan-out transaction survives a lost connection whole", "[redis]") {
  superbet::testing::RedisServer server;
  REQUIRE(server.ok());
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(server.url()));
  REQUIRE(t.ok());
  REQUIRE((*t)->CreateGroup("src", "g").ok());
  for (int i = 0; i < 3; ++i) REQUIRE((*t)->Add("src", {{"event", std::to_string(i)}}).ok());
  auto read = (*t)->ReadGroup("src", "g", "c", 5);
  REQUIRE(read.ok());
  REQUIRE(read->size() == 3);
  REQUIRE(server.Restart());
  const std::vector<std::string> targets = {"t1", "t2"};
  (*t)->BeginPipeline();
  REQUIRE((*t)->FanOutAndAckMany("src", "g", *read, targets, 0).ok());
  REQUIRE((*t)->EndPipeline().ok());
  for (const std::string& target : targets) {
    auto copies = (*t)->Range(target);
    REQUIRE(copies.ok());
    REQUIRE(copies->size() == 3);
    for (int i = 0; i < 3; ++i) CHECK(copies->at(i).Field("event") == std::to_string(i));
  }
  CHECK(*(*t)->PendingCount("src", "g") == 0);
  // A refused copy: the error names EXEC and the command.
  REQUIRE((*t)->Set("not-a-stream", "x", absl::Seconds(60)).ok());
  REQUIRE((*t)->Add("src", {{"event", "3"}}).ok());
  auto more = (*t)->ReadGroup("src", "g", "c", 5);
  REQUIRE(more.ok());
  REQUIRE(more->size() == 1);
  (*t)->BeginPipeline();
  REQUIRE((*t)->FanOutAndAckMany("src", "g", *more, {"not-a-stream"}, 0).ok());
  const absl::Status refused = (*t)->EndPipeline();
  CHECK(absl::IsInternal(refused));
  CHECK(refused.message().find("EXEC") != absl::string_view::npos);
  CHECK(refused.message().find("WRONGTYPE") != absl::string_view::npos);
}

namespace {

// `calls` of cmdstat_<command> in the server's INFO commandstats (0 when never called), read on a
// hiredis connection of the test's own.
int64_t CommandCalls(int port, const std::string& command) {
  redisContext* c = redisConnect("127.0.0.1", port);
  REQUIRE(c != nullptr);
  REQUIRE(c->err == 0);
  auto* r = static_cast<redisReply*>(redisCommand(c, "INFO commandstats"));
  REQUIRE(r != nullptr);
  const std::string info(r->str, r->len);
  freeReplyObject(r);
  redisFree(c);
  const std::string key = absl::StrCat("cmdstat_", command, ":calls=");
  const size_t at = info.find(key);
  if (at == std::string::npos) return 0;
  const size_t from = at + key.size();
  int64_t calls = 0;
  REQUIRE(absl::SimpleAtoi(info.substr(from, info.find(',', from) - from), &calls));
  return calls;
}

}  // namespace

// The design's rate limiter: one atomic Lua script run by EVALSHA. Oracles: the server's own
// command statistics (each Acquire is one EVALSHA), one round trip per Acquire, the bucket hash
// read back with HMGET, and atomicity - 4 connections taking tokens at once from a 40-token
// bucket get exactly 40, never more.
TEST_CASE("redis transport: Acquire is one EVALSHA round trip, atomic across connections",
          "[redis]") {
  superbet::testing::RedisServer server;
  REQUIRE(server.ok());
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const bus::BucketSpec bucket[] = {{"broadcast:limits:global", 0, 40}};
  std::vector<std::unique_ptr<bus::RedisTransport>> conns;
  for (int i = 0; i < 4; ++i) {
    auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(server.url()));
    REQUIRE(t.ok());
    conns.push_back(*std::move(t));
  }
  const int64_t evalsha_before = CommandCalls(server.port(), "evalsha");
  const int64_t trips_before = conns[0]->round_trips();
  REQUIRE(conns[0]->Acquire(bucket, now)->acquired);
  CHECK(conns[0]->round_trips() - trips_before == 1);
  CHECK(CommandCalls(server.port(), "evalsha") - evalsha_before == 1);
  std::atomic<int> granted{1}, refused{0}, errors{0};
  std::vector<std::thread> threads;
  for (auto& c : conns) {
    threads.emplace_back([&, t = c.get()] {
      for (int i = 0; i < 20; ++i) {
        auto r = t->Acquire(bucket, now);
        if (!r.ok()) {
          ++errors;
        } else if (r->acquired) {
          ++granted;
        } else {
          ++refused;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(errors.load() == 0);
  CHECK(granted.load() == 40);
  CHECK(refused.load() == 41);
  CHECK(CommandCalls(server.port(), "evalsha") - evalsha_before == 81);
  // The bucket is the design's hash: fields h, d, ts (d = 0 tokens left, ts = now in ms).
  redisContext* c = redisConnect("127.0.0.1", server.port());
  REQUIRE(c != nullptr);
  auto* r = static_cast<redisReply*>(redisCommand(c, "HMGET broadcast:limits:global h d ts"));
  REQUIRE(r != nullptr);
  REQUIRE(r->type == REDIS_REPLY_ARRAY);
  REQUIRE(r->elements == 3);
  double d = -1;
  REQUIRE(r->element[1]->type == REDIS_REPLY_STRING);
  CHECK(absl::SimpleAtod(r->element[1]->str, &d));
  CHECK(d == 0);
  REQUIRE(r->element[2]->type == REDIS_REPLY_STRING);
  CHECK(std::string(r->element[2]->str) == "1700000000000");
  freeReplyObject(r);
  redisFree(c);
}

TEST_CASE("redis URL parsing names the bad part", "[redis]") {
  auto a = bus::ParseRedisUrl("redis://10.0.0.2:6380/3");
  REQUIRE(a.ok());
  CHECK(a->host == "10.0.0.2");
  CHECK(a->port == 6380);
  CHECK(a->db == 3);
  CHECK(bus::ParseRedisUrl("http://x").status().message() ==
        "redis URL must start with redis://, got 'http://x'");
  CHECK(bus::ParseRedisUrl("redis://h:0").status().message() ==
        "redis URL 'redis://h:0': port must be in 1..65535, got '0'");
  CHECK_FALSE(bus::RedisTransport::Connect({"127.0.0.1", superbet::testing::FreePort(), 0}).ok());
}
