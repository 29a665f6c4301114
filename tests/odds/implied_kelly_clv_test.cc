// Tests of superbet/odds/implied.h, kelly.h and clv.h. Oracle: hand computations of the closed
// forms (values worked out below each call), ARCHITECTURE §4.6's break-even figures (50 % at odds
// 2.00, 33.3 % at 3.00), and the bad-input contract (InvalidArgument naming the value).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "superbet/odds/clv.h"
#include "superbet/odds/implied.h"
#include "superbet/odds/kelly.h"

namespace superbet::odds {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST_CASE("Implied probabilities and overround", "[odds]") {
  CHECK(*ImpliedProbability(2.0) == 0.5);
  CHECK(*ImpliedProbability(4.0) == 0.25);
  CHECK(*ImpliedProbability(1.6) == Approx(0.625).epsilon(1e-15));
  auto v = ImpliedProbabilities(std::vector<double>{2.0, 4.0, 5.0});
  REQUIRE(v.ok());
  CHECK(*v == std::vector<double>{0.5, 0.25, 0.2});
  // Man United v Fulham 16/08/2024 at Bet365: 1.6 / 4.2 / 5.25 → 1/1.6 + 1/4.2 + 1/5.25 − 1 = 3/56.
  CHECK(*Overround(std::vector<double>{1.6, 4.2, 5.25}) == Approx(3.0 / 56.0).epsilon(1e-13));
  CHECK(*Overround(std::vector<double>{2.0, 4.0, 4.0}) == 0.0);
  CHECK(*Overround(std::vector<double>{2.5, 2.5}) == Approx(-0.2).epsilon(1e-15));  // Arbitrage.
}

TEST_CASE("Break-even probabilities (ARCHITECTURE §4.6)", "[odds]") {
  CHECK(*BreakEvenProbability(2.0) == 0.5);
  CHECK(*BreakEvenProbability(3.0) == Approx(1.0 / 3.0).epsilon(1e-15));
  CHECK(*BreakEvenWinRate(2.0) == 0.5);
  CHECK(*BreakEvenWinRate(3.0) == Approx(0.3333333333333333).epsilon(1e-15));
}

TEST_CASE("Implied functions reject bad prices with the value in the message", "[odds]") {
  auto p = ImpliedProbability(0.97);
  REQUIRE(absl::IsInvalidArgument(p.status()));
  CHECK(Message(p.status()) == "decimal odds must be finite and > 1.0, got 0.97");
  CHECK(absl::IsInvalidArgument(ImpliedProbability(kNaN).status()));
  CHECK(absl::IsInvalidArgument(ImpliedProbability(kInf).status()));

  auto v = ImpliedProbabilities(std::vector<double>{2.0, 3.0, 0.97});
  REQUIRE(absl::IsInvalidArgument(v.status()));
  CHECK(Message(v.status()) == "decimal_odds[2] must be finite and > 1.0, got 0.97");
  CHECK(absl::IsInvalidArgument(ImpliedProbabilities(std::vector<double>{}).status()));

  auto o = Overround(std::vector<double>{2.0});
  REQUIRE(absl::IsInvalidArgument(o.status()));
  CHECK_THAT(Message(o.status()), Catch::Contains("at least 2"));
  CHECK_THAT(Message(o.status()), Catch::Contains("got 1"));
  o = Overround(std::vector<double>{2.0, -3.0});
  REQUIRE(absl::IsInvalidArgument(o.status()));
  CHECK(Message(o.status()) == "decimal_odds[1] must be finite and > 1.0, got -3");

  auto b = BreakEvenProbability(1.0);
  REQUIRE(absl::IsInvalidArgument(b.status()));
  CHECK_THAT(Message(b.status()), Catch::Contains("got 1"));
  b = BreakEvenWinRate(0.0);
  REQUIRE(absl::IsInvalidArgument(b.status()));
  CHECK(Message(b.status()) == "mean decimal odds must be finite and > 1.0, got 0");
}

TEST_CASE("Kelly fraction: hand-computed values", "[odds][kelly]") {
  // p = 0.5, o = 2.2: (1.1 − 1) / 1.2 = 1/12 = 0.08333…
  CHECK(*KellyFraction(0.5, 2.2) == Approx(1.0 / 12.0).epsilon(1e-14));
  // p = 0.6, o = 2.0: (1.2 − 1) / 1 = 0.2.
  CHECK(*KellyFraction(0.6, 2.0) == Approx(0.2).epsilon(1e-14));
  // Break-even price: zero edge, zero stake.
  CHECK(*KellyFraction(0.5, 2.0) == 0.0);
  // p = 1: stake everything.
  CHECK(*KellyFraction(1.0, 3.0) == 1.0);
}

TEST_CASE("Kelly fraction is not clamped on a negative edge", "[odds][kelly]") {
  // p = 0.4, o = 2.0: (0.8 − 1) / 1 = −0.2.
  CHECK(*KellyFraction(0.4, 2.0) == Approx(-0.2).epsilon(1e-14));
  // p = 0, o = 3: −1/2.
  CHECK(*KellyFraction(0.0, 3.0) == -0.5);
  // ... FractionalKelly stakes nothing there.
  CHECK(*FractionalKelly(0.4, 2.0, 1.0, 1.0) == 0.0);
  CHECK(*FractionalKelly(0.0, 3.0, 0.5, 0.05) == 0.0);
}

TEST_CASE("Fractional Kelly scales, then clamps to the cap", "[odds][kelly]") {
  // Quarter Kelly of 1/12 = 1/48 = 0.0208333…, under the 5 % cap.
  CHECK(*FractionalKelly(0.5, 2.2, 0.25, 0.05) == Approx(1.0 / 48.0).epsilon(1e-14));
  // Full Kelly of 0.2 is capped at 0.05 (ARCHITECTURE §4.5: stake ≤ 0.05·B).
  CHECK(*FractionalKelly(0.6, 2.0, 1.0, 0.05) == 0.05);
  // Half Kelly of 0.2 = 0.1, under a cap of 1.
  CHECK(*FractionalKelly(0.6, 2.0, 0.5, 1.0) == Approx(0.1).epsilon(1e-14));
}

TEST_CASE("Expected value per unit staked", "[odds][kelly]") {
  CHECK(*ExpectedValue(0.5, 2.2) == Approx(0.1).epsilon(1e-14));
  CHECK(*ExpectedValue(0.5, 2.0) == 0.0);
  CHECK(*ExpectedValue(0.25, 3.0) == Approx(-0.25).epsilon(1e-14));
  CHECK(*ExpectedValue(0.0, 5.0) == -1.0);
}

TEST_CASE("Kelly and EV reject bad inputs naming the value", "[odds][kelly]") {
  auto k = KellyFraction(1.2, 2.0);
  REQUIRE(absl::IsInvalidArgument(k.status()));
  CHECK(Message(k.status()) == "probability must be finite and in [0, 1], got 1.2");
  k = KellyFraction(-0.1, 2.0);
  REQUIRE(absl::IsInvalidArgument(k.status()));
  CHECK_THAT(Message(k.status()), Catch::Contains("-0.1"));
  CHECK(absl::IsInvalidArgument(KellyFraction(kNaN, 2.0).status()));
  k = KellyFraction(0.5, 1.0);
  REQUIRE(absl::IsInvalidArgument(k.status()));
  CHECK(Message(k.status()) == "decimal_odds must be finite and > 1.0, got 1");
  CHECK(absl::IsInvalidArgument(KellyFraction(0.5, kInf).status()));

  auto f = FractionalKelly(0.5, 2.2, 0.0, 0.05);
  REQUIRE(absl::IsInvalidArgument(f.status()));
  CHECK(Message(f.status()) == "multiplier must be finite and in (0, 1], got 0");
  f = FractionalKelly(0.5, 2.2, 1.5, 0.05);
  REQUIRE(absl::IsInvalidArgument(f.status()));
  CHECK_THAT(Message(f.status()), Catch::Contains("1.5"));
  f = FractionalKelly(0.5, 2.2, 0.25, 1.01);
  REQUIRE(absl::IsInvalidArgument(f.status()));
  CHECK(Message(f.status()) == "cap must be finite and in (0, 1], got 1.01");
  CHECK(absl::IsInvalidArgument(FractionalKelly(0.5, 0.9, 0.25, 0.05).status()));

  auto e = ExpectedValue(0.5, 0.97);
  REQUIRE(absl::IsInvalidArgument(e.status()));
  CHECK_THAT(Message(e.status()), Catch::Contains("0.97"));
  CHECK(absl::IsInvalidArgument(ExpectedValue(2.0, 2.0).status()));
}

TEST_CASE("Closing line value: taken / closing − 1", "[odds][clv]") {
  CHECK(*ClosingLineValue(2.1, 2.0) == Approx(0.05).epsilon(1e-14));  // Beat the close by 5 %.
  CHECK(*ClosingLineValue(2.0, 2.0) == 0.0);
  CHECK(*ClosingLineValue(1.8, 2.0) == Approx(-0.1).epsilon(1e-14));
  auto c = ClosingLineValue(0.0, 2.0);
  REQUIRE(absl::IsInvalidArgument(c.status()));
  CHECK(Message(c.status()) == "taken_decimal_odds must be finite and > 1.0, got 0");
  c = ClosingLineValue(2.0, kNaN);
  REQUIRE(absl::IsInvalidArgument(c.status()));
  CHECK_THAT(Message(c.status()), Catch::Contains("closing_decimal_odds"));
  CHECK_THAT(Message(c.status()), Catch::Contains("nan"));
}

}  // namespace
}  // namespace superbet::odds
