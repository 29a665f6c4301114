#include "superbet/ratings/match_table.h"

#include <algorithm>
#include <cmath>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace superbet::ratings {

int MatchTable::Intern(const std::string& name) {
  auto [it, inserted] = ids_.try_emplace(name, static_cast<int>(names_.size()));
  if (inserted) names_.push_back(name);
  return it->second;
}

absl::Status MatchTable::Add(const MatchResult& m) {
  if (m.home_goals < 0 || m.away_goals < 0) {
    return absl::InvalidArgumentError(absl::StrFormat("negative score %d-%d in %s v %s",
                                                      m.home_goals, m.away_goals, m.home, m.away));
  }
  if ((m.home_shots_on_target && *m.home_shots_on_target < 0) ||
      (m.away_shots_on_target && *m.away_shots_on_target < 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("negative shots on target in ", m.home, " v ", m.away));
  }
  if (m.home == m.away) {
    return absl::InvalidArgumentError(absl::StrCat("team plays itself: ", m.home));
  }
  if (m.market_home_goals.has_value() != m.market_away_goals.has_value() ||
      (m.market_home_goals && !(std::isfinite(*m.market_home_goals) && *m.market_home_goals > 0 &&
                                std::isfinite(*m.market_away_goals) && *m.market_away_goals > 0))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "market goals of ", m.home, " v ", m.away, " must be both present, finite and > 0, got ",
        m.market_home_goals ? absl::StrCat(*m.market_home_goals) : "absent", " and ",
        m.market_away_goals ? absl::StrCat(*m.market_away_goals) : "absent"));
  }
  TableMatch t;
  t.home = Intern(m.home);
  t.away = Intern(m.away);
  t.home_goals = m.home_goals;
  t.away_goals = m.away_goals;
  t.home_shots_on_target = m.home_shots_on_target.value_or(-1);
  t.away_shots_on_target = m.away_shots_on_target.value_or(-1);
  t.market_home_goals = m.market_home_goals.value_or(-1);
  t.market_away_goals = m.market_away_goals.value_or(-1);
  t.kickoff = m.kickoff;
  if (matches_.empty() || !(m.kickoff < matches_.back().kickoff)) {
    matches_.push_back(t);
  } else {  // Out of order: after every match kicking off at or before it (stable).
    matches_.insert(
        std::upper_bound(matches_.begin(), matches_.end(), m.kickoff,
                         [](absl::Time x, const TableMatch& r) { return x < r.kickoff; }),
        t);
  }
  return absl::OkStatus();
}

absl::StatusOr<MatchTable> MatchTable::FromResults(absl::Span<const MatchResult> matches) {
  std::vector<const MatchResult*> order;
  order.reserve(matches.size());
  for (const MatchResult& m : matches) order.push_back(&m);
  std::stable_sort(order.begin(), order.end(), [](const MatchResult* a, const MatchResult* b) {
    return a->kickoff < b->kickoff;
  });
  MatchTable table;
  table.matches_.reserve(matches.size());
  for (const MatchResult* m : order) {
    absl::Status s = table.Add(*m);
    if (!s.ok()) return s;
  }
  return table;
}

size_t MatchTable::LowerBound(absl::Time t) const {
  return static_cast<size_t>(
      std::lower_bound(matches_.begin(), matches_.end(), t,
                       [](const TableMatch& m, absl::Time x) { return m.kickoff < x; }) -
      matches_.begin());
}

int MatchTable::team_id(absl::string_view team) const {
  auto it = ids_.find(team);
  return it == ids_.end() ? -1 : it->second;
}

}  // namespace superbet::ratings
