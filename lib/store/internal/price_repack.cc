#include "store/internal/price_repack.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "store/internal/packed_prices.h"

namespace superbet::store::internal {
namespace {

// Match ids per query; a shorter chunk repeats its last id, so one prepared statement serves all.
constexpr size_t kChunk = 64;

const std::string& ChunkSql() {
  static const std::string* sql = [] {
    std::string in;
    for (size_t i = 1; i <= kChunk; ++i) absl::StrAppend(&in, i > 1 ? ", " : "", "$", i);
    return new std::string(absl::StrCat(
        "SELECT match_id, ts, bookmaker, market, selection, line, odds, is_live, phase "
        "FROM daily_betting_lines WHERE match_id IN (",
        in, ") ORDER BY match_id, seq, ts, market, selection, bookmaker, line_key, phase"));
  }();
  return *sql;
}

}  // namespace

absl::Status RepackPrices(Db& db, absl::Span<const std::string> match_ids) {
  for (size_t start = 0; start < match_ids.size(); start += kChunk) {
    const size_t end = std::min(match_ids.size(), start + kChunk);
    std::vector<Value> params;
    params.reserve(kChunk);
    for (size_t i = 0; i < kChunk; ++i) {
      params.push_back(Value::Text(match_ids[std::min(start + i, end - 1)]));
    }
    absl::flat_hash_map<std::string, std::vector<PackedPrice>> prices;
    for (size_t i = start; i < end; ++i) prices[match_ids[i]];
    absl::Status s = db.QueryEach(ChunkSql(), params, [&](const RowView& r) -> absl::Status {
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
    for (const auto& [id, list] : prices) {
      auto n = db.Run("UPDATE matches_master SET prices = $2 WHERE match_id = $1",
                      {Value::Text(id), Value::Blob(PackPrices(list))});
      if (!n.ok()) return n.status();
    }
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
