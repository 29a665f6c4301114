// Quick start 3: write your own strategy ("back the draw at 3.40 or more") and backtest it
// beside the favourite and home baselines on a real season.   Run: quickstart_strategy [DATA_DIR]
#include <cstdio>
#include <string>

#include "superbet/backtest/engine.h"
#include "superbet/backtest/report.h"
#include "superbet/backtest/strategies.h"
#include "superbet/providers/football_data/football_data.h"

namespace bt = superbet::backtest;
namespace fd = superbet::providers::football_data;

class DrawAbove : public bt::Strategy {
 public:
  std::string name() const override { return "draw>=3.40"; }
  absl::StatusOr<bt::Decision> Decide(const bt::MatchView& match,
                                      absl::Span<const superbet::v1::Fixture>) override {
    bt::Decision d;  // No bet unless the draw is priced at 3.40 or more.
    if (match.decimal_odds[1] >= 3.40) {
      d.selection = superbet::v1::SELECTION_DRAW;
      d.probability = match.market_probabilities[1];
    }
    return d;
  }
};

int main(int argc, char** argv) {
  const std::string path =
      std::string(argc > 1 ? argv[1] : "../shared/data") + "/football-data/E0_2324.csv";
  auto season = fd::LoadSeasonFile(path, fd::ParseMode::kStrict);
  if (!season.ok()) return std::fprintf(stderr, "%s\n", season.status().ToString().c_str()), 1;
  DrawAbove draws;
  bt::FavouriteStrategy favourite;
  bt::HomeStrategy home;
  bt::Strategy* strategies[] = {&draws, &favourite, &home};
  auto reports = bt::RunBacktests(season->fixtures, season->lines, strategies, bt::EngineOptions{});
  if (!reports.ok()) return std::fprintf(stderr, "%s\n", reports.status().ToString().c_str()), 1;
  auto table = bt::FormatComparisonTable(*reports);
  if (!table.ok()) return std::fprintf(stderr, "%s\n", table.status().ToString().c_str()), 1;
  std::fputs(table->c_str(), stdout);
  return 0;
}
