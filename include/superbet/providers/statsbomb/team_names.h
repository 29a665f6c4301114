// Team-name mapping between StatsBomb open data and football-data.co.uk.
//
// StatsBomb uses full club names ("Manchester United", "AFC Bournemouth"); football-data.co.uk
// uses short ones ("Man United", "Bournemouth"). The table lists every pair that differs for the
// Premier League seasons StatsBomb publishes (2003/04, 2015/16) and for the other clubs of recent
// Premier League seasons; a club whose name is the same in both sources ("Arsenal", "Chelsea",
// "Crystal Palace", ...) is not listed and maps to itself.
//
// Sources: the team names of ../shared/data/statsbomb/matches/2/27.json and
// ../shared/data/football-data/E0_*.csv.

#ifndef SUPERBET_PROVIDERS_STATSBOMB_TEAM_NAMES_H_
#define SUPERBET_PROVIDERS_STATSBOMB_TEAM_NAMES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace superbet::providers {

struct TeamNamePair {
  const char* statsbomb;      // "Manchester United".
  const char* football_data;  // "Man United".
};

// The whole table (static storage, never freed). Thread-safe.
absl::Span<const TeamNamePair> TeamNameTable();

// football-data's name for a StatsBomb team name; the name itself when the table has no entry.
// Exact, case-sensitive match. Thread-safe.
std::string FootballDataTeamName(absl::string_view statsbomb_name);

// The inverse: StatsBomb's name for a football-data team name; the name itself when absent.
std::string StatsBombTeamName(absl::string_view football_data_name);

}  // namespace superbet::providers

#endif  // SUPERBET_PROVIDERS_STATSBOMB_TEAM_NAMES_H_
