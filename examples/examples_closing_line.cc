// Example: how sharp is the closing line?
//
// Loads one football-data.co.uk season, removes the margin from Pinnacle's closing 1X2 prices with
// Shin's method, and compares each outcome's Bet365 opening price with that "fair" probability:
// it lists the opening prices whose expected value against the close was highest.
//
//   example_closing_line PATH/TO/E0_1516.csv [top_n]
//
// Shows: LoadSeasonFile (lenient mode, rejected rows counted), BettingLine lookup by bookmaker,
// RemoveMarginShin, ExpectedValue; every error is an absl::Status printed with its message.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "superbet/odds/kelly.h"
#include "superbet/odds/margin.h"
#include "superbet/providers/football_data/football_data.h"

namespace fd = superbet::providers::football_data;
using superbet::v1::BettingLine;

namespace {

struct Prices {
  double open[3] = {0, 0, 0};   // Bet365 opening: home, draw, away.
  double close[3] = {0, 0, 0};  // Pinnacle closing.
};

int Index(superbet::v1::Selection s) {
  switch (s) {
    case superbet::v1::SELECTION_HOME: return 0;
    case superbet::v1::SELECTION_DRAW: return 1;
    case superbet::v1::SELECTION_AWAY: return 2;
    default: return -1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PATH/TO/E0_1516.csv [top_n]\n", argv[0]);
    return 2;
  }
  const int top_n = argc > 2 ? std::atoi(argv[2]) : 5;
  auto season = fd::LoadSeasonFile(argv[1], fd::ParseMode::kLenient);
  if (!season.ok()) {
    std::fprintf(stderr, "%s\n", season.status().ToString().c_str());
    return 1;
  }
  std::map<std::string, Prices> by_fixture;
  for (const BettingLine& line : season->lines) {
    const int i = Index(line.selection());
    if (line.market() != superbet::v1::MARKET_1X2 || i < 0) continue;
    Prices& p = by_fixture[line.fixture_id()];
    if (line.bookmaker() == "Bet365" && !line.is_closing()) p.open[i] = line.decimal_odds();
    if (line.bookmaker() == "Pinnacle" && line.is_closing()) p.close[i] = line.decimal_odds();
  }
  struct Pick { double ev; std::string fixture; int outcome; double odds; };
  std::vector<Pick> picks;
  for (const auto& [id, p] : by_fixture) {
    auto fair = superbet::odds::RemoveMarginShin(p.close);
    if (!fair.ok()) continue;  // No Pinnacle close for this match (older seasons).
    for (int i = 0; i < 3; ++i) {
      auto ev = superbet::odds::ExpectedValue((*fair)[i], p.open[i]);
      if (ev.ok()) picks.push_back({*ev, id, i, p.open[i]});
    }
  }
  std::sort(picks.begin(), picks.end(), [](const Pick& a, const Pick& b) { return a.ev > b.ev; });
  std::printf("%s %s: %d fixtures, %zu priced outcomes, %d rows rejected\n",
              season->league.c_str(), season->season_label.c_str(), season->stats.fixtures,
              picks.size(), season->stats.rows_rejected);
  const char* names[] = {"home", "draw", "away"};
  for (int k = 0; k < top_n && k < static_cast<int>(picks.size()); ++k) {
    std::printf("  EV %+.3f  %-5s @ %.2f  %s\n", picks[k].ev, names[picks[k].outcome],
                picks[k].odds, picks[k].fixture.c_str());
  }
  return 0;
}
