// Store reads: fixtures and prices in file order, the odds history, the live series, the
// provider fallback, momentum and JSON statistics queries.

#include <deque>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "store/internal/packed_prices.h"
#include "store/internal/store_impl.h"
#include "superbet/providers/live_stats_window.h"
#include "superbet/store/store.h"

namespace superbet::store {
namespace {

using internal::ParseInt;
using internal::ParseOptDouble;
using internal::Row;
using internal::Value;
using superbet::v1::BettingLine;

constexpr char kLineSelect[] =
    "l.ts, l.match_id, l.bookmaker, l.market, l.selection, l.line, l.odds, l.is_live, l.phase";

absl::StatusOr<BettingLine> LineOfRow(const Row& r) {
  BettingLine line;
  const int64_t us = ParseInt(r[0]);
  line.mutable_timestamp()->set_seconds(us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
  line.mutable_timestamp()->set_nanos(
      static_cast<int32_t>((us - line.timestamp().seconds() * 1000000) * 1000));
  line.set_fixture_id(r[1].value_or(""));
  line.set_bookmaker(r[2].value_or(""));
  superbet::v1::Market market;
  if (!superbet::v1::Market_Parse(r[3].value_or(""), &market)) {
    return absl::DataLossError(absl::StrCat("daily_betting_lines: unknown market '",
                                            r[3].value_or(""), "' for ", line.fixture_id()));
  }
  line.set_market(market);
  superbet::v1::Selection selection;
  if (!superbet::v1::Selection_Parse(r[4].value_or(""), &selection)) {
    return absl::DataLossError(absl::StrCat("daily_betting_lines: unknown selection '",
                                            r[4].value_or(""), "' for ", line.fixture_id()));
  }
  line.set_selection(selection);
  if (auto l = ParseOptDouble(r[5])) line.set_line(*l);
  line.set_decimal_odds(ParseOptDouble(r[6]).value_or(0));
  line.set_is_live(ParseInt(r[7]) != 0);
  line.set_is_closing(r[8].value_or("") == "closing");
  return line;
}

template <typename Message>
absl::Status ParseCanonical(const std::optional<std::string>& bytes, Message& m,
                            absl::string_view what) {
  if (!bytes || !m.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("unreadable canonical proto in ", what));
  }
  return absl::OkStatus();
}

const char* ViewOf(MomentumWidth w) {
  switch (w) {
    case MomentumWidth::k1Min:
      return "momentum_1m";
    case MomentumWidth::k5Min:
      return "momentum_5m";
    case MomentumWidth::k15Min:
      return "momentum_15m";
  }
  return "momentum_1m";
}

int64_t WidthUs(MomentumWidth w) { return static_cast<int64_t>(w) * 60 * 1000000; }

int64_t ClampUs(absl::Time t) {
  if (t == absl::InfinitePast()) return std::numeric_limits<int64_t>::min() / 2;
  if (t == absl::InfiniteFuture()) return std::numeric_limits<int64_t>::max() / 2;
  return internal::ToUs(t);
}

MomentumBucket BucketOfRow(const Row& r) {  // bucket, avg_da, max_sh, max_sa, xg_h, xg_a, n
  MomentumBucket b;
  b.bucket_start = internal::FromUs(ParseInt(r[0]));
  b.avg_da = ParseOptDouble(r[1]);
  if (r[2]) b.max_sh = static_cast<int>(ParseInt(r[2]));
  if (r[3]) b.max_sa = static_cast<int>(ParseInt(r[3]));
  b.avg_xg_home = ParseOptDouble(r[4]);
  b.avg_xg_away = ParseOptDouble(r[5]);
  b.rows = ParseInt(r[6]);
  return b;
}

absl::Status CheckPath(absl::string_view path) {
  if (path.empty()) return absl::InvalidArgumentError("JSON path is empty");
  for (char c : path) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') {
      return absl::InvalidArgumentError(
          absl::StrCat("JSON path may hold only letters, digits, '_' and '.', got '", path, "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<superbet::v1::Fixture>> Store::GetFixture(
    const std::string& match_id) {
  auto db = impl_->Acquire();
  auto rows = db->Query("SELECT canonical FROM matches_master WHERE match_id = $1",
                        {Value::Text(match_id)}, {0});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<superbet::v1::Fixture>();
  superbet::v1::Fixture f;
  absl::Status s = ParseCanonical((*rows)[0][0], f, match_id);
  if (!s.ok()) return s;
  return std::optional<superbet::v1::Fixture>(std::move(f));
}

absl::StatusOr<std::vector<superbet::v1::Fixture>> Store::FixturesOfFile(
    const std::string& source_file) {
  auto db = impl_->Acquire();
  std::vector<superbet::v1::Fixture> out;
  absl::Status s = db->QueryEach(
      "SELECT canonical, match_id FROM matches_master WHERE source_file = $1 ORDER BY source_seq",
      {Value::Text(source_file)}, [&](const internal::RowView& r) -> absl::Status {
        const absl::string_view bytes = r.Text(0);
        if (!out.emplace_back().ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
          return absl::DataLossError(absl::StrCat("unreadable canonical proto in ", r.Text(1)));
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<BettingLine>> Store::LinesOfFile(
    const std::string& source_file, absl::Span<const std::string> bookmakers) {
  auto contents = ReadFile(source_file, bookmakers);
  if (!contents.ok()) return contents.status();
  return std::move(contents->lines);
}

absl::StatusOr<FileContents> Store::ReadFile(
    const std::string& source_file, absl::Span<const std::string> bookmakers,
    const std::function<bool(const superbet::v1::BettingLine&)>& keep) {
  auto db = impl_->Acquire();
  FileContents out;
  out.line_begin.push_back(0);
  absl::Status s = db->QueryEachBinary(
      "SELECT canonical, prices, match_id FROM matches_master WHERE source_file = $1 "
      "ORDER BY source_seq",
      {Value::Text(source_file)}, [&](const internal::RowView& r) -> absl::Status {
        const absl::string_view bytes = r.Text(0);
        superbet::v1::Fixture& fixture = out.fixtures.emplace_back();
        if (!fixture.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
          return absl::DataLossError(absl::StrCat("unreadable canonical proto in ", r.Text(2)));
        }
        if (r.IsNull(1)) {
          return absl::DataLossError(
              absl::StrCat("match ", r.Text(2), " has no packed prices (matches_master.prices)"));
        }
        absl::Status u = internal::UnpackPrices(r.Text(1), r.Text(2), bookmakers, out.lines, keep);
        out.line_begin.push_back(out.lines.size());
        return u;
      });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<BettingLine>> Store::OddsHistory(const std::string& match_id) {
  auto db = impl_->Acquire();
  auto rows = db->Query(absl::StrCat("SELECT ", kLineSelect,
                                     " FROM daily_betting_lines l WHERE l.match_id = $1 "
                                     "ORDER BY l.ts, l.seq, l.market, l.selection, l.bookmaker"),
                        {Value::Text(match_id)});
  if (!rows.ok()) return rows.status();
  std::vector<BettingLine> out;
  for (const Row& r : *rows) {
    auto line = LineOfRow(r);
    if (!line.ok()) return line.status();
    out.push_back(std::move(*line));
  }
  return out;
}

absl::StatusOr<std::vector<SourceFileRecord>> Store::SourceFiles(absl::string_view provider) {
  auto db = impl_->Acquire();
  auto rows = db->Query(
      "SELECT file, provider, league, season_code, season_label, fixtures, lines, rows_rejected, "
      "duplicates_rejected, prices_rejected, cells_rejected, rejections FROM source_files "
      "WHERE $1 = '' OR provider = $1 ORDER BY file",
      {Value::Text(std::string(provider))});
  if (!rows.ok()) return rows.status();
  std::vector<SourceFileRecord> out;
  for (const Row& r : *rows) {
    SourceFileRecord f;
    f.file = r[0].value_or("");
    f.provider = r[1].value_or("");
    f.league = r[2].value_or("");
    f.season_code = r[3].value_or("");
    f.season_label = r[4].value_or("");
    f.fixtures = ParseInt(r[5]);
    f.lines = ParseInt(r[6]);
    f.rows_rejected = ParseInt(r[7]);
    f.duplicates_rejected = ParseInt(r[8]);
    f.prices_rejected = ParseInt(r[9]);
    f.cells_rejected = ParseInt(r[10]);
    if (r[11] && !r[11]->empty()) f.rejections = absl::StrSplit(*r[11], '\n');
    out.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<std::vector<LiveStatsRow>> Store::LiveStats(const std::string& match_id,
                                                           absl::Time from, absl::Time to) {
  auto db = impl_->Acquire();
  auto rows = db->Query(
      "SELECT \"timestamp\", source, canonical FROM live_stats WHERE match_id = $1 AND "
      "\"timestamp\" >= $2 AND \"timestamp\" <= $3 ORDER BY \"timestamp\"",
      {Value::Text(match_id), Value::Int(ClampUs(from)), Value::Int(ClampUs(to))}, {2});
  if (!rows.ok()) return rows.status();
  std::vector<LiveStatsRow> out(rows->size());
  for (size_t i = 0; i < rows->size(); ++i) {
    const Row& r = (*rows)[i];
    out[i].timestamp = internal::FromUs(ParseInt(r[0]));
    out[i].source = r[1].value_or("");
    absl::Status s = ParseCanonical(r[2], out[i].state, match_id);
    if (!s.ok()) return s;
  }
  return out;
}

absl::StatusOr<superbet::v1::LiveMatchState> Store::Fallback(const std::string& match_id,
                                                             absl::Time now) {
  std::deque<std::pair<absl::Time, superbet::v1::LiveMatchState>> rows;
  {
    auto db = impl_->Acquire();
    const int64_t now_us = internal::ToUs(now);
    const int64_t from_us = internal::ToUs(now - providers::kFallbackWindow);
    // The window, or (when it is empty) the newest row before it: one indexed range scan.
    auto result = db->Query(
        "SELECT \"timestamp\", canonical FROM live_stats WHERE match_id = $1 AND "
        "\"timestamp\" <= $2 AND \"timestamp\" >= COALESCE((SELECT MAX(\"timestamp\") FROM "
        "live_stats WHERE match_id = $1 AND \"timestamp\" < $3), $3) ORDER BY \"timestamp\"",
        {Value::Text(match_id), Value::Int(now_us), Value::Int(from_us)}, {1});
    if (!result.ok()) return result.status();
    for (const Row& r : *result) {
      superbet::v1::LiveMatchState state;
      absl::Status s = ParseCanonical(r[1], state, match_id);
      if (!s.ok()) return s;
      rows.emplace_back(internal::FromUs(ParseInt(r[0])), std::move(state));
    }
  }
  if (rows.empty()) {
    return absl::NotFoundError(absl::StrCat("no live stats recorded for match ", match_id));
  }
  // One row before the window is read only so that an empty window has its newest row; the
  // window average must not see it.
  while (rows.size() > 1 && rows.front().first < now - providers::kFallbackWindow) {
    rows.pop_front();
  }
  return providers::AverageWindow(rows, now);
}

absl::StatusOr<std::vector<MomentumBucket>> Store::Momentum(const std::string& match_id,
                                                            MomentumWidth width, absl::Time from,
                                                            absl::Time to) {
  auto db = impl_->Acquire();
  auto rows = db->Query(
      absl::StrCat("SELECT bucket, avg_da, max_sh, max_sa, avg_xg_home, avg_xg_away, n FROM ",
                   ViewOf(width),
                   " WHERE match_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY bucket"),
      {Value::Text(match_id), Value::Int(ClampUs(from)), Value::Int(ClampUs(to))});
  if (!rows.ok()) return rows.status();
  std::vector<MomentumBucket> out;
  for (const Row& r : *rows) out.push_back(BucketOfRow(r));
  return out;
}

absl::StatusOr<std::optional<MomentumBucket>> Store::MomentumAsOf(const std::string& match_id,
                                                                  MomentumWidth width,
                                                                  absl::Time at) {
  const int64_t at_us = internal::ToUs(at);
  const int64_t w = WidthUs(width);
  int64_t start = (at_us / w) * w;
  if (at_us < 0 && start != at_us) start -= w;
  auto db = impl_->Acquire();
  auto rows = db->Query(
      "SELECT CAST($2 AS BIGINT), AVG(dangerous_attacks), MAX(score_home), MAX(score_away), "
      "AVG(xg_home), "
      "AVG(xg_away), COUNT(*) FROM live_stats WHERE match_id = $1 AND \"timestamp\" >= $3 AND "
      "\"timestamp\" <= $4",
      {Value::Text(match_id), Value::Int(start), Value::Int(start), Value::Int(at_us)});
  if (!rows.ok()) return rows.status();
  if (rows->empty() || ParseInt((*rows)[0][6]) == 0) return std::optional<MomentumBucket>();
  return std::optional<MomentumBucket>(BucketOfRow((*rows)[0]));
}

absl::StatusOr<std::vector<std::pair<std::string, double>>> Store::StatisticNumbers(
    absl::string_view path, absl::string_view league, absl::string_view season) {
  absl::Status s = CheckPath(path);
  if (!s.ok()) return s;
  std::string expr;
  if (impl_->backend == Backend::kSqlite) {
    expr = absl::StrCat("json_extract(statistics, '$.", path, "')");
  } else {
    std::vector<std::string> keys = absl::StrSplit(path, '.');
    expr = absl::StrCat("(statistics #>> '{", absl::StrJoin(keys, ","), "}')");
  }
  auto db = impl_->Acquire();
  const std::string sql = absl::StrCat(
      "SELECT match_id, ", expr, " FROM matches_master WHERE ($1 = '' OR league_id = $1) AND ",
      "($2 = '' OR season = $2) AND ", expr, " IS NOT NULL ORDER BY match_id");
  auto rows = db->Query(sql, {Value::Text(std::string(league)), Value::Text(std::string(season))});
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<std::string, double>> out;
  for (const Row& r : *rows) {
    char* end = nullptr;
    const std::string v = r[1].value_or("");
    const double d = std::strtod(v.c_str(), &end);
    if (end == v.c_str()) continue;  // Not a number (an object or a string at that path).
    out.emplace_back(r[0].value_or(""), d);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> Store::MatchesWithStatistics(
    absl::string_view key, absl::string_view json_scalar) {
  absl::Status s = CheckPath(key);
  if (!s.ok()) return s;
  if (key.find('.') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("containment key must be one top-level key, got '", key, "'"));
  }
  auto db = impl_->Acquire();
  absl::StatusOr<std::vector<Row>> rows;
  if (impl_->backend == Backend::kPostgres) {
    rows = db->Query(
        "SELECT match_id FROM matches_master WHERE statistics @> $1::jsonb ORDER BY match_id",
        {Value::Text(absl::StrCat("{\"", key, "\":", json_scalar, "}"))});
  } else {
    rows = db->Query(
        absl::StrCat("SELECT match_id FROM matches_master WHERE json_extract(statistics, '$.", key,
                     "') = json_extract($1, '$') ORDER BY match_id"),
        {Value::Text(std::string(json_scalar))});
  }
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (const Row& r : *rows) out.push_back(r[0].value_or(""));
  return out;
}

absl::StatusOr<std::vector<LedgerRecord>> Store::Ledger(const std::string& match_id) {
  auto db = impl_->Acquire();
  auto rows = db->Query(
      "SELECT bet_id, canonical, metrics, cloudevent_id, settled_at, payout, reward FROM "
      "bets_ledger WHERE $1 = '' OR match_id = $1 ORDER BY decided_at, bet_id",
      {Value::Text(match_id)}, {1});
  if (!rows.ok()) return rows.status();
  std::vector<LedgerRecord> out;
  for (const Row& r : *rows) {
    LedgerRecord b;
    b.bet_id = r[0].value_or("");
    absl::Status s = ParseCanonical(r[1], b.decision, b.bet_id);
    if (!s.ok()) return s;
    b.metrics_json = r[2].value_or("{}");
    b.cloudevent_id = r[3];
    if (r[4]) b.settled_at = internal::FromUs(ParseInt(r[4]));
    b.payout = ParseOptDouble(r[5]);
    b.reward = ParseOptDouble(r[6]);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace superbet::store
