// What loading football-data seasons rejected, printed the same way by every command that loads
// them (backtest, forecast, train): the counts of superbet/backtest/backtest_data.h and the first
// rejections with their file:line, column and value.

#ifndef SUPERBET_LIB_CLI_LOAD_REJECTIONS_H_
#define SUPERBET_LIB_CLI_LOAD_REJECTIONS_H_

#include <cstdio>

#include "superbet/backtest/backtest_data.h"

namespace superbet::cli {

// First, on stderr, "superbet <command>: warning: <file> has no match (header only?)" for each of
// `data.empty_files`. Then, lenient mode: one line on `out` with the rows skipped (of which
// duplicates), bad prices and bad statistics cells dropped, then each rejection kept in
// `data.rejections_shown` on stderr
// ("  rejected: E0_1516.csv:11: column FTHG: ..."), and how many more were counted but not shown.
// Strict mode: one line on `out` saying nothing was rejected (a bad row fails the load instead).
void PrintLoadRejections(const backtest::BacktestData& data, bool strict, std::FILE* out,
                         const char* command);

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_LOAD_REJECTIONS_H_
