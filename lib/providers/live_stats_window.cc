#include "superbet/providers/live_stats_window.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace superbet::providers {

using superbet::v1::LiveMatchState;
using superbet::v1::SideStats;

namespace {

// Running mean of one optional statistic.
struct Mean {
  double sum = 0;
  int n = 0;
  void Add(bool present, double v) {
    if (!present) return;
    sum += v;
    ++n;
  }
  bool present() const { return n > 0; }
  double value() const { return sum / n; }
  int32_t rounded() const { return static_cast<int32_t>(std::lround(value())); }
};

struct SideMeans {
  Mean xg, dangerous_attacks, shots, shots_on_target, corners, possession, yellow, red;

  void Add(const SideStats& s) {
    xg.Add(s.has_xg(), s.xg());
    dangerous_attacks.Add(s.has_dangerous_attacks(), s.dangerous_attacks());
    shots.Add(s.has_shots(), s.shots());
    shots_on_target.Add(s.has_shots_on_target(), s.shots_on_target());
    corners.Add(s.has_corners(), s.corners());
    possession.Add(s.has_possession(), s.possession());
    yellow.Add(s.has_yellow_cards(), s.yellow_cards());
    red.Add(s.has_red_cards(), s.red_cards());
  }

  SideStats Build() const {
    SideStats s;
    if (xg.present()) s.set_xg(xg.value());
    if (dangerous_attacks.present()) s.set_dangerous_attacks(dangerous_attacks.rounded());
    if (shots.present()) s.set_shots(shots.rounded());
    if (shots_on_target.present()) s.set_shots_on_target(shots_on_target.rounded());
    if (corners.present()) s.set_corners(corners.rounded());
    if (possession.present()) s.set_possession(possession.value());
    if (yellow.present()) s.set_yellow_cards(yellow.rounded());
    if (red.present()) s.set_red_cards(red.rounded());
    return s;
  }
};

double StalenessS(absl::Time now, absl::Time observed, const LiveMatchState& row) {
  return absl::ToDoubleSeconds(now - observed) + row.data_staleness_s();
}

void SetObservedAt(absl::Time t, LiveMatchState* s) {
  const int64_t ns = absl::ToUnixNanos(t);
  s->mutable_observed_at()->set_seconds(ns / 1000000000);
  s->mutable_observed_at()->set_nanos(static_cast<int32_t>(ns % 1000000000));
  if (s->observed_at().nanos() < 0) {  // Before 1970: keep nanos in [0, 1e9).
    s->mutable_observed_at()->set_seconds(s->observed_at().seconds() - 1);
    s->mutable_observed_at()->set_nanos(s->observed_at().nanos() + 1000000000);
  }
}

}  // namespace

absl::StatusOr<LiveMatchState> AverageWindow(
    const std::deque<std::pair<absl::Time, LiveMatchState>>& rows, absl::Time now,
    absl::Duration window) {
  // Newest row at or before `now`.
  auto end = std::upper_bound(rows.begin(), rows.end(), now,
                              [](absl::Time t, const auto& row) { return t < row.first; });
  if (end == rows.begin()) return absl::NotFoundError("no live stats at or before now");
  const auto& newest = *(end - 1);

  SideMeans home, away;
  Mean odds_home, odds_draw, odds_away;
  const LiveMatchState* newest_odds = nullptr;
  int in_window = 0;
  for (auto it = end; it != rows.begin();) {
    --it;
    if (it->first < now - window) break;
    ++in_window;
    const LiveMatchState& s = it->second;
    home.Add(s.home());
    away.Add(s.away());
    if (s.has_live_odds()) {
      odds_home.Add(true, s.live_odds().home());
      odds_draw.Add(true, s.live_odds().draw());
      odds_away.Add(true, s.live_odds().away());
      if (newest_odds == nullptr) newest_odds = &s;
    }
  }

  LiveMatchState out = newest.second;
  out.set_data_staleness_s(StalenessS(now, newest.first, newest.second));
  SetObservedAt(newest.first, &out);
  if (in_window == 0) return out;  // Newest row of any age, with its real staleness.

  *out.mutable_home() = home.Build();
  *out.mutable_away() = away.Build();
  if (newest_odds != nullptr) {
    auto* odds = out.mutable_live_odds();
    *odds = newest_odds->live_odds();
    odds->set_home(odds_home.value());
    odds->set_draw(odds_draw.value());
    odds->set_away(odds_away.value());
  } else {
    out.clear_live_odds();
  }
  return out;
}

LiveStatsWindow::LiveStatsWindow(int capacity_per_match)
    : capacity_(std::max(1, capacity_per_match)) {}

void LiveStatsWindow::Record(const LiveMatchState& state, absl::Time observed_at) {
  if (state.match_id().empty()) return;
  absl::MutexLock lock(&mu_);
  std::deque<Row>& ring = rows_[state.match_id()];
  auto pos = std::upper_bound(ring.begin(), ring.end(), observed_at,
                              [](absl::Time t, const Row& row) { return t < row.first; });
  ring.insert(pos, Row(observed_at, state));
  while (static_cast<int>(ring.size()) > capacity_) ring.pop_front();
}

absl::StatusOr<LiveMatchState> LiveStatsWindow::Fallback(const std::string& match_id,
                                                         absl::Time now) const {
  absl::MutexLock lock(&mu_);
  auto it = rows_.find(match_id);
  if (it == rows_.end() || it->second.empty()) {
    return absl::NotFoundError(absl::StrCat("no live stats recorded for match ", match_id));
  }
  absl::StatusOr<LiveMatchState> out = AverageWindow(it->second, now);
  if (!out.ok()) {
    return absl::NotFoundError(absl::StrCat("no live stats recorded for match ", match_id,
                                            " at or before ", absl::FormatTime(now)));
  }
  return out;
}

int LiveStatsWindow::size(const std::string& match_id) const {
  absl::MutexLock lock(&mu_);
  auto it = rows_.find(match_id);
  return it == rows_.end() ? 0 : static_cast<int>(it->second.size());
}

void LiveStatsWindow::Erase(const std::string& match_id) {
  absl::MutexLock lock(&mu_);
  rows_.erase(match_id);
}

}  // namespace superbet::providers
