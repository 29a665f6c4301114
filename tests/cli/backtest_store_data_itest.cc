// `superbet backtest --store` loads the same BacktestData from a store as from the files, on
// SQLite and on PostgreSQL (started by tests/store/postgres_harness.h; skipped with a warning
// when its binaries are missing), for every E0 season, for the runs of the three strategies.
// The CLI check (tests/store/store_cli_check.py) compares the reports byte for byte on SQLite;
// this compares their input, proto for proto, on both backends.
//
// Oracle: LoadBacktestData over ../shared/data/football-data (the files the store was filled
// from).

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/backtest_store_data.h"
#include "google/protobuf/util/message_differencer.h"
#include "store/postgres_harness.h"
#include "superbet/backtest/backtest_data.h"
#include "superbet/core/clock.h"
#include "superbet/store/ingest.h"
#include "superbet/store/store.h"
#include "support/test_data.h"

namespace superbet::cli {
namespace {

namespace fd = superbet::providers::football_data;
using google::protobuf::util::MessageDifferencer;

std::vector<std::string> E0Codes() {
  std::vector<std::string> codes;
  for (int y = 0; y <= 24; ++y) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d%02d", y, y + 1);
    codes.push_back(buf);
  }
  return codes;
}

void CheckSameData(const backtest::BacktestData& files, const backtest::BacktestData& store) {
  CHECK(store.seasons == files.seasons);
  CHECK(store.history_seasons == files.history_seasons);
  CHECK(store.bet_labels == files.bet_labels);
  CHECK(store.rows_rejected == files.rows_rejected);
  CHECK(store.duplicates_rejected == files.duplicates_rejected);
  CHECK(store.prices_rejected == files.prices_rejected);
  CHECK(store.cells_rejected == files.cells_rejected);
  CHECK(store.rejections_shown == files.rejections_shown);
  CHECK(store.lines_parsed == files.lines_parsed);
  CHECK(store.lines_dropped == files.lines_dropped);
  REQUIRE(store.fixtures.size() == files.fixtures.size());
  size_t differing = 0;
  for (size_t i = 0; i < files.fixtures.size(); ++i) {
    if (!MessageDifferencer::Equals(store.fixtures[i], files.fixtures[i])) ++differing;
  }
  CHECK(differing == 0);
  REQUIRE(store.lines.size() == files.lines.size());
  differing = 0;
  for (size_t i = 0; i < files.lines.size(); ++i) {
    if (!MessageDifferencer::Equals(store.lines[i], files.lines[i])) ++differing;
  }
  CHECK(differing == 0);
}

void CheckStoreEqualsFiles(const std::string& url) {
  const core::FakeClock clock(absl::FromUnixSeconds(1767225600));
  auto store = store::Store::Open(url, clock);
  REQUIRE(store.ok());
  const std::vector<std::string> codes = E0Codes();
  for (const std::string& code : codes) {
    store::IngestSummary summary;
    REQUIRE(
        store::IngestFootballDataFile(
            **store, testing::DataPath(absl::StrCat("football-data/E0_", code, ".csv")), summary)
            .ok());
  }
  auto seasons = StoreSeasons(**store, "E0");
  REQUIRE(seasons.ok());
  CHECK(*seasons == codes);
  const std::string root = testing::DataPath("");
  backtest::EngineOptions options;
  backtest::ModelStrategyOptions model;
  backtest::ModelStrategyOptions market = model;
  market.model_kind = ratings::ModelKind::kMarket;
  // The three strategies, then the model with --model-kind market (1X2 and over/under lines of
  // four bookmakers) and with --emit-predictions (every bookmaker's closing 1X2).
  for (const char* variant : {"model", "favourite", "home", "market", "emit"}) {
    const std::string v = variant;
    const bool model_variant = v == "market" || v == "emit";
    for (const std::vector<std::string>& selected :
         {std::vector<std::string>{}, std::vector<std::string>{"2324"}}) {
      INFO(variant << ", " << selected.size() << " seasons selected");
      backtest::RunLines needs = backtest::LinesOfRun(options, model_variant ? "model" : v,
                                                      v == "market" ? market : model);
      if (v == "emit") needs.all_closing_1x2 = true;
      if (v == "market") REQUIRE(needs.market_goals);
      auto from_files =
          backtest::LoadBacktestData(root, "E0", codes, selected, fd::ParseMode::kLenient, needs);
      auto from_store =
          LoadBacktestDataFromStore(**store, "E0", codes, selected, fd::ParseMode::kLenient, needs);
      REQUIRE(from_files.ok());
      REQUIRE(from_store.ok());
      CHECK(from_files->fixtures.size() > 9000);
      CheckSameData(*from_files, *from_store);
    }
  }
}

TEST_CASE("backtest --store: every E0 season loads from a SQLite store as from the files",
          "[cli][store][sqlite]") {
  char tmpl[] = "/tmp/superbet-bt-store-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  CheckStoreEqualsFiles(absl::StrCat("sqlite:", dir, "/store.db"));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST_CASE("backtest --store: every E0 season loads from a PostgreSQL store as from the files",
          "[cli][store][postgres]") {
  auto server = testing::PostgresServer::Start();
  if (absl::IsUnavailable(server.status())) {
    WARN(std::string(server.status().message()));
    return;
  }
  REQUIRE(server.ok());
  auto url = (*server)->CreateDatabase("backtest_store");
  REQUIRE(url.ok());
  CheckStoreEqualsFiles(*url);
}

}  // namespace
}  // namespace superbet::cli
