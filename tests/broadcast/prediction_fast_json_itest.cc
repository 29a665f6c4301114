// The plant's simdjson Prediction reader and writer (broadcast/internal/prediction_fast_json.h)
// against protobuf's JSON mapping (superbet::scoring::PredictionFromJsonLine /
// PredictionToJsonLine) on the two real producers of its input: the anchor's 10 000 benchmark
// predictions (bench/broadcast_inputs.py runs ../shared/anchors/original_design.py
// generate_predictions(10000, 42) and writes them with Python's json) and `superbet backtest
// --seasons 2324 --strategy model --model_pool_weight 1 --emit-predictions` on
// ../shared/data (the Dixon-Coles model, then the favourite and home baselines). Every line:
// the fast reader accepts it with protobuf's message bytes, the plant's reader answers as
// protobuf's, and the fast writer prints protobuf's bytes for the message (and does answer).

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broadcast/internal/prediction_fast_json.h"
#include "catch2/catch.hpp"
#include "superbet/broadcast/prediction_input.h"
#include "superbet/scoring/prediction_json.h"
#include "support/test_data.h"

namespace {

namespace in = superbet::broadcast::internal;
using superbet::v1::Prediction;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    out.emplace_back(l);
  }
  return out;
}

// Returns how many lines the fast writer printed (it must answer for real data).
int CheckAll(const std::vector<std::string>& lines) {
  int printed = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    INFO("line " << i + 1 << ": " << line);
    auto slow = superbet::scoring::PredictionFromJsonLine(line, 1);
    REQUIRE(slow.ok());
    Prediction fast;
    REQUIRE(in::FastParsePrediction(line, &fast));
    REQUIRE(fast.SerializeAsString() == slow->SerializeAsString());
    auto plant = superbet::broadcast::ParsePredictionLine(line, 1);
    REQUIRE(plant.ok());
    REQUIRE(plant->SerializeAsString() == slow->SerializeAsString());
    std::string out;
    if (in::FastPrintPrediction(fast, &out)) {
      ++printed;
      auto reference = superbet::scoring::PredictionToJsonLine(*slow);
      REQUIRE(reference.ok());
      REQUIRE(out == *reference);
      REQUIRE(superbet::broadcast::PredictionToJson(fast) == *reference);
    }
  }
  return printed;
}

}  // namespace

TEST_CASE("fast Prediction reader and writer equal protobuf on the anchor's 10 000 predictions",
          "[prediction_fast_json]") {
  const std::string out = "/tmp/superbet_fast_json_anchor_" + std::to_string(::getpid()) + ".jsonl";
  const std::string cmd = absl::StrCat("/usr/bin/python3 ", superbet::testing::SourceDir(),
                                       "/bench/broadcast_inputs.py ", superbet::testing::DataDir(),
                                       "/../anchors 10000 42 ", out);
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::vector<std::string> lines = Lines(superbet::testing::ReadFileOrEmpty(out));
  std::remove(out.c_str());
  REQUIRE(lines.size() == 10000);
  // Names outside two-byte UTF-8 go to protobuf's printer; the anchor's are all within.
  CHECK(CheckAll(lines) == 10000);
}

TEST_CASE("fast Prediction reader and writer equal protobuf on backtest --emit-predictions",
          "[prediction_fast_json]") {
  const std::string out = "/tmp/superbet_fast_json_emit_" + std::to_string(::getpid()) + ".jsonl";
  const std::string cmd =
      absl::StrCat(SUPERBET_TOOL_EXE, " backtest --data ", superbet::testing::DataDir(),
                   " --seasons 2324 --strategy model --model_pool_weight 1 --emit-predictions ",
                   out, " > /dev/null 2>&1");
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::vector<std::string> lines = Lines(superbet::testing::ReadFileOrEmpty(out));
  std::remove(out.c_str());
  REQUIRE(lines.size() > 500);
  CHECK(CheckAll(lines) == static_cast<int>(lines.size()));
}
