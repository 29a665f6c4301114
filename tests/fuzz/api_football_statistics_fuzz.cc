// libFuzzer target: API-Football /fixtures/statistics mappers (envelope and envelope-less item).
// Seeds: ../shared/data/api-football/fixtures_statistics_*.json.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "superbet/providers/api_football/api_football.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace af = superbet::providers::api_football;
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  af::MapCounters counters;
  auto teams = af::MapStatistics(json, &counters);
  if (teams.ok() && teams->size() == 2) (void)af::StatisticsToState("1", *teams);
  (void)af::MapStatisticsItem(json, &counters);
  return 0;
}
