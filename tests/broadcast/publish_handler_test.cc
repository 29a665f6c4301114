// PublishHandler (superbet/broadcast/publish_handler.h), broadcast-svc's Publish, on the embedded
// transport (the pool's "connections" all reach one in-process store: borrowed_transport.h) and a
// fake clock. Input: predictions built from the real E0 2023/24 matches (plant_support.h).
// Oracles: the store itself (XRANGE finds the returned stream id holding exactly the entry the
// plant's Ingest writes, RiskVerifiedFields); the documented event id rule
// pred-{match_id}-{decided_at ms} computed here from the fields; the documented idempotency (a
// second Publish answers the first stream id and writes nothing, until the marker's ttl, the
// plant's sent_ttl); the counts of calls this test made, against AddCountsTo and the Prometheus
// text; the plant's invariant (plant_support.h) after a plant consumes what Publish wrote.

#include "superbet/broadcast/publish_handler.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "borrowed_transport.h"
#include "plant_support.h"
#include "superbet/bus/embedded_transport.h"
#include "superbet/bus/topics.h"

namespace sb = superbet::broadcast;
namespace st = superbet::testing;
namespace bus = superbet::bus;
namespace v1 = superbet::v1;
using superbet::core::FakeClock;

namespace {

std::vector<v1::PublishRequest> Requests(size_t n, uint64_t seed) {
  const std::vector<std::string> lines = st::PredictionLines("football-data/E0_2324.csv", n, seed);
  REQUIRE(lines.size() == n);
  std::vector<v1::PublishRequest> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto p = sb::ParsePredictionLine(lines[i], static_cast<int>(i + 1));
    REQUIRE(p.ok());
    v1::PublishRequest r;
    r.mutable_decision()->set_verdict(v1::VERDICT_ACCEPTED);
    *r.mutable_decision()->mutable_prediction() = *std::move(p);
    out.push_back(std::move(r));
  }
  return out;
}

std::string DocumentedEventId(const v1::Prediction& p) {
  return absl::StrCat("pred-", p.match_id(), "-",
                      p.decided_at().seconds() * 1000 + p.decided_at().nanos() / 1000000);
}

struct PublishRig {
  FakeClock clock{absl::FromUnixSeconds(1690000000)};
  bus::EmbeddedTransport store{clock};
  std::atomic<int> connections{0};
  bus::TransportPool pool{st::BorrowingConnect(&store, &connections), 4};
  superbet::core::MetricsRegistry registry;
  std::unique_ptr<sb::PublishHandler> handler;

  explicit PublishRig(sb::PlantOptions plant = {}) {
    auto h = sb::PublishHandler::Create(&pool, &clock, plant, &registry);
    REQUIRE(h.ok());
    handler = *std::move(h);
  }
};

}  // namespace

TEST_CASE("PublishHandler: the stream id finds the plant's entry, a repeat returns it",
          "[publish]") {
  PublishRig rig;
  const auto reqs = Requests(2, 21);
  v1::PublishResponse first;
  REQUIRE(rig.handler->Publish(reqs[0], &first).ok());
  CHECK(first.event_id() == DocumentedEventId(reqs[0].decision().prediction()));
  auto entries = rig.store.Range(bus::kRiskVerified);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  CHECK((*entries)[0].id == first.stream_id());
  auto fields = sb::RiskVerifiedFields(reqs[0].decision().prediction());
  REQUIRE(fields.ok());
  CHECK((*entries)[0].fields == *fields);

  // The caller may name the event by its derived id.
  v1::PublishRequest named = reqs[0];
  named.set_event_id(first.event_id());
  v1::PublishResponse second;
  REQUIRE(rig.handler->Publish(named, &second).ok());
  CHECK(second.stream_id() == first.stream_id());
  CHECK(second.event_id() == first.event_id());
  CHECK(rig.store.Range(bus::kRiskVerified)->size() == 1);  // Nothing written.

  v1::PublishResponse other;
  REQUIRE(rig.handler->Publish(reqs[1], &other).ok());
  CHECK(other.stream_id() != first.stream_id());
  CHECK(rig.store.Range(bus::kRiskVerified)->size() == 2);
  CHECK(rig.connections.load() == 1);  // One caller at a time: one pooled connection reused.

  sb::PlantMetrics m;
  rig.handler->AddCountsTo(&m);
  CHECK(m.input_lines == 3);
  CHECK(m.accepted == 2);
  CHECK(m.rejected_by_reason.empty());
  CHECK(absl::StrContains(rig.registry.Exposition(), "\nbroadcast_publish_duplicates_total 1\n"));
}

TEST_CASE("PublishHandler: refusals name the field and value, rejected lines are counted",
          "[publish]") {
  PublishRig rig;
  const auto reqs = Requests(1, 22);
  v1::PublishResponse resp;

  v1::PublishRequest rejected = reqs[0];
  rejected.mutable_decision()->set_verdict(v1::VERDICT_DENIED);
  absl::Status s = rig.handler->Publish(rejected, &resp);
  CHECK(absl::IsFailedPrecondition(s));
  CHECK(s.message() == "decision.verdict must be VERDICT_ACCEPTED, got VERDICT_DENIED");

  v1::PublishRequest renamed = reqs[0];
  renamed.set_event_id("my-key");
  s = rig.handler->Publish(renamed, &resp);
  CHECK(absl::IsInvalidArgument(s));
  CHECK(s.message() == absl::StrCat("event_id must be empty or the derived id \"",
                                    DocumentedEventId(reqs[0].decision().prediction()),
                                    "\", got \"my-key\""));

  v1::PublishRequest bad = reqs[0];
  bad.mutable_decision()->mutable_prediction()->mutable_odds()->set_home(0.97);
  s = rig.handler->Publish(bad, &resp);
  CHECK(absl::IsInvalidArgument(s));
  CHECK(absl::StartsWith(s.message(), "decision.prediction rejected by the plant: odds.home: "));
  CHECK(absl::StrContains(s.message(), "0.97"));
  CHECK(resp.stream_id().empty());
  CHECK(rig.store.Range(bus::kRiskVerified)->empty());  // Nothing written by any refusal.

  // Only the call that reached the plant's reader is an input line; it is a rejected one.
  sb::PlantMetrics m;
  rig.handler->AddCountsTo(&m);
  CHECK(m.input_lines == 1);
  CHECK(m.accepted == 0);
  CHECK(m.rejected_by_reason == std::map<std::string, int64_t>{{"odds.home", 1}});
  // AddCountsTo adds to what a plant counted.
  m.input_lines = 10;
  m.rejected_by_reason["odds.home"] = 2;
  rig.handler->AddCountsTo(&m);
  CHECK(m.input_lines == 11);
  CHECK(m.rejected_by_reason["odds.home"] == 3);
  // The /metrics text: the plant's counters plus Publish's.
  const std::string text = sb::BroadcastMetricsText(sb::PlantMetrics{}, *rig.handler);
  CHECK(absl::StrContains(text, "\nbroadcast_input_lines_total 1\n"));
  CHECK(absl::StrContains(text, "\nbroadcast_rejected_lines_total{reason=\"odds.home\"} 1\n"));
}

TEST_CASE("PublishHandler: the marker lives as long as the plant's sent_ttl", "[publish]") {
  sb::PlantOptions plant;
  plant.sent_ttl = absl::Hours(1);
  PublishRig rig(plant);
  const auto reqs = Requests(1, 23);
  v1::PublishResponse a, b, c;
  REQUIRE(rig.handler->Publish(reqs[0], &a).ok());
  rig.clock.Advance(absl::Minutes(59));
  REQUIRE(rig.handler->Publish(reqs[0], &b).ok());
  CHECK(b.stream_id() == a.stream_id());
  rig.clock.Advance(absl::Minutes(1));
  REQUIRE(rig.handler->Publish(reqs[0], &c).ok());  // Forgotten: a new entry.
  CHECK(c.stream_id() != a.stream_id());
  CHECK(rig.store.Range(bus::kRiskVerified)->size() == 2);
  // The counter is registered once per registry.
  CHECK(sb::PublishHandler::Create(&rig.pool, &rig.clock, plant, &rig.registry).status().code() ==
        absl::StatusCode::kAlreadyExists);
  // Without a registry, duplicates are not counted anywhere, and nothing fails.
  auto bare = sb::PublishHandler::Create(&rig.pool, &rig.clock, plant, nullptr);
  REQUIRE(bare.ok());
  v1::PublishResponse d;
  REQUIRE((*bare)->Publish(reqs[0], &d).ok());
  CHECK(d.stream_id() == c.stream_id());
}

TEST_CASE("PublishHandler: 8 threads, shared and distinct events, consumed by the plant once",
          "[publish]") {
  PublishRig rig;
  const auto reqs = Requests(40, 24);
  std::vector<std::vector<std::string>> shared_ids(8);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        v1::PublishResponse own, shared;
        if (!rig.handler->Publish(reqs[t * 5 + i], &own).ok()) ++failures;
        // Everyone also publishes the first five events.
        if (!rig.handler->Publish(reqs[i], &shared).ok()) ++failures;
        shared_ids[t].push_back(shared.stream_id());
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(failures.load() == 0);
  for (int t = 1; t < 8; ++t) CHECK(shared_ids[t] == shared_ids[0]);
  CHECK(rig.store.Range(bus::kRiskVerified)->size() == 40);
  CHECK(rig.connections.load() <= 4);  // The pool's bound.
  sb::PlantMetrics m;
  rig.handler->AddCountsTo(&m);
  CHECK(m.input_lines == 80);
  CHECK(m.accepted == 40);

  // A plant consumes the entries as its own: every event terminal once, nothing posted twice.
  st::FakePublisher x("twitter", rig.clock), tg("telegram", rig.clock);
  auto plant = sb::BroadcastPlant::Create({}, &rig.store, &rig.clock,
                                          [&](absl::Duration d) { rig.clock.Advance(d); },
                                          {{"twitter", &x}, {"telegram", &tg}});
  REQUIRE(plant.ok());
  REQUIRE((*plant)->Start().ok());
  REQUIRE((*plant)->Drain().ok());
  std::set<std::string> ids;
  for (const auto& r : reqs) ids.insert(DocumentedEventId(r.decision().prediction()));
  st::InvariantReport rep =
      st::CheckInvariant(rig.store, ids, {{"twitter", x.accepted()}, {"telegram", tg.accepted()}});
  CHECK(rep.published["telegram"] + rep.dlq["telegram"] + rep.dropped == 40);
}
