// Tests of `superbet normalize` (lib/cli/normalize_command.cc): --json honoured, every output line
// valid JSON even for a path with a newline and a tab, no libprotobuf error on stderr for a
// Windows-1252 file.
//
// Oracles: nlohmann::json's parser (an independent JSON reader) for "valid JSON" and for the
// decoded "source" string; the record counts of bench/csv_ingest_baseline.py --counts, an
// independent Python implementation (E0_1516: 380 fixtures + 14437 prices; E1_0405 read by
// Python's csv module: 552 fixtures).

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/run_command.h"
#include "support/test_data.h"

ABSL_DECLARE_FLAG(std::string, provider);

namespace superbet::cli {
namespace {

namespace fs = std::filesystem;

// A temporary folder removed at the end of the test.
struct TempDir {
  TempDir() {
    path = fs::temp_directory_path() / ("superbet_normalize_test_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

// Runs `superbet normalize --provider football-data --json <json> <paths>` with stdout and
// stderr redirected to files in `dir`.
RunResult RunNormalize(const fs::path& dir, const std::string& json,
                       const std::vector<std::string>& paths) {
  absl::SetFlag(&FLAGS_provider, "football-data");
  absl::SetFlag(&FLAGS_json, json);
  RunResult r = RunCommand(dir, "normalize", paths);
  absl::SetFlag(&FLAGS_json, "");
  return r;
}

std::vector<nlohmann::json> ParseLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    INFO("line " << out.size() + 1 << ": " << line.substr(0, 200));
    REQUIRE(nlohmann::json::accept(line));
    out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

TEST_CASE("normalize: --json PATH gets the same lines, a path with \\n and \\t stays valid JSON",
          "[normalize][issue12]") {
  TempDir tmp;
  const fs::path odd_dir = tmp.path / "new\nline\tand tab";
  fs::create_directories(odd_dir);
  const std::string csv = (odd_dir / "E0_1516.csv").string();
  fs::copy_file(superbet::testing::DataPath("football-data/E0_1516.csv"), csv);
  const std::string json_path = (tmp.path / "records.jsonl").string();

  const RunResult r = RunNormalize(tmp.path, json_path, {csv});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::vector<nlohmann::json> lines = ParseLines(r.out);
  CHECK(lines.size() == 380 + 14437);
  for (const nlohmann::json& j : lines) REQUIRE(j["source"] == csv);  // Decoded back exactly.
  CHECK(lines.front()["record"]["id"] == "football-data:E0:2015-08-08:Bournemouth:Aston Villa");
  CHECK(superbet::testing::ReadFileOrEmpty(json_path) == r.out);  // --json PATH: same bytes.
  CHECK(r.err.find('\t') == std::string::npos);                   // stderr escapes it too.
}

TEST_CASE("normalize: --json=- prints the lines once", "[normalize][issue12]") {
  TempDir tmp;
  const RunResult r =
      RunNormalize(tmp.path, "-", {superbet::testing::DataPath("football-data/E0_1516.csv")});
  REQUIRE(r.exit_code == 0);
  CHECK(ParseLines(r.out).size() == 380 + 14437);
}

TEST_CASE("normalize: E1_0405 (Windows-1252) prints UTF-8 and no libprotobuf error",
          "[normalize][issue12]") {
  // Before the fix: libprotobuf logged "contains invalid UTF-8 data when serializing" for the
  // referee "\xa0A Penn" of line 517 (the JSON printer serializes the Fixture).
  TempDir tmp;
  const std::string json_path = (tmp.path / "e1.jsonl").string();
  const RunResult r =
      RunNormalize(tmp.path, json_path, {superbet::testing::DataPath("football-data/E1_0405.csv")});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("libprotobuf") == std::string::npos);
  CHECK(r.err.find("invalid UTF-8") == std::string::npos);
  CHECK(r.err.find("E1_0405.csv:517: not valid UTF-8; the file is decoded as Windows-1252") !=
        std::string::npos);
  int fixtures = 0;
  bool penn = false;
  for (const nlohmann::json& j : ParseLines(superbet::testing::ReadFileOrEmpty(json_path))) {
    if (j["type"] != "superbet.v1.Fixture") continue;
    ++fixtures;
    if (j["record"]["id"] == "football-data:E1:2005-04-23:Brighton:West Ham") {
      penn = j["record"]["referee"] == "A Penn";
    }
  }
  CHECK(fixtures == 552);
  CHECK(penn);
}

}  // namespace
}  // namespace superbet::cli
