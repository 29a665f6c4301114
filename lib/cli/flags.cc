#include "cli/flags.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "superbet/core/file.h"

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

namespace superbet::cli {

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
