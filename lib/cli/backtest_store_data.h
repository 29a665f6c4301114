// `superbet backtest --store URL`: the data of a backtest run read from the store that
// `superbet ingest` filled, instead of the season files, giving the same BacktestData (and so
// the same report, byte for byte) as LoadBacktestData over the files that were ingested.

#ifndef SUPERBET_LIB_CLI_BACKTEST_STORE_DATA_H_
#define SUPERBET_LIB_CLI_BACKTEST_STORE_DATA_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "superbet/backtest/backtest_data.h"
#include "superbet/store/store.h"

namespace superbet::cli {

// The season codes of `league` whose football-data files were ingested, chronological (as
// football_data::FindSeasons orders files). Errors: NotFound when there is none; the store's.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> StoreSeasons(store::Store& store,
                                                                    const std::string& league);

// As LoadBacktestData (superbet/backtest/backtest_data.h) with the store in place of <root>/football-data:
// the fixtures of each file in file order (stably sorted by kickoff per season), the prices the
// run reads in file order, and the file's recorded parse counts and first rejections. Strict
// mode fails on a file whose ingest rejected anything, naming its first rejection.
// Errors: NotFound naming a season file that is not in the store; the store's errors.
[[nodiscard]] absl::StatusOr<backtest::BacktestData> LoadBacktestDataFromStore(
    store::Store& store, const std::string& league, const std::vector<std::string>& codes,
    const std::vector<std::string>& selected, providers::football_data::ParseMode mode,
    const backtest::RunLines& needs);

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_BACKTEST_STORE_DATA_H_
