// Dixon–Coles fitting speed (issue 16 targets).
//
//   BM_DixonColesFit380        one cold fit on the 380 matches of E0 2015/16, as of the day after
//                              the last one, xi = 0.0018 (target <= 1 ms);
//   BM_DixonColesWalkForward   walk-forward over E0 2015/16 ... 2024/25: one fit per match date on
//                              the previous two seasons plus the current season's matches before
//                              that date, xi = 0.0018, each fit warm-started from the previous
//                              one (target <= 2 s; penaltyblog 1.9 takes 41.7 s for the same
//                              1,138 fits on this machine, issue 16);
//   BM_DixonColesWalkForwardCold  the same with every fit cold;
//   BM_DixonColesWalkForwardTable the same windows as row ranges of one MatchTable (the form
//                              ModelStrategy and TeamModel use), warm-started.
// Every fit copies nothing but its window's sufficient statistics.
// The CSV files are parsed once, outside the timed loop.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/ratings/dixon_coles.h"
#include "superbet/ratings/match_results.h"
#include "superbet/ratings/match_table.h"

namespace {

namespace fd = superbet::providers::football_data;
namespace rt = superbet::ratings;

std::string DataRoot() {
  if (const char* env = std::getenv("SUPERBET_DATA"); env != nullptr && *env != '\0') return env;
  return std::string(SUPERBET_SOURCE_DIR) + "/../shared/data";
}

struct Season {
  std::vector<rt::MatchResult> matches;  // Kickoff order.
};

std::vector<rt::MatchResult> LoadSeason(int start_year) {
  const std::string code = absl::StrFormat("%02d%02d", start_year % 100, (start_year + 1) % 100);
  auto s =
      fd::LoadSeasonFile(DataRoot() + "/football-data/E0_" + code + ".csv", fd::ParseMode::kStrict);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
    std::exit(1);
  }
  std::vector<rt::MatchResult> out = rt::FinishedMatches(s->fixtures);
  std::stable_sort(out.begin(), out.end(), [](const rt::MatchResult& a, const rt::MatchResult& b) {
    return a.kickoff < b.kickoff;
  });
  return out;
}

const std::vector<std::vector<rt::MatchResult>>& Seasons() {  // 2013/14 ... 2024/25
  static const auto* seasons = [] {
    auto* s = new std::vector<std::vector<rt::MatchResult>>();
    for (int y = 2013; y <= 2024; ++y) s->push_back(LoadSeason(y));
    return s;
  }();
  return *seasons;
}

absl::Time DayStart(absl::Time t) {
  return absl::FromCivil(absl::ToCivilDay(t, absl::UTCTimeZone()), absl::UTCTimeZone());
}

void BM_DixonColesFit380(benchmark::State& state) {
  const std::vector<rt::MatchResult>& season = Seasons()[2];  // 2015/16
  const absl::Time as_of = DayStart(season.back().kickoff) + absl::Hours(24);
  rt::DixonColesOptions o;
  o.xi_per_day = 0.0018;
  int iterations = 0;
  for (auto _ : state) {
    auto m = rt::DixonColesModel::Fit(season, as_of, o);
    if (!m.ok()) {
      state.SkipWithError(std::string(m.status().message()).c_str());
      return;
    }
    iterations = m->iterations();
    benchmark::DoNotOptimize(m->rho());
  }
  state.counters["iterations"] = iterations;
}
BENCHMARK(BM_DixonColesFit380)->Unit(benchmark::kMicrosecond);

// One walk-forward pass; returns the number of fits (failed fits are counted in `failed`).
int WalkForward(bool warm, int& failed, long& iterations) {
  const auto& seasons = Seasons();
  rt::DixonColesOptions o;
  o.xi_per_day = 0.0018;
  int fits = 0;
  failed = 0;
  iterations = 0;
  std::optional<rt::DixonColesModel> previous;
  std::vector<rt::MatchResult> window;
  for (size_t s = 2; s < seasons.size(); ++s) {
    const std::vector<rt::MatchResult>& current = seasons[s];
    size_t i = 0;
    while (i < current.size()) {
      const absl::Time day = DayStart(current[i].kickoff);
      window.clear();
      window.insert(window.end(), seasons[s - 2].begin(), seasons[s - 2].end());
      window.insert(window.end(), seasons[s - 1].begin(), seasons[s - 1].end());
      for (size_t k = 0; k < i; ++k) window.push_back(current[k]);
      absl::StatusOr<rt::DixonColesModel> m =
          warm && previous ? rt::DixonColesModel::Fit(window, day, o, *previous)
                           : rt::DixonColesModel::Fit(window, day, o);
      ++fits;
      if (m.ok()) {
        iterations += m->iterations();
        previous = std::move(*m);
      } else {
        ++failed;
      }
      while (i < current.size() && DayStart(current[i].kickoff) == day) ++i;
    }
  }
  return fits;
}

// The same walk-forward on one MatchTable of all seasons (the library's walk-forward form:
// DixonColesModel::Fit on a row range, no team name hashed per fit), warm-started.
int WalkForwardTable(int& failed, long& iterations) {
  const auto& seasons = Seasons();
  static const auto* table = [&] {
    std::vector<rt::MatchResult> all;
    for (const auto& s : seasons) all.insert(all.end(), s.begin(), s.end());
    auto t = rt::MatchTable::FromResults(all);
    if (!t.ok()) std::exit(1);
    return new rt::MatchTable(*std::move(t));
  }();
  rt::DixonColesOptions o;
  o.xi_per_day = 0.0018;
  int fits = 0;
  failed = 0;
  iterations = 0;
  std::optional<rt::DixonColesModel> previous;
  for (size_t s = 2; s < seasons.size(); ++s) {
    const size_t first = table->LowerBound(DayStart(seasons[s - 2].front().kickoff));
    const std::vector<rt::MatchResult>& current = seasons[s];
    size_t i = 0;
    while (i < current.size()) {
      const absl::Time day = DayStart(current[i].kickoff);
      auto m = rt::DixonColesModel::Fit(*table, first, table->LowerBound(day), day, o,
                                        previous ? &*previous : nullptr);
      ++fits;
      if (m.ok()) {
        iterations += m->iterations();
        previous = std::move(*m);
      } else {
        ++failed;
      }
      while (i < current.size() && DayStart(current[i].kickoff) == day) ++i;
    }
  }
  return fits;
}

void BM_DixonColesWalkForwardTable(benchmark::State& state) {
  int fits = 0, failed = 0;
  long iterations = 0;
  for (auto _ : state) fits = WalkForwardTable(failed, iterations);
  state.counters["fits"] = fits;
  state.counters["failed_fits"] = failed;
  state.counters["iterations"] = static_cast<double>(iterations);
}
BENCHMARK(BM_DixonColesWalkForwardTable)->Unit(benchmark::kMillisecond)->Iterations(1);

void WalkForwardBench(benchmark::State& state, bool warm) {
  int fits = 0, failed = 0;
  long iterations = 0;
  for (auto _ : state) fits = WalkForward(warm, failed, iterations);
  state.counters["fits"] = fits;
  state.counters["failed_fits"] = failed;
  state.counters["iterations"] = static_cast<double>(iterations);
}

void BM_DixonColesWalkForward(benchmark::State& state) { WalkForwardBench(state, true); }
void BM_DixonColesWalkForwardCold(benchmark::State& state) { WalkForwardBench(state, false); }
BENCHMARK(BM_DixonColesWalkForward)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_DixonColesWalkForwardCold)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
