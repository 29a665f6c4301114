// PlantRunner (superbet/broadcast/plant_runner.h): the live life cycle broadcast-svc gives its
// plant (start, pump thread or persistent workers, status and flush under the lock, drain on
// shutdown with a deadline on the injected clock), on the embedded transport (the workers'
// "connections" all reach one in-process store: borrowed_transport.h) and a fake clock.
// Input: predictions built from the real E0 2023/24 matches (plant_support.h), handed over by
// PublishHandler as broadcast-svc's Publish does.
// Oracles: the plant's invariant (plant_support.h: every event dropped, published or in the DLQ
// exactly once, nothing posted twice); the token bucket's closed form (an hourly bucket of 1
// token: the n-th post at least (n - 1) h after the first, so a drain deadline shorter than that
// leaves work outstanding); the documented connection count of StartWorkers (2 + platforms); the
// injected clock's time in GetStatus's observed_at.

#include "superbet/broadcast/plant_runner.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "borrowed_transport.h"
#include "plant_support.h"
#include "superbet/broadcast/filter.h"
#include "superbet/broadcast/publish_handler.h"
#include "superbet/bus/embedded_transport.h"

namespace sb = superbet::broadcast;
namespace st = superbet::testing;
namespace bus = superbet::bus;
namespace v1 = superbet::v1;
using superbet::core::FakeClock;

namespace {

constexpr int64_t kStart = 1690000200;

struct RunnerRig {
  FakeClock clock{absl::FromUnixSeconds(kStart)};
  bus::EmbeddedTransport store{clock};
  std::atomic<int> worker_connections{0};
  bus::TransportPool pool{st::BorrowingConnect(&store), 2};
  st::FakePublisher tg{"telegram", clock};
  sb::PlantOptions options;
  std::unique_ptr<sb::PlantRunner> runner;
  std::unique_ptr<sb::PublishHandler> publish;
  std::atomic<int> pump_errors{0};

  // `workers`: persistent stage workers; else the pump thread runs the stages.
  explicit RunnerRig(bool workers, sb::PlantOptions plant_options = {}) : options(plant_options) {
    options.platforms = {"telegram"};
    sb::PlantRunnerOptions run;
    run.pump_period = absl::Milliseconds(2);
    if (workers) run.worker_connect = st::BorrowingConnect(&store, &worker_connections);
    run.on_pump_error = [this](const absl::Status&) { ++pump_errors; };
    auto r = sb::PlantRunner::Create(
        options, &store, &clock, [this](absl::Duration d) { clock.Advance(d); },
        {{"telegram", &tg}}, run);
    REQUIRE(r.ok());
    runner = *std::move(r);
    auto p = sb::PublishHandler::Create(&pool, &clock, options, nullptr);
    REQUIRE(p.ok());
    publish = *std::move(p);
  }

  // Publishes `n` predictions; returns their event ids and how many pass the filter.
  std::set<std::string> PublishLines(size_t n, uint64_t seed, int* passing) {
    const auto lines = st::PredictionLines("football-data/E0_2324.csv", n, seed);
    std::set<std::string> ids;
    *passing = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      auto p = sb::ParsePredictionLine(lines[i], static_cast<int>(i + 1));
      REQUIRE(p.ok());
      if (!sb::FilterPrediction(*p, options.thresholds).has_value()) ++*passing;
      v1::PublishRequest req;
      req.mutable_decision()->set_verdict(v1::VERDICT_ACCEPTED);
      *req.mutable_decision()->mutable_prediction() = *std::move(p);
      v1::PublishResponse resp;
      REQUIRE(publish->Publish(req, &resp).ok());
      ids.insert(resp.event_id());
    }
    return ids;
  }

  // After a drain nothing takes new work: an entry added now stays undelivered to the main
  // group (waits 200 ms of real time, several pump periods and worker blocks).
  void CheckNothingConsumesAfterDrain() {
    // Match 40 of the season: an event none of the tests published before.
    const auto lines = st::PredictionLines("football-data/E0_2324.csv", 40, 99);
    auto p = sb::ParsePredictionLine(lines.back(), 40);
    REQUIRE(p.ok());
    v1::PublishRequest req;
    req.mutable_decision()->set_verdict(v1::VERDICT_ACCEPTED);
    *req.mutable_decision()->mutable_prediction() = *std::move(p);
    v1::PublishResponse resp;
    REQUIRE(publish->Publish(req, &resp).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto undelivered = store.Undelivered(bus::kRiskVerified, bus::kMainGroup);
    REQUIRE(undelivered.ok());
    CHECK(*undelivered == 1);
  }

  // Events the plant has finished with (dropped or posted), from its metrics.
  int64_t Finished() {
    const sb::PlantMetrics m = runner->Metrics();
    int64_t n = 0;
    for (const auto& [reason, k] : m.dropped_by_reason) n += k;
    auto it = m.platforms.find("telegram");
    if (it != m.platforms.end()) {
      for (const auto& [tier, k] : it->second.published_by_tier) n += k;
    }
    return n;
  }

  // Waits (real time, bounded: 20 s) until the plant finished `n` events.
  bool WaitFinished(int64_t n) {
    for (int i = 0; i < 4000; ++i) {
      if (Finished() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
};

}  // namespace

TEST_CASE("PlantRunner: the pump thread consumes what Publish adds, then status, flush, drain",
          "[plant][runner]") {
  sb::PlantOptions options;
  options.rate_limits = false;  // The fake clock stands still while the pump runs.
  RunnerRig rig(/*workers=*/false, options);
  REQUIRE(rig.runner->Start().ok());
  CHECK(rig.runner->Start().code() == absl::StatusCode::kFailedPrecondition);
  int passing = 0;
  const std::set<std::string> ids = rig.PublishLines(30, 31, &passing);
  REQUIRE(passing > 0);
  REQUIRE(rig.WaitFinished(30));  // Nobody but the pump thread runs the plant.

  v1::BroadcastStatus s;
  REQUIRE(rig.runner->Status(&s).ok());
  REQUIRE(s.platforms_size() == 1);
  CHECK(s.platforms(0).platform() == "telegram");
  CHECK(s.observed_at().seconds() == absl::ToUnixSeconds(rig.clock.Now()));  // Injected clock.
  CHECK(s.dlq_depth() == 0);
  v1::FlushDigestRequest bad;
  bad.set_platform("twitter");
  v1::FlushDigestResponse out;
  CHECK(rig.runner->FlushDigest(bad, &out).message() ==
        "platform: platform \"twitter\" is not enabled in this plant");

  const sb::DrainReport r = rig.runner->Drain(absl::Seconds(5));
  CHECK(r.stop_workers.ok());
  CHECK(r.run.ok());
  REQUIRE(r.outstanding.ok());
  CHECK_FALSE(*r.outstanding);
  CHECK(rig.pump_errors.load() == 0);
  // Drained, the pump joined: the publisher can be read, the invariant holds.
  st::InvariantReport rep = st::CheckInvariant(rig.store, ids, {{"telegram", rig.tg.accepted()}});
  CHECK(rep.published["telegram"] == passing);
  CHECK(rep.dropped == 30 - passing);
  // Still answers after the drain; a second drain only asks again.
  CHECK(rig.runner->Metrics().platforms.at("telegram").published_by_tier.size() > 0);
  const sb::DrainReport again = rig.runner->Drain(absl::Seconds(5));
  REQUIRE(again.outstanding.ok());
  CHECK_FALSE(*again.outstanding);
  CHECK(rig.runner->Start().code() == absl::StatusCode::kFailedPrecondition);
  rig.CheckNothingConsumesAfterDrain();
}

TEST_CASE("PlantRunner: the drain deadline is on the injected clock, what waits stays outstanding",
          "[plant][runner]") {
  sb::PlantOptions options;
  options.limits["telegram"] = {1, 200};  // One post an hour.
  for (const absl::Duration deadline : {absl::Minutes(10), absl::Hours(30)}) {
    INFO("deadline " << absl::FormatDuration(deadline));
    RunnerRig rig(/*workers=*/false, options);
    REQUIRE(rig.runner->Start().ok());
    int passing = 0;
    const std::set<std::string> ids = rig.PublishLines(12, 41, &passing);
    REQUIRE(passing >= 3);
    REQUIRE(passing <= 25);  // Within 30 h of hourly tokens.
    // The pump posts the first event; the others wait for tokens on the fake clock, which only
    // the drain's sleeps move.
    const absl::Time before = rig.clock.Now();
    const sb::DrainReport r = rig.runner->Drain(deadline);
    CHECK(r.run.ok());
    REQUIRE(r.outstanding.ok());
    const int64_t posted = static_cast<int64_t>(rig.tg.accept_times().size());
    if (deadline == absl::Minutes(10)) {
      CHECK(*r.outstanding);  // The rest wait for tokens past the deadline: left in the store.
      CHECK(posted == 1);
      CHECK(rig.clock.Now() - before < absl::Hours(1));
    } else {
      CHECK_FALSE(*r.outstanding);
      CHECK(posted == passing);
      // Closed form: the n-th post at least (n - 1) hours after the first.
      const auto& t = rig.tg.accept_times();
      CHECK(t.back() - t.front() >= absl::Hours(passing - 1) - absl::Seconds(1));
      st::CheckInvariant(rig.store, ids, {{"telegram", rig.tg.accepted()}});
    }
  }
}

TEST_CASE("PlantRunner: persistent workers on their own connections, stopped by the drain",
          "[plant][runner]") {
  sb::PlantOptions options;
  options.rate_limits = false;
  RunnerRig rig(/*workers=*/true, options);
  REQUIRE(rig.runner->Start().ok());
  CHECK(rig.worker_connections.load() == 3);  // Main, priority and the one platform stage.
  int passing = 0;
  const std::set<std::string> ids = rig.PublishLines(30, 51, &passing);
  REQUIRE(rig.WaitFinished(30));
  const sb::DrainReport r = rig.runner->Drain(absl::Seconds(5));
  CHECK(r.stop_workers.ok());
  CHECK(r.run.ok());
  REQUIRE(r.outstanding.ok());
  CHECK_FALSE(*r.outstanding);
  CHECK(rig.pump_errors.load() == 0);
  st::InvariantReport rep = st::CheckInvariant(rig.store, ids, {{"telegram", rig.tg.accepted()}});
  CHECK(rep.published["telegram"] == passing);
  rig.CheckNothingConsumesAfterDrain();  // The workers stopped with the drain.
}

TEST_CASE("PlantRunner: a pump error is reported and the pump goes on", "[plant][runner]") {
  FakeClock clock(absl::FromUnixSeconds(kStart));
  bus::EmbeddedTransport store(clock);
  st::TransportFaults faults;
  st::BorrowedTransport transport(&store, &faults);
  st::FakePublisher tg("telegram", clock);
  sb::PlantOptions options;
  options.platforms = {"telegram"};
  options.rate_limits = false;
  absl::Mutex mu;
  std::vector<absl::Status> errors;
  sb::PlantRunnerOptions run;
  run.pump_period = absl::Milliseconds(2);
  run.on_pump_error = [&](const absl::Status& s) {
    absl::MutexLock lock(&mu);
    errors.push_back(s);
  };
  auto runner = sb::PlantRunner::Create(
      options, &transport, &clock, [&](absl::Duration d) { clock.Advance(d); }, {{"telegram", &tg}},
      run);
  REQUIRE(runner.ok());
  REQUIRE((*runner)->Start().ok());
  faults.reads = true;  // Redis stops answering reads.
  auto error_count = [&] {
    absl::MutexLock lock(&mu);
    return errors.size();
  };
  for (int i = 0; i < 4000 && error_count() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(error_count() >= 3);  // Reported on every run, the pump still running.
  {
    absl::MutexLock lock(&mu);
    CHECK(absl::IsUnavailable(errors[0]));
    CHECK(errors[0].message() == "test: stream reads fail");
  }
  faults.reads = false;  // Back: the drain runs clean.
  const sb::DrainReport r = (*runner)->Drain(absl::Seconds(5));
  CHECK(r.run.ok());
  REQUIRE(r.outstanding.ok());
  CHECK_FALSE(*r.outstanding);
}

TEST_CASE("PlantRunner: a platform that fails is logged once, breaker and dead letters included",
          "[plant][runner]") {
  // Oracle: the plant's own counters (broadcast_dlq_total, broadcast_circuit_breaker_state) at the
  // end, which the lines must account for exactly. Before this test the runner logged nothing: a
  // Telegram that refused every post moved events to broadcast.dlq and opened the breaker with
  // not one log line (the style's "degraded modes are logged once and counted").
  FakeClock clock(absl::FromUnixSeconds(kStart));
  bus::EmbeddedTransport store(clock);
  bus::TransportPool pool(st::BorrowingConnect(&store), 1);
  st::FakePublisher tg("telegram", clock, [](const std::string&, int, absl::Time) {
    sb::PublishResult r;
    r.retry = true;
    r.reason = "network";
    r.error = "telegram sendMessage: Connection refused";
    return r;
  });
  sb::PlantOptions options;
  options.platforms = {"telegram"};
  options.rate_limits = false;
  sb::PlantRunnerOptions run;
  run.pump_period = absl::Milliseconds(2);
  absl::Mutex mu;
  std::vector<std::string> lines;
  run.on_degraded = [&](const std::string& line) {
    absl::MutexLock lock(&mu);
    lines.push_back(line);
  };
  auto runner = sb::PlantRunner::Create(
      options, &store, &clock, [&](absl::Duration d) { clock.Advance(d); }, {{"telegram", &tg}},
      run);
  REQUIRE(runner.ok());
  auto publish = sb::PublishHandler::Create(&pool, &clock, options, nullptr);
  REQUIRE(publish.ok());
  REQUIRE((*runner)->Start().ok());
  const auto predictions = st::PredictionLines("football-data/E0_2324.csv", 30, 31);
  for (size_t i = 0; i < predictions.size(); ++i) {
    auto p = sb::ParsePredictionLine(predictions[i], static_cast<int>(i + 1));
    REQUIRE(p.ok());
    if (sb::FilterPrediction(*p, options.thresholds).has_value()) continue;  // Filtered out.
    v1::PublishRequest req;
    req.mutable_decision()->set_verdict(v1::VERDICT_ACCEPTED);
    *req.mutable_decision()->mutable_prediction() = *std::move(p);
    v1::PublishResponse resp;
    REQUIRE((*publish)->Publish(req, &resp).ok());
  }
  auto dead = [&] {
    const sb::PlantMetrics m = (*runner)->Metrics();
    int64_t n = 0;
    for (const auto& [reason, k] : m.platforms.at("telegram").dlq_by_reason) n += k;
    return n;
  };
  for (int i = 0; i < 4000 && dead() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(dead() > 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // Several pump periods.
  (void)(*runner)->Drain(absl::Seconds(1));
  const sb::PlantMetrics m = (*runner)->Metrics();
  const sb::PlatformMetrics& t = m.platforms.at("telegram");
  absl::MutexLock lock(&mu);
  REQUIRE(!lines.empty());
  int64_t logged_dead = 0;
  int breaker_lines = 0;
  for (const std::string& line : lines) {
    INFO(line);
    CHECK(line.rfind("telegram: ", 0) == 0);
    int n = 0;
    if (std::sscanf(line.c_str(), "telegram: %d event(s) moved to broadcast.dlq", &n) == 1) {
      CHECK(line.find("(max_attempts_exceeded); publish errors: network ") != std::string::npos);
      logged_dead += n;
    } else {
      CHECK(line.find("circuit breaker ") != std::string::npos);
      ++breaker_lines;
    }
  }
  CHECK(logged_dead == t.dlq_by_reason.at("max_attempts_exceeded"));
  if (t.breaker_state != 0) {
    CHECK(breaker_lines >= 1);
    CHECK(lines.back().find("circuit breaker") != std::string::npos);
  }
}

TEST_CASE("PlantRunner: bad options are refused at Create", "[plant][runner]") {
  FakeClock clock(absl::FromUnixSeconds(kStart));
  bus::EmbeddedTransport store(clock);
  st::FakePublisher tg("telegram", clock);
  sb::PlantOptions options;
  options.platforms = {"telegram"};
  sb::PlantRunnerOptions run;
  run.pump_period = absl::ZeroDuration();
  auto zero = sb::PlantRunner::Create(
      options, &store, &clock, [](absl::Duration) {}, {{"telegram", &tg}}, run);
  CHECK(absl::IsInvalidArgument(zero.status()));
  CHECK(zero.status().message() == "pump_period must be > 0, got 0");
  run.pump_period = absl::Milliseconds(10);
  options.platforms = {"telegram", "twitter"};  // No publisher for twitter.
  auto missing = sb::PlantRunner::Create(
      options, &store, &clock, [](absl::Duration) {}, {{"telegram", &tg}}, run);
  CHECK(absl::IsInvalidArgument(missing.status()));
}
