// An in-process time series of each match's live states, and the 5-minute fallback served when
// the provider is unreachable (the store's `live_matches_cache` view takes
// this role later).
//
// Fallback(match_id, now):
//   * window = the rows observed in [now - 300 s, now];
//   * every numeric statistic (per side: xg, shots, shots_on_target, corners, possession,
//     dangerous_attacks, yellow_cards, red_cards; and the live 1X2 odds) is the mean over the
//     window's rows that have it; a statistic is present in the result only when at least one
//     row in the window had it (so "no xG" stays absent). Integer statistics are rounded to the
//     nearest integer (halves away from zero). Odds are averaged per selection over rows with
//     live_odds; bookmaker and timestamp come from the newest such row;
//   * minute, score, teams, status, provider and match_id come from the newest row;
//   * observed_at = the newest row's observation time; data_staleness_s = now - that time (plus
//     that row's own data_staleness_s, which is 0 for a live read);
//   * window empty -> the newest row of any age, unchanged except data_staleness_s (its real age);
//   * no row at all -> NotFound ("no live stats recorded for match X"); the agents then play
//     no_bet.
// Rows observed after `now` are ignored.
//
// Thread-safety: thread-safe (one absl::Mutex). Owns copies of the recorded states.

#ifndef SUPERBET_PROVIDERS_LIVE_STATS_WINDOW_H_
#define SUPERBET_PROVIDERS_LIVE_STATS_WINDOW_H_

#include <deque>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/v1/model.pb.h"

namespace superbet::providers {

// The averaging window of the fallback: 5 minutes.
inline constexpr absl::Duration kFallbackWindow = absl::Seconds(300);

class LiveStatsWindow {
 public:
  // Keeps at most `capacity_per_match` (>= 1; clamped) newest rows per match. At one snapshot
  // every 15 s, the default 64 rows cover 16 minutes.
  explicit LiveStatsWindow(int capacity_per_match = 64);
  LiveStatsWindow(const LiveStatsWindow&) = delete;
  LiveStatsWindow& operator=(const LiveStatsWindow&) = delete;

  // Records `state` as observed at `observed_at`, under state.match_id(). Rows are kept in time
  // order (an out-of-order row is inserted at its place); the oldest row is dropped when the
  // match's ring is full. A state with an empty match_id is ignored.
  void Record(const superbet::v1::LiveMatchState& state, absl::Time observed_at);

  // The fallback state described above. Errors: NotFound naming the match when nothing was
  // recorded for it (or every row is newer than `now`).
  [[nodiscard]] absl::StatusOr<superbet::v1::LiveMatchState> Fallback(const std::string& match_id,
                                                                      absl::Time now) const;

  // Rows held for `match_id` (0 when unknown).
  int size(const std::string& match_id) const;
  // Forgets a match (e.g. when it finishes).
  void Erase(const std::string& match_id);

 private:
  using Row = std::pair<absl::Time, superbet::v1::LiveMatchState>;
  const int capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::deque<Row>> rows_ ABSL_GUARDED_BY(mu_);
};

// The averaging itself, exposed for tests: the fallback of `rows` (time-ordered, oldest first) at
// `now`, as described above. Errors: NotFound when no row is at or before `now`.
[[nodiscard]] absl::StatusOr<superbet::v1::LiveMatchState> AverageWindow(
    const std::deque<std::pair<absl::Time, superbet::v1::LiveMatchState>>& rows, absl::Time now,
    absl::Duration window = kFallbackWindow);

}  // namespace superbet::providers

#endif  // SUPERBET_PROVIDERS_LIVE_STATS_WINDOW_H_
