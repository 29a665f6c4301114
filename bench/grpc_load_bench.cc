// gRPC load generator: latency (p50/p99) and throughput over loopback, with an async (callback
// API) client, for
//   * EchoService.Echo        a plain echo handler: the transport's ceiling on this machine;
//   * AdapterService.GetLiveMatch  adapter-svc's real handler (runtime plumbing: admission,
//                             metrics, status mapping) over a replay of StatsBomb 3754097.
// (AgentService.Decide and BroadcastService.Publish join when their services exist.)
//
// Two modes, each bounded in requests and time:
//   open loop  requests sent at a fixed rate (1000/s) whatever the answers do; a request's
//              latency is measured from its SCHEDULED send time, so a stall is not hidden
//              (no coordinated omission);
//   closed loop  C requests in flight at all times (C = 1, 4, 16, 64): the saturation QPS.
// Server and client share this process and the machine's 2 cores (loaded by other builds while
// measured: see bench/README.md). Counters: qps, p50_us, p99_us, errors.
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapter/adapter_service.h"
#include "common/server.h"
#include "superbet/core/clock.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/providers/resilient_provider.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::services {
namespace {

namespace v1 = superbet::v1;
using Clock = std::chrono::steady_clock;

class EchoImpl final : public v1::EchoService::Service {
  grpc::Status Echo(grpc::ServerContext*, const v1::EchoMessage* req,
                    v1::EchoMessage* resp) override {
    *resp = *req;
    return grpc::Status::OK;
  }
};

// One server with both services, started once for the whole program.
struct Fixture {
  std::unique_ptr<ServiceRuntime> rt;
  std::unique_ptr<providers::ReplayProvider> replay;
  std::unique_ptr<providers::ResilientProvider> provider;
  std::unique_ptr<AdapterServiceImpl> adapter;
  EchoImpl echo;
  std::shared_ptr<grpc::Channel> channel;

  Fixture() {
    ServerOptions options;
    options.service = "grpc-load-bench";
    options.grpc_address = "127.0.0.1:0";
    options.metrics_address = "127.0.0.1:0";
    options.rate_limit_qps = 0;
    options.log_level = "warn";
    rt = *ServiceRuntime::Create(options, core::SystemClock::Instance());
    providers::ReplayLoadOptions load;
    load.only_matches = {"statsbomb:3754097"};
    auto data = providers::LoadReplayData(SUPERBET_SOURCE_DIR "/../shared/data", load);
    if (!data.ok()) std::abort();
    // Speed 1: the match stays live (minute ~0) for the whole run.
    replay = *providers::ReplayProvider::Create(*std::move(data), core::SystemClock::Instance(), 1);
    provider = std::make_unique<providers::ResilientProvider>(
        replay.get(), core::SystemClock::Instance(), [](absl::Duration) {});
    adapter = std::make_unique<AdapterServiceImpl>(rt.get(), provider.get(), 15);
    rt->AddService(adapter.get(), "superbet.v1.AdapterService");
    rt->AddService(&echo, "superbet.v1.EchoService");
    if (!rt->Start().ok()) std::abort();
    rt->SetReady(true);
    channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(rt->grpc_port()),
                                  grpc::InsecureChannelCredentials());
  }
};

Fixture& Shared() {
  static Fixture* f = new Fixture();
  return *f;
}

// Issues one call; `done(ok)` runs on completion (on a gRPC thread).
using Issue = std::function<void(std::function<void(bool)>)>;

Issue EchoIssue() {
  auto stub = std::shared_ptr<v1::EchoService::Stub>(v1::EchoService::NewStub(Shared().channel));
  return [stub](std::function<void(bool)> done) {
    struct Call {
      grpc::ClientContext ctx;
      v1::EchoMessage req, resp;
    };
    auto* c = new Call();
    c->req.set_payload(std::string(64, 'x'));
    stub->async()->Echo(&c->ctx, &c->req, &c->resp, [c, done](grpc::Status s) {
      done(s.ok());
      delete c;
    });
  };
}

Issue GetLiveMatchIssue() {
  auto stub =
      std::shared_ptr<v1::AdapterService::Stub>(v1::AdapterService::NewStub(Shared().channel));
  return [stub](std::function<void(bool)> done) {
    struct Call {
      grpc::ClientContext ctx;
      v1::GetLiveMatchRequest req;
      v1::LiveMatchUpdate resp;
    };
    auto* c = new Call();
    c->req.set_match_id("statsbomb:3754097");
    stub->async()->GetLiveMatch(&c->ctx, &c->req, &c->resp, [c, done](grpc::Status s) {
      done(s.ok());
      delete c;
    });
  };
}

struct Result {
  double qps = 0, p50_us = 0, p99_us = 0;
  int64_t errors = 0;
};

Result Summarise(std::vector<double>& latencies_us, double seconds, int64_t errors) {
  Result r;
  std::sort(latencies_us.begin(), latencies_us.end());
  const size_t n = latencies_us.size();
  r.qps = n / seconds;
  r.p50_us = latencies_us[n / 2];
  r.p99_us = latencies_us[std::min(n - 1, n * 99 / 100)];
  r.errors = errors;
  return r;
}

// Open loop: n requests at `rate` per second, latency from the scheduled send time.
Result OpenLoop(const Issue& issue, double rate, int n) {
  std::vector<double> latency(n, 0.0);
  std::atomic<int> completed{0};
  std::atomic<int64_t> errors{0};
  std::mutex mu;
  std::condition_variable cv;
  const auto start = Clock::now() + std::chrono::milliseconds(10);
  const auto period = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / rate));
  for (int i = 0; i < n; ++i) {
    const auto scheduled = start + i * period;
    std::this_thread::sleep_until(scheduled);
    issue([&, i, scheduled](bool ok) {
      latency[i] = std::chrono::duration<double, std::micro>(Clock::now() - scheduled).count();
      if (!ok) errors.fetch_add(1);
      if (completed.fetch_add(1) + 1 == n) {
        std::lock_guard<std::mutex> lock(mu);
        cv.notify_all();
      }
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, std::chrono::seconds(30), [&] { return completed.load() == n; });
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return Summarise(latency, seconds, errors.load() + (n - completed.load()));
}

// Closed loop: `concurrency` calls in flight until n have completed.
Result ClosedLoop(const Issue& issue, int concurrency, int n) {
  std::vector<double> latency(n, 0.0);
  std::atomic<int> issued{0}, completed{0};
  std::atomic<int64_t> errors{0};
  std::mutex mu;
  std::condition_variable cv;
  std::function<void()> next = [&] {
    const int i = issued.fetch_add(1);
    if (i >= n) return;
    const auto sent = Clock::now();
    issue([&, i, sent](bool ok) {
      latency[i] = std::chrono::duration<double, std::micro>(Clock::now() - sent).count();
      if (!ok) errors.fetch_add(1);
      if (completed.fetch_add(1) + 1 == n) {
        std::lock_guard<std::mutex> lock(mu);
        cv.notify_all();
      }
      next();
    });
  };
  const auto start = Clock::now();
  for (int c = 0; c < concurrency; ++c) next();
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, std::chrono::seconds(60), [&] { return completed.load() == n; });
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return Summarise(latency, seconds, errors.load() + (n - completed.load()));
}

void Report(benchmark::State& state, const Result& r) {
  state.counters["qps"] = r.qps;
  state.counters["p50_us"] = r.p50_us;
  state.counters["p99_us"] = r.p99_us;
  state.counters["errors"] = static_cast<double>(r.errors);
}

void Warm(const Issue& issue) { (void)ClosedLoop(issue, 4, 500); }

// Arg: requests at 1000/s.
void BM_Echo_OpenLoop1k(benchmark::State& state) {
  const Issue issue = EchoIssue();
  Warm(issue);
  for (auto _ : state) Report(state, OpenLoop(issue, 1000, static_cast<int>(state.range(0))));
}
void BM_GetLiveMatch_OpenLoop1k(benchmark::State& state) {
  const Issue issue = GetLiveMatchIssue();
  Warm(issue);
  for (auto _ : state) Report(state, OpenLoop(issue, 1000, static_cast<int>(state.range(0))));
}
// Arg: concurrency; 5000 requests.
void BM_Echo_Closed(benchmark::State& state) {
  const Issue issue = EchoIssue();
  Warm(issue);
  for (auto _ : state) Report(state, ClosedLoop(issue, static_cast<int>(state.range(0)), 5000));
}
void BM_GetLiveMatch_Closed(benchmark::State& state) {
  const Issue issue = GetLiveMatchIssue();
  Warm(issue);
  for (auto _ : state) Report(state, ClosedLoop(issue, static_cast<int>(state.range(0)), 5000));
}

BENCHMARK(BM_Echo_OpenLoop1k)->Arg(3000)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_GetLiveMatch_OpenLoop1k)
    ->Arg(3000)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);
BENCHMARK(BM_Echo_Closed)->Arg(1)->Arg(4)->Arg(16)->Arg(64)->Iterations(1)->UseRealTime();
BENCHMARK(BM_GetLiveMatch_Closed)->Arg(1)->Arg(4)->Arg(16)->Arg(64)->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace superbet::services

BENCHMARK_MAIN();
