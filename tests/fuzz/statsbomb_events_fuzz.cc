// libFuzzer target: arbitrary bytes through the StatsBomb mappers (events -> timeline, matches,
// lineups). Any crash, sanitizer report or broken invariant is a bug; errors are expected.
// Seed corpus: ../shared/data/statsbomb/{events,lineups,matches/2}/*.json.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "superbet/providers/statsbomb/statsbomb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace sb = superbet::providers::statsbomb;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  superbet::v1::Fixture fixture;
  fixture.set_id("statsbomb:3754097");
  fixture.mutable_home()->set_id("statsbomb:39");
  fixture.mutable_away()->set_id("statsbomb:38");
  auto timeline = sb::BuildTimeline(bytes, fixture);
  if (timeline.ok()) {
    // Invariants: minute k at index k, the last state FINISHED, counts never decrease.
    const auto& states = timeline->states;
    if (states.empty() || states.back().status() != superbet::v1::FIXTURE_STATUS_FINISHED) {
      std::abort();
    }
    for (size_t k = 0; k < states.size(); ++k) {
      if (states[k].minute() != static_cast<int>(k)) std::abort();
      if (k > 0 && (states[k].score_home() < states[k - 1].score_home() ||
                    states[k].away().shots() < states[k - 1].away().shots())) {
        std::abort();
      }
    }
    if (timeline->events_rejected > timeline->events_total) std::abort();
    if (timeline->events_duplicated > timeline->events_rejected) std::abort();
    // Strict mode accepts exactly the documents lenient mode reads without a rejection.
    auto strict = sb::BuildTimeline(bytes, fixture, sb::ParseMode::kStrict);
    if (strict.ok() != (timeline->events_rejected == 0)) std::abort();
  }
  (void)sb::MapMatches(bytes);
  (void)sb::MapLineups(bytes, "statsbomb:1");
  return 0;
}
