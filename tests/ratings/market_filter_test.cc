// The market model's Kalman filter (team_model.h, TeamModelOptions::market_filter; kalman.h).
// Oracles:
//  * closed form: on a synthetic league whose market goals are exactly
//    lambda_ij = exp(c + h + a_i + d_j), mu_ij = exp(c + a_j + d_i) for known strengths, a filter
//    with precise market observations (SD 1e-3), no goals and almost no drift must price every
//    pair at those exact means (the Gaussian posterior concentrates on the truth);
//  * no look-ahead, by construction of the input: replacing the goals AND the market goals of
//    every match on or after the forecast date by absurd ones changes no forecast, bit for bit;
//  * warm = cold: one model fitted day after day (continuing its state) and a fresh model fitted
//    once at the last date give the same forecast, bit for bit (the filter is one pass in
//    kickoff order either way);
//  * an independent implementation: tests/ratings/make_market_filter_reference.py, a pure-Python
//    filter written from the model's description (dict-of-dicts covariance, rho by bisection on
//    the derivative), run on the same E0 2014/15 + 2015/16 rows and stand-in market goals; its
//    expected goals and rho at three dates are tests/ratings/fixtures/market_filter_e0.txt;
//  * the defaults are the filter (DefaultTeamModelOptions(kMarket)), and it does move forecasts
//    away from the static fit on real data (E0 2014/15-2015/16 with stand-in market goals).

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "e0_results.h"
#include "superbet/ratings/team_model.h"
#include "support/test_data.h"

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

void AddMarketGoals(MatchResult& m, int i) {
  m.market_home_goals = 0.6 + 0.45 * m.home_goals + 0.1 * (i % 7);
  m.market_away_goals = 0.5 + 0.4 * m.away_goals + 0.05 * (i % 5);
}

std::vector<MatchResult> TwoE0Seasons() {
  std::vector<MatchResult> ms = LoadE0("football-data/E0_1415.csv");
  const std::vector<MatchResult> b = LoadE0("football-data/E0_1516.csv");
  ms.insert(ms.end(), b.begin(), b.end());
  REQUIRE(ms.size() == 760);
  for (size_t i = 0; i < ms.size(); ++i) AddMarketGoals(ms[i], static_cast<int>(i));
  return ms;
}

TEST_CASE("the market kind defaults to the Kalman filter") {
  const TeamModelOptions o = DefaultTeamModelOptions(ModelKind::kMarket);
  CHECK(o.market_filter);
  CHECK(o.filter_market_sd == 0.1);
  CHECK(o.filter_drift_sd == 0.01);
  CHECK(o.filter_goals_scale == 0.5);
  CHECK(o.filter_break_sd == 0.5);
  CHECK(o.filter_new_team_sd == 0.08);
  CHECK_FALSE(TeamModelOptions{}.market_filter);
  TeamModelOptions bad = o;
  bad.filter_drift_sd = 0;
  auto m = MakeTeamModel(ModelKind::kMarket, bad);
  CHECK(m.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(m.status().message()), Catch::Contains("filter_drift_sd"));
  bad = o;
  bad.filter_goals_scale = -1;
  m = MakeTeamModel(ModelKind::kMarket, bad);
  CHECK_THAT(std::string(m.status().message()), Catch::Contains("filter_goals_scale"));
}

TEST_CASE("market filter recovers the strengths its market goals were made from") {
  const int teams = 20;
  const double c = std::log(1.15), h = std::log(1.3);
  std::vector<double> a(teams), d(teams);
  for (int i = 0; i < teams; ++i) {
    a[i] = 0.04 * (i - 9.5);
    d[i] = 0.03 * ((i * 7) % teams - 9.5);
  }
  std::vector<MatchResult> ms;
  absl::Time t = Day(2020, 8, 1);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < teams; ++i) {
      for (int j = 0; j < teams; ++j) {
        if (i == j) continue;
        MatchResult m;
        m.home = absl::StrCat("T", i);
        m.away = absl::StrCat("T", j);
        m.home_goals = (i + 2 * j) % 4;  // Goals unrelated to the strengths (and unused).
        m.away_goals = (3 * i + j) % 3;
        m.market_home_goals = std::exp(c + h + a[i] + d[j]);
        m.market_away_goals = std::exp(c + a[j] + d[i]);
        m.kickoff = t;
        t += absl::Hours(6);
        ms.push_back(m);
      }
    }
  }
  TeamModelOptions o = DefaultTeamModelOptions(ModelKind::kMarket);
  o.filter_market_sd = 1e-3;
  o.filter_drift_sd = 1e-6;
  o.filter_goals_scale = 0;
  o.max_goals = 20;
  auto model = MakeTeamModel(ModelKind::kMarket, o);
  REQUIRE(model.ok());
  REQUIRE((*model)->FitBefore(Table(ms), t).ok());
  for (int i = 0; i < teams; i += 3) {
    for (int j = 0; j < teams; j += 4) {
      if (i == j) continue;
      auto f = (*model)->Forecast(absl::StrCat("T", i), absl::StrCat("T", j));
      REQUIRE(f.ok());
      CHECK(f->grid.lambda() == Approx(std::exp(c + h + a[i] + d[j])).epsilon(1e-4));
      CHECK(f->grid.mu() == Approx(std::exp(c + a[j] + d[i])).epsilon(1e-4));
    }
  }
}

TEST_CASE("market filter sees neither goals nor prices on or after the forecast's kickoff") {
  const std::vector<MatchResult> ms = TwoE0Seasons();
  const absl::Time as_of = Day(2016, 2, 13);
  std::vector<MatchResult> past, tampered;
  for (MatchResult m : ms) {
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
  const TeamModelOptions o = DefaultTeamModelOptions(ModelKind::kMarket);
  auto m1 = MakeTeamModel(ModelKind::kMarket, o);
  auto m2 = MakeTeamModel(ModelKind::kMarket, o);
  REQUIRE(m1.ok());
  REQUIRE(m2.ok());
  const MatchTable t1 = Table(past), t2 = Table(tampered);
  REQUIRE((*m1)->FitBefore(t1, as_of).ok());
  REQUIRE((*m2)->FitBefore(t2, as_of).ok());
  for (auto [home, away] : {std::pair{"Leicester", "Man City"}, {"Arsenal", "Leicester"}}) {
    auto f1 = (*m1)->Forecast(home, away);
    auto f2 = (*m2)->Forecast(home, away);
    REQUIRE(f1.ok());
    REQUIRE(f2.ok());
    CHECK(f1->one_x_two.home == f2->one_x_two.home);
    CHECK(f1->one_x_two.draw == f2->one_x_two.draw);
    CHECK(f1->over_2_5 == f2->over_2_5);
    CHECK((*m1)->last_fit().extra_parameter == (*m2)->last_fit().extra_parameter);
  }
}

TEST_CASE("market filter: warm (day by day) and cold fits give the same forecast") {
  const std::vector<MatchResult> ms = TwoE0Seasons();
  MatchTable growing;
  const TeamModelOptions o = DefaultTeamModelOptions(ModelKind::kMarket);
  auto warm = MakeTeamModel(ModelKind::kMarket, o);
  REQUIRE(warm.ok());
  const absl::Time last = Day(2016, 3, 1);
  size_t next = 0;
  int fits = 0;
  for (absl::Time day = Day(2015, 8, 1); day <= last; day += absl::Hours(24 * 7)) {
    for (; next < ms.size() && ms[next].kickoff < day; ++next) REQUIRE(growing.Add(ms[next]).ok());
    if ((*warm)->FitBefore(growing, day).ok()) ++fits;
  }
  for (; next < ms.size() && ms[next].kickoff < last; ++next) REQUIRE(growing.Add(ms[next]).ok());
  REQUIRE((*warm)->FitBefore(growing, last).ok());
  CHECK(fits > 20);
  auto cold = MakeTeamModel(ModelKind::kMarket, o);
  REQUIRE(cold.ok());
  REQUIRE((*cold)->FitBefore(growing, last).ok());
  auto fw = (*warm)->Forecast("Tottenham", "Chelsea");
  auto fc = (*cold)->Forecast("Tottenham", "Chelsea");
  REQUIRE(fw.ok());
  REQUIRE(fc.ok());
  CHECK(fw->one_x_two.home == fc->one_x_two.home);
  CHECK(fw->one_x_two.draw == fc->one_x_two.draw);
  CHECK(fw->over_2_5 == fc->over_2_5);

  // The filter is not the static fit in disguise: on the same data they disagree.
  TeamModelOptions s = o;
  s.market_filter = false;
  auto fixed = MakeTeamModel(ModelKind::kMarket, s);
  REQUIRE(fixed.ok());
  REQUIRE((*fixed)->FitBefore(growing, last).ok());
  auto fs = (*fixed)->Forecast("Tottenham", "Chelsea");
  REQUIRE(fs.ok());
  CHECK(std::fabs(fs->one_x_two.home - fc->one_x_two.home) > 1e-3);
}

TEST_CASE("market filter matches the independent Python filter on E0 2014/15-2015/16") {
  const std::string text = superbet::testing::ReadFileOrEmpty(
      superbet::testing::SourceDir() + "/tests/ratings/fixtures/market_filter_e0.txt");
  REQUIRE_FALSE(text.empty());
  const MatchTable table = Table(TwoE0Seasons());
  int checked = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (line[0] == '#') continue;
    const std::vector<std::string> f = absl::StrSplit(line, '\t');
    REQUIRE(f.size() == 6);
    absl::CivilDay day;
    REQUIRE(absl::ParseCivilTime(f[0], &day));
    double lambda = 0, mu = 0, rho = 0;
    REQUIRE(absl::SimpleAtod(f[3], &lambda));
    REQUIRE(absl::SimpleAtod(f[4], &mu));
    REQUIRE(absl::SimpleAtod(f[5], &rho));
    auto model = MakeTeamModel(ModelKind::kMarket, DefaultTeamModelOptions(ModelKind::kMarket));
    REQUIRE(model.ok());
    REQUIRE((*model)->FitBefore(table, absl::FromCivil(day, absl::UTCTimeZone())).ok());
    auto fc = (*model)->Forecast(f[1], f[2]);
    REQUIRE(fc.ok());
    INFO(line);
    CHECK(fc->grid.lambda() == Approx(lambda).epsilon(1e-9));
    CHECK(fc->grid.mu() == Approx(mu).epsilon(1e-9));
    REQUIRE((*model)->last_fit().extra_parameter.has_value());
    CHECK(*(*model)->last_fit().extra_parameter == Approx(rho).margin(1e-6));
    ++checked;
  }
  CHECK(checked == 6);
}

TEST_CASE("market filter: a side short of min_matches_per_team is imputed or unrated") {
  const std::vector<MatchResult> ms = TwoE0Seasons();
  const MatchTable table = Table(ms);
  TeamModelOptions o = DefaultTeamModelOptions(ModelKind::kMarket);
  o.min_matches_per_team = 3;
  const absl::Time as_of = Day(2015, 8, 16);  // Promoted Bournemouth have played one match.
  auto strict = MakeTeamModel(ModelKind::kMarket, o);
  REQUIRE(strict.ok());
  REQUIRE((*strict)->FitBefore(table, as_of).ok());
  auto missing = (*strict)->Forecast("Bournemouth", "Arsenal");
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(missing.status().message()), Catch::Contains("Bournemouth"));
  o.unseen_team = UnseenTeamPolicy::kWeakestThreeAverage;
  auto lenient = MakeTeamModel(ModelKind::kMarket, o);
  REQUIRE(lenient.ok());
  REQUIRE((*lenient)->FitBefore(table, as_of).ok());
  auto imputed = (*lenient)->Forecast("Bournemouth", "Arsenal");
  REQUIRE(imputed.ok());
  CHECK(imputed->home_imputed);
  CHECK_FALSE(imputed->away_imputed);
  // The three weakest sides' mean scores less than the league-average side would.
  o.unseen_team = UnseenTeamPolicy::kLeagueAverage;
  auto average = MakeTeamModel(ModelKind::kMarket, o);
  REQUIRE(average.ok());
  REQUIRE((*average)->FitBefore(table, as_of).ok());
  auto mean_side = (*average)->Forecast("Bournemouth", "Arsenal");
  REQUIRE(mean_side.ok());
  CHECK(imputed->grid.lambda() < mean_side->grid.lambda());
  CHECK(imputed->one_x_two.home < mean_side->one_x_two.home);
  CHECK((*lenient)->Forecast("Arsenal", "Arsenal").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace superbet::ratings
