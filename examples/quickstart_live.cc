// Quick start 2: map a recorded API-Football `/fixtures?live=all` answer to canonical live states
// and the agents' masked features (mask 0 = the provider did not say).
//   Run: quickstart_live [DATA_DIR]
#include <cstdio>
#include <string>

#include "superbet/core/file.h"
#include "superbet/model/masking.h"
#include "superbet/providers/api_football/api_football.h"

int main(int argc, char** argv) {
  const std::string path = std::string(argc > 1 ? argv[1] : "../shared/data") +
                           "/api-football/fixtures_live_all_2024-02-28.json";
  auto json = superbet::core::ReadFile(path);
  if (!json.ok()) return std::fprintf(stderr, "%s\n", json.status().ToString().c_str()), 1;
  superbet::providers::api_football::MapCounters rejected;
  auto states = superbet::providers::api_football::MapLiveStates(
      *json, absl::FromUnixSeconds(1709083000), &rejected);
  if (!states.ok()) return std::fprintf(stderr, "%s\n", states.status().ToString().c_str()), 1;
  for (const superbet::v1::LiveMatchState& s : *states) {
    const superbet::model::MaskedFeatures f = superbet::model::Mask(s);
    std::printf("%-24s %d-%d %-24s minute %2.0f  xG %s\n", s.home_team().c_str(), s.score_home(),
                s.score_away(), s.away_team().c_str(), f.value[superbet::model::kSlotMinute],
                f.mask[superbet::model::kSlotXgHome] ? "observed" : "absent (masked)");
  }
  return 0;
}
