// Benchmarks of the odds maths and the reward: margin removal per method on one 1X2 market
// (Man United v Fulham, 16/08/2024, Bet365 1.6 / 4.2 / 5.25), Kelly, and ComputeReward per call
// on the inputs the seed's original_design.py bench-agent uses for its compute_reward figure.
// Figures and the Python baseline are recorded in bench/README.md.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "superbet/odds/implied.h"
#include "superbet/odds/kelly.h"
#include "superbet/odds/margin.h"
#include "superbet/reward/reward.h"

namespace {

using superbet::odds::MarginMethod;

const std::vector<double>& Market() {
  static const std::vector<double> market = {1.6, 4.2, 5.25};
  return market;
}

void BM_RemoveMargin(benchmark::State& state) {
  const auto method = static_cast<MarginMethod>(state.range(0));
  state.SetLabel(std::string(superbet::odds::MarginMethodName(method)));
  for (auto _ : state) {
    auto p = superbet::odds::RemoveMargin(Market(), method);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_RemoveMargin)
    ->Arg(static_cast<int>(MarginMethod::kMultiplicative))
    ->Arg(static_cast<int>(MarginMethod::kAdditive))
    ->Arg(static_cast<int>(MarginMethod::kPower))
    ->Arg(static_cast<int>(MarginMethod::kShin));

void BM_Overround(benchmark::State& state) {
  for (auto _ : state) {
    auto o = superbet::odds::Overround(Market());
    benchmark::DoNotOptimize(o);
  }
}
BENCHMARK(BM_Overround);

void BM_FractionalKelly(benchmark::State& state) {
  double p = 0.5;
  for (auto _ : state) {
    benchmark::DoNotOptimize(p);
    auto f = superbet::odds::FractionalKelly(p, 2.2, 0.25, 0.05);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_FractionalKelly);

// original_design.py bench-agent: compute_reward(state, payout 210, stake 100, staleness 45) with
// market_volatility 0.2, risk_score 0.4, budget 8000 of 10000, avg_odds 2.1, last-10 win rate 0.6.
void BM_ComputeReward(benchmark::State& state) {
  superbet::reward::RewardInputs in;
  in.payout = 210.0;
  in.stake = 100.0;
  in.sigma = 0.2;
  in.rho = 0.4;
  in.budget_remaining = 8000.0;
  in.initial_budget = 10000.0;
  in.data_staleness_s = 45.0;
  in.win_rate_last10 = 0.6;
  in.mean_decimal_odds_last10 = 2.1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(in);
    auto r = superbet::reward::ComputeReward(in);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ComputeReward);

}  // namespace

BENCHMARK_MAIN();
