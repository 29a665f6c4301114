// Runs one `superbet` command in-process (its registered run function, flags already set by the
// test) with stdout and stderr redirected to files in a folder, and returns its exit code and
// both outputs. For CLI tests that need the flags machinery without spawning the binary.
#ifndef SUPERBET_TESTS_CLI_RUN_COMMAND_H_
#define SUPERBET_TESTS_CLI_RUN_COMMAND_H_

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/command.h"
#include "support/test_data.h"

namespace superbet::cli {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// `dir` must exist; the files `dir`/stdout and `dir`/stderr are overwritten.
inline RunResult RunCommand(const std::filesystem::path& dir, const std::string& command,
                            const std::vector<std::string>& args) {
  const std::string out_path = (dir / "stdout").string(), err_path = (dir / "stderr").string();
  std::fflush(stdout);
  std::fflush(stderr);
  const int saved_out = ::dup(1), saved_err = ::dup(2);
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  RunResult r;
  r.exit_code = Commands().at(command).run(args);
  std::fflush(stdout);
  std::fflush(stderr);
  ::dup2(saved_out, 1);
  ::dup2(saved_err, 2);
  for (int fd : {saved_out, saved_err, out_fd, err_fd}) ::close(fd);
  r.out = superbet::testing::ReadFileOrEmpty(out_path);
  r.err = superbet::testing::ReadFileOrEmpty(err_path);
  return r;
}

}  // namespace superbet::cli

#endif  // SUPERBET_TESTS_CLI_RUN_COMMAND_H_
