// The plant's binary internal event (broadcast/internal/plant_event.h, PlantEvent of
// proto/superbet/v1/plant_event.proto). Oracles: protobuf's own serializer of the same PlantEvent
// (the hand-written encoder must write its bytes), and the main stage's path before the binary
// form existed: every platform must still receive, for each event, exactly the event and the
// CloudEvent JSON that BuildEvent + AppendCloudEventJson give for the input line (real E0 2023/24
// lines from ../shared/data). An outbox entry in the earlier JSON form (field `event`) is still
// delivered.

#include "broadcast/internal/plant_event.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catch2/catch.hpp"
#include "plant_support.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/broadcast/plant.h"
#include "superbet/broadcast/prediction_input.h"
#include "superbet/bus/embedded_transport.h"
#include "superbet/bus/topics.h"
#include "superbet/v1/plant_event.pb.h"

namespace {

namespace sb = superbet::broadcast;
namespace st = superbet::testing;
using superbet::core::FakeClock;

// Records the (event, JSON) pairs a platform receives.
class CapturingSink final : public sb::Publisher {
 public:
  explicit CapturingSink(std::string p) : platform_(std::move(p)) {}
  absl::string_view platform() const override { return platform_; }
  sb::PublishResult Publish(const sb::BroadcastEvent& e, absl::string_view json) override {
    got[e.id].push_back({e, std::string(json)});
    sb::PublishResult r;
    r.success = true;
    return r;
  }
  std::map<std::string, std::vector<std::pair<sb::BroadcastEvent, std::string>>> got;

 private:
  std::string platform_;
};

sb::BroadcastEvent EventOf(const std::string& line) {
  auto p = sb::ParsePredictionLine(line, 1);
  REQUIRE(p.ok());
  return sb::BuildEvent(*p, *sb::Formatter::Create({}));
}

}  // namespace

TEST_CASE("PlantEvent encoding is protobuf's and decodes to the same event", "[plant_event]") {
  for (const std::string& line : st::PredictionLines("football-data/E0_2324.csv", 60, 11)) {
    const sb::BroadcastEvent e = EventOf(line);
    std::string bytes;
    sb::internal::EncodePlantEvent(e, &bytes);
    superbet::v1::broadcast::PlantEvent w;
    *w.mutable_prediction() = e.prediction;
    w.set_priority_score(e.priority_score);
    w.set_tier(static_cast<int>(e.tier));
    w.set_x(e.texts.x);
    w.set_telegram(e.texts.telegram);
    w.set_android_title(e.texts.android.title);
    w.set_android_body(e.texts.android.body);
    CHECK(bytes == w.SerializeAsString());
    sb::BroadcastEvent back;
    REQUIRE(sb::internal::DecodePlantEvent(bytes, &back));
    CHECK(back.prediction.SerializeAsString() == e.prediction.SerializeAsString());
    CHECK(back.id == e.id);
    CHECK(back.decided_at_ms == e.decided_at_ms);
    CHECK(back.priority_score == e.priority_score);
    CHECK(back.tier == e.tier);
    CHECK(back.texts.x == e.texts.x);
    CHECK(back.texts.telegram == e.texts.telegram);
    CHECK(back.texts.android.title == e.texts.android.title);
    CHECK(back.texts.android.body == e.texts.android.body);
    CHECK(sb::CloudEventJson(back) == sb::CloudEventJson(e));
  }
  sb::BroadcastEvent e;
  CHECK_FALSE(sb::internal::DecodePlantEvent("\xff\xff", &e));
  superbet::v1::broadcast::PlantEvent bad_tier;
  bad_tier.set_tier(9);
  CHECK_FALSE(sb::internal::DecodePlantEvent(bad_tier.SerializeAsString(), &e));
}

TEST_CASE("every platform receives the main stage's event and CloudEvent JSON", "[plant_event]") {
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  superbet::bus::EmbeddedTransport transport(clock);
  CapturingSink x("twitter"), tg("telegram"), android("android");
  sb::PlantOptions o;
  o.platforms = {"twitter", "telegram", "android"};
  o.rate_limits = false;
  o.thresholds = {0, -1e9, 0};  // Everything passes.
  o.retention = absl::Hours(24 * 3650);
  auto plant =
      sb::BroadcastPlant::Create(o, &transport, &clock, [&](absl::Duration d) { clock.Advance(d); },
                                 {{"twitter", &x}, {"telegram", &tg}, {"android", &android}});
  REQUIRE(plant.ok());
  REQUIRE((*plant)->Start().ok());
  const std::vector<std::string> lines = st::PredictionLines("football-data/E0_2324.csv", 80, 3);
  REQUIRE(sb::FeedAndDrain(**plant, lines, nullptr).ok());
  std::map<std::string, std::string> expected;  // Event id -> CloudEvent JSON.
  for (const std::string& line : lines) {
    const sb::BroadcastEvent e = EventOf(line);
    expected[e.id] = sb::CloudEventJson(e);
  }
  for (const CapturingSink* sink : {&x, &tg, &android}) {
    REQUIRE(sink->got.size() == expected.size());
    for (const auto& [id, got] : sink->got) {
      REQUIRE(got.size() == 1);  // Once per platform.
      CHECK(got[0].second == expected.at(id));
      CHECK(sb::CloudEventJson(got[0].first) == expected.at(id));
    }
  }
}

TEST_CASE("an outbox entry in the JSON form is still delivered", "[plant_event]") {
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  superbet::bus::EmbeddedTransport transport(clock);
  CapturingSink tg("telegram");
  sb::PlantOptions o;
  o.platforms = {"telegram"};
  o.rate_limits = false;
  auto plant = sb::BroadcastPlant::Create(
      o, &transport, &clock, [&](absl::Duration d) { clock.Advance(d); }, {{"telegram", &tg}});
  REQUIRE(plant.ok());
  REQUIRE((*plant)->Start().ok());
  const sb::BroadcastEvent e =
      EventOf(st::PredictionLines("football-data/E0_2324.csv", 1, 3).front());
  namespace bus = superbet::bus;
  REQUIRE(transport
              .Add(bus::OutboxStream("telegram"), {{"event", sb::CloudEventJson(e)},
                                                   {"priority", "0.5"},
                                                   {"tier", "high"},
                                                   {"event_id", e.id},
                                                   {"first_seen", "1690000000000"}})
              .ok());
  REQUIRE((*plant)->Drain().ok());
  REQUIRE(tg.got.size() == 1);
  CHECK(tg.got.begin()->first == e.id);
  CHECK(tg.got.begin()->second[0].second == sb::CloudEventJson(e));
  auto outcomes = transport.HashGetAll(bus::OutcomeKey("telegram"));
  REQUIRE(outcomes.ok());
  CHECK(*outcomes == bus::Fields{{e.id, "published"}});
}
