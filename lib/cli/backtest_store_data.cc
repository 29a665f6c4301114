#include "cli/backtest_store_data.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "superbet/core/progress.h"
#include "superbet/core/status_macros.h"

namespace superbet::cli {
namespace {

namespace fd = superbet::providers::football_data;

int SeasonStartYear(const std::string& code) {
  const int yy = code.size() >= 2 ? (code[0] - '0') * 10 + (code[1] - '0') : 0;
  return yy < 50 ? 2000 + yy : 1900 + yy;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> StoreSeasons(store::Store& store,
                                                      const std::string& league) {
  SUPERBET_ASSIGN_OR_RETURN(std::vector<store::SourceFileRecord> files,
                            store.SourceFiles("football-data"));
  std::vector<std::string> codes;
  for (const auto& f : files) {
    if (f.league == league && f.file == absl::StrCat(league, "_", f.season_code, ".csv")) {
      codes.push_back(f.season_code);
    }
  }
  if (codes.empty()) {
    return absl::NotFoundError(absl::StrCat("the store holds no football-data season of league ",
                                            league, " (run superbet ingest --store URL first)"));
  }
  std::stable_sort(codes.begin(), codes.end(), [](const std::string& a, const std::string& b) {
    return SeasonStartYear(a) < SeasonStartYear(b);
  });
  return codes;
}

absl::StatusOr<backtest::BacktestData> LoadBacktestDataFromStore(
    store::Store& store, const std::string& league, const std::vector<std::string>& codes,
    const std::vector<std::string>& selected, fd::ParseMode mode, const backtest::RunLines& needs) {
  SUPERBET_ASSIGN_OR_RETURN(std::vector<store::SourceFileRecord> files,
                            store.SourceFiles("football-data"));
  absl::flat_hash_map<std::string, const store::SourceFileRecord*> by_name;
  for (const auto& f : files) by_name[f.file] = &f;
  std::vector<std::string> bookmakers = {needs.odds_bookmaker, needs.closing_bookmaker};
  if (needs.pinnacle_1x2) bookmakers.push_back("Pinnacle");
  if (needs.average_1x2) bookmakers.push_back("market_average");
  if (needs.market_goals) {
    for (const char* b : {"Pinnacle", "market_average", "Bet365", "Gamebookers"}) {
      bookmakers.push_back(b);
    }
  }
  // Every bookmaker's closing price (--emit-predictions' VSNR evaluations): no filter by name;
  // ReadByRun still keeps only the lines the run reads.
  if (needs.all_closing_1x2) bookmakers.clear();

  backtest::BacktestData data;
  absl::flat_hash_map<std::string, std::string> first_file;
  core::ProgressBar bar(static_cast<int64_t>(codes.size()), "load");
  for (const std::string& code : codes) {
    const std::string file = absl::StrCat(league, "_", code, ".csv");
    auto it = by_name.find(file);
    if (it == by_name.end()) {
      return absl::NotFoundError(
          absl::StrCat(file, " is not in the store (ingest it with superbet ingest)"));
    }
    const store::SourceFileRecord& rec = *it->second;
    if (mode == fd::ParseMode::kStrict && !rec.rejections.empty()) {
      return absl::InvalidArgumentError(rec.rejections.front());
    }
    // One query: the fixtures in file order, each with its prices (file order) packed.
    SUPERBET_ASSIGN_OR_RETURN(
        store::FileContents contents,
        store.ReadFile(file, bookmakers, [&needs](const superbet::v1::BettingLine& l) {
          return backtest::ReadByRun(l, needs);
        }));
    const size_t season_start = data.fixtures.size();
    for (size_t i = 0; i < contents.fixtures.size(); ++i) {
      superbet::v1::Fixture& fixture = contents.fixtures[i];
      if (!needs.statistics) fixture.clear_statistics();  // As the files' loader does.
      auto [first, inserted] = first_file.try_emplace(fixture.id(), file);
      if (!inserted) {
        const std::string reason = absl::StrCat(file, ": duplicate fixture ", fixture.id(),
                                                ", already loaded from ", first->second);
        if (mode == fd::ParseMode::kStrict) return absl::InvalidArgumentError(reason);
        ++data.rows_rejected;
        ++data.duplicates_rejected;
        if (data.rejections_shown.size() < backtest::kMaxRejectionsShown) {
          data.rejections_shown.push_back(reason);
        }
        continue;
      }
      data.fixtures.push_back(std::move(fixture));
      for (size_t k = contents.line_begin[i]; k < contents.line_begin[i + 1]; ++k) {
        data.lines.push_back(std::move(contents.lines[k]));  // backtest::ReadByRun kept it (above).
      }
    }
    if (rec.fixtures == 0) data.empty_files.push_back(file);
    const bool bet =
        selected.empty() || std::find(selected.begin(), selected.end(), code) != selected.end();
    (bet ? data.seasons : data.history_seasons).push_back(code);
    if (bet) data.bet_labels.push_back(rec.season_label);
    data.rows_rejected += static_cast<int>(rec.rows_rejected);
    data.duplicates_rejected += static_cast<int>(rec.duplicates_rejected);
    data.prices_rejected += static_cast<int>(rec.prices_rejected);
    data.cells_rejected += static_cast<int>(rec.cells_rejected);
    for (const std::string& r : rec.rejections) {
      if (data.rejections_shown.size() >= backtest::kMaxRejectionsShown) break;
      data.rejections_shown.push_back(r);
    }
    std::stable_sort(data.fixtures.begin() + static_cast<std::ptrdiff_t>(season_start),
                     data.fixtures.end(),
                     [](const superbet::v1::Fixture& a, const superbet::v1::Fixture& b) {
                       if (a.kickoff().seconds() != b.kickoff().seconds()) {
                         return a.kickoff().seconds() < b.kickoff().seconds();
                       }
                       return a.kickoff().nanos() < b.kickoff().nanos();
                     });
    data.lines_parsed += rec.lines;
    bar.Advance(1, file);
  }
  bar.Done();
  data.lines_dropped = data.lines_parsed - static_cast<int64_t>(data.lines.size());
  return data;
}

}  // namespace superbet::cli
