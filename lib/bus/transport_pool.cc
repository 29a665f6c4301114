#include "superbet/bus/transport_pool.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace superbet::bus {

TransportPool::Lease::Lease(TransportPool* pool, std::unique_ptr<Transport> transport)
    : pool_(pool), transport_(std::move(transport)) {}

TransportPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), transport_(std::move(other.transport_)) {}

TransportPool::Lease& TransportPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Return();
    pool_ = std::exchange(other.pool_, nullptr);
    transport_ = std::move(other.transport_);
  }
  return *this;
}

TransportPool::Lease::~Lease() { Return(); }

void TransportPool::Lease::Return() {
  if (pool_ != nullptr && transport_ != nullptr) pool_->Put(std::move(transport_));
  pool_ = nullptr;
  transport_.reset();
}

TransportPool::TransportPool(Factory factory, int max_size)
    : factory_(std::move(factory)), max_size_(std::max(1, max_size)) {}

TransportPool::~TransportPool() = default;

absl::StatusOr<TransportPool::Lease> TransportPool::Acquire(absl::Duration timeout) {
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || created_ < max_size_;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&available), timeout)) {
      return absl::DeadlineExceededError(absl::StrCat("transport pool: all ", max_size_,
                                                      " connections busy for ",
                                                      absl::FormatDuration(timeout)));
    }
    if (!idle_.empty()) {
      std::unique_ptr<Transport> t = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(t));
    }
    ++created_;  // The slot is ours while the factory connects, outside the lock.
  }
  absl::StatusOr<std::unique_ptr<Transport>> made = factory_();
  if (!made.ok() || *made == nullptr) {
    absl::MutexLock lock(&mu_);
    --created_;
    return made.ok() ? absl::InternalError("transport pool: the factory returned no transport")
                     : made.status();
  }
  return Lease(this, *std::move(made));
}

void TransportPool::Put(std::unique_ptr<Transport> transport) {
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(transport));
}

int TransportPool::size() const {
  absl::MutexLock lock(&mu_);
  return created_;
}

int TransportPool::idle() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(idle_.size());
}

}  // namespace superbet::bus
