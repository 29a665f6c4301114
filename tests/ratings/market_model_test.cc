// The market model of team_model.h: strengths fitted to past matches' market-implied goals.
// Oracles:
//  * closed form: on a synthetic league whose market goals are exactly
//    lambda_ij = exp(c + h + a_i + d_j), mu_ij = exp(c + a_j + d_i) for known strengths, the
//    plain quasi-likelihood fit (prior_sd 0, no decay, market_weight 1) must price every pair at
//    those exact means (the score equations are solved by the truth), whatever the goals were;
//  * an independent implementation: with market_weight 0 the market kind is the dixon-coles kind
//    (itself checked against DixonColesModel in team_model_test.cc), to the last bit;
//  * no look-ahead, by construction of the input: replacing the goals AND the market goals of
//    every match on or after the forecast date by absurd ones changes no forecast, bit for bit.

#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "e0_results.h"
#include "superbet/ratings/team_model.h"

namespace superbet::ratings {
namespace {

using testing::LoadE0;

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

MatchTable Table(const std::vector<MatchResult>& ms) {
  auto t = MatchTable::FromResults(ms);
  REQUIRE(t.ok());
  return *std::move(t);
}

// Deterministic stand-in market goals for a real match (not prices: the tests below need only
// values that differ from the goals and between matches).
void AddMarketGoals(MatchResult& m, int i) {
  m.market_home_goals = 0.6 + 0.45 * m.home_goals + 0.1 * (i % 7);
  m.market_away_goals = 0.5 + 0.4 * m.away_goals + 0.05 * (i % 5);
}

TEST_CASE("market model recovers the strengths its market goals were made from") {
  const int teams = 20;
  const double c = std::log(1.15), h = std::log(1.3);
  std::vector<double> a(teams), d(teams);
  for (int i = 0; i < teams; ++i) {  // Centred, distinct strengths.
    a[i] = 0.04 * (i - 9.5);
    d[i] = 0.03 * ((i * 7) % teams - 9.5);
  }
  std::vector<MatchResult> ms;
  absl::Time t = Day(2020, 8, 1);
  for (int i = 0; i < teams; ++i) {
    for (int j = 0; j < teams; ++j) {
      if (i == j) continue;
      MatchResult m;
      m.home = absl::StrCat("T", i);
      m.away = absl::StrCat("T", j);
      m.home_goals = (i + 2 * j) % 4;  // Goals unrelated to the strengths.
      m.away_goals = (3 * i + j) % 3;
      m.market_home_goals = std::exp(c + h + a[i] + d[j]);
      m.market_away_goals = std::exp(c + a[j] + d[i]);
      m.kickoff = t;
      t += absl::Hours(6);
      ms.push_back(m);
    }
  }
  TeamModelOptions o;
  o.prior_sd = 0;
  o.xi_per_day = 0;
  o.market_weight = 1;
  o.max_goals = 20;
  auto model = MakeTeamModel(ModelKind::kMarket, o);
  REQUIRE(model.ok());
  REQUIRE((*model)->FitBefore(Table(ms), t).ok());
  for (int i = 0; i < teams; i += 3) {
    for (int j = 0; j < teams; j += 4) {
      if (i == j) continue;
      auto f = (*model)->Forecast(absl::StrCat("T", i), absl::StrCat("T", j));
      REQUIRE(f.ok());
      CHECK(f->grid.lambda() == Approx(std::exp(c + h + a[i] + d[j])).epsilon(1e-6));
      CHECK(f->grid.mu() == Approx(std::exp(c + a[j] + d[i])).epsilon(1e-6));
    }
  }
}

TEST_CASE("market model with market_weight 0 is the dixon-coles model") {
  std::vector<MatchResult> ms = LoadE0("football-data/E0_1415.csv");
  for (size_t i = 0; i < ms.size(); ++i) AddMarketGoals(ms[i], static_cast<int>(i));
  const MatchTable table = Table(ms);
  TeamModelOptions o;
  o.market_weight = 0;
  auto market = MakeTeamModel(ModelKind::kMarket, o);
  auto dc = MakeTeamModel(ModelKind::kDixonColes, o);
  REQUIRE(market.ok());
  REQUIRE(dc.ok());
  const absl::Time as_of = Day(2015, 5, 1);
  REQUIRE((*market)->FitBefore(table, as_of).ok());
  REQUIRE((*dc)->FitBefore(table, as_of).ok());
  auto f1 = (*market)->Forecast("Chelsea", "Arsenal");
  auto f2 = (*dc)->Forecast("Chelsea", "Arsenal");
  REQUIRE(f1.ok());
  REQUIRE(f2.ok());
  CHECK(f1->one_x_two.home == f2->one_x_two.home);
  CHECK(f1->one_x_two.draw == f2->one_x_two.draw);
  CHECK(f1->over_2_5 == f2->over_2_5);
  // And with the market goals in, the forecast moves.
  o.market_weight = 1;
  auto full = MakeTeamModel(ModelKind::kMarket, o);
  REQUIRE(full.ok());
  REQUIRE((*full)->FitBefore(table, as_of).ok());
  auto f3 = (*full)->Forecast("Chelsea", "Arsenal");
  REQUIRE(f3.ok());
  CHECK(std::fabs(f3->one_x_two.home - f2->one_x_two.home) > 1e-3);
}

TEST_CASE("market model sees neither goals nor prices on or after the forecast's kickoff") {
  std::vector<MatchResult> ms = LoadE0("football-data/E0_1415.csv");
  const std::vector<MatchResult> b = LoadE0("football-data/E0_1516.csv");
  ms.insert(ms.end(), b.begin(), b.end());
  const absl::Time as_of = Day(2016, 2, 13);
  std::vector<MatchResult> past, tampered;
  for (size_t i = 0; i < ms.size(); ++i) {
    MatchResult m = ms[i];
    AddMarketGoals(m, static_cast<int>(i));
    if (m.kickoff < as_of) {
      past.push_back(m);
      tampered.push_back(m);
    } else {
      m.home_goals = 9;
      m.away_goals = 0;
      m.market_home_goals = 8.5;
      m.market_away_goals = 0.05;
      tampered.push_back(m);
    }
  }
  REQUIRE(tampered.size() > past.size() + 100);
  auto m1 = MakeTeamModel(ModelKind::kMarket);
  auto m2 = MakeTeamModel(ModelKind::kMarket);
  REQUIRE(m1.ok());
  REQUIRE(m2.ok());
  REQUIRE((*m1)->FitBefore(Table(past), as_of).ok());
  REQUIRE((*m2)->FitBefore(Table(tampered), as_of).ok());
  for (auto [home, away] : {std::pair{"Leicester", "Man City"}, {"Arsenal", "Leicester"}}) {
    auto f1 = (*m1)->Forecast(home, away);
    auto f2 = (*m2)->Forecast(home, away);
    REQUIRE(f1.ok());
    REQUIRE(f2.ok());
    CHECK(f1->one_x_two.home == f2->one_x_two.home);
    CHECK(f1->one_x_two.draw == f2->one_x_two.draw);
    CHECK(f1->over_2_5 == f2->over_2_5);
    auto ah1 = f1->grid.AsianHandicapHome(-0.25);
    auto ah2 = f2->grid.AsianHandicapHome(-0.25);
    REQUIRE(ah1.ok());
    REQUIRE(ah2.ok());
    CHECK(ah1->win == ah2->win);
  }
}

TEST_CASE("market goals must come in pairs, finite and positive") {
  MatchResult m{"A", "B", 1, 0, Day(2020, 1, 1)};
  m.market_home_goals = 1.2;
  MatchTable t;
  auto s = t.Add(m);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("absent"));
  m.market_away_goals = -0.3;
  s = t.Add(m);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("-0.3"));
  m.market_away_goals = 0.9;
  CHECK(t.Add(m).ok());
  CHECK(t.matches()[0].market_home_goals == 1.2);
  TeamModelOptions o;
  o.market_weight = 1.5;
  auto bad = MakeTeamModel(ModelKind::kMarket, o);
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace superbet::ratings
