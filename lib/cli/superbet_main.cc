// `superbet`: the command-line tool. Dispatches to the registered sub-commands.
//
//   superbet --help                 lists the sub-commands
//   superbet --version              the library version and git revision
//   superbet COMMAND --help         the command's own help (also: superbet help COMMAND)
//   superbet COMMAND [--flags] ARGS
//
// Exit codes: those of the command; 2 for bad usage (unknown command, bad flag), reported before
// the command runs.

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/flags.h"
#include "cli/malloc_tuning.h"
#include "superbet/core/version.h"

namespace {

void PrintTopHelp(std::FILE* out) {
  std::fprintf(out,
               "superbet: football data → canonical model → odds math, backtests and agents.\n\n"
               "Usage: superbet COMMAND [--flags] [ARGS]\n\nCommands:\n");
  for (const auto& [name, command] : superbet::cli::Commands()) {
    std::fprintf(out, "  %-12s %s\n", name.c_str(), command.summary.c_str());
  }
  std::fprintf(out,
               "\nRun 'superbet COMMAND --help' for a command's flags, 'superbet --version' for "
               "the version.\n");
}

void PrintVersion() {
  std::printf("superbet %s (git %s)\n", std::string(superbet::Version()).c_str(),
              std::string(superbet::GitRevision()).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  // The main job's allocation pattern (cli/malloc_tuning.h): before its first allocation.
  if (argc >= 2 && std::strcmp(argv[1], "backtest") == 0) superbet::cli::TuneMallocForBatchJob();
  const bool help =
      argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
                    std::strcmp(argv[1], "help") == 0);
  if (help && argc >= 3) {  // `superbet help COMMAND`: that command's help.
    auto it = superbet::cli::Commands().find(argv[2]);
    if (it == superbet::cli::Commands().end()) {
      std::fprintf(stderr, "superbet: unknown command '%s'\n\n", argv[2]);
      PrintTopHelp(stderr);
      return 2;
    }
    std::fputs(it->second.usage.c_str(), stdout);
    return 0;
  }
  if (argc < 2 || help) {
    PrintTopHelp(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    PrintVersion();
    return 0;
  }
  const std::string name = argv[1];
  auto& commands = superbet::cli::Commands();
  auto it = commands.find(name);
  if (it == commands.end()) {
    std::fprintf(stderr, "superbet: unknown command '%s'\n\n", name.c_str());
    PrintTopHelp(stderr);
    return 2;
  }
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(it->second.usage.c_str(), stdout);
      return 0;
    }
  }
  const std::vector<std::string> rest(argv + 2, argv + argc);
  absl::StatusOr<std::vector<std::string>> args =
      superbet::cli::ParseCommandFlags(it->second, rest);
  if (!args.ok()) {
    std::fprintf(stderr, "superbet %s: %s\n", name.c_str(),
                 std::string(args.status().message()).c_str());
    return 2;
  }
  return it->second.run(*args);
}
