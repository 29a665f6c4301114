// libFuzzer target: API-Football /fixtures/events, /fixtures/lineups, /fixtures/players, /players,
// /injuries, /predictions and /standings mappers.
// Seeds: the matching files of ../shared/data/api-football/ and the three error responses.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "superbet/providers/api_football/api_football.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace af = superbet::providers::api_football;
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  af::MapCounters counters;
  (void)af::MapEvents(json, &counters);
  (void)af::MapLineups(json, &counters);
  (void)af::MapFixturePlayers(json, &counters);
  (void)af::MapPlayers(json, &counters);
  (void)af::MapInjuries(json, &counters);
  (void)af::MapPredictions(json, &counters);
  (void)af::MapStandings(json, &counters);
  return 0;
}
