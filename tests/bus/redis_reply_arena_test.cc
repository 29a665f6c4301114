// The arena-allocated hiredis replies (lib/bus/internal/redis_reply_arena.h) against hiredis'
// own default reader on the same RESP bytes: the same tree (types, integers, lengths and bytes of
// every string, NUL terminators, element counts, nil elements), fed whole and one byte at a time,
// for every reply shape the transport reads (status, error, integer, nil, bulk strings of every
// size up to 100 KB, nested arrays as XREADGROUP and XAUTOCLAIM return them, empty arrays, a
// 600-element reply that needs several arena blocks). Oracle: hiredis 0.14's default reader.

#include "bus/internal/redis_reply_arena.h"

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace {

namespace internal = superbet::bus::internal;

std::string Bulk(const std::string& s) { return absl::StrCat("$", s.size(), "\r\n", s, "\r\n"); }

void CheckSame(const redisReply* a, const redisReply* b) {
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  REQUIRE(a->type == b->type);
  CHECK(a->integer == b->integer);
  REQUIRE(a->len == b->len);
  if (a->str != nullptr || b->str != nullptr) {
    REQUIRE(a->str != nullptr);
    REQUIRE(b->str != nullptr);
    CHECK(std::string(a->str, a->len) == std::string(b->str, b->len));
    CHECK(b->str[b->len] == '\0');
  }
  REQUIRE(a->elements == b->elements);
  for (size_t i = 0; i < a->elements; ++i) CheckSame(a->element[i], b->element[i]);
}

// Every reply in `resp`, read by both readers; `bytewise` feeds one byte at a time.
void Compare(const std::string& resp, bool bytewise) {
  redisReader* plain = redisReaderCreate();
  redisReader* arena = redisReaderCreate();
  arena->fn = internal::ArenaReplyFunctions();
  if (bytewise) {
    for (char c : resp) {
      REQUIRE(redisReaderFeed(plain, &c, 1) == REDIS_OK);
      REQUIRE(redisReaderFeed(arena, &c, 1) == REDIS_OK);
    }
  } else {
    REQUIRE(redisReaderFeed(plain, resp.data(), resp.size()) == REDIS_OK);
    REQUIRE(redisReaderFeed(arena, resp.data(), resp.size()) == REDIS_OK);
  }
  int replies = 0;
  while (true) {
    void* a = nullptr;
    void* b = nullptr;
    REQUIRE(redisReaderGetReply(plain, &a) == REDIS_OK);
    REQUIRE(redisReaderGetReply(arena, &b) == REDIS_OK);
    REQUIRE((a == nullptr) == (b == nullptr));
    if (a == nullptr) break;
    CheckSame(static_cast<redisReply*>(a), static_cast<redisReply*>(b));
    freeReplyObject(a);
    internal::FreeArenaReply(b);
    ++replies;
  }
  CHECK(replies > 0);
  redisReaderFree(plain);
  redisReaderFree(arena);
}

}  // namespace

TEST_CASE("arena replies equal hiredis' own on every reply shape the transport reads", "[bus]") {
  std::vector<std::string> cases = {"+OK\r\n", "+QUEUED\r\n", "-ERR wrong\r\n", ":42\r\n",
                                    ":-7\r\n", "$-1\r\n",     "*-1\r\n",        "*0\r\n",
                                    Bulk(""),  Bulk("x")};
  for (size_t n : {15, 16, 17, 255, 4095, 16383, 16384, 20000, 100000}) {
    cases.push_back(Bulk(std::string(n, 'a' + static_cast<char>(n % 26))));
  }
  // XREADGROUP: [[stream, [[id, [f, v, ...]], ...]]], with a deleted entry (nil fields).
  auto entries = [](int n) {
    std::string out = absl::StrCat("*", n, "\r\n");
    for (int i = 0; i < n; ++i) {
      if (i == 3) {
        absl::StrAppend(&out, "*2\r\n", Bulk(absl::StrCat("1716116400000-", i)), "*-1\r\n");
        continue;
      }
      absl::StrAppend(&out, "*2\r\n", Bulk(absl::StrCat("1716116400000-", i)), "*10\r\n",
                      Bulk("event_pb"), Bulk(std::string(450 + i, static_cast<char>(i))),
                      Bulk("priority"), Bulk("0.734"), Bulk("tier"), Bulk("high"), Bulk("event_id"),
                      Bulk(absl::StrCat("pred-football-data:E0_2324:", i)), Bulk("first_seen"),
                      Bulk("1716116400000"));
    }
    return out;
  };
  cases.push_back(absl::StrCat("*1\r\n*2\r\n", Bulk("broadcast.outbox.twitter"), entries(50)));
  cases.push_back(absl::StrCat("*1\r\n*2\r\n", Bulk("broadcast.outbox.twitter"), entries(600)));
  // XAUTOCLAIM: [cursor, entries, deleted ids]; EXEC: [id, id, ..., integer].
  cases.push_back(absl::StrCat("*3\r\n", Bulk("0-0"), entries(5), "*1\r\n", Bulk("1-1")));
  cases.push_back("*4\r\n$3\r\n1-1\r\n$3\r\n1-2\r\n:2\r\n-WRONGTYPE no\r\n");
  std::string all;
  for (const std::string& c : cases) {
    INFO(c.substr(0, 40));
    Compare(c, false);
    if (c.size() < 40000) Compare(c, true);
    all += c;
  }
  Compare(all, false);  // A pipelined round: every reply in turn from one buffer.
  internal::FreeArenaReply(nullptr);
}
