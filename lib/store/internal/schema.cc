// Migrations of the store schema. The design's §3 tables, with these project choices:
//   * times are BIGINT microseconds since the Unix epoch (UTC), one representation for both
//     backends and the integer bucket arithmetic of the momentum views;
//   * prices are DOUBLE PRECISION, not NUMERIC(8,3): football-data's average prices carry more
//     than 3 decimals and a backtest read from the store must see the very same doubles;
//   * the odds history key adds the goals line and the phase (opening / pre_match / closing /
//     live) to (match_id, market, selection, bookmaker, ts): football-data stamps the pre-match
//     and the closing price of a row with the same kickoff time;
//   * each reference row keeps its canonical proto in `canonical` (bit-exact read back);
//   * from version 5, each match row also keeps its prices packed in `prices`
//     (internal/packed_prices.h), derived from daily_betting_lines and rebuilt with it, so a
//     season (fixtures + prices) reads in one indexed query without a join or a sort.

#include "store/internal/schema.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "store/internal/price_repack.h"

namespace superbet::store::internal {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;  // {BLOB} {JSON} {DOUBLE} are replaced per dialect.
  const char* postgres_only_sql = "";
  // Run after `sql`, in the same transaction: data the SQL alone cannot derive.
  absl::Status (*after)(Db& db) = nullptr;
};

const std::vector<Migration>& Migrations() {
  static const auto* m = new std::vector<Migration>{
      {1, "reference tables, odds history, live series, bets ledger, raw responses",
       R"sql(
CREATE TABLE matches_master (
  match_id TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  league_id TEXT NOT NULL,
  season TEXT NOT NULL,
  kickoff_utc BIGINT,
  home_team TEXT NOT NULL,
  away_team TEXT NOT NULL,
  status TEXT NOT NULL,
  score_home INTEGER,
  score_away INTEGER,
  statistics {JSON} NOT NULL,
  coverage {JSON} NOT NULL,
  source_file TEXT NOT NULL,
  source_seq BIGINT NOT NULL,
  canonical {BLOB} NOT NULL,
  updated_at BIGINT NOT NULL);
CREATE INDEX matches_master_kickoff ON matches_master (kickoff_utc);
CREATE INDEX matches_master_league_season ON matches_master (league_id, season);
CREATE INDEX matches_master_source ON matches_master (source_file, source_seq);
CREATE TABLE daily_betting_lines (
  ts BIGINT NOT NULL,
  match_id TEXT NOT NULL,
  bookmaker TEXT NOT NULL,
  market TEXT NOT NULL,
  selection TEXT NOT NULL,
  line {DOUBLE},
  line_key TEXT NOT NULL,
  odds {DOUBLE} NOT NULL,
  is_live INTEGER NOT NULL,
  phase TEXT NOT NULL,
  source TEXT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (match_id, market, selection, bookmaker, line_key, phase, ts));
CREATE INDEX daily_betting_lines_recent ON daily_betting_lines (match_id, market, selection, ts DESC);
CREATE TABLE players_db (
  player_id TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  team_id TEXT,
  name TEXT NOT NULL,
  position TEXT,
  performance {JSON} NOT NULL,
  injury_status TEXT,
  injury {JSON},
  canonical {BLOB} NOT NULL,
  updated_at BIGINT NOT NULL);
CREATE INDEX players_db_team ON players_db (team_id);
CREATE INDEX players_db_not_fit ON players_db (injury_status) WHERE injury_status <> 'fit';
CREATE TABLE live_stats (
  "timestamp" BIGINT NOT NULL,
  match_id TEXT NOT NULL,
  minute INTEGER,
  score_home INTEGER,
  score_away INTEGER,
  xg_home {DOUBLE},
  xg_away {DOUBLE},
  dangerous_attacks INTEGER,
  dangerous_attacks_home INTEGER,
  dangerous_attacks_away INTEGER,
  odds_home {DOUBLE},
  odds_draw {DOUBLE},
  odds_away {DOUBLE},
  mask INTEGER NOT NULL,
  data_staleness_s {DOUBLE} NOT NULL,
  source TEXT NOT NULL,
  canonical {BLOB} NOT NULL,
  PRIMARY KEY (match_id, "timestamp"));
CREATE INDEX live_stats_match_time ON live_stats (match_id, "timestamp" DESC);
CREATE INDEX live_stats_time ON live_stats ("timestamp");
CREATE TABLE bets_ledger (
  bet_id TEXT PRIMARY KEY,
  match_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  action TEXT NOT NULL,
  stake {DOUBLE} NOT NULL,
  odds {DOUBLE},
  decided_at BIGINT NOT NULL,
  data_staleness_s {DOUBLE} NOT NULL,
  metrics {JSON} NOT NULL,
  cloudevent_id TEXT,
  settled_at BIGINT,
  payout {DOUBLE},
  reward {DOUBLE},
  canonical {BLOB} NOT NULL);
CREATE INDEX bets_ledger_match ON bets_ledger (match_id, decided_at);
CREATE TABLE provider_responses (
  response_key TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  body {JSON} NOT NULL);
CREATE TABLE source_files (
  file TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  league TEXT NOT NULL,
  season_code TEXT NOT NULL,
  season_label TEXT NOT NULL,
  fixtures BIGINT NOT NULL,
  lines BIGINT NOT NULL,
  rows_rejected BIGINT NOT NULL,
  duplicates_rejected BIGINT NOT NULL,
  prices_rejected BIGINT NOT NULL,
  cells_rejected BIGINT NOT NULL,
  rejections TEXT NOT NULL);
)sql",
       "CREATE INDEX matches_master_statistics ON matches_master USING GIN (statistics);"},
      {2, "momentum views at 1, 5 and 15 minutes",
       R"sql(
CREATE VIEW momentum_1m AS
  SELECT match_id, ("timestamp" / 60000000) * 60000000 AS bucket,
         AVG(dangerous_attacks) AS avg_da, MAX(score_home) AS max_sh, MAX(score_away) AS max_sa,
         AVG(xg_home) AS avg_xg_home, AVG(xg_away) AS avg_xg_away, COUNT(*) AS n
  FROM live_stats GROUP BY match_id, ("timestamp" / 60000000) * 60000000;
CREATE VIEW momentum_5m AS
  SELECT match_id, ("timestamp" / 300000000) * 300000000 AS bucket,
         AVG(dangerous_attacks) AS avg_da, MAX(score_home) AS max_sh, MAX(score_away) AS max_sa,
         AVG(xg_home) AS avg_xg_home, AVG(xg_away) AS avg_xg_away, COUNT(*) AS n
  FROM live_stats GROUP BY match_id, ("timestamp" / 300000000) * 300000000;
CREATE VIEW momentum_15m AS
  SELECT match_id, ("timestamp" / 900000000) * 900000000 AS bucket,
         AVG(dangerous_attacks) AS avg_da, MAX(score_home) AS max_sh, MAX(score_away) AS max_sa,
         AVG(xg_home) AS avg_xg_home, AVG(xg_away) AS avg_xg_away, COUNT(*) AS n
  FROM live_stats GROUP BY match_id, ("timestamp" / 900000000) * 900000000;
)sql"},
      {3, "live_matches_cache: the 5-minute fallback of every match as of its newest row",
       R"sql(
CREATE VIEW live_matches_cache AS
  SELECT l.match_id, n.newest AS "timestamp", COUNT(*) AS n,
         AVG(l.xg_home) AS xg_home, AVG(l.xg_away) AS xg_away,
         AVG(l.dangerous_attacks_home) AS dangerous_attacks_home,
         AVG(l.dangerous_attacks_away) AS dangerous_attacks_away,
         AVG(l.odds_home) AS odds_home, AVG(l.odds_draw) AS odds_draw,
         AVG(l.odds_away) AS odds_away
  FROM live_stats l
  JOIN (SELECT match_id, MAX("timestamp") AS newest FROM live_stats GROUP BY match_id) n
    ON l.match_id = n.match_id
  WHERE l."timestamp" >= n.newest - 300000000
  GROUP BY l.match_id, n.newest;
)sql"},
      {4, "index of the prices by match and bookmaker (backtests read a few bookmakers)",
       R"sql(
CREATE INDEX daily_betting_lines_bookmaker ON daily_betting_lines (match_id, bookmaker, seq);
)sql"},
      {5,
       "matches_master.prices: each match's prices packed in one blob (a season reads in one "
       "query)",
       R"sql(
ALTER TABLE matches_master ADD COLUMN prices {BLOB};
)sql",
       "", &RepackUnpacked},
  };
  return *m;
}

std::string ForDialect(const char* sql, Dialect d) {
  const bool pg = d == Dialect::kPostgres;
  return absl::StrReplaceAll(sql, {{"{BLOB}", pg ? "BYTEA" : "BLOB"},
                                   {"{JSON}", pg ? "JSONB" : "TEXT"},
                                   {"{DOUBLE}", pg ? "DOUBLE PRECISION" : "REAL"}});
}

}  // namespace

absl::StatusOr<int> CurrentVersion(Db& db) {
  auto rows = db.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
  if (!rows.ok()) return rows.status();
  if (rows->empty() || !(*rows)[0][0]) return 0;
  return std::stoi(*(*rows)[0][0]);
}

absl::Status Migrate(Db& db, int code_version, int64_t updated_at_us) {
  absl::Status s = db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  if (!s.ok() && db.dialect() == Dialect::kPostgres) {
    // Two first openers race on CREATE TABLE IF NOT EXISTS (a unique violation on pg_type).
    s = db.Exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  }
  if (!s.ok()) return s;
  auto before = CurrentVersion(db);
  if (!before.ok()) return before.status();
  // Up to date (every open but the first): no migration transaction, no advisory lock.
  const bool up_to_date = *before >= code_version;
  for (const Migration& m : Migrations()) {
    if (up_to_date) break;
    if (m.version > code_version) break;
    s = InTransaction(db, [&]() -> absl::Status {
      if (db.dialect() == Dialect::kPostgres) {
        absl::Status l = db.Exec("SELECT pg_advisory_xact_lock(7140014)");
        if (!l.ok()) return l;
      }
      auto current = CurrentVersion(db);
      if (!current.ok()) return current.status();
      if (*current >= m.version) return absl::OkStatus();
      absl::Status e = db.Exec(ForDialect(m.sql, db.dialect()));
      if (!e.ok()) return e;
      if (db.dialect() == Dialect::kPostgres && *m.postgres_only_sql) {
        e = db.Exec(m.postgres_only_sql);
        if (!e.ok()) return e;
      }
      if (m.after != nullptr) {
        e = m.after(db);
        if (!e.ok()) return e;
      }
      auto r = db.Run(
          "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
          {Value::Int(m.version), Value::Text(m.description), Value::Int(updated_at_us)});
      return r.status();
    });
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("store migration ", m.version, " (", m.description,
                                                 "): ", s.message()));
    }
  }
  auto current = CurrentVersion(db);
  if (!current.ok()) return current.status();
  if (*current > code_version) {
    return absl::FailedPreconditionError(absl::StrCat("store schema version ", *current,
                                                      " is newer than this code's ", code_version,
                                                      "; open it with a newer superbet"));
  }
  return absl::OkStatus();
}

}  // namespace superbet::store::internal
