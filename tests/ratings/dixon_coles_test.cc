// Dixon–Coles model tests.
//
// Oracles:
//  * closed form: with rho = 0 the score matrix is two independent Poissons, so
//    P(draw | lambda = mu = 1) = e^-2 * I0(2) = 0.30850832 (I0 = modified Bessel function);
//  * closed form: on a two-team data set whose sample means the model can reproduce exactly, the
//    Poisson MLE equals the sample means (lambda_AB = 2, mu_AB = 0.5, lambda_BA = 1, mu_BA = 1,
//    home advantage 2);
//  * optimality: on a real season the fitted strengths satisfy the weighted Poisson score
//    equations (each team's weighted goals scored = its weighted expected goals), and rho is a
//    maximum of the weighted sum of log tau;
//  * forecasting: fitted walk-forward on real data (E0 2014/15 + 2015/16 before each date), the
//    model's 3-way log loss on 2015/16 beats the uniform forecast (ln 3 = 1.0986).

#include "superbet/ratings/dixon_coles.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "support/test_data.h"

namespace superbet::ratings {
namespace {

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

// Minimal reader of the results columns of a football-data.co.uk E0 file (no quoted fields in
// these seasons). Independent of the providers module on purpose.
std::vector<MatchResult> LoadResults(const std::string& file) {
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
    REQUIRE(absl::SimpleAtoi(f[col["FTHG"]], &m.home_goals));
    REQUIRE(absl::SimpleAtoi(f[col["FTAG"]], &m.away_goals));
    std::vector<std::string> dmy = absl::StrSplit(f[col["Date"]], '/');
    int d = 0, mo = 0, y = 0;
    REQUIRE(absl::SimpleAtoi(dmy[0], &d));
    REQUIRE(absl::SimpleAtoi(dmy[1], &mo));
    REQUIRE(absl::SimpleAtoi(dmy[2], &y));
    m.kickoff = Day(y < 100 ? 2000 + y : y, mo, d);
    out.push_back(m);
  }
  return out;
}

TEST_CASE("independent Poisson score matrix matches the closed form when rho = 0") {
  auto p = OutcomesFromRates(1.0, 1.0, 0.0, 10);
  REQUIRE(p.ok());
  CHECK(p->draw == Approx(0.30850832).margin(1e-7));
  CHECK(p->home_win == Approx(p->away_win).margin(1e-12));
  CHECK(p->home_win + p->draw + p->away_win == Approx(1.0).margin(1e-12));
  // P(total >= 3) with total ~ Poisson(2): 1 - e^-2 (1 + 2 + 2) = 0.32332358.
  CHECK(p->over_2_5 == Approx(0.32332358).margin(1e-7));
}

TEST_CASE("tau corrects exactly the four low-score cells") {
  const double lambda = 1.4, mu = 1.1, rho = -0.1;
  CHECK(DixonColesTau(0, 0, lambda, mu, rho) == Approx(1 + 1.4 * 1.1 * 0.1));
  CHECK(DixonColesTau(0, 1, lambda, mu, rho) == Approx(1 - 0.14));
  CHECK(DixonColesTau(1, 0, lambda, mu, rho) == Approx(1 - 0.11));
  CHECK(DixonColesTau(1, 1, lambda, mu, rho) == Approx(1.1));
  CHECK(DixonColesTau(2, 0, lambda, mu, rho) == 1.0);
  // Negative rho raises the draw probability relative to rho = 0 (more 0-0 and 1-1).
  auto with = OutcomesFromRates(lambda, mu, rho);
  auto without = OutcomesFromRates(lambda, mu, 0.0);
  REQUIRE(with.ok());
  REQUIRE(without.ok());
  CHECK(with->draw > without->draw);
  CHECK(with->home_win + with->draw + with->away_win == Approx(1.0).margin(1e-12));
}

TEST_CASE("score matrix rejects bad rates and an infeasible rho") {
  CHECK(ScoreMatrix(0.0, 1.0, 0.0, 10).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ScoreMatrix(1.0, NAN, 0.0, 10).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ScoreMatrix(3.0, 3.0, 0.2, 10).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("two-team fit reproduces the sample means (Poisson MLE closed form)") {
  const absl::Time t = Day(2016, 1, 1);
  std::vector<MatchResult> ms = {
      {"A", "B", 2, 0, t},
      {"A", "B", 2, 1, t},  // A at home: mean 2 - 0.5
      {"B", "A", 1, 1, t},
      {"B", "A", 1, 1, t},  // B at home: mean 1 - 1
  };
  DixonColesOptions o;
  o.xi_per_day = 0;
  o.prior_sd = 0;  // The plain MLE, whose closed form this is.
  auto model = DixonColesModel::Fit(ms, t, o);
  REQUIRE(model.ok());
  CHECK(model->home_advantage() == Approx(2.0).epsilon(1e-5));
  auto ab = model->Predict("A", "B");
  auto ba = model->Predict("B", "A");
  REQUIRE(ab.ok());
  REQUIRE(ba.ok());
  CHECK(ab->lambda == Approx(2.0).epsilon(1e-5));
  CHECK(ab->mu == Approx(0.5).epsilon(1e-5));
  CHECK(ba->lambda == Approx(1.0).epsilon(1e-5));
  CHECK(ba->mu == Approx(1.0).epsilon(1e-5));
  // Identifiability constraint: geometric mean of attack = 1.
  CHECK(model->attack("A") * model->attack("B") == Approx(1.0).epsilon(1e-9));
}

TEST_CASE("fit rejects look-ahead, empty and degenerate input") {
  const absl::Time t = Day(2016, 1, 1);
  std::vector<MatchResult> future = {{"A", "B", 1, 0, t + absl::Hours(24)}};
  CHECK(DixonColesModel::Fit(future, t).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(DixonColesModel::Fit({}, t).status().code() == absl::StatusCode::kInvalidArgument);
  std::vector<MatchResult> goalless = {{"A", "B", 0, 0, t}};
  CHECK(DixonColesModel::Fit(goalless, t).status().code() == absl::StatusCode::kFailedPrecondition);
  std::vector<MatchResult> self = {{"A", "A", 1, 0, t}};
  CHECK(DixonColesModel::Fit(self, t).status().code() == absl::StatusCode::kInvalidArgument);
  std::vector<MatchResult> ok = {{"A", "B", 1, 0, t}, {"B", "A", 2, 1, t}};
  auto m = DixonColesModel::Fit(ok, t);
  REQUIRE(m.ok());
  CHECK(m->Predict("A", "C").status().code() == absl::StatusCode::kNotFound);
  CHECK(m->Predict("A", "A").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("fit never returns NaN strengths when time decay underflows a match weight to 0") {
  // exp(-xi * days) = exp(-10 * 200) is 0 in double: those matches carry no weight. Oracle: the
  // header's contract (FailedPrecondition when no goal keeps any weight; otherwise every fitted
  // probability is finite and the three sum to 1).
  const absl::Time t = Day(2016, 1, 1);
  const absl::Time old = t - absl::Hours(24 * 200);
  DixonColesOptions o;
  o.xi_per_day = 10;
  o.min_matches_per_team = 1;
  std::vector<MatchResult> all_old = {{"A", "B", 1, 0, old}, {"B", "A", 2, 1, old}};
  CHECK(DixonColesModel::Fit(all_old, t, o).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  // C's only match is old: C keeps no weighted evidence, A and B are fitted on today's matches.
  std::vector<MatchResult> mixed = {
      {"A", "B", 1, 0, t}, {"B", "A", 2, 1, t}, {"C", "A", 3, 0, old}};
  auto m = DixonColesModel::Fit(mixed, t, o);
  REQUIRE(m.ok());
  for (const auto& [h, a] : std::vector<std::pair<std::string, std::string>>{
           {"A", "B"}, {"B", "A"}, {"C", "A"}, {"A", "C"}}) {
    auto p = m->Predict(h, a);
    REQUIRE(p.ok());
    CHECK(std::isfinite(p->home_win));
    CHECK(std::isfinite(p->draw));
    CHECK(std::isfinite(p->away_win));
    CHECK(p->home_win + p->draw + p->away_win == Approx(1.0).epsilon(1e-6));
  }
}

TEST_CASE("real season (E0 2015/16): score equations hold, rho is a maximum, strong is favoured") {
  const std::vector<MatchResult> ms = LoadResults("football-data/E0_1516.csv");
  REQUIRE(ms.size() == 380);
  const absl::Time as_of = Day(2016, 5, 18);
  DixonColesOptions o;  // default decay 0.0019/day
  o.tolerance = 1e-10;
  o.prior_sd = 0;  // The score equations are those of the plain MLE.
  auto model = DixonColesModel::Fit(ms, as_of, o);
  REQUIRE(model.ok());
  REQUIRE(model->teams().size() == 20);

  // Weighted Poisson score equations: sum w*goals == sum w*expected goals, per team.
  std::map<std::string, double> scored, expected;
  double f0 = 0, fp = 0, fm = 0;  // weighted sum of log tau at rho, rho +- 0.005
  const double g = model->home_advantage(), rho = model->rho();
  for (const MatchResult& m : ms) {
    const double w =
        std::exp(-o.xi_per_day * std::floor(absl::ToDoubleHours(as_of - m.kickoff) / 24));
    const double lam = model->attack(m.home) * model->defence(m.away) * g;
    const double mu = model->attack(m.away) * model->defence(m.home);
    scored[m.home] += w * m.home_goals;
    scored[m.away] += w * m.away_goals;
    expected[m.home] += w * lam;
    expected[m.away] += w * mu;
    f0 += w * std::log(DixonColesTau(m.home_goals, m.away_goals, lam, mu, rho));
    fp += w * std::log(DixonColesTau(m.home_goals, m.away_goals, lam, mu, rho + 0.005));
    fm += w * std::log(DixonColesTau(m.home_goals, m.away_goals, lam, mu, rho - 0.005));
  }
  for (const auto& [team, goals] : scored) {
    INFO(team);
    CHECK(expected[team] == Approx(goals).epsilon(1e-6));
  }
  CHECK(f0 >= fp);
  CHECK(f0 >= fm);
  CHECK(rho > -0.25);
  CHECK(rho < 0.25);
  CHECK(g > 1.0);  // Home advantage.

  // Champions Leicester vs bottom side Aston Villa, both ways round.
  auto lv = model->Predict("Leicester", "Aston Villa");
  auto vl = model->Predict("Aston Villa", "Leicester");
  REQUIRE(lv.ok());
  REQUIRE(vl.ok());
  CHECK(lv->home_win > 0.5);
  CHECK(lv->home_win > lv->away_win);
  CHECK(vl->away_win > vl->home_win);
  CHECK(lv->home_win + lv->draw + lv->away_win == Approx(1.0).margin(1e-12));
}

TEST_CASE("walk-forward fit beats the uniform forecast on the next season (E0 2015/16)") {
  std::vector<MatchResult> prev = LoadResults("football-data/E0_1415.csv");
  const std::vector<MatchResult> next = LoadResults("football-data/E0_1516.csv");
  REQUIRE(prev.size() == 380);
  REQUIRE(next.size() == 380);
  DixonColesOptions o;
  o.min_matches_per_team = 5;
  double log_loss = 0;
  int n = 0;
  size_t k = 0;
  while (k < next.size()) {
    const absl::Time day = next[k].kickoff;
    auto model = DixonColesModel::Fit(prev, day, o);  // prev holds only matches before `day`
    REQUIRE(model.ok());
    size_t j = k;
    for (; j < next.size() && next[j].kickoff == day; ++j) {
      auto p = model->Predict(next[j].home, next[j].away);
      if (!p.ok()) continue;  // Promoted side without 5 matches yet.
      const int x = next[j].home_goals, y = next[j].away_goals;
      log_loss -= std::log(x > y ? p->home_win : x == y ? p->draw : p->away_win);
      ++n;
    }
    for (; k < j; ++k) prev.push_back(next[k]);
  }
  REQUIRE(n > 300);
  log_loss /= n;
  CHECK(log_loss < std::log(3.0) - 0.03);
}

}  // namespace
}  // namespace superbet::ratings

namespace superbet::ratings {
namespace {

// Geometric mean of attack and defence over `teams` of `model`.
std::pair<double, double> GeometricMean(const DixonColesModel& model,
                                        const std::vector<std::string>& teams) {
  double la = 0, ld = 0;
  for (const std::string& t : teams) {
    la += std::log(model.attack(t));
    ld += std::log(model.defence(t));
  }
  return {std::exp(la / teams.size()), std::exp(ld / teams.size())};
}

TEST_CASE("unseen teams: an error by default, a documented prior on request (E0 2015/16 day 1)") {
  // Bournemouth, promoted for 2015/16, played no 2014/15 Premier League match: on 2015-08-08 a
  // fit on E0 2014/15 has never seen them.
  const std::vector<MatchResult> prev = LoadResults("football-data/E0_1415.csv");
  const absl::Time day1 = Day(2015, 8, 8);
  auto strict = DixonColesModel::Fit(prev, day1);
  REQUIRE(strict.ok());
  auto missing = strict->Predict("Bournemouth", "Aston Villa");
  REQUIRE(absl::IsNotFound(missing.status()));
  CHECK(missing.status().message() == "team not rated by the fit: Bournemouth");

  DixonColesOptions o;
  o.unseen_team = UnseenTeamPolicy::kLeagueAverage;
  auto avg = DixonColesModel::Fit(prev, day1, o);
  REQUIRE(avg.ok());
  const std::vector<std::string> teams = avg->teams();
  REQUIRE(teams.size() == 20);
  auto [att, def] = GeometricMean(*avg, teams);
  auto p = avg->Predict("Bournemouth", "Aston Villa");
  REQUIRE(p.ok());
  CHECK(p->home_imputed);
  CHECK_FALSE(p->away_imputed);
  CHECK(p->lambda == Approx(att * avg->defence("Aston Villa") * avg->home_advantage()));
  CHECK(p->mu == Approx(avg->attack("Aston Villa") * def));

  // The three weakest 2014/15 sides by attack/defence ratio, computed here independently.
  std::vector<std::string> by_ratio = teams;
  std::sort(by_ratio.begin(), by_ratio.end(), [&](const std::string& a, const std::string& b) {
    return avg->attack(a) / avg->defence(a) < avg->attack(b) / avg->defence(b);
  });
  by_ratio.resize(3);
  auto [weak_att, weak_def] = GeometricMean(*avg, by_ratio);
  o.unseen_team = UnseenTeamPolicy::kWeakestThreeAverage;
  auto weak = DixonColesModel::Fit(prev, day1, o);
  REQUIRE(weak.ok());
  auto pw = weak->Predict("Bournemouth", "Aston Villa");
  REQUIRE(pw.ok());
  CHECK(pw->lambda == Approx(weak_att * weak->defence("Aston Villa") * weak->home_advantage()));
  CHECK(pw->mu == Approx(weak->attack("Aston Villa") * weak_def));
  CHECK(pw->home_win < p->home_win);  // A promoted-side prior is weaker than the league average.
  // A rated pair is untouched by the policy.
  auto rated = weak->Predict("Arsenal", "Chelsea");
  auto rated_strict = strict->Predict("Arsenal", "Chelsea");
  REQUIRE(rated.ok());
  REQUIRE(rated_strict.ok());
  CHECK(rated->home_win == rated_strict->home_win);
  CHECK_FALSE(rated->home_imputed);
}

TEST_CASE("diagnostics: effective matches and mean age are the decay weights, by hand") {
  const absl::Time as_of = Day(2020, 1, 21);
  const std::vector<MatchResult> ms = {{"A", "B", 2, 1, Day(2020, 1, 1)},
                                       {"B", "A", 0, 1, Day(2020, 1, 11)}};
  DixonColesOptions o;
  o.xi_per_day = 0.01;
  auto m = DixonColesModel::Fit(ms, as_of, o);
  REQUIRE(m.ok());
  auto d = m->Diagnostics("A");
  REQUIRE(d.ok());
  const double w1 = std::exp(-0.01 * 20), w2 = std::exp(-0.01 * 10);
  CHECK(d->matches == 2);
  CHECK(d->effective_matches == Approx(w1 + w2).epsilon(1e-12));
  REQUIRE(d->mean_age_days.has_value());
  CHECK(*d->mean_age_days == Approx((20 * w1 + 10 * w2) / (w1 + w2)).epsilon(1e-12));
  CHECK(d->last_kickoff == Day(2020, 1, 11));
  CHECK(absl::IsNotFound(m->Diagnostics("C").status()));
}

TEST_CASE("diagnostics say when a rating rests on matches from 2001 (E0 2000/01 + 2014/15)") {
  // Bradford City played the Premier League in 2000/01 and never again in these files: fitted on
  // 2000/01 and 2014/15 as of 2015-08-08, their rating rests on 14-year-old matches.
  std::vector<MatchResult> ms = LoadResults("football-data/E0_0001.csv");
  const std::vector<MatchResult> recent = LoadResults("football-data/E0_1415.csv");
  ms.insert(ms.end(), recent.begin(), recent.end());
  auto m = DixonColesModel::Fit(ms, Day(2015, 8, 8));
  REQUIRE(m.ok());
  auto bradford = m->Diagnostics("Bradford");
  REQUIRE(bradford.ok());
  CHECK(bradford->matches == 38);
  CHECK(absl::ToCivilYear(bradford->last_kickoff, absl::UTCTimeZone()).year() == 2001);
  REQUIRE(bradford->mean_age_days.has_value());
  CHECK(*bradford->mean_age_days > 14 * 365);
  CHECK(bradford->effective_matches < 0.001 * bradford->matches);  // e^(-0.0019 * 5100) ~ 6e-5.
  auto arsenal = m->Diagnostics("Arsenal");
  REQUIRE(arsenal.ok());
  CHECK(arsenal->matches == 76);
  CHECK(arsenal->effective_matches > 10);
}

TEST_CASE("the model's grid prices the same match as Predict") {
  const std::vector<MatchResult> prev = LoadResults("football-data/E0_1415.csv");
  auto m = DixonColesModel::Fit(prev, Day(2015, 8, 8));
  REQUIRE(m.ok());
  auto p = m->Predict("Man United", "Tottenham");
  auto g = m->Grid("Man United", "Tottenham");
  REQUIRE(p.ok());
  REQUIRE(g.ok());
  CHECK(g->OneXTwoProbabilities().home == Approx(p->home_win).margin(1e-12));
  CHECK(g->lambda() == p->lambda);
  CHECK(absl::IsNotFound(m->Grid("Bournemouth", "Tottenham").status()));
}

}  // namespace
}  // namespace superbet::ratings

namespace superbet::ratings {
namespace {

TEST_CASE(
    "warm start reaches the cold fit's optimum with fewer iterations (E0 2015/16 walk-forward)") {
  // Oracle: the cold fit (from the league average everywhere). The penalised Poisson likelihood
  // is strictly concave, so both must agree within the stopping tolerance. Every refit of the
  // season converges (before the strength prior, 7 of the 98 did not: bench/README.md).
  std::vector<MatchResult> history = LoadResults("football-data/E0_1415.csv");
  const std::vector<MatchResult> season = LoadResults("football-data/E0_1516.csv");
  std::optional<DixonColesModel> previous;
  int cold_iterations = 0, warm_iterations = 0, days = 0;
  size_t k = 0;
  while (k < season.size()) {
    const absl::Time day = season[k].kickoff;
    auto cold = DixonColesModel::Fit(history, day);
    REQUIRE(cold.ok());
    auto warm = previous ? DixonColesModel::Fit(history, day, {}, *previous)
                         : DixonColesModel::Fit(history, day);
    REQUIRE(warm.ok());
    CHECK(warm->converged());
    CHECK(cold->converged());
    for (const std::string& t : cold->teams()) {
      CHECK(warm->attack(t) == Approx(cold->attack(t)).epsilon(1e-5));
      CHECK(warm->defence(t) == Approx(cold->defence(t)).epsilon(1e-5));
    }
    CHECK(warm->home_advantage() == Approx(cold->home_advantage()).epsilon(1e-5));
    CHECK(warm->rho() == Approx(cold->rho()).margin(1e-5));
    if (previous) {
      cold_iterations += cold->iterations();
      warm_iterations += warm->iterations();
      ++days;
    }
    previous = *warm;
    for (; k < season.size() && season[k].kickoff == day; ++k) history.push_back(season[k]);
  }
  REQUIRE(days > 90);
  INFO("cold " << cold_iterations << " vs warm " << warm_iterations << " iterations over " << days
               << " refits");
  CHECK(warm_iterations < cold_iterations);
  std::printf(
      "Dixon-Coles walk-forward E0 2015/16: %d refits, %d Newton iterations cold, %d warm\n", days,
      cold_iterations, warm_iterations);
}

}  // namespace
}  // namespace superbet::ratings

namespace superbet::ratings {
namespace {

TEST_CASE("a side without a goal: no MLE (an error), a finite posterior mode with the prior") {
  // Oracle: closed form. C has played twice and scored 0: its Poisson log-likelihood in log
  // attack a_C is -(sum of its expected goals) = -k e^{a_C}, increasing towards a_C = -inf, so
  // the MLE does not exist. With the Normal(0, s^2) prior the posterior mode solves
  // 0 = -E_C - a_C / s^2 (E_C = C's expected goals at the mode): a_C < 0 and finite, and that
  // equation is checked at the fitted values.
  const absl::Time t = Day(2016, 1, 1);
  std::vector<MatchResult> ms = {{"A", "B", 2, 1, t}, {"B", "A", 1, 1, t}, {"A", "C", 3, 0, t},
                                 {"C", "B", 0, 2, t}, {"B", "C", 1, 0, t}, {"C", "A", 0, 1, t}};
  DixonColesOptions mle;
  mle.xi_per_day = 0;
  mle.prior_sd = 0;
  auto failed = DixonColesModel::Fit(ms, t, mle);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(failed.status().message().find("did not converge") != absl::string_view::npos);
  CHECK(failed.status().message().find("C") != absl::string_view::npos);

  DixonColesOptions map;
  map.xi_per_day = 0;
  map.prior_sd = 1;
  map.tolerance = 1e-12;
  auto m = DixonColesModel::Fit(ms, t, map);
  REQUIRE(m.ok());
  CHECK(m->converged());
  CHECK(m->iterations() < 20);
  CHECK(m->attack("C") < m->attack("B"));
  CHECK(m->attack("C") > 0.01);
  // Stationarity in log attack of C (the prior is centred on the league average, the geometric
  // mean attack, which is 1: log attack itself).
  double expected_c = 0;
  for (const MatchResult& r : ms) {
    if (r.home == "C") expected_c += m->attack("C") * m->defence(r.away) * m->home_advantage();
    if (r.away == "C") expected_c += m->attack("C") * m->defence(r.home);
  }
  CHECK(0.0 - expected_c - std::log(m->attack("C")) == Approx(0.0).margin(1e-8));
}

}  // namespace
}  // namespace superbet::ratings
