#include "cli/load_rejections.h"

#include <string>

namespace superbet::cli {

void PrintLoadRejections(const backtest::BacktestData& data, bool strict, std::FILE* out,
                         const char* command) {
  for (const std::string& file : data.empty_files) {
    std::fprintf(stderr, "superbet %s: warning: %s has no match (header only?)\n", command,
                 file.c_str());
  }
  if (strict) {
    std::fprintf(out, "strict mode: no row, price or statistics cell rejected\n");
    return;
  }
  std::fprintf(out,
               "rejected (lenient mode): %d row(s) skipped (%d duplicate), %d bad price(s) "
               "dropped, %d bad statistics cell(s) dropped\n",
               data.rows_rejected, data.duplicates_rejected, data.prices_rejected,
               data.cells_rejected);
  for (const std::string& r : data.rejections_shown)
    std::fprintf(stderr, "  rejected: %s\n", r.c_str());
  const int total = data.rows_rejected + data.prices_rejected + data.cells_rejected;
  if (total > static_cast<int>(data.rejections_shown.size())) {
    std::fprintf(stderr, "  ... and %d more (all counted above)\n",
                 total - static_cast<int>(data.rejections_shown.size()));
  }
}

}  // namespace superbet::cli
