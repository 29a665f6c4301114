// Tests of superbet/odds/margin.h.
//
// Oracle: penaltyblog 1.9.0 (martineastwood/penaltyblog, commit ead9c57a)
// `implied.calculate_implied` output for the Bet365 prices of the first 60 matches of
// E0_2425.csv, in ../shared/data/reference/implied_penaltyblog_E0_2425.json (every row, every
// method). The file asks for ~1e-6 (its solvers stop at their own tolerances); we agree to 9e-13
// (the 12 digits it keeps), so the test uses 1e-9. Hand computations
// for the closed forms. Properties over every real Bet365 1X2 price in E0_2324.csv (380 matches):
// probabilities in (0, 1) summing to 1 within 1e-12, the favourite stays the favourite, a market
// with zero overround comes back unchanged.
#include "superbet/odds/margin.h"

#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "odds/odds_test_util.h"
#include "support/test_data.h"

namespace superbet::odds {
namespace {

constexpr std::array<MarginMethod, 4> kMethods = {MarginMethod::kMultiplicative,
                                                  MarginMethod::kAdditive, MarginMethod::kPower,
                                                  MarginMethod::kShin};

double Sum(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

TEST_CASE("Every method matches penaltyblog 1.9.0 on 60 real E0 2024/25 markets", "[odds]") {
  const std::string text = superbet::testing::ReadFileOrEmpty(
      superbet::testing::DataPath("reference/implied_penaltyblog_E0_2425.json"));
  REQUIRE_FALSE(text.empty());
  const nlohmann::json doc = nlohmann::json::parse(text);
  const nlohmann::json& rows = doc.at("rows");
  REQUIRE(rows.size() == 60);
  int compared = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::vector<double> odds = rows[r].at("b365_odds").get<std::vector<double>>();
    REQUIRE(odds.size() == 3);
    for (MarginMethod m : kMethods) {
      const std::string name(MarginMethodName(m));
      const std::vector<double> expected = rows[r].at(name).get<std::vector<double>>();
      auto got = RemoveMargin(odds, m);
      INFO("row " << r << " " << rows[r].at("home").get<std::string>() << " v "
                  << rows[r].at("away").get<std::string>() << ", method " << name);
      REQUIRE(got.ok());
      REQUIRE(got->size() == 3);
      for (int i = 0; i < 3; ++i) {
        CHECK((*got)[i] == Approx(expected[i]).margin(1e-9).epsilon(0));
        ++compared;
      }
    }
  }
  CHECK(compared == 60 * 4 * 3);
}

TEST_CASE("Closed forms match hand computations", "[odds]") {
  // Man United v Fulham, 16/08/2024: 1.6 / 4.2 / 5.25. π = 0.625, 0.238095…, 0.190476…;
  // S = 1.053571428…, overround 0.053571428… (= 3/56).
  const std::vector<double> odds = {1.6, 4.2, 5.25};
  const double s = 1 / 1.6 + 1 / 4.2 + 1 / 5.25;
  auto mult = RemoveMarginMultiplicative(odds);
  REQUIRE(mult.ok());
  CHECK((*mult)[0] == Approx(0.625 / s).epsilon(1e-15));
  CHECK((*mult)[0] == Approx(35.0 / 59.0).epsilon(1e-14));  // 0.625 / (59/56)
  auto add = RemoveMarginAdditive(odds);
  REQUIRE(add.ok());
  CHECK((*add)[0] == Approx(0.625 - (3.0 / 56.0) / 3.0).epsilon(1e-14));  // 0.607142857…
  CHECK((*add)[2] == Approx(4.0 / 21.0 - 1.0 / 56.0).epsilon(1e-14));
}

TEST_CASE("Power exponent and Shin's z are consistent with the probabilities", "[odds]") {
  const std::vector<double> odds = {8.5, 5.5, 1.33};  // Ipswich v Liverpool, 17/08/2024.
  auto k = PowerExponent(odds);
  REQUIRE(k.ok());
  CHECK(*k > 1.0);
  auto power = RemoveMarginPower(odds);
  REQUIRE(power.ok());
  for (int i = 0; i < 3; ++i) CHECK((*power)[i] == Approx(std::pow(1 / odds[i], *k)));

  auto z = ShinInsiderShare(odds);
  REQUIRE(z.ok());
  CHECK(*z > 0.0);
  CHECK(*z < 0.1);
  auto shin = RemoveMarginShin(odds);
  REQUIRE(shin.ok());
  const double s = 1 / 8.5 + 1 / 5.5 + 1 / 1.33;
  for (int i = 0; i < 3; ++i) {
    const double pi = 1 / odds[i];
    const double expected = (std::sqrt(*z * *z + 4 * (1 - *z) * pi * pi / s) - *z) / (2 * (1 - *z));
    CHECK((*shin)[i] == Approx(expected).epsilon(1e-15));
  }
}

TEST_CASE("Properties over every Bet365 1X2 price of E0 2023/24", "[odds]") {
  const auto markets = testing::Bet365Prices("football-data/E0_2324.csv");
  REQUIRE(markets.size() == 380);
  for (size_t r = 0; r < markets.size(); ++r) {
    const std::vector<double> odds(markets[r].begin(), markets[r].end());
    for (MarginMethod m : kMethods) {
      INFO("row " << r << " odds " << odds[0] << "/" << odds[1] << "/" << odds[2] << " method "
                  << MarginMethodName(m));
      auto p = RemoveMargin(odds, m);
      REQUIRE(p.ok());
      REQUIRE(p->size() == 3);
      CHECK(std::fabs(Sum(*p) - 1.0) < 1e-12);
      for (int i = 0; i < 3; ++i) {
        CHECK((*p)[i] > 0.0);
        CHECK((*p)[i] < 1.0);
        for (int j = 0; j < 3; ++j) {  // Shorter price => larger probability; ties stay tied.
          if (odds[i] < odds[j]) CHECK((*p)[i] > (*p)[j]);
          if (odds[i] == odds[j]) CHECK((*p)[i] == (*p)[j]);
        }
      }
    }
  }
}

TEST_CASE("A market with zero overround comes back unchanged", "[odds]") {
  // Exact fair markets (Σ 1/o = 1 exactly in binary).
  const std::vector<std::vector<double>> fair = {
      {2.0, 4.0, 4.0}, {2.0, 2.0}, {4.0, 4.0, 4.0, 4.0}, {2.0, 4.0, 8.0, 8.0}};
  for (const auto& odds : fair) {
    for (MarginMethod m : kMethods) {
      auto p = RemoveMargin(odds, m);
      REQUIRE(p.ok());
      for (size_t i = 0; i < odds.size(); ++i) CHECK((*p)[i] == 1.0 / odds[i]);
    }
  }
  // The fair prices 1/p of every real 2023/24 market (Σ 1/o = 1 to rounding).
  for (const auto& market : testing::Bet365Prices("football-data/E0_2324.csv")) {
    auto p = RemoveMarginMultiplicative(std::vector<double>(market.begin(), market.end()));
    REQUIRE(p.ok());
    const std::vector<double> fair_odds = {1 / (*p)[0], 1 / (*p)[1], 1 / (*p)[2]};
    for (MarginMethod m : kMethods) {
      auto q = RemoveMargin(fair_odds, m);
      REQUIRE(q.ok());
      for (int i = 0; i < 3; ++i) CHECK(std::fabs((*q)[i] - (*p)[i]) < 1e-12);
    }
  }
}

TEST_CASE("Two-outcome and arbitrage markets are solved", "[odds]") {
  // Two outcomes: the Shin fixed point of some references divides by n − 2; ours does not.
  for (MarginMethod m : kMethods) {
    auto p = RemoveMargin(std::vector<double>{1.8, 2.0}, m);
    REQUIRE(p.ok());
    CHECK(std::fabs(Sum(*p) - 1.0) < 1e-12);
    CHECK((*p)[0] > (*p)[1]);
  }
  // Negative overround (best prices across bookmakers): Σ 1/o ≈ 0.89.
  const std::vector<double> arb = {2.5, 3.8, 4.4};
  for (MarginMethod m : kMethods) {
    auto p = RemoveMargin(arb, m);
    REQUIRE(p.ok());
    CHECK(std::fabs(Sum(*p) - 1.0) < 1e-12);
  }
  auto k = PowerExponent(arb);
  REQUIRE(k.ok());
  CHECK(*k < 1.0);
  auto z = ShinInsiderShare(arb);
  REQUIRE(z.ok());
  CHECK(*z < 0.0);
}

TEST_CASE("ParseMarginMethod and MarginMethodName round-trip", "[odds]") {
  for (MarginMethod m : kMethods) {
    auto parsed = ParseMarginMethod(MarginMethodName(m));
    REQUIRE(parsed.ok());
    CHECK(*parsed == m);
  }
  CHECK(*ParseMarginMethod("basic") == MarginMethod::kMultiplicative);
  CHECK(*ParseMarginMethod("Shin") == MarginMethod::kShin);
  auto bad = ParseMarginMethod("odds-ratio");
  REQUIRE(absl::IsInvalidArgument(bad.status()));
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("\"odds-ratio\""));
}

TEST_CASE("Bad markets are InvalidArgument naming the index and value", "[odds]") {
  for (MarginMethod m : kMethods) {
    INFO("method " << MarginMethodName(m));
    auto r = RemoveMargin(std::vector<double>{1.9, 3.4, 0.97}, m);
    REQUIRE(absl::IsInvalidArgument(r.status()));
    CHECK(r.status().message() == "decimal_odds[2] must be finite and > 1.0, got 0.97");

    r = RemoveMargin(std::vector<double>{std::numeric_limits<double>::quiet_NaN(), 3.4}, m);
    REQUIRE(absl::IsInvalidArgument(r.status()));
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("decimal_odds[0]"));
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("nan"));

    r = RemoveMargin(std::vector<double>{1.0, 3.4, 5.0}, m);
    REQUIRE(absl::IsInvalidArgument(r.status()));
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("decimal_odds[0]"));

    r = RemoveMargin(std::vector<double>{1.5}, m);
    REQUIRE(absl::IsInvalidArgument(r.status()));
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("at least 2"));

    r = RemoveMargin(std::vector<double>{}, m);
    REQUIRE(absl::IsInvalidArgument(r.status()));
  }
}

TEST_CASE("Additive removal refuses to give a long shot a probability <= 0", "[odds]") {
  // π = 0.8333, 0.25, 0.0196; overround 0.103, share 0.0343 > 0.0196.
  auto r = RemoveMarginAdditive(std::vector<double>{1.2, 4.0, 51.0});
  REQUIRE(absl::IsInvalidArgument(r.status()));
  CHECK_THAT(std::string(r.status().message()), Catch::Contains("decimal_odds[2] = 51"));
  // The other methods still work on that market.
  CHECK(RemoveMarginPower(std::vector<double>{1.2, 4.0, 51.0}).ok());
  CHECK(RemoveMarginShin(std::vector<double>{1.2, 4.0, 51.0}).ok());
}

}  // namespace
}  // namespace superbet::odds
