// Test helper: the results columns of a football-data.co.uk E0 file (Date, HomeTeam, AwayTeam,
// FTHG, FTAG, HST, AST), read by a minimal reader independent of the providers module on purpose
// (no quoted fields in these files). Kickoffs are 00:00 UTC of the date; rows kept in file order.

#ifndef SUPERBET_TESTS_RATINGS_E0_RESULTS_H_
#define SUPERBET_TESTS_RATINGS_E0_RESULTS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "superbet/ratings/match_table.h"
#include "support/test_data.h"

namespace superbet::ratings::testing {

inline std::vector<MatchResult> LoadE0(const std::string& file) {
  const std::string text = superbet::testing::ReadFileOrEmpty(superbet::testing::DataPath(file));
  std::vector<MatchResult> out;
  std::map<std::string, int> col;
  bool header = true;
  for (absl::string_view line : absl::StrSplit(text, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (header) {
      for (size_t i = 0; i < f.size(); ++i) col[f[i]] = static_cast<int>(i);
      header = false;
      continue;
    }
    if (f.size() < 6 || f[col["HomeTeam"]].empty()) continue;
    MatchResult m;
    m.home = f[col["HomeTeam"]];
    m.away = f[col["AwayTeam"]];
    if (!absl::SimpleAtoi(f[col["FTHG"]], &m.home_goals) ||
        !absl::SimpleAtoi(f[col["FTAG"]], &m.away_goals)) {
      continue;
    }
    int hst = 0, ast = 0;
    if (col.count("HST") && absl::SimpleAtoi(f[col["HST"]], &hst) &&
        absl::SimpleAtoi(f[col["AST"]], &ast)) {
      m.home_shots_on_target = hst;
      m.away_shots_on_target = ast;
    }
    std::vector<std::string> dmy = absl::StrSplit(f[col["Date"]], '/');
    int d = 0, mo = 0, y = 0;
    if (dmy.size() != 3 || !absl::SimpleAtoi(dmy[0], &d) || !absl::SimpleAtoi(dmy[1], &mo) ||
        !absl::SimpleAtoi(dmy[2], &y)) {
      continue;
    }
    m.kickoff = absl::FromCivil(absl::CivilDay(y < 100 ? 2000 + y : y, mo, d), absl::UTCTimeZone());
    out.push_back(m);
  }
  return out;
}

}  // namespace superbet::ratings::testing

#endif  // SUPERBET_TESTS_RATINGS_E0_RESULTS_H_
