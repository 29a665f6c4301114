// UCB1 manager tests.
//
// Oracles: the UCB1 formula of Auer, Cesa-Bianchi & Fischer (2002) evaluated by hand here (not by
// the code under test) for scripted histories; the tie rules and stake rule written in manager.h
// (equal scores: lower n_i, then live before prematch; 5 % of the remaining budget, skipped
// below the minimum); and a scripted two-armed Bernoulli bandit whose best arm is known.

#include "superbet/hrl/manager.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

namespace superbet::hrl {
namespace {

constexpr std::array<bool, 2> kBoth = {true, true};

TEST_CASE("manager: scores start at 1.0 and the first tie goes to live", "[manager]") {
  auto m = Manager::Create();
  REQUIRE(m.ok());
  CHECK(m->Score(Worker::kLive) == 1.0);
  CHECK(m->Score(Worker::kPreMatch) == 1.0);
  auto a = m->Allocate(kBoth, 1.0, 1.0, 0);
  REQUIRE(a.ok());
  CHECK(a->worker == Worker::kLive);
  CHECK(a->stake == Approx(500.0));  // 5 % of B0 = 10 000.
}

TEST_CASE("manager: equal scores go to the worker with fewer bets placed", "[manager]") {
  auto m = Manager::Create();
  REQUIRE(m.ok());
  REQUIRE(m->Placed(Worker::kLive, 100).ok());  // n_live = 1, n_pre = 0, N = 0: both 1.0.
  auto a = m->Allocate(kBoth, 1.0, 1.0, 0);
  REQUIRE(a.ok());
  CHECK(a->worker == Worker::kPreMatch);
}

TEST_CASE("manager: UCB1 score by hand after scripted bets", "[manager]") {
  auto m = Manager::Create();
  REQUIRE(m.ok());
  // Live: 3 bets, 2 won; prematch: 1 bet, lost.  N = 4.
  for (bool won : {true, false, true}) {
    REQUIRE(m->Placed(Worker::kLive, 10).ok());
    REQUIRE(m->Settled(Worker::kLive, 10, won ? 25 : 0).ok());
  }
  REQUIRE(m->Placed(Worker::kPreMatch, 10).ok());
  REQUIRE(m->Settled(Worker::kPreMatch, 10, 0).ok());
  const double live = 2.0 / 3.0 + std::sqrt(2.0 * std::log(4.0) / 4.0);
  const double pre = 0.0 + std::sqrt(2.0 * std::log(4.0) / 2.0);
  CHECK(m->Score(Worker::kLive) == Approx(live).epsilon(1e-12));
  CHECK(m->Score(Worker::kPreMatch) == Approx(pre).epsilon(1e-12));
  auto a = m->Allocate(kBoth, 1.2, 0.9, 30);
  REQUIRE(a.ok());
  CHECK(a->worker == (live > pre ? Worker::kLive : Worker::kPreMatch));
  // The six-component state vector, in order.
  const auto s = a->state.ToArray();
  CHECK(s[0] == Approx((10000.0 - 40 + 50) / 10000.0));
  CHECK(s[1] == 1.2);
  CHECK(s[2] == 0.9);
  CHECK(s[3] == Approx(2.0 / 3.0));
  CHECK(s[4] == 0.0);
  CHECK(s[5] == Approx(0.1));
  // A void (payout == stake) is not a win.
  REQUIRE(m->Placed(Worker::kPreMatch, 10).ok());
  REQUIRE(m->Settled(Worker::kPreMatch, 10, 10).ok());
  CHECK(m->WinRate(Worker::kPreMatch) == 0.0);
}

TEST_CASE("manager: the win rate covers only the last 10 settled bets", "[manager]") {
  auto m = Manager::Create();
  REQUIRE(m.ok());
  for (int i = 0; i < 10; ++i) {  // 10 wins, then 5 losses: last 10 = 5 wins.
    REQUIRE(m->Placed(Worker::kPreMatch, 1).ok());
    REQUIRE(m->Settled(Worker::kPreMatch, 1, 2).ok());
  }
  for (int i = 0; i < 5; ++i) {
    REQUIRE(m->Placed(Worker::kPreMatch, 1).ok());
    REQUIRE(m->Settled(Worker::kPreMatch, 1, 0).ok());
  }
  CHECK(m->WinRate(Worker::kPreMatch) == Approx(0.5));
}

TEST_CASE("manager: stake is 5 % of the remaining budget and skipped below the minimum",
          "[manager]") {
  ManagerOptions o;
  o.initial_budget = 100;
  o.min_stake = 2;
  auto m = Manager::Create(o);
  REQUIRE(m.ok());
  REQUIRE(m->Placed(Worker::kPreMatch, 70).ok());  // B = 30: 5 % = 1.5 < 2.
  auto a = m->Allocate({false, true}, 1, 1, 0);
  REQUIRE(a.ok());
  CHECK(a->skipped);
  CHECK(a->stake == 0);
  CHECK_FALSE(m->Placed(Worker::kPreMatch, 31).ok());  // Never more than B.
  CHECK_FALSE(m->Allocate({false, false}, 1, 1, 0).ok());
  CHECK_FALSE(Manager::Create({.initial_budget = 0}).ok());
}

TEST_CASE("manager: UCB1 finds the better arm of a scripted Bernoulli bandit", "[manager]") {
  // Live wins with probability 0.3, prematch with 0.7 (payout 2 x stake on a win).
  auto m = Manager::Create();
  REQUIRE(m.ok());
  std::mt19937_64 rng(7);
  int pulls[2] = {0, 0};
  for (int t = 0; t < 2000; ++t) {
    auto a = m->Allocate(kBoth, 1, 1, 0);
    REQUIRE(a.ok());
    const int arm = static_cast<int>(a->worker);
    ++pulls[arm];
    const double p = arm == 0 ? 0.3 : 0.7;
    const bool won = static_cast<double>(rng() >> 11) * 0x1.0p-53 < p;
    REQUIRE(m->Placed(a->worker, 1).ok());
    REQUIRE(m->Settled(a->worker, 1, won ? 2 : 0).ok());
  }
  CHECK(pulls[1] > 3 * pulls[0]);
  CHECK(m->placed(Worker::kPreMatch) == pulls[1]);
}

}  // namespace
}  // namespace superbet::hrl
