// The backtest command's loader keeps only the prices a run reads (issue 12 item 17, memory).
//
// Oracles:
//  * the count: E0_2425.csv has 380 rows and every one fills the 7 Bet365 pre-match price
//    columns (B365H, B365D, B365A, B365>2.5, B365<2.5, B365AHH, B365AHA) and the 3 Pinnacle
//    closing 1X2 columns (PSCH, PSCD, PSCA) with a non-zero price (checked with Python's csv
//    module): a favourite run at Bet365 prices, CLV against the Pinnacle close, reads 3800 lines
//    of the 34 280 the file produces;
//  * the reports: a backtest of the kept lines must equal, byte for byte (FormatRunJson), the
//    backtest of every line of the same files (football_data::LoadSeasonFile, which keeps all).

#include "superbet/backtest/backtest_data.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "superbet/backtest/engine.h"
#include "superbet/backtest/report.h"
#include "superbet/backtest/strategies.h"
#include "superbet/providers/football_data/football_data.h"
#include "support/test_data.h"

namespace superbet::backtest {
namespace {

namespace fd = superbet::providers::football_data;
using superbet::v1::BettingLine;
using superbet::v1::Fixture;

constexpr fd::ParseMode kLenient = fd::ParseMode::kLenient;

// Every fixture and line of the seasons, as LoadSeasonFile gives them (nothing dropped).
struct AllData {
  std::vector<Fixture> fixtures;
  std::vector<BettingLine> lines;
};

AllData LoadAll(const std::vector<std::string>& codes) {
  AllData all;
  for (const std::string& code : codes) {
    auto s = fd::LoadSeasonFile(superbet::testing::DataPath("football-data/E0_" + code + ".csv"),
                                kLenient);
    REQUIRE(s.ok());
    all.fixtures.insert(all.fixtures.end(), s->fixtures.begin(), s->fixtures.end());
    all.lines.insert(all.lines.end(), s->lines.begin(), s->lines.end());
  }
  return all;
}

std::string ReportJson(absl::Span<const Fixture> fixtures, absl::Span<const BettingLine> lines,
                       const std::string& strategy, const backtest::ModelStrategyOptions& model,
                       const backtest::EngineOptions& options) {
  auto s = backtest::MakeStrategy(strategy, model, lines);
  REQUIRE(s.ok());
  auto report = backtest::RunBacktest(fixtures, lines, **s, options);
  REQUIRE(report.ok());
  auto json = backtest::FormatRunJson(*report);
  REQUIRE(json.ok());
  return *json;
}

TEST_CASE("backtest loader keeps only the Bet365 pre-match and Pinnacle closing lines") {
  const backtest::EngineOptions options;  // Bet365, CLV against the Pinnacle close.
  const RunLines needs = LinesOfRun(options, "favourite", {});
  auto data = LoadBacktestData(superbet::testing::DataDir(), "E0", {"2425"}, {}, kLenient, needs);
  REQUIRE(data.ok());
  CHECK(data->fixtures.size() == 380);
  CHECK(data->lines_parsed == 34280);
  CHECK(data->lines.size() == 3800);
  CHECK(data->lines_dropped == 34280 - 3800);
  for (const BettingLine& l : data->lines) {
    INFO(l.ShortDebugString());
    const bool pre_bet365 = l.bookmaker() == "Bet365" && !l.is_closing();
    const bool close_pinnacle =
        l.bookmaker() == "Pinnacle" && l.is_closing() && l.market() == superbet::v1::MARKET_1X2;
    CHECK((pre_bet365 || close_pinnacle));
  }
}

TEST_CASE("backtest loader: the baselines' reports from the kept lines equal those from all") {
  const AllData all = LoadAll({"2425"});
  for (const char* source : {"b365", "pinnacle", "avg", "max"}) {
    INFO(source);
    backtest::EngineOptions options;
    options.odds_source = *backtest::ParseOddsSource(source);
    auto data = LoadBacktestData(superbet::testing::DataDir(), "E0", {"2425"}, {}, kLenient,
                                 LinesOfRun(options, "favourite", {}));
    REQUIRE(data.ok());
    CHECK(data->lines.size() < all.lines.size() / 4);
    for (const char* strategy : {"favourite", "home"}) {
      INFO(strategy);
      CHECK(ReportJson(data->fixtures, data->lines, strategy, {}, options) ==
            ReportJson(all.fixtures, all.lines, strategy, {}, options));
    }
  }
}

TEST_CASE("backtest loader: the model's report (--model_market sharp, w 0.5) is unchanged") {
  const std::vector<std::string> codes = {"2324", "2425"};
  const AllData all = LoadAll(codes);
  backtest::EngineOptions options;
  options.staking = backtest::Staking::kKelly;
  options.bet_seasons = {"2024/25"};
  backtest::ModelStrategyOptions model;
  model.market_input = backtest::MarketInput::kSharp;
  model.pool_weight = 0.5;  // The pooled forecast depends on the market input (Pinnacle, average).
  const RunLines needs = LinesOfRun(options, "model", model);
  CHECK(needs.pinnacle_1x2);
  CHECK(needs.average_1x2);
  auto data =
      LoadBacktestData(superbet::testing::DataDir(), "E0", codes, {"2425"}, kLenient, needs);
  REQUIRE(data.ok());
  CHECK(data->history_seasons == std::vector<std::string>{"2324"});
  CHECK(data->lines.size() < all.lines.size() / 4);
  const std::string kept = ReportJson(data->fixtures, data->lines, "model", model, options);
  CHECK(kept == ReportJson(all.fixtures, all.lines, "model", model, options));
  CHECK(nlohmann::json::parse(kept)["bets"].get<int>() > 0);  // The model did bet.
}

TEST_CASE("backtest loader: a season file copied under another name does not double-count") {
  // E0_2425.csv and the same bytes as E0_2526.csv: 380 matches, not 760 (lenient: the copy's rows
  // rejected as duplicates and counted; strict: an error naming both files).
  const std::string root =
      std::filesystem::temp_directory_path() / ("superbet_dup_" + std::to_string(::getpid()));
  std::filesystem::create_directories(root + "/football-data");
  const std::string real = superbet::testing::DataPath("football-data/E0_2425.csv");
  std::filesystem::copy_file(real, root + "/football-data/E0_2425.csv");
  std::filesystem::copy_file(real, root + "/football-data/E0_2526.csv");
  const RunLines needs = LinesOfRun(backtest::EngineOptions{}, "favourite", {});
  const int threads = GENERATE(1, 2);  // Streamed, and parsed in parallel then merged in order.
  INFO("threads " << threads);
  auto lenient = LoadBacktestData(root, "E0", {"2425", "2526"}, {}, kLenient, needs, threads);
  auto strict =
      LoadBacktestData(root, "E0", {"2425", "2526"}, {}, fd::ParseMode::kStrict, needs, threads);
  std::filesystem::remove_all(root);
  REQUIRE(lenient.ok());
  CHECK(lenient->fixtures.size() == 380);
  CHECK(lenient->duplicates_rejected == 380);
  CHECK(lenient->rows_rejected == 380);
  REQUIRE_FALSE(lenient->rejections_shown.empty());
  CHECK(lenient->rejections_shown[0] ==
        "E0_2526.csv: duplicate fixture football-data:E0:2024-08-16:Man United:Fulham, already "
        "loaded from E0_2425.csv");
  REQUIRE(absl::IsInvalidArgument(strict.status()));
  CHECK(strict.status().message() ==
        "E0_2526.csv: duplicate fixture football-data:E0:2024-08-16:Man United:Fulham, already "
        "loaded from E0_2425.csv");
}

// Issue 16: --threads N parses the files N at a time. Oracle: the streamed serial load of the same
// files; every fixture and line must come back in the same order with the same bytes, and the
// counts and the rejection texts the same (E0_0001.csv has rows the lenient parser rejects).
TEST_CASE("backtest loader: files parsed in parallel give the serial load, byte for byte") {
  const std::vector<std::string> codes = {"0001", "0102", "1516", "2324", "2425"};
  backtest::ModelStrategyOptions model;
  model.market_input = backtest::MarketInput::kSharp;
  for (const char* strategy : {"model", "hrl"}) {
    INFO(strategy);
    const RunLines needs = LinesOfRun(backtest::EngineOptions{}, strategy, model);
    CHECK(needs.statistics == (std::string(strategy) == "hrl"));
    auto serial =
        LoadBacktestData(superbet::testing::DataDir(), "E0", codes, {"2425"}, kLenient, needs, 1);
    auto parallel =
        LoadBacktestData(superbet::testing::DataDir(), "E0", codes, {"2425"}, kLenient, needs, 3);
    REQUIRE(serial.ok());
    REQUIRE(parallel.ok());
    REQUIRE(serial->fixtures.size() == parallel->fixtures.size());
    CHECK(serial->fixtures.size() == 5 * 380);
    for (size_t i = 0; i < serial->fixtures.size(); ++i) {
      INFO(serial->fixtures[i].id());
      // (Field by field: the statistics map's serialized order is not fixed.)
      CHECK(google::protobuf::util::MessageDifferencer::Equals(serial->fixtures[i],
                                                               parallel->fixtures[i]));
      // Statistics (shots, HST/AST) are kept only for the runs that read them.
      CHECK(serial->fixtures[i].statistics().empty() == !needs.statistics);
    }
    REQUIRE(serial->lines.size() == parallel->lines.size());
    for (size_t i = 0; i < serial->lines.size(); ++i) {
      CHECK(
          google::protobuf::util::MessageDifferencer::Equals(serial->lines[i], parallel->lines[i]));
    }
    CHECK(serial->seasons == parallel->seasons);
    CHECK(serial->history_seasons == parallel->history_seasons);
    CHECK(serial->bet_labels == parallel->bet_labels);
    CHECK(serial->rows_rejected == parallel->rows_rejected);
    CHECK(serial->prices_rejected == parallel->prices_rejected);
    CHECK(serial->cells_rejected == parallel->cells_rejected);
    CHECK(serial->rejections_shown == parallel->rejections_shown);
    CHECK(serial->lines_parsed == parallel->lines_parsed);
    CHECK(serial->lines_dropped == parallel->lines_dropped);
  }
}

TEST_CASE("backtest loader: a missing file is the same error at any thread count") {
  const RunLines needs = LinesOfRun(backtest::EngineOptions{}, "favourite", {});
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    auto r = LoadBacktestData(superbet::testing::DataDir(), "E0", {"1516", "9899", "1617"}, {},
                              kLenient, needs, threads);
    REQUIRE(absl::IsNotFound(r.status()));
    CHECK(std::string(r.status().message()).find("E0_9899.csv") != std::string::npos);
  }
}

}  // namespace
}  // namespace superbet::backtest
