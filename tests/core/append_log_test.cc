// Tests of superbet/core/append_log.h against a real write failure: the process's file size
// limit (RLIMIT_FSIZE, SIGXFSZ ignored) makes the kernel write part of a line and then refuse the
// rest with EFBIG, as a disk that fills up mid-line does with ENOSPC. Oracle: the file's bytes
// (only complete lines, in order), and a std::ofstream under the same limit, which leaves the torn
// line in the file (so the fault really is a partial write) and stays failed.
#include "superbet/core/append_log.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/file_size_limit.h"

namespace superbet::core {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A temp folder, removed at scope exit.
struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/superbet_append_log_XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

using testing::FileSizeLimit;

const std::string kA = "{\"line\":\"a\"}\n";
const std::string kB = "{\"line\":\"b\",\"text\":\"a longer line that does not fit\"}\n";
const std::string kC = "{\"line\":\"c\"}\n";

TEST_CASE("append log: a line that fails half-written is truncated away, the next is written",
          "[append_log]") {
  TempDir dir;
  const std::string path = dir.path + "/ledger.jsonl";
  auto log = AppendLog::Open(path);
  REQUIRE(log.ok());
  std::unique_ptr<std::ostream> out = (*log)->NewStream();
  *out << kA << std::flush;
  REQUIRE(out->good());
  REQUIRE(Slurp(path) == kA);
  {
    FileSizeLimit full(kA.size() + 10);  // 10 bytes of kB fit, the rest does not.
    *out << kB;
    out->flush();
    CHECK(out->bad());
    CHECK(Slurp(path) == kA);  // No torn line.
    CHECK((*log)->failed_appends() == 1);
    const absl::Status direct = (*log)->Append(kB);
    CHECK(direct.code() == absl::StatusCode::kResourceExhausted);
    CHECK(direct.message() == "append to " + path + ": File too large");
    CHECK(Slurp(path) == kA);
  }
  // Space is back: the writer clears the stream; only the new line is written (the failed one is
  // not resurrected in front of it).
  out->clear();
  *out << kC << std::flush;
  CHECK(out->good());
  CHECK(Slurp(path) == kA + kC);
  CHECK((*log)->failed_appends() == 2);

  SECTION("the oracle: a std::ofstream under the same limit tears the line and stays failed") {
    const std::string other = dir.path + "/ofstream.jsonl";
    std::ofstream f(other, std::ios::app);
    f << kA << std::flush;
    {
      FileSizeLimit full(kA.size() + 10);
      f << kB << std::flush;
      CHECK(!f.good());
    }
    CHECK(Slurp(other) == kA + kB.substr(0, 10));  // A torn line a reader cannot parse.
    f << kC << std::flush;
    CHECK(!f.good());  // Still failed: nothing more is written until someone clears it.
    CHECK(Slurp(other) == kA + kB.substr(0, 10));
  }
}

TEST_CASE("append log: opening truncates a torn last line, streams never interleave lines",
          "[append_log]") {
  TempDir dir;
  const std::string path = dir.path + "/ledger.jsonl";
  {
    std::ofstream f(path);
    f << kA << "{\"line\":\"tor";
  }
  auto log = AppendLog::Open(path);
  REQUIRE(log.ok());
  CHECK(Slurp(path) == kA);
  auto s1 = (*log)->NewStream();
  auto s2 = (*log)->NewStream();
  *s1 << "{\"line\":";  // Half a line: waits in s1's buffer, even across a flush.
  s1->flush();
  *s2 << kC << std::flush;
  *s1 << "\"b\"}\n" << std::flush;
  CHECK(Slurp(path) == kA + kC + "{\"line\":\"b\"}\n");
  CHECK((*log)->Append("no newline").code() == absl::StatusCode::kInvalidArgument);

  auto missing = AppendLog::Open(dir.path + "/no/such/dir/ledger.jsonl");
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace superbet::core
