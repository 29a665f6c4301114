// Store benchmarks (issue 14; figures in bench/README.md, "Store").
//
//   BM_WriteSeasons/<backend>   PutMatches of the last five E0 seasons, pre-parsed (1,900 fixtures
//                               + their 190k prices), one transaction per season, into a fresh
//                               store: SQLite; PostgreSQL with COPY; PostgreSQL row by row.
//   BM_PsqlCopyCeiling          the same rows (dumped from a store once) loaded by
//                               `psql -c "\copy ... FROM file"` into a fresh database with the same
//                               schema: the ceiling the issue names.
//   BM_Fallback/<backend>       Store::Fallback at a moment of one of the 35 StatsBomb matches
//                               (3,428 live_stats rows): p50 / p99 latency counters.
//   BM_Momentum/<backend>       Store::Momentum (5-minute view, one match) and MomentumAsOf (all
//                               three widths) latency.
//   BM_SeasonBacktest/<source>  load E0 2023/24 (files / the store) + the favourite backtest.
//
// PostgreSQL runs on a server the test harness starts (tests/store/postgres_harness.h), on
// 127.0.0.1 (TCP loopback), fsync off; the benchmarks skip when its binaries are missing.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/backtest_store_data.h"
#include "store/postgres_harness.h"
#include "superbet/backtest/backtest_data.h"
#include "superbet/backtest/engine.h"
#include "superbet/backtest/strategies.h"
#include "superbet/core/clock.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/store/ingest.h"
#include "superbet/store/store.h"

namespace {

namespace fd = superbet::providers::football_data;
using superbet::store::MatchRecord;
using superbet::store::Store;

std::string DataRoot() {
  const char* env = std::getenv("SUPERBET_DATA");
  return env ? env : std::string(SUPERBET_SOURCE_DIR) + "/../shared/data";
}

superbet::core::FakeClock& Clock() {
  static auto* c = new superbet::core::FakeClock(absl::FromUnixSeconds(1767225600));
  return *c;
}

std::string TempDir() {
  // Heap-held (never destroyed), so the exit handler can still read it.
  static const std::string* dir = [] {
    char tmpl[] = "/tmp/superbet-store-bench-XXXXXX";
    auto* made = new std::string(mkdtemp(tmpl) ? tmpl : "");
    std::atexit([] {
      std::error_code ec;
      if (!dir->empty()) std::filesystem::remove_all(*dir, ec);
    });
    return made;
  }();
  return *dir;
}

superbet::testing::PostgresServer* Postgres() {
  static auto* server = new absl::StatusOr<std::unique_ptr<superbet::testing::PostgresServer>>(
      superbet::testing::PostgresServer::Start());
  static const int at_exit = std::atexit([] {
    if (server->ok()) server->value().reset();
  });
  (void)at_exit;
  return server->ok() ? server->value().get() : nullptr;
}

std::string FreshUrl(int backend) {
  static int n = 0;
  ++n;
  if (backend == 0) return absl::StrCat("sqlite:", TempDir(), "/bench", n, ".db");
  auto url = Postgres()->CreateDatabase(absl::StrCat("bench", n));
  return url.ok() ? *url : "";
}

// The last five E0 seasons as store records, one vector per season file.
const std::vector<std::vector<MatchRecord>>& Seasons() {
  static const auto* seasons = [] {
    auto* out = new std::vector<std::vector<MatchRecord>>;
    for (const char* code : {"2021", "2122", "2223", "2324", "2425"}) {
      const std::string file = absl::StrCat("E0_", code, ".csv");
      std::vector<MatchRecord> records;
      auto s = fd::StreamSeasonFile(
          absl::StrCat(DataRoot(), "/football-data/", file), fd::ParseMode::kLenient,
          [&](const superbet::v1::Fixture& f, absl::Span<const superbet::v1::BettingLine> lines) {
            MatchRecord r;
            r.fixture = f;
            r.source_file = file;
            r.source_seq = static_cast<int64_t>(records.size());
            r.lines.assign(lines.begin(), lines.end());
            records.push_back(std::move(r));
            return absl::OkStatus();
          });
      if (s.ok()) out->push_back(std::move(records));
    }
    return out;
  }();
  return *seasons;
}

int64_t RowsOf(const std::vector<std::vector<MatchRecord>>& seasons) {
  int64_t rows = 0;
  for (const auto& s : seasons) {
    for (const auto& r : s) rows += 1 + static_cast<int64_t>(r.lines.size());
  }
  return rows;
}

// Arg: 0 = SQLite, 1 = PostgreSQL COPY, 2 = PostgreSQL row by row.
void BM_WriteSeasons(benchmark::State& state) {
  const int arg = static_cast<int>(state.range(0));
  if (arg > 0 && Postgres() == nullptr) {
    state.SkipWithError("PostgreSQL binaries not found");
    return;
  }
  const auto& seasons = Seasons();
  for (auto _ : state) {
    superbet::store::StoreOptions options;
    options.bulk =
        arg == 2 ? superbet::store::BulkMode::kRowByRow : superbet::store::BulkMode::kCopy;
    auto store = Store::Open(FreshUrl(arg > 0 ? 1 : 0), Clock(), options);
    if (!store.ok()) {
      state.SkipWithError(std::string(store.status().message()).c_str());
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    for (const auto& s : seasons) {
      auto w = (*store)->PutMatches(s);
      if (!w.ok()) {
        state.SkipWithError(std::string(w.status().message()).c_str());
        return;
      }
    }
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  state.SetItemsProcessed(state.iterations() * RowsOf(seasons));
}
BENCHMARK(BM_WriteSeasons)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_PsqlCopyCeiling(benchmark::State& state) {
  auto* pg = Postgres();
  if (pg == nullptr) {
    state.SkipWithError("PostgreSQL binaries not found");
    return;
  }
  // Dump the rows our COPY path wrote, once.
  const std::string matches_tsv = TempDir() + "/matches.tsv", lines_tsv = TempDir() + "/lines.tsv";
  {
    const std::string url = FreshUrl(1);
    auto store = Store::Open(url, Clock());
    if (!store.ok()) return state.SkipWithError("open failed");
    for (const auto& s : Seasons()) (void)(*store)->PutMatches(s);
    if (!pg->Psql(url, absl::StrCat("\\copy matches_master TO '", matches_tsv, "'")) ||
        !pg->Psql(url, absl::StrCat("\\copy daily_betting_lines TO '", lines_tsv, "'"))) {
      return state.SkipWithError("psql \\copy TO failed");
    }
  }
  for (auto _ : state) {
    const std::string url = FreshUrl(1);
    { auto schema = Store::Open(url, Clock()); }  // The same tables and indexes.
    const std::string cmd = absl::StrCat(
        pg->bin(), "/psql -q -X -d '", url, "' -c \"\\copy matches_master FROM '", matches_tsv,
        "'\" -c \"\\copy daily_betting_lines FROM '", lines_tsv, "'\" > /dev/null 2>&1");
    const auto start = std::chrono::steady_clock::now();
    if (std::system(cmd.c_str()) != 0) return state.SkipWithError("psql \\copy FROM failed");
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  state.SetItemsProcessed(state.iterations() * RowsOf(Seasons()));
}
BENCHMARK(BM_PsqlCopyCeiling)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

// A store per backend holding the 35 StatsBomb matches' live_stats.
Store* LiveStore(int backend) {
  static std::unique_ptr<Store> stores[2];
  if (!stores[backend]) {
    auto store = Store::Open(FreshUrl(backend), Clock());
    if (!store.ok()) return nullptr;
    superbet::store::IngestSummary summary;
    const std::string sb = DataRoot() + "/statsbomb";
    if (!superbet::store::IngestStatsBombMatches(**store, sb, sb + "/matches/2/27.json", summary)
             .ok()) {
      return nullptr;
    }
    stores[backend] = std::move(*store);
  }
  return stores[backend].get();
}

template <typename Query>
void LatencyLoop(benchmark::State& state, Query&& query) {
  std::vector<double> us;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    if (!query(static_cast<int64_t>(us.size()))) return state.SkipWithError("query failed");
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
}

// The first live_stats row of 3754097 (its kickoff, 2015-08-08 11:45 UTC).
absl::Time Kickoff(Store& store) {
  auto rows = store.LiveStats("statsbomb:3754097");
  return rows.ok() && !rows->empty() ? rows->front().timestamp : absl::UnixEpoch();
}

void BM_Fallback(benchmark::State& state) {
  const int backend = static_cast<int>(state.range(0));
  if (backend == 1 && Postgres() == nullptr) return state.SkipWithError("no PostgreSQL");
  Store* store = LiveStore(backend);
  if (store == nullptr) return state.SkipWithError("ingest failed");
  const absl::Time kickoff = Kickoff(*store);
  LatencyLoop(state, [&](int64_t i) {
    const absl::Time now = kickoff + absl::Seconds(60 + (i * 37) % 5400);
    return store->Fallback("statsbomb:3754097", now).ok();
  });
}
BENCHMARK(BM_Fallback)->Arg(0)->Arg(1)->Iterations(2000);

void BM_Momentum(benchmark::State& state) {
  const int backend = static_cast<int>(state.range(0));
  if (backend == 1 && Postgres() == nullptr) return state.SkipWithError("no PostgreSQL");
  Store* store = LiveStore(backend);
  if (store == nullptr) return state.SkipWithError("ingest failed");
  const absl::Time kickoff = Kickoff(*store);
  LatencyLoop(state, [&](int64_t i) {
    if (state.range(1) == 0) {
      auto b = store->Momentum("statsbomb:3754097", superbet::store::MomentumWidth::k5Min);
      return b.ok() && !b->empty();
    }
    const absl::Time at = kickoff + absl::Seconds(60 + (i * 37) % 5400);
    for (auto w : {superbet::store::MomentumWidth::k1Min, superbet::store::MomentumWidth::k5Min,
                   superbet::store::MomentumWidth::k15Min}) {
      if (!store->MomentumAsOf("statsbomb:3754097", w, at).ok()) return false;
    }
    return true;
  });
}
// Args: backend (0 SQLite, 1 PostgreSQL), query (0 = 5-minute view of a whole match,
// 1 = MomentumAsOf 1 + 5 + 15 min).
BENCHMARK(BM_Momentum)->Args({0, 0})->Args({1, 0})->Args({0, 1})->Args({1, 1})->Iterations(2000);

// Arg: 0 = from the files, 1 = from a SQLite store, 2 = from a PostgreSQL store.
void BM_SeasonBacktest(benchmark::State& state) {
  const int source = static_cast<int>(state.range(0));
  if (source == 2 && Postgres() == nullptr) return state.SkipWithError("no PostgreSQL");
  static std::unique_ptr<Store> stores[3];
  if (source > 0 && !stores[source]) {
    auto store = Store::Open(FreshUrl(source == 2 ? 1 : 0), Clock());
    if (!store.ok()) return state.SkipWithError("open failed");
    superbet::store::IngestSummary summary;
    if (!superbet::store::IngestFootballDataFile(**store, DataRoot() + "/football-data/E0_2324.csv",
                                                 summary)
             .ok()) {
      return state.SkipWithError("ingest failed");
    }
    stores[source] = std::move(*store);
  }
  superbet::backtest::EngineOptions options;
  const superbet::backtest::ModelStrategyOptions model;
  const superbet::backtest::RunLines needs =
      superbet::backtest::LinesOfRun(options, "favourite", model);
  for (auto _ : state) {
    auto data =
        source == 0
            ? superbet::backtest::LoadBacktestData(DataRoot(), "E0", {"2324"}, {"2324"},
                                                   fd::ParseMode::kLenient, needs)
            : superbet::cli::LoadBacktestDataFromStore(*stores[source], "E0", {"2324"}, {"2324"},
                                                       fd::ParseMode::kLenient, needs);
    if (!data.ok()) return state.SkipWithError(std::string(data.status().message()).c_str());
    superbet::backtest::FavouriteStrategy favourite;
    auto report = superbet::backtest::RunBacktest(data->fixtures, data->lines, favourite, options);
    if (!report.ok()) return state.SkipWithError("backtest failed");
    benchmark::DoNotOptimize(report);
  }
}
BENCHMARK(BM_SeasonBacktest)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
