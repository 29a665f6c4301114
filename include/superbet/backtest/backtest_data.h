// The data of one backtest run (RunBacktest, superbet/backtest/engine.h; `superbet backtest`):
// the football-data seasons it replays and the part of their prices it can use, read row by row.
// Also the season loader of the pre-match worker's training (superbet/hrl/train_prematch.h).
//
// Memory: a season file is parsed row by row (football_data::StreamSeasonFile); every fixture is
// kept, but of each row's BettingLines only those the run reads (RunLines below), so a run holds
// the fixtures plus about 10 lines per match instead of every price of the file (E0_2425.csv: 90
// prices per row). The files: football-data.co.uk's season CSVs (notes.txt there
// names the columns); the parser is superbet/providers/football_data/football_data.h.
//
// Thread-safety: free functions without shared state (LoadBacktestData's `threads` parse files
// concurrently into separate buffers).

#ifndef SUPERBET_BACKTEST_BACKTEST_DATA_H_
#define SUPERBET_BACKTEST_BACKTEST_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "superbet/backtest/engine.h"
#include "superbet/backtest/strategies.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/v1/model.pb.h"

namespace superbet::backtest {

// The BettingLines a run reads; every other line is dropped as the files are parsed. A line is
// read when it is not live and it is
//   * a pre-match (is_closing = false) line of `odds_bookmaker`, any market: the 1X2 prices bet
//     at and MatchView::lines (backtest/strategy.h), for the strategy and both baselines;
//   * a closing 1X2 line of `closing_bookmaker`: the closing-line value (backtest/engine.h);
//   * a pre-match 1X2 line of Pinnacle (`pinnacle_1x2`) or of "market_average" (`average_1x2`):
//     the model strategy's market input (MarketInput kPinnacle / kSharp, backtest/strategies.h);
//   * with `all_closing_1x2` (--emit-predictions), a closing 1X2 line of any bookmaker: the
//     evaluations of the emitted lines' VSNR (`superbet backtest --emit-predictions`); the engine
//     ignores them.
// These are exactly the lines RunBacktest and ModelStrategy look at, so a report made from the
// kept lines is the report made from all of them.
struct RunLines {
  std::string odds_bookmaker;     // OddsSourceBookmaker(odds_source): "Bet365", ...
  std::string closing_bookmaker;  // ClosingBookmaker(clv_closing_source, odds_source).
  bool pinnacle_1x2 = false;
  bool average_1x2 = false;
  // Every 1X2 and over/under 2.5 line, pre-match and closing, of Pinnacle, market_average, Bet365
  // and Gamebookers: `superbet forecast`'s market-implied goals (ratings/implied_goals.h).
  bool market_goals = false;
  bool all_closing_1x2 = false;
  // Keep Fixture::statistics (shots, corners, cards: read by the hrl strategy's features and by
  // `superbet forecast --model-kind shots`). False drops them as the files are parsed: the
  // favourite, home and model strategies never read them (the engine hides them from a strategy's
  // view of the match, and ModelStrategy builds its table from goals only), and their thousands of
  // small map entries were a tenth of the main job's time to build and free.
  bool statistics = true;
};

// The lines (and statistics) read by a run of `strategy` ("model", "favourite", "home", "hrl";
// ASCII case ignored; statistics are kept for any strategy but the first three) with
// `options` (the strategy's options; the baselines' share their odds_source and
// clv_closing_source) and, for the model strategy, `model`.
RunLines LinesOfRun(const backtest::EngineOptions& options, absl::string_view strategy,
                    const backtest::ModelStrategyOptions& model);

// True when a run with `needs` reads `line` (see RunLines).
bool ReadByRun(const superbet::v1::BettingLine& line, const RunLines& needs);

// How many rejections LoadBacktestData keeps as text for the user (all are counted).
inline constexpr size_t kMaxRejectionsShown = 20;

struct BacktestData {
  std::vector<std::string> seasons;          // Codes bet and reported.
  std::vector<std::string> history_seasons;  // Codes loaded only as history (not bet).
  std::vector<std::string> bet_labels;       // Fixture.season of `seasons` ("2015/16").
  // Every fixture, seasons in order, each season stably sorted by kickoff (the engine replays in
  // kickoff order anyway, ties in input order, so reports are unchanged; in that order the
  // engine can use the fixtures as the strategy's history without copying them).
  std::vector<superbet::v1::Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;  // The lines ReadByRun keeps, file order.
  int rows_rejected = 0;  // Malformed, cut-off or duplicate rows skipped (lenient), all files.
  int duplicates_rejected = 0;  // Of rows_rejected: repeats of an earlier row's fixture.
  int prices_rejected = 0;      // Bad prices dropped (lenient mode), all files.
  int cells_rejected = 0;       // Bad statistics cells dropped, fixture kept (lenient mode).
  // The first kMaxRejectionsShown rejections of every kind, "E0_2425.csv:6: column ...: reason".
  std::vector<std::string> rejections_shown;
  // Files that held no match (header only): loaded, not fatal; the caller tells the user.
  std::vector<std::string> empty_files;
  int64_t lines_parsed = 0;   // BettingLines the files produced (ParseStats::lines, all files).
  int64_t lines_dropped = 0;  // Of those, not read by the run (lines_parsed - lines.size()).
};

// Loads <root>/football-data/<league>_<code>.csv for `codes` (chronological order), betting the
// ones in `selected` (every one when `selected` is empty) and keeping the others as history; of
// the prices, only the lines ReadByRun(line, needs) accepts are kept.
// A fixture an earlier file already held (same id: league, date, home, away), e.g. a season file
// copied under another name, is rejected and counted as a duplicate (lenient) or an error naming
// both files (strict), so no match is counted twice.
// `threads` >= 2 parses up to that many files at once (each into its own buffers, merged in
// `codes` order: the result, the errors and the messages are those of threads = 1, which streams
// one file at a time and keeps less in memory).
// A file without any match (header only) is named in BacktestData::empty_files (nothing is
// printed: the caller reports it).
// Errors: NotFound naming a missing file; in strict mode the first parse error
// (football_data::StreamSeasonFile), "E0_1516.csv:17: column FTHG: ...".
[[nodiscard]] absl::StatusOr<BacktestData> LoadBacktestData(
    const std::string& root, const std::string& league, const std::vector<std::string>& codes,
    const std::vector<std::string>& selected, providers::football_data::ParseMode mode,
    const RunLines& needs, int threads = 1);

}  // namespace superbet::backtest

#endif  // SUPERBET_BACKTEST_BACKTEST_DATA_H_
