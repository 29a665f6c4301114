// `superbet`: the command-line tool. Dispatches to the registered sub-commands.
//
//   superbet --help                 lists the sub-commands
//   superbet COMMAND --help         the command's own help
//   superbet COMMAND [--flags] ARGS

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "cli/command.h"

namespace {

void PrintTopHelp(std::FILE* out) {
  std::fprintf(out,
               "superbet: football data → canonical model → odds math, backtests and agents.\n\n"
               "Usage: superbet COMMAND [--flags] [ARGS]\n\nCommands:\n");
  for (const auto& [name, command] : superbet::cli::Commands()) {
    std::fprintf(out, "  %-12s %s\n", name.c_str(), command.summary.c_str());
  }
  std::fprintf(out, "\nRun 'superbet COMMAND --help' for a command's flags.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    PrintTopHelp(stdout);
    return argc < 2 ? 2 : 0;
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
  // Parse the flags after the command name; argv[0] stays the program name.
  std::vector<char*> rest;
  rest.push_back(argv[0]);
  for (int i = 2; i < argc; ++i) rest.push_back(argv[i]);
  absl::SetProgramUsageMessage(it->second.usage);
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(rest.size()), rest.data());
  std::vector<std::string> args(positional.begin() + 1, positional.end());
  return it->second.run(args);
}
