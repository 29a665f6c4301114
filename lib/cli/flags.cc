#include "cli/flags.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "superbet/core/file.h"
#include "superbet/core/status_macros.h"

ABSL_FLAG(std::string, data, "",
          "Data root laid out like ../shared/data (football-data/, statsbomb/, api-football/). "
          "Default: $SUPERBET_DATA, else ../shared/data.");
ABSL_FLAG(std::string, json, "",
          "Also write the result as JSON to this path; --json=- writes it to stdout.");
ABSL_FLAG(std::string, league, "E0", "football-data.co.uk division code (E0 = Premier League).");
ABSL_FLAG(std::string, seasons, "",
          "Comma-separated season codes (1516 = 2015/16). Default: every season found.");
ABSL_FLAG(bool, strict, false,
          "Fail on the first malformed row (default: skip it, count it and report the count).");
// Decision core (issue 13), shared by train, backtest --strategy hrl and replay --agent.
ABSL_FLAG(std::string, agent, "",
          "train: which agent to train (prematch or live); replay: the live agent's folder.");
ABSL_FLAG(std::string, ledger, "",
          "Paper ledger: write every decision, accepted or denied, as JSON lines to this path.");
ABSL_FLAG(int64_t, seed, 1, "Random seed (same seed, same data: identical results).");
ABSL_FLAG(std::string, store, "",
          "Store URL: sqlite:PATH or postgres://user@host:port/db (see superbet ingest).");
ABSL_FLAG(std::string, model_kind, "dixon-coles",
          "Team model: dixon-coles, poisson, bivariate, negbin, elo, pi or shots "
          "(superbet/ratings/team_model.h).");

namespace superbet::cli {
namespace {

bool DefinedIn(const absl::CommandLineFlag& flag, absl::string_view file) {
  const std::string name = flag.Filename();
  return name == file || absl::EndsWith(name, absl::StrCat("/", file));
}

// Whether `command` accepts `flag`: its own flags and the shared flags it lists.
bool Accepts(const Command& command, const absl::CommandLineFlag& flag) {
  if (DefinedIn(flag, absl::StrCat("cli/", command.name, "_command.cc"))) return true;
  if (!DefinedIn(flag, "cli/flags.cc")) return false;
  if (command.shared_flags.empty()) return true;
  for (const std::string& name : command.shared_flags) {
    if (name == flag.Name()) return true;
  }
  return false;
}

std::string Expected(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<bool>()) return "true or false";
  if (flag.IsOfType<double>()) return "a number";
  if (flag.IsOfType<int>() || flag.IsOfType<int64_t>()) return "an integer";
  return "text";
}

// A flag named on the command line, resolved to its definition.
struct FlagUse {
  absl::CommandLineFlag* flag = nullptr;
  bool negated = false;  // --noname of a bool flag.
};

absl::StatusOr<FlagUse> FindFlag(const Command& command, absl::string_view name) {
  FlagUse use;
  use.flag = absl::FindCommandLineFlag(name);
  if (use.flag == nullptr && absl::StrContains(name, '-')) {  // --model-kind = --model_kind.
    use.flag = absl::FindCommandLineFlag(absl::StrReplaceAll(name, {{"-", "_"}}));
  }
  if (use.flag == nullptr && absl::StartsWith(name, "no")) {
    absl::CommandLineFlag* positive = absl::FindCommandLineFlag(name.substr(2));
    if (positive != nullptr && positive->IsOfType<bool>()) {
      use.flag = positive;
      use.negated = true;
    }
  }
  if (use.flag == nullptr || !Accepts(command, *use.flag)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown flag --", name, " for `superbet ", command.name, "` (see --help)"));
  }
  return use;
}

absl::Status SetFlag(absl::CommandLineFlag* flag, absl::string_view shown_name,
                     absl::string_view value) {
  std::string error;
  if (!flag->ParseFrom(value, &error)) {
    return absl::InvalidArgumentError(absl::StrCat("--", shown_name, ": invalid value '", value,
                                                   "' (expected ", Expected(*flag), ")"));
  }
  return absl::OkStatus();
}

// Parses the flag at args[*i] (its leading dashes removed in `arg`), consuming its value from
// args[*i + 1] when it takes one.
absl::Status ParseOneFlag(const Command& command, absl::string_view arg,
                          const std::vector<std::string>& args, size_t* i) {
  const size_t eq = arg.find('=');
  const bool has_value = eq != absl::string_view::npos;
  const absl::string_view name = arg.substr(0, eq);
  // --emit-predictions is --emit_predictions: Abseil flag names cannot hold a hyphen.
  SUPERBET_ASSIGN_OR_RETURN(FlagUse use,
                            FindFlag(command, absl::StrReplaceAll(name, {{"-", "_"}})));
  if (use.negated) {
    if (has_value) return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
    return SetFlag(use.flag, name, "false");
  }
  if (has_value) return SetFlag(use.flag, name, arg.substr(eq + 1));
  if (use.flag->IsOfType<bool>()) return SetFlag(use.flag, name, "true");
  if (*i + 1 >= args.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " needs a value (", Expected(*use.flag), ")"));
  }
  ++*i;
  return SetFlag(use.flag, name, args[*i]);
}

bool IsDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "1516" = 2015/16: four digits, the second year the one after the first ("9900" = 1999/2000).
bool IsSeasonCode(absl::string_view code) {
  if (code.size() != 4 || !IsDigits(code)) return false;
  const int first = (code[0] - '0') * 10 + (code[1] - '0');
  const int second = (code[2] - '0') * 10 + (code[3] - '0');
  return second == (first + 1) % 100;
}

// The folder part of `path`: "." for a bare name, "/" for a name at the root.
std::string ParentFolder(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseCommandFlags(const Command& command,
                                                           const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--") {
      positional.insert(positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                        args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional.emplace_back(arg);
      continue;
    }
    if (!absl::ConsumePrefix(&arg, "--")) absl::ConsumePrefix(&arg, "-");
    SUPERBET_RETURN_IF_ERROR(ParseOneFlag(command, arg, args, &i));
  }
  return positional;
}

absl::StatusOr<std::vector<std::string>> ParseSeasonList(absl::string_view list) {
  std::vector<std::string> codes;
  if (absl::StripAsciiWhitespace(list).empty()) return codes;
  std::set<std::string> seen;
  for (absl::string_view entry : absl::StrSplit(list, ',')) {
    const std::string code(absl::StripAsciiWhitespace(entry));
    if (code.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--seasons ", list, ": empty entry (expected codes like 1516,1617)"));
    }
    if (!IsSeasonCode(code)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--seasons: '", code,
                       "' is not a season code (four digits, two consecutive years: 1516 = "
                       "2015/16)"));
    }
    if (!seen.insert(code).second) {
      return absl::InvalidArgumentError(absl::StrCat("--seasons ", list, ": season ", code,
                                                     " is repeated (each season counts once)"));
    }
    codes.push_back(code);
  }
  return codes;
}

absl::Status CheckJsonDestination() {
  const std::string path = absl::GetFlag(FLAGS_json);
  if (path.empty() || path == "-") return absl::OkStatus();
  return CheckOutputFile("json", path);
}

absl::Status CheckOutputFile(absl::string_view flag, const std::string& path) {
  if (path == "-") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, " -: give a file path ('-' (stdout) is not supported for this flag)"));
  }
  if (core::DirectoryExists(path)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, " ", path, " is a directory"));
  }
  const std::string folder = ParentFolder(path);
  if (!core::DirectoryExists(folder)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " ", path, ": folder ", folder, " does not exist"));
  }
  return absl::OkStatus();
}

absl::Status CheckLeagueFlag() {
  const std::string league = absl::GetFlag(FLAGS_league);
  bool ok = !league.empty();
  for (char c : league) ok = ok && absl::ascii_isalnum(static_cast<unsigned char>(c));
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "--league must be a football-data division code of letters and digits (E0), got '", league,
      "'"));
}

absl::Status CheckOutputFolder(absl::string_view flag, const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat("--", flag, " DIR is required"));
  if (core::DirectoryExists(path)) return absl::OkStatus();
  if (core::FileExists(path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " ", path, " is a file, not a folder"));
  }
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  const std::string parent = ParentFolder(trimmed);
  if (!core::DirectoryExists(parent)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " ", path, ": folder ", parent, " does not exist"));
  }
  return absl::OkStatus();
}

std::FILE* HumanOutput() { return absl::GetFlag(FLAGS_json) == "-" ? stderr : stdout; }

absl::StatusOr<std::string> ResolveDataRoot() {
  std::vector<std::string> tried;
  std::string flag = absl::GetFlag(FLAGS_data);
  if (!flag.empty()) {
    if (core::DirectoryExists(flag)) return flag;
    return absl::NotFoundError("--data " + flag + " is not a directory");
  }
  if (const char* env = std::getenv("SUPERBET_DATA"); env != nullptr && *env != '\0') {
    if (core::DirectoryExists(env)) return std::string(env);
    tried.push_back(std::string("$SUPERBET_DATA=") + env);
  }
  for (const char* candidate : {"../shared/data", "../../shared/data"}) {
    if (core::DirectoryExists(candidate)) return std::string(candidate);
    tried.push_back(candidate);
  }
  return absl::NotFoundError("no data root found; tried " + absl::StrJoin(tried, ", ") +
                             " (pass --data DIR)");
}

bool WriteJsonOutput(const std::string& json) {
  const std::string path = absl::GetFlag(FLAGS_json);
  if (path.empty()) return true;
  if (path == "-") {
    std::fwrite(json.data(), 1, json.size(), stdout);
    std::fputc('\n', stdout);
    return true;
  }
  absl::Status s = core::WriteFileAtomically(path, json + "\n");
  if (!s.ok()) {
    std::fprintf(stderr, "superbet: %s\n", s.ToString().c_str());
    return false;
  }
  return true;
}

}  // namespace superbet::cli
