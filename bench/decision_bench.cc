// Benchmarks of the decision core's contract path, per decision: writing a Prediction JSON line,
// reading one back with validation (the broadcast plant's input), the risk gate's Check, and the
// paper ledger's Submit (gate + Decision line). The line is a real model bet of the backtest:
// Leicester v Sunderland, 2015-08-08, Bet365 1.95 / 3.5 / 4.33, Dixon-Coles p_home 0.5477.
// The original design (../shared/anchors/original_design.py) has no JSON-line reader, risk gate
// or ledger, so there is no baseline; figures are in bench/README.md.
#include <benchmark/benchmark.h>

#include <sstream>
#include <string>

#include "google/protobuf/util/time_util.h"
#include "superbet/risk/gate.h"
#include "superbet/risk/ledger.h"
#include "superbet/scoring/metrics.h"
#include "superbet/scoring/prediction_json.h"

namespace {

namespace v1 = superbet::v1;
using google::protobuf::util::TimeUtil;

v1::Prediction Leicester() {
  v1::Prediction p;
  p.set_match_id("football-data:E0:2015-08-08:Leicester:Sunderland");
  p.set_home("Leicester");
  p.set_away("Sunderland");
  *p.mutable_kickoff() = TimeUtil::SecondsToTimestamp(1438992000);
  p.set_pick("home");
  p.mutable_prob()->set_home(0.54768004955522831);
  p.mutable_prob()->set_draw(0.24155377072730383);
  p.mutable_prob()->set_away(0.21076617971746786);
  p.mutable_odds()->set_home(1.95);
  p.mutable_odds()->set_draw(3.5);
  p.mutable_odds()->set_away(4.33);
  p.set_confidence(1.0);
  (void)superbet::scoring::SetPickMetrics(p);
  *p.mutable_decided_at() = TimeUtil::SecondsToTimestamp(1438992000);
  p.set_agent("model");
  p.set_model_version("dixon-coles");
  p.set_data_staleness_s(30);
  p.set_action(v1::ACTION_BET_HOME);
  return p;
}

void BM_PredictionToJsonLine(benchmark::State& state) {
  const v1::Prediction p = Leicester();
  for (auto _ : state) {
    auto line = superbet::scoring::PredictionToJsonLine(p);
    benchmark::DoNotOptimize(line);
  }
}
BENCHMARK(BM_PredictionToJsonLine);

void BM_PredictionFromJsonLine(benchmark::State& state) {
  const std::string line = *superbet::scoring::PredictionToJsonLine(Leicester());
  for (auto _ : state) {
    auto p = superbet::scoring::PredictionFromJsonLine(line, 1);
    benchmark::DoNotOptimize(p);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
}
BENCHMARK(BM_PredictionFromJsonLine);

void BM_RiskGateCheck(benchmark::State& state) {
  superbet::risk::RiskLimits limits;
  limits.max_exposure_per_match = 1e12;
  limits.max_exposure_per_day = 1e12;
  limits.daily_stop_loss = 1e12;
  auto gate = superbet::risk::RiskGate::Create(limits);
  const v1::Prediction p = Leicester();
  for (auto _ : state) {
    auto verdict = gate->Check(p, 1.0, 1000.0);
    benchmark::DoNotOptimize(verdict);
  }
}
BENCHMARK(BM_RiskGateCheck);

void BM_PaperLedgerSubmit(benchmark::State& state) {
  std::ostringstream out;
  auto ledger = superbet::risk::PaperLedger::Create({}, 1e12, &out);
  const v1::Prediction p = Leicester();
  int64_t n = 0;
  for (auto _ : state) {
    auto d = (*ledger)->Submit(p, 1.0);
    benchmark::DoNotOptimize(d);
    if (++n % 4096 == 0) {  // keep the stream small
      state.PauseTiming();
      out.str("");
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_PaperLedgerSubmit);

}  // namespace

BENCHMARK_MAIN();
