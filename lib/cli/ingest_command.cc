// `superbet ingest`: loads every recorded data file under --data into the store at --store.

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "superbet/core/clock.h"
#include "superbet/core/file.h"
#include "superbet/core/progress.h"
#include "superbet/store/ingest.h"
#include "superbet/store/store.h"

namespace superbet::cli {
namespace {

constexpr char kUsage[] =
    R"(superbet ingest: load the recorded data into a store (the system of record).

Usage: superbet ingest --store URL [--data DIR] [--json PATH]

Reads, under DIR: every football-data.co.uk season file (football-data/*.csv: fixtures, results,
match statistics and every price, pre-match and closing), the StatsBomb open data
(statsbomb/matches/*/*.json, with each match's per-minute timeline from events/<id>.json written
to live_stats at kickoff + k minutes, and lineups/<id>.json and the events in the match's
statistics JSON) and every recorded API-Football response (api-football/*.json: kept raw, and
fixtures, odds, players and injuries mapped into their tables).
Re-ingesting the same files changes nothing.

Flags:
  --store URL    sqlite:PATH (embedded; the file is created) or postgres://user@host:port/db.
  --data DIR     data root laid out like ../shared/data (default: $SUPERBET_DATA, else
                 ../shared/data, else ../../shared/data).
  --json PATH    also write the summary as JSON to PATH ('-' = stdout; the table then goes to
                 stderr).

Output: a progress bar on stderr, then rows read and rows written (added or changed) per table,
rows now in each table, and rows skipped with their reason, each marked expected (the data says
it is bad: a rejected price, a provider error response, a StatsBomb match without events) or
unexpected.

Exit codes: 0 everything ingested (expected skips only), 1 an unexpected skip, a store error or
no data (DIR holds none of football-data/, statsbomb/, api-football/: checked before the store
is opened), 2 bad usage (no --store, a URL that is neither sqlite: nor postgres://, an argument,
--json in a folder that does not exist).
)";

int RunIngestCommand(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr, "superbet ingest: unexpected argument '%s'\n%s", args[0].c_str(), kUsage);
    return 2;
  }
  const std::string url = absl::GetFlag(FLAGS_store);
  if (url.empty()) {
    std::fprintf(stderr,
                 "superbet ingest: --store URL is required (sqlite:PATH or postgres://...)\n");
    return 2;
  }
  if (auto b = store::ParseStoreUrl(url); !b.ok()) {
    std::fprintf(stderr, "superbet ingest: --store: %s\n",
                 std::string(b.status().message()).c_str());
    return 2;
  }
  if (absl::Status s = CheckJsonDestination(); !s.ok()) {
    std::fprintf(stderr, "superbet ingest: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  auto root = ResolveDataRoot();
  if (!root.ok()) {
    std::fprintf(stderr, "superbet ingest: %s\n", std::string(root.status().message()).c_str());
    return 1;
  }
  if (!core::DirectoryExists(*root + "/football-data") &&
      !core::DirectoryExists(*root + "/statsbomb") &&
      !core::DirectoryExists(*root + "/api-football")) {
    std::fprintf(stderr,
                 "superbet ingest: no data under %s: none of football-data/, statsbomb/, "
                 "api-football/ is there (pass --data DIR, laid out like ../shared/data)\n",
                 root->c_str());
    return 1;
  }
  auto db = store::Store::Open(url, core::SystemClock::Instance());
  if (!db.ok()) {
    std::fprintf(stderr, "superbet ingest: %s\n", db.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<core::ProgressBar> bar;
  store::IngestOptions options;
  int64_t shown = 0;
  options.progress = [&](int64_t done, int64_t total, absl::string_view note) {
    if (!bar) bar = std::make_unique<core::ProgressBar>(total, "ingest");
    bar->Advance(done - shown, note);
    shown = done;
  };
  auto summary = store::IngestDataRoot(**db, *root, options);
  if (bar) bar->Done();
  if (!summary.ok()) {
    std::fprintf(stderr, "superbet ingest: %s\n", summary.status().ToString().c_str());
    return 1;
  }
  auto counts = (*db)->CountRows();
  if (!counts.ok()) {
    std::fprintf(stderr, "superbet ingest: %s\n", counts.status().ToString().c_str());
    return 1;
  }
  const store::WriteCounts& w = summary->written;
  const std::vector<std::pair<std::string, int64_t>> written = {
      {"matches_master", w.matches},   {"daily_betting_lines", w.lines},
      {"players_db", w.players},       {"live_stats", w.live_stats},
      {"bets_ledger", w.ledger},       {"provider_responses", w.responses},
      {"source_files", w.source_files}};
  std::FILE* out = HumanOutput();
  std::fprintf(out, "superbet ingest: %s -> %s, %lld file(s)\n", root->c_str(), url.c_str(),
               static_cast<long long>(summary->files));
  std::fprintf(out, "%-22s %12s %12s %12s\n", "table", "read", "written", "in store");
  nlohmann::json j;
  j["store"] = url;
  j["files"] = summary->files;
  for (const auto& [table, n] : written) {
    const int64_t read = summary->rows_read.count(table) ? summary->rows_read.at(table) : 0;
    std::fprintf(out, "%-22s %12lld %12lld %12lld\n", table.c_str(), static_cast<long long>(read),
                 static_cast<long long>(n), static_cast<long long>(counts->at(table)));
    j["tables"][table] = {{"read", read}, {"written", n}, {"in_store", counts->at(table)}};
  }
  std::fprintf(out, "skipped: %lld (%lld unexpected)\n", static_cast<long long>(summary->skipped),
               static_cast<long long>(summary->unexpected));
  j["skipped"] = summary->skipped;
  j["unexpected"] = summary->unexpected;
  j["skipped_by_reason"] = nlohmann::json::object();
  for (const auto& [reason, n] : summary->skipped_by_reason) {
    std::fprintf(out, "  %6lld  %s\n", static_cast<long long>(n), reason.c_str());
    j["skipped_by_reason"][reason] = n;
  }
  for (const store::IngestSkip& s : summary->skipped_shown) {
    if (!s.expected) {
      std::fprintf(stderr, "superbet ingest: unexpected: %s: %s\n", s.where.c_str(),
                   s.reason.c_str());
    }
  }
  std::fflush(out);
  if (!absl::GetFlag(FLAGS_json).empty() && !WriteJsonOutput(j.dump(2))) return 1;
  return summary->unexpected == 0 ? 0 : 1;
}

}  // namespace
}  // namespace superbet::cli

SUPERBET_REGISTER_COMMAND(ingest, "ingest",
                          "Load the recorded data (football-data, StatsBomb, API-Football) into "
                          "a store.",
                          superbet::cli::kUsage, &superbet::cli::RunIngestCommand,
                          {"data", "json", "store"});
