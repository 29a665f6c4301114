#include "store/internal/price_repack.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "store/internal/packed_prices.h"

namespace superbet::store::internal {
namespace {

// Match ids per query; a shorter chunk repeats its last id, so one prepared statement serves all.
constexpr size_t kChunk = 64;

std::string InList() {
  std::string in;
  for (size_t i = 1; i <= kChunk; ++i) absl::StrAppend(&in, i > 1 ? ", " : "", "$", i);
  return in;
}

const std::string& ChunkSql() {
  static const std::string* sql = new std::string(absl::StrCat(
      "SELECT match_id, ts, bookmaker, market, selection, line, odds, is_live, phase "
      "FROM daily_betting_lines WHERE match_id IN (",
      InList(), ") ORDER BY match_id, seq, ts, market, selection, bookmaker, line_key, phase"));
  return *sql;
}

const std::string& CountSql() {
  static const std::string* sql = new std::string(
      absl::StrCat("SELECT COUNT(*) FROM daily_betting_lines WHERE match_id IN (", InList(), ")"));
  return *sql;
}

// PostgreSQL: the blobs of a chunk in one UPDATE … FROM (a union of kChunk (id, blob) pairs).
const std::string& BatchUpdateSql() {
  static const std::string* sql = [] {
    std::string rows;
    for (size_t i = 0; i < kChunk; ++i) {
      absl::StrAppend(&rows, i ? " UNION ALL SELECT " : "SELECT ", "$", 2 * i + 1,
                      i ? "" : "::text AS id", ", $", 2 * i + 2, i ? "" : "::bytea AS p");
    }
    return new std::string(absl::StrCat("UPDATE matches_master SET prices = v.p FROM (", rows,
                                        ") AS v WHERE matches_master.match_id = v.id"));
  }();
  return *sql;
}

// The ids of [start, end) as kChunk parameters, the last repeated.
std::vector<Value> ChunkParams(absl::Span<const std::string> ids, size_t start, size_t end) {
  std::vector<Value> params;
  params.reserve(kChunk);
  for (size_t i = 0; i < kChunk; ++i)
    params.push_back(Value::Text(ids[std::min(start + i, end - 1)]));
  return params;
}

}  // namespace

absl::Status WritePacked(Db& db, absl::Span<const std::pair<std::string, std::string>> blobs) {
  for (size_t start = 0; start < blobs.size(); start += kChunk) {
    const size_t end = std::min(blobs.size(), start + kChunk);
    if (db.dialect() == Dialect::kPostgres) {  // One round trip for the chunk.
      std::vector<Value> pairs;
      pairs.reserve(2 * kChunk);
      for (size_t i = 0; i < kChunk; ++i) {  // Repeats of the last pair write the same bytes.
        const auto& [id, blob] = blobs[std::min(start + i, end - 1)];
        pairs.push_back(Value::Text(id));
        pairs.push_back(Value::Blob(blob));
      }
      auto n = db.Run(BatchUpdateSql(), pairs);
      if (!n.ok()) return n.status();
      continue;
    }
    for (size_t i = start; i < end; ++i) {
      auto n = db.Run("UPDATE matches_master SET prices = $2 WHERE match_id = $1",
                      {Value::Text(blobs[i].first), Value::Blob(blobs[i].second)});
      if (!n.ok()) return n.status();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> CountPrices(Db& db, absl::Span<const std::string> match_ids) {
  int64_t total = 0;
  for (size_t start = 0; start < match_ids.size(); start += kChunk) {
    const size_t end = std::min(match_ids.size(), start + kChunk);
    auto rows = db.Query(CountSql(), ChunkParams(match_ids, start, end));
    if (!rows.ok()) return rows.status();
    if (!rows->empty() && (*rows)[0][0]) total += std::stoll(*(*rows)[0][0]);
  }
  return total;
}

absl::Status RepackPrices(Db& db, absl::Span<const std::string> match_ids) {
  for (size_t start = 0; start < match_ids.size(); start += kChunk) {
    const size_t end = std::min(match_ids.size(), start + kChunk);
    absl::flat_hash_map<std::string, std::vector<PackedPrice>> prices;
    for (size_t i = start; i < end; ++i) prices[match_ids[i]];
    absl::Status s = db.QueryEach(
        ChunkSql(), ChunkParams(match_ids, start, end), [&](const RowView& r) -> absl::Status {
          PackedPrice p;
          p.ts_us = r.Int(1);
          p.bookmaker = std::string(r.Text(2));
          const std::string market(r.Text(3)), selection(r.Text(4));
          if (!superbet::v1::Market_Parse(market, &p.market) ||
              !superbet::v1::Selection_Parse(selection, &p.selection)) {
            return absl::DataLossError(absl::StrCat("daily_betting_lines: unknown market '", market,
                                                    "' or selection '", selection, "' for ",
                                                    r.Text(0)));
          }
          if (!r.IsNull(5)) p.line = r.Double(5);
          p.decimal_odds = r.Double(6);
          p.is_live = r.Int(7) != 0;
          p.is_closing = r.Text(8) == "closing";
          prices[r.Text(0)].push_back(std::move(p));
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    std::vector<std::pair<std::string, std::string>> blobs;
    blobs.reserve(prices.size());
    for (const auto& [id, list] : prices) blobs.emplace_back(id, PackPrices(list));
    s = WritePacked(db, blobs);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RepackUnpacked(Db& db) {
  auto rows = db.Query("SELECT match_id FROM matches_master WHERE prices IS NULL", {});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> ids;
  ids.reserve(rows->size());
  for (const Row& r : *rows) ids.push_back(r[0].value_or(""));
  return RepackPrices(db, ids);
}

}  // namespace superbet::store::internal
