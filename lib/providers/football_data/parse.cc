// football-data.co.uk CSV → canonical Fixture + BettingLine; see
// include/superbet/providers/football_data/football_data.h for the mapping.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "providers/internal/uk_time.h"
#include "spdlog/spdlog.h"
#include "superbet/core/status_macros.h"
#include "superbet/model/decimal_odds.h"
#include "superbet/providers/football_data/csv.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/providers/football_data/text_encoding.h"

namespace superbet::providers::football_data {
namespace {

using superbet::v1::BettingLine;
using superbet::v1::Fixture;
using superbet::v1::Market;
using superbet::v1::Selection;

constexpr absl::string_view kProvider = "football-data";

// Same characters as absl::ascii_isspace (space, \t \n \v \f \r), inlined: every cell is
// trimmed and most have nothing to trim, so the out-of-line absl call per end showed in profiles.
inline bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// absl::StripAsciiWhitespace, inlined.
inline absl::string_view Trim(absl::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && IsAsciiSpace(s[b])) ++b;
  while (e > b && IsAsciiSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// U+00A0 NO-BREAK SPACE in UTF-8 (Windows-1252 0xA0 after decoding).
constexpr absl::string_view kNoBreakSpace = "\xC2\xA0";

// Trim, and leading/trailing no-break spaces too: for names (teams, referee, Div), where an
// edge NBSP is a typographic artefact (E1_0405.csv lines 517-528: "\xa0A Penn" is the referee
// written "A Penn" on lines 128-495 of the same file).
absl::string_view TrimText(absl::string_view s) {
  while (true) {
    const absl::string_view t = Trim(s);
    absl::string_view u = t;
    while (absl::ConsumePrefix(&u, kNoBreakSpace)) {
    }
    while (absl::ConsumeSuffix(&u, kNoBreakSpace)) {
    }
    if (u.size() == s.size()) return u;
    s = u;
  }
}

// ---- Header → column handlers ---------------------------------------------------------------

struct Bookmaker {
  absl::string_view prefix;
  const char* name;
};

// Column prefix → canonical bookmaker name.
constexpr Bookmaker kBookmakers[] = {
    {"B365", "Bet365"},         {"PS", "Pinnacle"},
    {"P", "Pinnacle"},          {"BW", "BetWin"},
    {"IW", "Interwetten"},      {"LB", "Ladbrokes"},
    {"WH", "WilliamHill"},      {"VC", "VCBet"},
    {"GB", "Gamebookers"},      {"SB", "Sportingbet"},
    {"SJ", "StanJames"},        {"SO", "SportingOdds"},
    {"SY", "Stanleybet"},       {"BS", "BlueSquare"},
    {"1XB", "1xBet"},           {"BF", "Betfair"},
    {"BFE", "BetfairExchange"}, {"Max", "market_max"},
    {"BbMx", "market_max"},     {"Avg", "market_average"},
    {"BbAv", "market_average"},
};

struct PriceSuffix {
  absl::string_view suffix;
  Market market;
  Selection selection;
  bool closing;
};

constexpr PriceSuffix kSuffixes[] = {
    {"H", superbet::v1::MARKET_1X2, superbet::v1::SELECTION_HOME, false},
    {"D", superbet::v1::MARKET_1X2, superbet::v1::SELECTION_DRAW, false},
    {"A", superbet::v1::MARKET_1X2, superbet::v1::SELECTION_AWAY, false},
    {"CH", superbet::v1::MARKET_1X2, superbet::v1::SELECTION_HOME, true},
    {"CD", superbet::v1::MARKET_1X2, superbet::v1::SELECTION_DRAW, true},
    {"CA", superbet::v1::MARKET_1X2, superbet::v1::SELECTION_AWAY, true},
    {">2.5", superbet::v1::MARKET_OVER_UNDER, superbet::v1::SELECTION_OVER, false},
    {"O2DOT5", superbet::v1::MARKET_OVER_UNDER, superbet::v1::SELECTION_OVER, false},
    {"<2.5", superbet::v1::MARKET_OVER_UNDER, superbet::v1::SELECTION_UNDER, false},
    {"C>2.5", superbet::v1::MARKET_OVER_UNDER, superbet::v1::SELECTION_OVER, true},
    {"C<2.5", superbet::v1::MARKET_OVER_UNDER, superbet::v1::SELECTION_UNDER, true},
    {"AHH", superbet::v1::MARKET_ASIAN_HANDICAP, superbet::v1::SELECTION_HOME, false},
    {"AHA", superbet::v1::MARKET_ASIAN_HANDICAP, superbet::v1::SELECTION_AWAY, false},
    {"CAHH", superbet::v1::MARKET_ASIAN_HANDICAP, superbet::v1::SELECTION_HOME, true},
    {"CAHA", superbet::v1::MARKET_ASIAN_HANDICAP, superbet::v1::SELECTION_AWAY, true},
};

struct StatColumn {
  absl::string_view column;
  const char* key;
};

constexpr StatColumn kStats[] = {
    {"HS", "home.shots"},
    {"AS", "away.shots"},
    {"HST", "home.shots_on_target"},
    {"AST", "away.shots_on_target"},
    {"HF", "home.fouls"},
    {"AF", "away.fouls"},
    {"HC", "home.corners"},
    {"AC", "away.corners"},
    {"HY", "home.yellow_cards"},
    {"AY", "away.yellow_cards"},
    {"HR", "home.red_cards"},
    {"AR", "away.red_cards"},
    {"HO", "home.offsides"},
    {"AO", "away.offsides"},
    {"HHW", "home.hit_woodwork"},
    {"AHW", "away.hit_woodwork"},
    {"HBP", "home.booking_points"},
    {"ABP", "away.booking_points"},
    {"Attendance", "attendance"},
};

struct PriceCol {
  int column = -1;
  const char* bookmaker = nullptr;
  std::string bookmaker_name;  // `bookmaker` as a std::string, copied into each line as is.
  Market market = superbet::v1::MARKET_UNSPECIFIED;
  Selection selection = superbet::v1::SELECTION_UNSPECIFIED;
  bool closing = false;
  int line_column = -1;  // Asian handicap: the column holding the line.
  bool build = true;     // ParseOptions::build_line's answer: false → validated and counted only.
};

struct StatCol {
  int column = -1;
  std::string key;  // Prepared once per file: the map insert then copies it without a temporary.
};

// What each column of one file means; built once per file from its header.
struct Layout {
  std::vector<std::string> names;
  // The last column that is not a price (fixed columns and statistics): a row with fewer cells
  // than that lacks data that would otherwise read as absent (e.g. a result read as SCHEDULED).
  int last_non_price = -1;
  int div = -1, date = -1, time = -1, home = -1, away = -1;
  int fthg = -1, ftag = -1, ftr = -1, hthg = -1, htag = -1, htr = -1, referee = -1;
  std::vector<StatCol> stats;
  std::vector<PriceCol> prices;
};

int FindColumn(const std::vector<std::string>& names, absl::string_view name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// Matches `name` as <bookmaker prefix><price suffix>; the longest matching prefix wins.
bool MatchPrice(absl::string_view name, PriceCol* out, absl::string_view* prefix) {
  bool found = false;
  size_t best = 0;
  for (const Bookmaker& b : kBookmakers) {
    if (b.prefix.size() <= best || !absl::StartsWith(name, b.prefix)) continue;
    const absl::string_view rest = name.substr(b.prefix.size());
    for (const PriceSuffix& s : kSuffixes) {
      if (rest != s.suffix) continue;
      best = b.prefix.size();
      found = true;
      *prefix = b.prefix;
      out->bookmaker = b.name;
      out->market = s.market;
      out->selection = s.selection;
      out->closing = s.closing;
    }
  }
  return found;
}

int AsianLineColumn(const std::vector<std::string>& names, absl::string_view prefix, bool closing) {
  if (closing) return FindColumn(names, "AHCh");
  const int own = FindColumn(names, absl::StrCat(prefix, "AH"));
  if (own >= 0) return own;
  if (absl::StartsWith(prefix, "Bb")) {
    const int bb = FindColumn(names, "BbAHh");
    if (bb >= 0) return bb;
  }
  return FindColumn(names, "AHh");
}

Layout BuildLayout(const std::vector<absl::string_view>& header, const ParseOptions& options) {
  Layout layout;
  layout.names.reserve(header.size());
  for (absl::string_view h : header) {
    layout.names.emplace_back(Trim(h));
  }
  struct Named {
    absl::string_view name;
    int* slot;
  };
  const Named fixed[] = {
      {"Div", &layout.div},       {"Date", &layout.date},     {"Time", &layout.time},
      {"HomeTeam", &layout.home}, {"AwayTeam", &layout.away}, {"FTHG", &layout.fthg},
      {"FTAG", &layout.ftag},     {"FTR", &layout.ftr},       {"HTHG", &layout.hthg},
      {"HTAG", &layout.htag},     {"HTR", &layout.htr},       {"Referee", &layout.referee}};
  std::vector<bool> used(layout.names.size(), false);
  for (const Named& n : fixed) {
    *n.slot = FindColumn(layout.names, n.name);  // First occurrence wins.
    if (*n.slot >= 0) used[*n.slot] = true;
  }
  for (const StatColumn& s : kStats) {
    const int c = FindColumn(layout.names, s.column);
    if (c >= 0) {
      layout.stats.push_back({c, std::string(s.key)});
      used[c] = true;
    }
  }
  for (size_t i = 0; i < layout.names.size(); ++i) {
    if (used[i]) continue;
    PriceCol p;
    absl::string_view prefix;
    if (!MatchPrice(layout.names[i], &p, &prefix)) continue;
    p.column = static_cast<int>(i);
    p.bookmaker_name = p.bookmaker;
    if (p.market == superbet::v1::MARKET_ASIAN_HANDICAP) {
      p.line_column = AsianLineColumn(layout.names, prefix, p.closing);
    }
    if (options.build_line) {
      BettingLine column;
      column.set_bookmaker(p.bookmaker_name);
      column.set_market(p.market);
      column.set_selection(p.selection);
      column.set_is_closing(p.closing);
      p.build = options.build_line(column);
    }
    layout.prices.push_back(p);
  }
  for (size_t i = 0; i < used.size(); ++i) {
    if (used[i]) layout.last_non_price = static_cast<int>(i);
  }
  return layout;
}

// ---- Cell parsing ----------------------------------------------------------------------------

struct CellError {
  int column = -1;
  std::string value;
  std::string reason;
};

// Non-negative integer of at most 9 digits, surrounding ASCII whitespace allowed.
bool ParseCount(absl::string_view s, int* out) {
  s = Trim(s);
  if (s.empty() || s.size() > 9) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool ParseDigits(absl::string_view s, int* out) {
  if (s.empty() || s.size() > 4) return false;
  return ParseCount(s, out);
}

// Plain decimal "[-]digits[.digits]" with at most 15 significant digits, parsed exactly: the
// mantissa m < 10^15 < 2^53 and 10^k (k <= 22) are both exact doubles, so m / 10^k is the
// correctly rounded value — the same double absl::SimpleAtod (from_chars) returns (Clinger 1990,
// "How to read floating point numbers accurately", the fast path). Anything else (exponent,
// '+', more digits, empty parts, whitespace) → false, and the caller falls back to SimpleAtod.
bool ParsePlainDecimal(absl::string_view s, double* out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) ++i;
  uint64_t m = 0;
  int int_digits = 0, frac_digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++int_digits) {
    m = m * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++frac_digits) {
      m = m * 10 + static_cast<uint64_t>(s[i] - '0');
    }
    if (frac_digits == 0) return false;
  }
  if (i != s.size() || int_digits == 0 || int_digits + frac_digits > 15) return false;
  const double v = static_cast<double>(m) / kPow10[frac_digits];
  *out = negative ? -v : v;
  return true;
}

bool ParseDouble(absl::string_view s, double* out) {
  return ParsePlainDecimal(s, out) || absl::SimpleAtod(s, out);
}

// "dd/mm/yy" or "dd/mm/yyyy" (one-digit day and month accepted).
bool ParseDate(absl::string_view s, absl::CivilDay* out) {
  s = Trim(s);
  const size_t a = s.find('/');
  if (a == absl::string_view::npos) return false;
  const size_t b = s.find('/', a + 1);
  if (b == absl::string_view::npos) return false;
  const absl::string_view ds = s.substr(0, a), ms = s.substr(a + 1, b - a - 1),
                          ys = s.substr(b + 1);
  int d = 0, m = 0, y = 0;
  if (ds.size() > 2 || ms.size() > 2 || (ys.size() != 2 && ys.size() != 4)) return false;
  if (!ParseDigits(ds, &d) || !ParseDigits(ms, &m) || !ParseDigits(ys, &y)) return false;
  if (ys.size() == 2) y += (y < 50) ? 2000 : 1900;
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) return false;  // 31/02 etc.
  *out = day;
  return true;
}

// absl::FormatCivilTime(day) ("YYYY-MM-DD"), written directly for four-digit years (every date
// ParseDate accepts from a two-digit year, and the four-digit ones from 1000 on): the cctz
// formatter costs ~2.4 k instructions a call, a quarter of a row's fixture. Other years go
// through absl.
std::string FormatDay(const absl::CivilDay& day) {
  const int64_t y = day.year();
  if (y < 1000 || y > 9999) return absl::FormatCivilTime(day);
  const int m = day.month(), d = day.day();
  const char out[10] = {static_cast<char>('0' + y / 1000),
                        static_cast<char>('0' + y / 100 % 10),
                        static_cast<char>('0' + y / 10 % 10),
                        static_cast<char>('0' + y % 10),
                        '-',
                        static_cast<char>('0' + m / 10),
                        static_cast<char>('0' + m % 10),
                        '-',
                        static_cast<char>('0' + d / 10),
                        static_cast<char>('0' + d % 10)};
  return std::string(out, sizeof(out));
}

// "hh:mm".
bool ParseTime(absl::string_view s, int* hour, int* minute) {
  s = Trim(s);
  const size_t c = s.find(':');
  if (c == absl::string_view::npos || c == 0 || c > 2 || s.size() - c - 1 != 2) return false;
  if (!ParseDigits(s.substr(0, c), hour) || !ParseDigits(s.substr(c + 1), minute)) return false;
  return *hour < 24 && *minute < 60;
}

// ---- Row → Fixture -------------------------------------------------------------------------

class FileParser {
 public:
  // `consumer` null: every fixture and line is kept in `out`; else each row is handed to it and
  // dropped (StreamSeasonCsv).
  FileParser(const ParseOptions& options, SeasonData* out, const RowConsumer* consumer = nullptr)
      : options_(options), out_(out), consumer_(consumer) {
    source_ = options.source_name.empty() ? "<input>" : options.source_name;
  }

  absl::Status Run(absl::string_view bytes);
  // The physical line of the first non-UTF-8 byte when the file was decoded as Windows-1252.
  void NoteWindows1252(int line) {
    out_->source_encoding = "Windows-1252";
    out_->warnings.push_back(
        absl::StrCat(source_, ":", line, ": not valid UTF-8; the file is decoded as Windows-1252"));
  }

 private:
  absl::string_view Cell(int column) const {
    if (column < 0 || static_cast<size_t>(column) >= fields_.size()) return {};
    return fields_[column];
  }
  std::string ColumnName(int column) const {
    return column >= 0 ? layout_.names[column] : std::string();
  }
  std::string Message(int line, const CellError& e) const {
    return absl::StrCat(source_, ":", line, ": column ", ColumnName(e.column), ": ", e.reason,
                        ", got '", e.value, "'");
  }
  RejectedRow Rejection(int line, const CellError& e) const {
    return RejectedRow{source_, line, ColumnName(e.column), e.value, e.reason};
  }

  bool ParseRequired(int column, absl::string_view what, absl::string_view* out, CellError* err);
  bool ParseScore(int home_col, int away_col, int result_col, bool* present, int* home, int* away,
                  CellError* err);
  bool ParseFixture(Fixture* f, int line, CellError* err);
  // Statistics cells: a bad one is an error in strict mode, dropped and counted in lenient mode.
  bool ParseStatistics(Fixture* f, int line, CellError* err);
  // Rows with fewer cells than the header: false (with the reason) when the row lacks a
  // non-price column or is the file's final record without a line ending (a cut-off row).
  bool CheckRowLength(bool cut_off, CellError* err);
  // Records a rejected row (lenient) or returns the strict-mode error.
  absl::Status RejectRow(int line, const CellError& e);
  // Lenient: rejects a row whose fixture id (league, date, home, away) was seen on an earlier
  // line; strict: fails. Returns true when the row is a duplicate.
  absl::StatusOr<bool> RejectDuplicate(const Fixture& f, int line);
  absl::Status AddLines(const Fixture& f, int line);
  // Handles one bad price: strict → error, lenient → counted and recorded.
  absl::Status BadPrice(int line, CellError e);
  absl::Status HandleSyntaxError(const csv::Reader& reader);

  // Keeps the row's fixture (and its lines, already in out_->lines) or hands them to consumer_.
  absl::Status Emit(Fixture f);

  const ParseOptions& options_;
  SeasonData* out_;
  const RowConsumer* consumer_;
  int fixtures_emitted_ = 0;
  int lines_emitted_ = 0;
  int lines_not_built_ = 0;  // Valid prices of columns build_line declined (all rows).
  // Streaming: out_->lines[0, row_lines_) are the current row's lines; the messages after them are
  // kept from earlier rows so that their strings are reused rather than allocated per price.
  size_t row_lines_ = 0;
  // The message for the next line of the row: appended when every row is kept, else a reused one
  // (each field AddLines writes is set or cleared there; is_live is never set by this parser).
  BettingLine& NewLine() {
    if (consumer_ == nullptr) return out_->lines.emplace_back();
    if (row_lines_ == out_->lines.size()) out_->lines.emplace_back();
    return out_->lines[row_lines_++];
  }
  std::string source_;
  Layout layout_;
  std::vector<absl::string_view> fields_;
  absl::flat_hash_map<std::string, int> first_line_of_id_;  // Fixture id → line first seen.
  std::vector<RejectedRow> pending_cells_;  // Bad statistics cells of the current row (lenient).
};

bool FileParser::ParseRequired(int column, absl::string_view what, absl::string_view* out,
                               CellError* err) {
  *out = TrimText(Cell(column));
  if (!out->empty()) return true;
  *err = {column, std::string(Cell(column)), absl::StrCat("missing ", what)};
  return false;
}

// Goals of one score (full or half time) and its result letter. Both goals empty → absent.
bool FileParser::ParseScore(int home_col, int away_col, int result_col, bool* present, int* home,
                            int* away, CellError* err) {
  const absl::string_view hs = Trim(Cell(home_col));
  const absl::string_view as = Trim(Cell(away_col));
  const absl::string_view rs = Trim(Cell(result_col));
  *present = false;
  if (hs.empty() && as.empty()) {
    if (rs.empty()) return true;
    *err = {result_col, std::string(rs), "result given without goals"};
    return false;
  }
  constexpr absl::string_view kCount = "expected a non-negative integer";
  if (!ParseCount(hs, home)) {
    *err = {home_col, std::string(Cell(home_col)), std::string(kCount)};
    return false;
  }
  if (!ParseCount(as, away)) {
    *err = {away_col, std::string(Cell(away_col)), std::string(kCount)};
    return false;
  }
  *present = true;
  if (rs.empty()) return true;
  const char expected = *home > *away ? 'H' : (*home < *away ? 'A' : 'D');
  if (rs.size() != 1 || rs[0] != expected) {
    *err = {result_col, std::string(rs),
            absl::StrCat("result must be H, D or A and agree with the score ", *home, "-", *away,
                         " (expected ", std::string(1, expected), ")")};
    return false;
  }
  return true;
}

bool FileParser::ParseStatistics(Fixture* f, int line, CellError* err) {
  auto* stats = options_.keep_statistics ? f->mutable_statistics() : nullptr;
  for (const StatCol& s : layout_.stats) {
    const absl::string_view v = Trim(Cell(s.column));
    if (v.empty()) continue;
    int n = 0;
    if (ParseCount(v, &n)) {
      if (options_.keep_statistics) (*stats)[s.key] = n;
      continue;
    }
    const CellError bad{s.column, std::string(Cell(s.column)), "expected a non-negative integer"};
    if (options_.mode == ParseMode::kStrict) {
      *err = bad;
      return false;
    }
    pending_cells_.push_back(Rejection(line, bad));  // Absent; counted if the row is kept.
  }
  return true;
}

bool FileParser::ParseFixture(Fixture* f, int line, CellError* err) {
  absl::string_view date_s, home, away;
  if (!ParseRequired(layout_.date, "date", &date_s, err)) return false;
  absl::CivilDay day;
  if (!ParseDate(date_s, &day)) {
    *err = {layout_.date, std::string(Cell(layout_.date)),
            "expected a date dd/mm/yy or dd/mm/yyyy"};
    return false;
  }
  if (!ParseRequired(layout_.home, "home team", &home, err)) return false;
  if (!ParseRequired(layout_.away, "away team", &away, err)) return false;

  const absl::TimeZone& uk = providers::internal::LondonTimeZone();
  const absl::string_view time_s = Trim(Cell(layout_.time));
  absl::Time kickoff;
  if (time_s.empty()) {
    kickoff = absl::FromCivil(absl::CivilSecond(day), absl::UTCTimeZone());
    f->set_kickoff_time_known(false);
  } else {
    int hour = 0, minute = 0;
    if (!ParseTime(time_s, &hour, &minute)) {
      *err = {layout_.time, std::string(Cell(layout_.time)), "expected a time hh:mm"};
      return false;
    }
    kickoff =
        absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute), uk);
    f->set_kickoff_time_known(true);
  }

  bool ft = false, ht = false;
  int fh = 0, fa = 0, hh = 0, ha = 0;
  if (!ParseScore(layout_.fthg, layout_.ftag, layout_.ftr, &ft, &fh, &fa, err)) return false;
  if (!ParseScore(layout_.hthg, layout_.htag, layout_.htr, &ht, &hh, &ha, err)) return false;

  if (!ParseStatistics(f, line, err)) return false;

  const std::string& league =
      options_.league.empty() ? std::string(TrimText(Cell(layout_.div))) : options_.league;
  f->set_id(absl::StrCat(kProvider, ":", league, ":", FormatDay(day), ":", home, ":", away));
  f->set_provider(std::string(kProvider));
  f->set_competition(league);
  f->set_season(out_->season_label);
  f->mutable_kickoff()->set_seconds(absl::ToUnixSeconds(kickoff));
  f->mutable_home()->set_id(absl::StrCat(kProvider, ":", home));
  f->mutable_home()->set_name(std::string(home));
  f->mutable_away()->set_id(absl::StrCat(kProvider, ":", away));
  f->mutable_away()->set_name(std::string(away));
  f->set_status(ft ? superbet::v1::FIXTURE_STATUS_FINISHED
                   : superbet::v1::FIXTURE_STATUS_SCHEDULED);
  if (ft) {
    f->mutable_full_time()->set_home(fh);
    f->mutable_full_time()->set_away(fa);
  }
  if (ht) {
    f->mutable_half_time()->set_home(hh);
    f->mutable_half_time()->set_away(ha);
  }
  const absl::string_view referee = TrimText(Cell(layout_.referee));
  if (!referee.empty()) f->set_referee(std::string(referee));
  return true;
}

absl::Status FileParser::BadPrice(int line, CellError e) {
  if (options_.mode == ParseMode::kStrict) {
    return absl::InvalidArgumentError(Message(line, e));
  }
  ++out_->stats.prices_rejected;
  out_->rejected_prices.push_back(Rejection(line, e));
  return absl::OkStatus();
}

absl::Status FileParser::AddLines(const Fixture& f, int line) {
  for (const PriceCol& p : layout_.prices) {
    const absl::string_view raw = Cell(p.column);
    const absl::string_view v = Trim(raw);
    if (v.empty()) continue;
    double odds = 0;
    if (!ParseDouble(v, &odds) || !std::isfinite(odds)) {
      SUPERBET_RETURN_IF_ERROR(
          BadPrice(line, {p.column, std::string(raw), "expected decimal odds (a number)"}));
      continue;
    }
    if (odds == 0.0) {  // football-data's "not quoted" marker.
      ++out_->stats.zero_prices_skipped;
      continue;
    }
    if (!(odds > 1.0)) {
      SUPERBET_RETURN_IF_ERROR(
          BadPrice(line, {p.column, std::string(raw), "decimal odds must be > 1"}));
      continue;
    }
    if (odds > model::kMaxDecimalOdds) {  // 1e308 would overflow a P&L to inf.
      SUPERBET_RETURN_IF_ERROR(
          BadPrice(line, {p.column, std::string(raw),
                          absl::StrCat("decimal odds must be <= ", model::kMaxDecimalOdds,
                                       " (kMaxDecimalOdds)")}));
      continue;
    }
    double handicap = 2.5;
    if (p.market == superbet::v1::MARKET_ASIAN_HANDICAP) {
      const absl::string_view ls = Trim(Cell(p.line_column));
      if (ls.empty()) {
        ++out_->stats.ah_prices_without_line;
        continue;
      }
      if (!ParseDouble(ls, &handicap) || !std::isfinite(handicap)) {
        const std::string line_name =
            p.line_column >= 0 ? layout_.names[p.line_column] : std::string("AHh");
        SUPERBET_RETURN_IF_ERROR(
            BadPrice(line, {p.column, std::string(ls),
                            absl::StrCat("Asian handicap price ", v,
                                         " has no numeric line in column ", line_name)}));
        continue;
      }
    }
    if (!p.build) {  // Valid and counted (ParseStats::lines), not built.
      ++lines_not_built_;
      continue;
    }
    BettingLine& l = NewLine();
    l.set_fixture_id(f.id());
    l.set_bookmaker(p.bookmaker_name);
    l.set_market(p.market);
    if (p.market != superbet::v1::MARKET_1X2) {
      l.set_line(handicap);
    } else {
      l.clear_line();  // A reused message may hold an earlier row's line.
    }
    l.set_selection(p.selection);
    l.set_decimal_odds(odds);
    // Field-wise: operator= is CopyFrom (a Clear plus a reflective-free MergeFrom per line).
    google::protobuf::Timestamp* ts = l.mutable_timestamp();
    ts->set_seconds(f.kickoff().seconds());
    ts->set_nanos(f.kickoff().nanos());
    l.set_is_closing(p.closing);
  }
  return absl::OkStatus();
}

absl::Status FileParser::HandleSyntaxError(const csv::Reader& reader) {
  if (options_.mode == ParseMode::kStrict) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ":", reader.error_line(), ": ", reader.error_reason()));
  }
  ++out_->stats.rows_read;
  ++out_->stats.rows_rejected;
  out_->rejected.push_back(
      RejectedRow{source_, reader.error_line(), "", "", reader.error_reason()});
  return absl::OkStatus();
}

absl::Status FileParser::RejectRow(int line, const CellError& e) {
  if (options_.mode == ParseMode::kStrict) return absl::InvalidArgumentError(Message(line, e));
  ++out_->stats.rows_rejected;
  out_->rejected.push_back(Rejection(line, e));
  return absl::OkStatus();
}

bool FileParser::CheckRowLength(bool cut_off, CellError* err) {
  const size_t header = layout_.names.size();
  const size_t n = fields_.size();
  if (n >= header) return true;
  const std::string last = fields_.empty() ? std::string() : std::string(fields_.back());
  if (cut_off) {
    *err = {static_cast<int>(n - 1), last,
            absl::StrCat("row cut off: ", n, " of ", header,
                         " cells and no line ending (the file ends inside this row)")};
    return false;
  }
  if (static_cast<int>(n) <= layout_.last_non_price) {
    *err = {static_cast<int>(n - 1), last,
            absl::StrCat("row has ", n, " of ", header, " cells: no cell for column ",
                         layout_.names[n])};
    return false;
  }
  // A short row may end only between price groups (a bookmaker's 1X2 triple, over/under pair or
  // Asian-handicap pair): a group with a non-empty price before the row's end and a member after
  // it was cut inside, so its last price may be cut too ("5.5" read as "5"). E0_0203.csv's short
  // rows end after a complete group, or inside one whose present cells are empty.
  for (const PriceCol& p : layout_.prices) {
    if (static_cast<size_t>(p.column) >= n || Trim(fields_[p.column]).empty()) continue;
    for (const PriceCol& q : layout_.prices) {
      if (static_cast<size_t>(q.column) < n || q.bookmaker != p.bookmaker || q.market != p.market ||
          q.closing != p.closing || q.line_column != p.line_column) {
        continue;
      }
      *err = {static_cast<int>(n - 1), last,
              absl::StrCat("row has ", n, " of ", header, " cells and ends inside the prices of ",
                           p.bookmaker, ": no cell for column ", layout_.names[q.column],
                           " (its last price may be cut)")};
      return false;
    }
  }
  ++out_->stats.short_rows;  // Lacks trailing price groups only (E0_0203.csv): they are absent.
  return true;
}

absl::StatusOr<bool> FileParser::RejectDuplicate(const Fixture& f, int line) {
  const auto [it, inserted] = first_line_of_id_.try_emplace(f.id(), line);
  if (inserted) return false;
  const CellError e{layout_.date, std::string(Cell(layout_.date)),
                    absl::StrCat("duplicate fixture: same date, home and away team as line ",
                                 it->second, " (", f.home().name(), " v ", f.away().name(), ")")};
  SUPERBET_RETURN_IF_ERROR(RejectRow(line, e));
  ++out_->stats.duplicates_rejected;
  return true;
}

absl::Status FileParser::Emit(Fixture f) {
  ++fixtures_emitted_;
  if (consumer_ == nullptr) {
    out_->fixtures.push_back(std::move(f));
    return absl::OkStatus();
  }
  lines_emitted_ += static_cast<int>(row_lines_);
  absl::Status s = (*consumer_)(f, absl::MakeSpan(out_->lines).first(row_lines_));
  // The messages stay (moved-from ones are empty): the next row's lines overwrite every field
  // AddLines writes (NewLine).
  row_lines_ = 0;
  return s;
}

inline bool IsLineEndChar(char c) { return c == '\n' || c == '\r'; }

bool AllEmpty(const std::vector<absl::string_view>& fields) {
  for (absl::string_view f : fields) {
    if (!Trim(f).empty()) return false;
  }
  return true;
}

absl::Status FileParser::Run(absl::string_view bytes) {
  csv::Reader reader(bytes, csv::LineBreaks::kEndRecord);
  // Header: the first record that is not empty.
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&fields_);
    if (!more.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(source_, ":", reader.error_line(),
                                                     ": unusable header: ", reader.error_reason()));
    }
    if (!*more) {
      return absl::InvalidArgumentError(absl::StrCat(source_, ": empty file (no header row)"));
    }
    if (!AllEmpty(fields_)) break;
  }
  layout_ = BuildLayout(fields_, options_);
  const int header_line = reader.record_line();
  for (const auto& [slot, name] : {std::pair<int, const char*>{layout_.date, "Date"},
                                   {layout_.home, "HomeTeam"},
                                   {layout_.away, "AwayTeam"}}) {
    if (slot < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(source_, ":", header_line, ": header has no column ", name));
    }
  }
  // Capacity: one row per line ending; 70-80 % of the price cells of the real files are filled,
  // so reserving every price column avoids regrowth (each regrowth moves every message). Capped
  // by what the bytes can hold (a row needs >= 10 bytes, a price >= 2) so hostile input cannot
  // make us reserve more than a few times its size.
  // Streaming keeps one row's lines at a time.
  if (consumer_ == nullptr) {
    const size_t est_rows = static_cast<size_t>(std::count(bytes.begin(), bytes.end(), '\n')) + 1;
    out_->fixtures.reserve(std::min(est_rows, bytes.size() / 10 + 1));
    const size_t built = static_cast<size_t>(std::count_if(
        layout_.prices.begin(), layout_.prices.end(), [](const PriceCol& p) { return p.build; }));
    out_->lines.reserve(std::min(est_rows * built, bytes.size() / 2 + 1));
  }

  while (true) {
    absl::StatusOr<bool> more = reader.Next(&fields_);
    if (!more.ok()) {
      SUPERBET_RETURN_IF_ERROR(HandleSyntaxError(reader));
      continue;
    }
    if (!*more) break;
    ++out_->stats.rows_read;
    if (AllEmpty(fields_)) {
      ++out_->stats.empty_rows_skipped;
      continue;
    }
    const int line = reader.record_line();
    const bool cut_off = reader.AtEnd() && !IsLineEndChar(bytes.back());
    Fixture f;
    CellError err;
    pending_cells_.clear();
    if (!CheckRowLength(cut_off, &err) || !ParseFixture(&f, line, &err)) {
      SUPERBET_RETURN_IF_ERROR(RejectRow(line, err));
      continue;
    }
    SUPERBET_ASSIGN_OR_RETURN(const bool duplicate, RejectDuplicate(f, line));
    if (duplicate) continue;
    // The row is kept: its bad statistics cells count (a rejected row counts once, as a row).
    out_->stats.cells_rejected += static_cast<int>(pending_cells_.size());
    for (RejectedRow& r : pending_cells_) out_->rejected_cells.push_back(std::move(r));
    SUPERBET_RETURN_IF_ERROR(AddLines(f, line));
    SUPERBET_RETURN_IF_ERROR(Emit(std::move(f)));
  }
  out_->stats.fixtures = fixtures_emitted_;
  out_->stats.lines =
      (consumer_ == nullptr ? static_cast<int>(out_->lines.size()) : lines_emitted_) +
      lines_not_built_;
  if (consumer_ != nullptr) out_->lines.clear();  // Streaming returns no lines (the header).
  bool london_loaded = false;
  providers::internal::LondonTimeZone(&london_loaded);
  if (!london_loaded) {
    out_->warnings.push_back("time zone Europe/London unavailable: Time read as UTC");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SeasonData> ParseSeasonCsv(absl::string_view bytes, const ParseOptions& options) {
  return StreamSeasonCsv(bytes, options, nullptr);
}

absl::StatusOr<SeasonData> StreamSeasonCsv(absl::string_view bytes, const ParseOptions& options,
                                           const RowConsumer& consumer) {
  SeasonData data;
  data.league = options.league;
  data.season_code = options.season_code;
  data.season_label = SeasonLabel(options.season_code);
  FileParser parser(options, &data, consumer ? &consumer : nullptr);
  size_t first_bad = 0;
  if (IsValidUtf8(bytes, &first_bad)) {
    SUPERBET_RETURN_IF_ERROR(parser.Run(bytes));
    return data;
  }
  // Not UTF-8: the whole file is Windows-1252 (see text_encoding.h). A UTF-8 BOM is dropped
  // first so that it does not become "ï»¿" in the first header name.
  const int line = 1 + static_cast<int>(std::count(bytes.begin(), bytes.begin() + first_bad, '\n'));
  absl::string_view body = bytes;
  absl::ConsumePrefix(&body, "\xEF\xBB\xBF");
  const std::string decoded = DecodeWindows1252(body);
  parser.NoteWindows1252(line);
  SUPERBET_RETURN_IF_ERROR(parser.Run(decoded));
  return data;
}

}  // namespace superbet::providers::football_data
