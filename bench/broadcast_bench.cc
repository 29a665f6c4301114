// Broadcast plant benchmarks (issue 15), each beside its baseline measured in the same run:
//
//   BM_BroadcastEvent   filter + priority + CloudEvent JSON + the three platform texts, per event,
//                       on the original design's inputs (bench/broadcast_inputs.py dumps
//                       generate_predictions(10000, 42)); baseline: `original_design.py
//                       bench-broadcast --events 10000` (its broadcast_event figure, us/event).
//                       Target <= 1 us/event.
//   BM_RedisEndToEnd    events/s through a real redis-server started here (127.0.0.1, free port,
//                       AOF on, appendfsync always or everysec): 10 000 events risk.verified ->
//                       main -> broadcast.queue.priority -> 2 or 3 outboxes -> null sinks that
//                       record every event id, rate limits off, filter thresholds 0 (every event
//                       passes); baseline: `redis-benchmark -n 10000 XADD benchstream '*' event x`
//                       (its defaults -c 50 -P 1; redis-benchmark 7.0's `-t xadd` prints nothing)
//                       on the same server and configuration, right after. Target >= 50 %. The
//                       invariant is checked after each run and fails the benchmark: every event
//                       published exactly once per platform, outcome hashes all "published", DLQ
//                       empty. Also reported: commands (INFO commandstats) and round trips per
//                       event, CPU of the plant and of redis-server, AOF bytes per event.
//   BM_RedisFloor       the ceiling of ANY plant on this server: the Redis commands the design
//                       needs per event and nothing else (no plant code: no parsing, no filter,
//                       no publisher), the plant's own payloads (the risk.verified JSON line, the
//                       PlantEvent bytes), pipelined in batches of 50 on one connection with
//                       hiredis, so redis-server is the only bottleneck. Per batch: 50 XADD
//                       risk.verified; XREADGROUP; MULTI, 50 XADD priority queue, XACK, EXEC;
//                       XREADGROUP; MULTI, 50 XADD per outbox, XACK, EXEC; then per platform
//                       XREADGROUP, 50 guard SET NX EX 86400, one HSET of 50 outcomes, XACK.
//                       `priority_stage:0` drops the priority stream (main fans out directly),
//                       a lower floor than the design allows. Same baseline as BM_RedisEndToEnd.
//
// Run: ./build/bench/broadcast_bench (needs python3 with the anchor's imports and redis-server).

#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "../lib/broadcast/internal/plant_event.h"
#include "../tests/support/redis_server.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
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

// A null sink that still records what its platform received: every event id, and how many
// publishes (a second publish of one id shows as count > distinct ids). Used by one platform's
// thread only.
class RecordingSink final : public sb::Publisher {
 public:
  explicit RecordingSink(std::string p) : platform_(std::move(p)) {}
  absl::string_view platform() const override { return platform_; }
  sb::PublishResult Publish(const sb::BroadcastEvent& e, absl::string_view) override {
    ++count;
    ids.insert(e.id);
    sb::PublishResult r;
    r.success = true;
    return r;
  }
  int64_t count = 0;
  std::unordered_set<std::string> ids;

 private:
  std::string platform_;
};

// Commands run by the server since its start, by name (INFO commandstats "cmdstat_xadd:calls=N").
// Calls per command name (INFO commandstats; commands run by scripts included); `usec`, when
// given, receives each command's total server microseconds (a script's include its commands').
std::map<std::string, double> CommandStats(int port,
                                           std::map<std::string, double>* usec = nullptr) {
  std::map<std::string, double> out;
  const std::string info = Run(absl::StrCat("redis-cli -p ", port, " INFO commandstats"));
  for (absl::string_view line : absl::StrSplit(info, '\n')) {
    if (!absl::ConsumePrefix(&line, "cmdstat_")) continue;
    const size_t colon = line.find(':');
    const size_t calls = line.find("calls=");
    if (colon == absl::string_view::npos || calls == absl::string_view::npos) continue;
    const size_t end = line.find(',', calls);
    double n = 0;
    (void)absl::SimpleAtod(line.substr(calls + 6, end - calls - 6), &n);
    out[std::string(line.substr(0, colon))] = n;
    const size_t us = line.find("usec=");
    if (usec != nullptr && us != absl::string_view::npos) {
      double u = 0;
      (void)absl::SimpleAtod(line.substr(us + 5, line.find(',', us) - us - 5), &u);
      (*usec)[std::string(line.substr(0, colon))] = u;
    }
  }
  return out;
}

// A numeric field of INFO (e.g. "used_cpu_sys", "aof_current_size"); 0 when absent.
double InfoField(int port, absl::string_view section, absl::string_view field) {
  const std::string info = Run(absl::StrCat("redis-cli -p ", port, " INFO ", section));
  const std::string key = absl::StrCat(field, ":");
  const size_t at = info.find(key);
  double v = 0;
  if (at == std::string::npos) return v;
  const size_t start = at + key.size();
  (void)absl::SimpleAtod(info.substr(start, info.find('\r', start) - start), &v);
  return v;
}

// CPU seconds (user + system) of this process, every thread.
double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
// The system (kernel) part of it.
double ProcessSysSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

// The baseline on the same server, same configuration, same run, same number of events: XADD
// with redis-benchmark's defaults (-c 50, -P 1), in XADD/s (0 when it did not run). Debian's
// redis-benchmark 7.0 prints nothing for `-t xadd`, so its XADD is given as a command.
double RedisBenchmarkXadd(int port, size_t n) {
  const std::string rb = Run(absl::StrCat("redis-benchmark -p ", port, " -n ", n,
                                          " -q XADD benchstream '*' event x 2>/dev/null"));
  // "...\rXADD: 123456.79 requests per second, p50=..." (progress lines end in '\r').
  double xadd = 0;
  const size_t rps = rb.rfind(" requests per second");
  if (rps != std::string::npos) {
    const size_t start = rb.rfind(' ', rps - 1) + 1;
    (void)absl::SimpleAtod(rb.substr(start, rps - start), &xadd);
  }
  return xadd;
}

// Args: {fsync (0 = always, 1 = everysec), platforms (2 = twitter+telegram, 3 = + android),
// concurrency (0 = one connection and thread; 1 = a connection and thread per platform; 2 = also
// one for the priority stage; 3 = persistent stage workers: main, priority and each platform on
// their own thread and connection, blocking reads, BroadcastPlant::StartWorkers),
// batches_per_read}.
void BM_RedisEndToEnd(benchmark::State& state) {
  const bool everysec = state.range(0) == 1;
  const int n_platforms = static_cast<int>(state.range(1));
  const bool concurrent = state.range(2) >= 1;
  const bool priority_connection = state.range(2) == 2;
  const bool workers = state.range(2) == 3;
  const int batches_per_read = static_cast<int>(state.range(3));
  superbet::testing::RedisServer server;  // AOF on, appendfsync always (then set below).
  if (!server.ok()) {
    state.SkipWithError("redis-server did not start");
    return;
  }
  (void)Run(absl::StrCat("redis-cli -p ", server.port(), " CONFIG SET appendfsync ",
                         everysec ? "everysec" : "always", " > /dev/null"));
  const auto& inputs = Inputs();
  const size_t n_events = std::min<size_t>(10000, inputs.size());
  std::vector<std::string> lines;
  for (size_t i = 0; i < n_events; ++i) lines.push_back(sb::PredictionToJson(inputs[i]));
  const std::vector<std::string> names = {"twitter", "telegram", "android"};
  double events_per_s = 0, commands = 0, round_trips = 0, server_cpu_s = 0, plant_cpu_s = 0;
  double aof_bytes = 0, plant_sys_s = 0;
  std::map<std::string, double> per_command, per_command_usec;
  bool invariant = true;
  for (auto _ : state) {
    state.PauseTiming();
    (void)Run(absl::StrCat("redis-cli -p ", server.port(), " FLUSHALL > /dev/null"));
    (void)Run(absl::StrCat("redis-cli -p ", server.port(), " CONFIG RESETSTAT > /dev/null"));
    const auto url = *superbet::bus::ParseRedisUrl(server.url());
    auto t = superbet::bus::RedisTransport::Connect(url);
    if (!t.ok()) {
      state.SkipWithError("connect failed");
      return;
    }
    std::vector<std::unique_ptr<RecordingSink>> sinks;
    std::vector<std::unique_ptr<superbet::bus::RedisTransport>> own;
    std::map<std::string, sb::Publisher*> publishers;
    std::map<std::string, superbet::bus::Transport*> platform_transports;
    std::unique_ptr<superbet::bus::RedisTransport> priority_transport;
    if (priority_connection) {
      auto pt = superbet::bus::RedisTransport::Connect(url);
      if (!pt.ok()) {
        state.SkipWithError("connect failed");
        return;
      }
      priority_transport = *std::move(pt);
    }
    sb::PlantOptions o;
    o.platforms.assign(names.begin(), names.begin() + n_platforms);
    for (const std::string& p : o.platforms) {
      sinks.push_back(std::make_unique<RecordingSink>(p));
      publishers[p] = sinks.back().get();
      auto pt = superbet::bus::RedisTransport::Connect(url);
      if (!pt.ok()) {
        state.SkipWithError("connect failed");
        return;
      }
      own.push_back(*std::move(pt));
      platform_transports[p] = own.back().get();
    }
    o.rate_limits = false;
    o.thresholds = {0, -1e9, 0};
    o.retention = absl::Hours(24 * 3650);
    o.batches_per_read = batches_per_read;
    superbet::core::FakeClock clock(absl::FromUnixSeconds(1716116400));
    auto plant = sb::BroadcastPlant::Create(
        o, t->get(), &clock, [&](absl::Duration d) { clock.Advance(d); }, publishers);
    if (!plant.ok() || !(*plant)->Start().ok() ||
        (concurrent && !workers && !(*plant)->SetPlatformTransports(platform_transports).ok()) ||
        (priority_connection && !(*plant)->SetPriorityTransport(priority_transport.get()).ok())) {
      state.SkipWithError("plant failed");
      return;
    }
    const double server_cpu0 = InfoField(server.port(), "cpu", "used_cpu_sys") +
                               InfoField(server.port(), "cpu", "used_cpu_user");
    const double aof0 = InfoField(server.port(), "persistence", "aof_current_size");
    const double cpu0 = ProcessCpuSeconds();
    const double sys0 = ProcessSysSeconds();
    // The workers' connections (owned by the plant until StopWorkers): their round trips.
    std::vector<superbet::bus::RedisTransport*> worker_conns;
    state.ResumeTiming();
    const absl::Time t0 = absl::Now();
    if (workers &&
        !(*plant)
             ->StartWorkers([&]() -> absl::StatusOr<std::unique_ptr<superbet::bus::Transport>> {
               auto c = superbet::bus::RedisTransport::Connect(url);
               if (!c.ok()) return c.status();
               worker_conns.push_back(c->get());
               return std::unique_ptr<superbet::bus::Transport>(*std::move(c));
             })
             .ok()) {
      state.SkipWithError("workers did not start");
      return;
    }
    if (!sb::FeedAndDrain(**plant, lines, nullptr).ok()) {
      state.SkipWithError("run failed");
      return;
    }
    events_per_s = lines.size() / absl::ToDoubleSeconds(absl::Now() - t0);
    plant_cpu_s = ProcessCpuSeconds() - cpu0;
    plant_sys_s = ProcessSysSeconds() - sys0;
    state.PauseTiming();
    double worker_round_trips = 0;
    for (const auto* c : worker_conns) worker_round_trips += static_cast<double>(c->round_trips());
    if (workers && !(*plant)->StopWorkers().ok()) {
      state.SkipWithError("a stage worker failed");
      return;
    }
    server_cpu_s = InfoField(server.port(), "cpu", "used_cpu_sys") +
                   InfoField(server.port(), "cpu", "used_cpu_user") - server_cpu0;
    aof_bytes = InfoField(server.port(), "persistence", "aof_current_size") - aof0;
    round_trips = static_cast<double>((*t)->round_trips()) + worker_round_trips;
    for (const auto& pt : own) round_trips += static_cast<double>(pt->round_trips());
    if (priority_transport) round_trips += static_cast<double>(priority_transport->round_trips());
    per_command = CommandStats(server.port(), &per_command_usec);
    per_command.erase("config");
    per_command.erase("flushall");
    commands = 0;
    for (const auto& [name, calls] : per_command) commands += calls;
    // The invariant: every event published exactly once on every enabled platform (thresholds 0:
    // none dropped), nothing in the DLQ, every outcome recorded as published.
    for (const auto& sink : sinks) {
      invariant = invariant && sink->count == static_cast<int64_t>(lines.size()) &&
                  sink->ids.size() == lines.size();
    }
    auto dlq = (*t)->Range(superbet::bus::kDlq);
    invariant = invariant && dlq.ok() && dlq->empty();
    for (const std::string& p : o.platforms) {
      auto outcomes = (*t)->HashGetAll(superbet::bus::OutcomeKey(p));
      invariant = invariant && outcomes.ok() && outcomes->size() == lines.size();
      if (outcomes.ok()) {
        for (const auto& [id, outcome] : *outcomes) invariant = invariant && outcome == "published";
      }
    }
    state.ResumeTiming();
  }
  if (!invariant) {
    state.SkipWithError("the invariant does not hold (a platform missed or repeated an event)");
    return;
  }
  const double xadd = RedisBenchmarkXadd(server.port(), lines.size());
  const double n = static_cast<double>(lines.size());
  state.counters["events"] = n;
  state.counters["events_per_s"] = events_per_s;
  state.counters["xadd_per_s"] = xadd;
  state.counters["ratio"] = xadd > 0 ? events_per_s / xadd : 0;
  state.counters["invariant_ok"] = invariant ? 1 : 0;
  state.counters["commands_per_event"] = commands / n;
  state.counters["round_trips_per_event"] = round_trips / n;
  state.counters["plant_cpu_s"] = plant_cpu_s;    // Every thread of the plant, whole run.
  state.counters["plant_sys_s"] = plant_sys_s;    // Its kernel part (syscalls, threads).
  state.counters["server_cpu_s"] = server_cpu_s;  // redis-server during the plant's run.
  state.counters["aof_bytes_per_event"] = aof_bytes / n;
  std::string breakdown;
  for (const auto& [name, calls] : per_command) {
    absl::StrAppend(&breakdown, " ", name, "=", absl::SixDigits(calls / n));
  }
  std::string usec_breakdown;
  for (const auto& [name, us] : per_command_usec) {
    if (us / n >= 0.05) absl::StrAppend(&usec_breakdown, " ", name, "=", absl::SixDigits(us / n));
  }
  std::fprintf(stderr,
               "BM_RedisEndToEnd everysec=%d platforms=%d concurrent=%d batches_per_read=%d: "
               "commands per event:%s; server us per event (commandstats):%s\n",
               everysec ? 1 : 0, n_platforms, static_cast<int>(state.range(2)), batches_per_read,
               breakdown.c_str(), usec_breakdown.c_str());
}
BENCHMARK(BM_RedisEndToEnd)
    ->ArgNames({"everysec", "platforms", "concurrent", "batches_per_read"})
    ->Args({0, 3, 1, 10})  // The plant's defaults, AOF appendfsync always.
    ->Args({1, 3, 1, 10})  // Same, appendfsync everysec.
    ->Args({0, 2, 1, 10})  // Two platforms (the plant's default list; the "before" figures).
    ->Args({1, 2, 1, 10})
    ->Args({0, 3, 0, 1})   // One thread, one batch of 5 per read: the old round-trip pattern.
    ->Args({0, 3, 1, 40})  // 40 batches (200 entries) per read.
    ->Args({0, 3, 2, 10})  // The defaults plus a connection and thread for the priority stage.
    ->Args({1, 3, 2, 10})
    ->Args({0, 3, 3, 10})  // Persistent stage workers (StartWorkers), blocking reads.
    ->Args({1, 3, 3, 10})
    ->Args({0, 2, 3, 10})
    ->Args({1, 2, 3, 10})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// One hiredis connection used as a pipeline: commands are queued (argv) and their replies read
// later, in order. Counts error replies. Single-threaded.
class Pipeline {
 public:
  explicit Pipeline(int port) : c_(redisConnect("127.0.0.1", port)) {}
  ~Pipeline() {
    if (c_ != nullptr) redisFree(c_);
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  bool ok() const { return c_ != nullptr && c_->err == 0; }
  void Add(const std::vector<absl::string_view>& args) {
    argv_.clear();
    len_.clear();
    for (absl::string_view a : args) {
      argv_.push_back(a.data());
      len_.push_back(a.size());
    }
    (void)redisAppendCommandArgv(c_, static_cast<int>(args.size()), argv_.data(), len_.data());
    ++queued_;
  }
  // Reads `n` replies (the oldest queued first); false when the connection failed.
  bool Read(int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      void* r = nullptr;
      if (redisGetReply(c_, &r) != REDIS_OK || r == nullptr) return false;
      if (static_cast<redisReply*>(r)->type == REDIS_REPLY_ERROR) ++errors;
      freeReplyObject(r);
      --queued_;
    }
    return true;
  }
  int64_t queued() const { return queued_; }
  int64_t errors = 0;

 private:
  redisContext* c_;
  std::vector<const char*> argv_;
  std::vector<size_t> len_;
  int64_t queued_ = 0;
};

// Args: {fsync (0 = always, 1 = everysec), platforms (2 or 3), priority_stage (1 = the design's
// broadcast.queue.priority between main and the outboxes; 0 = main fans out directly)}.
void BM_RedisFloor(benchmark::State& state) {
  namespace bus = superbet::bus;
  const bool everysec = state.range(0) == 1;
  const int n_platforms = static_cast<int>(state.range(1));
  const bool priority_stage = state.range(2) == 1;
  superbet::testing::RedisServer server;
  if (!server.ok()) return state.SkipWithError("redis-server did not start");
  (void)Run(absl::StrCat("redis-cli -p ", server.port(), " CONFIG SET appendfsync ",
                         everysec ? "everysec" : "always", " > /dev/null"));
  // The plant's own payloads, built before the clock starts.
  const auto& inputs = Inputs();
  const size_t n = std::min<size_t>(10000, inputs.size());
  const sb::Formatter formatter = *sb::Formatter::Create({});
  struct Payload {
    std::string stream_id, line, event_id, pb, priority, tier;
  };
  std::vector<Payload> ev(n);
  sb::BroadcastEvent e;
  for (size_t i = 0; i < n; ++i) {
    ev[i].stream_id = absl::StrCat(i + 1, "-0");  // Explicit ids: the XACKs are queued blind.
    ev[i].line = sb::PredictionToJson(inputs[i]);
    ev[i].event_id = sb::EventId(inputs[i]);
    sb::BuildEventInto(inputs[i], formatter, &e);
    sb::internal::EncodePlantEvent(e, &ev[i].pb);
    ev[i].priority = absl::StrCat(e.priority_score);
    ev[i].tier = std::string(sb::TierName(e.tier));
  }
  const std::vector<std::string> all = {"twitter", "telegram", "android"};
  const std::vector<std::string> platforms(all.begin(), all.begin() + n_platforms);
  const std::string first_seen = "1716116400000";
  constexpr size_t kBatch = 50;
  constexpr int kAhead = 2;  // Batches in flight (1, 4 and 8 measured no better).
  double events_per_s = 0, server_cpu_s = 0, aof_bytes = 0, commands = 0;
  int64_t errors = 0;
  for (auto _ : state) {
    state.PauseTiming();
    (void)Run(absl::StrCat("redis-cli -p ", server.port(), " FLUSHALL > /dev/null"));
    (void)Run(absl::StrCat("redis-cli -p ", server.port(), " CONFIG RESETSTAT > /dev/null"));
    Pipeline c(server.port());
    if (!c.ok()) return state.SkipWithError("connect failed");
    std::vector<std::pair<std::string, std::string>> groups = {
        {std::string(bus::kRiskVerified), std::string(bus::kMainGroup)},
        {std::string(bus::kPriorityQueue), std::string(bus::kPriorityGroup)}};
    for (const std::string& p : platforms)
      groups.emplace_back(bus::OutboxStream(p), bus::AdapterGroup(p));
    for (const auto& [stream, group] : groups) {
      c.Add({"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"});
    }
    if (!c.Read(c.queued())) return state.SkipWithError("XGROUP CREATE failed");
    c.errors = 0;
    const double cpu0 = InfoField(server.port(), "cpu", "used_cpu_sys") +
                        InfoField(server.port(), "cpu", "used_cpu_user");
    const double aof0 = InfoField(server.port(), "persistence", "aof_current_size");
    const std::string count = std::to_string(kBatch);
    std::vector<absl::string_view> args;
    // Queues batch [b0, b1): every command the design sends for these events.
    auto queue_batch = [&](size_t b0, size_t b1) {
      auto ids = [&](std::vector<absl::string_view> head) {
        for (size_t i = b0; i < b1; ++i) head.push_back(ev[i].stream_id);
        return head;
      };
      auto internal_xadd = [&](absl::string_view stream, size_t i) {
        c.Add({"XADD", stream, ev[i].stream_id, sb::internal::kEventPbField, ev[i].pb, "priority",
               ev[i].priority, "tier", ev[i].tier, "event_id", ev[i].event_id, "first_seen",
               first_seen});
      };
      for (size_t i = b0; i < b1; ++i) {
        c.Add({"XADD", bus::kRiskVerified, ev[i].stream_id, "event", ev[i].line, "event_id",
               ev[i].event_id});
      }
      c.Add({"XREADGROUP", "GROUP", bus::kMainGroup, "floor", "COUNT", count, "STREAMS",
             bus::kRiskVerified, ">"});
      absl::string_view from = bus::kRiskVerified, from_group = bus::kMainGroup;
      if (priority_stage) {
        c.Add({"MULTI"});
        for (size_t i = b0; i < b1; ++i) internal_xadd(bus::kPriorityQueue, i);
        c.Add(ids({"XACK", from, from_group}));
        c.Add({"EXEC"});
        c.Add({"XREADGROUP", "GROUP", bus::kPriorityGroup, "floor", "COUNT", count, "STREAMS",
               bus::kPriorityQueue, ">"});
        from = bus::kPriorityQueue;
        from_group = bus::kPriorityGroup;
      }
      c.Add({"MULTI"});
      for (const auto& [stream, group] : groups) {
        if (group.rfind("broadcast-plant", 0) == 0) continue;
        for (size_t i = b0; i < b1; ++i) internal_xadd(stream, i);
      }
      c.Add(ids({"XACK", from, from_group}));
      c.Add({"EXEC"});
      for (size_t k = 0; k < platforms.size(); ++k) {
        const std::string& stream = groups[2 + k].first;
        const std::string& group = groups[2 + k].second;
        c.Add({"XREADGROUP", "GROUP", group, "floor", "COUNT", count, "STREAMS", stream, ">"});
        for (size_t i = b0; i < b1; ++i) {
          const std::string key = bus::SentKey(platforms[k], ev[i].event_id);
          c.Add({"SET", key, "claimed", "NX", "EX", "86400"});
        }
        std::vector<std::string> fields;
        const std::string outcome_key = bus::OutcomeKey(platforms[k]);
        args = {"HSET", outcome_key};
        for (size_t i = b0; i < b1; ++i) {
          args.push_back(ev[i].event_id);
          args.push_back("published");
        }
        c.Add(args);
        c.Add(ids({"XACK", stream, group}));
      }
    };
    state.ResumeTiming();
    const absl::Time t0 = absl::Now();
    // kAhead batches are queued before the oldest one's replies are read: the server always has
    // work while the client formats and parses.
    std::deque<int64_t> in_flight;  // Commands per queued batch, oldest first.
    for (size_t b0 = 0; b0 < n; b0 += kBatch) {
      const int64_t before = c.queued();
      queue_batch(b0, std::min(n, b0 + kBatch));
      in_flight.push_back(c.queued() - before);
      if (static_cast<int>(in_flight.size()) > kAhead) {
        if (!c.Read(in_flight.front())) return state.SkipWithError("connection lost");
        in_flight.pop_front();
      }
    }
    if (!c.Read(c.queued())) return state.SkipWithError("connection lost");
    events_per_s = n / absl::ToDoubleSeconds(absl::Now() - t0);
    state.PauseTiming();
    errors = c.errors;
    server_cpu_s = InfoField(server.port(), "cpu", "used_cpu_sys") +
                   InfoField(server.port(), "cpu", "used_cpu_user") - cpu0;
    aof_bytes = InfoField(server.port(), "persistence", "aof_current_size") - aof0;
    auto per_command = CommandStats(server.port());
    per_command.erase("config");
    per_command.erase("flushall");
    per_command.erase("xgroup");
    commands = 0;
    for (const auto& [name, calls] : per_command) commands += calls;
    state.ResumeTiming();
  }
  if (errors != 0) return state.SkipWithError("a command of the floor failed");
  const double xadd = RedisBenchmarkXadd(server.port(), n);
  const double events = static_cast<double>(n);
  state.counters["events"] = events;
  state.counters["events_per_s"] = events_per_s;
  state.counters["xadd_per_s"] = xadd;
  state.counters["ratio"] = xadd > 0 ? events_per_s / xadd : 0;
  state.counters["commands_per_event"] = commands / events;
  state.counters["server_us_per_event"] = server_cpu_s * 1e6 / events;
  state.counters["aof_bytes_per_event"] = aof_bytes / events;
}
BENCHMARK(BM_RedisFloor)
    ->ArgNames({"everysec", "platforms", "priority_stage"})
    ->Args({1, 3, 1})  // The design: 3 platforms, priority stream, appendfsync everysec.
    ->Args({0, 3, 1})
    ->Args({1, 3, 0})  // Without the priority stream: below what the design allows.
    ->Args({1, 2, 1})
    ->Args({1, 2, 0})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

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
