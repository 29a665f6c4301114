#include "superbet/backtest/backtest_data.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "superbet/core/progress.h"
#include "superbet/core/status_macros.h"

namespace superbet::backtest {
namespace {

namespace fd = superbet::providers::football_data;
using superbet::v1::BettingLine;

bool Is1X2(const BettingLine& line) { return line.market() == superbet::v1::MARKET_1X2; }

// Appends the fixture and its lines that `needs` reads to `data`, unless an earlier file already
// held the same fixture (same league, date and teams: the same id): then strict mode fails and
// lenient mode rejects the row and counts it, so a season file copied under another name cannot
// double-count its matches.
// Returns whether the fixture was kept (false: a lenient duplicate); the caller then appends
// its lines.
absl::StatusOr<bool> KeepFixture(superbet::v1::Fixture& fixture, const std::string& file,
                                 fd::ParseMode mode,
                                 absl::flat_hash_map<std::string, std::string>& first_file,
                                 BacktestData& data) {
  auto [it, inserted] = first_file.try_emplace(fixture.id(), file);
  if (!inserted) {
    const std::string reason = absl::StrCat(file, ": duplicate fixture ", fixture.id(),
                                            ", already loaded from ", it->second);
    if (mode == fd::ParseMode::kStrict) return absl::InvalidArgumentError(reason);
    ++data.rows_rejected;
    ++data.duplicates_rejected;
    if (data.rejections_shown.size() < kMaxRejectionsShown) data.rejections_shown.push_back(reason);
    return false;
  }
  data.fixtures.push_back(std::move(fixture));  // The parser's copy (RowConsumer): no copy here.
  return true;
}

absl::Status Keep(superbet::v1::Fixture& fixture, absl::Span<BettingLine> lines,
                  const RunLines& needs, const std::string& file, fd::ParseMode mode,
                  absl::flat_hash_map<std::string, std::string>& first_file, BacktestData& data) {
  if (!needs.statistics) fixture.clear_statistics();
  SUPERBET_ASSIGN_OR_RETURN(const bool kept, KeepFixture(fixture, file, mode, first_file, data));
  if (!kept) return absl::OkStatus();
  for (BettingLine& line : lines) {  // The parser's copies (RowConsumer): moved, not copied.
    if (ReadByRun(line, needs)) data.lines.push_back(std::move(line));
  }
  return absl::OkStatus();
}

// The parser options of a run: only the columns ReadByRun keeps become BettingLines (ReadByRun
// reads a line's bookmaker, market, is_closing and is_live, all fixed per column), and statistics
// are stored only when the run reads them. Every price and cell is still validated and counted.
fd::ParseOptions RunParseOptions(fd::ParseMode mode, const RunLines& needs) {
  fd::ParseOptions options;
  options.mode = mode;
  options.build_line = [&needs](const BettingLine& column) { return ReadByRun(column, needs); };
  options.keep_statistics = needs.statistics;
  return options;
}

// One season file parsed on its own (LoadBacktestData with threads >= 2): its fixtures in file
// order and, per fixture, the lines the run reads.
struct ParsedFile {
  std::vector<superbet::v1::Fixture> fixtures;
  std::vector<BettingLine> lines;  // The kept lines of every fixture, file order.
  std::vector<size_t> lines_end;   // lines_end[k]: end of fixture k's lines in `lines`.
  absl::StatusOr<fd::SeasonData> season = absl::UnknownError("not parsed");
};

// Parses `paths` with up to `threads` threads (the caller's included), each file into its own
// ParsedFile: no state is shared between files, so the result does not depend on the schedule.
std::vector<ParsedFile> ParseFiles(const std::vector<std::string>& paths, fd::ParseMode mode,
                                   const RunLines& needs, int threads) {
  std::vector<ParsedFile> files(paths.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < paths.size(); i = next++) {
      ParsedFile& f = files[i];
      const fd::RowConsumer keep = [&f, &needs](superbet::v1::Fixture& fixture,
                                                absl::Span<BettingLine> lines) {
        if (!needs.statistics) fixture.clear_statistics();
        f.fixtures.push_back(std::move(fixture));
        for (BettingLine& line : lines) {
          if (ReadByRun(line, needs)) f.lines.push_back(std::move(line));
        }
        f.lines_end.push_back(f.lines.size());
        return absl::OkStatus();
      };
      f.season = fd::StreamSeasonFile(paths[i], RunParseOptions(mode, needs), keep);
    }
  };
  std::vector<std::thread> helpers;
  const size_t n = std::min(paths.size(), static_cast<size_t>(std::max(1, threads)));
  for (size_t t = 1; t < n; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  return files;
}

// Stably sorts fixtures[from..] by kickoff (seconds, then nanos).
void SortSeasonByKickoff(std::vector<superbet::v1::Fixture>& fixtures, size_t from) {
  std::stable_sort(fixtures.begin() + static_cast<std::ptrdiff_t>(from), fixtures.end(),
                   [](const superbet::v1::Fixture& a, const superbet::v1::Fixture& b) {
                     if (a.kickoff().seconds() != b.kickoff().seconds()) {
                       return a.kickoff().seconds() < b.kickoff().seconds();
                     }
                     return a.kickoff().nanos() < b.kickoff().nanos();
                   });
}

}  // namespace

RunLines LinesOfRun(const backtest::EngineOptions& options, absl::string_view strategy,
                    const backtest::ModelStrategyOptions& model) {
  RunLines needs;
  needs.odds_bookmaker = std::string(backtest::OddsSourceBookmaker(options.odds_source));
  needs.closing_bookmaker =
      backtest::ClosingBookmaker(options.clv_closing_source, options.odds_source);
  const std::string lower = absl::AsciiStrToLower(strategy);
  needs.statistics = lower != "model" && lower != "favourite" && lower != "home";
  if (lower == "model") {
    needs.pinnacle_1x2 = model.market_input != backtest::MarketInput::kOddsSource;
    needs.average_1x2 = model.market_input == backtest::MarketInput::kSharp;
    // The market kind's implied goals read past matches' 1X2 and over/under 2.5 prices of
    // Pinnacle, the market average and Bet365 (ModelStrategy::CollectMarketGoals).
    needs.market_goals = model.model_kind == ratings::ModelKind::kMarket;
    // The shots kind fits strengths on the history's shots on target (Fixture::statistics).
    needs.statistics = model.model_kind == ratings::ModelKind::kShots;
  }
  return needs;
}

bool ReadByRun(const BettingLine& line, const RunLines& needs) {
  if (line.is_live()) return false;
  if (needs.market_goals && (Is1X2(line) || line.market() == superbet::v1::MARKET_OVER_UNDER) &&
      (line.bookmaker() == "Pinnacle" || line.bookmaker() == "market_average" ||
       line.bookmaker() == "Bet365" || line.bookmaker() == "Gamebookers")) {
    return true;
  }
  if (line.is_closing()) {
    return Is1X2(line) && (needs.all_closing_1x2 || line.bookmaker() == needs.closing_bookmaker);
  }
  if (line.bookmaker() == needs.odds_bookmaker) return true;
  if (!Is1X2(line)) return false;
  return (needs.pinnacle_1x2 && line.bookmaker() == "Pinnacle") ||
         (needs.average_1x2 && line.bookmaker() == "market_average");
}

absl::StatusOr<BacktestData> LoadBacktestData(const std::string& root, const std::string& league,
                                              const std::vector<std::string>& codes,
                                              const std::vector<std::string>& selected,
                                              fd::ParseMode mode, const RunLines& needs,
                                              int threads) {
  BacktestData data;
  absl::flat_hash_map<std::string, std::string> first_file;  // Fixture id -> file that held it.
  std::string current_file;
  const fd::RowConsumer keep = [&](superbet::v1::Fixture& fixture, absl::Span<BettingLine> lines) {
    return Keep(fixture, lines, needs, current_file, mode, first_file, data);
  };
  std::vector<ParsedFile> parsed;  // threads >= 2: every file parsed first, merged below.
  if (threads >= 2 && codes.size() >= 2) {
    std::vector<std::string> paths;
    for (const std::string& code : codes) {
      paths.push_back(absl::StrCat(root, "/football-data/", league, "_", code, ".csv"));
    }
    parsed = ParseFiles(paths, mode, needs, threads);
  }
  core::ProgressBar bar(static_cast<int64_t>(codes.size()), "load");
  for (size_t c = 0; c < codes.size(); ++c) {
    const std::string& code = codes[c];
    const size_t season_start = data.fixtures.size();
    const std::string file = absl::StrCat(league, "_", code, ".csv");
    current_file = file;
    absl::StatusOr<fd::SeasonData> loaded;
    if (parsed.empty()) {
      loaded = fd::StreamSeasonFile(absl::StrCat(root, "/football-data/", file),
                                    RunParseOptions(mode, needs), keep);
    } else {
      // The rows the streamed read would have handed over, in the same order (those before a
      // parse error included): the first error in file order is the one returned, and the
      // duplicate check runs across files in that order.
      ParsedFile& p = parsed[c];
      size_t begin = 0;
      for (size_t k = 0; k < p.fixtures.size(); ++k) {
        SUPERBET_ASSIGN_OR_RETURN(const bool kept,
                                  KeepFixture(p.fixtures[k], file, mode, first_file, data));
        for (size_t i = begin; kept && i < p.lines_end[k]; ++i) {
          data.lines.push_back(std::move(p.lines[i]));
        }
        begin = p.lines_end[k];
      }
      loaded = std::move(p.season);
      p = ParsedFile{};  // Free the file's buffers as soon as they are merged.
    }
    SUPERBET_ASSIGN_OR_RETURN(fd::SeasonData s, std::move(loaded));
    if (s.stats.fixtures == 0) data.empty_files.push_back(file);
    const bool bet =
        selected.empty() || std::find(selected.begin(), selected.end(), code) != selected.end();
    (bet ? data.seasons : data.history_seasons).push_back(code);
    if (bet) data.bet_labels.push_back(s.season_label);
    data.rows_rejected += s.stats.rows_rejected;
    data.duplicates_rejected += s.stats.duplicates_rejected;
    data.prices_rejected += s.stats.prices_rejected;
    data.cells_rejected += s.stats.cells_rejected;
    for (const auto* list : {&s.rejected, &s.rejected_prices, &s.rejected_cells}) {
      for (const fd::RejectedRow& r : *list) {
        if (data.rejections_shown.size() >= kMaxRejectionsShown) break;
        data.rejections_shown.push_back(absl::StrCat(
            r.file, ":", r.line, r.column.empty() ? "" : ": column ", r.column, ": ", r.reason,
            r.value.empty() ? "" : " (got '", r.value, r.value.empty() ? "" : "')"));
      }
    }
    SortSeasonByKickoff(data.fixtures, season_start);
    data.lines_parsed += s.stats.lines;
    bar.Advance(1, file);
  }
  bar.Done();
  data.lines_dropped = data.lines_parsed - static_cast<int64_t>(data.lines.size());
  return data;
}

}  // namespace superbet::backtest
