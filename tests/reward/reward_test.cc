// Tests of superbet/reward/reward.h (ARCHITECTURE §4.6).
//
// Oracles: each term computed by hand from the §4.6 formula (the arithmetic is written beside each
// value); the total cross-checked against the seed's own compute_reward in
// ../shared/anchors/original_design.py, which gives 13.774439939763484 for
// (σ 0.2, ρ 0.4, B 8000, B₀ 10000, ō 2.1, WR 0.6, payout 210, stake 100, τ 45 s) and
// -0.9619992666672671 for (σ 1.0, ρ 1.2, B 4000, B₀ 10000, ō 3.0, WR 0.3, payout 0, stake 50,
// τ 600 s). Properties: §4.6's stated consequences.
#include "superbet/reward/reward.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace superbet::reward {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The seed benchmark's inputs: a won bet of 100 at 2.10 (payout 210).
RewardInputs SeedInputs() {
  RewardInputs in;
  in.payout = 210.0;
  in.stake = 100.0;
  in.sigma = 0.2;
  in.rho = 0.4;
  in.budget_remaining = 8000.0;
  in.initial_budget = 10000.0;
  in.data_staleness_s = 45.0;
  in.win_rate_last10 = 0.6;
  in.mean_decimal_odds_last10 = 2.1;
  return in;
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST_CASE("Each term and the total of a won bet, by hand", "[reward]") {
  auto t = ComputeReward(SeedInputs());
  REQUIRE(t.ok());
  // ROI = (210 − 100) / (100 + 1e-6) = 1.099999989.
  CHECK(t->roi == Approx(1.099999989).epsilon(1e-15));
  // ROI / (0.2·0.4 + 1e-6) = 1.099999989 / 0.080001 = 13.749827989650127.
  CHECK(t->risk_adjusted_return == Approx(13.749827989650127).epsilon(1e-14));
  // 0.3 · max(0, 0.8 − 8000/10000) = 0.
  CHECK(t->budget_penalty == 0.0);
  // 0.001 · 45/300 = 0.00015.
  CHECK(t->staleness_penalty == Approx(0.00015).epsilon(1e-14));
  // 0.2 · (0.6 − 1/(2.1 + 1e-6)) = 0.2 · (0.6 − 0.476190249…) = 0.024761950113357092.
  CHECK(t->win_rate_bonus == Approx(0.024761950113357092).epsilon(1e-12));
  // 13.749827989650127 − 0 − 0.00015 + 0.024761950113357092; original_design.py gives the same.
  CHECK(t->reward == Approx(13.774439939763484).epsilon(1e-14));
}

TEST_CASE("Each term and the total of a lost bet below the budget floor, by hand", "[reward]") {
  RewardInputs in;
  in.payout = 0.0;
  in.stake = 50.0;
  in.sigma = 1.0;
  in.rho = 1.2;
  in.budget_remaining = 4000.0;
  in.initial_budget = 10000.0;
  in.data_staleness_s = 600.0;
  in.win_rate_last10 = 0.3;
  in.mean_decimal_odds_last10 = 3.0;
  auto t = ComputeReward(in);
  REQUIRE(t.ok());
  // (0 − 50) / (50 + 1e-6) = −0.99999998000000040.
  CHECK(t->roi == Approx(-0.9999999800000005).epsilon(1e-15));
  // −0.99999998 / (1.2 + 1e-6) = −0.8333326222228152.
  CHECK(t->risk_adjusted_return == Approx(-0.8333326222228152).epsilon(1e-14));
  // 0.3 · (0.8 − 0.4) = 0.12.
  CHECK(t->budget_penalty == Approx(0.12).epsilon(1e-14));
  // 0.001 · 600/300 = 0.002.
  CHECK(t->staleness_penalty == Approx(0.002).epsilon(1e-14));
  // 0.2 · (0.3 − 1/3.000001) = −0.006666644444451853.
  CHECK(t->win_rate_bonus == Approx(-0.006666644444451853).epsilon(1e-10));
  CHECK(t->reward == Approx(-0.9619992666672671).epsilon(1e-14));
}

TEST_CASE("The total is the sum of its terms", "[reward]") {
  RewardInputs in = SeedInputs();
  in.budget_remaining = 1234.5;
  in.data_staleness_s = 17.0;
  auto t = ComputeReward(in);
  REQUIRE(t.ok());
  CHECK(t->reward ==
        t->risk_adjusted_return - t->budget_penalty - t->staleness_penalty + t->win_rate_bonus);
}

TEST_CASE("Reward strictly decreases as the data grows stale", "[reward]") {
  RewardInputs in = SeedInputs();
  double previous = std::numeric_limits<double>::infinity();
  for (double tau : {0.0, 0.5, 1.0, 5.0, 30.0, 60.0, 120.0, 299.0, 300.0, 301.0, 900.0, 3600.0}) {
    in.data_staleness_s = tau;
    auto t = ComputeReward(in);
    REQUIRE(t.ok());
    INFO("tau = " << tau);
    CHECK(t->reward < previous);
    previous = t->reward;
  }
  // Within 5 min the term stays <= 0.001 (C20), reaching it at 300 s.
  in.data_staleness_s = 300.0;
  CHECK(ComputeReward(in)->staleness_penalty == Approx(0.001).epsilon(1e-15));
}

TEST_CASE("Budget penalty is exactly 0 for every B >= 0.8·B0 and 0.24 at B = 0", "[reward]") {
  RewardInputs in = SeedInputs();
  for (double b0 : {1.0, 3.0, 7.0, 100.0, 999.99, 10000.0, 123456.789}) {
    in.initial_budget = b0;
    for (double f : {0.8, 0.80000001, 0.85, 0.9, 0.999, 1.0, 1.5, 10.0}) {
      in.budget_remaining = f * b0;
      auto t = ComputeReward(in);
      REQUIRE(t.ok());
      INFO("B0 = " << b0 << ", B/B0 = " << f);
      CHECK(t->budget_penalty == 0.0);
    }
    // Just below the floor the penalty is positive and tiny...
    in.budget_remaining = std::nextafter(0.8 * b0, 0.0);
    CHECK(ComputeReward(in)->budget_penalty >= 0.0);
    in.budget_remaining = 0.79 * b0;
    CHECK(ComputeReward(in)->budget_penalty == Approx(0.003).epsilon(1e-9));  // 0.3 · 0.01
    // ... and 0.3 · 0.8 = 0.24 at B = 0.
    in.budget_remaining = 0.0;
    CHECK(ComputeReward(in)->budget_penalty == Approx(0.24).epsilon(1e-15));
  }
}

TEST_CASE("Break-even bonus is 0 at the break-even win rate for odds 2.0 and 3.0", "[reward]") {
  RewardInputs in = SeedInputs();
  // Odds 2.00: break-even 1/(2 + 1e-6) = 0.49999975…, so WR 0.5 earns 0.2·2.5e-7 ≈ 5e-8.
  in.mean_decimal_odds_last10 = 2.0;
  in.win_rate_last10 = 0.5;
  CHECK(ComputeReward(in)->win_rate_bonus == Approx(0.2 * (0.5 - 1.0 / 2.000001)).epsilon(1e-9));
  CHECK(std::fabs(ComputeReward(in)->win_rate_bonus) < 1e-7);
  in.win_rate_last10 = 0.7;  // 0.2 · (0.7 − 0.5) ≈ 0.04.
  CHECK(ComputeReward(in)->win_rate_bonus == Approx(0.04).epsilon(1e-5));
  // Odds 3.00: break-even 1/3 (33.3 %).
  in.mean_decimal_odds_last10 = 3.0;
  in.win_rate_last10 = 1.0 / 3.0;
  CHECK(std::fabs(ComputeReward(in)->win_rate_bonus) < 1e-7);
  in.win_rate_last10 = 0.3;  // Below break-even: a negative bonus, 0.2 · (0.3 − 0.3333) ≈ −0.00667.
  CHECK(ComputeReward(in)->win_rate_bonus == Approx(-0.2 / 30.0).epsilon(1e-5));
}

TEST_CASE("no_bet (stake 0, payout 0) gives ROI 0, the other terms still apply", "[reward]") {
  RewardInputs in = SeedInputs();
  in.stake = 0.0;
  in.payout = 0.0;
  in.budget_remaining = 5000.0;
  auto t = ComputeReward(in);
  REQUIRE(t.ok());
  CHECK(t->roi == 0.0);
  CHECK(t->risk_adjusted_return == 0.0);
  CHECK(t->budget_penalty == Approx(0.09).epsilon(1e-14));  // 0.3 · (0.8 − 0.5)
  CHECK(t->staleness_penalty == Approx(0.00015).epsilon(1e-14));
  CHECK(t->reward == Approx(-0.09 - 0.00015 + t->win_rate_bonus).epsilon(1e-14));
}

TEST_CASE("A void bet (payout = stake) has ROI 0", "[reward]") {
  RewardInputs in = SeedInputs();
  in.payout = in.stake;
  CHECK(ComputeReward(in)->roi == 0.0);
}

TEST_CASE("Options change the coefficients", "[reward]") {
  RewardOptions options;
  options.budget_coefficient = 0.1;  // A rejected earlier form (§4.6): 0.1 and no staleness term.
  options.staleness_coefficient = 0.0;
  RewardInputs in = SeedInputs();
  in.budget_remaining = 0.0;
  auto t = ComputeReward(in, options);
  REQUIRE(t.ok());
  CHECK(t->budget_penalty == Approx(0.08).epsilon(1e-15));
  CHECK(t->staleness_penalty == 0.0);
}

TEST_CASE("Rho = 0.5 + (1 − confidence), confidence clamped to [0, 1]", "[reward]") {
  CHECK(Rho(1.0) == 0.5);
  CHECK(Rho(0.0) == 1.5);
  CHECK(Rho(0.75) == 0.75);
  CHECK(Rho(0.4) == Approx(1.1).epsilon(1e-15));
  CHECK(Rho(1.7) == 0.5);
  CHECK(Rho(-3.0) == 1.5);
  CHECK(Rho(kNaN) == 1.5);
}

TEST_CASE("Sigma: sd of 1-min log-odds changes / training median, floored", "[reward]") {
  // Prices 2.0, 2.2, 2.0, 2.2: changes +ln 1.1, −ln 1.1, +ln 1.1; mean ln1.1/3; sample sd =
  // ln 1.1 · sqrt(((2/3)² + (4/3)² + (2/3)²) / 2) = ln 1.1 · sqrt(4/3) = 0.110058….
  const std::vector<double> odds = {2.0, 2.2, 2.0, 2.2};
  const double sd = std::log(1.1) * std::sqrt(4.0 / 3.0);
  CHECK(*Sigma(odds, sd) == Approx(1.0).epsilon(1e-14));  // As volatile as the median market.
  CHECK(*Sigma(odds, 0.05) == Approx(sd / 0.05).epsilon(1e-14));
  // A price that never moves has sd 0 → the floor 0.1 (or the one given).
  const std::vector<double> flat(16, 1.85);
  CHECK(*Sigma(flat, 0.02) == 0.1);
  CHECK(*Sigma(flat, 0.02, 0.25) == 0.25);
  // A steady drift (constant log change) has sd 0 too.
  CHECK(*Sigma(std::vector<double>{2.0, 2.2, 2.42, 2.662}, 0.02) == 0.1);
}

TEST_CASE("Sigma: bit for bit the two-pass formula, errors name the bad price", "[reward]") {
  // Oracle: the two-pass sample sd written out (mean of the log changes, then squared
  // deviations), the order Sigma sums in; exact equality, as the live decider's feature needs.
  const std::vector<double> odds = {2.1, 2.05, 2.2, 2.18, 2.3, 2.25, 2.4, 2.35,
                                    2.5, 2.45, 2.6, 2.55, 2.7, 2.62, 2.8, 2.75};
  double mean = 0.0;
  for (size_t i = 1; i < odds.size(); ++i) mean += std::log(odds[i] / odds[i - 1]);
  mean /= static_cast<double>(odds.size() - 1);
  double ss = 0.0;
  for (size_t i = 1; i < odds.size(); ++i) {
    const double d = std::log(odds[i] / odds[i - 1]) - mean;
    ss += d * d;
  }
  const double sd = std::sqrt(ss / static_cast<double>(odds.size() - 2));
  CHECK(*Sigma(odds, 0.01) == std::max(0.1, sd / 0.01));
  const absl::StatusOr<double> bad = Sigma(std::vector<double>{2.0, 2.1, 0.97, 2.2}, 0.01);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.status().message() == "one_minute_decimal_odds[2] must be finite and > 1.0, got 0.97");
}

TEST_CASE("ComputeReward rejects each bad input naming the field and value", "[reward]") {
  struct Case {
    const char* field;
    double RewardInputs::*member;
    double value;
  };
  const std::vector<Case> cases = {
      {"payout", &RewardInputs::payout, -1.0},
      {"stake", &RewardInputs::stake, -5.0},
      {"stake", &RewardInputs::stake, kNaN},
      {"sigma", &RewardInputs::sigma, -0.1},
      {"rho", &RewardInputs::rho, std::numeric_limits<double>::infinity()},
      {"budget_remaining", &RewardInputs::budget_remaining, -100.0},
      {"initial_budget", &RewardInputs::initial_budget, 0.0},
      {"data_staleness_s", &RewardInputs::data_staleness_s, -2.0},
      {"win_rate_last10", &RewardInputs::win_rate_last10, 1.1},
      {"mean_decimal_odds_last10", &RewardInputs::mean_decimal_odds_last10, 0.97},
  };
  for (const Case& c : cases) {
    RewardInputs in = SeedInputs();
    in.*c.member = c.value;
    auto t = ComputeReward(in);
    INFO(c.field << " = " << c.value);
    REQUIRE(absl::IsInvalidArgument(t.status()));
    CHECK_THAT(Message(t.status()), Catch::StartsWith(c.field));
  }
  RewardInputs in = SeedInputs();
  in.stake = -5.0;
  CHECK(Message(ComputeReward(in).status()) == "stake must be finite and >= 0, got -5");
  in = SeedInputs();
  in.mean_decimal_odds_last10 = 0.97;
  CHECK(Message(ComputeReward(in).status()) ==
        "mean_decimal_odds_last10 must be finite and > 1.0, got 0.97");
  in = SeedInputs();
  in.win_rate_last10 = 1.1;
  CHECK_THAT(Message(ComputeReward(in).status()), Catch::Contains("got 1.1"));
}

TEST_CASE("ComputeReward rejects bad options naming the option and value", "[reward]") {
  RewardOptions o;
  o.epsilon = 0.0;
  auto t = ComputeReward(SeedInputs(), o);
  REQUIRE(absl::IsInvalidArgument(t.status()));
  CHECK(Message(t.status()) == "options.epsilon must be finite and > 0, got 0");
  o = RewardOptions();
  o.staleness_scale_s = -300.0;
  t = ComputeReward(SeedInputs(), o);
  REQUIRE(absl::IsInvalidArgument(t.status()));
  CHECK_THAT(Message(t.status()), Catch::Contains("-300"));
  o = RewardOptions();
  o.budget_floor_fraction = 1.2;
  CHECK(absl::IsInvalidArgument(ComputeReward(SeedInputs(), o).status()));
  o = RewardOptions();
  o.win_rate_coefficient = kNaN;
  CHECK(absl::IsInvalidArgument(ComputeReward(SeedInputs(), o).status()));
}

TEST_CASE("Sigma rejects bad inputs naming the index and value", "[reward]") {
  auto s = Sigma(std::vector<double>{2.0, 2.1, 0.0, 2.2}, 0.02);
  REQUIRE(absl::IsInvalidArgument(s.status()));
  CHECK(Message(s.status()) == "one_minute_decimal_odds[2] must be finite and > 1.0, got 0");
  s = Sigma(std::vector<double>{2.0, 2.1}, 0.02);
  REQUIRE(absl::IsInvalidArgument(s.status()));
  CHECK_THAT(Message(s.status()), Catch::Contains("at least 3 prices, got 2"));
  s = Sigma(std::vector<double>{2.0, 2.1, 2.2}, 0.0);
  REQUIRE(absl::IsInvalidArgument(s.status()));
  CHECK(Message(s.status()) == "training_median_sd must be finite and > 0, got 0");
  s = Sigma(std::vector<double>{2.0, 2.1, 2.2}, 0.02, -0.1);
  REQUIRE(absl::IsInvalidArgument(s.status()));
  CHECK_THAT(Message(s.status()), Catch::Contains("floor"));
  CHECK_THAT(Message(s.status()), Catch::Contains("-0.1"));
}

}  // namespace
}  // namespace superbet::reward
