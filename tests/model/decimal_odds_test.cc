// Tests of superbet/model/decimal_odds.h. Oracle: the definition (finite and > 1.0; implied
// probability 1/o computed by hand).
#include "superbet/model/decimal_odds.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

namespace superbet::model {
namespace {

TEST_CASE("ValidateDecimalOdds accepts prices above 1.0", "[model][odds]") {
  CHECK(ValidateDecimalOdds(1.01).ok());
  CHECK(ValidateDecimalOdds(2.2, "B365H").ok());
  CHECK(ValidateDecimalOdds(1000.0).ok());  // kMaxDecimalOdds itself: the exchange's top price.
  CHECK(ValidateDecimalOdds(std::nextafter(1.0, 2.0)).ok());
}

TEST_CASE("ValidateDecimalOdds rejects absurd finite prices above kMaxDecimalOdds",
          "[model][odds]") {
  // Issue 12 item 2: 1e308 was accepted and turned a backtest's P&L into inf/NaN.
  absl::Status s = ValidateDecimalOdds(1e308, "E0_2425.csv:6:B365H");
  REQUIRE(absl::IsInvalidArgument(s));
  CHECK(s.message() == "decimal odds must be <= 1000, got 1e+308 (E0_2425.csv:6:B365H)");
  CHECK(absl::IsInvalidArgument(ValidateDecimalOdds(std::nextafter(kMaxDecimalOdds, 2e3))));
  CHECK(absl::IsInvalidArgument(ValidateDecimalOdds(1001.0)));
  CHECK(absl::IsInvalidArgument(DecimalOdds::Create(5000.0).status()));
}

TEST_CASE("ValidateDecimalOdds rejects prices that cannot be offered, naming value and origin",
          "[model][odds]") {
  absl::Status s = ValidateDecimalOdds(0.97, "E0_2324.csv:12:25");
  REQUIRE(absl::IsInvalidArgument(s));
  CHECK(s.message() == "decimal odds must be finite and > 1.0, got 0.97 (E0_2324.csv:12:25)");

  s = ValidateDecimalOdds(1.0);
  REQUIRE(absl::IsInvalidArgument(s));
  CHECK(s.message() == "decimal odds must be finite and > 1.0, got 1");

  // A value just above 1 is not rounded to "1" in the message... and one just below is rejected.
  s = ValidateDecimalOdds(0.9999999);
  REQUIRE(absl::IsInvalidArgument(s));
  CHECK_THAT(std::string(s.message()), Catch::Contains("0.9999999"));

  for (double bad : {0.0, -2.5, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    CHECK(absl::IsInvalidArgument(ValidateDecimalOdds(bad)));
  }
  CHECK_THAT(std::string(ValidateDecimalOdds(-2.5).message()), Catch::Contains("-2.5"));
  CHECK_THAT(std::string(ValidateDecimalOdds(std::nan("")).message()), Catch::Contains("nan"));
  CHECK_THAT(std::string(ValidateDecimalOdds(HUGE_VAL).message()), Catch::Contains("inf"));
}

TEST_CASE("DecimalOdds keeps the price and gives 1/o", "[model][odds]") {
  auto o = DecimalOdds::Create(2.5, "B365A");
  REQUIRE(o.ok());
  CHECK(o->value() == 2.5);
  CHECK(o->implied_probability() == 0.4);  // 1 / 2.5, exact in binary.
  auto evens = DecimalOdds::Create(2.0);
  REQUIRE(evens.ok());
  CHECK(evens->implied_probability() == 0.5);
  CHECK(*evens < *o);
  CHECK(*evens != *o);
}

TEST_CASE("DecimalOdds::Create reports the value and where it came from", "[model][odds]") {
  auto o = DecimalOdds::Create(0.5, "fixtures[3].odds.home");
  REQUIRE(absl::IsInvalidArgument(o.status()));
  CHECK(o.status().message() ==
        "decimal odds must be finite and > 1.0, got 0.5 (fixtures[3].odds.home)");
}

}  // namespace
}  // namespace superbet::model
