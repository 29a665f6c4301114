// A bounded pool of transports, each a connection of its own (RedisTransport::Connect), for
// callers on many threads: a hiredis connection serves one command at a time and its pipeline
// state is shared by every caller of the transport, so request handlers that add to a stream
// (broadcast-svc's Publish) take a connection from the pool instead of sharing the one a
// consumer's loop is pipelining on, and never wait behind that loop's round trips.
//
// Transports are created lazily by the factory, at most `max_size` of them; a caller finding none
// idle and the pool full waits until a lease is returned. A transport is returned to the pool
// when its Lease is destroyed (RedisTransport reconnects by itself after a dropped connection, so
// a returned transport is reused as is).
//
// Thread-safety: thread-safe. Owns the transports it creates; every Lease must be destroyed before
// the pool.

#ifndef SUPERBET_BUS_TRANSPORT_POOL_H_
#define SUPERBET_BUS_TRANSPORT_POOL_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/bus/transport.h"

namespace superbet::bus {

class TransportPool {
 public:
  // Makes one new transport (a connection); called without the pool's lock held.
  using Factory = std::function<absl::StatusOr<std::unique_ptr<Transport>>()>;

  // One transport, lent to one caller until destroyed (then idle in the pool again). Movable.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Transport& operator*() const { return *transport_; }
    Transport* operator->() const { return transport_.get(); }

   private:
    friend class TransportPool;
    Lease(TransportPool* pool, std::unique_ptr<Transport> transport);
    void Return();
    TransportPool* pool_ = nullptr;
    std::unique_ptr<Transport> transport_;
  };

  // `max_size`: the most transports that will exist (values < 1 are taken as 1).
  TransportPool(Factory factory, int max_size);
  ~TransportPool();
  TransportPool(const TransportPool&) = delete;
  TransportPool& operator=(const TransportPool&) = delete;

  // An idle transport (the most recently returned), else a new one from the factory while fewer
  // than max_size exist, else waits up to `timeout` (real time: a connection wait, not logic) for
  // a lease to be returned.
  // Errors: the factory's (nothing is counted against max_size); DeadlineExceeded naming the pool
  // size when none was returned within `timeout`.
  [[nodiscard]] absl::StatusOr<Lease> Acquire(absl::Duration timeout = absl::Seconds(5));

  // Transports created so far and alive (idle or lent), at most max_size.
  int size() const;
  // Transports idle in the pool now.
  int idle() const;
  int max_size() const { return max_size_; }

 private:
  void Put(std::unique_ptr<Transport> transport);

  const Factory factory_;
  const int max_size_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Transport>> idle_ ABSL_GUARDED_BY(mu_);
  int created_ ABSL_GUARDED_BY(mu_) = 0;  // Alive or being created by the factory.
};

}  // namespace superbet::bus

#endif  // SUPERBET_BUS_TRANSPORT_POOL_H_
