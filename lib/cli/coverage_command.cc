// `superbet coverage`: the coverage matrix (adapters x canonical fields) of
// include/superbet/providers/coverage_registry.h, as a text table and optionally as JSON.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "superbet/core/json_string.h"
#include "superbet/providers/coverage_registry.h"

namespace superbet::cli {
namespace {

constexpr char kUsage[] =
    R"(superbet coverage: what each provider adapter delivers for each canonical field.

Usage: superbet coverage [--json PATH]

Prints the matrix adapters x canonical fields; each cell is
  parsed         read from the provider's payload (after unit conversion),
  inferred       derived by the adapter from other data (the note says how),
  not_supported  the provider has no such data: the field stays absent (masked), never 0.
Then the notes, one line per adapter and field.

Flags:
  --json PATH    also write the matrix as JSON ('-' = stdout; the table then goes to stderr, so
                 stdout carries only the JSON):
                 {"fields": [...], "adapters": [{"adapter": "...", "fields": [{"field", "coverage",
                 "note"}]}]}

Exit codes: 0 success, 1 the JSON file could not be written, 2 bad usage (an unknown flag, an
argument, --json in a folder that does not exist).
)";

std::string ToJson(const std::vector<providers::AdapterCoverage>& all) {
  std::vector<std::string> fields;
  for (const std::string& f : providers::CanonicalFields()) {
    fields.push_back(core::JsonString(f));
  }
  std::vector<std::string> adapters;
  for (const auto& a : all) {
    std::vector<std::string> rows;
    for (const auto& f : a.fields) {
      rows.push_back(absl::StrCat("{\"field\":", core::JsonString(f.field), ",\"coverage\":\"",
                                  providers::CoverageName(f.coverage),
                                  "\",\"note\":", core::JsonString(f.note), "}"));
    }
    adapters.push_back(absl::StrCat("{\"adapter\":", core::JsonString(a.adapter), ",\"fields\":[",
                                    absl::StrJoin(rows, ","), "]}"));
  }
  return absl::StrCat("{\"fields\":[", absl::StrJoin(fields, ","), "],\"adapters\":[",
                      absl::StrJoin(adapters, ","), "]}");
}

int RunCoverageCommand(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr, "superbet coverage: unexpected argument '%s'\n%s", args[0].c_str(),
                 kUsage);
    return 2;
  }
  if (absl::Status s = CheckJsonDestination(); !s.ok()) {
    std::fprintf(stderr, "superbet coverage: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  const std::vector<providers::AdapterCoverage> all = providers::AllCoverage();
  std::string table = absl::StrFormat("%-30s", "field");
  for (const auto& a : all) absl::StrAppend(&table, absl::StrFormat(" %-14s", a.adapter));
  absl::StrAppend(&table, "\n");
  const auto& fields = providers::CanonicalFields();
  for (size_t i = 0; i < fields.size(); ++i) {
    absl::StrAppend(&table, absl::StrFormat("%-30s", fields[i]));
    for (const auto& a : all) {
      const std::string cell =
          i < a.fields.size() ? std::string(providers::CoverageName(a.fields[i].coverage)) : "?";
      absl::StrAppend(&table, absl::StrFormat(" %-14s", cell));
    }
    absl::StrAppend(&table, "\n");
  }
  absl::StrAppend(&table, "\nNotes:\n");
  for (const auto& a : all) {
    for (const auto& f : a.fields) {
      absl::StrAppend(&table, "  ", a.adapter, "  ", f.field, ": ", f.note, "\n");
    }
  }
  std::fputs(table.c_str(), HumanOutput());
  return WriteJsonOutput(ToJson(all)) ? 0 : 1;
}

}  // namespace
}  // namespace superbet::cli

SUPERBET_REGISTER_COMMAND(coverage, "coverage",
                          "Print the coverage matrix: adapters x canonical fields.",
                          superbet::cli::kUsage, &superbet::cli::RunCoverageCommand, {"json"});
