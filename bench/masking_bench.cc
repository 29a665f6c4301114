// Masking micro-benchmarks (issue 9 target: masking one live state <= 50 ns). Baseline in the
// same run: `original_design.py bench-parse` reports ns per CanonicalMatch.get_masked_tensor();
// see bench/README.md.

#include <benchmark/benchmark.h>

#include <array>

#include "superbet/model/masking.h"

namespace sm = superbet::model;

namespace {

superbet::v1::LiveMatchState TypicalState() {
  superbet::v1::LiveMatchState s;
  s.set_match_id("api-football:653808");
  s.set_minute(67);
  s.set_score_home(1);
  s.set_score_away(1);
  s.mutable_home()->set_xg(1.27);  // API-Football: xG present, no dangerous attacks.
  s.mutable_away()->set_xg(0.0);
  s.mutable_home()->set_shots(11);
  s.set_data_staleness_s(0);
  return s;
}

// The fast path: one state -> MaskedFeatures (std::array, no heap).
void BM_MaskLiveState(benchmark::State& state) {
  const superbet::v1::LiveMatchState s = TypicalState();
  for (auto _ : state) {
    benchmark::DoNotOptimize(&s);
    sm::MaskedFeatures m = sm::Mask(s);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_MaskLiveState);

// The generic spec path (function-pointer extractors) with the default spec.
void BM_MaskLiveStateGenericSpec(benchmark::State& state) {
  const superbet::v1::LiveMatchState s = TypicalState();
  const sm::FeatureSpec& spec = sm::FeatureSpec::Default();
  std::array<float, sm::kLiveFeatureCount> values, mask;
  for (auto _ : state) {
    benchmark::DoNotOptimize(&s);
    auto status = sm::Mask(spec, s, absl::MakeSpan(values), absl::MakeSpan(mask));
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(values);
  }
}
BENCHMARK(BM_MaskLiveStateGenericSpec);

// A 10-step window (§4.3: T = 10 one-minute steps) with GRU-D deltas, buffers reused.
void BM_MaskedSequence10Steps(benchmark::State& state) {
  const superbet::v1::LiveMatchState s = TypicalState();
  sm::MaskedSequence seq;
  seq.Reserve(10);
  for (auto _ : state) {
    seq.Clear();
    for (int t = 0; t < 10; ++t) {
      auto status = seq.AppendStep(60.0 * t, sm::Mask(s));
      benchmark::DoNotOptimize(status);
    }
    benchmark::DoNotOptimize(seq.delta_s());
  }
}
BENCHMARK(BM_MaskedSequence10Steps);

}  // namespace

BENCHMARK_MAIN();
