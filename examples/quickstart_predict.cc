// Quick start 1: fit Dixon–Coles on two real seasons and price the last match day beside
// Bet365's prices with the margin removed.   Run: quickstart_predict [DATA_DIR]
#include <cstdio>
#include <string>
#include <vector>

#include "superbet/model/fixture.h"
#include "superbet/odds/margin.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/ratings/dixon_coles.h"
#include "superbet/ratings/match_results.h"

namespace fd = superbet::providers::football_data;
namespace model = superbet::model;

int main(int argc, char** argv) {
  const std::string dir = std::string(argc > 1 ? argv[1] : "../shared/data") + "/football-data/";
  std::vector<superbet::v1::Fixture> fixtures;
  std::vector<superbet::v1::BettingLine> lines;
  for (const char* file : {"E0_2324.csv", "E0_2425.csv"}) {
    auto season = fd::LoadSeasonFile(dir + file, fd::ParseMode::kStrict);
    if (!season.ok()) return std::fprintf(stderr, "%s\n", season.status().ToString().c_str()), 1;
    fixtures.insert(fixtures.end(), season->fixtures.begin(), season->fixtures.end());
    lines.insert(lines.end(), season->lines.begin(), season->lines.end());
  }
  const absl::Time last_day = *model::KickoffTime(fixtures.back());
  auto dc = superbet::ratings::DixonColesModel::Fit(
      superbet::ratings::FinishedMatches(fixtures, last_day), last_day);
  if (!dc.ok()) return std::fprintf(stderr, "%s\n", dc.status().ToString().c_str()), 1;
  for (const superbet::v1::Fixture& f : fixtures) {
    if (model::KickoffTime(f) != last_day) continue;
    auto p = dc->Predict(model::TeamKey(f.home()), model::TeamKey(f.away()));
    auto b365 = model::OneXTwoPrices(lines, f.id(), "Bet365", model::PriceTime::kPreMatch);
    if (!p.ok() || !b365) continue;
    auto fair = superbet::odds::RemoveMarginShin({b365->home(), b365->draw(), b365->away()});
    if (!fair.ok()) continue;
    std::printf("%-14s v %-14s model %.3f %.3f %.3f | Bet365 fair %.3f %.3f %.3f\n",
                f.home().name().c_str(), f.away().name().c_str(), p->home_win, p->draw,
                p->away_win, (*fair)[0], (*fair)[1], (*fair)[2]);
  }
  return 0;
}
