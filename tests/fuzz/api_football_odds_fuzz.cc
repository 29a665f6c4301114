// libFuzzer target: API-Football /odds (pre-match) and /odds/live mappers.
// Seeds: ../shared/data/api-football/odds_*.json and
// tests/providers/data/odds_live_doc_example.json.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "superbet/providers/api_football/api_football.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace af = superbet::providers::api_football;
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  af::MapCounters counters;
  auto prematch = af::MapPrematchOdds(json, &counters);
  if (prematch.ok()) (void)af::OddsTripleOf(*prematch);
  auto live = af::MapLiveOdds(json, &counters);
  if (live.ok()) (void)af::OddsTripleOf(*live);
  return 0;
}
