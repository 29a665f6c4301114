// The plant's simdjson Prediction reader and its writer (broadcast/internal/prediction_fast_json.h)
// against their oracle, protobuf 3.21's JSON mapping as superbet::scoring uses it
// (PredictionFromJsonLine: JsonStringToMessage + the contract's validation;
// PredictionToJsonLine: MessageToJsonString), on real lines: the 80 E0 2023/24 lines of
// tests/broadcast/data (written by Python's json, not canonical: "8.0"), lines built from
// football-data's E0 2023/24 Bet365 prices, every bad-line example of the contract, and 30 000
// byte-level mutations of those lines. Properties: the reader never accepts a line protobuf
// rejects, accepts the canonical and the test-data lines (else it is no fast path), and gives the
// same message bytes; ParsePredictionLine's answer (message or error text) is protobuf's exactly;
// the writer's bytes are protobuf's wherever it answers (every code point of its allowed ranges,
// 200 000 doubles), and it answers for the real lines. The anchor's 10 000 events and `superbet
// backtest --emit-predictions` output are compared in prediction_fast_json_itest.cc.

#include "broadcast/internal/prediction_fast_json.h"

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "catch2/catch.hpp"
#include "plant_support.h"
#include "superbet/broadcast/prediction_input.h"
#include "superbet/scoring/prediction_json.h"
#include "support/test_data.h"

namespace {

namespace in = superbet::broadcast::internal;
namespace sb = superbet::broadcast;
namespace st = superbet::testing;
using superbet::v1::Prediction;

std::vector<std::string> FileLines(const std::string& path) {
  std::vector<std::string> out;
  const std::string all = superbet::testing::ReadFileOrEmpty(path);
  size_t at = 0;
  while (at < all.size()) {
    size_t end = all.find('\n', at);
    if (end == std::string::npos) end = all.size();
    if (end > at) out.push_back(all.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

std::vector<std::string> RealLines() {
  // The file's 80 good lines (its last two are bad on purpose: checked in the next test case).
  std::vector<std::string> lines =
      FileLines(superbet::testing::SourceDir() + "/tests/broadcast/data/e0_2324_first80.jsonl");
  REQUIRE(lines.size() == 82);
  lines.resize(80);
  for (std::string& l : st::PredictionLines("football-data/E0_2324.csv", 200, 7)) {
    lines.push_back(std::move(l));
  }
  return lines;
}

// The reader's answer equals protobuf's: accepted with the same bytes, or the same error.
void CheckSame(const std::string& line) {
  INFO(line);
  Prediction fast;
  const bool accepted = in::FastParsePrediction(line, &fast);
  auto slow = superbet::scoring::PredictionFromJsonLine(line, 3);
  if (accepted) {
    REQUIRE(slow.ok());
    CHECK(fast.SerializeAsString() == slow->SerializeAsString());
  }
  auto plant = sb::ParsePredictionLine(line, 3);
  REQUIRE(plant.ok() == slow.ok());
  if (slow.ok()) {
    CHECK(plant->SerializeAsString() == slow->SerializeAsString());
  } else {
    CHECK(plant.status() == slow.status());
  }
}

std::string ProtobufPrint(const Prediction& p) {
  auto line = superbet::scoring::PredictionToJsonLine(p);
  REQUIRE(line.ok());
  return *line;
}

}  // namespace

TEST_CASE("fast Prediction reader accepts the real lines with protobuf's message bytes",
          "[prediction_fast_json]") {
  for (const std::string& line : RealLines()) {
    INFO(line);
    Prediction fast;
    REQUIRE(in::FastParsePrediction(line, &fast));
    CheckSame(line);
    // And the canonical line (protobuf's print) of the same message.
    const std::string canonical = ProtobufPrint(fast);
    Prediction again;
    REQUIRE(in::FastParsePrediction(canonical, &again));
    CheckSame(canonical);
  }
}

TEST_CASE("fast Prediction reader declines every bad line, and the plant keeps protobuf's error",
          "[prediction_fast_json]") {
  const std::string good = RealLines().front();
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const size_t at = s.find(from);
    REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
    return s;
  };
  const std::vector<std::string> bad = {
      edit("\"pick\":\"home\"", "\"pick\":\"Home\""),
      edit("\"home\":8.0", "\"home\":0.97"),
      edit("\"home\":8.0", "\"home\":1"),
      edit("\"home\":0.130641", "\"home\":1.5"),
      edit("\"home\":0.130641", "\"home\":-0.1"),
      edit("\"confidence\":0.6132", "\"confidence\":1.2"),
      edit("\"kelly_fraction\":0.00645", "\"kelly_fraction\":-0.5"),
      edit("\"cas\":1.1065", "\"cas\":-1"),
      edit("\"kickoff\":\"2023-08-11T20:00:00Z\",", ""),
      edit("\"kickoff\":\"2023-08-11T20:00:00Z\"", "\"kickoff\":\"2023-08-11 20:00\""),
      edit("\"kickoff\":\"2023-08-11T20:00:00Z\"", "\"kickoff\":\"2023-02-30T20:00:00Z\""),
      edit("\"kickoff\":\"2023-08-11T20:00:00Z\"", "\"kickoff\":\"2023-08-11T20:00:00+01:00\""),
      edit("\"kickoff\":\"2023-08-11T20:00:00Z\"", "\"kickoff\":\"2023-08-11T20:00:00-00:00\""),
      edit("\"kickoff\":\"2023-08-11T20:00:00Z\"", "\"kickoff\":\"2023-08-11T20:00:00+00:00Z\""),
      edit("\"kickoff\":\"2023-08-11T20:00:00Z\"", "\"kickoff\":\"2023-08-11T20:00:00.5Z\""),
      edit("\"kickoff\":\"2023-08-11T20:00:00Z\"", "\"kickoff\":null"),
      edit("\"agent\":\"model\"", "\"agent\":\"\""),
      edit("\"agent\":\"model\"", "\"agnet\":\"model\""),
      edit("\"match_id\"", "\"matchId\""),
      edit("\"confidence\":0.6132", "\"confidence\":\"0.6132\""),
      edit("\"confidence\":0.6132", "\"confidence\":\"NaN\""),
      edit("\"vsnr\":5.939", "\"vsnr\":null"),
      edit("\"vsnr\":5.939", "\"vsnr\":1e400"),
      edit("\"odds\":{", "\"odds\":{\"over\":2,"),
      edit("\"prob\":{\"home\":0.130641,", "\"prob\":{"),
      edit("\"model_version\":\"fixture-e0-2324\"",
           "\"model_version\":\"fixture-e0-2324\",\"action\":\"ACTION_BET_AWAY\""),
      edit("\"model_version\":\"fixture-e0-2324\"",
           "\"model_version\":\"fixture-e0-2324\",\"action\":1"),
      edit("\"model_version\":\"fixture-e0-2324\"",
           "\"model_version\":\"fixture-e0-2324\",\"data_staleness_s\":-3"),
      edit("\"agent\":\"model\"", "\"agent\":\"model\",\"agent\":\"model\""),
      edit("{", "["),
      good.substr(0, good.size() - 1),
      good + " x",
      "",
      "null",
      "{}",
  };
  std::vector<std::string> all = bad;
  const std::vector<std::string> file =
      FileLines(superbet::testing::SourceDir() + "/tests/broadcast/data/e0_2324_first80.jsonl");
  all.insert(all.end(), file.end() - 2, file.end());
  for (const std::string& line : all) {
    INFO(line);
    Prediction p;
    auto slow = superbet::scoring::PredictionFromJsonLine(line, 3);
    if (!slow.ok()) CHECK_FALSE(in::FastParsePrediction(line, &p));
    CheckSame(line);
  }
  // The line with an action that agrees with the pick, and a staleness, is accepted by both.
  CheckSame(edit("\"model_version\":\"fixture-e0-2324\"",
                 "\"model_version\":\"fixture-e0-2324\",\"action\":\"ACTION_BET_HOME\","
                 "\"data_staleness_s\":12.5"));
}

TEST_CASE("fast Prediction reader equals protobuf on 30 000 mutated real lines",
          "[prediction_fast_json]") {
  const std::vector<std::string> lines = RealLines();
  std::mt19937_64 rng(15);
  const std::string alphabet = "0123456789.-+eE\"{}[],:nulltrueZT \\/u";
  int accepted = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string s = lines[rng() % lines.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits; ++k) {
      const size_t at = rng() % s.size();
      switch (rng() % 4) {
        case 0:
          s[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          s.erase(at, 1 + rng() % 3);
          break;
        case 2:
          s.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          s[at] = static_cast<char>(rng() & 0xff);
          break;
      }
      if (s.empty()) s = "{";
    }
    Prediction p;
    accepted += in::FastParsePrediction(s, &p) ? 1 : 0;
    CheckSame(s);
  }
  // Most mutations land in a number or a string and keep the line valid.
  CHECK(accepted > 1500);
}

TEST_CASE("fast Prediction writer prints protobuf's bytes", "[prediction_fast_json]") {
  std::vector<Prediction> messages;
  for (const std::string& line : RealLines()) {
    Prediction p;
    REQUIRE(in::FastParsePrediction(line, &p));
    messages.push_back(p);
  }
  for (const Prediction& p : messages) {
    std::string fast;
    REQUIRE(in::FastPrintPrediction(p, &fast));
    CHECK(fast == ProtobufPrint(p));
  }
  SECTION("every code point of its allowed ranges, and declines the others") {
    Prediction p = messages.front();
    int printed = 0;
    for (uint32_t cp = 1; cp < 0x800; ++cp) {
      std::string name = "A";
      if (cp < 0x80) {
        name.push_back(static_cast<char>(cp));
      } else {
        name.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        name.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
      }
      p.set_home(name);
      std::string fast;
      if (in::FastPrintPrediction(p, &fast)) {
        ++printed;
        INFO("U+" << std::hex << cp);
        CHECK(fast == ProtobufPrint(p));
      }
    }
    // Printable ASCII less " \\ < >, and U+00A0..U+07FF less the 7 protobuf escapes.
    CHECK(printed == 95 - 4 + (0x800 - 0xa0) - 7);
  }
  SECTION("doubles: random bit patterns, short decimals, integers, tiny and huge values") {
    std::mt19937_64 rng(42);
    Prediction p = messages.front();
    int fast_count = 0;
    for (int i = 0; i < 200000; ++i) {
      double v = 0;
      switch (i % 4) {
        case 0: {
          const uint64_t bits = rng();
          std::memcpy(&v, &bits, sizeof v);
          break;
        }
        case 1:
          v = static_cast<double>(rng() % 100000) / std::pow(10.0, static_cast<int>(rng() % 8));
          break;
        case 2:
          v = static_cast<double>(rng() % 2000000000000000000ull) /
              std::pow(10.0, static_cast<int>(rng() % 20));
          break;
        default:
          v = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 200) - 150);
          break;
      }
      if (!std::isfinite(v)) continue;
      p.set_vsnr(v);
      p.set_confidence(std::fabs(v));
      std::string fast;
      if (!in::FastPrintPrediction(p, &fast)) continue;
      ++fast_count;
      INFO(v);
      REQUIRE(fast == ProtobufPrint(p));
    }
    CHECK(fast_count > 150000);
  }
  SECTION("unset optionals, every action, fractional timestamps") {
    Prediction p = messages.front();
    p.clear_vsnr();
    p.clear_gamma();
    p.set_data_staleness_s(30.25);
    for (int a = 0; a <= 4; ++a) {
      if (!superbet::v1::Action_IsValid(a)) continue;
      p.set_action(static_cast<superbet::v1::Action>(a));
      for (int32_t nanos : {0, 5000000, 123456000, 123456789}) {
        p.mutable_decided_at()->set_nanos(nanos);
        std::string fast;
        REQUIRE(in::FastPrintPrediction(p, &fast));
        CHECK(fast == ProtobufPrint(p));
        // And the reader reads it back to the same message.
        Prediction back;
        if (in::FastParsePrediction(fast, &back)) {
          CHECK(back.SerializeAsString() == p.SerializeAsString());
        }
      }
    }
  }
}
