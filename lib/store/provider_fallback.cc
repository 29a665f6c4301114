#include "superbet/store/provider_fallback.h"

#include "spdlog/spdlog.h"

namespace superbet::store {

void UseStoreForFallback(Store& store, providers::ResilientProviderOptions& options,
                         StoreFallbackCounters* counters) {
  options.record_live = [&store, counters](const superbet::v1::LiveMatchState& state,
                                           absl::Time observed_at) {
    const LiveStatsRow row{observed_at, state, "api"};
    absl::StatusOr<int64_t> n = store.PutLiveStats({&row, 1});
    if (!n.ok()) {
      if (counters == nullptr || counters->write_errors.fetch_add(1) == 0) {
        spdlog::warn("store: live_stats write failed ({}); the fallback uses older rows",
                     n.status().ToString());
      }
      return;
    }
    if (counters != nullptr) counters->rows_written += *n;
  };
  options.fallback_source = [&store](const std::string& match_key, absl::Time now) {
    return store.Fallback(match_key, now);
  };
}

}  // namespace superbet::store
