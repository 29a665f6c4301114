// The in-process Transport: Redis Streams semantics (consumer groups, pending entries, delivery
// counts, XAUTOCLAIM) and the plant's keys in memory, with no Redis. Key expiry and idle times
// follow the injected clock, so a replay with a fake clock behaves as the same run in real time.
// State lives as long as the object; nothing is persisted.
//
// Thread-safety: thread-safe (one absl::Mutex); several consumers (e.g. two plants in one
// process) may share one instance. The clock is not owned and must outlive the transport.

#ifndef SUPERBET_BUS_EMBEDDED_TRANSPORT_H_
#define SUPERBET_BUS_EMBEDDED_TRANSPORT_H_

#include <map>
#include <memory>
#include <string>

#include "superbet/bus/transport.h"
#include "superbet/core/clock.h"

namespace superbet::bus {

class EmbeddedTransport final : public Transport {
 public:
  explicit EmbeddedTransport(const superbet::core::Clock& clock);
  ~EmbeddedTransport() override;

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
  [[nodiscard]] absl::StatusOr<AcquireResult> Acquire(absl::Span<const BucketSpec> buckets,
                                                      absl::Time now) override;
  [[nodiscard]] absl::StatusOr<BucketState> PeekBucket(const BucketSpec& bucket,
                                                       absl::Time now) override;
  // Under the lock: atomic, as Redis's script.
  [[nodiscard]] absl::StatusOr<std::pair<std::string, bool>> AddOnce(
      absl::string_view stream, const Fields& fields, absl::string_view marker, absl::Duration ttl,
      int64_t min_id_ms = 0) override;

 private:
  struct State;
  const superbet::core::Clock& clock_;
  std::unique_ptr<State> state_;
};

}  // namespace superbet::bus

#endif  // SUPERBET_BUS_EMBEDDED_TRANSPORT_H_
