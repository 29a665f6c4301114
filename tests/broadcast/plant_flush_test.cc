// BroadcastPlant::FlushDigestNow and BucketLevels, embedded transport on a fake clock.
// Input: predictions built from the real E0 2023/24 matches (plant_support.h).
// Oracles: the token bucket's closed form (capacity minus the tokens taken; design limits
// twitter 10/h 50/d, telegram 30/h 200/d, global 200/d); conservation of the digest (every
// buffered event is, after a flush, sent, in the DLQ or back in the buffer, and the publisher
// received exactly the events counted as sent); the breaker's 300 s wait in OPEN (a flush skips
// a platform whose breaker is waiting, as the periodic flusher does).

#include <catch2/catch.hpp>

#include "plant_support.h"
#include "superbet/bus/embedded_transport.h"

namespace sb = superbet::broadcast;
namespace st = superbet::testing;
namespace bus = superbet::bus;
using superbet::core::FakeClock;

namespace {

// A clock at the start of a 15-minute digest bucket: 1690000200 = 1877778 * 900.
constexpr int64_t kBucketStart = 1690000200;

struct FlushRig {
  FakeClock clock{absl::FromUnixSeconds(kBucketStart)};
  bus::EmbeddedTransport transport{clock};
  bool telegram_down = true;
  std::unique_ptr<st::FakePublisher> x, tg;
  std::unique_ptr<sb::BroadcastPlant> plant;

  FlushRig() {
    x = std::make_unique<st::FakePublisher>("twitter", clock);
    tg = std::make_unique<st::FakePublisher>("telegram", clock,
                                             [this](const std::string&, int, absl::Time) {
                                               sb::PublishResult r;
                                               r.success = !telegram_down;
                                               r.retry = telegram_down;
                                               r.reason = telegram_down ? "http_502" : "";
                                               return r;
                                             });
    auto p = sb::BroadcastPlant::Create({}, &transport, &clock,
                                        [this](absl::Duration d) { clock.Advance(d); },
                                        {{"twitter", x.get()}, {"telegram", tg.get()}});
    REQUIRE(p.ok());
    plant = *std::move(p);
    REQUIRE(plant->Start().ok());
  }
};

int64_t Published(const st::FakePublisher& p) {
  int64_t n = 0;
  for (const auto& [id, k] : p.accepted()) n += k;
  return n;
}

}  // namespace

TEST_CASE("plant: bucket levels are the capacities minus the tokens taken", "[plant]") {
  FlushRig rig;
  auto fresh = rig.plant->BucketLevels();
  REQUIRE(fresh.ok());
  REQUIRE(fresh->size() == 3);
  CHECK(fresh->at("twitter").hourly == 10);
  CHECK(fresh->at("twitter").daily == 50);
  CHECK(fresh->at("telegram").hourly == 30);
  CHECK(fresh->at("telegram").daily == 200);
  CHECK(fresh->at("global").hourly == 0);  // No hourly global limit.
  CHECK(fresh->at("global").daily == 200);
  // Two tokens taken from twitter's bucket now, one from the global bucket.
  const bus::BucketSpec tw{bus::LimitsKey("twitter"), 10, 50};
  const bus::BucketSpec gl{bus::LimitsKey("global"), 0, 200};
  REQUIRE(rig.transport.Acquire({&tw, 1}, rig.clock.Now())->acquired);
  REQUIRE(rig.transport.Acquire({&tw, 1}, rig.clock.Now())->acquired);
  REQUIRE(rig.transport.Acquire({&gl, 1}, rig.clock.Now())->acquired);
  auto after = rig.plant->BucketLevels();
  REQUIRE(after.ok());
  CHECK(after->at("twitter").hourly == 8);
  CHECK(after->at("twitter").daily == 48);
  CHECK(after->at("telegram").hourly == 30);
  CHECK(after->at("global").daily == 199);
  // 360 s later twitter's hourly bucket has refilled 360 * 10 / 3600 = 1 token, the daily one
  // 360 * 50 / 86400.
  rig.clock.Advance(absl::Seconds(360));
  auto later = rig.plant->BucketLevels();
  REQUIRE(later.ok());
  CHECK(later->at("twitter").hourly == Approx(9).margin(1e-9));
  CHECK(later->at("twitter").daily == Approx(48 + 360.0 * 50 / 86400).margin(1e-9));
}

TEST_CASE("plant: FlushDigestNow skips a waiting breaker, then empties the digest", "[plant]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 40, 5);
  FlushRig rig;
  REQUIRE(rig.plant->IngestLines(lines, 1).ok());
  // Two minutes with telegram down: its breaker opens and events go to the digest buffer.
  REQUIRE(rig.plant->RunUntil(absl::FromUnixSeconds(kBucketStart + 120)).ok());
  REQUIRE(rig.clock.Now() < absl::FromUnixSeconds(kBucketStart + 900));  // Same bucket.
  sb::PlantMetrics m = rig.plant->metrics();
  REQUIRE(m.platforms["telegram"].breaker_state == 1);  // OPEN.
  const int64_t buffered = m.platforms["telegram"].digest_buffer_size;
  REQUIRE(buffered > 0);

  CHECK(absl::IsInvalidArgument(rig.plant->FlushDigestNow({"myspace"}).status()));
  // The breaker waits 300 s in OPEN: the platform is skipped and named.
  auto skipped = rig.plant->FlushDigestNow({"telegram"}, true);
  REQUIRE(skipped.ok());
  CHECK(skipped->skipped_breaker_open == std::vector<std::string>{"telegram"});
  CHECK(skipped->buckets == 0);
  // Closed buckets only: the digest is in the current bucket, nothing to flush.
  rig.clock.Advance(absl::Seconds(400));
  REQUIRE(rig.clock.Now() < absl::FromUnixSeconds(kBucketStart + 900));
  auto closed_only = rig.plant->FlushDigestNow();
  REQUIRE(closed_only.ok());
  CHECK(closed_only->buckets == 0);
  CHECK(closed_only->sent == 0);
  CHECK(rig.plant->metrics().platforms["telegram"].digest_buffer_size == buffered);

  // Telegram is back; flushing the current bucket too publishes what the digest held.
  rig.telegram_down = false;
  const int64_t before = Published(*rig.tg);
  auto flushed = rig.plant->FlushDigestNow({"telegram"}, true);
  REQUIRE(flushed.ok());
  CHECK(flushed->buckets == 1);
  CHECK(flushed->skipped_breaker_open.empty());
  CHECK(flushed->sent + flushed->failed + flushed->requeued == buffered);
  CHECK(flushed->sent >= 1);
  CHECK(Published(*rig.tg) - before == flushed->sent);
  CHECK(rig.plant->metrics().platforms["telegram"].digest_buffer_size == flushed->requeued);
  auto records = rig.transport.Range(bus::kDigestStream);
  REQUIRE(records.ok());
  CHECK(records->size() == 1);  // One broadcast.digest.buffer record per flushed bucket.
}
