// Flags shared by several `superbet` sub-commands.

#ifndef SUPERBET_LIB_CLI_FLAGS_H_
#define SUPERBET_LIB_CLI_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"

ABSL_DECLARE_FLAG(std::string, data);     // Data root laid out like ../shared/data.
ABSL_DECLARE_FLAG(std::string, json);     // Write JSON to this path ("-" = stdout).
ABSL_DECLARE_FLAG(std::string, league);   // football-data.co.uk division code, e.g. E0.
ABSL_DECLARE_FLAG(std::string, seasons);  // Comma-separated season codes, e.g. 1516,1617.
ABSL_DECLARE_FLAG(bool, strict);          // Fail on the first malformed row instead of skipping.

namespace superbet::cli {

// The data root: --data if given, else $SUPERBET_DATA, else ../shared/data relative to the
// current directory, else ../../shared/data (running from a build folder).
// Errors: NotFound naming every place that was tried.
absl::StatusOr<std::string> ResolveDataRoot();

// Writes `json` to the --json destination when the flag is set ("-" = stdout).
// Returns false (after printing the error to stderr) when the file cannot be written.
bool WriteJsonOutput(const std::string& json);

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_FLAGS_H_
