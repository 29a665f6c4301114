// API-Football parse benchmark: the recorded `fixtures?live=all` poll of 2021-04-21 (343,358
// bytes, 55 fixtures with embedded events) parsed and mapped to canonical protos, beside
// simdjson's own DOM parse of the same bytes without any mapping (the ceiling on this machine).
// Figures and the Python anchor are recorded in bench/README.md.

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "superbet/providers/api_football/api_football.h"

namespace {

namespace af = superbet::providers::api_football;

const std::string& Body() {
  static const std::string* const body = [] {
    std::string root = std::string(SUPERBET_SOURCE_DIR) + "/../shared/data";
    if (const char* env = std::getenv("SUPERBET_DATA"); env != nullptr && *env != '\0') {
      root = env;
    }
    std::ifstream in(root + "/api-football/fixtures_live_all_2021-04-21.json", std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return new std::string(out.str());
  }();
  return *body;
}

void SetCounters(benchmark::State& state, size_t fixtures) {
  const double bytes = static_cast<double>(Body().size());
  state.counters["MB/s"] =
      benchmark::Counter(bytes / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["ns/fixture"] = benchmark::Counter(
      static_cast<double>(fixtures) / 1e9,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["fixtures"] = static_cast<double>(fixtures);
}

// The body in a buffer with kJsonPadding spare bytes, as simdjson::padded_string gives the DOM.
const std::string& PaddedBody() {
  static const std::string* const body = [] {
    auto* s = new std::string();
    s->reserve(Body().size() + af::kJsonPadding);
    s->assign(Body());
    return s;
  }();
  return *body;
}

// Parse + map to the agents' LiveMatchStates (events skipped unread), from a padded buffer.
void BM_MapLiveStates(benchmark::State& state) {
  const std::string& body = PaddedBody();
  size_t n = 0;
  for (auto _ : state) {
    auto states =
        af::MapLiveStates(body, absl::InfinitePast(), nullptr, body.capacity() - body.size());
    if (!states.ok()) {
      state.SkipWithError(std::string(states.status().message()).c_str());
      return;
    }
    n = states->size();
    benchmark::DoNotOptimize(states->data());
  }
  SetCounters(state, n);
}
BENCHMARK(BM_MapLiveStates)->Unit(benchmark::kMicrosecond);

// The same from an unpadded std::string_view: the mapper copies into its padded buffer first.
void BM_MapLiveStatesCopy(benchmark::State& state) {
  const std::string& body = Body();
  size_t n = 0;
  for (auto _ : state) {
    auto states = af::MapLiveStates(body);
    if (!states.ok()) {
      state.SkipWithError(std::string(states.status().message()).c_str());
      return;
    }
    n = states->size();
    benchmark::DoNotOptimize(states->data());
  }
  SetCounters(state, n);
}
BENCHMARK(BM_MapLiveStatesCopy)->Unit(benchmark::kMicrosecond);

// Parse + map everything: Fixture records, LiveMatchStates and the 238 embedded MatchEvents.
void BM_MapLiveFixtures(benchmark::State& state) {
  const std::string& body = PaddedBody();
  size_t n = 0;
  for (auto _ : state) {
    auto fixtures =
        af::MapLiveFixtures(body, absl::InfinitePast(), nullptr, body.capacity() - body.size());
    if (!fixtures.ok()) {
      state.SkipWithError(std::string(fixtures.status().message()).c_str());
      return;
    }
    n = fixtures->size();
    benchmark::DoNotOptimize(fixtures->data());
  }
  SetCounters(state, n);
}
BENCHMARK(BM_MapLiveFixtures)->Unit(benchmark::kMicrosecond);

// The ceiling: simdjson's DOM parse of the same bytes (already padded), no mapping.
void BM_SimdjsonDomParse(benchmark::State& state) {
  const simdjson::padded_string padded(Body());
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element doc;
    if (auto e = parser.parse(padded).get(doc)) {
      state.SkipWithError(simdjson::error_message(e));
      return;
    }
    benchmark::DoNotOptimize(doc);
  }
  SetCounters(state, 55);
  state.SetLabel(simdjson::get_active_implementation()->name());
}
BENCHMARK(BM_SimdjsonDomParse)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
