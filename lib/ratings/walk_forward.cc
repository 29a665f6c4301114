#include "superbet/ratings/walk_forward.h"

#include <algorithm>

#include "absl/time/civil_time.h"

namespace superbet::ratings {

absl::StatusOr<std::vector<WalkForwardRow>> WalkForward(
    absl::Span<const WalkForwardMatch> matches, const std::vector<std::string>& forecast_seasons,
    TeamModel& model, WalkForwardStats* stats, const std::function<void(int, int)>& progress,
    const std::function<void(const std::string&, TeamModel&)>& before_fit) {
  std::vector<const WalkForwardMatch*> order;
  order.reserve(matches.size());
  for (const WalkForwardMatch& m : matches) order.push_back(&m);
  std::stable_sort(order.begin(), order.end(),
                   [](const WalkForwardMatch* a, const WalkForwardMatch* b) {
                     return a->result.kickoff < b->result.kickoff;
                   });
  auto wanted = [&](const WalkForwardMatch* m) {
    return std::find(forecast_seasons.begin(), forecast_seasons.end(), m->season) !=
           forecast_seasons.end();
  };
  const absl::TimeZone utc = absl::UTCTimeZone();
  auto day_of = [&](const WalkForwardMatch* m) {
    return absl::FromCivil(absl::ToCivilDay(m->result.kickoff, utc), utc);
  };
  int total_days = 0;
  for (size_t i = 0; i < order.size();) {
    const absl::Time day = day_of(order[i]);
    bool any = false;
    for (; i < order.size() && day_of(order[i]) == day; ++i) any = any || wanted(order[i]);
    total_days += any ? 1 : 0;
  }
  WalkForwardStats local;
  WalkForwardStats& st = stats != nullptr ? *stats : local;
  MatchTable table;
  std::vector<WalkForwardRow> rows;
  int done = 0;
  for (size_t i = 0; i < order.size();) {
    const absl::Time day = day_of(order[i]);
    size_t j = i;
    bool any = false;
    for (; j < order.size() && day_of(order[j]) == day; ++j) any = any || wanted(order[j]);
    if (any) {
      if (before_fit) before_fit(order[i]->season, model);
      // The table holds only earlier dates here: the model cannot see today's or later results.
      const absl::Status fit = model.FitBefore(table, day);
      if (fit.ok()) {
        ++st.fits;
        st.iterations += model.last_fit().iterations;
      } else {
        ++st.failed_fits;
      }
      for (size_t k = i; k < j; ++k) {
        if (!wanted(order[k])) continue;
        const MatchResult& r = order[k]->result;
        WalkForwardRow row;
        row.match = order[k];
        row.outcome = r.home_goals > r.away_goals ? 0 : r.home_goals == r.away_goals ? 1 : 2;
        if (!fit.ok()) {
          row.why_absent = std::string(fit.message());
        } else {
          auto f = model.Forecast(r.home, r.away);
          if (f.ok()) {
            row.probabilities = f->one_x_two;
            row.over_2_5 = f->over_2_5;
            row.imputed = f->home_imputed || f->away_imputed;
          } else {
            row.why_absent = std::string(f.status().message());
          }
        }
        rows.push_back(std::move(row));
      }
      ++done;
      if (progress) progress(done, total_days);
    }
    for (size_t k = i; k < j; ++k) {
      absl::Status s = table.Add(order[k]->result);
      if (!s.ok()) return s;
    }
    i = j;
  }
  return rows;
}

}  // namespace superbet::ratings
