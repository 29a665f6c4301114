// CSV ingest benchmark: parse all 25 football-data.co.uk E0 season files from memory into
// canonical Fixture + BettingLine messages (ParseSeasonCsv, strict mode), and the bare CSV reader
// on the same bytes. Reports MB/s (bytes processed) and fixtures/s (items processed).
// Baseline: bench/csv_ingest_baseline.py (Python stdlib csv, same mapping). Figures and the
// command line are recorded in bench/README.md, "## CSV ingest (bench/csv_ingest_bench.cc)".
//
// Data root: $SUPERBET_DATA, else <source>/../shared/data.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "superbet/core/file.h"
#include "superbet/providers/football_data/csv.h"
#include "superbet/providers/football_data/football_data.h"

namespace {

namespace fd = superbet::providers::football_data;

struct SeasonBytes {
  std::string name;
  std::string season_code;
  std::string bytes;
};

const std::vector<SeasonBytes>& Files() {
  static const std::vector<SeasonBytes>* const kFiles = [] {
    auto* files = new std::vector<SeasonBytes>;
    const char* env = std::getenv("SUPERBET_DATA");
    const std::string root = env != nullptr ? env : SUPERBET_SOURCE_DIR "/../shared/data";
    auto seasons = fd::FindSeasons(root, "E0");
    if (!seasons.ok()) {
      std::fprintf(stderr, "%s\n", seasons.status().ToString().c_str());
      std::exit(1);
    }
    for (const std::string& code : *seasons) {
      const std::string name = "E0_" + code + ".csv";
      auto bytes = superbet::core::ReadFile(root + "/football-data/" + name);
      if (!bytes.ok()) {
        std::fprintf(stderr, "%s\n", bytes.status().ToString().c_str());
        std::exit(1);
      }
      files->push_back({name, code, *std::move(bytes)});
    }
    return files;
  }();
  return *kFiles;
}

int64_t TotalBytes() {
  int64_t n = 0;
  for (const SeasonBytes& f : Files()) n += static_cast<int64_t>(f.bytes.size());
  return n;
}

void BM_ParseAllSeasons(benchmark::State& state) {
  const auto& files = Files();
  int64_t fixtures = 0, lines = 0;
  for (auto _ : state) {
    for (const SeasonBytes& f : files) {
      fd::ParseOptions options;
      options.mode = fd::ParseMode::kStrict;
      options.source_name = f.name;
      options.league = "E0";
      options.season_code = f.season_code;
      auto season = fd::ParseSeasonCsv(f.bytes, options);
      if (!season.ok()) {
        state.SkipWithError(season.status().ToString().c_str());
        return;
      }
      fixtures += season->stats.fixtures;
      lines += season->stats.lines;
      benchmark::DoNotOptimize(season->lines.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes());
  state.SetItemsProcessed(fixtures);
  state.counters["lines/s"] = benchmark::Counter(static_cast<double>(lines),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseAllSeasons)->Unit(benchmark::kMillisecond);

void BM_CsvReaderOnly(benchmark::State& state) {
  const auto& files = Files();
  int64_t records = 0;
  std::vector<absl::string_view> fields;
  for (auto _ : state) {
    for (const SeasonBytes& f : files) {
      superbet::providers::csv::Reader reader(f.bytes);
      while (true) {
        auto more = reader.Next(&fields);
        if (!more.ok() || !*more) break;
        ++records;
        benchmark::DoNotOptimize(fields.data());
      }
    }
  }
  state.SetBytesProcessed(state.iterations() * TotalBytes());
  state.SetItemsProcessed(records);
}
BENCHMARK(BM_CsvReaderOnly)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
