// hrl::LiveDecider::Decide on its own: the body of agent-svc's Decide handler (one live state,
// dry run) without gRPC, on the tiny MLP live checkpoint bench/grpc_load_bench trains (seed 7,
// 300 env steps on 3754097 and 3754300) and the live states of 3754237 cycled minute by minute,
// as grpc_load_bench's Decide rows send them. `cold:1` evicts the caches (a 8 MiB sweep) before
// each timed call, as the busy-poll server's handler runs once a millisecond between polls.
// Baseline: none in the original design (no service); figures in bench/README.md beside
// agent-svc's grpc_server_handling_seconds mean.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "superbet/hrl/live_decider.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/providers/replay_provider.h"
#include "live_fixture.h"

namespace {

namespace hrl = superbet::hrl;
namespace providers = superbet::providers;
namespace v1 = superbet::v1;

struct Fixture {
  std::unique_ptr<hrl::LiveDecider> decider;
  std::vector<v1::LiveMatchState> states;
  Fixture() {
    auto d = hrl::LiveDecider::FromCheckpoint(superbet::bench::TrainTinyLiveCheckpoint(), "bench", {});
    if (!d.ok()) std::abort();
    decider = *std::move(d);
    states = superbet::bench::QuotedStates(superbet::bench::LoadLiveMatch("3754237"));
  }
};

Fixture& Shared() {
  static Fixture* f = new Fixture();
  return *f;
}

void BM_LiveDeciderDecide(benchmark::State& state) {
  Fixture& f = Shared();
  const bool cold = state.range(0) != 0;
  std::vector<char> sweep(cold ? (8u << 20) : 0);
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  size_t i = 0;
  for (auto _ : state) {
    if (cold) {
      for (size_t b = 0; b < sweep.size(); b += 64) sweep[b] = static_cast<char>(sweep[b] + 1);
      benchmark::ClobberMemory();
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto d = f.decider->Decide(f.states[i++ % f.states.size()], now, /*dry_run=*/true);
    benchmark::DoNotOptimize(d);
    const auto t1 = std::chrono::steady_clock::now();
    if (!d.ok()) return state.SkipWithError("Decide failed");
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
}
BENCHMARK(BM_LiveDeciderDecide)->ArgName("cold")->Arg(0)->Arg(1)->UseManualTime();

// SUPERBET_LIVE_DECIDER_DUMP=<file>: before the benchmarks, writes every decision of two passes
// over the states (a fresh decider; pass 1 dry run, pass 2 recorded: bets, bankroll, tracker) as
// protobuf text, to compare two builds' outputs byte for byte.
void MaybeDump() {
  const char* path = std::getenv("SUPERBET_LIVE_DECIDER_DUMP");
  if (path == nullptr) return;
  Fixture& f = Shared();
  hrl::LiveDecider& d = *f.decider;
  std::ofstream out(path);
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < f.states.size(); ++i) {
      auto r = d.Decide(f.states[i], absl::FromUnixSeconds(1700000000 + 60 * static_cast<int>(i)),
                        /*dry_run=*/pass == 0);
      out << (r.ok() ? r->DebugString() : r.status().ToString()) << "--\n";
    }
  }
  out << "bankroll " << d.bankroll() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  MaybeDump();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
