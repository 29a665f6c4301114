// Store::Impl: the connection pool and the helpers shared by the store's source files.

#ifndef SUPERBET_LIB_STORE_INTERNAL_STORE_IMPL_H_
#define SUPERBET_LIB_STORE_INTERNAL_STORE_IMPL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message_lite.h"
#include "store/internal/db.h"
#include "superbet/store/store.h"

namespace superbet::store {

class Store::Impl {
 public:
  Impl(Backend backend, const core::Clock& clock, StoreOptions options,
       std::vector<std::unique_ptr<internal::Db>> pool);

  // A connection from the pool, returned to it on destruction.
  class Lease {
   public:
    Lease(Impl* impl, std::unique_ptr<internal::Db> db) : impl_(impl), db_(std::move(db)) {}
    Lease(Lease&&) = default;
    ~Lease();
    internal::Db& operator*() { return *db_; }
    internal::Db* operator->() { return db_.get(); }

   private:
    Impl* impl_;
    std::unique_ptr<internal::Db> db_;
  };
  Lease Acquire();

  Backend backend;
  const core::Clock& clock;
  StoreOptions options;
  int64_t NowUs() const;

 private:
  absl::Mutex mu_;
  std::vector<std::unique_ptr<internal::Db>> free_ ABSL_GUARDED_BY(mu_);
};

namespace internal {

// Deterministic serialization (map fields in key order), so equal messages give equal bytes.
std::string Serialize(const google::protobuf::MessageLite& m);
int64_t ToUs(absl::Time t);
absl::Time FromUs(int64_t us);
int64_t TimestampUs(const google::protobuf::Timestamp& ts);
int64_t ParseInt(const std::optional<std::string>& v);
std::optional<double> ParseOptDouble(const std::optional<std::string>& v);

// The odds-history phase of a price: "opening" / "pre_match" / "closing" / "live".
const char* PhaseOf(const superbet::v1::BettingLine& line);

}  // namespace internal
}  // namespace superbet::store

#endif  // SUPERBET_LIB_STORE_INTERNAL_STORE_IMPL_H_
