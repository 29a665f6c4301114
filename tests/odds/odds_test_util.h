// Test helper for tests/odds: the Bet365 1X2 prices of a football-data CSV, read with a plain
// split (the real CSV parser lives in the providers module). Fails the test when the file or a
// column is missing.

#ifndef SUPERBET_TESTS_ODDS_ODDS_TEST_UTIL_H_
#define SUPERBET_TESTS_ODDS_ODDS_TEST_UTIL_H_

#include <array>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "support/test_data.h"

namespace superbet::odds::testing {

// {B365H, B365D, B365A} for every match row of `relative` (under the data root).
inline std::vector<std::array<double, 3>> Bet365Prices(const std::string& relative) {
  const std::string text =
      superbet::testing::ReadFileOrEmpty(superbet::testing::DataPath(relative));
  REQUIRE_FALSE(text.empty());
  std::vector<std::array<double, 3>> out;
  std::array<int, 3> col = {-1, -1, -1};
  bool header = true;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    line = absl::StripSuffix(line, "\r");
    line = absl::StripPrefix(line, "\xEF\xBB\xBF");
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (header) {
      for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
        if (cells[i] == "B365H") col[0] = i;
        if (cells[i] == "B365D") col[1] = i;
        if (cells[i] == "B365A") col[2] = i;
      }
      REQUIRE(col[0] >= 0);
      REQUIRE(col[1] >= 0);
      REQUIRE(col[2] >= 0);
      header = false;
      continue;
    }
    std::array<double, 3> prices;
    for (int k = 0; k < 3; ++k) {
      REQUIRE(col[k] < static_cast<int>(cells.size()));
      prices[k] = std::strtod(cells[col[k]].c_str(), nullptr);
    }
    out.push_back(prices);
  }
  return out;
}

}  // namespace superbet::odds::testing

#endif  // SUPERBET_TESTS_ODDS_ODDS_TEST_UTIL_H_
