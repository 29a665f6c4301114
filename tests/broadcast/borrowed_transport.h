// Test support: a Transport that forwards every call to a borrowed one (an EmbeddedTransport), so
// that code taking a connection factory (TransportPool, BroadcastPlant::StartWorkers,
// PlantRunnerOptions::worker_connect) gets "new connections" that all reach one in-process store,
// as RedisTransport connections all reach one server. Injected faults (TransportFaults): `peek`
// makes PeekBucket fail with Unavailable (a Redis hiccup while reading the token buckets),
// `reads` makes every stream read (ReadGroup, AutoClaim, ClaimAndRead*) fail with Unavailable.
//
// Thread-safety: as the borrowed transport (EmbeddedTransport: thread-safe). Ownership: `target`
// is borrowed and must outlive this object; `faults` likewise (may be null).

#ifndef SUPERBET_TESTS_BROADCAST_BORROWED_TRANSPORT_H_
#define SUPERBET_TESTS_BROADCAST_BORROWED_TRANSPORT_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "superbet/bus/transport.h"

namespace superbet::testing {

struct TransportFaults {
  std::atomic<bool> peek{false};
  std::atomic<bool> reads{false};
};

class BorrowedTransport final : public superbet::bus::Transport {
 public:
  using Entries = std::vector<superbet::bus::Entry>;
  using Fields = superbet::bus::Fields;
  using sv = absl::string_view;

  explicit BorrowedTransport(superbet::bus::Transport* target,
                             const TransportFaults* faults = nullptr)
      : t_(target), faults_(faults) {}

  absl::StatusOr<std::string> Add(sv stream, const Fields& f, int64_t min_id_ms) override {
    return t_->Add(stream, f, min_id_ms);
  }
  absl::Status CreateGroup(sv stream, sv group) override { return t_->CreateGroup(stream, group); }
  absl::StatusOr<Entries> ReadGroup(sv stream, sv group, sv consumer, int count) override {
    if (absl::Status f = ReadFault(); !f.ok()) return f;
    return t_->ReadGroup(stream, group, consumer, count);
  }
  absl::Status Ack(sv stream, sv group, sv id) override { return t_->Ack(stream, group, id); }
  absl::StatusOr<Entries> AutoClaim(sv stream, sv group, sv consumer, absl::Duration min_idle,
                                    int count) override {
    if (absl::Status f = ReadFault(); !f.ok()) return f;
    return t_->AutoClaim(stream, group, consumer, min_idle, count);
  }
  absl::StatusOr<int64_t> PendingCount(sv stream, sv group) override {
    return t_->PendingCount(stream, group);
  }
  absl::StatusOr<int64_t> Undelivered(sv stream, sv group) override {
    return t_->Undelivered(stream, group);
  }
  absl::StatusOr<Entries> Range(sv stream) override { return t_->Range(stream); }
  absl::StatusOr<bool> SetIfAbsent(sv key, sv value, absl::Duration ttl) override {
    return t_->SetIfAbsent(key, value, ttl);
  }
  absl::Status Set(sv key, sv value, absl::Duration ttl) override {
    return t_->Set(key, value, ttl);
  }
  absl::StatusOr<std::optional<std::string>> Get(sv key) override { return t_->Get(key); }
  absl::Status Delete(sv key) override { return t_->Delete(key); }
  absl::Status HashSet(sv key, sv field, sv value) override {
    return t_->HashSet(key, field, value);
  }
  absl::StatusOr<Fields> HashGetAll(sv key) override { return t_->HashGetAll(key); }
  absl::Status ListPush(sv key, sv value, absl::Duration ttl) override {
    return t_->ListPush(key, value, ttl);
  }
  absl::StatusOr<std::vector<std::string>> ListRange(sv key) override { return t_->ListRange(key); }
  absl::StatusOr<std::vector<std::string>> KeysWithPrefix(sv prefix) override {
    return t_->KeysWithPrefix(prefix);
  }
  absl::Status ListPushIndexed(sv key, sv value, absl::Duration ttl, sv index) override {
    return t_->ListPushIndexed(key, value, ttl, index);
  }
  absl::Status IndexAdd(sv index, absl::Span<const std::string> keys, absl::Duration ttl) override {
    return t_->IndexAdd(index, keys, ttl);
  }
  absl::StatusOr<std::vector<std::string>> IndexedKeys(sv index) override {
    return t_->IndexedKeys(index);
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> HashGetMany(
      sv key, absl::Span<const std::string> fields) override {
    return t_->HashGetMany(key, fields);
  }
  void BeginPipeline() override { t_->BeginPipeline(); }
  absl::Status EndPipeline() override { return t_->EndPipeline(); }
  absl::Status AddNoReply(sv stream, const Fields& f, int64_t min_id_ms) override {
    return t_->AddNoReply(stream, f, min_id_ms);
  }
  absl::StatusOr<std::pair<Entries, Entries>> ClaimAndRead(sv stream, sv group, sv consumer,
                                                           absl::Duration min_idle, int claim_count,
                                                           int read_count) override {
    if (absl::Status f = ReadFault(); !f.ok()) return f;
    return t_->ClaimAndRead(stream, group, consumer, min_idle, claim_count, read_count);
  }
  absl::StatusOr<std::pair<Entries, Entries>> ClaimAndReadBlocking(sv stream, sv group, sv consumer,
                                                                   absl::Duration min_idle,
                                                                   int claim_count, int read_count,
                                                                   absl::Duration block) override {
    if (absl::Status f = ReadFault(); !f.ok()) return f;
    return t_->ClaimAndReadBlocking(stream, group, consumer, min_idle, claim_count, read_count,
                                    block);
  }
  bool blocking_reads() const override { return t_->blocking_reads(); }
  absl::StatusOr<std::vector<std::optional<std::string>>> GetMany(
      absl::Span<const std::string> keys) override {
    return t_->GetMany(keys);
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> SetIfAbsentMany(
      absl::Span<const std::string> keys, sv value, absl::Duration ttl) override {
    return t_->SetIfAbsentMany(keys, value, ttl);
  }
  absl::Status FanOutAndAck(sv source, sv group, const superbet::bus::Entry& entry,
                            absl::Span<const std::string> targets, int64_t min_id_ms) override {
    return t_->FanOutAndAck(source, group, entry, targets, min_id_ms);
  }
  absl::StatusOr<std::pair<std::string, bool>> AddOnce(sv stream, const Fields& f, sv marker,
                                                       absl::Duration ttl,
                                                       int64_t min_id_ms) override {
    return t_->AddOnce(stream, f, marker, ttl, min_id_ms);
  }
  absl::Status FanOutAndAckMany(sv source, sv group, absl::Span<const superbet::bus::Entry> entries,
                                absl::Span<const std::string> targets, int64_t min_id_ms) override {
    return t_->FanOutAndAckMany(source, group, entries, targets, min_id_ms);
  }
  absl::Status AckMany(sv stream, sv group, absl::Span<const std::string> ids) override {
    return t_->AckMany(stream, group, ids);
  }
  absl::Status HashSetMany(sv key, const Fields& f) override { return t_->HashSetMany(key, f); }
  int64_t round_trips() const override { return t_->round_trips(); }
  absl::StatusOr<superbet::bus::AcquireResult> Acquire(
      absl::Span<const superbet::bus::BucketSpec> buckets, absl::Time now) override {
    return t_->Acquire(buckets, now);
  }
  absl::StatusOr<superbet::bus::BucketState> PeekBucket(const superbet::bus::BucketSpec& bucket,
                                                        absl::Time now) override {
    if (faults_ != nullptr && faults_->peek.load()) {
      return absl::UnavailableError("test: token buckets unreadable");
    }
    return t_->PeekBucket(bucket, now);
  }

 private:
  absl::Status ReadFault() const {
    if (faults_ != nullptr && faults_->reads.load()) {
      return absl::UnavailableError("test: stream reads fail");
    }
    return absl::OkStatus();
  }

  superbet::bus::Transport* const t_;
  const TransportFaults* const faults_;
};

// A connection factory (TransportPool::Factory, BroadcastPlant::ConnectFn) whose connections all
// reach `target`; counts the connections made in `*made` when not null.
inline std::function<absl::StatusOr<std::unique_ptr<superbet::bus::Transport>>()> BorrowingConnect(
    superbet::bus::Transport* target, std::atomic<int>* made = nullptr) {
  return [target, made]() -> absl::StatusOr<std::unique_ptr<superbet::bus::Transport>> {
    if (made != nullptr) ++*made;
    return std::unique_ptr<superbet::bus::Transport>(new BorrowedTransport(target));
  };
}

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_BROADCAST_BORROWED_TRANSPORT_H_
