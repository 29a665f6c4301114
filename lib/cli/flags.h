// Flags shared by several `superbet` sub-commands, and the flag parser of the tool.
//
// The parser (ParseCommandFlags) replaces absl::ParseCommandLine so that every bad flag is a usage
// error with exit code 2 and a message naming the flag and the value, as each command's --help
// promises (absl exits 1 on an unparsable value and accepts the flags of other commands).

#ifndef SUPERBET_LIB_CLI_FLAGS_H_
#define SUPERBET_LIB_CLI_FLAGS_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/command.h"

ABSL_DECLARE_FLAG(std::string, data);     // Data root laid out like ../shared/data.
ABSL_DECLARE_FLAG(std::string, json);     // Write JSON to this path ("-" = stdout).
ABSL_DECLARE_FLAG(std::string, league);   // football-data.co.uk division code, e.g. E0.
ABSL_DECLARE_FLAG(std::string, seasons);  // Comma-separated season codes, e.g. 1516,1617.
ABSL_DECLARE_FLAG(bool, strict);          // Fail on the first malformed row instead of skipping.
ABSL_DECLARE_FLAG(std::string, agent);    // train: prematch|live; replay: the agent's folder.
ABSL_DECLARE_FLAG(std::string, ledger);   // Paper ledger JSON lines path.
ABSL_DECLARE_FLAG(int64_t, seed);         // Random seed.
ABSL_DECLARE_FLAG(std::string, store);    // Store URL (sqlite:PATH, postgres://...).
ABSL_DECLARE_FLAG(std::string,
                  model_kind);  // ratings::ModelKindName spelling (backtest, forecast).

namespace superbet::cli {

// Parses the arguments after `superbet COMMAND` into the Abseil flags and returns the positional
// arguments, in order. Accepted forms: --name=value, --name value, -name (same as --name), and for
// a bool flag --name, --noname, --name=true|false; a dash inside a name is read as an underscore
// (--model-kind = --model_kind); "--" ends the flags (everything after it is
// positional); a lone "-" is positional. A value may start with '-' (--bankroll -5 reaches the
// command's own range check; --json - means stdout). A flag given again takes the later value,
// the usual convention that lets a wrapper (scripts/main-job) set defaults the user overrides.
//
// Accepted flags: those defined in lib/cli/<command.name>_command.cc and the shared flags named in
// command.shared_flags (every shared flag when that list is empty).
//
// Errors: InvalidArgument, the message naming the flag (and the value when there is one), for an
// unknown flag, a flag of another command, a missing value, a value with "=" on
// a bool flag that is not true/false/1/0/yes/no, or a value of the wrong type (--bankroll abc). A
// flag set before the error keeps its parsed value; the caller exits 2 and never runs the command.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ParseCommandFlags(
    const Command& command, const std::vector<std::string>& args);

// The season codes of a --seasons list, in the order given. A code is four digits naming two
// consecutive years, "1516" = 2015/16, "9900" = 1999/2000. Whitespace around a code is ignored.
// An empty list gives no codes (the caller's default: every season found).
//
// Errors: InvalidArgument naming the entry for an empty entry ("1516,,1617"), a malformed code
// ("15-16", "1517") or a repeated season ("1516,1516" would count the season twice).
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ParseSeasonList(absl::string_view list);

// Checks before any work starts that the --json destination can be written: unset and "-" pass;
// for a path, its folder must exist.
// Errors: InvalidArgument naming the path when its folder does not exist or the path is a folder.
[[nodiscard]] absl::Status CheckJsonDestination();

// Checks before any work starts that the file `path`, the value of the flag `flag` (e.g. "ledger"),
// can be written: its folder must exist and it must not be a folder; "-" (stdout for --json) is
// refused. (CheckJsonDestination is this
// check for --json, with "-" = stdout.)
// Errors: InvalidArgument naming the flag and the path.
[[nodiscard]] absl::Status CheckOutputFile(absl::string_view flag, const std::string& path);

// Checks the --league flag before any data is loaded: a football-data division code of letters
// and digits ("E0", "SP1"); it becomes part of a file name (football-data/<league>_<code>.csv).
// Errors: InvalidArgument naming the flag and the value (empty, a path, any other character).
[[nodiscard]] absl::Status CheckLeagueFlag();

// Checks before any work starts that `path`, the value of the output-folder flag `flag` (e.g.
// "out"), can be used as a folder the command creates or writes into: an existing folder, or a
// missing one whose parent folder exists.
// Errors: InvalidArgument naming the flag and the path when it is empty, is an existing file, or
// its parent folder does not exist.
[[nodiscard]] absl::Status CheckOutputFolder(absl::string_view flag, const std::string& path);

// Where a command prints its human-readable output (tables, summaries): stderr when --json=- (so
// stdout carries only the JSON), else stdout.
std::FILE* HumanOutput();

// The data root: --data if given, else $SUPERBET_DATA, else ../shared/data relative to the
// current directory, else ../../shared/data (running from a build folder).
// Errors: NotFound naming every place that was tried.
[[nodiscard]] absl::StatusOr<std::string> ResolveDataRoot();

// Writes `json` to the --json destination when the flag is set ("-" = stdout).
// Returns false (after printing the error to stderr) when the file cannot be written.
bool WriteJsonOutput(const std::string& json);

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_FLAGS_H_
