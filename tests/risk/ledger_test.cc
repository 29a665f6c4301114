// PaperLedger: every decision (accepted or denied) is one Decision line that parses back with
// the contract reader; settlement pays stake x odds on a win; the same calls give byte-identical
// output. Oracle: bankroll arithmetic by hand (each step in a comment) on the real prices of
// E0_1516.csv row 5 (Man United 1-0 Tottenham, Bet365 1.65 / 4 / 6) and row 2 (Bournemouth 0-1
// Aston Villa, Bet365 2.0 / 3.6 / 4.0).

#include "superbet/risk/ledger.h"

#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "catch2/catch.hpp"
#include "google/protobuf/util/time_util.h"
#include "superbet/scoring/metrics.h"
#include "superbet/scoring/prediction_json.h"
#include "support/failing_stream.h"

namespace risk = superbet::risk;
namespace scoring = superbet::scoring;
namespace v1 = superbet::v1;
using google::protobuf::util::TimeUtil;

namespace {

constexpr char kMufc[] = "football-data:E0:2015-08-08:Man United:Tottenham";
constexpr char kAfcb[] = "football-data:E0:2015-08-08:Bournemouth:Aston Villa";

v1::Prediction Pred(const std::string& match, const std::string& home, const std::string& away,
                    std::array<double, 3> odds, const std::string& pick, double p) {
  v1::Prediction x;
  x.set_match_id(match);
  x.set_home(home);
  x.set_away(away);
  *x.mutable_kickoff() = TimeUtil::SecondsToTimestamp(1439034300);
  x.set_pick(pick);
  x.mutable_odds()->set_home(odds[0]);
  x.mutable_odds()->set_draw(odds[1]);
  x.mutable_odds()->set_away(odds[2]);
  if (pick == "home") x.mutable_prob()->set_home(p);
  if (pick == "away") x.mutable_prob()->set_away(p);
  x.set_action(pick == "home" ? v1::ACTION_BET_HOME : v1::ACTION_BET_AWAY);
  x.set_confidence(1.0);
  REQUIRE(scoring::SetPickMetrics(x).ok());
  *x.mutable_decided_at() = TimeUtil::SecondsToTimestamp(1439020800);
  x.set_agent("test");
  x.set_model_version("hand");
  x.set_data_staleness_s(30);
  return x;
}

// One scripted day: returns the ledger text, the accepted-predictions text and the final bankroll.
struct Run {
  std::string ledger;
  std::string accepted;
  double bankroll = 0;
  risk::GateCounts counts;
};

Run Script() {
  std::ostringstream ledger_out, accepted_out;
  auto ledger = risk::PaperLedger::Create({}, 100.0, &ledger_out, &accepted_out);
  REQUIRE(ledger.ok());
  risk::PaperLedger& l = **ledger;
  // 1: home at 1.65, p 0.7, stake 5 of 100: accepted; bankroll 95.
  CHECK((*l.Submit(Pred(kMufc, "Man United", "Tottenham", {1.65, 4, 6}, "home", 0.7), 5.0))
            .verdict() == v1::VERDICT_ACCEPTED);
  // 2: stake 6 of 95 > 4.75: denied stake_above_cap; bankroll stays 95.
  auto denied =
      l.Submit(Pred(kAfcb, "Bournemouth", "Aston Villa", {2.0, 3.6, 4.0}, "away", 0.3), 6.0);
  CHECK(denied->reason() == "stake_above_cap");
  CHECK(denied->stake() == 0.0);
  // 3: away at 4.0, p 0.3 (Kelly (1.2 - 1)/3 = 0.0667), stake 4 of 95: accepted; bankroll 91.
  CHECK(l.Submit(Pred(kAfcb, "Bournemouth", "Aston Villa", {2.0, 3.6, 4.0}, "away", 0.3), 4.0)
            ->bankroll_before() == 95.0);
  CHECK(l.open_exposure() == 9.0);
  // Man United won (home): +5 * 1.65 = 8.25 back; profit 3.25; bankroll 99.25.
  auto s1 = l.Settle(kMufc, 0, absl::FromUnixSeconds(1439041500));
  CHECK(s1->bets == 1);
  CHECK(s1->profit == Approx(3.25));
  // Aston Villa won (away): +4 * 4.0 = 16 back; profit 12; bankroll 115.25.
  auto s2 = l.Settle(kAfcb, 2, absl::FromUnixSeconds(1439048700));
  CHECK(s2->profit == Approx(12.0));
  CHECK(l.Settle(kAfcb, 2, absl::FromUnixSeconds(1439048700))->bets == 0);  // nothing left
  return {ledger_out.str(), accepted_out.str(), l.bankroll(), l.counts()};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out = absl::StrSplit(text, '\n', absl::SkipEmpty());
  return out;
}

}  // namespace

TEST_CASE("the ledger writes every decision and its settlement, bankroll by hand", "[ledger]") {
  const Run run = Script();
  CHECK(run.bankroll == Approx(115.25));
  CHECK(run.counts.accepted == 2);
  CHECK(run.counts.denied_by_reason == std::map<std::string, int64_t>{{"stake_above_cap", 1}});
  const std::vector<std::string> lines = Lines(run.ledger);
  REQUIRE(lines.size() == 5);  // 3 decisions + 2 settlements
  std::vector<v1::Decision> d;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto parsed = scoring::DecisionFromJsonLine(lines[i], static_cast<int64_t>(i + 1));
    INFO(lines[i]);
    REQUIRE(parsed.ok());
    d.push_back(*parsed);
  }
  CHECK(d[0].verdict() == v1::VERDICT_ACCEPTED);
  CHECK_FALSE(d[0].has_profit());
  CHECK(d[1].verdict() == v1::VERDICT_DENIED);
  CHECK(d[1].detail() == "stake 6 > 0.05 x bankroll 95 = 4.75");
  CHECK(d[1].prediction().model_version() == "hand");
  CHECK(d[1].prediction().data_staleness_s() == 30);
  CHECK(d[2].bankroll_before() == 95.0);
  CHECK(d[3].prediction().match_id() == kMufc);
  CHECK(d[3].profit() == Approx(3.25));
  CHECK(d[4].profit() == Approx(12.0));
  // The ledger line carries the metrics: CAS of the home pick = 0.7 * 1.65 * (1/1.65 + 1/4 + 1/6).
  CHECK(d[0].prediction().cas() == Approx(0.7 * 1.65 * (1 / 1.65 + 0.25 + 1 / 6.0)));
  // The accepted predictions are the broadcast plant's input: two Prediction lines.
  std::istringstream in(run.accepted);
  scoring::PredictionStreamReader reader(in);
  int n = 0;
  while (reader.Next()) ++n;
  CHECK(n == 2);
  CHECK(reader.rejected() == 0);
}

TEST_CASE("the same calls give byte-identical ledgers", "[ledger]") {
  const Run a = Script();
  const Run b = Script();
  CHECK(a.ledger == b.ledger);
  CHECK(a.accepted == b.accepted);
}

TEST_CASE("a void match returns the stake", "[ledger]") {
  std::ostringstream out;
  auto ledger = risk::PaperLedger::Create({}, 100.0, &out);
  REQUIRE(ledger.ok());
  REQUIRE((*ledger)
              ->Submit(Pred(kMufc, "Man United", "Tottenham", {1.65, 4, 6}, "home", 0.7), 5.0)
              .ok());
  CHECK((*ledger)->bankroll() == 95.0);
  auto s = (*ledger)->Settle(kMufc, std::nullopt, absl::FromUnixSeconds(1439041500));
  CHECK(s->profit == 0.0);
  CHECK((*ledger)->bankroll() == 100.0);
  CHECK_FALSE((*ledger)->Settle(kMufc, 3, absl::UnixEpoch()).ok());
  CHECK(risk::PaperLedger::Create({}, 0.0, &out).status().message() ==
        "initial bankroll must be finite and > 0, got 0");
}

TEST_CASE("concurrent submissions each write one whole line", "[ledger]") {
  std::ostringstream out;
  auto ledger = risk::PaperLedger::Create({.max_stake_fraction = 1.0}, 1e6, &out);
  REQUIRE(ledger.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&ledger, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string match = "m" + std::to_string(t) + "-" + std::to_string(i);
        (void)(*ledger)->Submit(Pred(match, "A", "B", {1.65, 4, 6}, "home", 0.7), 1.0);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  CHECK((*ledger)->counts().accepted == 200);
  CHECK((*ledger)->bankroll() == Approx(1e6 - 200));
  const std::vector<std::string> lines = Lines(out.str());
  REQUIRE(lines.size() == 200);
  for (size_t i = 0; i < lines.size(); ++i) {
    CHECK(scoring::DecisionFromJsonLine(lines[i], static_cast<int64_t>(i + 1)).ok());
  }
}

// Issue 17: a Decision line that cannot be written must not stake the bankroll (retries would
// stake it once per attempt). Oracle: bankroll arithmetic by hand on E0_1516.csv row 5 (Man
// United v Tottenham, Bet365 1.65): 100 before; one accepted stake of 5 leaves 95.
TEST_CASE("a ledger write that fails records nothing, retries then debit once", "[ledger]") {
  superbet::testing::FailingStream out(/*failing=*/true);
  std::ostringstream accepted_out;
  auto ledger = risk::PaperLedger::Create({}, 100.0, &out, &accepted_out);
  REQUIRE(ledger.ok());
  risk::PaperLedger& l = **ledger;
  const v1::Prediction bet = Pred(kMufc, "Man United", "Tottenham", {1.65, 4, 6}, "home", 0.7);
  for (int attempt = 0; attempt < 4; ++attempt) {
    INFO("attempt " << attempt);
    if (attempt >= 2) out.clear();  // The owner clears the stream; the disk is still full.
    auto d = l.Submit(bet, 5.0);
    REQUIRE(d.status().code() == absl::StatusCode::kDataLoss);
    CHECK(absl::EndsWith(d.status().message(), "decision not recorded"));
    CHECK(l.bankroll() == 100.0);
    CHECK(l.open_exposure() == 0.0);
    CHECK(l.counts().accepted + l.counts().denied == 0);
  }
  CHECK(out.str().empty());
  CHECK(accepted_out.str().empty());
  // Nothing open: settling the match settles nothing.
  CHECK(l.Settle(kMufc, 0, absl::FromUnixSeconds(1439041500)).status().code() ==
        absl::StatusCode::kOk);
  out.set_failing(false);
  out.clear();
  auto d = l.Submit(bet, 5.0);
  REQUIRE(d.ok());
  CHECK(d->verdict() == v1::VERDICT_ACCEPTED);
  CHECK(d->bankroll_before() == 100.0);
  CHECK(l.bankroll() == 95.0);  // 100 - 5, once.
  CHECK(l.open_exposure() == 5.0);
  CHECK(l.counts().accepted == 1);
  CHECK(Lines(out.str()).size() == 1);
  CHECK(Lines(accepted_out.str()).size() == 1);
}
