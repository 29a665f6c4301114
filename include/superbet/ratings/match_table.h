// MatchTable: finished matches with their teams interned as small integer ids, kept in kickoff
// order — the form the walk-forward fits read, so that refitting every match day hashes no team
// name and copies no match.

#ifndef SUPERBET_RATINGS_MATCH_TABLE_H_
#define SUPERBET_RATINGS_MATCH_TABLE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace superbet::ratings {

// One finished match, as the models see it. Teams are identified by any stable string (the
// canonical Team id, e.g. "football-data:Arsenal").
struct MatchResult {
  std::string home;
  std::string away;
  int home_goals = 0;  // >= 0
  int away_goals = 0;  // >= 0
  absl::Time kickoff;  // UTC
  // Shots on target (football-data HST / AST); absent when the source did not provide them.
  std::optional<int> home_shots_on_target;
  std::optional<int> away_shots_on_target;
  // Market-implied expected goals of this (past) match, from its margin-free prices
  // (implied_goals.h); both present or both absent, each finite and > 0. Read by the market model.
  std::optional<double> market_home_goals;
  std::optional<double> market_away_goals;
};

// A row of a MatchTable: team ids index MatchTable::team_name(). Shots on target and market
// goals are -1 when absent.
struct TableMatch {
  int home = 0;
  int away = 0;
  int home_goals = 0;
  int away_goals = 0;
  int home_shots_on_target = -1;
  int away_shots_on_target = -1;
  double market_home_goals = -1;
  double market_away_goals = -1;
  absl::Time kickoff;
};

// Append-only, kickoff-ordered match table. Value type; not thread-safe for concurrent Add, safe
// for concurrent const use.
class MatchTable {
 public:
  // Adds `m`, interning its team names, after every match kicking off at or before it (an append
  // when matches come in kickoff order, as in a walk-forward; O(size) otherwise).
  // Errors: InvalidArgument naming the match when a score or shot count is negative, a team
  // plays itself, or only one market goal value is given or one is not finite and > 0.
  [[nodiscard]] absl::Status Add(const MatchResult& m);

  // Builds a table from `matches` in any order (stably sorted by kickoff). Errors: as Add.
  [[nodiscard]] static absl::StatusOr<MatchTable> FromResults(
      absl::Span<const MatchResult> matches);

  absl::Span<const TableMatch> matches() const { return matches_; }
  size_t size() const { return matches_.size(); }
  // Index of the first match kicking off at or after `t` (size() when none).
  size_t LowerBound(absl::Time t) const;
  int teams() const { return static_cast<int>(names_.size()); }
  const std::string& team_name(int id) const { return names_[id]; }
  // The id of `team`, or -1 when it has no match in the table.
  int team_id(absl::string_view team) const;

 private:
  int Intern(const std::string& name);
  std::vector<TableMatch> matches_;
  std::vector<std::string> names_;
  absl::flat_hash_map<std::string, int> ids_;
};

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_MATCH_TABLE_H_
