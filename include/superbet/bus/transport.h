// The broadcast plant's transport: Redis Streams with consumer groups, plus the few keys the plant
// keeps (idempotency guards, digest lists, outcome hashes, token buckets). Two implementations
// share these semantics and one test suite: RedisTransport (hiredis, redis_transport.h) and
// EmbeddedTransport (in-process, embedded_transport.h; the `superbet broadcast` default).
//
// Stream semantics are Redis 7's (redis.io/docs/data-types/streams): entries have ids
// "<ms>-<seq>", increasing; a consumer group created at id 0 delivers every entry once to one of
// its consumers (XREADGROUP ">"); a delivered entry stays in the group's pending entries list
// (PEL) with its consumer, delivery time and delivery count until XACK; XAUTOCLAIM moves entries
// idle for at least min_idle to another consumer and increments their delivery count.

#ifndef SUPERBET_BUS_TRANSPORT_H_
#define SUPERBET_BUS_TRANSPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace superbet::bus {

using Fields = std::vector<std::pair<std::string, std::string>>;

// One stream entry as a consumer receives it.
struct Entry {
  std::string id;          // "<ms>-<seq>".
  Fields fields;           // In the order they were added.
  int64_t deliveries = 1;  // Times delivered to a consumer (1 on the first XREADGROUP).
  // The value of field `name`, or "" when absent.
  const std::string& Field(absl::string_view name) const;
};

// One bucket of an atomic multi-bucket acquire: a key holding an hourly bucket (capacity
// `hourly`, refilled at hourly/3600 tokens per second; 0 = no hourly bucket) and a daily bucket
// (capacity `daily` > 0, refilled at daily/86400 per second). Both start full.
struct BucketSpec {
  std::string key;  // "broadcast:limits:twitter", "broadcast:limits:global".
  double hourly = 0;
  double daily = 0;
};

// A bucket's levels: tokens in its hourly and daily buckets as of ts_ms (Unix ms).
struct BucketState {
  double hourly = 0;
  double daily = 0;
  int64_t ts_ms = 0;
};

// The outcome of an acquire: either one token was taken from every bucket, or none was taken and
// `wait` is how long until every bucket holds a token again.
struct AcquireResult {
  bool acquired = false;
  absl::Duration wait = absl::ZeroDuration();
};

// Thread-safety: implementations are thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;

  // XADD stream * field value ...; when `min_id_ms` > 0, also trims entries older than it
  // (MINID ~). Returns the new entry's id.
  [[nodiscard]] virtual absl::StatusOr<std::string> Add(absl::string_view stream,
                                                        const Fields& fields,
                                                        int64_t min_id_ms = 0) = 0;
  // XGROUP CREATE stream group 0 MKSTREAM; an existing group is not an error.
  [[nodiscard]] virtual absl::Status CreateGroup(absl::string_view stream,
                                                 absl::string_view group) = 0;
  // XREADGROUP GROUP group consumer COUNT count STREAMS stream ">": up to `count` entries never
  // delivered to the group, oldest first. Never blocks.
  [[nodiscard]] virtual absl::StatusOr<std::vector<Entry>> ReadGroup(absl::string_view stream,
                                                                     absl::string_view group,
                                                                     absl::string_view consumer,
                                                                     int count) = 0;
  // XACK stream group id.
  [[nodiscard]] virtual absl::Status Ack(absl::string_view stream, absl::string_view group,
                                         absl::string_view id) = 0;
  // XAUTOCLAIM stream group consumer min_idle 0 COUNT count: pending entries idle for at least
  // `min_idle`, now owned by `consumer`, with their delivery counts (incremented by the claim).
  [[nodiscard]] virtual absl::StatusOr<std::vector<Entry>> AutoClaim(absl::string_view stream,
                                                                     absl::string_view group,
                                                                     absl::string_view consumer,
                                                                     absl::Duration min_idle,
                                                                     int count) = 0;
  // Entries pending in the group (XPENDING summary count).
  [[nodiscard]] virtual absl::StatusOr<int64_t> PendingCount(absl::string_view stream,
                                                             absl::string_view group) = 0;
  // Entries never delivered to the group (the group's lag).
  [[nodiscard]] virtual absl::StatusOr<int64_t> Undelivered(absl::string_view stream,
                                                            absl::string_view group) = 0;
  // XRANGE stream - +: every entry (deliveries = 0).
  [[nodiscard]] virtual absl::StatusOr<std::vector<Entry>> Range(absl::string_view stream) = 0;

  // SET key value NX EX ttl: true when the key was set (it did not exist).
  [[nodiscard]] virtual absl::StatusOr<bool> SetIfAbsent(absl::string_view key,
                                                         absl::string_view value,
                                                         absl::Duration ttl) = 0;
  // SET key value EX ttl.
  [[nodiscard]] virtual absl::Status Set(absl::string_view key, absl::string_view value,
                                         absl::Duration ttl) = 0;
  // GET key: nullopt when absent (or expired).
  [[nodiscard]] virtual absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) = 0;
  // DEL key.
  [[nodiscard]] virtual absl::Status Delete(absl::string_view key) = 0;
  // HSET key field value.
  [[nodiscard]] virtual absl::Status HashSet(absl::string_view key, absl::string_view field,
                                             absl::string_view value) = 0;
  // HGETALL key, fields in ascending order.
  [[nodiscard]] virtual absl::StatusOr<Fields> HashGetAll(absl::string_view key) = 0;
  // RPUSH key value, then EXPIRE key ttl.
  [[nodiscard]] virtual absl::Status ListPush(absl::string_view key, absl::string_view value,
                                              absl::Duration ttl) = 0;
  // LRANGE key 0 -1.
  [[nodiscard]] virtual absl::StatusOr<std::vector<std::string>> ListRange(
      absl::string_view key) = 0;
  // Keys starting with `prefix` (SCAN MATCH prefix*), in ascending order. On Redis this walks
  // the whole keyspace (every idempotency guard included): not for a hot path; see IndexedKeys.
  [[nodiscard]] virtual absl::StatusOr<std::vector<std::string>> KeysWithPrefix(
      absl::string_view prefix) = 0;
  // A list whose name an index set keeps, so that IndexedKeys finds it without scanning the
  // keyspace: RPUSH key value, EXPIRE key ttl, SADD index key, EXPIRE index ttl (the index lives
  // as long as its newest member). May be queued inside a pipeline (RedisTransport: four commands,
  // in call order on the connection; a reader between them may see the list before its index).
  [[nodiscard]] virtual absl::Status ListPushIndexed(absl::string_view key, absl::string_view value,
                                                     absl::Duration ttl,
                                                     absl::string_view index) = 0;
  // SADD index key... and EXPIRE index ttl: names existing keys in an index (e.g. lists written
  // before the index existed, found once by KeysWithPrefix). No-op when `keys` is empty.
  [[nodiscard]] virtual absl::Status IndexAdd(absl::string_view index,
                                              absl::Span<const std::string> keys,
                                              absl::Duration ttl) = 0;
  // The members of set `index` that still exist as keys, in ascending order; members whose key
  // is gone (deleted or expired) are removed from the set (SREM). RedisTransport: one EVAL of a
  // Lua script (SMEMBERS, EXISTS each, SREM the gone), atomic, one round trip, its cost
  // proportional to the index, not to the keyspace. Errors: the transport's.
  [[nodiscard]] virtual absl::StatusOr<std::vector<std::string>> IndexedKeys(
      absl::string_view index) = 0;
  // HMGET key field...: each field's value, nullopt when the field (or the hash) is absent.
  // Errors: the transport's.
  [[nodiscard]] virtual absl::StatusOr<std::vector<std::optional<std::string>>> HashGetMany(
      absl::string_view key, absl::Span<const std::string> fields) = 0;

  // ---- Pipelining (round trips) ----------------------------------------------------------
  // Between BeginPipeline() and the matching EndPipeline() (calls nest; the outermost End
  // flushes), an implementation may queue the write-only calls -- AddNoReply, Ack, Set, Delete,
  // HashSet, ListPush, ListPushIndexed, IndexAdd -- and send them together with the next call that
  // needs a reply (one round trip). The server still runs every command in call order on one
  // connection, so a write queued before an XACK is applied before it. A queued write's error is
  // returned by the call that sends it (the next reading call or EndPipeline). The pipeline state
  // is per transport: every caller sharing the transport shares it. The defaults
  // (EmbeddedTransport) run each call at once.
  virtual void BeginPipeline() {}
  // Sends whatever is queued when the outermost pipeline ends. Errors: the queued writes'.
  [[nodiscard]] virtual absl::Status EndPipeline() { return absl::OkStatus(); }
  // XADD without the new entry's id (may be queued inside a pipeline). Errors: as Add.
  [[nodiscard]] virtual absl::Status AddNoReply(absl::string_view stream, const Fields& fields,
                                                int64_t min_id_ms = 0) {
    return Add(stream, fields, min_id_ms).status();
  }
  // AutoClaim(stream, group, consumer, min_idle, claim_count) followed by ReadGroup(stream, group,
  // consumer, read_count) (skipped when read_count < 1), in one round trip where the
  // implementation can: {claimed, fresh}. Errors: as AutoClaim and ReadGroup.
  [[nodiscard]] virtual absl::StatusOr<std::pair<std::vector<Entry>, std::vector<Entry>>>
  ClaimAndRead(absl::string_view stream, absl::string_view group, absl::string_view consumer,
               absl::Duration min_idle, int claim_count, int read_count);
  // As ClaimAndRead, except that when `block` > 0 the read waits up to `block` for a first new
  // entry (XREADGROUP ... BLOCK ms) instead of returning at once with none: a persistent stage
  // worker idles on it instead of polling. The default (EmbeddedTransport) never waits; callers
  // check blocking_reads(). Errors: as ClaimAndRead.
  [[nodiscard]] virtual absl::StatusOr<std::pair<std::vector<Entry>, std::vector<Entry>>>
  ClaimAndReadBlocking(absl::string_view stream, absl::string_view group,
                       absl::string_view consumer, absl::Duration min_idle, int claim_count,
                       int read_count, absl::Duration block) {
    (void)block;
    return ClaimAndRead(stream, group, consumer, min_idle, claim_count, read_count);
  }
  // True when ClaimAndReadBlocking really waits (RedisTransport).
  virtual bool blocking_reads() const { return false; }
  // GET of several keys (MGET in one round trip where the implementation can), in order.
  // Errors: as Get.
  [[nodiscard]] virtual absl::StatusOr<std::vector<std::optional<std::string>>> GetMany(
      absl::Span<const std::string> keys);
  // SET key value NX GET EX ttl for each key, in order (one round trip where the implementation
  // can; each key is set or not on its own, there is no atomicity across keys). Per key: nullopt
  // when this call set it (it was absent), else the value it already held (left unchanged).
  // A key repeated in `keys` is set by its first occurrence and reads `value` after.
  // Errors: as SetIfAbsent.
  [[nodiscard]] virtual absl::StatusOr<std::vector<std::optional<std::string>>> SetIfAbsentMany(
      absl::Span<const std::string> keys, absl::string_view value, absl::Duration ttl);
  // One stage's hand-off of a consumed entry: XADD of `entry` (its fields unchanged) to each of
  // `targets` (with MINID ~ min_id_ms when min_id_ms > 0), then XACK source group entry.id, so
  // the entry is acknowledged only once its copies exist. May be queued inside a pipeline.
  // RedisTransport queues it as one MULTI ... EXEC transaction of the XADDs and the XACK, given
  // the entry's fields as read (the source is not read again: no XRANGE), so the copies and the
  // XACK are applied atomically (a connection lost before EXEC applies none; the transaction is
  // then sent again whole). The default runs AddNoReply per target, then Ack.
  // Errors: as AddNoReply and Ack, reported by the call that sends it.
  [[nodiscard]] virtual absl::Status FanOutAndAck(absl::string_view source, absl::string_view group,
                                                  const Entry& entry,
                                                  absl::Span<const std::string> targets,
                                                  int64_t min_id_ms = 0);
  // An XADD made once per marker key, for producers whose callers retry (broadcast-svc's
  // Publish): when key `marker` holds a value, writes nothing and returns {that value, false};
  // else XADD stream * fields (MINID ~ min_id_ms when min_id_ms > 0), SET marker <the new id> EX
  // ttl, and returns {the new id, true}. RedisTransport runs it as one Lua script (EVAL: one round
  // trip, atomic; a retried script finds the marker), EmbeddedTransport under its lock; this
  // default runs Get, Add and Set (not atomic: two concurrent callers may both add).
  // Errors: as Get, Add and Set.
  [[nodiscard]] virtual absl::StatusOr<std::pair<std::string, bool>> AddOnce(
      absl::string_view stream, const Fields& fields, absl::string_view marker, absl::Duration ttl,
      int64_t min_id_ms = 0);
  // FanOutAndAck of several entries of `source`, in order: every entry's copies, then the
  // acknowledgement of them all. RedisTransport queues one MULTI ... EXEC for the whole batch
  // (one XACK of every id). The default runs FanOutAndAck per entry. Errors: as FanOutAndAck; a
  // copy the server refuses inside the transaction: Internal naming EXEC and the command.
  [[nodiscard]] virtual absl::Status FanOutAndAckMany(absl::string_view source,
                                                      absl::string_view group,
                                                      absl::Span<const Entry> entries,
                                                      absl::Span<const std::string> targets,
                                                      int64_t min_id_ms = 0);
  // XACK stream group id1 id2 ... (one command where the implementation can; may be queued
  // inside a pipeline). Errors: as Ack.
  [[nodiscard]] virtual absl::Status AckMany(absl::string_view stream, absl::string_view group,
                                             absl::Span<const std::string> ids);
  // HSET key field1 value1 field2 value2 ... (one command where the implementation can; may be
  // queued inside a pipeline). Errors: as HashSet.
  [[nodiscard]] virtual absl::Status HashSetMany(absl::string_view key, const Fields& fields);
  // Round trips to the server so far (0 for an in-process transport): for benchmarks and tests.
  virtual int64_t round_trips() const { return 0; }

  // Takes one token from every bucket, or none (atomic). `now` is the time the refill is computed
  // at (the plant's injected clock; RedisTransport evaluates one Lua script with EVALSHA).
  // Errors: InvalidArgument when a bucket's daily capacity is not > 0.
  [[nodiscard]] virtual absl::StatusOr<AcquireResult> Acquire(absl::Span<const BucketSpec> buckets,
                                                              absl::Time now) = 0;

  // The levels of one bucket at `now` without taking a token: hourly and daily tokens after the
  // refill (RefillBucket below; a bucket never used is full), ts_ms = `now` in Unix ms. Reads
  // only. Errors: InvalidArgument when the daily capacity is not > 0; the transport's.
  [[nodiscard]] virtual absl::StatusOr<BucketState> PeekBucket(const BucketSpec& bucket,
                                                               absl::Time now) = 0;
};

// The token-bucket refill and take shared by both implementations (and mirrored by the Lua
// script): tokens = min(capacity, tokens + elapsed_s * capacity / period_s).
// Refills `state` to `now_ms` (a new bucket, ts_ms == 0, starts full) and returns the seconds
// until it holds one token in each of its buckets (0 when it does now).
double RefillBucket(const BucketSpec& spec, int64_t now_ms, BucketState* state);

}  // namespace superbet::bus

#endif  // SUPERBET_BUS_TRANSPORT_H_
