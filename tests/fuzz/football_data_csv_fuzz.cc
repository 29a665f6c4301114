// libFuzzer target: ParseSeasonCsv (and the CSV reader under it) on arbitrary bytes, in both
// modes. It must never crash, hang or read out of bounds; errors are fine. Seed corpus: the real
// files in ../shared/data/football-data plus the malformed inputs of the issue-12 tests in
// tests/fuzz/seeds/football_data_csv_fuzz/ (stray quote, 1e308 price, duplicate rows, a row cut
// off mid-price, a short row, Attendance "12,345", a Windows-1252 referee).
// Invariants checked: every produced price is in (1, kMaxDecimalOdds]; lines exist only when
// fixtures do; fixture ids are unique (duplicates are rejected); every string of every fixture
// is valid UTF-8 (Windows-1252 input is decoded); the counters match the vectors.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "superbet/model/decimal_odds.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/providers/football_data/text_encoding.h"

namespace fd = superbet::providers::football_data;

namespace {

void CheckFixtures(const fd::SeasonData& season) {
  absl::flat_hash_set<std::string> ids;
  for (const auto& f : season.fixtures) {
    if (!ids.insert(f.id()).second) std::abort();
    for (const std::string* s :
         {&f.id(), &f.home().name(), &f.away().name(), &f.referee(), &f.competition()}) {
      if (!fd::IsValidUtf8(*s)) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (fd::ParseMode mode : {fd::ParseMode::kStrict, fd::ParseMode::kLenient}) {
    fd::ParseOptions options;
    options.mode = mode;
    options.source_name = "fuzz.csv";
    options.league = mode == fd::ParseMode::kStrict ? "E0" : "";  // Lenient: Div from the row.
    options.season_code = "1516";
    auto season = fd::ParseSeasonCsv(bytes, options);
    if (!season.ok()) continue;
    for (const auto& line : season->lines) {
      if (!(line.decimal_odds() > 1.0)) std::abort();
      if (!(line.decimal_odds() <= superbet::model::kMaxDecimalOdds)) std::abort();
    }
    if (!season->lines.empty() && season->fixtures.empty()) std::abort();
    if (season->stats.fixtures != static_cast<int>(season->fixtures.size())) std::abort();
    if (season->stats.rows_rejected != static_cast<int>(season->rejected.size())) std::abort();
    if (season->stats.cells_rejected != static_cast<int>(season->rejected_cells.size())) {
      std::abort();
    }
    CheckFixtures(*season);
  }
  return 0;
}
