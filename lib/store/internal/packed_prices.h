// The prices of one match packed in one blob (matches_master.prices, schema version 5), so that a
// backtest reads a season's fixtures and prices in one indexed query, without a join, a sort or
// a text field per price. The blob is derived data: it is rebuilt from the match's rows of
// daily_betting_lines (the system of record) whenever those rows or the match row change, in the
// same transaction.
//
// Encoding (little-endian, varints as protobuf's base-128 varints):
//   byte    format version (1)
//   varint  number of bookmakers B, then B times: varint length, the name's bytes
//   varint  number of prices N, then N times:
//     varint  bookmaker index (< B)
//     varint  market (superbet.v1.Market number)
//     varint  selection (superbet.v1.Selection number)
//     byte    flags: 1 = has a goals line, 2 = is_live, 4 = is_closing
//     varint  observation time: zigzag of (microseconds since the Unix epoch - the previous
//             price's; the first price's from 0)
//     8 bytes goals line (IEEE 754 double), only with flag 1
//     8 bytes decimal odds (IEEE 754 double)
// Doubles are copied bit for bit, so a price reads back exactly as it was written.

#ifndef SUPERBET_LIB_STORE_INTERNAL_PACKED_PRICES_H_
#define SUPERBET_LIB_STORE_INTERNAL_PACKED_PRICES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "superbet/v1/model.pb.h"

namespace superbet::store::internal {

// One price as daily_betting_lines holds it (the fixture id is the match's).
struct PackedPrice {
  std::string bookmaker;
  superbet::v1::Market market = superbet::v1::MARKET_UNSPECIFIED;
  superbet::v1::Selection selection = superbet::v1::SELECTION_UNSPECIFIED;
  std::optional<double> line;
  double decimal_odds = 0;
  int64_t ts_us = 0;  // Observation time, microseconds since the Unix epoch (UTC).
  bool is_live = false;
  bool is_closing = false;
};

// Encodes `prices` in their order.
std::string PackPrices(absl::Span<const PackedPrice> prices);

// Appends to `out` the prices of `blob` whose bookmaker is in `bookmakers` (every price when it
// is empty) and that `keep` accepts (every one when `keep` is empty), in their packed order, as
// BettingLines of `fixture_id` (timestamp from the microseconds, as the row reader gives it).
// `keep` sees each candidate in a reused message, so a rejected price allocates nothing.
// Errors: DataLoss naming `fixture_id` and the byte offset when the blob is cut short, has another
// format version, or holds an unknown market or selection number or a bookmaker index out of
// range.
[[nodiscard]] absl::Status UnpackPrices(
    absl::string_view blob, absl::string_view fixture_id, absl::Span<const std::string> bookmakers,
    std::vector<superbet::v1::BettingLine>& out,
    const std::function<bool(const superbet::v1::BettingLine&)>& keep = nullptr);

}  // namespace superbet::store::internal

#endif  // SUPERBET_LIB_STORE_INTERNAL_PACKED_PRICES_H_
