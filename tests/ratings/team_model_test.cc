// The TeamModel interface over every model kind.
// Oracles:
//  * an independent implementation: the dixon-coles kind equals DixonColesModel::Fit on the same
//    window (a separate code path: string-keyed input, its own normalisation), and the poisson
//    kind equals the Dixon–Coles rates with rho = 0 (Maher 1982 is Dixon–Coles without tau);
//  * no look-ahead, by construction of the input: the forecasts of a model fitted before t on a
//    table that also holds every later match — with their scores replaced by absurd ones — are
//    identical, bit for bit, to those of a model fitted on the earlier matches alone;
//  * warm start: a model refitted every match date of E0 2015/16 (warm, incremental ratings)
//    prices the next day like a fresh model fitted once on the same data (within 1e-6);
//  * direction: with correlated scores the bivariate model's lambda3 is > 0; with
//    overdispersed scores the negative binomial's alpha is > 0 (the one-parameter stage-2 fits
//    move away from the independent Poisson when the data ask for it).

#include "superbet/ratings/team_model.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "e0_results.h"
#include "superbet/ratings/dixon_coles.h"
#include "superbet/ratings/walk_forward.h"

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

std::vector<MatchResult> TwoSeasons() {
  std::vector<MatchResult> ms = LoadE0("football-data/E0_1415.csv");
  const std::vector<MatchResult> b = LoadE0("football-data/E0_1516.csv");
  ms.insert(ms.end(), b.begin(), b.end());
  return ms;
}

TEST_CASE("model kind names round-trip and unknown names are named in the error") {
  for (ModelKind k : AllModelKinds()) {
    auto parsed = ParseModelKind(ModelKindName(k));
    REQUIRE(parsed.ok());
    CHECK(*parsed == k);
  }
  CHECK(AllModelKinds().size() == 8);
  CHECK(*ParseModelKind("Dixon-Coles") == ModelKind::kDixonColes);
  auto bad = ParseModelKind("glicko");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("glicko") != absl::string_view::npos);
  TeamModelOptions o;
  o.shots_weight = 2;
  CHECK(MakeTeamModel(ModelKind::kShots, o).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("dixon-coles kind equals DixonColesModel, poisson kind its rates with rho = 0") {
  const std::vector<MatchResult> ms = TwoSeasons();
  const absl::Time as_of = Day(2016, 1, 2);
  const MatchTable table = Table(ms);
  std::vector<MatchResult> before;
  for (const MatchResult& m : ms) {
    if (m.kickoff < as_of) before.push_back(m);
  }
  auto reference = DixonColesModel::Fit(before, as_of);
  REQUIRE(reference.ok());
  auto dc = MakeTeamModel(ModelKind::kDixonColes);
  auto poisson = MakeTeamModel(ModelKind::kPoisson);
  REQUIRE(dc.ok());
  REQUIRE(poisson.ok());
  REQUIRE((*dc)->FitBefore(table, as_of).ok());
  REQUIRE((*poisson)->FitBefore(table, as_of).ok());
  CHECK((*dc)->last_fit().converged);
  REQUIRE((*dc)->last_fit().extra_parameter.has_value());
  CHECK(*(*dc)->last_fit().extra_parameter == Approx(reference->rho()).margin(1e-9));
  for (const auto& [h, a] : std::vector<std::pair<std::string, std::string>>{
           {"Arsenal", "Chelsea"}, {"Leicester", "Sunderland"}, {"Watford", "Man City"}}) {
    auto want = reference->Predict(h, a);
    auto got = (*dc)->Forecast(h, a);
    REQUIRE(want.ok());
    REQUIRE(got.ok());
    CHECK(got->one_x_two.home == Approx(want->home_win).margin(1e-9));
    CHECK(got->one_x_two.draw == Approx(want->draw).margin(1e-9));
    CHECK(got->over_2_5 == Approx(want->over_2_5).margin(1e-9));
    auto independent = OutcomesFromRates(want->lambda, want->mu, 0.0);
    auto p = (*poisson)->Forecast(h, a);
    REQUIRE(p.ok());
    CHECK(p->one_x_two.away == Approx(independent->away_win).margin(1e-9));
    // Asian handicap from the same grid: -0.5 on the home side is the home win.
    auto ah = got->grid.AsianHandicapHome(-0.5);
    REQUIRE(ah.ok());
    CHECK(ah->win == Approx(got->one_x_two.home).margin(1e-12));
  }
}

TEST_CASE("no model sees a match on or after the forecast's kickoff") {
  const std::vector<MatchResult> ms = TwoSeasons();
  const absl::Time as_of = Day(2016, 2, 13);
  std::vector<MatchResult> past, tampered;
  for (MatchResult m : ms) {
    if (m.kickoff < as_of) {
      past.push_back(m);
      tampered.push_back(m);
    } else {
      m.home_goals = 9;  // A later match, as absurd as possible.
      m.away_goals = 0;
      m.home_shots_on_target = 30;
      m.away_shots_on_target = 0;
      tampered.push_back(m);
    }
  }
  REQUIRE(tampered.size() > past.size() + 100);
  const MatchTable a = Table(past), b = Table(tampered);
  for (ModelKind kind : AllModelKinds()) {
    INFO(ModelKindName(kind));
    auto m1 = MakeTeamModel(kind);
    auto m2 = MakeTeamModel(kind);
    REQUIRE(m1.ok());
    REQUIRE(m2.ok());
    REQUIRE((*m1)->FitBefore(a, as_of).ok());
    REQUIRE((*m2)->FitBefore(b, as_of).ok());
    auto f1 = (*m1)->Forecast("Leicester", "Man City");
    auto f2 = (*m2)->Forecast("Leicester", "Man City");
    REQUIRE(f1.ok());
    REQUIRE(f2.ok());
    CHECK(f1->one_x_two.home == f2->one_x_two.home);
    CHECK(f1->one_x_two.draw == f2->one_x_two.draw);
    CHECK(f1->over_2_5 == f2->over_2_5);
    CHECK(f1->one_x_two.home + f1->one_x_two.draw + f1->one_x_two.away ==
          Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("walk-forward refits (warm, incremental) price like a fresh fit (E0 2015/16)") {
  const std::vector<MatchResult> ms = TwoSeasons();
  const MatchTable table = Table(ms);
  for (ModelKind kind : AllModelKinds()) {
    INFO(ModelKindName(kind));
    auto rolling = MakeTeamModel(kind);
    REQUIRE(rolling.ok());
    int days = 0;
    for (absl::Time day = Day(2015, 9, 12); day < Day(2016, 5, 1); day += absl::Hours(24 * 7)) {
      REQUIRE((*rolling)->FitBefore(table, day).ok());
      ++days;
    }
    const absl::Time last = Day(2016, 5, 1);
    REQUIRE((*rolling)->FitBefore(table, last).ok());
    auto fresh = MakeTeamModel(kind);
    REQUIRE(fresh.ok());
    REQUIRE((*fresh)->FitBefore(table, last).ok());
    auto a = (*rolling)->Forecast("Tottenham", "Arsenal");
    auto b = (*fresh)->Forecast("Tottenham", "Arsenal");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->one_x_two.home == Approx(b->one_x_two.home).margin(1e-6));
    CHECK(a->one_x_two.away == Approx(b->one_x_two.away).margin(1e-6));
    CHECK(days > 30);
  }
}

TEST_CASE("stage-2 parameters leave independence when the data ask for it") {
  // Two seasons of a 4-team league whose scores are equal (x = y, correlated) or extreme (0 or
  // 6 goals: overdispersed).
  auto league = [](bool correlated) {
    std::vector<MatchResult> ms;
    const char* teams[] = {"A", "B", "C", "D"};
    absl::Time t = Day(2015, 8, 1);
    int k = 0;
    for (int round = 0; round < 40; ++round) {
      for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) {
          if (i == j) continue;
          const int g = correlated ? k % 4 : (k % 3 == 0 ? 6 : 0);
          const int h = correlated ? g : (k % 2 == 0 ? 0 : 5);
          ms.push_back({teams[i], teams[j], g, h, t});
          ++k;
        }
      }
      t += absl::Hours(24 * 7);
    }
    return ms;
  };
  TeamModelOptions o;
  o.min_fit_matches = 10;
  const MatchTable correlated = Table(league(true)), dispersed = Table(league(false));
  auto bp = MakeTeamModel(ModelKind::kBivariatePoisson, o);
  REQUIRE(bp.ok());
  REQUIRE((*bp)->FitBefore(correlated, Day(2016, 8, 1)).ok());
  CHECK(*(*bp)->last_fit().extra_parameter > 0.3);
  auto nb = MakeTeamModel(ModelKind::kNegativeBinomial, o);
  REQUIRE(nb.ok());
  REQUIRE((*nb)->FitBefore(dispersed, Day(2016, 8, 1)).ok());
  CHECK(*(*nb)->last_fit().extra_parameter > 0.3);
}

TEST_CASE("errors: too few matches, no fit, an unrated team, a fit that cannot converge") {
  const std::vector<MatchResult> ms = TwoSeasons();
  const MatchTable table = Table(ms);
  for (ModelKind kind : AllModelKinds()) {
    INFO(ModelKindName(kind));
    auto m = MakeTeamModel(kind);
    REQUIRE(m.ok());
    CHECK((*m)->Forecast("Arsenal", "Chelsea").status().code() ==
          absl::StatusCode::kFailedPrecondition);
    CHECK((*m)->FitBefore(table, Day(2014, 9, 1)).code() ==
          absl::StatusCode::kFailedPrecondition);  // 2014/15 has barely started.
    REQUIRE((*m)->FitBefore(table, Day(2016, 1, 1)).ok());
    CHECK((*m)->Forecast("Arsenal", "Real Madrid").status().code() == absl::StatusCode::kNotFound);
    CHECK((*m)->Forecast("Arsenal", "Arsenal").status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  // Without the strength prior a side that never scored has no maximum-likelihood strength.
  std::vector<MatchResult> blank = ms;
  for (MatchResult& r : blank) {
    if (r.home == "Aston Villa") r.home_goals = 0;
    if (r.away == "Aston Villa") r.away_goals = 0;
  }
  TeamModelOptions mle;
  mle.prior_sd = 0;
  auto p = MakeTeamModel(ModelKind::kPoisson, mle);
  REQUIRE(p.ok());
  const absl::Status s = (*p)->FitBefore(Table(blank), Day(2016, 1, 1));
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(s.message().find("did not converge") != absl::string_view::npos);
}

TEST_CASE("walk-forward forecasts only the chosen seasons, one row per match") {
  std::vector<WalkForwardMatch> matches;
  for (const char* file : {"football-data/E0_1415.csv", "football-data/E0_1516.csv"}) {
    for (const MatchResult& r : LoadE0(file)) {
      WalkForwardMatch m;
      m.result = r;
      m.season = std::string(file).find("1415") != std::string::npos ? "2014/15" : "2015/16";
      matches.push_back(m);
    }
  }
  auto model = MakeTeamModel(ModelKind::kElo);
  REQUIRE(model.ok());
  WalkForwardStats stats;
  auto rows = WalkForward(matches, {"2015/16"}, **model, &stats);
  REQUIRE(rows.ok());
  CHECK(rows->size() == 380);
  CHECK(stats.fits > 90);
  int priced = 0;
  for (const WalkForwardRow& r : *rows) {
    CHECK(r.match->season == "2015/16");
    priced += r.probabilities.has_value() ? 1 : 0;
  }
  CHECK(priced > 300);  // Promoted sides are unrated on their first dates (kError).
}

}  // namespace
}  // namespace superbet::ratings
