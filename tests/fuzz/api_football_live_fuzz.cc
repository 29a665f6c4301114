// libFuzzer target: API-Football /fixtures (live=all, fixture lists, head-to-head) mappers.
// Seeds: ../shared/data/api-football/fixtures_*.json. Must never crash, hang or leak; every input
// either maps or yields a status.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "superbet/providers/api_football/api_football.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace af = superbet::providers::api_football;
  // The mappers copy the bytes into their own padded buffer (simdjson reads past the end).
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  af::MapCounters counters;
  (void)af::MapLiveFixtures(json, absl::FromUnixSeconds(0), &counters);
  (void)af::MapLiveStates(json, absl::InfinitePast(), &counters);
  (void)af::MapHeadToHead(json, &counters);
  (void)af::EnvelopeEndpoint(json);
  (void)af::EnvelopeStatus(json);
  return 0;
}
