// Ingest of recorded provider data into a Store: football-data.co.uk season files, StatsBomb open
// data (matches, per-minute timelines, lineups, events) and recorded API-Football responses.
//
// What goes where:
//   * football-data <league>_<code>.csv: each accepted row -> matches_master (statistics = the
//     row's match statistics, e.g. {"HS": 13, "AS": 7}) and its prices -> daily_betting_lines
//     (pre-match and closing kept apart); the file's parse counts and first rejections ->
//     source_files. One file = one transaction.
//   * StatsBomb matches/<competition>/<season>.json: every match -> matches_master; a match with
//     an events file also gets statistics = {"home": SideStats, "away": SideStats (full time),
//     "lineups": [...], "events": [...], "timeline": [per-minute states]} and its per-minute
//     states -> live_stats with the replay timestamp kickoff + k minutes (source "replay"). One
//     match = one transaction (a killed ingest leaves no partial match).
//   * API-Football recordings (*.json): the body -> provider_responses (key = file name);
//     fixtures (live, by league, head-to-head) -> matches_master, a live fixture's state ->
//     live_stats at kickoff + elapsed minutes; pre-match odds -> daily_betting_lines; players,
//     fixture players and injuries -> players_db. Statistics, events, lineups, predictions and
//     standings answers are kept raw only (their fixtures are not in the recordings).
//
// Skips. Every value a mapper rejects is counted with its reason (a bad price costs that price,
// a bad row that row). A skip is "expected" when the data says it is bad (a parser rejection, a
// provider error envelope, a StatsBomb match without an events file); anything else (an
// unreadable file, an unknown endpoint, a failed write) is unexpected and makes the ingest fail
// (`superbet ingest` exits 1).
//
// Re-ingesting the same files changes nothing (WriteCounts all 0; Store upserts).

#ifndef SUPERBET_STORE_INGEST_H_
#define SUPERBET_STORE_INGEST_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "superbet/store/store.h"

namespace superbet::store {

struct IngestSkip {
  std::string where;  // "E0_0203.csv:17", "statsbomb:3754058", "error_injuries_no_params.json".
  std::string reason;
  bool expected = true;
};

struct IngestSummary {
  WriteCounts written;                       // Rows added or changed, per table.
  std::map<std::string, int64_t> rows_read;  // Rows offered per table (written or unchanged).
  std::map<std::string, int64_t> skipped_by_reason;  // Count of skipped rows/values per reason.
  std::vector<IngestSkip> skipped_shown;             // The first 50 skips, in order.
  int64_t skipped = 0;
  int64_t unexpected = 0;  // Of `skipped`.
  int64_t files = 0;       // Files read.
  void Skip(std::string where, std::string reason, bool expected, int64_t count = 1);
};

struct IngestOptions {
  // Called after each file (or StatsBomb match) with the work done so far and the total.
  std::function<void(int64_t done, int64_t total, absl::string_view note)> progress;
};

// Ingests <root>/football-data/*.csv, <root>/statsbomb/matches/*/*.json (with events/ and
// lineups/), <root>/api-football/*.json. Missing folders are skipped (counted, expected).
// Errors: those of the store (a failed write stops the ingest: what was committed stays).
[[nodiscard]] absl::StatusOr<IngestSummary> IngestDataRoot(Store& store, const std::string& root,
                                                           const IngestOptions& options = {});

// One football-data season file (lenient parse), as described above.
[[nodiscard]] absl::Status IngestFootballDataFile(Store& store, const std::string& path,
                                                  IngestSummary& summary);

// One StatsBomb matches file with the events and lineups beside it (<root>/statsbomb/...);
// `progress` as in IngestOptions.
[[nodiscard]] absl::Status IngestStatsBombMatches(Store& store, const std::string& statsbomb_root,
                                                  const std::string& matches_file,
                                                  IngestSummary& summary,
                                                  const IngestOptions& options = {});

// One recorded API-Football response.
[[nodiscard]] absl::Status IngestApiFootballFile(Store& store, const std::string& path,
                                                 IngestSummary& summary);

}  // namespace superbet::store

#endif  // SUPERBET_STORE_INGEST_H_
