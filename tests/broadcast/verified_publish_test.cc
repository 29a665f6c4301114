// AddVerifiedOnce on the embedded transport (the suite's other implementation, Redis, is covered
// by broadcast-svc's itest), with predictions built from the real E0 2023/24 matches.
//
// Oracles: the stream itself (XRANGE finds the returned id holding exactly the entry the plant's
// Ingest writes for the prediction: RiskVerifiedFields, which plant_test compares with Ingest);
// the documented idempotency (a second add returns the first stream id and writes nothing, until
// the marker's 24 h have passed); the plant's invariant (plant_support.h: every event dropped,
// published or in the DLQ exactly once per platform, nothing received twice) after 8 threads add
// distinct events and re-add a shared set concurrently, then the plant drains.

#include "superbet/broadcast/verified_publish.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "plant_support.h"
#include "superbet/bus/embedded_transport.h"
#include "superbet/bus/topics.h"

namespace sb = superbet::broadcast;
namespace st = superbet::testing;
using superbet::core::FakeClock;

namespace {

std::vector<superbet::v1::Prediction> Predictions(size_t n, uint64_t seed) {
  const std::vector<std::string> lines = st::PredictionLines("football-data/E0_2324.csv", n, seed);
  REQUIRE(lines.size() == n);
  std::vector<superbet::v1::Prediction> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto p = sb::ParsePredictionLine(lines[i], static_cast<int>(i + 1));
    REQUIRE(p.ok());
    out.push_back(*std::move(p));
  }
  return out;
}

TEST_CASE("AddVerifiedOnce: the stream id finds the entry, a second add returns it",
          "[plant][verified]") {
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  superbet::bus::EmbeddedTransport t(clock);
  const auto preds = Predictions(3, 11);
  auto fields = sb::RiskVerifiedFields(preds[0]);
  REQUIRE(fields.ok());
  auto first = sb::AddVerifiedOnce(t, *fields, 0);
  REQUIRE(first.ok());
  CHECK(first->event_id == sb::EventId(preds[0]));
  CHECK_FALSE(first->duplicate);
  auto entries = t.Range(superbet::bus::kRiskVerified);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  CHECK((*entries)[0].id == first->stream_id);
  CHECK((*entries)[0].fields == *fields);
  auto back = sb::ParsePredictionLine((*entries)[0].Field("event"), 1);
  REQUIRE(back.ok());
  CHECK(back->match_id() == preds[0].match_id());
  CHECK(back->odds().home() == preds[0].odds().home());

  auto again = sb::AddVerifiedOnce(t, *fields, 0);
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->stream_id == first->stream_id);
  CHECK(t.Range(superbet::bus::kRiskVerified)->size() == 1);  // Nothing written.

  // The marker is kept for marker_ttl (24 h by default), then forgotten: a later add of the
  // same event is a new entry (the plant's per-platform guard keeps it from a second post).
  auto marker = t.Get(sb::VerifiedMarkerKey(first->event_id));
  REQUIRE(marker.ok());
  CHECK(*marker == std::optional<std::string>(first->stream_id));
  clock.Advance(absl::Hours(24) - absl::Seconds(1));
  CHECK(sb::AddVerifiedOnce(t, *fields, 0)->duplicate);
  clock.Advance(absl::Seconds(1));
  CHECK_FALSE(t.Get(sb::VerifiedMarkerKey(first->event_id))->has_value());
  auto later = sb::AddVerifiedOnce(t, *fields, 0);
  REQUIRE(later.ok());
  CHECK_FALSE(later->duplicate);
  CHECK(later->stream_id != first->stream_id);
  CHECK(t.Range(superbet::bus::kRiskVerified)->size() == 2);

  // Entries without an event id are refused before anything is written.
  superbet::bus::Fields bare = {{"event", "{}"}};
  CHECK(sb::AddVerifiedOnce(t, bare, 0).status().message() ==
        "risk.verified entry: field event_id missing or empty");
}

TEST_CASE("AddVerifiedOnce: 8 threads, distinct and repeated events, every event once",
          "[plant][verified]") {
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  superbet::bus::EmbeddedTransport t(clock);
  sb::PlantOptions options;
  options.retention = absl::Hours(24 * 3650);
  options.platforms = {"telegram"};
  st::FakePublisher tg("telegram", clock);
  auto plant = sb::BroadcastPlant::Create(
      options, &t, &clock, [&](absl::Duration d) { clock.Advance(d); }, {{"telegram", &tg}});
  REQUIRE(plant.ok());
  REQUIRE((*plant)->Start().ok());

  constexpr int kThreads = 8, kPerThread = 15, kShared = 10;
  const auto preds = Predictions(kThreads * kPerThread + kShared, 3);
  // Thread k adds its own 15 events, interleaved with every one of the 10 shared events.
  absl::Mutex mu;
  std::map<std::string, std::set<std::string>> ids_by_event;  // event -> stream ids answered.
  std::atomic<int> added{0}, duplicates{0}, errors{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k) {
    threads.emplace_back([&, k] {
      int own = 0, shared = 0;
      for (int i = 0; i < kPerThread + kShared; ++i) {
        const bool take_shared = shared < kShared && (i % 2 == 0 || own == kPerThread);
        const size_t at = take_shared ? kThreads * kPerThread + shared++ : k * kPerThread + own++;
        auto fields = sb::RiskVerifiedFields(preds[at]);
        if (!fields.ok()) {
          errors.fetch_add(1);
          continue;
        }
        auto r = sb::AddVerifiedOnce(t, *fields, 0);
        if (!r.ok()) {
          errors.fetch_add(1);
          continue;
        }
        (r->duplicate ? duplicates : added).fetch_add(1);
        absl::MutexLock lock(&mu);
        ids_by_event[r->event_id].insert(r->stream_id);
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(errors.load() == 0);
  const int events = kThreads * kPerThread + kShared;
  // Each event was added exactly once; every other call got its stream id.
  CHECK(added.load() == events);
  CHECK(duplicates.load() == (kThreads - 1) * kShared);
  CHECK(static_cast<int>(ids_by_event.size()) == events);
  for (const auto& [event, ids] : ids_by_event) {
    INFO(event);
    CHECK(ids.size() == 1);  // Every answer for an event names the same entry.
  }
  auto entries = t.Range(superbet::bus::kRiskVerified);
  REQUIRE(entries.ok());
  REQUIRE(static_cast<int>(entries->size()) == events);
  std::set<std::string> expected;
  for (const auto& p : preds) expected.insert(sb::EventId(p));
  for (const auto& e : *entries) {
    INFO(e.Field("event_id"));
    CHECK(expected.count(e.Field("event_id")) == 1);
    CHECK(*ids_by_event[e.Field("event_id")].begin() == e.id);
  }

  // The plant consumes them as any producer's entries: every event terminal, once.
  REQUIRE((*plant)->Drain().ok());
  CHECK_FALSE(*(*plant)->Outstanding());
  st::InvariantReport rep = st::CheckInvariant(t, expected, {{"telegram", tg.accepted()}});
  CHECK(rep.dropped > 0);
  CHECK(rep.dropped + rep.published["telegram"] + rep.dlq["telegram"] == events);
  CHECK(static_cast<int>(tg.accepted().size()) == events - rep.dropped);
}

}  // namespace
