// `superbet backtest --store` and `superbet replay --store` only read a store: a sqlite: URL
// naming a file that does not exist (a typo) is an error naming the path and `superbet ingest`,
// and leaves no empty database file behind (Store::Open creates a missing SQLite file, which is
// right for `superbet ingest` only). Oracle: the file system after the run; the exit code 1
// ("data missing") of README.md's exit-code table.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/run_command.h"

ABSL_DECLARE_FLAG(std::string, match);

namespace superbet::cli {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  TempDir() {
    path = fs::temp_directory_path() / ("superbet_ro_store_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

TEST_CASE("backtest --store sqlite:MISSING fails naming the file and creates nothing") {
  absl::FlagSaver saver;
  TempDir dir;
  const fs::path db = dir.path / "typo.sqlite";
  absl::SetFlag(&FLAGS_store, "sqlite:" + db.string());
  absl::SetFlag(&FLAGS_seasons, "1516");
  const RunResult r = RunCommand(dir.path, "backtest", {});
  CHECK(r.exit_code == 1);
  CHECK(absl::StrContains(r.err, "--store sqlite:" + db.string() + ": no such SQLite file"));
  CHECK(absl::StrContains(r.err, "superbet ingest"));
  CHECK_FALSE(fs::exists(db));
}

TEST_CASE("replay --store sqlite:MISSING fails naming the file and creates nothing") {
  absl::FlagSaver saver;
  TempDir dir;
  const fs::path db = dir.path / "typo.sqlite";
  absl::SetFlag(&FLAGS_store, "sqlite:" + db.string());
  absl::SetFlag(&FLAGS_match, "3754097");
  const RunResult r = RunCommand(dir.path, "replay", {});
  CHECK(r.exit_code == 1);
  CHECK(absl::StrContains(r.err, "--store sqlite:" + db.string() + ": no such SQLite file"));
  CHECK_FALSE(fs::exists(db));
}

}  // namespace
}  // namespace superbet::cli
