// The risk gate and paper ledger on real model output: the Dixon-Coles `model` strategy's bets of
// E0 2015/16 (history 2014/15, raw model forecast), as emitted by --emit-predictions, submitted
// to a PaperLedger (1 % of the current bankroll per bet, min_decimal_odds 2.0, unknown staleness
// allowed: football-data prices carry no collection time) and settled one UTC day later with the
// real results. Oracle, independent of the ledger: (1) the number of odds_below_min denials is
// the number of lines whose pick's price is < 2.0 (nothing else can deny: stakes are 1 %, every
// model bet has Kelly > 0); (2) the final bankroll is the initial one plus the profits recomputed
// here from the CSV results (stake x (o - 1) on a win, -stake on a loss); (3) every ledger line
// parses with the contract reader; (4) a second run gives the same bytes.

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "catch2/catch.hpp"
#include "cli/prediction_emitter.h"
#include "superbet/backtest/engine.h"
#include "superbet/backtest/strategies.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/risk/ledger.h"
#include "superbet/scoring/metrics.h"
#include "superbet/scoring/prediction_json.h"
#include "support/test_data.h"

namespace backtest = superbet::backtest;
namespace fd = superbet::providers::football_data;
namespace risk = superbet::risk;
namespace scoring = superbet::scoring;
namespace v1 = superbet::v1;

namespace {

struct Data {
  std::vector<v1::Fixture> fixtures;
  std::vector<v1::BettingLine> lines;
  std::map<std::string, int> result;  // fixture id -> 0 home win, 1 draw, 2 away win
};

const Data& Seasons() {
  static const Data data = [] {
    Data d;
    for (const char* code : {"1415", "1516"}) {
      auto s = fd::LoadSeasonFile(
          superbet::testing::DataPath(std::string("football-data/E0_") + code + ".csv"),
          fd::ParseMode::kStrict);
      REQUIRE(s.ok());
      d.fixtures.insert(d.fixtures.end(), s->fixtures.begin(), s->fixtures.end());
      d.lines.insert(d.lines.end(), s->lines.begin(), s->lines.end());
    }
    for (const v1::Fixture& f : d.fixtures) {
      const int h = f.full_time().home(), a = f.full_time().away();
      d.result[f.id()] = h > a ? 0 : (h == a ? 1 : 2);
    }
    return d;
  }();
  return data;
}

std::vector<v1::Prediction> ModelPredictions() {
  backtest::ModelStrategyOptions model_options;
  model_options.pool_weight = 1.0;
  backtest::ModelStrategy model(model_options);
  std::ostringstream out;
  superbet::cli::PredictionEmitter emitter(&out);
  backtest::EngineOptions options;
  options.staking = backtest::Staking::kKelly;
  options.bet_seasons = {"2015/16"};
  options.on_bet = emitter.ObserverFor(model.name());
  REQUIRE(backtest::RunBacktest(Seasons().fixtures, Seasons().lines, model, options).ok());
  std::istringstream in(out.str());
  scoring::PredictionStreamReader reader(in);
  std::vector<v1::Prediction> predictions;
  while (auto p = reader.Next()) predictions.push_back(*p);
  REQUIRE(reader.rejected() == 0);
  return predictions;
}

double PickPrice(const v1::Prediction& p) {
  return p.pick() == "home" ? p.odds().home()
                            : (p.pick() == "draw" ? p.odds().draw() : p.odds().away());
}

struct LedgerRun {
  std::string text;
  double bankroll = 0;
  double expected_bankroll = 0;
  risk::GateCounts counts;
};

LedgerRun Run(const std::vector<v1::Prediction>& predictions) {
  risk::RiskLimits limits;
  limits.allow_unknown_staleness = true;
  limits.min_decimal_odds = 2.0;
  std::ostringstream out;
  auto ledger = risk::PaperLedger::Create(limits, 1000.0, &out);
  REQUIRE(ledger.ok());
  LedgerRun run;
  run.expected_bankroll = 1000.0;
  std::vector<std::string> open;  // match ids with an accepted bet, not settled yet
  int64_t day = -1;
  auto settle_all = [&](absl::Time at) {
    for (const std::string& id : open) {
      REQUIRE((*ledger)->Settle(id, Seasons().result.at(id), at).ok());
    }
    open.clear();
  };
  for (const v1::Prediction& p : predictions) {
    const int64_t d = p.decided_at().seconds() / 86400;
    if (d != day) {
      settle_all(absl::FromUnixSeconds(p.decided_at().seconds()));
      day = d;
    }
    const double stake = 0.01 * (*ledger)->bankroll();
    auto decision = (*ledger)->Submit(p, stake);
    REQUIRE(decision.ok());
    if (decision->verdict() == v1::VERDICT_ACCEPTED) {
      open.push_back(p.match_id());
      const bool won = scoring::PickIndex(p.pick()) == Seasons().result.at(p.match_id());
      run.expected_bankroll += won ? stake * (PickPrice(p) - 1) : -stake;
    }
  }
  settle_all(absl::FromUnixSeconds(predictions.back().decided_at().seconds() + 86400));
  run.text = out.str();
  run.bankroll = (*ledger)->bankroll();
  run.counts = (*ledger)->counts();
  return run;
}

}  // namespace

TEST_CASE("the gate and ledger on the model's real 2015/16 bets", "[ledger]") {
  const std::vector<v1::Prediction> predictions = ModelPredictions();
  REQUIRE(predictions.size() > 100);
  int64_t below_two = 0;
  for (const auto& p : predictions) below_two += PickPrice(p) < 2.0 ? 1 : 0;
  const LedgerRun run = Run(predictions);
  CHECK(run.counts.accepted + run.counts.denied == static_cast<int64_t>(predictions.size()));
  CHECK(run.counts.denied_by_reason ==
        std::map<std::string, int64_t>{{"odds_below_min", below_two}});
  CHECK(run.bankroll == Approx(run.expected_bankroll).epsilon(1e-12));
  std::istringstream in(run.text);
  std::string line;
  int64_t n = 0, settlements = 0;
  while (std::getline(in, line)) {
    auto d = scoring::DecisionFromJsonLine(line, ++n);
    REQUIRE(d.ok());
    settlements += d->has_profit() ? 1 : 0;
  }
  CHECK(n == static_cast<int64_t>(predictions.size()) + run.counts.accepted);
  CHECK(settlements == run.counts.accepted);
  CHECK(Run(predictions).text == run.text);
}
