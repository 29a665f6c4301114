// The Transport on a Redis server (7.x) through hiredis: one connection, every call a single
// command (or one EVALSHA of the token-bucket Lua script, loaded with SCRIPT LOAD and reloaded
// after NOSCRIPT; the fan-out is a MULTI ... EXEC transaction). A dropped connection, or a
// restarted server still loading its AOF (LOADING), is retried every 50 ms for up to 3 s
// (reconnecting and reloading the script), so a call fails only when the server stays unreachable.
// A command whose reply was lost may run twice (an XADD then adds a second entry): the plant's
// idempotency guard keeps that from posting twice.
//
// The Lua script refills and takes from every bucket atomically, computing the refill at the
// plant's clock time passed as an argument (the design reads Redis TIME; the plant passes its
// injected clock so that replays and tests stay deterministic, and a live plant's clock is the
// system clock).
//
// Thread-safety: thread-safe (calls are serialised on one connection by an absl::Mutex).

#ifndef SUPERBET_BUS_REDIS_TRANSPORT_H_
#define SUPERBET_BUS_REDIS_TRANSPORT_H_

#include <atomic>
#include <memory>
#include <string>

#include "superbet/bus/transport.h"

namespace superbet::bus {

struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
};

// Parses "redis://HOST[:PORT][/DB]".
// Errors: InvalidArgument naming the URL and the bad part.
[[nodiscard]] absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url);

class RedisTransport final : public Transport {
 public:
  // Connects (timeout 2 s) and loads the Lua script.
  // Errors: Unavailable naming host:port when the server cannot be reached.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<RedisTransport>> Connect(
      const RedisAddress& address);
  ~RedisTransport() override;

  [[nodiscard]] absl::StatusOr<std::string> Add(absl::string_view stream, const Fields& fields,
                                                int64_t min_id_ms = 0) override;
  [[nodiscard]] absl::Status CreateGroup(absl::string_view stream,
                                         absl::string_view group) override;
  [[nodiscard]] absl::StatusOr<std::vector<Entry>> ReadGroup(absl::string_view stream,
                                                             absl::string_view group,
                                                             absl::string_view consumer,
                                                             int count) override;
  [[nodiscard]] absl::Status Ack(absl::string_view stream, absl::string_view group,
                                 absl::string_view id) override;
  [[nodiscard]] absl::StatusOr<std::vector<Entry>> AutoClaim(absl::string_view stream,
                                                             absl::string_view group,
                                                             absl::string_view consumer,
                                                             absl::Duration min_idle,
                                                             int count) override;
  [[nodiscard]] absl::StatusOr<int64_t> PendingCount(absl::string_view stream,
                                                     absl::string_view group) override;
  [[nodiscard]] absl::StatusOr<int64_t> Undelivered(absl::string_view stream,
                                                    absl::string_view group) override;
  [[nodiscard]] absl::StatusOr<std::vector<Entry>> Range(absl::string_view stream) override;
  [[nodiscard]] absl::StatusOr<bool> SetIfAbsent(absl::string_view key, absl::string_view value,
                                                 absl::Duration ttl) override;
  [[nodiscard]] absl::Status Set(absl::string_view key, absl::string_view value,
                                 absl::Duration ttl) override;
  [[nodiscard]] absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override;
  [[nodiscard]] absl::Status Delete(absl::string_view key) override;
  [[nodiscard]] absl::Status HashSet(absl::string_view key, absl::string_view field,
                                     absl::string_view value) override;
  [[nodiscard]] absl::StatusOr<Fields> HashGetAll(absl::string_view key) override;
  [[nodiscard]] absl::Status ListPush(absl::string_view key, absl::string_view value,
                                      absl::Duration ttl) override;
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> ListRange(absl::string_view key) override;
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> KeysWithPrefix(
      absl::string_view prefix) override;
  [[nodiscard]] absl::Status ListPushIndexed(absl::string_view key, absl::string_view value,
                                             absl::Duration ttl, absl::string_view index) override;
  [[nodiscard]] absl::Status IndexAdd(absl::string_view index, absl::Span<const std::string> keys,
                                      absl::Duration ttl) override;
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> IndexedKeys(
      absl::string_view index) override;
  [[nodiscard]] absl::StatusOr<std::vector<std::optional<std::string>>> HashGetMany(
      absl::string_view key, absl::Span<const std::string> fields) override;
  // Pipelining: inside BeginPipeline/EndPipeline the writes (AddNoReply, Ack, Set, Delete,
  // HashSet, ListPush, ListPushIndexed, IndexAdd) are queued (at most 1024, then sent) and sent
  // with the next call that reads a reply, in one round trip; ClaimAndRead sends XAUTOCLAIM and
  // XREADGROUP together, GetMany is one MGET, SetIfAbsentMany one pipelined round of SET NX GET.
  void BeginPipeline() override;
  [[nodiscard]] absl::Status EndPipeline() override;
  [[nodiscard]] absl::Status AddNoReply(absl::string_view stream, const Fields& fields,
                                        int64_t min_id_ms = 0) override;
  [[nodiscard]] absl::StatusOr<std::pair<std::vector<Entry>, std::vector<Entry>>> ClaimAndRead(
      absl::string_view stream, absl::string_view group, absl::string_view consumer,
      absl::Duration min_idle, int claim_count, int read_count) override;
  // XREADGROUP ... BLOCK ms (when `block` >= 1 ms) in the same round trip as the XAUTOCLAIM; the
  // connection is held (other callers of this transport wait) while the server blocks.
  [[nodiscard]] absl::StatusOr<std::pair<std::vector<Entry>, std::vector<Entry>>>
  ClaimAndReadBlocking(absl::string_view stream, absl::string_view group,
                       absl::string_view consumer, absl::Duration min_idle, int claim_count,
                       int read_count, absl::Duration block) override;
  bool blocking_reads() const override { return true; }
  [[nodiscard]] absl::StatusOr<std::vector<std::optional<std::string>>> GetMany(
      absl::Span<const std::string> keys) override;
  // One round trip of pipelined `SET key value NX GET EX ttl` (Redis >= 7.0).
  [[nodiscard]] absl::StatusOr<std::vector<std::optional<std::string>>> SetIfAbsentMany(
      absl::Span<const std::string> keys, absl::string_view value, absl::Duration ttl) override;
  // As FanOutAndAckMany of one entry.
  [[nodiscard]] absl::Status FanOutAndAck(absl::string_view source, absl::string_view group,
                                          const Entry& entry, absl::Span<const std::string> targets,
                                          int64_t min_id_ms = 0) override;
  // One EVAL of a Lua script (GET marker; XADD and SET when absent): one round trip, atomic.
  [[nodiscard]] absl::StatusOr<std::pair<std::string, bool>> AddOnce(
      absl::string_view stream, const Fields& fields, absl::string_view marker, absl::Duration ttl,
      int64_t min_id_ms = 0) override;
  // One MULTI ... EXEC for the whole batch (queued inside a pipeline, never split by the
  // 1024-write flush): XADD of each entry's fields as read to every target, one XACK of them all.
  // Costs the server less than a Lua script (no Lua strings and conversions per copy; measured in
  // bench/README.md); the fields travel once per target.
  [[nodiscard]] absl::Status FanOutAndAckMany(absl::string_view source, absl::string_view group,
                                              absl::Span<const Entry> entries,
                                              absl::Span<const std::string> targets,
                                              int64_t min_id_ms = 0) override;
  // One XACK stream group id... (queued inside a pipeline).
  [[nodiscard]] absl::Status AckMany(absl::string_view stream, absl::string_view group,
                                     absl::Span<const std::string> ids) override;
  // One HSET key field value ... (queued inside a pipeline).
  [[nodiscard]] absl::Status HashSetMany(absl::string_view key, const Fields& fields) override;
  int64_t round_trips() const override;
  // Consumer groups re-created so far because a read found its group gone. ClaimAndRead,
  // ClaimAndReadBlocking and AutoClaim answer NOGROUP (the server lost its data: restarted without
  // AOF, flushed, or failed over to a replica without the group) by creating the group again at 0
  // with MKSTREAM, logging a warning and returning no entries; the caller's next read gets the
  // entries added since. Before, such reads returned nothing forever. Errors of that creation are
  // the read's (naming the group and the stream).
  int64_t groups_recreated() const { return groups_recreated_.load(); }
  [[nodiscard]] absl::StatusOr<AcquireResult> Acquire(absl::Span<const BucketSpec> buckets,
                                                      absl::Time now) override;
  [[nodiscard]] absl::StatusOr<BucketState> PeekBucket(const BucketSpec& bucket,
                                                       absl::Time now) override;

 private:
  struct Impl;
  explicit RedisTransport(std::unique_ptr<Impl> impl);
  // CreateGroup after a read's NOGROUP; counts it and logs a warning.
  [[nodiscard]] absl::Status RecreateLostGroup(absl::string_view stream, absl::string_view group);
  std::atomic<int64_t> groups_recreated_{0};
  // Sets each claimed entry's delivery count from XPENDING (one pipelined round trip).
  [[nodiscard]] absl::Status FillDeliveries(absl::string_view stream, absl::string_view group,
                                            std::vector<Entry>* entries);
  std::unique_ptr<Impl> impl_;
};

}  // namespace superbet::bus

#endif  // SUPERBET_BUS_REDIS_TRANSPORT_H_
