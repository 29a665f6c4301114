#include "ratings/internal/window.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"

namespace superbet::ratings::internal {
namespace {

// Whole days from `kickoff` to `as_of` (kickoff <= as_of): floor(hours / 24) as the plain
// formula std::floor(absl::ToDoubleHours(as_of - kickoff) / 24.0) computes it. When both times
// are whole seconds and less than 10^9 s apart this is the integer quotient (s / 86400): the
// double quotient is exact at multiples of a day and, elsewhere, at least 1/86400 of a day from
// an integer while its rounding error is below 1e-12 days, so its floor is the same (checked
// for every second of the first 1200 days, at every multiple of a day +-3 s up to 10^9 s and at
// 2e7 random points: tests/ratings' window test keeps a sample).
double AgeDays(absl::Time as_of, int64_t as_of_seconds, bool as_of_whole, absl::Time kickoff) {
  const int64_t k = absl::ToUnixSeconds(kickoff);
  const int64_t diff = as_of_seconds - k;
  if (as_of_whole && diff >= 0 && diff < 1000000000 && absl::FromUnixSeconds(k) == kickoff) {
    return static_cast<double>(diff / 86400);
  }
  return std::floor(absl::ToDoubleHours(as_of - kickoff) / 24.0);
}

// The storage RecycleWindow hands back, per thread.
FitData& SpareFitData() {
  thread_local FitData spare;
  return spare;
}

}  // namespace

void RecycleWindow(Window&& window) { SpareFitData() = std::move(window.data); }

absl::StatusOr<Window> BuildWindow(const MatchTable& table, size_t begin, size_t end,
                                   absl::Time as_of, double xi_per_day, Counts counts,
                                   std::vector<int>& scratch, bool keep_scores,
                                   double market_weight, double market_xi_per_day,
                                   bool evidence_weights) {
  Window w;
  const absl::Span<const TableMatch> rows = table.matches().subspan(begin, end - begin);
  auto local = [&](int id) {
    int& l = scratch[id];
    if (l < 0) {
      l = static_cast<int>(w.table_id.size());
      w.table_id.push_back(id);
    }
    return l;
  };
  // The table is in kickoff order: a row after as_of exists iff the last one is after it; the
  // error names the first such row.
  if (!rows.empty() && rows.back().kickoff > as_of) {
    for (const TableMatch& m : rows) {
      if (m.kickoff <= as_of) continue;
      return absl::InvalidArgumentError(absl::StrCat(
          "look-ahead: ", table.team_name(m.home), " v ", table.team_name(m.away), " kicks off at ",
          absl::FormatTime(m.kickoff), ", after as_of ", absl::FormatTime(as_of)));
    }
  }
  for (const TableMatch& m : rows) {
    if (counts == Counts::kShotsOnTarget &&
        (m.home_shots_on_target < 0 || m.away_shots_on_target < 0)) {
      continue;
    }
    local(m.home);
    local(m.away);
  }
  const int n = static_cast<int>(w.table_id.size());
  FitDataBuilder builder(n, keep_scores, std::move(SpareFitData()));
  w.evidence.assign(n, TeamEvidence{});
  // Weights depend on whole days only: one exp per distinct age, and each exp(-xi * days) is
  // kept for the next fits of this thread (a walk-forward refits daily on overlapping windows
  // with the same xi; the cached value is the same call's result, so the weights are the same
  // bits).
  thread_local double cached_xi = std::numeric_limits<double>::quiet_NaN();
  thread_local std::vector<double> weight_of_day;  // NaN: not computed yet.
  if (!(cached_xi == xi_per_day)) {
    cached_xi = xi_per_day;
    weight_of_day.clear();
  }
  auto weight_for = [&](double days) {
    if (!(days >= 0 && days < 1 << 16)) return std::exp(-xi_per_day * days);
    const size_t k = static_cast<size_t>(days);
    if (k >= weight_of_day.size()) {
      weight_of_day.resize(k + 1, std::numeric_limits<double>::quiet_NaN());
    }
    double& cached = weight_of_day[k];
    if (std::isnan(cached)) cached = std::exp(-xi_per_day * days);
    return cached;
  };
  const int64_t as_of_seconds = absl::ToUnixSeconds(as_of);
  const bool as_of_whole = absl::FromUnixSeconds(as_of_seconds) == as_of;
  double last_days = -1, last_weight = 0, last_market_weight = 0;
  absl::Time last_kickoff = absl::InfinitePast();  // Rows sharing a kickoff share their age.
  double days = 0;
  for (const TableMatch& m : rows) {
    int x = m.home_goals, y = m.away_goals;
    if (counts == Counts::kShotsOnTarget) {
      if (m.home_shots_on_target < 0 || m.away_shots_on_target < 0) continue;
      x = m.home_shots_on_target;
      y = m.away_shots_on_target;
    }
    if (m.kickoff != last_kickoff) {
      last_kickoff = m.kickoff;
      days = AgeDays(as_of, as_of_seconds, as_of_whole, m.kickoff);
    }
    if (days != last_days) {
      last_days = days;
      last_weight = weight_for(days);
      if (counts == Counts::kMarketBlend) {
        last_market_weight = std::exp(-market_xi_per_day * days);
      }
    }
    const int h = scratch[m.home], a = scratch[m.away];
    if (counts == Counts::kMarketBlend && m.market_home_goals > 0) {
      // Likelihood terms (1 - b) w_g [x log lambda - lambda] + b w_m [xg log lambda - lambda]:
      // one quasi-Poisson term with exposure w = (1 - b) w_g + b w_m and count
      // ((1 - b) w_g x + b w_m xg) / w.
      const double gw = (1 - market_weight) * last_weight;
      const double mw = market_weight * last_market_weight;
      const double wsum = gw + mw;
      builder.AddBlended(h, a, x, y, (gw * x + mw * m.market_home_goals) / wsum,
                         (gw * y + mw * m.market_away_goals) / wsum, wsum);
      ++w.market_rows;
    } else {
      builder.Add(h, a, x, y, last_weight);
    }
    for (int side : {h, a}) {
      TeamEvidence& e = w.evidence[side];
      ++e.matches;
      if (!evidence_weights) continue;
      e.weight += last_weight;
      e.weighted_age_days += last_weight * days;
      e.last_kickoff = std::max(e.last_kickoff, m.kickoff);
    }
    ++w.matches;
    w.total_counts += x + y;
  }
  for (int id : w.table_id) scratch[id] = -1;
  w.data = builder.Take();
  return w;
}

}  // namespace superbet::ratings::internal
