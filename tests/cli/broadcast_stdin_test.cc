// `superbet broadcast --input -` reads the Prediction lines from stdin, as '-' means stdout for
// --json and --emit-predictions, so `superbet backtest ... --emit-predictions - | superbet
// broadcast --input -` works (it failed: "--input: cannot read '-'"). Oracle: the favourite
// strategy's and both baselines' bets on E0 2015/16, one line each: 3 x 380 = 1140 input lines, all
// accepted (the line count `backtest --emit-predictions` prints for the same run).
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/run_command.h"
#include "support/test_data.h"

ABSL_DECLARE_FLAG(std::string, strategy);
ABSL_DECLARE_FLAG(std::string, emit_predictions);
ABSL_DECLARE_FLAG(std::string, input);
ABSL_DECLARE_FLAG(std::string, sink);

namespace superbet::cli {
namespace {

namespace fs = std::filesystem;

TEST_CASE("broadcast --input - reads the Prediction lines from stdin") {
  absl::FlagSaver saver;
  const fs::path dir =
      fs::temp_directory_path() / ("superbet_broadcast_stdin_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "sink");
  const std::string predictions = (dir / "predictions.jsonl").string();
  absl::SetFlag(&FLAGS_data, superbet::testing::DataDir());
  absl::SetFlag(&FLAGS_seasons, "1516");
  absl::SetFlag(&FLAGS_strategy, "favourite");
  absl::SetFlag(&FLAGS_emit_predictions, predictions);
  absl::SetFlag(&FLAGS_json, "");
  REQUIRE(RunCommand(dir, "backtest", {}).exit_code == 0);
  absl::SetFlag(&FLAGS_emit_predictions, "");

  const int saved_in = ::dup(0);
  const int file_in = ::open(predictions.c_str(), O_RDONLY);
  REQUIRE(file_in >= 0);
  ::dup2(file_in, 0);
  absl::SetFlag(&FLAGS_input, "-");
  absl::SetFlag(&FLAGS_sink, "dir:" + (dir / "sink").string());
  absl::SetFlag(&FLAGS_json, (dir / "report.json").string());
  const RunResult r = RunCommand(dir, "broadcast", {});
  ::dup2(saved_in, 0);
  ::close(saved_in);
  ::close(file_in);
  CHECK(r.exit_code == 0);
  INFO(r.err);
  const nlohmann::json report = nlohmann::json::parse(
      superbet::testing::ReadFileOrEmpty((dir / "report.json").string()), nullptr, false);
  REQUIRE(report.is_object());
  CHECK(report["input_lines"] == 1140);
  CHECK(report["accepted"] == 1140);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace superbet::cli
