// Keeps matches_master.prices (internal/packed_prices.h) equal to the match's rows of
// daily_betting_lines, inside the writing transaction: PutMatches writes each row with its
// record's prices packed and keeps them when CountPrices proves the table holds exactly those
// (WritePacked for a row the upsert left alone), else calls RepackPrices; PutLines calls
// RepackPrices for the matches it added prices to; migration 5 calls RepackUnpacked once for the
// rows written before the column existed.

#ifndef SUPERBET_LIB_STORE_INTERNAL_PRICE_REPACK_H_
#define SUPERBET_LIB_STORE_INTERNAL_PRICE_REPACK_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "store/internal/db.h"

namespace superbet::store::internal {

// Rebuilds the prices blob of each match of `match_ids` (duplicates allowed; ids without a
// matches_master row are skipped) from its daily_betting_lines rows, ordered by (seq, ts, market,
// selection, bookmaker, line_key, phase): the order LinesOfFile has always returned. A match
// without prices gets an empty list, never NULL. Call inside a transaction.
// Errors: DataLoss for a stored market or selection name that is not an enum name; the
// database's errors.
[[nodiscard]] absl::Status RepackPrices(Db& db, absl::Span<const std::string> match_ids);

// Writes `blobs` (match id, PackPrices of its rows) into matches_master.prices: for a write that
// knows its rows are all the match has (see CountPrices). PostgreSQL: one UPDATE per 64 matches.
[[nodiscard]] absl::Status WritePacked(Db& db,
                                       absl::Span<const std::pair<std::string, std::string>> blobs);

// How many daily_betting_lines rows the matches of `match_ids` (no duplicates) have.
[[nodiscard]] absl::StatusOr<int64_t> CountPrices(Db& db, absl::Span<const std::string> match_ids);

// RepackPrices for every match whose prices are NULL.
[[nodiscard]] absl::Status RepackUnpacked(Db& db);

}  // namespace superbet::store::internal

#endif  // SUPERBET_LIB_STORE_INTERNAL_PRICE_REPACK_H_
