// PreMatchEnv and pre-match feature tests on the real E0 files.
//
// Oracles:
//  * no look-ahead: every result and statistic of a match not over by the kickoff of step t, and
//    every price of a later kickoff, is altered; the observations and the (learning, ε-greedy,
//    seeded) worker's decisions of steps 0..t must stay bit-identical, while later observations
//    change (so the alteration is seen at all);
//  * form and goal features against a brute-force recomputation here from the fixtures and the
//    "over by kickoff" rule (kickoff + 2 h 15 min; end of the UTC date without a time);
//  * margin-free market probabilities against 1/o normalised by hand for E0_1516 row 2
//    (Bournemouth v Aston Villa, Bet365 2.00 3.60 4.00);
//  * absent stays absent: injuries are always masked with value 0; a team's first match has no
//    form.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "superbet/hrl/env.h"
#include "superbet/hrl/prematch.h"
#include "superbet/model/fixture.h"
#include "superbet/providers/football_data/football_data.h"
#include "support/test_data.h"

namespace superbet::hrl {
namespace {

namespace fd = superbet::providers::football_data;
using superbet::v1::BettingLine;
using superbet::v1::Fixture;

struct Data {
  std::vector<Fixture> fixtures;
  std::vector<BettingLine> lines;
};

Data Load(std::initializer_list<const char*> files) {
  Data d;
  for (const char* f : files) {
    auto s = fd::LoadSeasonFile(superbet::testing::DataPath(std::string("football-data/") + f),
                                fd::ParseMode::kLenient);
    REQUIRE(s.ok());
    d.fixtures.insert(d.fixtures.end(), s->fixtures.begin(), s->fixtures.end());
    for (const BettingLine& l : s->lines) {
      if (l.bookmaker() == "Bet365" && l.market() == superbet::v1::MARKET_1X2) d.lines.push_back(l);
    }
  }
  return d;
}

struct Run {
  std::vector<PreMatchObservation> obs;
  std::vector<PreMatchAction> actions;
};

// One learning pass of a seeded tabular-Q worker over the env.
Run Walk(const Data& d, const PreMatchEnvOptions& options) {
  auto env = PreMatchEnv::Create(d.fixtures, d.lines, options);
  REQUIRE(env.ok());
  TabularQOptions qo;
  qo.seed = 42;
  qo.epsilon_decay_steps = 200;
  auto worker = TabularQWorker::Create(qo);
  REQUIRE(worker.ok());
  Run run;
  std::vector<WorkerDecision> decisions;
  while (!env->done()) {
    run.obs.push_back(env->Observe());
    decisions.push_back((*worker)->Act(env->Observe(), true));
    run.actions.push_back(decisions.back().action);
    REQUIRE(env->Act(decisions.back().action, decisions.back().confidence).ok());
    for (const SettledStep& s : env->TakeSettled()) {
      (*worker)->Learn(env->ObserveAt(s.step), decisions[s.step], s, true);
    }
  }
  return run;
}

bool SameObservation(const PreMatchObservation& a, const PreMatchObservation& b) {
  return a.match_id == b.match_id && a.decimal_odds == b.decimal_odds && a.value == b.value &&
         a.mask == b.mask && a.kickoff == b.kickoff;
}

PreMatchEnvOptions Options() {
  PreMatchEnvOptions o;
  o.step_seasons = {"2015/16"};
  return o;
}

TEST_CASE("prematch env: altering results and prices after step t changes nothing up to t",
          "[env][lookahead]") {
  const Data original = Load({"E0_1415.csv", "E0_1516.csv"});
  const Run base = Walk(original, Options());
  REQUIRE(base.obs.size() == 380);
  const int t = 200;
  const absl::Time kickoff_t = base.obs[t].kickoff;
  Data altered = original;
  std::map<std::string, absl::Time> kickoff_of;
  for (Fixture& f : altered.fixtures) {
    kickoff_of[f.id()] = *model::KickoffTime(f);
    if (MatchEnd(f) > kickoff_t && f.has_full_time()) {  // Not over by step t's kickoff.
      f.mutable_full_time()->set_home(f.full_time().away() + 3);
      f.mutable_full_time()->set_away(0);
      (*f.mutable_statistics())["home.shots"] = 99;
    }
  }
  for (BettingLine& l : altered.lines) {
    if (kickoff_of[l.fixture_id()] > kickoff_t || l.is_closing())
      l.set_decimal_odds(l.decimal_odds() * 1.5);
  }
  const Run changed = Walk(altered, Options());
  REQUIRE(changed.obs.size() == base.obs.size());
  for (int i = 0; i <= t; ++i) {
    INFO("step " << i << " " << base.obs[i].match_id);
    CHECK(SameObservation(base.obs[i], changed.obs[i]));
    CHECK(base.actions[i] == changed.actions[i]);
  }
  int later_differ = 0;
  for (size_t i = t + 1; i < base.obs.size(); ++i) {
    later_differ += SameObservation(base.obs[i], changed.obs[i]) ? 0 : 1;
  }
  CHECK(later_differ > 150);  // The alteration is visible once known.
}

TEST_CASE("prematch env: form and goals match a brute-force recomputation", "[env][features]") {
  const Data d = Load({"E0_1415.csv", "E0_1516.csv"});
  auto env = PreMatchEnv::Create(d.fixtures, d.lines, Options());
  REQUIRE(env.ok());
  int checked = 0;
  for (int64_t i = 0; i < env->size(); ++i) {
    const PreMatchObservation& o = env->ObserveAt(i);
    // Oracle: the home team's finished matches, by end time, over by o.kickoff; last 5.
    std::vector<std::pair<absl::Time, const Fixture*>> done;
    for (const Fixture& f : d.fixtures) {
      if ((f.home().name() == o.home || f.away().name() == o.home) && f.has_full_time() &&
          MatchEnd(f) <= o.kickoff) {
        done.emplace_back(MatchEnd(f), &f);
      }
    }
    std::stable_sort(done.begin(), done.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    if (done.size() > 5) done.erase(done.begin(), done.end() - 5);
    if (done.size() < 3) {
      CHECK(o.mask[kFormHome] == 0);
      CHECK(o.value[kFormHome] == 0);
      continue;
    }
    double pts = 0, gf = 0;
    for (const auto& [end, f] : done) {
      const bool home = f->home().name() == o.home;
      const int us = home ? f->full_time().home() : f->full_time().away();
      const int them = home ? f->full_time().away() : f->full_time().home();
      pts += us > them ? 3 : us == them ? 1 : 0;
      gf += us;
    }
    REQUIRE(o.mask[kFormHome] == 1);
    CHECK(o.value[kFormHome] == Approx(pts / done.size() / 3.0).epsilon(1e-6));
    CHECK(o.value[kGoalsForHome] == Approx(gf / done.size() / 3.0).epsilon(1e-6));
    CHECK(o.mask[kInjuriesHome] == 0);
    CHECK(o.value[kInjuriesAway] == 0);
    CHECK(o.mask[kLineMoveHome] == 0);  // Decisions at the opening prices: no movement.
    ++checked;
  }
  CHECK(checked > 300);
  CHECK(env->dixon_coles_fits() > 20);
}

TEST_CASE("prematch env: market probabilities and Dixon-Coles slots", "[env][features]") {
  const Data d = Load({"E0_1415.csv", "E0_1516.csv"});
  auto env = PreMatchEnv::Create(d.fixtures, d.lines, Options());
  REQUIRE(env.ok());
  const PreMatchObservation& first = env->ObserveAt(0);
  // E0_1516.csv row 2: Bournemouth v Aston Villa, B365 2.00 3.60 4.00.
  REQUIRE(first.home == "Bournemouth");
  const double s = 1 / 2.0 + 1 / 3.6 + 1 / 4.0;
  CHECK(first.value[kMarketHome] == Approx(0.5 / s).epsilon(1e-6));
  CHECK(first.value[kMarketAway] == Approx(0.25 / s).epsilon(1e-6));
  // Bournemouth were promoted: no 2014/15 match, so no form and no Dixon-Coles rating.
  CHECK(first.mask[kFormHome] == 0);
  CHECK(first.mask[kDcHome] == 0);
  int rated = 0;
  for (int64_t i = 0; i < env->size(); ++i) {
    const auto& o = env->ObserveAt(i);
    if (o.mask[kDcHome] == 1) {
      ++rated;
      CHECK(o.value[kDcHome] + o.value[kDcDraw] + o.value[kDcAway] == Approx(1).epsilon(1e-4));
    }
  }
  CHECK(rated > 300);
}

TEST_CASE("prematch env: closing decisions observe the line movement", "[env][features]") {
  const Data d = Load({"E0_2324.csv", "E0_2425.csv"});
  PreMatchEnvOptions o;
  o.step_seasons = {"2024/25"};
  o.decide_at_closing = true;
  auto env = PreMatchEnv::Create(d.fixtures, d.lines, o);
  REQUIRE(env.ok());
  REQUIRE(env->size() == 380);
  // E0_2425.csv row 2: Man United v Fulham, B365 1.60 4.20 5.25, closing 1.67 4.10 5.00.
  const PreMatchObservation& first = env->ObserveAt(0);
  CHECK(first.decimal_odds[0] == 1.67);
  auto mf = [](double h, double dr, double a) { return (1 / h) / (1 / h + 1 / dr + 1 / a); };
  CHECK(first.mask[kLineMoveHome] == 1);
  CHECK(first.value[kLineMoveHome] ==
        Approx(mf(1.67, 4.1, 5.0) - mf(1.6, 4.2, 5.25)).epsilon(1e-5));
}

TEST_CASE("prematch env: settlement at the decision price and reward", "[env]") {
  const Data d = Load({"E0_1415.csv", "E0_1516.csv"});
  auto env = PreMatchEnv::Create(d.fixtures, d.lines, Options());
  REQUIRE(env.ok());
  // Step 0: Bournemouth 0-1 Aston Villa (away win at 4.00). Back away with confidence 1.
  REQUIRE(env->Act(PreMatchAction::kBackAway, 1.0).ok());
  std::vector<SettledStep> settled;
  while (settled.empty() && !env->done()) {
    REQUIRE(env->Act(PreMatchAction::kNoBet, 0.5).ok());
    settled = env->TakeSettled();
  }
  REQUIRE(!settled.empty());
  const SettledStep& s = settled[0];
  CHECK(s.step == 0);
  CHECK(s.outcome == 2);
  CHECK(s.stake == Approx(500));
  CHECK(s.payout == Approx(2000));
  // R = ROI/(σρ) with σ = 1, ρ = 0.5; B = 11 500 >= 0.8 B0; τ = 0; WR = 1, ō = 4.
  const double roi = 1500 / (500 + 1e-6);
  CHECK(s.reward.reward == Approx(roi / (0.5 + 1e-6) + 0.2 * (1 - 1 / (4 + 1e-6))));
  CHECK_FALSE(env->Act(PreMatchAction::kNoBet, 1.5).ok());
}

}  // namespace
}  // namespace superbet::hrl
