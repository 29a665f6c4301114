// Store writes: idempotent upserts, one transaction per call; COPY through a staging table on
// PostgreSQL (BulkMode::kCopy).

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "store/internal/packed_prices.h"
#include "store/internal/price_repack.h"
#include "store/internal/store_impl.h"
#include "superbet/model/masking.h"
#include "superbet/store/store.h"

namespace superbet::store {
namespace {

using internal::Db;
using internal::Value;
using superbet::v1::BettingLine;

constexpr char kLineColumns[] =
    "ts, match_id, bookmaker, market, selection, line, line_key, odds, is_live, phase, source, "
    "seq";
const std::vector<std::string>& LineColumnList() {
  static const auto* c = new std::vector<std::string>{
      "ts",       "match_id", "bookmaker", "market", "selection", "line",
      "line_key", "odds",     "is_live",   "phase",  "source",    "seq"};
  return *c;
}
constexpr char kLiveColumns[] =
    "\"timestamp\", match_id, minute, score_home, score_away, xg_home, xg_away, "
    "dangerous_attacks, dangerous_attacks_home, dangerous_attacks_away, odds_home, odds_draw, "
    "odds_away, mask, data_staleness_s, source, canonical";
const std::vector<std::string>& LiveColumnList() {
  static const auto* c = new std::vector<std::string>{"\"timestamp\"",
                                                      "match_id",
                                                      "minute",
                                                      "score_home",
                                                      "score_away",
                                                      "xg_home",
                                                      "xg_away",
                                                      "dangerous_attacks",
                                                      "dangerous_attacks_home",
                                                      "dangerous_attacks_away",
                                                      "odds_home",
                                                      "odds_draw",
                                                      "odds_away",
                                                      "mask",
                                                      "data_staleness_s",
                                                      "source",
                                                      "canonical"};
  return *c;
}

std::string Placeholders(int n) {
  std::vector<std::string> p;
  for (int i = 1; i <= n; ++i) p.push_back(absl::StrCat("$", i));
  return absl::StrJoin(p, ", ");
}

std::string LineKey(const BettingLine& line) {
  if (!line.has_line()) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", line.line());
  return buf;
}

std::vector<Value> LineValues(const BettingLine& line, absl::string_view source, int64_t seq) {
  return {Value::Int(internal::TimestampUs(line.timestamp())),
          Value::Text(line.fixture_id()),
          Value::Text(line.bookmaker()),
          Value::Text(superbet::v1::Market_Name(line.market())),
          Value::Text(superbet::v1::Selection_Name(line.selection())),
          line.has_line() ? Value::Double(line.line()) : Value::Null(),
          Value::Text(LineKey(line)),
          Value::Double(line.decimal_odds()),
          Value::Int(line.is_live() ? 1 : 0),
          Value::Text(internal::PhaseOf(line)),
          Value::Text(std::string(source)),
          Value::Int(seq)};
}

// A price as it reads back from its daily_betting_lines row (time in whole microseconds, the
// phase deciding is_closing).
internal::PackedPrice PackedOf(const BettingLine& line) {
  internal::PackedPrice p;
  p.bookmaker = line.bookmaker();
  p.market = line.market();
  p.selection = line.selection();
  if (line.has_line()) p.line = line.line();
  p.decimal_odds = line.decimal_odds();
  p.ts_us = internal::TimestampUs(line.timestamp());
  p.is_live = line.is_live();
  p.is_closing = std::string_view(internal::PhaseOf(line)) == "closing";
  return p;
}

std::vector<Value> LiveValues(const LiveStatsRow& row) {
  const auto& s = row.state;
  const auto opt_int = [](bool has, int v) { return has ? Value::Int(v) : Value::Null(); };
  const auto opt_double = [](bool has, double v) { return has ? Value::Double(v) : Value::Null(); };
  const bool da = s.home().has_dangerous_attacks() && s.away().has_dangerous_attacks();
  const model::MaskedFeatures f = model::Mask(s);
  int64_t mask = 0;
  for (size_t i = 0; i < f.mask.size(); ++i) {
    if (f.mask[i] != 0) mask |= int64_t{1} << i;
  }
  return {Value::Int(internal::ToUs(row.timestamp)),
          Value::Text(s.match_id()),
          opt_int(s.has_minute(), s.minute()),
          opt_int(s.has_score_home(), s.score_home()),
          opt_int(s.has_score_away(), s.score_away()),
          opt_double(s.home().has_xg(), s.home().xg()),
          opt_double(s.away().has_xg(), s.away().xg()),
          da ? Value::Int(int64_t{s.home().dangerous_attacks()} + s.away().dangerous_attacks())
             : Value::Null(),
          opt_int(s.home().has_dangerous_attacks(), s.home().dangerous_attacks()),
          opt_int(s.away().has_dangerous_attacks(), s.away().dangerous_attacks()),
          opt_double(s.has_live_odds(), s.live_odds().home()),
          opt_double(s.has_live_odds(), s.live_odds().draw()),
          opt_double(s.has_live_odds(), s.live_odds().away()),
          Value::Int(mask),
          Value::Double(s.data_staleness_s()),
          Value::Text(row.source),
          Value::Blob(internal::Serialize(s))};
}

// Inserts `rows` into `table` (columns `columns`) skipping rows whose key exists; returns how many
// were added. Must run inside a transaction. PostgreSQL + kCopy: first a COPY straight into
// `table` under a savepoint (a first ingest: every row is new, and this is `psql \copy`'s own
// path); when it fails (a key that exists: a re-ingest, or a key repeated in `rows`) the
// savepoint is rolled back and the rows go through a temporary table shaped like `table` and one
// INSERT … SELECT … ON CONFLICT DO NOTHING.
absl::StatusOr<int64_t> InsertIgnoringDuplicates(Db& db, BulkMode bulk, const std::string& table,
                                                 const std::string& column_text,
                                                 const std::vector<std::string>& columns,
                                                 const std::vector<std::vector<Value>>& rows) {
  if (rows.empty()) return 0;
  if (db.dialect() == internal::Dialect::kPostgres && bulk == BulkMode::kCopy) {
    absl::Status s = db.Exec("SAVEPOINT direct_copy");
    if (!s.ok()) return s;
    if (db.CopyIn(table, columns, rows).ok()) {
      s = db.Exec("RELEASE SAVEPOINT direct_copy");
      if (!s.ok()) return s;
      return static_cast<int64_t>(rows.size());
    }
    s = db.Exec("ROLLBACK TO SAVEPOINT direct_copy");
    if (!s.ok()) return s;
    s = db.Exec("RELEASE SAVEPOINT direct_copy");
    if (!s.ok()) return s;
    const std::string stage = absl::StrCat("stage_", table);
    s = db.Exec(absl::StrCat("CREATE TEMP TABLE IF NOT EXISTS ", stage, " (LIKE ", table,
                             ") ON COMMIT DELETE ROWS"));
    if (!s.ok()) return s;
    s = db.CopyIn(stage, columns, rows);
    if (!s.ok()) return s;
    auto n = db.Run(absl::StrCat("INSERT INTO ", table, " (", column_text, ") SELECT ", column_text,
                                 " FROM ", stage, " ON CONFLICT DO NOTHING"),
                    {});
    if (!n.ok()) return n.status();
    s = db.Exec(absl::StrCat("TRUNCATE ", stage));
    if (!s.ok()) return s;
    return *n;
  }
  const std::string sql =
      absl::StrCat("INSERT INTO ", table, " (", column_text, ") VALUES (",
                   Placeholders(static_cast<int>(columns.size())), ") ON CONFLICT DO NOTHING");
  int64_t added = 0;
  for (const auto& row : rows) {
    auto n = db.Run(sql, row);
    if (!n.ok()) return n.status();
    added += *n;
  }
  return added;
}

std::string StatusName(superbet::v1::FixtureStatus s) {
  return superbet::v1::FixtureStatus_Name(s);
}

constexpr char kUpsertMatch[] = R"sql(
INSERT INTO matches_master (match_id, provider, league_id, season, kickoff_utc, home_team,
  away_team, status, score_home, score_away, statistics, coverage, source_file, source_seq,
  canonical, updated_at, prices)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
ON CONFLICT (match_id) DO UPDATE SET provider = excluded.provider,
  league_id = excluded.league_id, season = excluded.season, kickoff_utc = excluded.kickoff_utc,
  home_team = excluded.home_team, away_team = excluded.away_team, status = excluded.status,
  score_home = excluded.score_home, score_away = excluded.score_away,
  statistics = excluded.statistics, coverage = excluded.coverage,
  source_file = excluded.source_file, source_seq = excluded.source_seq,
  canonical = excluded.canonical, updated_at = excluded.updated_at, prices = excluded.prices
WHERE matches_master.canonical <> excluded.canonical
   OR matches_master.statistics <> excluded.statistics
   OR matches_master.coverage <> excluded.coverage
   OR matches_master.source_file <> excluded.source_file
   OR matches_master.source_seq <> excluded.source_seq)sql";

}  // namespace

absl::StatusOr<WriteCounts> Store::PutMatches(absl::Span<const MatchRecord> matches) {
  auto db = impl_->Acquire();
  const int64_t now_us = impl_->NowUs();
  WriteCounts counts;
  absl::Status s = internal::InTransaction(*db, [&]() -> absl::Status {
    // Each row is written with its record's prices packed (what the table will hold when the
    // batch's prices are all new and the match's only ones; checked below, repacked otherwise).
    std::vector<std::string> blobs(matches.size());
    std::vector<bool> row_written(matches.size(), false);
    for (size_t i = 0; i < matches.size(); ++i) {
      const MatchRecord& m = matches[i];
      std::vector<internal::PackedPrice> prices(m.lines.size());
      for (size_t k = 0; k < m.lines.size(); ++k) prices[k] = PackedOf(m.lines[k]);
      blobs[i] = internal::PackPrices(prices);
    }
    for (size_t i = 0; i < matches.size(); ++i) {
      const MatchRecord& m = matches[i];
      const auto& f = m.fixture;
      if (f.id().empty()) return absl::InvalidArgumentError("fixture without an id");
      const bool ft = f.has_full_time();
      auto n = db->Run(
          kUpsertMatch,
          {Value::Text(f.id()), Value::Text(f.provider()), Value::Text(f.competition()),
           Value::Text(f.season()),
           f.has_kickoff() ? Value::Int(internal::TimestampUs(f.kickoff())) : Value::Null(),
           Value::Text(f.home().name()), Value::Text(f.away().name()),
           Value::Text(StatusName(f.status())),
           ft ? Value::Int(f.full_time().home()) : Value::Null(),
           ft ? Value::Int(f.full_time().away()) : Value::Null(), Value::Text(m.statistics_json),
           Value::Text(m.coverage_json), Value::Text(m.source_file), Value::Int(m.source_seq),
           Value::Blob(internal::Serialize(f)), Value::Int(now_us), Value::Blob(blobs[i])});
      if (!n.ok()) {
        return absl::Status(n.status().code(),
                            absl::StrCat("match ", f.id(), ": ", n.status().message()));
      }
      counts.matches += *n;
      row_written[i] = *n > 0;
    }
    if (impl_->options.fault_hook) impl_->options.fault_hook("matches_written");
    std::vector<std::vector<Value>> lines, live;
    for (const MatchRecord& m : matches) {
      for (size_t k = 0; k < m.lines.size(); ++k) {
        lines.push_back(
            LineValues(m.lines[k], m.line_source, m.source_seq * 1000 + static_cast<int64_t>(k)));
      }
      for (const LiveStatsRow& r : m.live) live.push_back(LiveValues(r));
    }
    auto nl = InsertIgnoringDuplicates(*db, impl_->options.bulk, "daily_betting_lines",
                                       kLineColumns, LineColumnList(), lines);
    if (!nl.ok()) return nl.status();
    counts.lines = *nl;
    auto nr = InsertIgnoringDuplicates(*db, impl_->options.bulk, "live_stats", kLiveColumns,
                                       LiveColumnList(), live);
    if (!nr.ok()) return nr.status();
    counts.live_stats = *nr;
    // The packed prices follow the rows they are derived from (a repeated write changes nothing,
    // so it repacks nothing).
    if (counts.matches + counts.lines == 0) return absl::OkStatus();
    std::vector<std::string> ids;
    ids.reserve(matches.size());
    for (const MatchRecord& m : matches) ids.push_back(m.fixture.id());
    // When every price of the batch was new, belongs to its own record's match, and the table
    // holds no other price of these matches, the rows of each match are its record's prices in
    // record order (= seq order): the blobs packed from memory are right, nothing is read back.
    bool own = absl::flat_hash_set<std::string>(ids.begin(), ids.end()).size() == ids.size() &&
               counts.lines == static_cast<int64_t>(lines.size());
    for (const MatchRecord& m : matches) {
      for (const BettingLine& l : m.lines) own = own && l.fixture_id() == m.fixture.id();
    }
    if (own) {
      auto stored = internal::CountPrices(*db, ids);
      if (!stored.ok()) return stored.status();
      own = *stored == static_cast<int64_t>(lines.size());
    }
    if (!own) return internal::RepackPrices(*db, ids);
    // The rows written above hold their blob already; an unchanged row with new prices needs it.
    std::vector<std::pair<std::string, std::string>> missing;
    for (size_t i = 0; i < matches.size(); ++i) {
      if (!row_written[i] && !matches[i].lines.empty()) missing.emplace_back(ids[i], blobs[i]);
    }
    return internal::WritePacked(*db, missing);
  });
  if (!s.ok()) return s;
  return counts;
}

absl::StatusOr<int64_t> Store::PutLines(absl::Span<const BettingLine> lines,
                                        absl::string_view source) {
  auto db = impl_->Acquire();
  std::vector<std::vector<Value>> rows;
  for (size_t k = 0; k < lines.size(); ++k) {
    rows.push_back(LineValues(lines[k], source, static_cast<int64_t>(k)));
  }
  int64_t added = 0;
  absl::Status s = internal::InTransaction(*db, [&]() -> absl::Status {
    auto n = InsertIgnoringDuplicates(*db, impl_->options.bulk, "daily_betting_lines", kLineColumns,
                                      LineColumnList(), rows);
    if (!n.ok()) return n.status();
    added = *n;
    if (added == 0) return absl::OkStatus();
    std::vector<std::string> ids;
    for (const BettingLine& l : lines) {
      if (ids.empty() || ids.back() != l.fixture_id()) ids.push_back(l.fixture_id());
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return internal::RepackPrices(*db, ids);
  });
  if (!s.ok()) return s;
  return added;
}

absl::StatusOr<int64_t> Store::PutLiveStats(absl::Span<const LiveStatsRow> rows) {
  auto db = impl_->Acquire();
  std::vector<std::vector<Value>> values;
  for (const LiveStatsRow& r : rows) {
    if (r.state.match_id().empty()) {
      return absl::InvalidArgumentError("live_stats row without a match_id");
    }
    values.push_back(LiveValues(r));
  }
  int64_t added = 0;
  absl::Status s = internal::InTransaction(*db, [&]() -> absl::Status {
    auto n = InsertIgnoringDuplicates(*db, impl_->options.bulk, "live_stats", kLiveColumns,
                                      LiveColumnList(), values);
    if (!n.ok()) return n.status();
    added = *n;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return added;
}

absl::StatusOr<int64_t> Store::PutPlayers(absl::Span<const PlayerRecord> players) {
  auto db = impl_->Acquire();
  const int64_t now_us = impl_->NowUs();
  int64_t changed = 0;
  absl::Status s = internal::InTransaction(*db, [&]() -> absl::Status {
    for (const PlayerRecord& r : players) {
      const auto& p = r.player;
      if (p.id().empty()) return absl::InvalidArgumentError("player without an id");
      std::string performance;
      // performance as a JSON object {"minutes": 90, "shots.total": 3}, keys sorted.
      std::map<std::string, double> sorted(p.performance().begin(), p.performance().end());
      performance = "{";
      for (const auto& [k, v] : sorted) {
        std::string key;
        for (char c : k) {
          if (c == '"' || c == '\\') key.push_back('\\');
          key.push_back(c);
        }
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        absl::StrAppend(&performance, performance.size() > 1 ? "," : "", "\"", key, "\":", buf);
      }
      performance += "}";
      auto n = db->Run(
          R"sql(INSERT INTO players_db (player_id, provider, team_id, name, position, performance,
  injury_status, injury, canonical, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (player_id) DO UPDATE SET provider = excluded.provider, team_id = excluded.team_id,
  name = excluded.name, position = excluded.position, performance = excluded.performance,
  injury_status = excluded.injury_status, injury = excluded.injury,
  canonical = excluded.canonical, updated_at = excluded.updated_at
WHERE players_db.canonical <> excluded.canonical)sql",
          {Value::Text(p.id()), Value::Text(r.provider),
           p.has_team_id() ? Value::Text(p.team_id()) : Value::Null(), Value::Text(p.name()),
           p.has_position() ? Value::Text(p.position()) : Value::Null(), Value::Text(performance),
           p.has_injury_status() ? Value::Text(p.injury_status()) : Value::Null(),
           r.injury_json.empty() ? Value::Null() : Value::Text(r.injury_json),
           Value::Blob(internal::Serialize(p)), Value::Int(now_us)});
      if (!n.ok()) return n.status();
      changed += *n;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return changed;
}

absl::StatusOr<int64_t> Store::PutLedger(absl::Span<const LedgerRecord> bets) {
  auto db = impl_->Acquire();
  int64_t changed = 0;
  absl::Status s = internal::InTransaction(*db, [&]() -> absl::Status {
    for (const LedgerRecord& b : bets) {
      const auto& p = b.decision.prediction();
      if (b.bet_id.empty()) return absl::InvalidArgumentError("ledger row without a bet_id");
      std::optional<double> odds;
      if (p.pick() == "home" && p.odds().has_home()) odds = p.odds().home();
      if (p.pick() == "draw" && p.odds().has_draw()) odds = p.odds().draw();
      if (p.pick() == "away" && p.odds().has_away()) odds = p.odds().away();
      auto n = db->Run(
          R"sql(INSERT INTO bets_ledger (bet_id, match_id, agent, action, stake, odds, decided_at,
  data_staleness_s, metrics, cloudevent_id, settled_at, payout, reward, canonical)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (bet_id) DO UPDATE SET settled_at = excluded.settled_at, payout = excluded.payout,
  reward = excluded.reward, cloudevent_id = excluded.cloudevent_id, metrics = excluded.metrics,
  canonical = excluded.canonical
WHERE bets_ledger.canonical <> excluded.canonical
   OR bets_ledger.metrics <> excluded.metrics
   OR bets_ledger.settled_at IS NULL AND excluded.settled_at IS NOT NULL)sql",
          {Value::Text(b.bet_id), Value::Text(p.match_id()), Value::Text(p.agent()),
           Value::Text(superbet::v1::Action_Name(p.action())), Value::Double(b.decision.stake()),
           Value::OptDouble(odds), Value::Int(internal::TimestampUs(p.decided_at())),
           Value::Double(p.data_staleness_s()), Value::Text(b.metrics_json),
           b.cloudevent_id ? Value::Text(*b.cloudevent_id) : Value::Null(),
           b.settled_at ? Value::Int(internal::ToUs(*b.settled_at)) : Value::Null(),
           Value::OptDouble(b.payout), Value::OptDouble(b.reward),
           Value::Blob(internal::Serialize(b.decision))});
      if (!n.ok()) return n.status();
      changed += *n;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return changed;
}

absl::StatusOr<int64_t> Store::PutResponse(absl::string_view key, absl::string_view provider,
                                           absl::string_view endpoint,
                                           absl::string_view body_json) {
  auto db = impl_->Acquire();
  return db->Run(
      "INSERT INTO provider_responses (response_key, provider, endpoint, body) VALUES ($1, $2, "
      "$3, $4) ON CONFLICT (response_key) DO UPDATE SET provider = excluded.provider, "
      "endpoint = excluded.endpoint, body = excluded.body WHERE provider_responses.body <> "
      "excluded.body",
      {Value::Text(std::string(key)), Value::Text(std::string(provider)),
       Value::Text(std::string(endpoint)), Value::Text(std::string(body_json))});
}

absl::StatusOr<int64_t> Store::PutSourceFile(const SourceFileRecord& f) {
  auto db = impl_->Acquire();
  // Rejection reasons as one text, one per line (they never contain a newline).
  return db->Run(
      R"sql(INSERT INTO source_files (file, provider, league, season_code, season_label, fixtures,
  lines, rows_rejected, duplicates_rejected, prices_rejected, cells_rejected, rejections)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (file) DO UPDATE SET provider = excluded.provider, league = excluded.league,
  season_code = excluded.season_code, season_label = excluded.season_label,
  fixtures = excluded.fixtures, lines = excluded.lines, rows_rejected = excluded.rows_rejected,
  duplicates_rejected = excluded.duplicates_rejected, prices_rejected = excluded.prices_rejected,
  cells_rejected = excluded.cells_rejected, rejections = excluded.rejections
WHERE source_files.fixtures <> excluded.fixtures OR source_files.lines <> excluded.lines
   OR source_files.rejections <> excluded.rejections
   OR source_files.rows_rejected <> excluded.rows_rejected
   OR source_files.prices_rejected <> excluded.prices_rejected
   OR source_files.cells_rejected <> excluded.cells_rejected)sql",
      {Value::Text(f.file), Value::Text(f.provider), Value::Text(f.league),
       Value::Text(f.season_code), Value::Text(f.season_label), Value::Int(f.fixtures),
       Value::Int(f.lines), Value::Int(f.rows_rejected), Value::Int(f.duplicates_rejected),
       Value::Int(f.prices_rejected), Value::Int(f.cells_rejected),
       Value::Text(absl::StrJoin(f.rejections, "\n"))});
}

}  // namespace superbet::store
