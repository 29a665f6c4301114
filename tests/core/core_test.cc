// Tests of superbet/core: injected clocks, file errors that name the path, the progress bar text.
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

#include "absl/time/time.h"
#include "superbet/core/clock.h"
#include "superbet/core/file.h"
#include "superbet/core/progress.h"
#include "superbet/core/status_macros.h"
#include "support/test_data.h"

namespace superbet::core {
namespace {

TEST_CASE("FakeClock starts where told and advances only when told", "[core]") {
  FakeClock clock(absl::FromUnixSeconds(1439035200));  // 2015-08-08 12:00:00 UTC
  REQUIRE(clock.Now() == absl::FromUnixSeconds(1439035200));
  clock.Advance(absl::Seconds(90));
  REQUIRE(clock.Now() == absl::FromUnixSeconds(1439035290));
  clock.Set(absl::UnixEpoch());
  REQUIRE(clock.Now() == absl::UnixEpoch());
}

TEST_CASE("ReadFile returns NotFound naming the path", "[core]") {
  auto r = ReadFile("/nonexistent/superbet/E0_9999.csv");
  REQUIRE_FALSE(r.ok());
  REQUIRE(absl::IsNotFound(r.status()));
  REQUIRE(r.status().message().find("/nonexistent/superbet/E0_9999.csv") != std::string::npos);
}

TEST_CASE("ReadFile reads a real data file byte for byte", "[core]") {
  auto r = ReadFile(superbet::testing::DataPath("football-data/E0_2425.csv"));
  REQUIRE(r.ok());
  REQUIRE(r->size() == 197110);  // SOURCES.md: 197,110 bytes, BOM + CRLF.
  REQUIRE(r->substr(0, 3) == "\xEF\xBB\xBF");
}

TEST_CASE("WriteFileAtomically writes and replaces", "[core]") {
  const std::string path = "/tmp/superbet_core_test_" + std::to_string(::getpid());
  REQUIRE(WriteFileAtomically(path, "first").ok());
  REQUIRE(WriteFileAtomically(path, "second").ok());
  auto r = ReadFile(path);
  REQUIRE(r.ok());
  REQUIRE(*r == "second");
  std::remove(path.c_str());
  auto bad = WriteFileAtomically("/nonexistent/dir/file", "x");
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.message().find("/nonexistent/dir/file") != std::string::npos);
}

TEST_CASE("ListFiles lists the football-data seasons sorted", "[core]") {
  // ../shared/data/football-data: 25 Premier League (E0_0001..E0_2425) and 17 Championship
  // (E1_0304..E1_1920) seasons; byte order puts every E0 file before every E1 file.
  auto r = ListFiles(superbet::testing::DataPath("football-data"));
  REQUIRE(r.ok());
  REQUIRE(r->size() == 42);
  REQUIRE(r->front() == "E0_0001.csv");
  REQUIRE((*r)[24] == "E0_2425.csv");
  REQUIRE((*r)[25] == "E1_0304.csv");
  REQUIRE(r->back() == "E1_1920.csv");
  REQUIRE(absl::IsNotFound(ListFiles("/nonexistent/superbet").status()));
}

TEST_CASE("ProgressBar renders filled cells in proportion", "[core]") {
  REQUIRE(ProgressBar::Render(0, 10, 10) == "[>         ] 0/10");
  REQUIRE(ProgressBar::Render(5, 10, 10) == "[=====>    ] 5/10");
  REQUIRE(ProgressBar::Render(10, 10, 10) == "[==========] 10/10");
  REQUIRE(ProgressBar::Render(12, 10, 10) == "[==========] 10/10");  // clamped
  REQUIRE(ProgressBar::Render(1, 0, 4) == "[====] 1/1");              // total < 1 → 1
}

TEST_CASE("ProgressBar prints one line per decile to a non-terminal", "[core]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    ProgressBar bar(20, "load", f);
    for (int i = 0; i < 20; ++i) bar.Advance(1, "x");
  }
  std::rewind(f);
  int lines = 0;
  for (int c; (c = std::fgetc(f)) != EOF;) lines += c == '\n';
  std::fclose(f);
  REQUIRE(lines == 11);  // the first step (decile 0), then deciles 1..10.
}

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  SUPERBET_ASSIGN_OR_RETURN(int h, Half(x));
  SUPERBET_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST_CASE("Status macros propagate the first error", "[core]") {
  REQUIRE(*Quarter(8) == 2);
  REQUIRE(absl::IsInvalidArgument(Quarter(6).status()));
}

}  // namespace
}  // namespace superbet::core
