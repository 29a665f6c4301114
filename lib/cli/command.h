// Sub-command registry of the `superbet` command-line tool.
//
// Each sub-command lives in its own lib/cli/<name>_command.cc and registers itself with
// SUPERBET_REGISTER_COMMAND. The object files are linked directly into the executable, so the
// static registrars always run.
//
// Flags are Abseil flags. Flags shared by several commands (--data, --json, --league, --seasons,
// --strict) are defined once in lib/cli/flags.cc and declared in lib/cli/flags.h; a command's
// own flags are defined in its own file, lib/cli/<name>_command.cc, with names no other command
// uses. A command accepts its own flags and the shared flags it lists in `shared_flags`; any other
// flag is a usage error (exit 2), so `superbet coverage --bankroll 5` is rejected, not ignored
// (see ParseCommandFlags in lib/cli/flags.h).

#ifndef SUPERBET_LIB_CLI_COMMAND_H_
#define SUPERBET_LIB_CLI_COMMAND_H_

#include <map>
#include <string>
#include <vector>

namespace superbet::cli {

// Runs a sub-command. `args` are the positional arguments left after flag parsing (the command
// name removed). Returns the process exit code: 0 success, 1 the job failed, 2 bad usage.
using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  std::string name;
  std::string summary;  // One line, shown by `superbet --help`.
  std::string usage;    // Full help text of the command, shown by `superbet NAME --help`.
  CommandFn run;
  // Names of the shared flags of lib/cli/flags.cc this command reads, without "--". Empty: every
  // shared flag is accepted (for a command that does not list them yet).
  std::vector<std::string> shared_flags;
};

// The registry, ordered by name.
std::map<std::string, Command>& Commands();

struct CommandRegistrar {
  explicit CommandRegistrar(Command command);
};

}  // namespace superbet::cli

#define SUPERBET_REGISTER_COMMAND(id, ...) \
  static ::superbet::cli::CommandRegistrar superbet_command_registrar_##id({__VA_ARGS__})

#endif  // SUPERBET_LIB_CLI_COMMAND_H_
