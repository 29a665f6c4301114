// The system of record: fixtures and results (matches_master), the odds history
// (daily_betting_lines), players and injuries (players_db), the live series (live_stats) with its
// 1/5/15-minute momentum aggregates, the paper bets ledger (bets_ledger), the raw provider
// responses (provider_responses) and what each ingested file held (source_files).
//
// One class, two backends, chosen by URL:
//   * "sqlite:PATH"  the embedded default (https://www.sqlite.org/wal.html): WAL journal, JSON as
//                    TEXT read with the JSON1 functions, one writer at a time (another process's
//                    write lock is waited for up to StoreOptions::busy_timeout, not an error);
//   * "postgres://…" / "postgresql://…" PostgreSQL 15 over libpq: prepared statements, a small
//                    connection pool (StoreOptions::pool_size), COPY for bulk writes
//                    (StoreOptions::bulk), jsonb columns with a GIN index on
//                    matches_master.statistics.
// The same SQL runs on both; every statement with values is prepared, values are bound.
//
// Schema. Versioned migrations (schema_migrations) are applied on open, each in a transaction;
// kSchemaVersion is the newest this code knows. Times are BIGINT microseconds since the Unix
// epoch, UTC (columns kickoff_utc, ts, "timestamp", decided_at, settled_at, updated_at). Each
// reference row also keeps its canonical proto (model.proto / decision.proto) serialized in a
// `canonical` blob, so what is read back is bit for bit what was written. Each matches_master row
// also keeps its prices packed in a `prices` blob (version 5), rebuilt from daily_betting_lines
// in the transaction that changes them; opening a version-4 store packs the prices it holds.
// JSON columns: matches_master.statistics / coverage, players_db.performance / injury,
// bets_ledger.metrics.
//
// Idempotence: writing the same data twice changes nothing (rows keyed by their natural keys,
// INSERT … ON CONFLICT; a reference row is rewritten, and its updated_at moved, only when its
// content differs). The odds history keeps every change: a price is keyed by match, market,
// selection, bookmaker, goals line, phase (opening, pre_match, closing, live) and observation
// time, so a new price is a new row and never overwrites the last one.
//
// Momentum. The views momentum_1m, momentum_5m and momentum_15m group live_stats by
// (match_id, bucket = floor(timestamp / width) * width) with avg_da = AVG(dangerous_attacks),
// max_sh = MAX(score_home), max_sa = MAX(score_away), avg_xg_home, avg_xg_away and the row count
// (TimescaleDB's time_bucket has the same buckets for widths dividing a day). They are computed
// by the database on read; the TimescaleDB hypertable / continuous-aggregate variant is not built
// (Debian's PostgreSQL has no TimescaleDB): the same views serve both.
//
// The view live_matches_cache holds, per match, the averages of the fallback (xG, dangerous
// attacks per side, live 1X2 odds) over the 5 minutes up to the match's newest live_stats row,
// with that row's time ("timestamp"): the fallback as of the last observation, for readers in
// SQL; Store::Fallback gives it at any moment, with the staleness.
//
// Errors, for every call below unless it says more: Unavailable when the database cannot be
// reached or stays locked by another writer past StoreOptions::busy_timeout; AlreadyExists for a
// key conflict the upsert could not absorb; DataLoss when a stored canonical proto does not parse
// or a stored enum name is unknown; Internal for any other database error. Messages carry the
// database's own text and the start of the statement; a write error also names the match.
//
// Thread-safety: thread-safe. SQLite: one connection behind a mutex (SQLite allows one writer);
// PostgreSQL: each call takes a connection from the pool. A Store owns its connections.

#ifndef SUPERBET_STORE_STORE_H_
#define SUPERBET_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "superbet/core/clock.h"
#include "superbet/v1/decision.pb.h"
#include "superbet/v1/model.pb.h"

namespace superbet::store {

// The newest schema version this code applies and reads.
inline constexpr int kSchemaVersion = 5;

// Retention of live_stats: 30 days.
inline constexpr absl::Duration kLiveStatsRetention = absl::Hours(24 * 30);

enum class Backend { kSqlite, kPostgres };

// How a batch of rows reaches PostgreSQL: COPY into a temporary staging table, then one
// INSERT … SELECT … ON CONFLICT DO NOTHING (kCopy, the default), or one prepared INSERT per row
// (kRowByRow). SQLite always writes row by row (prepared, in one transaction).
enum class BulkMode { kCopy, kRowByRow };

struct StoreOptions {
  int pool_size = 4;                                // PostgreSQL connections (1..64).
  absl::Duration busy_timeout = absl::Seconds(30);  // SQLite: wait for another writer this long.
  BulkMode bulk = BulkMode::kCopy;
  // Test hook: called inside a write transaction after the matches rows of a batch are written
  // and before their prices and live rows (stage "matches_written"). A fault-injection test
  // kills the process there; nullptr in production.
  std::function<void(absl::string_view stage)> fault_hook;
};

// One live_stats row: the canonical state observed at `timestamp`.
struct LiveStatsRow {
  absl::Time timestamp;
  superbet::v1::LiveMatchState state;
  std::string source = "api";  // "api", "replay", "fallback".
};

// A fixture with everything written with it in one transaction.
struct MatchRecord {
  superbet::v1::Fixture fixture;
  std::string statistics_json = "{}";  // JSON object: per-team stats, lineups, events, timeline.
  std::string coverage_json = "{}";    // JSON object: what the provider covers for it.
  std::string source_file;             // Base name of the file it came from ("E0_1516.csv").
  int64_t source_seq = 0;              // Its position in that file (0-based).
  std::vector<superbet::v1::BettingLine> lines;  // Prices of this fixture, file order.
  std::vector<LiveStatsRow> live;                // Its live series.
  std::string line_source = "api";               // daily_betting_lines.source.
};

// A player row (players_db); `player.injury_status` fills injury_status.
struct PlayerRecord {
  superbet::v1::Player player;
  std::string provider;
  std::string injury_json;  // JSON object or "" (NULL).
};

// What one ingested file held (source_files): the parse counts a later reader reports as if it
// had read the file itself.
struct SourceFileRecord {
  std::string file;          // Base name, "E0_1516.csv".
  std::string provider;      // "football-data", "statsbomb", "api-football".
  std::string league;        // "E0".
  std::string season_code;   // "1516".
  std::string season_label;  // "2015/16".
  int64_t fixtures = 0;
  int64_t lines = 0;  // Betting lines the parse produced.
  int64_t rows_rejected = 0;
  int64_t duplicates_rejected = 0;
  int64_t prices_rejected = 0;
  int64_t cells_rejected = 0;
  std::vector<std::string> rejections;  // The first reasons, "E0_2425.csv:6: column …: …".
};

// Rows a write added or changed, per table (0 for a repeated write).
struct WriteCounts {
  int64_t matches = 0;
  int64_t lines = 0;
  int64_t live_stats = 0;
  int64_t players = 0;
  int64_t ledger = 0;
  int64_t responses = 0;
  int64_t source_files = 0;
  void Add(const WriteCounts& o);
};

// One momentum bucket. Averages and maxima are absent when no row of the bucket had the value.
struct MomentumBucket {
  absl::Time bucket_start;
  std::optional<double> avg_da;  // Mean dangerous attacks (home + away) per row.
  std::optional<int> max_sh;     // Highest home score.
  std::optional<int> max_sa;
  std::optional<double> avg_xg_home;
  std::optional<double> avg_xg_away;
  int64_t rows = 0;
};

// Width of a momentum view: 1, 5 or 15 minutes.
enum class MomentumWidth { k1Min = 1, k5Min = 5, k15Min = 15 };

// The fixtures of one source file with their prices (Store::ReadFile).
struct FileContents {
  std::vector<superbet::v1::Fixture> fixtures;   // File order.
  std::vector<superbet::v1::BettingLine> lines;  // File order: fixture by fixture, then price.
  // The prices of fixtures[i] are lines[line_begin[i] .. line_begin[i + 1]); size
  // fixtures.size() + 1.
  std::vector<size_t> line_begin;
};

// A row of bets_ledger.
struct LedgerRecord {
  std::string bet_id;  // Unique; idempotence key.
  superbet::v1::Decision decision;
  std::string metrics_json = "{}";
  std::optional<std::string> cloudevent_id;
  std::optional<absl::Time> settled_at;
  std::optional<double> payout;  // Currency units.
  std::optional<double> reward;
};

class Store {
 public:
  // Opens the store at `url` ("sqlite:PATH", "postgres://…", "postgresql://…"), applying every
  // migration it lacks. `clock` (not owned, must outlive the store) stamps updated_at.
  // Errors: InvalidArgument for any other URL form (the message shows it) or a bad option;
  // Unavailable when the database cannot be opened / reached; FailedPrecondition when the store's
  // schema is newer than kSchemaVersion ("store schema version 9 is newer than this code's 2").
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& url,
                                                                   const core::Clock& clock,
                                                                   StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Backend backend() const;
  // The schema version recorded in the store.
  [[nodiscard]] absl::StatusOr<int> SchemaVersion();

  // ---- Writes. Each call is one transaction: all of it is stored, or none. -------------------
  [[nodiscard]] absl::StatusOr<WriteCounts> PutMatches(absl::Span<const MatchRecord> matches);
  // Adds prices to the odds history (e.g. live odds), keyed as described in the file comment.
  [[nodiscard]] absl::StatusOr<int64_t> PutLines(absl::Span<const superbet::v1::BettingLine> lines,
                                                 absl::string_view source = "api");
  [[nodiscard]] absl::StatusOr<int64_t> PutLiveStats(absl::Span<const LiveStatsRow> rows);
  [[nodiscard]] absl::StatusOr<int64_t> PutPlayers(absl::Span<const PlayerRecord> players);
  [[nodiscard]] absl::StatusOr<int64_t> PutLedger(absl::Span<const LedgerRecord> bets);
  // A raw provider response, keyed by `key` (e.g. the recording's file name).
  [[nodiscard]] absl::StatusOr<int64_t> PutResponse(absl::string_view key,
                                                    absl::string_view provider,
                                                    absl::string_view endpoint,
                                                    absl::string_view body_json);
  [[nodiscard]] absl::StatusOr<int64_t> PutSourceFile(const SourceFileRecord& file);

  // ---- Reads. ---------------------------------------------------------------------------------
  // The fixture, or nullopt when the store has none with that id.
  [[nodiscard]] absl::StatusOr<std::optional<superbet::v1::Fixture>> GetFixture(
      const std::string& match_id);
  // The fixtures ingested from `source_file`, in file order.
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Fixture>> FixturesOfFile(
      const std::string& source_file);
  // The prices of the fixtures of `source_file`, in file order (fixture, then price), restricted
  // to `bookmakers` when it is not empty. The same as ReadFile(...).lines.
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::BettingLine>> LinesOfFile(
      const std::string& source_file, absl::Span<const std::string> bookmakers = {});
  // FixturesOfFile and LinesOfFile in one indexed query: each fixture row carries its prices
  // packed in one blob (schema version 5), so a season reads without a join, a sort or a row per
  // price (one round trip on PostgreSQL, in libpq's binary result format). What a backtest
  // reads. Of the prices of `bookmakers` (all when empty), only those `keep` accepts (all when
  // it is empty) are returned; a rejected price costs no allocation.
  // Errors: DataLoss naming the match when its packed prices are missing or corrupt.
  [[nodiscard]] absl::StatusOr<FileContents> ReadFile(
      const std::string& source_file, absl::Span<const std::string> bookmakers = {},
      const std::function<bool(const superbet::v1::BettingLine&)>& keep = nullptr);
  // Every price of one match, oldest first (the odds history).
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::BettingLine>> OddsHistory(
      const std::string& match_id);
  // The source files of `provider` (every one when empty), by file name.
  [[nodiscard]] absl::StatusOr<std::vector<SourceFileRecord>> SourceFiles(
      absl::string_view provider = "");
  // The live series of a match in [from, to], oldest first.
  [[nodiscard]] absl::StatusOr<std::vector<LiveStatsRow>> LiveStats(
      const std::string& match_id, absl::Time from = absl::InfinitePast(),
      absl::Time to = absl::InfiniteFuture());
  // The provider fallback at `now`, computed exactly as providers::LiveStatsWindow::Fallback
  // (include/superbet/providers/live_stats_window.h) over the rows of live_stats: the mean of the
  // rows in [now - 300 s, now], minute and score of the newest, data_staleness_s = its age; the
  // newest row of any age when the window is empty. Errors: NotFound naming the match when no
  // row is at or before `now`.
  [[nodiscard]] absl::StatusOr<superbet::v1::LiveMatchState> Fallback(const std::string& match_id,
                                                                      absl::Time now);
  // The buckets of momentum_<width> for a match with bucket_start in [from, to), oldest first.
  [[nodiscard]] absl::StatusOr<std::vector<MomentumBucket>> Momentum(
      const std::string& match_id, MomentumWidth width, absl::Time from = absl::InfinitePast(),
      absl::Time to = absl::InfiniteFuture());
  // The bucket of `width` holding `at`, over the rows at or before `at` only (the real-time value
  // at that moment: a replay never sees the rest of the bucket). nullopt when it has no row.
  [[nodiscard]] absl::StatusOr<std::optional<MomentumBucket>> MomentumAsOf(
      const std::string& match_id, MomentumWidth width, absl::Time at);
  // JSON statistics query: (match_id, number) for every match of `league`/`season` (empty = any)
  // whose statistics hold a number at `path` (keys separated by '.', e.g. "home.shots"), ordered
  // by match_id. Errors: InvalidArgument for a path with characters other than [A-Za-z0-9_.].
  [[nodiscard]] absl::StatusOr<std::vector<std::pair<std::string, double>>> StatisticNumbers(
      absl::string_view path, absl::string_view league = "", absl::string_view season = "");
  // The ids of the matches whose statistics contain the JSON object `fragment`
  // (PostgreSQL: jsonb @>, served by the GIN index; SQLite: the same test on the parsed JSON for
  // a one-level {"key": scalar} fragment). Errors: InvalidArgument for another fragment shape.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> MatchesWithStatistics(
      absl::string_view key, absl::string_view json_scalar);
  [[nodiscard]] absl::StatusOr<std::vector<LedgerRecord>> Ledger(const std::string& match_id = "");
  // Rows per table ("matches_master", "daily_betting_lines", "players_db", "live_stats",
  // "bets_ledger", "provider_responses", "source_files").
  [[nodiscard]] absl::StatusOr<std::map<std::string, int64_t>> CountRows();

  // ---- Retention. -----------------------------------------------------------------------------
  // Deletes the live_stats rows older than now - horizon (strictly); returns how many.
  [[nodiscard]] absl::StatusOr<int64_t> ApplyRetention(
      absl::Time now, absl::Duration horizon = kLiveStatsRetention);

  class Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Backend of a store URL. Errors: InvalidArgument (the message shows the URL) for another form.
[[nodiscard]] absl::StatusOr<Backend> ParseStoreUrl(const std::string& url);

}  // namespace superbet::store

#endif  // SUPERBET_STORE_STORE_H_
