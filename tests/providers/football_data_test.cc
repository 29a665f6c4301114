// Tests of the football-data.co.uk adapter
// (include/superbet/providers/football_data/football_data.h) on the real season files in
// ../shared/data/football-data.
//
// Oracles: the cells of the files themselves, read by eye (and with Python's csv module) when the
// test was written; UK summer time (BST = UTC+1) and winter time (GMT = UTC) by hand; the per-file
// fixture and price counts printed by bench/csv_ingest_baseline.py --counts, an independent Python
// implementation of the same mapping.

#include "superbet/providers/football_data/football_data.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "support/test_data.h"

namespace fd = superbet::providers::football_data;
using google::protobuf::util::MessageDifferencer;
using superbet::v1::BettingLine;
using superbet::v1::Fixture;

namespace {

std::string FdPath(const std::string& file) {
  return superbet::testing::DataPath("football-data/" + file);
}

fd::SeasonData MustLoad(const std::string& file, fd::ParseMode mode = fd::ParseMode::kStrict) {
  auto r = fd::LoadSeasonFile(FdPath(file), mode);
  INFO(file << ": " << r.status().ToString());
  REQUIRE(r.ok());
  return *std::move(r);
}

int64_t UtcSeconds(int y, int mo, int d, int h, int mi) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone()));
}

// The single line of `fixture_id` with these attributes; fails the test when not exactly one.
const BettingLine& FindLine(const fd::SeasonData& s, const std::string& fixture_id,
                            const std::string& bookmaker, superbet::v1::Market market,
                            superbet::v1::Selection selection, bool closing) {
  const BettingLine* found = nullptr;
  int n = 0;
  for (const BettingLine& l : s.lines) {
    if (l.fixture_id() == fixture_id && l.bookmaker() == bookmaker && l.market() == market &&
        l.selection() == selection && l.is_closing() == closing) {
      found = &l;
      ++n;
    }
  }
  INFO(fixture_id << " " << bookmaker << " market " << market << " sel " << selection);
  REQUIRE(n == 1);
  return *found;
}

int CountLines(const fd::SeasonData& s, const std::string& fixture_id,
               const std::string& bookmaker) {
  int n = 0;
  for (const BettingLine& l : s.lines) {
    n += (l.fixture_id() == fixture_id && l.bookmaker() == bookmaker);
  }
  return n;
}

// A small file in the 2019/20+ layout for malformed-input tests.
constexpr char kHeader[] =
    "Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,FTR,HS,AS,B365H,B365D,B365A\n";
constexpr char kRow1[] = "E0,16/08/2024,20:00,Man United,Fulham,1,0,H,14,10,1.6,4.2,5.25\n";
constexpr char kRow3[] = "E0,17/08/2024,15:00,Arsenal,Wolves,2,0,H,18,9,1.2,7,13\n";

fd::ParseOptions Options(fd::ParseMode mode) {
  fd::ParseOptions o;
  o.mode = mode;
  o.source_name = "E0_2425.csv";
  o.league = "E0";
  o.season_code = "2425";
  return o;
}

absl::Status StrictError(const std::string& bytes) {
  auto r = fd::ParseSeasonCsv(bytes, Options(fd::ParseMode::kStrict));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  return r.status();
}

}  // namespace

TEST_CASE("football-data: every real season parses strictly, 380 fixtures, no rejects",
          "[football_data]") {
  // Expected counts from `python3 bench/csv_ingest_baseline.py --counts`.
  const std::vector<std::pair<std::string, int>> expected_lines = {
      {"0001", 5535},  {"0102", 6363},  {"0203", 9201},  {"0304", 11657}, {"0405", 11732},
      {"0506", 15580}, {"0607", 15577}, {"0708", 16399}, {"0809", 16717}, {"0910", 16720},
      {"1011", 16720}, {"1112", 16720}, {"1213", 17854}, {"1314", 15540}, {"1415", 14557},
      {"1516", 14437}, {"1617", 14440}, {"1718", 14440}, {"1819", 13300}, {"1920", 30400},
      {"2021", 30400}, {"2122", 30386}, {"2223", 30396}, {"2324", 29234}, {"2425", 34280}};
  auto league = fd::LoadLeague(superbet::testing::DataDir(), "E0", {}, fd::ParseMode::kStrict);
  INFO(league.status().ToString());
  REQUIRE(league.ok());
  REQUIRE(league->size() == expected_lines.size());
  for (size_t i = 0; i < league->size(); ++i) {
    const fd::SeasonData& s = (*league)[i];
    INFO(s.season_code);
    CHECK(s.season_code == expected_lines[i].first);
    CHECK(s.league == "E0");
    CHECK(s.fixtures.size() == 380);
    CHECK(s.stats.fixtures == 380);
    CHECK(s.stats.rows_rejected == 0);
    CHECK(s.rejected.empty());
    CHECK(s.stats.prices_rejected == 0);
    CHECK(s.stats.lines == expected_lines[i].second);
    CHECK(s.lines.size() == static_cast<size_t>(expected_lines[i].second));
    CHECK(s.stats.empty_rows_skipped == (s.season_code == "1415" ? 1 : 0));
    CHECK(s.stats.rows_read == 380 + s.stats.empty_rows_skipped);
    CHECK(s.warnings.empty());
    for (const Fixture& f : s.fixtures) {
      REQUIRE(f.status() == superbet::v1::FIXTURE_STATUS_FINISHED);
      REQUIRE(f.has_full_time());
      REQUIRE(f.season() == s.season_label);
    }
  }
  CHECK((*league)[0].season_label == "2000/01");
  CHECK((*league)[24].season_label == "2024/25");
}

TEST_CASE("football-data: E0_1516 first row, Bournemouth 0-1 Aston Villa", "[football_data]") {
  const fd::SeasonData s = MustLoad("E0_1516.csv");
  CHECK(s.season_label == "2015/16");
  const Fixture& f = s.fixtures.front();
  CHECK(f.id() == "football-data:E0:2015-08-08:Bournemouth:Aston Villa");
  CHECK(f.provider() == "football-data");
  CHECK(f.competition() == "E0");
  CHECK(f.season() == "2015/16");
  CHECK(f.home().id() == "football-data:Bournemouth");
  CHECK(f.home().name() == "Bournemouth");
  CHECK(f.away().name() == "Aston Villa");
  CHECK_FALSE(f.kickoff_time_known());  // No Time column before 2019/20.
  CHECK(f.kickoff().seconds() == UtcSeconds(2015, 8, 8, 0, 0));
  CHECK(f.full_time().home() == 0);
  CHECK(f.full_time().away() == 1);
  REQUIRE(f.has_half_time());
  CHECK(f.half_time().home() == 0);
  CHECK(f.referee() == "M Clattenburg");
  CHECK(f.statistics().at("home.shots") == 11);
  CHECK(f.statistics().at("away.shots") == 7);
  CHECK(f.statistics().at("home.corners") == 6);
  CHECK(f.statistics().at("away.yellow_cards") == 4);
  CHECK(f.statistics().at("home.red_cards") == 0);  // Present zero, not absent.
  CHECK(f.statistics().count("attendance") == 0);   // No Attendance column in 2015/16.
  CHECK(f.statistics().count("home.offsides") == 0);

  using superbet::v1::MARKET_1X2;
  const BettingLine& b365h =
      FindLine(s, f.id(), "Bet365", MARKET_1X2, superbet::v1::SELECTION_HOME, false);
  CHECK(b365h.decimal_odds() == 2.0);
  CHECK_FALSE(b365h.has_line());
  CHECK(b365h.timestamp().seconds() == f.kickoff().seconds());
  const BettingLine& psch =
      FindLine(s, f.id(), "Pinnacle", MARKET_1X2, superbet::v1::SELECTION_HOME, true);
  CHECK(psch.decimal_odds() == 1.82);
  CHECK(FindLine(s, f.id(), "Pinnacle", MARKET_1X2, superbet::v1::SELECTION_HOME, false)
            .decimal_odds() == 1.95);
  // Bb columns: BbAHh -0.5, BbMxAHH 1.98, BbAvAHA 1.92; BbAv>2.5 2.02, BbMx<2.5 1.88.
  const BettingLine& ah = FindLine(s, f.id(), "market_max", superbet::v1::MARKET_ASIAN_HANDICAP,
                                   superbet::v1::SELECTION_HOME, false);
  CHECK(ah.line() == -0.5);
  CHECK(ah.decimal_odds() == 1.98);
  CHECK(FindLine(s, f.id(), "market_average", superbet::v1::MARKET_ASIAN_HANDICAP,
                 superbet::v1::SELECTION_AWAY, false)
            .decimal_odds() == 1.92);
  const BettingLine& over = FindLine(s, f.id(), "market_average", superbet::v1::MARKET_OVER_UNDER,
                                     superbet::v1::SELECTION_OVER, false);
  CHECK(over.line() == 2.5);
  CHECK(over.decimal_odds() == 2.02);
  CHECK(FindLine(s, f.id(), "market_max", superbet::v1::MARKET_OVER_UNDER,
                 superbet::v1::SELECTION_UNDER, false)
            .decimal_odds() == 1.88);
  // 7 bookmakers x 3 + Bb max/avg 1X2 6 + O/U 4 + AH 4 + PSC 3 = 38 prices on the row.
  int first = 0;
  for (const BettingLine& l : s.lines) first += (l.fixture_id() == f.id());
  CHECK(first == 38);
  // Last row: Man United 3-1 Bournemouth on 17/05/16.
  CHECK(s.fixtures.back().id() == "football-data:E0:2016-05-17:Man United:Bournemouth");
}

TEST_CASE("football-data: E0_2425 (BOM) Man United v Fulham, 20:00 BST = 19:00 UTC",
          "[football_data]") {
  const fd::SeasonData s = MustLoad("E0_2425.csv");
  const Fixture& f = s.fixtures.front();
  CHECK(f.id() == "football-data:E0:2024-08-16:Man United:Fulham");
  CHECK(f.kickoff_time_known());
  CHECK(f.kickoff().seconds() == UtcSeconds(2024, 8, 16, 19, 0));
  CHECK(f.referee() == "R Jones");
  using superbet::v1::MARKET_1X2;
  CHECK(FindLine(s, f.id(), "Bet365", MARKET_1X2, superbet::v1::SELECTION_HOME, false)
            .decimal_odds() == 1.6);
  CHECK(FindLine(s, f.id(), "Bet365", MARKET_1X2, superbet::v1::SELECTION_DRAW, false)
            .decimal_odds() == 4.2);
  CHECK(FindLine(s, f.id(), "Bet365", MARKET_1X2, superbet::v1::SELECTION_AWAY, false)
            .decimal_odds() == 5.25);
  CHECK(FindLine(s, f.id(), "1xBet", MARKET_1X2, superbet::v1::SELECTION_HOME, false)
            .decimal_odds() == 1.68);
  CHECK(FindLine(s, f.id(), "Betfair", MARKET_1X2, superbet::v1::SELECTION_DRAW, false)
            .decimal_odds() == 4.33);
  CHECK(FindLine(s, f.id(), "market_average", MARKET_1X2, superbet::v1::SELECTION_HOME, true)
            .decimal_odds() == 1.66);
  // AHh -1: B365AHH 2.05; closing AHCh -0.75: B365CAHH 1.86, BFECAHA 2.08.
  const BettingLine& ah = FindLine(s, f.id(), "Bet365", superbet::v1::MARKET_ASIAN_HANDICAP,
                                   superbet::v1::SELECTION_HOME, false);
  CHECK(ah.line() == -1.0);
  CHECK(ah.decimal_odds() == 2.05);
  const BettingLine& cah = FindLine(s, f.id(), "Bet365", superbet::v1::MARKET_ASIAN_HANDICAP,
                                    superbet::v1::SELECTION_HOME, true);
  CHECK(cah.line() == -0.75);
  CHECK(cah.decimal_odds() == 1.86);
  CHECK(FindLine(s, f.id(), "BetfairExchange", superbet::v1::MARKET_ASIAN_HANDICAP,
                 superbet::v1::SELECTION_AWAY, true)
            .decimal_odds() == 2.08);
  // BFE>2.5 1.59; PC<2.5 2.38 (Pinnacle closing).
  CHECK(FindLine(s, f.id(), "BetfairExchange", superbet::v1::MARKET_OVER_UNDER,
                 superbet::v1::SELECTION_OVER, false)
            .decimal_odds() == 1.59);
  CHECK(FindLine(s, f.id(), "Pinnacle", superbet::v1::MARKET_OVER_UNDER,
                 superbet::v1::SELECTION_UNDER, true)
            .decimal_odds() == 2.38);
}

TEST_CASE("football-data: winter kickoff is GMT (E0_1920 Boxing Day 12:30 = 12:30 UTC)",
          "[football_data]") {
  const fd::SeasonData s = MustLoad("E0_1920.csv");
  // Line 181: 26/12/2019, 12:30, Tottenham 2-1 Brighton. Row index = line - 2.
  const Fixture& f = s.fixtures[181 - 2];
  CHECK(f.id() == "football-data:E0:2019-12-26:Tottenham:Brighton");
  CHECK(f.kickoff().seconds() == UtcSeconds(2019, 12, 26, 12, 30));
  // First row 09/08/2019 20:00 BST Liverpool v Norwich → 19:00 UTC.
  CHECK(s.fixtures[0].kickoff().seconds() == UtcSeconds(2019, 8, 9, 19, 0));
}

TEST_CASE("football-data: 2002/03 dd/mm/yy dates and Sporting Odds prices", "[football_data]") {
  const fd::SeasonData s = MustLoad("E0_0203.csv");
  const Fixture& f = s.fixtures.front();  // 17/08/02 Blackburn 0-0 Sunderland.
  CHECK(f.id() == "football-data:E0:2002-08-17:Blackburn:Sunderland");
  CHECK(f.kickoff().seconds() == UtcSeconds(2002, 8, 17, 0, 0));
  CHECK(f.full_time().home() == 0);
  CHECK(FindLine(s, f.id(), "Bet365", superbet::v1::MARKET_1X2, superbet::v1::SELECTION_HOME, false)
            .decimal_odds() == 1.727);
  CHECK(FindLine(s, f.id(), "SportingOdds", superbet::v1::MARKET_1X2, superbet::v1::SELECTION_AWAY,
                 false)
            .decimal_odds() == 3.75);
  CHECK(FindLine(s, f.id(), "Gamebookers", superbet::v1::MARKET_OVER_UNDER,
                 superbet::v1::SELECTION_OVER, false)
            .decimal_odds() == 1.82);
  // B365>2.5 and B365<2.5 are empty on this row: no Bet365 O/U line.
  CHECK(CountLines(s, f.id(), "Bet365") == 3);
  // The last row in 2003 (11/05/03 West Brom 2-2 Newcastle).
  CHECK(s.fixtures.back().id() == "football-data:E0:2003-05-11:West Brom:Newcastle");
}

TEST_CASE("football-data: 2003/04 per-bookmaker Asian handicap lines (GBAH, B365AH)",
          "[football_data]") {
  const fd::SeasonData s = MustLoad("E0_0304.csv");
  const Fixture& f = s.fixtures.front();  // 16/08/03 Arsenal 2-1 Everton.
  CHECK(f.id() == "football-data:E0:2003-08-16:Arsenal:Everton");
  const BettingLine& gb = FindLine(s, f.id(), "Gamebookers", superbet::v1::MARKET_ASIAN_HANDICAP,
                                   superbet::v1::SELECTION_HOME, false);
  CHECK(gb.line() == -1.25);
  CHECK(gb.decimal_odds() == 1.9);
  const BettingLine& b365 = FindLine(s, f.id(), "Bet365", superbet::v1::MARKET_ASIAN_HANDICAP,
                                     superbet::v1::SELECTION_AWAY, false);
  CHECK(b365.line() == -1.25);
  CHECK(b365.decimal_odds() == 1.925);
  // Lines 103-111 have a GBAHH price but no GBAH line (the row is shifted in the source file).
  CHECK(s.stats.ah_prices_without_line == 9);
}

TEST_CASE("football-data: 2001/02 quoted referee, attendance, offsides, booking points",
          "[football_data]") {
  const fd::SeasonData s = MustLoad("E0_0102.csv");
  const Fixture& first = s.fixtures.front();  // 18/08/01 Charlton 1-2 Everton.
  CHECK(first.statistics().at("attendance") == 20451);
  CHECK(first.statistics().at("home.offsides") == 2);
  CHECK(first.statistics().at("away.booking_points") == 30);
  CHECK(first.statistics().at("home.hit_woodwork") == 0);
  CHECK(first.referee() == "N. S. Barry");
  CHECK(CountLines(s, first.id(), "Gamebookers") == 0);  // GBH/GBD/GBA empty.
  CHECK(FindLine(s, first.id(), "Stanleybet", superbet::v1::MARKET_1X2,
                 superbet::v1::SELECTION_HOME, false)
            .decimal_odds() == 2.0);
  const Fixture& quoted = s.fixtures[171 - 2];  // Line 171: "Wiley, A. G." in quotes.
  CHECK(quoted.id() == "football-data:E0:2001-12-22:Charlton:Blackburn");
  CHECK(quoted.referee() == "Wiley, A. G.");
  CHECK(quoted.statistics().at("attendance") == 25857);
}

TEST_CASE("football-data: zero prices (E0_2122) and B365O2DOT5 (E0_2223)", "[football_data]") {
  const fd::SeasonData s2122 = MustLoad("E0_2122.csv");
  CHECK(s2122.stats.zero_prices_skipped == 2);  // Line 168: B365C>2.5 = B365C<2.5 = 0.
  const fd::SeasonData s2223 = MustLoad("E0_2223.csv");
  const Fixture& f = s2223.fixtures.front();  // 05/08/2022 20:00 Crystal Palace 0-2 Arsenal.
  CHECK(f.kickoff().seconds() == UtcSeconds(2022, 8, 5, 19, 0));
  const BettingLine& over = FindLine(s2223, f.id(), "Bet365", superbet::v1::MARKET_OVER_UNDER,
                                     superbet::v1::SELECTION_OVER, false);
  CHECK(over.decimal_odds() == 2.1);
  CHECK(over.line() == 2.5);
}

TEST_CASE("football-data: season labels, FindSeasons order, missing files", "[football_data]") {
  CHECK(fd::SeasonLabel("1516") == "2015/16");
  CHECK(fd::SeasonLabel("9900") == "1999/00");
  CHECK(fd::SeasonLabel("0001") == "2000/01");
  CHECK(fd::SeasonLabel("15/16").empty());
  CHECK(fd::SeasonLabel("").empty());
  CHECK(fd::SeasonUrl("E0", "2425") == "https://www.football-data.co.uk/mmz4281/2425/E0.csv");

  auto seasons = fd::FindSeasons(superbet::testing::DataDir(), "E0");
  REQUIRE(seasons.ok());
  REQUIRE(seasons->size() == 25);
  CHECK(seasons->front() == "0001");
  CHECK(seasons->back() == "2425");
  CHECK(fd::FindSeasons(superbet::testing::DataDir(), "SP1").status().code() ==
        absl::StatusCode::kNotFound);

  const std::string tmp =
      (std::filesystem::temp_directory_path() / "superbet_fd_test_seasons").string();
  std::filesystem::remove_all(tmp);
  std::filesystem::create_directories(tmp + "/football-data");
  for (const char* name : {"E0_0001.csv", "E0_9900.csv", "E0_9899.csv", "E1_1516.csv"}) {
    std::FILE* f = std::fopen((tmp + "/football-data/" + name).c_str(), "w");
    REQUIRE(f != nullptr);
    std::fclose(f);
  }
  auto order = fd::FindSeasons(tmp, "E0");
  std::filesystem::remove_all(tmp);
  REQUIRE(order.ok());
  CHECK(*order == std::vector<std::string>{"9899", "9900", "0001"});

  auto missing =
      fd::LoadLeague(superbet::testing::DataDir(), "E0", {"1516", "2526"}, fd::ParseMode::kStrict);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(missing.status().message()), Catch::Contains("football-data/E0_2526.csv"));
  auto two =
      fd::LoadLeague(superbet::testing::DataDir(), "E0", {"1617", "1516"}, fd::ParseMode::kStrict);
  REQUIRE(two.ok());
  CHECK((*two)[0].season_label == "2016/17");  // Given order kept.
  CHECK((*two)[1].season_label == "2015/16");
}

TEST_CASE("football-data: malformed cells fail strict mode with file:line:column and value",
          "[football_data]") {
  const std::string h = kHeader, r1 = kRow1, r3 = kRow3;
  CHECK(
      StrictError(h + r1 + "E0,17/08/2024,15:00,Arsenal,Wolves,x,0,H,18,9,1.2,7,13\n").message() ==
      "E0_2425.csv:3: column FTHG: expected a non-negative integer, got 'x'");
  CHECK(
      StrictError(h + r1 + "E0,32/08/2024,15:00,Arsenal,Wolves,2,0,H,18,9,1.2,7,13\n").message() ==
      "E0_2425.csv:3: column Date: expected a date dd/mm/yy or dd/mm/yyyy, got '32/08/2024'");
  CHECK(
      StrictError(h + r1 + "E0,17/08/2024,15:00,Arsenal,Wolves,2,0,H,18,9,0.97,7,13\n").message() ==
      "E0_2425.csv:3: column B365H: decimal odds must be > 1, got '0.97'");
  CHECK(
      StrictError(h + r1 + "E0,17/08/2024,15:00,Arsenal,Wolves,2,0,H,18,9,abc,7,13\n").message() ==
      "E0_2425.csv:3: column B365H: expected decimal odds (a number), got 'abc'");
  CHECK(
      StrictError(h + r1 + "E0,17/08/2024,15:00,Arsenal,Wolves,2,0,A,18,9,1.2,7,13\n").message() ==
      "E0_2425.csv:3: column FTR: result must be H, D or A and agree with the score 2-0 "
      "(expected H), got 'A'");
  CHECK(
      StrictError(h + r1 + "E0,17/08/2024,25:00,Arsenal,Wolves,2,0,H,18,9,1.2,7,13\n").message() ==
      "E0_2425.csv:3: column Time: expected a time hh:mm, got '25:00'");
  CHECK(StrictError(h + r1 + "E0,17/08/2024,15:00,,Wolves,2,0,H,18,9,1.2,7,13\n").message() ==
        "E0_2425.csv:3: column HomeTeam: missing home team, got ''");
  CHECK(StrictError(h + r1 + "E0,17/08/2024,15:00,Arsenal,Wolves,2,,H,18,9,1.2,7,13\n").message() ==
        "E0_2425.csv:3: column FTAG: expected a non-negative integer, got ''");
  CHECK(StrictError(h + r1 + "E0,17/08/2024,15:00,\"Arsenal\"x,Wolves,2,0,H\n" + r3).message() ==
        "E0_2425.csv:3: unexpected character 'x' after closing quote");
  CHECK(StrictError(h + r1 + "E0,17/08/2024,15:00,\"Arsenal,Wolves,2,0,H\n" + r3).message() ==
        "E0_2425.csv:3: unterminated quoted field");
}

TEST_CASE("football-data: lenient mode skips and records bad rows, keeps the others",
          "[football_data]") {
  const std::string bytes = std::string(kHeader) + kRow1 +
                            "E0,17/08/2024,15:00,Chelsea,Man City,x,2,A,10,12,5,4,1.6\n" +      // 3
                            kRow3 +                                                             // 4
                            "E0,17/08/2024,15:00,Everton,Brighton,0,3,A,8,12,2.4,3.3,0.97\n" +  // 5
                            ",,,,,,,,,,,,\n" +                                                  // 6
                            "E0,17/08/2024,15:00,\"Ipswich\"!,Liverpool,0,2,A\n";               // 7
  auto r = fd::ParseSeasonCsv(bytes, Options(fd::ParseMode::kLenient));
  REQUIRE(r.ok());
  CHECK(r->stats.rows_read == 6);
  CHECK(r->stats.fixtures == 3);  // Rows 2, 4 and 5 (5 without its bad away price).
  CHECK(r->stats.rows_rejected == 2);
  CHECK(r->stats.empty_rows_skipped == 1);
  CHECK(r->stats.prices_rejected == 1);
  CHECK(r->stats.lines == 3 + 3 + 2);
  REQUIRE(r->fixtures.size() == 3);
  CHECK(r->fixtures[0].home().name() == "Man United");
  CHECK(r->fixtures[1].home().name() == "Arsenal");
  CHECK(r->fixtures[2].home().name() == "Everton");
  REQUIRE(r->rejected.size() == 2);
  CHECK(r->rejected[0].file == "E0_2425.csv");
  CHECK(r->rejected[0].line == 3);
  CHECK(r->rejected[0].column == "FTHG");
  CHECK(r->rejected[0].value == "x");
  CHECK(r->rejected[0].reason == "expected a non-negative integer");
  CHECK(r->rejected[1].line == 7);
  CHECK(r->rejected[1].reason == "unexpected character '!' after closing quote");
  REQUIRE(r->rejected_prices.size() == 1);
  CHECK(r->rejected_prices[0].line == 5);
  CHECK(r->rejected_prices[0].column == "B365A");
  CHECK(r->rejected_prices[0].value == "0.97");
}

TEST_CASE("football-data: unusable headers fail in both modes", "[football_data]") {
  for (fd::ParseMode mode : {fd::ParseMode::kStrict, fd::ParseMode::kLenient}) {
    auto empty = fd::ParseSeasonCsv("", Options(mode));
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(empty.status().message() == "E0_2425.csv: empty file (no header row)");
    auto no_home = fd::ParseSeasonCsv("Div,Date,Home,AwayTeam\nE0,16/08/2024,A,B\n", Options(mode));
    REQUIRE_FALSE(no_home.ok());
    CHECK(no_home.status().message() == "E0_2425.csv:1: header has no column HomeTeam");
    auto no_date = fd::ParseSeasonCsv(
        "\xEF\xBB\xBF"
        "HomeTeam,AwayTeam\r\n",
        Options(mode));
    REQUIRE_FALSE(no_date.ok());
    CHECK(no_date.status().message() == "E0_2425.csv:1: header has no column Date");
  }
}

TEST_CASE("football-data: CRLF, LF, BOM and no final newline give identical results",
          "[football_data]") {
  const std::string lf = std::string(kHeader) + kRow1 + kRow3;
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const std::string bom = "\xEF\xBB\xBF" + crlf;
  const std::string no_final = lf.substr(0, lf.size() - 1);
  for (const std::string& bytes : {lf, crlf, bom, no_final}) {
    auto r = fd::ParseSeasonCsv(bytes, Options(fd::ParseMode::kStrict));
    REQUIRE(r.ok());
    REQUIRE(r->fixtures.size() == 2);
    CHECK(r->fixtures[1].id() == "football-data:E0:2024-08-17:Arsenal:Wolves");
    CHECK(r->fixtures[1].kickoff().seconds() == UtcSeconds(2024, 8, 17, 14, 0));
    CHECK(r->fixtures[1].statistics().at("away.shots") == 9);
    CHECK(r->lines.size() == 6);
    CHECK(r->lines.back().decimal_odds() == 13);
  }
}

TEST_CASE("football-data: scheduled fixtures, Div as competition", "[football_data]") {
  fd::ParseOptions o;  // No league, season or file name.
  o.mode = fd::ParseMode::kStrict;
  auto r = fd::ParseSeasonCsv(
      "Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR,HS,AS,B365H\nSP1,01/09/25,Betis,Getafe,,,,,,\n", o);
  REQUIRE(r.ok());
  REQUIRE(r->fixtures.size() == 1);
  const Fixture& f = r->fixtures[0];
  CHECK(f.status() == superbet::v1::FIXTURE_STATUS_SCHEDULED);
  CHECK_FALSE(f.has_full_time());
  CHECK(f.competition() == "SP1");
  CHECK(f.id() == "football-data:SP1:2025-09-01:Betis:Getafe");
  CHECK(f.statistics().empty());
  CHECK(r->lines.empty());
  auto bad = fd::ParseSeasonCsv("Date,HomeTeam,AwayTeam\n1/1/25,A,B\nxx,A,B\n", o);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "<input>:3: column Date: expected a date dd/mm/yy or dd/mm/yyyy, got 'xx'");
}

// ---- Issue 12: bad input never becomes a silent wrong result ---------------------------------

namespace {

// The real file's bytes with physical line `line` (1-based) passed through `edit`.
std::string EditLine(const std::string& file, int line,
                     const std::function<std::string(std::string)>& edit) {
  const std::string bytes = superbet::testing::ReadFileOrEmpty(FdPath(file));
  REQUIRE(!bytes.empty());
  size_t begin = 0;
  for (int i = 1; i < line; ++i) begin = bytes.find('\n', begin) + 1;
  const size_t end = bytes.find('\n', begin);
  return bytes.substr(0, begin) + edit(bytes.substr(begin, end - begin)) + bytes.substr(end);
}

// Replaces the first occurrence of `from` in `s` (which must contain it) by `to`.
std::string ReplaceFirst(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

fd::ParseOptions RealOptions(const std::string& file, fd::ParseMode mode) {
  fd::ParseOptions o;
  o.mode = mode;
  o.source_name = file;
  o.league = file.substr(0, 2);
  o.season_code = file.substr(3, 4);
  return o;
}

std::vector<std::string> FixtureIds(const fd::SeasonData& s) {
  std::vector<std::string> ids;
  for (const Fixture& f : s.fixtures) ids.push_back(f.id());
  return ids;
}

}  // namespace

TEST_CASE("football-data: one stray quote costs one row (E0_2425 line 6 \"Chelsea)",
          "[football_data][issue12]") {
  // Oracle: the unmodified file (380 fixtures, checked against Python's csv above) minus the one
  // fixture of line 6, Newcastle v Southampton. Before the fix the open quote swallowed the rest
  // of the file: 4 fixtures and "1 malformed row".
  const std::string bytes = EditLine("E0_2425.csv", 6, [](std::string row) {
    return ReplaceFirst(row, "Newcastle", "\"Chelsea");
  });
  const fd::SeasonData clean = MustLoad("E0_2425.csv");
  auto r = fd::ParseSeasonCsv(bytes, RealOptions("E0_2425.csv", fd::ParseMode::kLenient));
  REQUIRE(r.ok());
  CHECK(r->fixtures.size() == 379);
  CHECK(r->stats.rows_rejected == 1);
  REQUIRE(r->rejected.size() == 1);
  CHECK(r->rejected[0].line == 6);
  CHECK(r->rejected[0].reason == "unterminated quoted field");
  std::vector<std::string> expected = FixtureIds(clean);
  expected.erase(expected.begin() + 4);  // Line 6 = the 5th data row.
  CHECK(FixtureIds(*r) == expected);
  auto strict = fd::ParseSeasonCsv(bytes, RealOptions("E0_2425.csv", fd::ParseMode::kStrict));
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.status().message() == "E0_2425.csv:6: unterminated quoted field");
}

TEST_CASE("football-data: a price above kMaxDecimalOdds (1e308) is rejected, its row kept",
          "[football_data][issue12]") {
  // Oracle: the unmodified file; line 2 is Man United v Fulham with B365H 1.6 (see above).
  const std::string id = "football-data:E0:2024-08-16:Man United:Fulham";
  const std::string bytes = EditLine(
      "E0_2425.csv", 2, [](std::string row) { return ReplaceFirst(row, ",1.6,", ",1e308,"); });
  const fd::SeasonData clean = MustLoad("E0_2425.csv");
  auto strict = fd::ParseSeasonCsv(bytes, RealOptions("E0_2425.csv", fd::ParseMode::kStrict));
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.status().message() ==
        "E0_2425.csv:2: column B365H: decimal odds must be <= 1000 (kMaxDecimalOdds), got "
        "'1e308'");
  auto r = fd::ParseSeasonCsv(bytes, RealOptions("E0_2425.csv", fd::ParseMode::kLenient));
  REQUIRE(r.ok());
  CHECK(r->fixtures.size() == 380);
  CHECK(r->stats.prices_rejected == 1);
  CHECK(r->lines.size() == clean.lines.size() - 1);
  CHECK(CountLines(*r, id, "Bet365") == CountLines(clean, id, "Bet365") - 1);
  REQUIRE(r->rejected_prices.size() == 1);
  CHECK(r->rejected_prices[0].line == 2);
  CHECK(r->rejected_prices[0].column == "B365H");
  CHECK(r->rejected_prices[0].value == "1e308");
  for (const BettingLine& l : r->lines) REQUIRE(l.decimal_odds() <= 1000.0);
  // The bound itself is a valid price; just above it is not.
  const std::string h = kHeader;
  auto edge =
      fd::ParseSeasonCsv(h + "E0,17/08/2024,15:00,Arsenal,Wolves,2,0,H,18,9,1000,1000.01,13\n",
                         Options(fd::ParseMode::kLenient));
  REQUIRE(edge.ok());
  CHECK(edge->lines.size() == 2);
  CHECK(edge->lines[0].decimal_odds() == 1000.0);
  CHECK(edge->stats.prices_rejected == 1);
}

TEST_CASE("football-data: a repeated season counts each fixture once (duplicates rejected)",
          "[football_data][issue12]") {
  // Oracle: the unmodified file (380 fixtures, 34280 prices). The doubled file repeats every data
  // row after line 381, so each of lines 382-761 repeats line (n - 380).
  const std::string bytes = superbet::testing::ReadFileOrEmpty(FdPath("E0_2425.csv"));
  const size_t body = bytes.find('\n') + 1;
  const std::string doubled = bytes + bytes.substr(body);
  auto r = fd::ParseSeasonCsv(doubled, RealOptions("E0_2425.csv", fd::ParseMode::kLenient));
  REQUIRE(r.ok());
  CHECK(r->fixtures.size() == 380);
  CHECK(r->lines.size() == 34280);
  CHECK(r->stats.rows_read == 760);
  CHECK(r->stats.rows_rejected == 380);
  CHECK(r->stats.duplicates_rejected == 380);
  REQUIRE(r->rejected.size() == 380);
  CHECK(r->rejected[0].line == 382);
  CHECK(r->rejected[0].reason ==
        "duplicate fixture: same date, home and away team as line 2 (Man United v Fulham)");
  CHECK(r->rejected[379].line == 761);
  auto strict = fd::ParseSeasonCsv(doubled, RealOptions("E0_2425.csv", fd::ParseMode::kStrict));
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.status().message() ==
        "E0_2425.csv:382: column Date: duplicate fixture: same date, home and away team as line "
        "2 (Man United v Fulham), got '16/08/2024'");
}

TEST_CASE("football-data: a row cut inside a bookmaker's prices is rejected, line ending or not",
          "[football_data][issue12]") {
  // E0_2425.csv line 3 cut to its first 120 characters, which end inside Betfair's 1X2 triple
  // ("...,8.5,5." : BFD "5." of "5.5", BFA missing), followed by a line ending and the rest of the
  // file. The row must be rejected (lenient) or fail the parse (strict), not read with BFD = 5.
  const std::string bytes = superbet::testing::ReadFileOrEmpty(FdPath("E0_2425.csv"));
  const size_t line3 = bytes.find('\n', bytes.find('\n') + 1) + 1;
  const size_t line4 = bytes.find('\n', line3) + 1;
  const std::string cut =
      bytes.substr(0, line3) + bytes.substr(line3, 120) + "\n" + bytes.substr(line4);
  auto r = fd::ParseSeasonCsv(cut, RealOptions("E0_2425.csv", fd::ParseMode::kLenient));
  REQUIRE(r.ok());
  CHECK(r->fixtures.size() == 379);
  REQUIRE(r->rejected.size() == 1);
  CHECK(r->rejected[0].line == 3);
  CHECK(r->rejected[0].column == "BFD");
  CHECK(r->rejected[0].value == "5.");
  CHECK(absl::StrContains(r->rejected[0].reason,
                          "ends inside the prices of Betfair: no cell for "
                          "column BFA"));
  auto strict = fd::ParseSeasonCsv(cut, RealOptions("E0_2425.csv", fd::ParseMode::kStrict));
  REQUIRE_FALSE(strict.ok());
  CHECK(absl::StrContains(strict.status().message(), "E0_2425.csv:3: column BFD: "));
}

TEST_CASE("football-data: short rows are compared with the header's field count",
          "[football_data][issue12]") {
  // A file cut off inside its last row (no line ending): the row is rejected, not read with
  // a truncated price. Oracle: the unmodified file's 380 fixtures minus the last one.
  std::string bytes = superbet::testing::ReadFileOrEmpty(FdPath("E0_2425.csv"));
  const size_t last_row = bytes.rfind('\n', bytes.size() - 3) + 1;
  const size_t cut = bytes.find(",1.", last_row + 200) + 3;  // Mid-price, e.g. "1." of "1.85".
  const std::string truncated = bytes.substr(0, cut);
  auto r = fd::ParseSeasonCsv(truncated, RealOptions("E0_2425.csv", fd::ParseMode::kLenient));
  REQUIRE(r.ok());
  CHECK(r->fixtures.size() == 379);
  REQUIRE(r->rejected.size() == 1);
  CHECK(r->rejected[0].line == 381);
  CHECK(r->rejected[0].value == "1.");
  CHECK(absl::StartsWith(r->rejected[0].reason, "row cut off: "));
  auto strict = fd::ParseSeasonCsv(truncated, RealOptions("E0_2425.csv", fd::ParseMode::kStrict));
  REQUIRE_FALSE(strict.ok());
  CHECK(absl::StrContains(strict.status().message(), "E0_2425.csv:381: column "));
  // A row lacking a result column is malformed, not a SCHEDULED fixture.
  const std::string h = kHeader, r3 = kRow3;
  auto no_goals = fd::ParseSeasonCsv(h + "E0,16/08/2024,20:00,Man United,Fulham\n" + r3,
                                     Options(fd::ParseMode::kLenient));
  REQUIRE(no_goals.ok());
  CHECK(no_goals->fixtures.size() == 1);
  REQUIRE(no_goals->rejected.size() == 1);
  CHECK(no_goals->rejected[0].reason == "row has 5 of 13 cells: no cell for column FTHG");
  // Rows lacking only trailing price cells are real data and kept: E0_0203.csv has 112 rows of
  // 46 or 47 cells under a 48-column header (Python csv: 80 + 32), all lacking B365>2.5/<2.5.
  const fd::SeasonData s0203 = MustLoad("E0_0203.csv");
  CHECK(s0203.fixtures.size() == 380);
  CHECK(s0203.stats.short_rows == 112);
}

TEST_CASE("football-data: a bad statistics cell costs that cell only (Attendance \"12,345\")",
          "[football_data][issue12]") {
  // E0_0102.csv line 2: Charlton 1-2 Everton, Attendance 20451 (read in the file).
  const std::string id = "football-data:E0:2001-08-18:Charlton:Everton";
  const std::string bytes = EditLine("E0_0102.csv", 2, [](std::string row) {
    return ReplaceFirst(row, ",20451,", ",\"12,345\",");
  });
  const fd::SeasonData clean = MustLoad("E0_0102.csv");
  auto r = fd::ParseSeasonCsv(bytes, RealOptions("E0_0102.csv", fd::ParseMode::kLenient));
  REQUIRE(r.ok());
  CHECK(r->fixtures.size() == 380);
  CHECK(r->stats.rows_rejected == 0);
  CHECK(r->stats.cells_rejected == 1);
  REQUIRE(r->rejected_cells.size() == 1);
  CHECK(r->rejected_cells[0].line == 2);
  CHECK(r->rejected_cells[0].column == "Attendance");
  CHECK(r->rejected_cells[0].value == "12,345");
  const Fixture& f = r->fixtures[0];
  CHECK(f.id() == id);
  CHECK(f.full_time().home() == 1);
  CHECK(f.full_time().away() == 2);
  CHECK(f.statistics().count("attendance") == 0);  // Absent, not 0.
  CHECK(f.statistics().at("home.shots") == 8);
  CHECK(r->lines.size() == clean.lines.size());
  auto strict = fd::ParseSeasonCsv(bytes, RealOptions("E0_0102.csv", fd::ParseMode::kStrict));
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.status().message() ==
        "E0_0102.csv:2: column Attendance: expected a non-negative integer, got '12,345'");
  // The same row again at the end (line 382): rejected as a duplicate, counted once as a row,
  // its bad cell not counted a second time.
  const size_t row2 = bytes.find('\n') + 1;
  const std::string with_dup = bytes + bytes.substr(row2, bytes.find('\n', row2) + 1 - row2);
  auto dup = fd::ParseSeasonCsv(with_dup, RealOptions("E0_0102.csv", fd::ParseMode::kLenient));
  REQUIRE(dup.ok());
  CHECK(dup->stats.rows_rejected == 1);
  CHECK(dup->stats.duplicates_rejected == 1);
  CHECK(dup->stats.cells_rejected == 1);
  CHECK(dup->rejected_cells.size() == 1);
}

TEST_CASE("football-data: E1_0405 (Windows-1252 0xA0) gives valid UTF-8 that round-trips",
          "[football_data][issue12]") {
  // Oracle: line 517 (Brighton v West Ham, 23/04/05) has referee "\xa0A Penn"; the same referee
  // is written "A Penn" on lines 128-495 of the file (Watford v Wigan, 28/09/04). Leading and
  // trailing no-break spaces are trimmed from names. libprotobuf's own UTF-8 check on parse
  // (proto3 strings) is the oracle for "valid UTF-8".
  // Lenient: the file also has a price of 1 (line 191, B365AHH), dropped as usual.
  const fd::SeasonData s = MustLoad("E1_0405.csv", fd::ParseMode::kLenient);
  CHECK(s.source_encoding == "Windows-1252");
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0] == "E1_0405.csv:517: not valid UTF-8; the file is decoded as Windows-1252");
  const Fixture* brighton = nullptr;
  const Fixture* watford = nullptr;
  for (const Fixture& f : s.fixtures) {
    if (f.id() == "football-data:E1:2005-04-23:Brighton:West Ham") brighton = &f;
    if (f.id() == "football-data:E1:2004-09-28:Watford:Wigan") watford = &f;
    std::string wire;
    REQUIRE(f.SerializeToString(&wire));
    Fixture back;
    INFO(f.id() << " referee '" << f.referee() << "'");
    REQUIRE(back.ParseFromString(wire));
    REQUIRE(back.referee() == f.referee());
  }
  REQUIRE(brighton != nullptr);
  REQUIRE(watford != nullptr);
  CHECK(brighton->referee() == "A Penn");
  CHECK(brighton->referee() == watford->referee());
}

TEST_CASE("football-data: StreamSeasonCsv hands over the same rows and keeps none",
          "[football_data][issue12]") {
  // Oracle: ParseSeasonCsv on the same real file (E0_2425, 380 fixtures, 34280 prices, the
  // counts of bench/csv_ingest_baseline.py --counts): the streamed fixtures and lines, in order,
  // are the same messages.
  const std::string bytes = superbet::testing::ReadFileOrEmpty(FdPath("E0_2425.csv"));
  const fd::SeasonData whole = MustLoad("E0_2425.csv");
  size_t fixture_i = 0, line_i = 0;
  bool same = true;
  auto r = fd::StreamSeasonCsv(bytes, RealOptions("E0_2425.csv", fd::ParseMode::kStrict),
                               [&](const Fixture& f, absl::Span<const BettingLine> lines) {
                                 same = same && fixture_i < whole.fixtures.size() &&
                                        MessageDifferencer::Equals(f, whole.fixtures[fixture_i]);
                                 ++fixture_i;
                                 for (const BettingLine& l : lines) {
                                   same = same && line_i < whole.lines.size() &&
                                          MessageDifferencer::Equals(l, whole.lines[line_i]) &&
                                          l.fixture_id() == f.id();
                                   ++line_i;
                                 }
                                 return absl::OkStatus();
                               });
  REQUIRE(r.ok());
  CHECK(same);
  CHECK(fixture_i == 380);
  CHECK(line_i == 34280);
  CHECK(r->fixtures.empty());
  CHECK(r->lines.empty());
  CHECK(r->stats.fixtures == 380);
  CHECK(r->stats.lines == 34280);
  // The consumer's error stops the parse and comes back as is.
  int calls = 0;
  auto stopped =
      fd::StreamSeasonCsv(bytes, RealOptions("E0_2425.csv", fd::ParseMode::kStrict),
                          [&](const Fixture&, absl::Span<const BettingLine>) {
                            return ++calls == 3 ? absl::CancelledError("stop") : absl::OkStatus();
                          });
  CHECK(stopped.status() == absl::CancelledError("stop"));
  CHECK(calls == 3);
}

TEST_CASE("football-data: build_line and keep_statistics skip messages, not validation or counts",
          "[football_data][issue16]") {
  // Oracle: the unfiltered parse of the same real files. E1_0405 (lenient) has a price of 1
  // (line 191, B365AHH) and E0_2425 has 34280 prices; with a filter keeping Bet365 pre-match and
  // every closing 1X2 price, the lines are exactly the unfiltered lines the filter accepts, in
  // the same order, while every count (ParseStats::lines included) and rejection is unchanged.
  const auto keep = [](const BettingLine& l) {
    return (l.bookmaker() == "Bet365" && !l.is_closing()) ||
           (l.is_closing() && l.market() == superbet::v1::MARKET_1X2);
  };
  for (const std::string file : {"E1_0405.csv", "E0_2425.csv", "E0_0203.csv"}) {
    INFO(file);
    const std::string bytes = superbet::testing::ReadFileOrEmpty(FdPath(file));
    auto all = fd::ParseSeasonCsv(bytes, RealOptions(file, fd::ParseMode::kLenient));
    fd::ParseOptions options = RealOptions(file, fd::ParseMode::kLenient);
    int columns_asked = 0;
    options.build_line = [&](const BettingLine& column) {
      ++columns_asked;
      CHECK(column.fixture_id().empty());
      CHECK(column.decimal_odds() == 0);
      return keep(column);
    };
    options.keep_statistics = false;
    auto some = fd::ParseSeasonCsv(bytes, options);
    REQUIRE(all.ok());
    REQUIRE(some.ok());
    CHECK(columns_asked > 0);
    std::vector<BettingLine> expected;
    for (const BettingLine& l : all->lines) {
      if (keep(l)) expected.push_back(l);
    }
    REQUIRE(some->lines.size() == expected.size());
    CHECK(expected.size() < all->lines.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      INFO(i);
      REQUIRE(MessageDifferencer::Equals(some->lines[i], expected[i]));
    }
    REQUIRE(some->fixtures.size() == all->fixtures.size());
    bool had_statistics = false;
    for (size_t i = 0; i < all->fixtures.size(); ++i) {
      had_statistics = had_statistics || !all->fixtures[i].statistics().empty();
      Fixture f = all->fixtures[i];
      f.clear_statistics();
      CHECK(some->fixtures[i].statistics().empty());
      REQUIRE(MessageDifferencer::Equals(some->fixtures[i], f));
    }
    CHECK(had_statistics);
    const fd::ParseStats& a = all->stats;
    const fd::ParseStats& b = some->stats;
    CHECK(b.lines == a.lines);
    CHECK(b.fixtures == a.fixtures);
    CHECK(b.rows_read == a.rows_read);
    CHECK(b.rows_rejected == a.rows_rejected);
    CHECK(b.cells_rejected == a.cells_rejected);
    CHECK(b.prices_rejected == a.prices_rejected);
    CHECK(b.zero_prices_skipped == a.zero_prices_skipped);
    CHECK(b.ah_prices_without_line == a.ah_prices_without_line);
    CHECK(b.short_rows == a.short_rows);
    CHECK(some->rejected_prices.size() == all->rejected_prices.size());
    CHECK(some->rejected_cells.size() == all->rejected_cells.size());
    CHECK(some->rejected.size() == all->rejected.size());
  }
  // The bad price of E1_0405 is still found (and is still an error in strict mode) though no
  // Bet365 Asian-handicap line is built.
  const std::string e1 = superbet::testing::ReadFileOrEmpty(FdPath("E1_0405.csv"));
  fd::ParseOptions strict = RealOptions("E1_0405.csv", fd::ParseMode::kStrict);
  strict.build_line = [](const BettingLine&) { return false; };
  auto failed = fd::ParseSeasonCsv(e1, strict);
  REQUIRE_FALSE(failed.ok());
  CHECK(absl::StrContains(failed.status().message(), "E1_0405.csv:191: column B365AHH"));
}

TEST_CASE("football-data: a consumer that moves the lines away gets every row's lines whole",
          "[football_data][issue16]") {
  // Oracle: ParseSeasonCsv on the same real file (E0_2425, 34280 prices). The parser reuses its
  // line messages from row to row; a consumer that moves them out (as the backtest loader does)
  // must still receive every line of every later row complete, with no field left over or lost.
  const std::string bytes = superbet::testing::ReadFileOrEmpty(FdPath("E0_2425.csv"));
  const fd::SeasonData whole = MustLoad("E0_2425.csv");
  std::vector<BettingLine> moved;
  auto r = fd::StreamSeasonCsv(bytes, RealOptions("E0_2425.csv", fd::ParseMode::kStrict),
                               [&](Fixture&, absl::Span<BettingLine> lines) {
                                 for (BettingLine& l : lines) moved.push_back(std::move(l));
                                 return absl::OkStatus();
                               });
  REQUIRE(r.ok());
  REQUIRE(moved.size() == whole.lines.size());
  CHECK(moved.size() == 34280);
  for (size_t i = 0; i < moved.size(); ++i) {
    INFO(i);
    REQUIRE(MessageDifferencer::Equals(moved[i], whole.lines[i]));
  }
}
