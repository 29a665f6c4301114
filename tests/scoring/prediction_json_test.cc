// Prediction / Decision JSON lines.
// Oracle: the protobuf JSON mapping as specified (https://protobuf.dev/programming-guides/proto3/
// #json): the expected lines below are written by hand from that spec (proto field names, RFC 3339
// timestamps, enums by name, unset `optional` fields absent), not printed by the code under test.
// The match is real: Man United 1-0 Tottenham, 2015-08-08, Bet365 1.65 / 4 / 6 (E0_1516.csv row 5).

#include "superbet/scoring/prediction_json.h"

#include <cmath>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "catch2/catch.hpp"
#include "google/protobuf/util/time_util.h"

namespace v1 = superbet::v1;
namespace scoring = superbet::scoring;
using google::protobuf::util::TimeUtil;

namespace {

v1::Prediction ManUnitedTottenham() {
  v1::Prediction p;
  p.set_match_id("football-data:E0:2015-08-08:Man United:Tottenham");
  p.set_home("Man United");
  p.set_away("Tottenham");
  *p.mutable_kickoff() = TimeUtil::SecondsToTimestamp(1439034300);  // 2015-08-08T11:45:00Z
  p.set_pick("home");
  p.mutable_prob()->set_home(0.625);
  p.mutable_prob()->set_draw(0.25);
  p.mutable_prob()->set_away(0.125);
  p.mutable_odds()->set_home(1.65);
  p.mutable_odds()->set_draw(4);
  p.mutable_odds()->set_away(6);
  p.set_confidence(0.5);
  p.set_kelly_fraction(0.0);
  *p.mutable_decided_at() = TimeUtil::SecondsToTimestamp(1439020800);  // 2015-08-08T08:00:00Z
  p.set_agent("favourite");
  p.set_model_version("market-favourite");
  p.set_action(v1::ACTION_BET_HOME);
  return p;
}

// Key order is the protobuf 3.21 printer's (scalars and OneXTwo in field order, then the
// Timestamps); the JSON mapping does not fix an order, the printer is deterministic.
const char kManUnitedLine[] =
    R"({"match_id":"football-data:E0:2015-08-08:Man United:Tottenham","home":"Man United",)"
    R"("away":"Tottenham","pick":"home",)"
    R"("prob":{"home":0.625,"draw":0.25,"away":0.125},"odds":{"home":1.65,"draw":4,"away":6},)"
    R"("confidence":0.5,"kelly_fraction":0,)"
    R"("agent":"favourite","model_version":"market-favourite","action":"ACTION_BET_HOME",)"
    R"("kickoff":"2015-08-08T11:45:00Z","decided_at":"2015-08-08T08:00:00Z"})";

std::string ErrorOf(const std::string& line) {
  auto p = scoring::PredictionFromJsonLine(line, 7);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(p.status().message());
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a Prediction prints as the hand-written protobuf JSON line", "[prediction_json]") {
  auto line = scoring::PredictionToJsonLine(ManUnitedTottenham());
  REQUIRE(line.ok());
  // vsnr, cas, gamma and data_staleness_s are unset: absent, not 0. kelly_fraction 0 is printed.
  CHECK(*line == kManUnitedLine);
}

TEST_CASE("optional metrics print when set, and round-trip bit for bit", "[prediction_json]") {
  v1::Prediction p = ManUnitedTottenham();
  p.set_vsnr(0.0);  // Set to 0: printed as 0 (present), unlike an unset vsnr.
  p.set_cas(1.0 / 3.0);
  p.set_gamma(-1e-300);
  p.set_data_staleness_s(12.5);
  auto line = scoring::PredictionToJsonLine(p);
  REQUIRE(line.ok());
  CHECK(line->find(R"("vsnr":0,)") != std::string::npos);
  CHECK(line->find(R"("data_staleness_s":12.5)") != std::string::npos);
  auto back = scoring::PredictionFromJsonLine(*line, 1);
  REQUIRE(back.ok());
  CHECK(back->SerializeAsString() == p.SerializeAsString());
  CHECK(back->cas() == 1.0 / 3.0);  // exact
  CHECK(back->has_vsnr());
  // Deterministic: printing again gives the same bytes.
  CHECK(*scoring::PredictionToJsonLine(*back) == *line);
}

TEST_CASE("the hand-written line reads back to the message", "[prediction_json]") {
  auto p = scoring::PredictionFromJsonLine(kManUnitedLine, 1);
  REQUIRE(p.ok());
  CHECK(p->SerializeAsString() == ManUnitedTottenham().SerializeAsString());
  CHECK_FALSE(p->has_vsnr());
  CHECK_FALSE(p->has_data_staleness_s());
}

// Found by prediction_json_fuzz in CI: "gamma":-0.000 read as -0.0, printed as "-0", which
// protobuf's parser reads as +0.0, so the line did not read back to the message it printed.
TEST_CASE("a negative zero reads as zero and the line round-trips", "[prediction_json]") {
  std::string line = kManUnitedLine;
  const std::string tail = "\"action\"";
  REQUIRE(line.find(tail) != std::string::npos);
  line.insert(line.find(tail), "\"gamma\":-0.000,\"cas\":-0.0,");
  auto p = scoring::PredictionFromJsonLine(line, 1);
  REQUIRE(p.ok());
  REQUIRE(p->has_gamma());
  CHECK_FALSE(std::signbit(p->gamma()));
  CHECK_FALSE(std::signbit(p->cas()));
  auto printed = scoring::PredictionToJsonLine(*p);
  REQUIRE(printed.ok());
  auto again = scoring::PredictionFromJsonLine(*printed, 1);
  REQUIRE(again.ok());
  CHECK(again->SerializeAsString() == p->SerializeAsString());
}

TEST_CASE("bad lines are rejected naming line, field and value", "[prediction_json]") {
  const std::string ok = kManUnitedLine;
  CHECK(ErrorOf(Replace(ok, R"("home":1.65)", R"("home":0.97)")) ==
        "line 7: odds.home: decimal odds must be finite and > 1, got 0.97");
  CHECK(ErrorOf(Replace(ok, R"("draw":4)", R"("draw":"Infinity")")) ==
        "line 7: odds.draw: decimal odds must be finite and > 1, got inf");
  CHECK(ErrorOf(Replace(ok, R"("away":0.125)", R"("away":1.5)")) ==
        "line 7: prob.away: probability must be finite and in [0, 1], got 1.5");
  CHECK(ErrorOf(Replace(ok, R"("pick":"home")", R"("pick":"Home")")) ==
        "line 7: pick: must be one of home|draw|away, got \"Home\"");
  CHECK(ErrorOf(Replace(ok, R"("kickoff":"2015-08-08T11:45:00Z",)", "")) ==
        "line 7: kickoff: missing required field");
  CHECK(ErrorOf(Replace(ok, R"("agent":"favourite")", R"("agent":"")")) ==
        "line 7: agent: required field is empty");
  CHECK(ErrorOf(Replace(ok, R"("confidence":0.5)", R"("confidence":-0.1)")) ==
        "line 7: confidence: probability must be finite and in [0, 1], got -0.1");
  CHECK(ErrorOf(Replace(ok, R"("kelly_fraction":0)", R"("kelly_fraction":1.5)")) ==
        "line 7: kelly_fraction: Kelly fraction must be finite and in [0, 1], got 1.5");
  CHECK(ErrorOf(Replace(ok, R"("action":"ACTION_BET_HOME")", R"("action":"ACTION_BET_AWAY")")) ==
        "line 7: action: must agree with pick \"home\", got ACTION_BET_AWAY");
  CHECK(ErrorOf(Replace(ok, R"("home":1.65,)", "")) ==
        "line 7: odds.home: missing: the pick's price");
  // The protobuf parser's own checks keep the field name, in our words and with the value.
  CHECK(ErrorOf(Replace(ok, "2015-08-08T11:45:00Z", "2015-08-08 11:45")) ==
        "line 7: kickoff: must be an RFC 3339 timestamp (e.g. 2023-08-12T11:30:00Z), got "
        "\"2015-08-08 11:45\"");
  CHECK(ErrorOf(Replace(ok, R"("confidence")", R"("confidence_x":1,"confidence")")) ==
        "line 7: confidence_x: unknown field");
  CHECK(ErrorOf(Replace(ok, R"("prob":{)", R"("prob":{"hme":1,)")) ==
        "line 7: prob.hme: unknown field");
  // One line, without protobuf's caret diagram.
  const std::string not_json = ErrorOf("{\"match_id\": ");
  CHECK_THAT(not_json, Catch::StartsWith("line 7: (json): not a JSON object"));
  CHECK(not_json.find('\n') == std::string::npos);
  CHECK_THAT(ErrorOf("[1,2]"), Catch::StartsWith("line 7: (json): "));
}

TEST_CASE("a line over max_line_bytes is rejected unparsed", "[prediction_json]") {
  scoring::ReadOptions small;
  small.max_line_bytes = 100;
  auto p = scoring::PredictionFromJsonLine(kManUnitedLine, 2, small);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().message() == absl::StrCat("line 2: (line): line of ", sizeof(kManUnitedLine) - 1,
                                             " bytes is longer than 100 bytes"));
  CHECK(scoring::PredictionFromJsonLine(kManUnitedLine, 2).ok());  // default 1 MiB
}

TEST_CASE("unknown fields are accepted only when asked", "[prediction_json]") {
  const std::string line =
      Replace(kManUnitedLine, R"("confidence")", R"("tier":"high","confidence")");
  CHECK_FALSE(scoring::PredictionFromJsonLine(line, 1).ok());
  scoring::ReadOptions lenient;
  lenient.ignore_unknown_fields = true;
  CHECK(scoring::PredictionFromJsonLine(line, 1, lenient).ok());
}

TEST_CASE("the stream reader rejects bad lines, counts them and reads on", "[prediction_json]") {
  std::stringstream in;
  in << kManUnitedLine << "\n"
     << "\n"                                                              // 2: blank
     << Replace(kManUnitedLine, R"("home":1.65)", R"("home":1)") << "\n"  // 3: odds.home
     << "not json\n"                                                      // 4
     << kManUnitedLine << "\r\n"                                          // 5: CRLF
     << Replace(kManUnitedLine, R"("draw":4)", R"("draw":-2)") << "\n"    // 6: odds.draw
     << Replace(kManUnitedLine, R"("home":1.65)", R"("home":0.5)");       // 7: no final newline
  scoring::PredictionStreamReader reader(in);
  int n = 0;
  while (auto p = reader.Next()) {
    CHECK(p->home() == "Man United");
    ++n;
  }
  CHECK(n == 2);
  CHECK(reader.lines_read() == 7);
  CHECK(reader.accepted() == 2);
  CHECK(reader.blank() == 1);
  CHECK(reader.rejected() == 4);
  CHECK(reader.rejected_by_field() ==
        std::map<std::string, int64_t>{{"(json)", 1}, {"odds.draw", 1}, {"odds.home", 2}});
  REQUIRE(reader.rejections().size() == 4);
  CHECK(reader.rejections()[0].line_number == 3);
  CHECK(reader.rejections()[0].message ==
        "line 3: odds.home: decimal odds must be finite and > 1, got 1");
  CHECK(reader.rejections()[3].line_number == 7);
}

TEST_CASE("a Decision line round-trips, a no_bet decision needs no pick", "[prediction_json]") {
  v1::Decision d;
  *d.mutable_prediction() = ManUnitedTottenham();
  d.set_stake(2.5);
  d.set_bankroll_before(100);
  d.set_verdict(v1::VERDICT_ACCEPTED);
  d.set_profit(1.625);
  auto line = scoring::DecisionToJsonLine(d);
  REQUIRE(line.ok());
  CHECK(line->rfind(R"({"prediction":{"match_id":)", 0) == 0);
  CHECK(line->find(R"("stake":2.5,"bankroll_before":100,"verdict":"VERDICT_ACCEPTED","reason":"",)"
                   R"("detail":"","profit":1.625})") != std::string::npos);
  auto back = scoring::DecisionFromJsonLine(*line, 1);
  REQUIRE(back.ok());
  CHECK(back->SerializeAsString() == d.SerializeAsString());

  v1::Decision no_bet;
  v1::Prediction* p = no_bet.mutable_prediction();
  *p = ManUnitedTottenham();
  p->clear_pick();
  p->clear_prob();
  p->clear_odds();
  p->set_action(v1::ACTION_NO_BET);
  no_bet.set_bankroll_before(100);
  no_bet.set_verdict(v1::VERDICT_DENIED);
  no_bet.set_reason("no_bet");
  auto nb_line = scoring::DecisionToJsonLine(no_bet);
  REQUIRE(nb_line.ok());
  CHECK(scoring::DecisionFromJsonLine(*nb_line, 1).ok());
  auto bad = scoring::DecisionFromJsonLine(Replace(*line, R"("home":1.65)", R"("home":0.5)"), 4);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "line 4: prediction.odds.home: decimal odds must be finite and > 1, got 0.5");
}
