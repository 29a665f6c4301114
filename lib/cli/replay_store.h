// `superbet replay --store URL`: a match replayed from the store's live_stats (as `superbet
// ingest` wrote it) instead of the StatsBomb files, each minute with the 1/5/15-minute momentum
// of the store's momentum views as of that minute (Store::MomentumAsOf: the rows up to that
// moment only, so the replay never sees the rest of a bucket).

#ifndef SUPERBET_LIB_CLI_REPLAY_STORE_H_
#define SUPERBET_LIB_CLI_REPLAY_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/store/store.h"

namespace superbet::cli {

// The replay data of one StatsBomb match ("statsbomb:<id>" or "<id>") from the store: one
// Timeline with the fixture and the live_stats states, oldest first.
// Errors: NotFound when the store has no such fixture or no live_stats row for it.
[[nodiscard]] absl::StatusOr<providers::ReplayData> LoadReplayDataFromStore(
    store::Store& store, const std::string& match);

// {"1m": {...}, "5m": {...}, "15m": {...}} as of `at`: each {"bucket": RFC 3339 start,
// "rows": n, "avg_da": x|null, "max_sh": n|null, "max_sa": n|null, "avg_xg_home": x|null,
// "avg_xg_away": x|null}, or null for a width without a row yet.
[[nodiscard]] absl::StatusOr<std::string> MomentumJson(store::Store& store,
                                                       const std::string& match_id, absl::Time at);

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_REPLAY_STORE_H_
