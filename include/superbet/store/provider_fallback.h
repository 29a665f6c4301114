// The provider fallback read from the store: connects a providers::ResilientProvider to a
// store::Store, so that live fixture states are written to live_stats as they are read and a
// failed live read is answered with Store::Fallback (the average of the last 5 minutes with its
// staleness; NOT_FOUND when the store has no row for the match) — the same state the in-process
// LiveStatsWindow gives on the same rows, and still there after a restart.

#ifndef SUPERBET_STORE_PROVIDER_FALLBACK_H_
#define SUPERBET_STORE_PROVIDER_FALLBACK_H_

#include <atomic>
#include <cstdint>

#include "superbet/providers/resilient_provider.h"
#include "superbet/store/store.h"

namespace superbet::store {

// Counts of the store side of the fallback. Thread-safe.
struct StoreFallbackCounters {
  std::atomic<int64_t> rows_written{0};
  std::atomic<int64_t> write_errors{0};  // A failed write is logged once and counted, not fatal.
};

// Sets options.record_live and options.fallback_source to use `store` (source "api"). `store`
// and `counters` (may be nullptr) are not owned and must outlive the provider.
void UseStoreForFallback(Store& store, providers::ResilientProviderOptions& options,
                         StoreFallbackCounters* counters = nullptr);

}  // namespace superbet::store

#endif  // SUPERBET_STORE_PROVIDER_FALLBACK_H_
