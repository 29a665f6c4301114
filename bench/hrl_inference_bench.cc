// Live-network inference: streaming (one minute per match: one LSTM step + one attention query)
// against the full-window forward (T = 10 minutes recomputed), at batch 1 and batch 256, on one
// thread. Baseline: ../shared/anchors/original_design.py bench-agent (the original design's
// LiveWorkerAgent in PyTorch, full window, batch 1 and 256), run in the same session; figures and
// ratio in bench/README.md.
//
// Inputs follow the live feature layout (slots 0-25 carry values, masks, implied probabilities,
// momentum, bankroll and volatility; slots 26-63 are 0); the *_dense variants fill all 64 slots.
// A decision is the argmax of the policy logits, as the baseline's decide().

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "superbet/hrl/nn/live_network.h"
#include "superbet/hrl/nn/streaming.h"

namespace nn = superbet::hrl::nn;

namespace {

constexpr int kInput = 64;

float Slot(int row, int minute, int k, bool dense) {
  if (!dense && k >= 26) return 0.0f;
  return 0.5f + 0.4f * std::sin(0.37f * static_cast<float>(row * 131 + minute * 17 + k));
}

const nn::LiveNetwork& Network() {
  static const nn::LiveNetwork* net = [] {
    auto made = nn::MakeLiveNetwork({}, 2026);
    return new nn::LiveNetwork(*std::move(made));
  }();
  return *net;
}

int Argmax3(const float* l) { return static_cast<int>(std::max_element(l, l + 3) - l); }

// Streaming: `batch` open matches all receive a minute each call; 64 distinct minutes of input
// are cycled so the window rolls over. Reports decisions/s and, per call, p50/p99 latency.
void Streaming(benchmark::State& state, bool dense) {
  const int batch = static_cast<int>(state.range(0));
  auto engine = nn::LiveStreamingInference::Create(Network());
  if (!engine.ok()) {
    state.SkipWithError("Create failed");
    return;
  }
  std::vector<int> handles;
  for (int b = 0; b < batch; ++b) handles.push_back(*(*engine)->OpenMatch());
  constexpr int kMinutes = 64;
  std::vector<float> x(static_cast<size_t>(kMinutes) * batch * kInput);
  for (int m = 0; m < kMinutes; ++m) {
    for (int b = 0; b < batch; ++b) {
      for (int k = 0; k < kInput; ++k) {
        x[(static_cast<size_t>(m) * batch + b) * kInput + k] = Slot(b, m, k, dense);
      }
    }
  }
  nn::LiveStepOutput out;
  const size_t per_minute = static_cast<size_t>(batch) * kInput;
  for (int m = 0; m < 12; ++m) {  // warm-up: fill the windows
    (void)(*engine)->Step(handles, absl::MakeConstSpan(x).subspan(m * per_minute, per_minute), {},
                          &out);
  }
  std::vector<double> samples;
  samples.reserve(1 << 16);
  int minute = 0, decisions = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Status s = (*engine)->Step(
        handles, absl::MakeConstSpan(x).subspan(minute * per_minute, per_minute), {}, &out);
    for (int b = 0; b < batch; ++b) decisions += Argmax3(out.policy_logits.data() + 3 * b);
    const auto t1 = std::chrono::steady_clock::now();
    if (!s.ok()) state.SkipWithError("Step failed");
    if (samples.size() < samples.capacity()) {
      samples.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    minute = (minute + 1) % kMinutes;
  }
  benchmark::DoNotOptimize(decisions);
  std::sort(samples.begin(), samples.end());
  if (!samples.empty()) {
    state.counters["p50_us"] = samples[(samples.size() - 1) / 2];
    state.counters["p99_us"] = samples[static_cast<size_t>(0.99 * (samples.size() - 1))];
    state.counters["p50_us_per_decision"] = samples[(samples.size() - 1) / 2] / batch;
  }
  state.counters["decisions_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * batch, benchmark::Counter::kIsRate);
}

void BM_StreamingStep(benchmark::State& state) { Streaming(state, false); }
void BM_StreamingStep_dense(benchmark::State& state) { Streaming(state, true); }

// Full-window forward over T = 10 minutes (no cache): what a non-streaming agent does per minute.
void BM_FullWindowForward(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  std::vector<float> x(static_cast<size_t>(batch) * 10 * kInput);
  for (int b = 0; b < batch; ++b) {
    for (int t = 0; t < 10; ++t) {
      for (int k = 0; k < kInput; ++k) x[(b * 10 + t) * kInput + k] = Slot(b, t, k, false);
    }
  }
  nn::LiveNetworkOutput out;
  std::vector<double> samples;
  samples.reserve(1 << 14);
  int decisions = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Status s =
        nn::LiveNetworkForward(Network(), {batch, 10, x, {}, {}, {}}, nullptr, &out);
    for (int b = 0; b < batch; ++b) decisions += Argmax3(out.policy_logits.data() + 3 * b);
    const auto t1 = std::chrono::steady_clock::now();
    if (!s.ok()) state.SkipWithError("forward failed");
    if (samples.size() < samples.capacity()) {
      samples.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
  }
  benchmark::DoNotOptimize(decisions);
  std::sort(samples.begin(), samples.end());
  if (!samples.empty()) state.counters["p50_us"] = samples[(samples.size() - 1) / 2];
  state.counters["decisions_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * batch, benchmark::Counter::kIsRate);
}

// Training cost: forward with cache + backward over windows of T = 10 (PPO minibatch 64).
void BM_ForwardBackward(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  auto made = nn::MakeLiveNetwork({}, 7);
  nn::LiveNetwork net = *std::move(made);
  std::vector<float> x(static_cast<size_t>(batch) * 10 * kInput);
  for (size_t i = 0; i < x.size(); ++i) x[i] = Slot(0, 0, static_cast<int>(i % 997), true);
  std::vector<float> dp(batch * 3, 0.1f), dv(batch, 0.2f), dout(batch * 3, -0.1f);
  nn::LiveNetworkCache cache;
  nn::LiveNetworkOutput out;
  for (auto _ : state) {
    nn::ZeroGrad(net.Parameters());
    if (!nn::LiveNetworkForward(net, {batch, 10, x, {}, {}, {}}, &cache, &out).ok() ||
        !nn::LiveNetworkBackward(net, cache, {dp, dv, dout}, nullptr).ok()) {
      state.SkipWithError("forward/backward failed");
    }
  }
  state.counters["windows_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * batch, benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_StreamingStep)->Arg(1)->Arg(16)->Arg(64)->Arg(256)->Arg(1024)->UseRealTime();
BENCHMARK(BM_StreamingStep_dense)->Arg(1)->Arg(256)->UseRealTime();
BENCHMARK(BM_FullWindowForward)->Arg(1)->Arg(256)->UseRealTime();
BENCHMARK(BM_ForwardBackward)->Arg(64)->UseRealTime();

BENCHMARK_MAIN();
