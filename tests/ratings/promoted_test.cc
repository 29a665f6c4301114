// Promoted-side priors on the real E0 / E1 files.
// Oracles: the set of promoted sides read by hand from the files (E0 2015/16's newcomers are
// Bournemouth, Watford and Norwich, the top three of E1 2014/15); walk-forward by construction
// (a season's priors do not change when later seasons are added); direction: promoted sides are
// weaker than the top division's average side (attack below 0, defensive weakness above 0), the
// finding of every study of promoted teams (e.g. Goddard & Asimakopoulos 2004, J. Forecasting 23).

#include "superbet/ratings/promoted.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "e0_results.h"

namespace superbet::ratings {
namespace {

std::vector<DivisionSeason> Load(const char* league, int from, int to) {
  std::vector<DivisionSeason> out;
  for (int y = from; y <= to; ++y) {
    char file[64], label[16];
    std::snprintf(file, sizeof file, "football-data/%s_%02d%02d.csv", league, y % 100,
                  (y + 1) % 100);
    std::snprintf(label, sizeof label, "%d/%02d", y, (y + 1) % 100);
    out.push_back({label, testing::LoadE0(file)});
    REQUIRE(!out.back().matches.empty());
  }
  return out;
}

TEST_CASE("promoted sides of E0 get priors from the E1 link, walk-forward") {
  const std::vector<DivisionSeason> top = Load("E0", 2005, 2016);
  const std::vector<DivisionSeason> second = Load("E1", 2005, 2016);
  auto sides = PromotedPriors(top, second);
  REQUIRE(sides.ok());
  std::set<std::string> up_1516;
  int link = 0;
  double attack = 0, defence = 0;
  for (const PromotedSide& s : *sides) {
    if (s.season == "2015/16") up_1516.insert(s.team);
    if (s.source != PriorSource::kLink) continue;
    ++link;
    attack += s.prior.log_attack;
    defence += s.prior.log_defence;
    CHECK(s.link_pairs >= 6);
  }
  CHECK(up_1516 == std::set<std::string>{"Bournemouth", "Norwich", "Watford"});
  REQUIRE(link > 10);
  CHECK(attack / link < -0.1);
  CHECK(defence / link > 0.1);
  // Walk-forward: the 2010/11 priors are the same without the later seasons.
  auto shorter = PromotedPriors(absl::MakeConstSpan(top).subspan(0, 6),
                                absl::MakeConstSpan(second).subspan(0, 6));
  REQUIRE(shorter.ok());
  for (const PromotedSide& s : *shorter) {
    if (s.season != "2010/11") continue;
    bool found = false;
    for (const PromotedSide& t : *sides) {
      if (t.season == s.season && t.team == s.team) {
        found = true;
        CHECK(t.prior.log_attack == s.prior.log_attack);
        CHECK(t.prior.log_defence == s.prior.log_defence);
      }
    }
    CHECK(found);
  }
  // Without the second tier: the promoted-mean fallback only.
  auto no_second = PromotedPriors(top, {});
  REQUIRE(no_second.ok());
  for (const PromotedSide& s : *no_second) CHECK(s.source != PriorSource::kLink);
}

}  // namespace
}  // namespace superbet::ratings
