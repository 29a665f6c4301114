// football-data.co.uk adapter: season results files (CSV) → canonical superbet.v1.Fixture and
// superbet.v1.BettingLine messages.
//
// Source format: https://www.football-data.co.uk/notes.txt (column legend). One file per league
// and season, e.g. E0_1516.csv = Premier League 2015/16, one row per match, header row first.
// Columns differ between seasons (the adapter is header-driven: it maps each column name to a
// handler once per file and ignores columns it does not know). Observed variations, all handled:
// `Time` only from 2019/20; dates "dd/mm/yy" (e.g. 2002/03) and "dd/mm/yyyy"; a UTF-8 BOM; CRLF,
// LF or CR line ends; rows longer than the header (extra cells are ignored); rows shorter than
// the header by trailing price cells (E0_0203.csv: 112 rows lack B365>2.5/B365<2.5; those prices
// are absent, the row counted in short_rows); rows whose cells are all empty (",,,,,", skipped
// and counted); quoted referee names with commas ("Wiley, A. G."); Windows-1252 bytes
// (E1_0405.csv, below).
//
// Untrusted input, one bad row costs that row only (lenient mode); in strict mode each of these
// fails the call with the same message:
//  * Records never span lines: a quoted field still open at the end of its physical line makes
//    that row malformed ("unterminated quoted field") and reading resumes on the next line (a
//    generic RFC 4180 reader would read the rest of the file into that field; see csv.h).
//  * Field count: a row with fewer cells than the header is malformed when it lacks a cell of a
//    column that is not a price (Date … Referee, statistics: "row has 5 of 13 cells: no cell for
//    column FTHG"; its result would otherwise read as absent), or when it is the file's last
//    record and has no line ending ("row cut off: …", a truncated download cut mid-price), or
//    when it ends inside a bookmaker's price group (1X2 triple, over/under pair, Asian-handicap
//    pair) with a non-empty price before the cut ("ends inside the prices of Betfair: no cell for
//    column BFA"): that last price may itself be cut ("5." of "5.5").
//    Limit: a row cut exactly between two price groups, its last price whole, cannot be told from
//    E0_0203.csv's rows and is kept with its trailing prices absent (counted in short_rows).
//  * Duplicates: a row whose fixture id (league, date, home, away) was produced by an earlier
//    row of the same file is rejected ("duplicate fixture: same date, home and away team as line
//    N (Home v Away)"), counted in rows_rejected and duplicates_rejected; the first is kept.
//    Duplicates across files (the same season loaded twice) are not checked here.
//  * A bad statistics cell (not a non-negative integer, e.g. Attendance "12,345") costs that
//    cell: the statistic is absent, counted in cells_rejected and listed in rejected_cells; the
//    fixture, its result and prices are kept.
//  * Bad prices: below.
//
// Text encoding: every string produced is valid UTF-8. A file that is not valid UTF-8 is decoded,
// as a whole, as Windows-1252 (text_encoding.h); SeasonData::source_encoding says which, and a
// warning names the line of the first non-UTF-8 byte (E1_0405.csv:517, referee "\xa0A Penn").
// Team names, referee and Div are trimmed of ASCII whitespace and of leading/trailing U+00A0
// no-break spaces (so "\xa0A Penn" is "A Penn", as the same referee is written elsewhere in the
// file); inner no-break spaces are kept.
//
// Mapping to superbet.v1.Fixture:
//  * id "football-data:<league>:<yyyy-mm-dd>:<HomeTeam>:<AwayTeam>" (the file has no match ids;
//    a team plays at most once a day); provider "football-data"; competition = the league code
//    (options.league, else the row's `Div`); season = SeasonLabel(season_code) ("2015/16").
//  * kickoff: `Date` + `Time` read as UK local time (Europe/London, loaded once with
//    absl::LoadTimeZone) and converted to UTC, kickoff_time_known = true. If the zone cannot be
//    loaded the time is read as UTC and SeasonData::warnings says so. Without a `Time` cell:
//    00:00 UTC of the date, kickoff_time_known = false. Two-digit years: yy < 50 → 20yy, else 19yy.
//  * home/away: Team{id "football-data:<name>", name}, names as in the file (trimmed, above).
//  * status FINISHED when FTHG and FTAG are present (full_time set), SCHEDULED when both are
//    empty; half_time from HTHG/HTAG when both are present; referee when non-empty.
//  * statistics (only for non-empty cells; an absent key means "not provided", never 0):
//    HS/AS → "home.shots"/"away.shots", HST/AST → "*.shots_on_target", HF/AF → "*.fouls",
//    HC/AC → "*.corners", HY/AY → "*.yellow_cards", HR/AR → "*.red_cards", HO/AO → "*.offsides",
//    HHW/AHW → "*.hit_woodwork", HBP/ABP → "*.booking_points", Attendance → "attendance".
//  * Row validation (a failure makes the row malformed): Date, HomeTeam, AwayTeam non-empty;
//    Date a real calendar date; Time "hh:mm"; goals non-negative integers; FTHG and FTAG both
//    present or both empty (same for HTHG/HTAG); FTR/HTR, when present, one of H/D/A, agreeing
//    with the goals (and requiring them); the field count and duplicates (above). Statistics
//    cells are validated one by one (above).
//
// Mapping to superbet.v1.BettingLine — one line per non-empty price cell, in column order within a
// row, rows in file order. A price column is <BK><suffix> with
//    suffix H/D/A → MARKET_1X2 HOME/DRAW/AWAY; CH/CD/CA → the same, is_closing = true;
//    >2.5 / <2.5 → MARKET_OVER_UNDER OVER/UNDER line 2.5; C>2.5 / C<2.5 → closing;
//    AHH/AHA → MARKET_ASIAN_HANDICAP HOME/AWAY; CAHH/CAHA → closing.
//  and bookmaker prefix BK: B365 Bet365, PS and P Pinnacle, BW BetWin, IW Interwetten, LB
//  Ladbrokes, WH WilliamHill, VC VCBet, GB Gamebookers, SB Sportingbet, SJ StanJames, SO
//  SportingOdds, SY Stanleybet, BS BlueSquare, 1XB 1xBet, BF Betfair, BFE BetfairExchange, Max and
//  BbMx market_max, Avg and BbAv market_average. B365O2DOT5 (E0_2223, where it stands in the place
//  of B365>2.5 and holds over-2.5 prices) is read as B365>2.5.
//  * Asian handicap `line` (home side's handicap): from the column <BK>AH when the file has it
//    (GBAH, LBAH, B365AH in 2003/04-2004/05), else BbAHh for BbMx/BbAv, else AHh; closing prices
//    use AHCh. An AH price whose line cell is empty gives no line and is counted in
//    ah_prices_without_line (E0_0304.csv lines 103-111 carry a GBAHH price but no GBAH: the row
//    is shifted by one cell in football-data's file); a line cell that is not a number makes the
//    price a bad price (below).
//  * timestamp = the fixture's kickoff (football-data does not say when prices were taken; the
//    opening prices were collected before the match, the closing ones just before kickoff).
//  * Ignored: count columns (Bb1X2, BbOU, BbAH), Div, Time-free/unknown columns, HTR beyond the
//  check.
//  * Bad price: not a number, not finite, <= 1.0 (including a negative value), e.g. 0.97, or
//    above superbet::model::kMaxDecimalOdds = 1000 (e.g. 1e308, which would make a P&L inf/NaN:
//    "decimal odds must be <= 1000 (kMaxDecimalOdds)"); 1000 itself is accepted.
//    Strict: the call fails. Lenient: the price is dropped, counted in prices_rejected and
//    listed in SeasonData::rejected_prices; the fixture and its other prices are kept. Exception: a
//    price cell that is exactly zero ("0") is football-data's "not quoted" marker (E0_2122 has
//    B365C>2.5 = B365C<2.5 = 0 on one row): it is treated like an empty cell (no line) and counted
//    in zero_prices_skipped.
//
// Error messages: "<source_name>:<line>: column <name>: <reason>, got '<value>'", with the
// 1-based physical line of the row (the header is line 1); CSV syntax errors:
// "<source_name>:<line>: <reason>". Every rejection (row, price, cell) is kept in SeasonData with
// its file, line, column, value and reason.

#ifndef SUPERBET_PROVIDERS_FOOTBALL_DATA_FOOTBALL_DATA_H_
#define SUPERBET_PROVIDERS_FOOTBALL_DATA_FOOTBALL_DATA_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "superbet/v1/model.pb.h"

namespace superbet::providers::football_data {

enum class ParseMode {
  kStrict,   // The first malformed row or bad price fails the whole call.
  kLenient,  // Malformed rows are skipped and bad prices dropped; both are counted and recorded.
};

struct ParseOptions {
  ParseMode mode = ParseMode::kLenient;
  std::string source_name;  // File name used in messages ("E0_1516.csv"); "<input>" when empty.
  std::string league;       // "E0"; when empty each row's `Div` cell is used as competition.
  std::string season_code;  // "1516"; may be empty (Fixture::season is then empty).
  // Which price columns become BettingLines. Called once per price column of the header with a
  // line holding that column's bookmaker, market, selection and is_closing (no fixture, odds or
  // handicap): false means the column's prices are still validated, rejected and counted
  // (ParseStats, rejected_prices, strict-mode errors exactly as without the filter, and
  // ParseStats::lines counts them) but no message is built for them. Null: every column. Lets a
  // caller that reads a few bookmakers skip building the other ~90 % of the lines.
  std::function<bool(const superbet::v1::BettingLine& column)> build_line;
  // false: statistics cells are validated, rejected and counted as usual but not stored
  // (Fixture::statistics stays empty).
  bool keep_statistics = true;
};

// One skipped row (or, in SeasonData::rejected_prices, one dropped price).
struct RejectedRow {
  std::string file;    // options.source_name.
  int line = 0;        // 1-based physical line; the header is line 1.
  std::string column;  // Header name of the offending cell; empty for CSV syntax errors.
  std::string value;   // The offending cell's text.
  std::string reason;  // "expected a non-negative integer", "decimal odds must be > 1", ...
};

struct ParseStats {
  int rows_read = 0;            // Data records after the header, including empty and rejected ones.
  int fixtures = 0;             // Fixtures produced.
  int rows_rejected = 0;        // Rows skipped (lenient mode): malformed, cut off or duplicate.
  int duplicates_rejected = 0;  // Of rows_rejected: repeats of an earlier row's fixture id.
  int empty_rows_skipped = 0;   // Records whose cells are all empty.
  int short_rows = 0;           // Rows lacking only trailing price cells (kept; prices absent).
  int cells_rejected = 0;       // Bad statistics cells dropped in lenient mode (fixture kept).
  int prices_rejected = 0;      // Individual bad non-empty prices dropped in lenient mode.
  int lines = 0;                // BettingLines produced (with ParseOptions::build_line: the valid
                                // prices of every column, built or not).
  int zero_prices_skipped = 0;  // Price cells equal to 0 (football-data's "not quoted"), no line.
  int ah_prices_without_line = 0;  // Asian handicap prices whose line cell is empty, no line.
};

struct SeasonData {
  std::string league;                            // "E0".
  std::string season_code;                       // "1516".
  std::string season_label;                      // "2015/16".
  std::vector<superbet::v1::Fixture> fixtures;   // File order.
  std::vector<superbet::v1::BettingLine> lines;  // File order (row, then column).
  ParseStats stats;
  std::vector<RejectedRow> rejected;         // Skipped rows (lenient mode), file order.
  std::vector<RejectedRow> rejected_prices;  // Dropped prices (lenient mode), file order.
  std::vector<RejectedRow> rejected_cells;   // Dropped statistics cells (lenient), file order.
  std::string source_encoding = "UTF-8";     // "UTF-8", or "Windows-1252" (text_encoding.h).
  std::vector<std::string> warnings;         // Degraded modes, e.g. time-zone fallback to UTC.
};

// Parses one season file. `bytes` is the whole file.
//
// Strict: the first malformed, cut-off or duplicate row, bad statistics cell or bad price →
//   InvalidArgument "E0_1516.csv:17: column FTHG: expected a non-negative integer, got 'x'".
// Lenient: a malformed, cut-off or duplicate row is skipped, counted in rows_rejected and
// recorded in `rejected` (earlier and later rows are kept); a bad statistics cell or price is
// dropped, counted and recorded (see file comment). A file that is not UTF-8 is decoded as
// Windows-1252 in both modes (not an error).
// Both modes: InvalidArgument naming the file and column when the header is unusable: an empty
// input, or no Date/HomeTeam/AwayTeam column ("E0_1516.csv:1: header has no column HomeTeam").
// Thread-safe (no shared mutable state apart from the once-loaded time zone).
[[nodiscard]] absl::StatusOr<SeasonData> ParseSeasonCsv(absl::string_view bytes,
                                                        const ParseOptions& options);

// Receives one parsed row: its fixture and that fixture's lines (column order). The references
// are valid during the call only. The fixture and the lines are the parser's own copies, not read
// after the call: the consumer may move from them (a consumer taking `const Fixture&` and
// `absl::Span<const BettingLine>` fits too). A non-OK status stops the parse and is returned as is.
using RowConsumer = std::function<absl::Status(superbet::v1::Fixture& fixture,
                                               absl::Span<superbet::v1::BettingLine> lines)>;

// As ParseSeasonCsv, but streaming: each accepted row's fixture and lines go to `consumer` as soon
// as the row is parsed and are not kept, so the returned SeasonData has empty `fixtures` and
// `lines` while its stats (fixtures, lines included), rejections and warnings are filled as
// usual. Memory: one row's messages, the rejections and one fixture id per row (duplicate check),
// plus a Windows-1252 file's decoded copy. A null `consumer` behaves as ParseSeasonCsv.
// Errors: as ParseSeasonCsv; the first non-OK status returned by `consumer`.
[[nodiscard]] absl::StatusOr<SeasonData> StreamSeasonCsv(absl::string_view bytes,
                                                         const ParseOptions& options,
                                                         const RowConsumer& consumer);

// As StreamSeasonFile(path, options.mode, consumer), with the rest of `options` (build_line,
// keep_statistics) applied; source_name, league and season_code are taken from `path` as there.
[[nodiscard]] absl::StatusOr<SeasonData> StreamSeasonFile(const std::string& path,
                                                          ParseOptions options,
                                                          const RowConsumer& consumer);

// Reads and parses the file at `path`, named <league>_<season>.csv ("E0_1516.csv"); league and
// season code are taken from the file name (when the name does not have that shape, league is
// the name without ".csv" and the season code is empty).
// Errors: NotFound (naming the path) when the file is absent; as ParseSeasonCsv.
[[nodiscard]] absl::StatusOr<SeasonData> LoadSeasonFile(const std::string& path, ParseMode mode);

// As LoadSeasonFile, streaming each row to `consumer` (see StreamSeasonCsv). The file's bytes are
// held in memory during the call.
// Errors: as LoadSeasonFile; the first non-OK status returned by `consumer`.
[[nodiscard]] absl::StatusOr<SeasonData> StreamSeasonFile(const std::string& path, ParseMode mode,
                                                          const RowConsumer& consumer);

// Season codes ("0001" … "2425") for which <data_root>/football-data/<league>_<code>.csv exists,
// sorted chronologically by start year (YY >= 50 → 19YY, so "9900" sorts before "0001").
// Errors: NotFound when the folder is absent or holds no file of that league.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> FindSeasons(const std::string& data_root,
                                                                   const std::string& league);

// Loads the given seasons in the given order (all found by FindSeasons when `seasons` is empty).
// Errors: NotFound naming the missing file; the first parse error (strict mode).
[[nodiscard]] absl::StatusOr<std::vector<SeasonData>> LoadLeague(
    const std::string& data_root, const std::string& league,
    const std::vector<std::string>& seasons, ParseMode mode);

// "1516" → "2015/16", "9900" → "1999/00" (YY >= 50 → 19YY). Anything that is not four digits → "".
std::string SeasonLabel(absl::string_view season_code);

// The URL football-data.co.uk serves a season at:
// "https://www.football-data.co.uk/mmz4281/<code>/<league>.csv".
std::string SeasonUrl(absl::string_view league, absl::string_view season_code);

// Downloads SeasonUrl(league, season_code) with libcurl into
// <cache_dir>/football-data/<league>_<season_code>.csv (folders created; file written atomically).
// Connect timeout 5 s, total 30 s. Not exercised by tests (no network here).
// Errors: InvalidArgument for a league/season that is not [A-Za-z0-9]+ / four digits;
// Unavailable with curl's message and the URL on a transfer error or an HTTP status >= 400
// (NotFound for 404); Internal when the folder or file cannot be written.
// Thread-safe once curl is initialised (done on first call, guarded).
[[nodiscard]] absl::Status DownloadSeason(const std::string& league, const std::string& season_code,
                                          const std::string& cache_dir);

}  // namespace superbet::providers::football_data

#endif  // SUPERBET_PROVIDERS_FOOTBALL_DATA_FOOTBALL_DATA_H_
