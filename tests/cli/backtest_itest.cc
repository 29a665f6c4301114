// End-to-end test of `superbet backtest`: runs the registered command function on two real
// seasons (E0 2014/15, 2015/16) and checks the JSON report's stable fields.
//
// Oracle for the numbers: the favourite baseline's 2015/16 P&L at Bet365 prices is -41.66 (hand
// check with awk over E0_1516.csv, see tests/backtest/engine_test.cc); matches = 380 per season;
// bets of a flat baseline = matches.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "support/test_data.h"

ABSL_DECLARE_FLAG(std::string, strategy);
ABSL_DECLARE_FLAG(std::string, odds);
ABSL_DECLARE_FLAG(std::string, stake);
ABSL_DECLARE_FLAG(double, bankroll);
ABSL_DECLARE_FLAG(double, decay);
ABSL_DECLARE_FLAG(double, edge);

namespace superbet::cli {
namespace {

std::string TempPath(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + name;
}

int RunBacktest(const std::string& strategy, const std::string& json_path) {
  absl::SetFlag(&FLAGS_data, superbet::testing::DataDir());
  absl::SetFlag(&FLAGS_league, "E0");
  absl::SetFlag(&FLAGS_seasons, "1415,1516");
  absl::SetFlag(&FLAGS_strategy, strategy);
  absl::SetFlag(&FLAGS_odds, "b365");
  absl::SetFlag(&FLAGS_stake, "");
  absl::SetFlag(&FLAGS_json, json_path);
  return Commands().at("backtest").run({});
}

// A metric is a number, or null exactly when its sample is empty (backtest/report.h): never a 0
// standing in for "no data". sharpe and sortino may also be null with bets (< 2 bets, no loss).
void CheckOptional(const nlohmann::json& m, const char* key, int64_t sample, bool may_be_null) {
  INFO(key);
  REQUIRE(m.contains(key));
  if (sample == 0) {
    CHECK(m[key].is_null());
  } else {
    CHECK((m[key].is_number() || (may_be_null && m[key].is_null())));
  }
}

void CheckMetrics(const nlohmann::json& m) {
  for (const char* key : {"bets", "pnl", "max_drawdown", "turnover", "final_bankroll", "matches",
                          "clv_bets", "forecasts"}) {
    INFO(key);
    CHECK(m.contains(key));
    CHECK(m[key].is_number());
  }
  const int64_t bets = m["bets"], clv_bets = m["clv_bets"], forecasts = m["forecasts"];
  CheckOptional(m, "hit_rate", bets, false);
  CheckOptional(m, "roi", bets, false);
  CheckOptional(m, "sharpe", bets, true);
  CheckOptional(m, "sortino", bets, true);
  CheckOptional(m, "clv", clv_bets, false);
  CheckOptional(m, "brier", forecasts, false);
  CheckOptional(m, "log_loss", forecasts, false);
}

TEST_CASE("superbet backtest --strategy model writes the JSON report for two seasons") {
  const std::string path = TempPath("superbet_backtest_itest.json");
  std::remove(path.c_str());
  REQUIRE(RunBacktest("model", path) == 0);
  const std::string text = superbet::testing::ReadFileOrEmpty(path);
  std::remove(path.c_str());
  REQUIRE(!text.empty());
  const nlohmann::json j = nlohmann::json::parse(text);
  CHECK(j["strategy"] == "model");
  CHECK(j["staking"] == "kelly");
  CHECK(j["odds"] == "b365");
  CHECK(j["seasons"] == nlohmann::json::array({"1415", "1516"}));
  CHECK(j["rejected_rows"] == 0);
  CheckMetrics(j["overall"]);
  CheckMetrics(j);
  REQUIRE(j["per_season"].size() == 2);
  CHECK(j["per_season"][0]["season"] == "2014/15");
  CHECK(j["per_season"][1]["season"] == "2015/16");
  CHECK(j["overall"]["matches"] == 760);
  for (const char* b : {"favourite", "home"}) {
    INFO(b);
    const nlohmann::json& base = j["baselines"][b];
    CHECK(base["strategy"] == b);
    CHECK(base["staking"] == "flat");
    CheckMetrics(base);
    CheckMetrics(base["overall"]);
    CHECK(base["bets"] == 760);
    REQUIRE(base["per_season"].size() == 2);
  }
  CHECK(j["baselines"]["favourite"]["per_season"][1]["pnl"].get<double>() ==
        Approx(-41.66).margin(1e-9));
  // The model bets on fewer matches than the baselines (edge threshold, warm-up); pooled with the
  // market at a weight fitted walk-forward it may not bet at all in two seasons (w = 0 until 380
  // scored forecasts exist), but it forecasts every match of 2015/16 it can rate.
  CHECK(j["overall"]["bets"].get<int>() < 760);
  // The seasons before 2014/15 are replayed as history only (not bet or reported).
  CHECK(j["history_seasons"].size() == 14);
  CHECK(j["per_season"][0]["forecasts"].get<int>() > 0);
  CHECK(j["per_season"][1]["forecasts"].get<int>() > 300);
}

TEST_CASE("superbet backtest rejects bad flags with exit code 2 and missing data with 1") {
  CHECK(RunBacktest("martingale", "") == 2);
  absl::SetFlag(&FLAGS_odds, "betfair");
  absl::SetFlag(&FLAGS_strategy, "home");
  CHECK(Commands().at("backtest").run({}) == 2);
  absl::SetFlag(&FLAGS_odds, "b365");
  absl::SetFlag(&FLAGS_data, "/nonexistent/superbet-data");
  CHECK(Commands().at("backtest").run({}) == 1);
  absl::SetFlag(&FLAGS_data, superbet::testing::DataDir());
  absl::SetFlag(&FLAGS_seasons, "9899");  // Not in the data root.
  CHECK(Commands().at("backtest").run({}) == 1);
}

// The flags are checked before the data: with a data root that does not exist (exit 1 once
// loading starts), a bad flag value still gives 2.
TEST_CASE("superbet backtest checks every flag before loading any data") {
  absl::FlagSaver saver;
  absl::SetFlag(&FLAGS_strategy, "home");
  absl::SetFlag(&FLAGS_data, "/nonexistent/superbet-data");
  absl::SetFlag(&FLAGS_seasons, "2425,2425");
  CHECK(Commands().at("backtest").run({}) == 2);
  absl::SetFlag(&FLAGS_seasons, "1516");
  absl::SetFlag(&FLAGS_bankroll, -5.0);
  CHECK(Commands().at("backtest").run({}) == 2);
  absl::SetFlag(&FLAGS_bankroll, 1000.0);
  absl::SetFlag(&FLAGS_decay, std::nan(""));
  CHECK(Commands().at("backtest").run({}) == 2);
  absl::SetFlag(&FLAGS_decay, 0.0019);
  absl::SetFlag(&FLAGS_edge, std::nan(""));
  CHECK(Commands().at("backtest").run({}) == 2);
  absl::SetFlag(&FLAGS_edge, 0.03);
  CHECK(Commands().at("backtest").run({}) == 1);  // Every flag fine: the missing data root.
}

}  // namespace
}  // namespace superbet::cli
