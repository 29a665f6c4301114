// libFuzzer target: ParseSeasonCsv (and the CSV reader under it) on arbitrary bytes, in both
// modes. It must never crash, hang or read out of bounds; errors are fine. Seed corpus: the real
// files in ../shared/data/football-data. Invariants checked: every produced price is > 1 and every
// line belongs to a produced fixture position (lines exist only when fixtures do).

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "superbet/providers/football_data/football_data.h"

namespace fd = superbet::providers::football_data;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (fd::ParseMode mode : {fd::ParseMode::kStrict, fd::ParseMode::kLenient}) {
    fd::ParseOptions options;
    options.mode = mode;
    options.source_name = "fuzz.csv";
    options.league = "E0";
    options.season_code = "1516";
    auto season = fd::ParseSeasonCsv(bytes, options);
    if (!season.ok()) continue;
    for (const auto& line : season->lines) {
      if (!(line.decimal_odds() > 1.0)) std::abort();
    }
    if (!season->lines.empty() && season->fixtures.empty()) std::abort();
    if (season->stats.fixtures != static_cast<int>(season->fixtures.size())) std::abort();
  }
  return 0;
}
