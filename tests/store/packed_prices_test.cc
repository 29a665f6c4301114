// The packed prices of a match (matches_master.prices, lib/store/internal/packed_prices.h).
//
// Oracle: the football-data parser's own BettingLines for every row of E0_2425.csv (90 prices a
// row, 10 bookmakers): packed and unpacked, each must come back equal, field for field, in file
// order; restricted to some bookmakers (or by a filter), the parser's lines of those bookmakers
// (that pass the filter), in file order.
// A cut-short or altered blob must be a DataLoss naming the match, never a crash or a made-up
// price.

#include "store/internal/packed_prices.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "superbet/providers/football_data/football_data.h"
#include "support/test_data.h"

namespace superbet::store::internal {
namespace {

using google::protobuf::util::MessageDifferencer;
using superbet::v1::BettingLine;

PackedPrice PriceOf(const BettingLine& l) {
  PackedPrice p;
  p.bookmaker = l.bookmaker();
  p.market = l.market();
  p.selection = l.selection();
  if (l.has_line()) p.line = l.line();
  p.decimal_odds = l.decimal_odds();
  p.ts_us = l.timestamp().seconds() * 1000000 + l.timestamp().nanos() / 1000;
  p.is_live = l.is_live();
  p.is_closing = l.is_closing();
  return p;
}

// The parser's lines grouped by fixture, file order.
std::vector<std::vector<BettingLine>> LinesByFixture() {
  auto season =
      providers::football_data::LoadSeasonFile(testing::DataPath("football-data/E0_2425.csv"),
                                               providers::football_data::ParseMode::kLenient);
  REQUIRE(season.ok());
  std::vector<std::vector<BettingLine>> out;
  for (const auto& f : season->fixtures) {
    auto& lines = out.emplace_back();
    for (const BettingLine& l : season->lines) {
      if (l.fixture_id() == f.id()) lines.push_back(l);
    }
  }
  return out;
}

TEST_CASE("packed prices: every price of a season comes back as the parser gave it",
          "[store][packed]") {
  const auto by_fixture = LinesByFixture();
  REQUIRE(by_fixture.size() == 380);
  size_t total = 0, kept_total = 0;
  const std::vector<std::string> some = {"Pinnacle", "market_average"};
  for (const auto& lines : by_fixture) {
    REQUIRE(!lines.empty());
    std::vector<PackedPrice> prices;
    for (const BettingLine& l : lines) prices.push_back(PriceOf(l));
    const std::string blob = PackPrices(prices);
    const std::string& id = lines.front().fixture_id();

    std::vector<BettingLine> all;
    REQUIRE(UnpackPrices(blob, id, {}, all).ok());
    REQUIRE(all.size() == lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      INFO(id << " price " << i);
      CHECK(MessageDifferencer::Equals(all[i], lines[i]));
    }
    total += all.size();

    std::vector<BettingLine> kept, expected;
    REQUIRE(UnpackPrices(blob, id, some, kept).ok());
    for (const BettingLine& l : lines) {
      if (l.bookmaker() == "Pinnacle" || l.bookmaker() == "market_average") expected.push_back(l);
    }
    REQUIRE(kept.size() == expected.size());
    for (size_t i = 0; i < kept.size(); ++i)
      CHECK(MessageDifferencer::Equals(kept[i], expected[i]));
    kept_total += kept.size();

    // A filter on the decoded price: the closing prices only.
    std::vector<BettingLine> closing, expected_closing;
    REQUIRE(UnpackPrices(blob, id, {}, closing, [](const BettingLine& l) {
              return l.is_closing();
            }).ok());
    for (const BettingLine& l : lines) {
      if (l.is_closing()) expected_closing.push_back(l);
    }
    REQUIRE(closing.size() == expected_closing.size());
    CHECK(!closing.empty());
    for (size_t i = 0; i < closing.size(); ++i) {
      CHECK(MessageDifferencer::Equals(closing[i], expected_closing[i]));
    }
  }
  CHECK(total == 34280);  // The parser's count for E0_2425.csv (tests/backtest/backtest_data_test.cc).
  CHECK(kept_total > 0);
  CHECK(kept_total < total);
}

TEST_CASE("packed prices: doubles, signs and times come back bit for bit", "[store][packed]") {
  std::vector<PackedPrice> prices(4);
  prices[0].bookmaker = "a";
  prices[0].market = superbet::v1::MARKET_ASIAN_HANDICAP;
  prices[0].selection = superbet::v1::SELECTION_HOME;
  prices[0].line = -0.0;
  prices[0].decimal_odds = 1.0 + 1e-15;
  prices[0].ts_us = -1;  // Before the epoch: seconds -1, nanos 999999000.
  prices[1] = prices[0];
  prices[1].bookmaker = "b";
  prices[1].line.reset();
  prices[1].decimal_odds = 1.9500000000000002;
  prices[1].ts_us = 1700000000123456;
  prices[1].is_live = true;
  prices[2] = prices[1];
  prices[2].is_live = false;
  prices[2].is_closing = true;
  prices[2].ts_us = 0;
  prices[3] = prices[0];
  prices[3].ts_us = INT64_C(4102444800000000);  // 2100-01-01.
  std::vector<BettingLine> out;
  REQUIRE(UnpackPrices(PackPrices(prices), "m", {}, out).ok());
  REQUIRE(out.size() == 4);
  CHECK(out[0].has_line());
  CHECK(std::signbit(out[0].line()));
  CHECK(out[0].decimal_odds() == 1.0 + 1e-15);
  CHECK(out[0].timestamp().seconds() == -1);
  CHECK(out[0].timestamp().nanos() == 999999000);
  CHECK_FALSE(out[1].has_line());
  CHECK(out[1].decimal_odds() == 1.9500000000000002);
  CHECK(out[1].timestamp().seconds() == 1700000000);
  CHECK(out[1].timestamp().nanos() == 123456000);
  CHECK(out[1].is_live());
  CHECK(out[2].is_closing());
  CHECK_FALSE(out[2].is_live());
  CHECK(out[3].timestamp().seconds() == 4102444800);
  CHECK(out[3].bookmaker() == "a");
  CHECK(out[1].fixture_id() == "m");
  // No prices: a valid, empty list.
  std::vector<BettingLine> none;
  REQUIRE(UnpackPrices(PackPrices({}), "m", {}, none).ok());
  CHECK(none.empty());
}

TEST_CASE("packed prices: a cut-short or altered blob is DataLoss naming the match",
          "[store][packed]") {
  const auto by_fixture = LinesByFixture();
  std::vector<PackedPrice> prices;
  for (const BettingLine& l : by_fixture.front()) prices.push_back(PriceOf(l));
  const std::string blob = PackPrices(prices);
  for (size_t n = 0; n < blob.size(); ++n) {
    std::vector<BettingLine> out;
    const absl::Status s = UnpackPrices(blob.substr(0, n), "E0:x", {}, out);
    INFO("cut at " << n);
    REQUIRE(absl::IsDataLoss(s));
    CHECK(s.message().find("packed prices of match E0:x") != absl::string_view::npos);
  }
  std::string other_version = blob;
  other_version[0] = 2;
  std::vector<BettingLine> out;
  const absl::Status v = UnpackPrices(other_version, "E0:x", {}, out);
  CHECK(absl::IsDataLoss(v));
  CHECK(v.message().find("format version 2") != absl::string_view::npos);
  CHECK(absl::IsDataLoss(UnpackPrices(blob + "x", "E0:x", {}, out)));
  // One price whose bookmaker index points past the one name.
  std::string bad_index = PackPrices(std::vector<PackedPrice>(1));
  bad_index[4] = 7;  // version, 1 name, name length 0, 1 price, then the index.
  const absl::Status b = UnpackPrices(bad_index, "E0:x", {}, out);
  CHECK(absl::IsDataLoss(b));
  CHECK(b.message().find("bookmaker index 7") != absl::string_view::npos);
}

}  // namespace
}  // namespace superbet::store::internal
