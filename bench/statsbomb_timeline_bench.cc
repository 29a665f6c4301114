// StatsBomb events -> per-minute LiveMatchState timeline (statsbomb::BuildTimeline), MB/s over
// real event files read into memory beforehand, and simdjson's own DOM parse of the same bytes
// without mapping (the ceiling on this machine). Figures: bench/README.md.

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <vector>

#include "superbet/core/file.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace {

namespace sb = superbet::providers::statsbomb;

struct Input {
  std::vector<std::string> events;
  std::vector<superbet::v1::Fixture> fixtures;
  int64_t bytes = 0;
};

// Four matches of different sizes (1.8-2.5 MB each).
const Input& Inputs() {
  static const Input* input = [] {
    auto* in = new Input;
    const std::string root = std::string(SUPERBET_SOURCE_DIR) + "/../shared/data/statsbomb";
    auto matches = sb::LoadMatchesFile(root + "/matches/2/27.json");
    if (!matches.ok()) {
      std::fprintf(stderr, "%s\n", matches.status().ToString().c_str());
      std::abort();
    }
    for (const char* id : {"3754097", "3754138", "3754145", "3754190"}) {
      auto bytes = superbet::core::ReadFile(root + "/events/" + id + ".json");
      if (!bytes.ok()) {
        std::fprintf(stderr, "%s\n", bytes.status().ToString().c_str());
        std::abort();
      }
      for (const auto& f : *matches) {
        if (f.id() == std::string("statsbomb:") + id) in->fixtures.push_back(f);
      }
      in->bytes += static_cast<int64_t>(bytes->size());
      in->events.push_back(*std::move(bytes));
    }
    return in;
  }();
  return *input;
}

void BM_BuildTimeline(benchmark::State& state) {
  const Input& in = Inputs();
  for (auto _ : state) {
    for (size_t i = 0; i < in.events.size(); ++i) {
      auto t = sb::BuildTimeline(in.events[i], in.fixtures[i]);
      if (!t.ok()) state.SkipWithError(t.status().ToString().c_str());
      benchmark::DoNotOptimize(t);
    }
  }
  state.SetBytesProcessed(state.iterations() * in.bytes);
  state.counters["matches"] = static_cast<double>(in.events.size());
}
BENCHMARK(BM_BuildTimeline)->Unit(benchmark::kMillisecond);

// One file per run (argument: index into the four files above), for per-file figures and for
// instruction counts: `valgrind --tool=callgrind --toggle-collect='*BuildTimeline*'` with
// --benchmark_filter='BM_BuildTimelineFile/0$' --benchmark_min_time=0 runs one call
// (bench/README.md).
void BM_BuildTimelineFile(benchmark::State& state) {
  const Input& in = Inputs();
  const size_t i = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    auto t = sb::BuildTimeline(in.events[i], in.fixtures[i]);
    if (!t.ok()) state.SkipWithError(t.status().ToString().c_str());
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(in.events[i].size()));
}
BENCHMARK(BM_BuildTimelineFile)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

void BM_SimdjsonDomParseOnly(benchmark::State& state) {
  const Input& in = Inputs();
  simdjson::dom::parser parser;
  for (auto _ : state) {
    for (const std::string& e : in.events) {
      simdjson::dom::element root;
      if (parser.parse(e.data(), e.size()).get(root) != simdjson::SUCCESS) {
        state.SkipWithError("parse failed");
      }
      benchmark::DoNotOptimize(root);
    }
  }
  state.SetBytesProcessed(state.iterations() * in.bytes);
}
BENCHMARK(BM_SimdjsonDomParseOnly)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
