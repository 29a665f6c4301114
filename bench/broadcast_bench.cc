// Broadcast plant benchmarks (issue 15), each beside its baseline measured in the same run:
//
//   BM_BroadcastEvent   filter + priority + CloudEvent JSON + the three platform texts, per event,
//                       on the original design's inputs (bench/broadcast_inputs.py dumps
//                       generate_predictions(10000, 42)); baseline: `original_design.py
//                       bench-broadcast --events 10000` (its broadcast_event figure, us/event).
//                       Target <= 1 us/event.
//   BM_RedisEndToEnd    events/s through a real redis-server started here (127.0.0.1, free port):
//                       risk.verified -> main -> broadcast.queue.priority -> two outboxes -> a
//                       counting sink, rate limits off, filter thresholds 0 (every event passes);
//                       baseline: `redis-benchmark ... XADD benchstream '*' event x`
//                       (redis-benchmark 7.0's `-t xadd` prints nothing) on the same server. Target
//                       >= 50 %. The invariant is checked after the run (every event published once
//                       per platform).
//
// Run: ./build/bench/broadcast_bench (needs python3 with the anchor's imports and redis-server).

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "../tests/support/redis_server.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/broadcast/filter.h"
#include "superbet/broadcast/plant.h"
#include "superbet/broadcast/prediction_input.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/bus/topics.h"

namespace sb = superbet::broadcast;

namespace {

std::string Run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

const std::string kAnchors = std::string(SUPERBET_SOURCE_DIR) + "/../shared/anchors";

std::vector<superbet::v1::Prediction>& Inputs() {
  static std::vector<superbet::v1::Prediction>* inputs = [] {
    auto* v = new std::vector<superbet::v1::Prediction>();
    const std::string path = "/tmp/superbet_broadcast_bench_inputs.jsonl";
    Run(absl::StrCat("/usr/bin/python3 ", SUPERBET_SOURCE_DIR, "/bench/broadcast_inputs.py ",
                     kAnchors, " 10000 42 ", path));
    std::ifstream in(path);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      auto p = sb::ParsePredictionLine(line, ++n);
      if (p.ok()) v->push_back(*std::move(p));
    }
    std::remove(path.c_str());
    return v;
  }();
  return *inputs;
}

// The per-event work of the plant's main stage (plant.cc MainOne) once the line is parsed: filter,
// then, for a passing prediction, move it into the event (BuildEventInto(Prediction&&): the plant
// moves the parsed message, it never copies it), score, format, and write the CloudEvent JSON. The
// predictions moved from are fresh copies of the inputs made with the timer paused, once per
// iteration of 10 000 events. BM_BroadcastEventCopy is the same with the message copied into the
// event inside the timed region (what this benchmark measured before: BuildEventInto(const&)).
void RunBroadcastEvents(benchmark::State& state, bool copy) {
  const auto& inputs = Inputs();
  if (inputs.empty()) {
    state.SkipWithError("no inputs (python3 bench/broadcast_inputs.py failed)");
    return;
  }
  const sb::Formatter formatter = *sb::Formatter::Create({});
  const sb::FilterThresholds thresholds;
  std::string json;
  json.reserve(2048);
  // One event reused for the stream (BuildEventInto): its buffers stop growing after a few events.
  sb::BroadcastEvent e;
  std::vector<superbet::v1::Prediction> fresh;
  size_t passed = 0, bytes = 0;
  for (auto _ : state) {
    if (!copy) {
      state.PauseTiming();
      fresh.assign(inputs.begin(), inputs.end());
      state.ResumeTiming();
    }
    passed = bytes = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (sb::FilterPrediction(inputs[i], thresholds)) continue;
      if (copy) {
        sb::BuildEventInto(inputs[i], formatter, &e);
      } else {
        sb::BuildEventInto(std::move(fresh[i]), formatter, &e);
      }
      json.clear();
      sb::AppendCloudEventJson(e, &json);
      bytes += json.size();
      ++passed;
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * inputs.size());
  state.counters["us_per_event"] = benchmark::Counter(
      static_cast<double>(state.iterations() * inputs.size()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::OneK::kIs1000);
  state.counters["passed"] = static_cast<double>(passed);
  state.counters["mean_json_bytes"] = passed ? static_cast<double>(bytes) / passed : 0;
}

void BM_BroadcastEvent(benchmark::State& state) { RunBroadcastEvents(state, false); }
void BM_BroadcastEventCopy(benchmark::State& state) { RunBroadcastEvents(state, true); }
BENCHMARK(BM_BroadcastEventCopy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BroadcastEvent)->Unit(benchmark::kMillisecond);

class CountingSink final : public sb::Publisher {
 public:
  explicit CountingSink(std::string p) : platform_(std::move(p)) {}
  absl::string_view platform() const override { return platform_; }
  sb::PublishResult Publish(const sb::BroadcastEvent&, absl::string_view) override {
    ++count;
    sb::PublishResult r;
    r.success = true;
    return r;
  }
  int count = 0;

 private:
  std::string platform_;
};

void BM_RedisEndToEnd(benchmark::State& state) {
  superbet::testing::RedisServer server;
  if (!server.ok()) {
    state.SkipWithError("redis-server did not start");
    return;
  }
  const auto& inputs = Inputs();
  std::vector<std::string> lines;
  for (size_t i = 0; i < 1000 && i < inputs.size(); ++i)
    lines.push_back(sb::PredictionToJson(inputs[i]));
  double events_per_s = 0, commands = 0, commands_before = 0;
  bool invariant = true;
  // Commands the server has run (INFO stats total_commands_processed).
  auto total_commands = [&]() {
    const std::string info = Run(absl::StrCat("redis-cli -p ", server.port(), " INFO stats"));
    const size_t at = info.find("total_commands_processed:");
    double total = 0;
    if (at == std::string::npos) return total;
    const size_t start = at + sizeof("total_commands_processed:") - 1;
    (void)absl::SimpleAtod(info.substr(start, info.find('\r', start) - start), &total);
    return total;
  };
  for (auto _ : state) {
    state.PauseTiming();
    auto t = superbet::bus::RedisTransport::Connect(*superbet::bus::ParseRedisUrl(server.url()));
    if (!t.ok()) {
      state.SkipWithError("connect failed");
      return;
    }
    (void)Run(absl::StrCat("redis-cli -p ", server.port(), " FLUSHALL > /dev/null"));
    if (std::getenv("BENCH_FSYNC"))
      (void)Run(absl::StrCat("redis-cli -p ", server.port(), " CONFIG SET appendfsync ",
                             std::getenv("BENCH_FSYNC"), " > /dev/null"));
    commands_before = total_commands();
    CountingSink x("twitter"), tg("telegram");
    sb::PlantOptions o;
    o.rate_limits = false;
    o.thresholds = {0, -1e9, 0};
    o.retention = absl::Hours(24 * 3650);
    superbet::core::FakeClock clock(absl::FromUnixSeconds(1716116400));
    auto plant =
        sb::BroadcastPlant::Create(o, t->get(), &clock, [&](absl::Duration d) { clock.Advance(d); },
                                   {{"twitter", &x}, {"telegram", &tg}});
    if (!plant.ok() || !(*plant)->Start().ok()) {
      state.SkipWithError("plant failed");
      return;
    }
    state.ResumeTiming();
    const absl::Time t0 = absl::Now();
    if (!sb::FeedAndDrain(**plant, lines, nullptr).ok()) {
      state.SkipWithError("run failed");
      return;
    }
    events_per_s = lines.size() / absl::ToDoubleSeconds(absl::Now() - t0);
    commands = total_commands() - commands_before - 1;  // Minus the INFO itself.
    invariant = invariant && x.count == static_cast<int>(lines.size()) &&
                tg.count == static_cast<int>(lines.size());
  }
  // The baseline on the same server, same run: XADD with redis-benchmark's defaults (50 clients);
  // Debian's redis-benchmark 7.0 prints nothing for `-t xadd`, so XADD is given as a command.
  const std::string rb =
      Run(absl::StrCat("redis-benchmark -p ", server.port(),
                       " -n 100000 -q XADD benchstream '*' event x 2>/dev/null"));
  // "...\rXADD: 123456.79 requests per second, p50=..." (progress lines end in '\r').
  double xadd = 0;
  const size_t rps = rb.rfind(" requests per second");
  if (rps != std::string::npos) {
    const size_t start = rb.rfind(' ', rps - 1) + 1;
    (void)absl::SimpleAtod(rb.substr(start, rps - start), &xadd);
  }
  state.counters["events_per_s"] = events_per_s;
  state.counters["xadd_per_s"] = xadd;
  state.counters["ratio"] = xadd > 0 ? events_per_s / xadd : 0;
  state.counters["invariant_ok"] = invariant ? 1 : 0;
  state.counters["commands_per_event"] = commands / std::max<size_t>(1, lines.size());
}
BENCHMARK(BM_RedisEndToEnd)->Unit(benchmark::kMillisecond)->Iterations(1);

// BROADCAST_BENCH_DUMP=PATH: writes the CloudEvent JSON (which carries the three texts) of every
// input, filtered or not, one line each, and exits: the byte-for-byte check of an optimisation
// (run before and after, then cmp).
int DumpOutputs(const char* path) {
  const sb::Formatter formatter = *sb::Formatter::Create({});
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  sb::BroadcastEvent e;
  std::string json;
  auto write = [&](const superbet::v1::Prediction& p) {
    sb::BuildEventInto(p, formatter, &e);
    json.clear();
    sb::AppendCloudEventJson(e, &json);
    out << json << '\n';
  };
  for (const auto& p : Inputs()) write(p);
  // Names beyond the anchor's 13: real ones, escapes, non-Latin, emoji, decomposed (NFD) forms,
  // and one long enough to be shortened on every platform.
  const std::vector<std::string> names = {
      "Brighton & Hove Albion",
      "Nott'm Forest",
      "1. FC K\u00f6ln",
      "Sheffield Weds",
      "Borussia M'gladbach",
      "Atle\u0301tico Madrid",
      "\u0426\u0421\u041a\u0410 \u041c\u043e\u0441\u043a\u0432\u0430",
      "\u6d66\u548c\u30ec\u30c3\u30ba",
      "FC \u26bd\ufe0f Club \U0001F1F9\U0001F1F7",
      "a_b*c[d](e)~f`g>h#i+j-k=l|m{n}o.p!q\\r",
      "Wolverhampton Wanderers Football Club of the West Midlands and Beyond " +
          std::string(300, 'x'),
      "Queens Park Rangers \u00c5\u030a",
      "\"quoted\"\ttab"};
  size_t extra = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = 0; j < names.size(); ++j) {
      superbet::v1::Prediction p = Inputs()[(i * names.size() + j) % Inputs().size()];
      p.set_home(names[i]);
      p.set_away(names[j]);
      write(p);
      ++extra;
    }
  }
  std::fprintf(stderr, "wrote %zu + %zu events to %s\n", Inputs().size(), extra, path);
  return out ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* dump = std::getenv("BROADCAST_BENCH_DUMP")) return DumpOutputs(dump);
  benchmark::Initialize(&argc, argv);
  // The baseline of BM_BroadcastEvent, same input, same run.
  const std::string anchor = Run(absl::StrCat(
      "/usr/bin/python3 ", kAnchors, "/original_design.py bench-broadcast --events 10000"));
  std::fprintf(stderr, "baseline (original_design.py bench-broadcast): %s", anchor.c_str());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
