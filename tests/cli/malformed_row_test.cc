// `superbet forecast` and `superbet train --agent prematch` on a football-data season with one
// malformed row and one bad price, as a user meets them: a real E0_1516.csv copied to a temp data
// root with row 11 (West Brom 0-3 Man City) given FTHG "x" and row 21 given Pinnacle's home price
// PSH 0.97. Oracle: the file's 380 matches (data/SOURCES.md); lenient mode skips exactly that row
// (379 matches left) and drops exactly that price, and every command says so with both counts and
// the file:line of each rejection, as `superbet backtest` does; --strict fails naming the row.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/run_command.h"
#include "support/test_data.h"

ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, train_seasons);
ABSL_DECLARE_FLAG(int, episodes);

namespace superbet::cli {
namespace {

namespace fs = std::filesystem;

// Sets `column` of the 1-based file line `line` (the header is line 1) of a CSV held as lines.
void SetCell(std::vector<std::string>& lines, int line, const std::string& column,
             const std::string& value) {
  const std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  size_t index = 0;
  while (index < header.size() && header[index] != column) ++index;
  REQUIRE(index < header.size());
  std::vector<std::string> cells = absl::StrSplit(lines[line - 1], ',');
  REQUIRE(index < cells.size());
  cells[index] = value;
  lines[line - 1] = absl::StrJoin(cells, ",");
}

// A data root holding only football-data/E0_1516.csv, damaged as the file comment says.
struct DamagedSeason {
  DamagedSeason() {
    path = fs::temp_directory_path() / ("superbet_malformed_row_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path / "football-data");
    const std::string real = superbet::testing::ReadFileOrEmpty(
        superbet::testing::DataPath("football-data/E0_1516.csv"));
    REQUIRE(!real.empty());
    std::vector<std::string> lines = absl::StrSplit(real, '\n');  // CRLF: '\r' stays in the line.
    REQUIRE(lines.size() >= 381);
    REQUIRE(absl::StartsWith(lines[10], "E0,10/08/15,West Brom,Man City,0,3,"));
    SetCell(lines, 11, "FTHG", "x");
    SetCell(lines, 21, "PSH", "0.97");
    std::ofstream(path / "football-data/E0_1516.csv", std::ios::binary)
        << absl::StrJoin(lines, "\n");
  }
  ~DamagedSeason() { fs::remove_all(path); }
  fs::path path;
};

TEST_CASE("forecast: one malformed row and one bad price are skipped, counted and named") {
  absl::FlagSaver saver;
  DamagedSeason root;
  absl::SetFlag(&FLAGS_data, root.path.string());
  absl::SetFlag(&FLAGS_seasons, "1516");
  absl::SetFlag(&FLAGS_json, "");
  absl::SetFlag(&FLAGS_strict, false);
  const RunResult lenient = RunCommand(root.path, "forecast", {});
  CHECK(lenient.exit_code == 0);
  CHECK(absl::StrContains(lenient.out, "1 row(s) skipped (0 duplicate), 1 bad price(s) dropped"));
  CHECK(absl::StrContains(lenient.err, "E0_1516.csv:11: column FTHG"));
  CHECK(absl::StrContains(lenient.err, "E0_1516.csv:21: column PSH"));
  CHECK(absl::StrContains(lenient.out, "2015/16      379"));  // The one bad row only.

  absl::SetFlag(&FLAGS_strict, true);
  const RunResult strict = RunCommand(root.path, "forecast", {});
  CHECK(strict.exit_code == 1);
  CHECK(absl::StrContains(strict.err, "E0_1516.csv:11: column FTHG"));
}

TEST_CASE("train --agent prematch: the malformed row and the bad price are counted and named") {
  absl::FlagSaver saver;
  DamagedSeason root;
  absl::SetFlag(&FLAGS_data, root.path.string());
  absl::SetFlag(&FLAGS_agent, "prematch");
  absl::SetFlag(&FLAGS_out, (root.path / "checkpoint").string());
  absl::SetFlag(&FLAGS_train_seasons, "1516");
  absl::SetFlag(&FLAGS_episodes, 1);
  absl::SetFlag(&FLAGS_json, (root.path / "train.json").string());
  absl::SetFlag(&FLAGS_strict, false);
  const RunResult r = RunCommand(root.path, "train", {});
  REQUIRE(r.exit_code == 0);
  CHECK(absl::StrContains(r.err, "1 row(s) skipped (0 duplicate), 1 bad price(s) dropped"));
  CHECK(absl::StrContains(r.err, "E0_1516.csv:11: column FTHG"));
  CHECK(absl::StrContains(r.err, "E0_1516.csv:21: column PSH"));
  const nlohmann::json log = nlohmann::json::parse(
      superbet::testing::ReadFileOrEmpty((root.path / "train.json").string()));
  CHECK(log["rejected_rows"] == 1);
  CHECK(log["rejected_prices"] == 1);
  CHECK(log["rejected_duplicates"] == 0);
  CHECK(log["rejected_cells"] == 0);
}

// A season file with the header row only: not fatal, but every command names it in its own name
// (the loader used to print "superbet backtest: warning: ..." whichever command ran).
TEST_CASE("forecast and train name a header-only season file under their own command name") {
  absl::FlagSaver saver;
  DamagedSeason root;
  const std::string real =
      superbet::testing::ReadFileOrEmpty(superbet::testing::DataPath("football-data/E0_1516.csv"));
  std::ofstream(root.path / "football-data/E0_1516.csv", std::ios::binary)
      << real.substr(0, real.find('\n') + 1);
  absl::SetFlag(&FLAGS_data, root.path.string());
  absl::SetFlag(&FLAGS_seasons, "1516");
  absl::SetFlag(&FLAGS_json, "");
  const RunResult forecast = RunCommand(root.path, "forecast", {});
  CHECK(forecast.exit_code == 0);
  CHECK(absl::StrContains(forecast.err,
                          "superbet forecast: warning: E0_1516.csv has no match (header only?)"));
  CHECK_FALSE(absl::StrContains(forecast.err, "superbet backtest"));

  absl::SetFlag(&FLAGS_agent, "prematch");
  absl::SetFlag(&FLAGS_out, (root.path / "checkpoint").string());
  absl::SetFlag(&FLAGS_train_seasons, "1516");
  absl::SetFlag(&FLAGS_episodes, 1);
  const RunResult train = RunCommand(root.path, "train", {});
  CHECK(train.exit_code == 1);  // Nothing to train on: the job failed, not the usage.
  CHECK(absl::StrContains(train.err,
                          "superbet train: warning: E0_1516.csv has no match (header only?)"));
  CHECK_FALSE(absl::StrContains(train.err, "superbet backtest"));
}

// An empty season file (0 bytes) is data that cannot be read: exit 1 ("the job failed"), not the
// usage error 2 train gave it because the loader reports it as InvalidArgument.
TEST_CASE("train --agent prematch on an empty season file exits 1 naming the file") {
  absl::FlagSaver saver;
  DamagedSeason root;
  std::ofstream(root.path / "football-data/E0_1516.csv", std::ios::binary | std::ios::trunc);
  absl::SetFlag(&FLAGS_data, root.path.string());
  absl::SetFlag(&FLAGS_agent, "prematch");
  absl::SetFlag(&FLAGS_out, (root.path / "checkpoint").string());
  absl::SetFlag(&FLAGS_train_seasons, "1516");
  absl::SetFlag(&FLAGS_episodes, 1);
  absl::SetFlag(&FLAGS_json, "");
  const RunResult r = RunCommand(root.path, "train", {});
  CHECK(r.exit_code == 1);
  CHECK(absl::StrContains(r.err, "E0_1516.csv: empty file (no header row)"));
}

}  // namespace
}  // namespace superbet::cli
