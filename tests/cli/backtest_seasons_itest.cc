// `superbet backtest` end to end on the real E0 files: what --seasons selects, and how a report
// says "no data".
//
// Oracles:
//  * --seasons S selects what is bet and reported, not what the strategy learns from: the figures
//    of 2015/16 from `--seasons 1516` must equal those of the same season in the run over every
//    season found (25 files). Exactly, for every figure that does not depend on the bankroll the
//    season starts with (counts, hit rate, ROI, Sharpe, Sortino, CLV, Brier, log loss; for the
//    flat baselines also turnover and P&L); within 1e-9 relative for the quarter-Kelly model's
//    turnover, P&L and drawdown as fractions of that bankroll (Kelly stakes are proportional to
//    it);
//  * E0_0001.csv has no Bet365 price (football-data added them in 2002/03; checked with
//    awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="B365H") print i}' E0_0001.csv -> nothing): no
//    match is replayed, so no bet and no forecast; every ratio must be null, never 0;
//  * a header-only season file holds no match: a warning on stderr names it, metrics are null.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "support/test_data.h"

ABSL_DECLARE_FLAG(std::string, strategy);
ABSL_DECLARE_FLAG(std::string, odds);
ABSL_DECLARE_FLAG(std::string, stake);

namespace superbet::cli {
namespace {

std::string TempPath(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + name + "." +
         std::to_string(getpid());  // ctest runs test cases as parallel processes.
}

// Runs `superbet backtest --strategy model` and returns its JSON report (null on failure).
nlohmann::json RunModel(const std::string& data_root, const std::string& seasons) {
  const std::string path = TempPath("superbet_backtest_seasons_itest.json");
  std::remove(path.c_str());
  absl::SetFlag(&FLAGS_data, data_root);
  absl::SetFlag(&FLAGS_league, "E0");
  absl::SetFlag(&FLAGS_seasons, seasons);
  absl::SetFlag(&FLAGS_strategy, "model");
  absl::SetFlag(&FLAGS_odds, "b365");
  absl::SetFlag(&FLAGS_stake, "");
  absl::SetFlag(&FLAGS_json, path);
  const int code = Commands().at("backtest").run({});
  absl::SetFlag(&FLAGS_seasons, "");
  absl::SetFlag(&FLAGS_json, "");
  const std::string text = superbet::testing::ReadFileOrEmpty(path);
  std::remove(path.c_str());
  if (code != 0 || text.empty()) return nullptr;
  return nlohmann::json::parse(text);
}

const nlohmann::json& SeasonOf(const nlohmann::json& run, const std::string& season) {
  for (const nlohmann::json& m : run["per_season"]) {
    if (m["season"] == season) return m;
  }
  FAIL("season " << season << " not in the report");
  return run;
}

void CheckSameFigures(const nlohmann::json& a, const nlohmann::json& b, bool flat) {
  for (const char* key :
       {"matches", "skipped_no_odds", "skipped_stake_over_bankroll", "bets", "wins", "hit_rate",
        "roi", "sharpe", "sortino", "clv", "clv_bets", "forecasts", "brier", "log_loss"}) {
    INFO(key << ": " << a[key] << " vs " << b[key]);
    CHECK(a[key] == b[key]);
  }
  if (flat) {
    CHECK(a["turnover"] == b["turnover"]);
    CHECK(a["pnl"] == b["pnl"]);
    return;
  }
  const double sa = a["start_bankroll"], sb = b["start_bankroll"];
  for (const char* key : {"turnover", "pnl"}) {
    INFO(key);
    CHECK(a[key].get<double>() / sa == Approx(b[key].get<double>() / sb).epsilon(1e-9));
  }
  CHECK(a["max_drawdown"].get<double>() == Approx(b["max_drawdown"].get<double>()).epsilon(1e-9));
}

TEST_CASE("backtest --seasons 1516 reports the same 2015/16 as the run over every season") {
  const nlohmann::json one = RunModel(superbet::testing::DataDir(), "1516");
  const nlohmann::json all = RunModel(superbet::testing::DataDir(), "");
  REQUIRE(!one.is_null());
  REQUIRE(!all.is_null());
  CHECK(one["seasons"] == nlohmann::json::array({"1516"}));
  CHECK(one["history_seasons"].size() == 15);  // 2000/01 ... 2014/15.
  REQUIRE(one["per_season"].size() == 1);
  CHECK(all["per_season"].size() == 25);
  const nlohmann::json& a = SeasonOf(one, "2015/16");
  const nlohmann::json& b = SeasonOf(all, "2015/16");
  CHECK(a["forecasts"].get<int>() > 300);  // The model had its history: it rated most matches.
  CheckSameFigures(a, b, /*flat=*/false);
  for (const char* base : {"favourite", "home"}) {
    INFO(base);
    CheckSameFigures(SeasonOf(one["baselines"][base], "2015/16"),
                     SeasonOf(all["baselines"][base], "2015/16"), /*flat=*/true);
  }
}

void CheckAbsent(const nlohmann::json& m) {
  CHECK(m["bets"] == 0);
  CHECK(m["clv_bets"] == 0);
  CHECK(m["forecasts"] == 0);
  for (const char* key : {"hit_rate", "roi", "sharpe", "sortino", "clv", "brier", "log_loss"}) {
    INFO(key << ": " << m[key]);
    CHECK(m[key].is_null());
  }
}

TEST_CASE("a season without prices reports no bet and no forecast as null, not 0") {
  const nlohmann::json run = RunModel(superbet::testing::DataDir(), "0001");
  REQUIRE(!run.is_null());
  REQUIRE(run["per_season"].size() == 1);
  CHECK(run["per_season"][0]["matches"] == 0);
  CHECK(run["per_season"][0]["skipped_no_odds"] == 380);
  CheckAbsent(run["per_season"][0]);
  CheckAbsent(run["overall"]);
  CheckAbsent(run["baselines"]["favourite"]["overall"]);
}

// Captures what is written to stderr (fd 2) while it lives.
class StderrCapture {
 public:
  explicit StderrCapture(const std::string& path) : path_(path) {
    std::fflush(stderr);
    saved_ = dup(2);
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f != nullptr);
    dup2(fileno(f), 2);
    std::fclose(f);
  }
  std::string Finish() {
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    std::string text = superbet::testing::ReadFileOrEmpty(path_);
    std::remove(path_.c_str());
    return text;
  }

 private:
  std::string path_;
  int saved_ = -1;
};

TEST_CASE("a header-only season warns on stderr and reports null metrics") {
  namespace fs = std::filesystem;
  const fs::path root = TempPath("superbet_backtest_header_only");
  fs::remove_all(root);
  fs::create_directories(root / "football-data");
  const std::string header =
      superbet::testing::ReadFileOrEmpty(superbet::testing::DataPath("football-data/E0_1516.csv"));
  {
    std::FILE* f = std::fopen((root / "football-data" / "E0_1516.csv").c_str(), "w");
    REQUIRE(f != nullptr);
    const std::string first_line = header.substr(0, header.find('\n') + 1);
    std::fputs(first_line.c_str(), f);
    std::fclose(f);
  }
  StderrCapture capture(TempPath("superbet_backtest_header_only.stderr"));
  const nlohmann::json run = RunModel(root.string(), "");
  const std::string err = capture.Finish();
  fs::remove_all(root);
  REQUIRE(!run.is_null());
  CHECK(err.find("E0_1516.csv has no match") != std::string::npos);
  CHECK(run["overall"]["matches"] == 0);
  CheckAbsent(run["overall"]);
  // The season asked for keeps its row: 0 matches, every ratio null.
  REQUIRE(run["per_season"].size() == 1);
  CHECK(run["per_season"][0]["season"] == "2015/16");
  CHECK(run["per_season"][0]["matches"] == 0);
  CheckAbsent(run["per_season"][0]);
}

}  // namespace
}  // namespace superbet::cli
