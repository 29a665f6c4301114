#include "superbet/ratings/match_results.h"

#include <optional>

#include "superbet/model/fixture.h"

namespace superbet::ratings {

std::vector<MatchResult> FinishedMatches(absl::Span<const superbet::v1::Fixture> fixtures,
                                         absl::Time before) {
  std::vector<MatchResult> out;
  out.reserve(fixtures.size());
  for (const superbet::v1::Fixture& f : fixtures) {
    const std::optional<absl::Time> kickoff = model::KickoffTime(f);
    if (!f.has_full_time() || !kickoff || *kickoff >= before) continue;
    out.push_back({model::TeamKey(f.home()), model::TeamKey(f.away()), f.full_time().home(),
                   f.full_time().away(), *kickoff});
  }
  return out;
}

}  // namespace superbet::ratings
