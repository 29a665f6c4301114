// One full-season backtest (E0 2015/16, 380 matches, Bet365 prices) per strategy and with all
// three strategies in a row. The CSV files are parsed once, outside the timed loop.
//
//   BM_Season/favourite, /home, /model   one strategy over the season alone (the model has no
//                                        earlier history, so it starts fitting after its
//                                        190-match warm-up, i.e. at mid-season);
//   BM_SeasonAllThree                    favourite + home + model (Kelly), the target
//                                        (<= 100 ms);
//   BM_SeasonAllThreeWithHistory         the same with 2014/15 replayed first (760 matches), so
//                                        the model refits on every match day of 2015/16.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "superbet/backtest/engine.h"
#include "superbet/backtest/strategies.h"
#include "superbet/providers/football_data/football_data.h"

namespace {

namespace bt = superbet::backtest;
namespace fd = superbet::providers::football_data;

struct Data {
  std::vector<superbet::v1::Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;
};

std::string DataRoot() {
  if (const char* env = std::getenv("SUPERBET_DATA"); env != nullptr && *env != '\0') return env;
  return std::string(SUPERBET_SOURCE_DIR) + "/../shared/data";
}

Data Load(const std::vector<std::string>& codes) {
  Data d;
  for (const std::string& code : codes) {
    auto s = fd::LoadSeasonFile(DataRoot() + "/football-data/E0_" + code + ".csv",
                                fd::ParseMode::kStrict);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      std::exit(1);
    }
    d.fixtures.insert(d.fixtures.end(), s->fixtures.begin(), s->fixtures.end());
    d.lines.insert(d.lines.end(), s->lines.begin(), s->lines.end());
  }
  return d;
}

const Data& Season() {
  static const Data* d = new Data(Load({"1516"}));
  return *d;
}

const Data& TwoSeasons() {
  static const Data* d = new Data(Load({"1415", "1516"}));
  return *d;
}

int64_t RunOne(const Data& d, const std::string& name, benchmark::State& state) {
  auto strategy = bt::MakeStrategy(name, {});
  bt::EngineOptions o;
  o.staking = name == "model" ? bt::Staking::kKelly : bt::Staking::kFlat;
  auto report = bt::RunBacktest(d.fixtures, d.lines, **strategy, o);
  if (!report.ok()) {
    state.SkipWithError(report.status().ToString().c_str());
    return 0;
  }
  return report->overall.bets;
}

void BM_Season(benchmark::State& state, const char* name) {
  const Data& d = Season();
  int64_t bets = 0;
  for (auto _ : state) bets = RunOne(d, name, state);
  state.counters["bets"] = static_cast<double>(bets);
  state.counters["matches/s"] =
      benchmark::Counter(380.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(BM_Season, favourite, "favourite")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Season, home, "home")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Season, model, "model")->Unit(benchmark::kMillisecond);

void BM_SeasonAllThree(benchmark::State& state) {
  const Data& d = Season();
  for (auto _ : state) {
    for (const char* name : {"favourite", "home", "model"}) RunOne(d, name, state);
  }
}
BENCHMARK(BM_SeasonAllThree)->Unit(benchmark::kMillisecond);

void BM_SeasonAllThreeWithHistory(benchmark::State& state) {
  const Data& d = TwoSeasons();
  for (auto _ : state) {
    for (const char* name : {"favourite", "home", "model"}) RunOne(d, name, state);
  }
}
BENCHMARK(BM_SeasonAllThreeWithHistory)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
