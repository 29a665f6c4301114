// TransportPool: bounded, lazily created, leases returned and reused, waits bounded.
//
// Oracle: the pool's contract counted from outside — the factory's own call count (never above
// max_size, even with 16 threads racing), the identity of the transports handed out (a returned
// one is handed out again), and a third Acquire on a full pool of 2 that times out, then succeeds
// once a lease is returned from another thread.

#include "superbet/bus/transport_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "superbet/bus/embedded_transport.h"
#include "superbet/core/clock.h"

namespace {

using superbet::bus::EmbeddedTransport;
using superbet::bus::Transport;
using superbet::bus::TransportPool;

TransportPool::Factory CountingFactory(const superbet::core::Clock& clock, std::atomic<int>* made) {
  return [&clock, made]() -> absl::StatusOr<std::unique_ptr<Transport>> {
    made->fetch_add(1);
    return std::make_unique<EmbeddedTransport>(clock);
  };
}

TEST_CASE("transport pool: lazy, reused, bounded", "[bus][pool]") {
  superbet::core::FakeClock clock(absl::FromUnixSeconds(1700000000));
  std::atomic<int> made{0};
  TransportPool pool(CountingFactory(clock, &made), 2);
  CHECK(pool.size() == 0);  // Nothing connects before the first Acquire.
  Transport* first = nullptr;
  {
    auto a = pool.Acquire();
    REQUIRE(a.ok());
    first = &**a;
    CHECK(pool.size() == 1);
    CHECK(pool.idle() == 0);
  }
  CHECK(pool.idle() == 1);
  auto a = pool.Acquire();
  REQUIRE(a.ok());
  CHECK(&**a == first);  // The returned transport, not a new one.
  CHECK(made.load() == 1);
  auto b = pool.Acquire();
  REQUIRE(b.ok());
  CHECK(&**b != first);
  CHECK(made.load() == 2);
  // Full: a third caller waits, and gives up after its timeout.
  auto c = pool.Acquire(absl::Milliseconds(20));
  CHECK(absl::IsDeadlineExceeded(c.status()));
  CHECK(made.load() == 2);
  // Returned from another thread while a caller waits: the waiter gets it.
  std::thread giver([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    TransportPool::Lease gone = *std::move(b);
  });
  auto d = pool.Acquire(absl::Seconds(10));
  giver.join();
  REQUIRE(d.ok());
  CHECK(made.load() == 2);
  CHECK(pool.size() == 2);
}

TEST_CASE("transport pool: a failing factory costs no slot", "[bus][pool]") {
  int calls = 0;
  superbet::core::FakeClock clock;
  TransportPool pool(
      [&]() -> absl::StatusOr<std::unique_ptr<Transport>> {
        if (++calls == 1) return absl::UnavailableError("redis 127.0.0.1:1 unreachable");
        return std::make_unique<EmbeddedTransport>(clock);
      },
      1);
  auto a = pool.Acquire(absl::Milliseconds(10));
  CHECK(absl::IsUnavailable(a.status()));
  CHECK(a.status().message() == "redis 127.0.0.1:1 unreachable");
  CHECK(pool.size() == 0);
  auto b = pool.Acquire(absl::Milliseconds(10));  // The slot is free again.
  CHECK(b.ok());
  CHECK(pool.size() == 1);
}

TEST_CASE("transport pool: 16 threads never exceed max_size and never share a transport",
          "[bus][pool]") {
  superbet::core::FakeClock clock;
  std::atomic<int> made{0};
  TransportPool pool(CountingFactory(clock, &made), 3);
  absl::Mutex mu;
  std::set<Transport*> in_use;  // Lent now.
  std::atomic<int> shared{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto lease = pool.Acquire(absl::Seconds(30));
        if (!lease.ok()) {
          failures.fetch_add(1);
          continue;
        }
        Transport* p = &**lease;
        {
          absl::MutexLock lock(&mu);
          if (!in_use.insert(p).second) shared.fetch_add(1);
        }
        std::this_thread::yield();
        absl::MutexLock lock(&mu);
        in_use.erase(p);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
  CHECK(shared.load() == 0);
  CHECK(made.load() <= 3);
  CHECK(pool.size() == made.load());
  CHECK(pool.idle() == made.load());
}

}  // namespace
