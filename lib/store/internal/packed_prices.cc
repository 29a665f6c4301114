#include "store/internal/packed_prices.h"

#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"

namespace superbet::store::internal {
namespace {

constexpr uint8_t kFormatVersion = 1;
constexpr uint8_t kHasLine = 1, kIsLive = 2, kIsClosing = 4;

void PutVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutDouble(double d, std::string& out) {
  char bytes[8];
  std::memcpy(bytes, &d, 8);  // Little-endian hosts only (x86-64, aarch64), as the blob format.
  out.append(bytes, 8);
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// A bounds-checked reader over the blob; the first failure sticks.
class Reader {
 public:
  explicit Reader(absl::string_view blob)
      : p_(blob.data()), begin_(blob.data()), end_(p_ + blob.size()) {}
  bool ok() const { return ok_; }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return Fail();
      const uint8_t b = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
    return Fail();
  }
  uint8_t Byte() {
    if (p_ == end_) return static_cast<uint8_t>(Fail());
    return static_cast<uint8_t>(*p_++);
  }
  double Double() {
    if (end_ - p_ < 8) return static_cast<double>(Fail());
    double d;
    std::memcpy(&d, p_, 8);
    p_ += 8;
    return d;
  }
  absl::string_view Bytes(uint64_t n) {
    if (static_cast<uint64_t>(end_ - p_) < n) {
      Fail();
      return {};
    }
    absl::string_view s(p_, static_cast<size_t>(n));
    p_ += n;
    return s;
  }

 private:
  uint64_t Fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }
  const char* p_;
  const char* begin_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace

std::string PackPrices(absl::Span<const PackedPrice> prices) {
  std::vector<absl::string_view> names;
  absl::flat_hash_map<absl::string_view, uint32_t> index;
  std::vector<uint32_t> of_price(prices.size());
  for (size_t i = 0; i < prices.size(); ++i) {
    auto [it, added] = index.try_emplace(prices[i].bookmaker, static_cast<uint32_t>(names.size()));
    if (added) names.push_back(prices[i].bookmaker);
    of_price[i] = it->second;
  }
  std::string out;
  out.reserve(8 + names.size() * 16 + prices.size() * 24);
  out.push_back(static_cast<char>(kFormatVersion));
  PutVarint(names.size(), out);
  for (absl::string_view n : names) {
    PutVarint(n.size(), out);
    out.append(n.data(), n.size());
  }
  PutVarint(prices.size(), out);
  int64_t previous_us = 0;
  for (size_t i = 0; i < prices.size(); ++i) {
    const PackedPrice& p = prices[i];
    PutVarint(of_price[i], out);
    PutVarint(static_cast<uint64_t>(p.market), out);
    PutVarint(static_cast<uint64_t>(p.selection), out);
    out.push_back(static_cast<char>((p.line ? kHasLine : 0) | (p.is_live ? kIsLive : 0) |
                                    (p.is_closing ? kIsClosing : 0)));
    PutVarint(ZigZag(p.ts_us - previous_us), out);
    previous_us = p.ts_us;
    if (p.line) PutDouble(*p.line, out);
    PutDouble(p.decimal_odds, out);
  }
  return out;
}

absl::Status UnpackPrices(absl::string_view blob, absl::string_view fixture_id,
                          absl::Span<const std::string> bookmakers,
                          std::vector<superbet::v1::BettingLine>& out,
                          const std::function<bool(const superbet::v1::BettingLine&)>& keep) {
  Reader in(blob);
  const auto corrupt = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("packed prices of match ", fixture_id, ": ", what,
                                            " at byte ", in.offset(), " of ", blob.size()));
  };
  const uint8_t version = in.Byte();
  if (in.ok() && version != kFormatVersion) {
    return corrupt(absl::StrCat("format version ", version, ", expected ", kFormatVersion));
  }
  const uint64_t n_names = in.Varint();
  if (n_names > blob.size()) return corrupt("bookmaker count larger than the blob");
  absl::InlinedVector<absl::string_view, 16> names;
  absl::InlinedVector<bool, 16> wanted;
  for (uint64_t i = 0; i < n_names && in.ok(); ++i) {
    names.push_back(in.Bytes(in.Varint()));
    bool keep = bookmakers.empty();
    for (const std::string& b : bookmakers) keep = keep || b == names.back();
    wanted.push_back(keep);
  }
  const uint64_t n = in.Varint();
  if (!in.ok()) return corrupt("cut short");
  if (n > blob.size()) return corrupt("price count larger than the blob");
  int64_t us = 0;
  superbet::v1::BettingLine scratch;
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t b = in.Varint();
    const uint64_t market = in.Varint();
    const uint64_t selection = in.Varint();
    const uint8_t flags = in.Byte();
    us += UnZigZag(in.Varint());
    const double line = (flags & kHasLine) ? in.Double() : 0;
    const double odds = in.Double();
    if (!in.ok()) return corrupt(absl::StrCat("cut short in price ", i));
    if (b >= names.size()) return corrupt(absl::StrCat("bookmaker index ", b, " in price ", i));
    if (market > 1000 || !superbet::v1::Market_IsValid(static_cast<int>(market)) ||
        selection > 1000 || !superbet::v1::Selection_IsValid(static_cast<int>(selection))) {
      return corrupt(
          absl::StrCat("unknown market ", market, " or selection ", selection, " in price ", i));
    }
    if (!wanted[b]) continue;
    // Filled in place when every candidate is kept, else in a reused message first.
    superbet::v1::BettingLine& l = keep ? scratch : out.emplace_back();
    l.set_fixture_id(fixture_id.data(), fixture_id.size());
    l.set_bookmaker(names[b].data(), names[b].size());
    l.set_market(static_cast<superbet::v1::Market>(market));
    l.set_selection(static_cast<superbet::v1::Selection>(selection));
    if (flags & kHasLine) {
      l.set_line(line);
    } else {
      l.clear_line();
    }
    l.set_decimal_odds(odds);
    const int64_t seconds = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    l.mutable_timestamp()->set_seconds(seconds);
    l.mutable_timestamp()->set_nanos(static_cast<int32_t>((us - seconds * 1000000) * 1000));
    l.set_is_live((flags & kIsLive) != 0);
    l.set_is_closing((flags & kIsClosing) != 0);
    if (keep && keep(l)) out.push_back(l);
  }
  if (in.offset() != blob.size()) return corrupt("trailing bytes");
  return absl::OkStatus();
}

}  // namespace superbet::store::internal
