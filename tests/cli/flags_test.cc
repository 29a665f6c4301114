// Unit tests of the `superbet` flag machinery (lib/cli/flags.h): the parser that replaced
// absl::ParseCommandLine, the --seasons list and the --json routing.
//
// Oracle: the contract written in lib/cli/flags.h and in each command's --help ("2 bad flags"),
// with inputs chosen by hand; the season codes are football-data.co.uk's file names
// (../shared/data/football-data/E0_1516.csv = 2015/16, E0_9900 would be 1999/2000).

#include "cli/flags.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "cli/command.h"
#include "superbet/core/version.h"

ABSL_DECLARE_FLAG(double, bankroll);
ABSL_DECLARE_FLAG(double, speed);

namespace superbet::cli {
namespace {

using Args = std::vector<std::string>;

absl::StatusOr<std::vector<std::string>> Parse(const std::string& command, const Args& args) {
  return ParseCommandFlags(Commands().at(command), args);
}

bool Mentions(const absl::Status& s, const std::string& text) {
  return std::string(s.message()).find(text) != std::string::npos;
}

TEST_CASE("ParseSeasonList keeps valid codes in order") {
  auto codes = ParseSeasonList(" 1516, 1415 ,9900");
  REQUIRE(codes.ok());
  CHECK(*codes == Args{"1516", "1415", "9900"});
  auto none = ParseSeasonList("");
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("ParseSeasonList rejects a repeated season, naming it") {
  auto codes = ParseSeasonList("2425,2425");
  REQUIRE(codes.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Mentions(codes.status(), "season 2425 is repeated"));
  CHECK(ParseSeasonList("1415,1516, 1415").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ParseSeasonList rejects empty entries and malformed codes") {
  for (const char* bad : {"1516,,1617", "1516,", "15/16", "1517", "151", "15166", "abcd"}) {
    INFO(bad);
    auto codes = ParseSeasonList(bad);
    CHECK(codes.status().code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(Mentions(ParseSeasonList("1516,1517").status(), "'1517'"));
}

TEST_CASE("ParseCommandFlags: an unparsable value names the flag and the value") {
  absl::FlagSaver saver;
  auto r = Parse("backtest", {"--bankroll", "abc"});
  REQUIRE(r.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Mentions(r.status(), "--bankroll"));
  CHECK(Mentions(r.status(), "'abc'"));
  CHECK(Parse("replay", {"--speed=fast"}).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Parse("backtest", {"--model_pool_window_days", "1.5"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ParseCommandFlags: both value forms, negative values, bools and positionals") {
  absl::FlagSaver saver;
  auto r = Parse("backtest", {"pos1", "--bankroll", "-5", "--strict", "--json=-", "--", "--x"});
  REQUIRE(r.ok());
  CHECK(*r == Args{"pos1", "--x"});
  CHECK(absl::GetFlag(FLAGS_bankroll) == -5);  // The range check is the command's, with exit 2.
  CHECK(absl::GetFlag(FLAGS_strict));
  CHECK(absl::GetFlag(FLAGS_json) == "-");
  CHECK(HumanOutput() == stderr);
  REQUIRE(Parse("replay", {"--json", "-", "--speed=60"}).ok());
  CHECK(absl::GetFlag(FLAGS_speed) == 60);
  CHECK(absl::GetFlag(FLAGS_json) == "-");
  REQUIRE(Parse("backtest", {"--nostrict"}).ok());
  CHECK_FALSE(absl::GetFlag(FLAGS_strict));
  // A flag given again takes the later value: scripts/main-job passes --strategy model and then
  // the user's flags.
  REQUIRE(Parse("backtest", {"--seasons", "1415", "--seasons=1516"}).ok());
  CHECK(absl::GetFlag(FLAGS_seasons) == "1516");
}

TEST_CASE("ParseCommandFlags: unknown, foreign and value-less flags are errors") {
  absl::FlagSaver saver;
  auto unknown = Parse("backtest", {"--bankrol", "5"});
  CHECK(unknown.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Mentions(unknown.status(), "unknown flag --bankrol"));
  auto foreign = Parse("coverage", {"--bankroll", "5"});
  CHECK(foreign.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Mentions(foreign.status(), "--bankroll"));
  CHECK(Parse("coverage", {"--data", "/tmp"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(Parse("replay", {"--seasons", "1516"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  auto missing = Parse("backtest", {"--data"});
  CHECK(Mentions(missing.status(), "--data needs a value"));
  CHECK(Parse("backtest", {"--nostrict=1"}).status().code() == absl::StatusCode::kInvalidArgument);
  // absl's own built-in flags are no flags of a command.
  CHECK(Parse("coverage", {"--flagfile", "/dev/null"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("CheckJsonDestination: the folder must exist before any work starts") {
  absl::FlagSaver saver;
  absl::SetFlag(&FLAGS_json, "");
  CHECK(CheckJsonDestination().ok());
  absl::SetFlag(&FLAGS_json, "-");
  CHECK(CheckJsonDestination().ok());
  absl::SetFlag(&FLAGS_json, "/nonexistent-superbet-dir/report.json");
  const absl::Status missing = CheckJsonDestination();
  CHECK(missing.code() == absl::StatusCode::kInvalidArgument);
  CHECK(Mentions(missing, "/nonexistent-superbet-dir"));
  absl::SetFlag(&FLAGS_json, "/tmp");
  CHECK(CheckJsonDestination().code() == absl::StatusCode::kInvalidArgument);
  absl::SetFlag(&FLAGS_json, "report.json");  // The current folder.
  CHECK(CheckJsonDestination().ok());
  CHECK(HumanOutput() == stdout);
}

// Oracle: project(superbet VERSION ...) in CMakeLists.txt, passed to this test by
// tests/CMakeLists.txt.
TEST_CASE("superbet::Version is the CMake project version, GitRevision hex or unknown") {
  CHECK(std::string(superbet::Version()) == SUPERBET_TEST_PROJECT_VERSION);
  const std::string rev(superbet::GitRevision());
  const bool hex = !rev.empty() && rev.find_first_not_of("0123456789abcdef") == std::string::npos;
  CHECK((hex || rev == "unknown"));
}

}  // namespace
}  // namespace superbet::cli
