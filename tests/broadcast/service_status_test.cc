// FillBroadcastStatus and FlushBroadcastDigest (superbet/broadcast/service_status.h), the answers
// of broadcast-svc's GetStatus and FlushDigest, on the embedded transport and a fake clock.
// Input: predictions built from the real E0 2023/24 matches (plant_support.h).
// Oracles: the design's token-bucket capacities (twitter 10/h 50/d, telegram 30/h 200/d, global
// 200/d: a bucket never used is full) and their closed-form refill; the plant's own records in the
// store (the DLQ outcomes in broadcast:outcome:{platform}, the digest lists); proto3 presence
// (a field that has no value is absent, never a 0).

#include "superbet/broadcast/service_status.h"

#include <atomic>
#include <catch2/catch.hpp>

#include "borrowed_transport.h"
#include "plant_support.h"
#include "superbet/bus/embedded_transport.h"

namespace sb = superbet::broadcast;
namespace st = superbet::testing;
namespace bus = superbet::bus;
namespace v1 = superbet::v1;
using superbet::core::FakeClock;

namespace {

// A clock at the start of a 15-minute digest bucket: 1690000200 = 1877778 * 900.
constexpr int64_t kBucketStart = 1690000200;

struct StatusRig {
  FakeClock clock{absl::FromUnixSeconds(kBucketStart)};
  bus::EmbeddedTransport store{clock};
  st::TransportFaults faults;
  st::BorrowedTransport transport{&store, &faults};
  bool telegram_down = false;
  bool twitter_refuses = false;  // A permanent 4xx: straight to the DLQ.
  std::unique_ptr<st::FakePublisher> x, tg;
  std::unique_ptr<sb::BroadcastPlant> plant;

  explicit StatusRig(sb::PlantOptions options = {}) {
    x = std::make_unique<st::FakePublisher>("twitter", clock,
                                            [this](const std::string&, int, absl::Time) {
                                              sb::PublishResult r;
                                              r.success = !twitter_refuses;
                                              r.reason = twitter_refuses ? "http_403" : "";
                                              return r;
                                            });
    tg = std::make_unique<st::FakePublisher>("telegram", clock,
                                             [this](const std::string&, int, absl::Time) {
                                               sb::PublishResult r;
                                               r.success = !telegram_down;
                                               r.retry = telegram_down;
                                               r.reason = telegram_down ? "http_502" : "";
                                               return r;
                                             });
    auto p = sb::BroadcastPlant::Create(options, &transport, &clock,
                                        [this](absl::Duration d) { clock.Advance(d); },
                                        {{"twitter", x.get()}, {"telegram", tg.get()}});
    REQUIRE(p.ok());
    plant = *std::move(p);
    REQUIRE(plant->Start().ok());
  }
};

const v1::PlatformStatus& Platform(const v1::BroadcastStatus& s, const std::string& name) {
  for (const auto& p : s.platforms()) {
    if (p.platform() == name) return p;
  }
  FAIL("no platform " << name);
  return s.platforms(0);
}

}  // namespace

TEST_CASE("FillBroadcastStatus: a fresh plant has full buckets, nothing buffered, no DLQ",
          "[plant][status]") {
  StatusRig rig;
  v1::BroadcastStatus s;
  REQUIRE(sb::FillBroadcastStatus(*rig.plant, rig.clock.Now(), &s).ok());
  REQUIRE(s.platforms_size() == 2);
  CHECK(s.platforms(0).platform() == "telegram");  // Name order.
  CHECK(s.platforms(1).platform() == "twitter");
  const auto& tw = Platform(s, "twitter");
  CHECK(tw.breaker_state() == 0);
  CHECK(tw.digest_size() == 0);
  CHECK_FALSE(tw.has_digest_staleness_s());  // Nothing buffered: absent, not 0.
  REQUIRE(tw.has_hourly_tokens());
  CHECK(tw.hourly_tokens() == 10);
  CHECK(tw.daily_tokens() == 50);
  CHECK(Platform(s, "telegram").hourly_tokens() == 30);
  CHECK(Platform(s, "telegram").daily_tokens() == 200);
  REQUIRE(s.has_global_daily_tokens());
  CHECK(s.global_daily_tokens() == 200);
  CHECK(s.dlq_depth() == 0);
  CHECK(s.observed_at().seconds() == kBucketStart);
  CHECK(s.observed_at().nanos() == 0);

  // Observed at a time with a sub-second part: seconds and nanos split it.
  v1::BroadcastStatus later;
  REQUIRE(
      sb::FillBroadcastStatus(*rig.plant, absl::FromUnixNanos(1'690'000'200'250'000'000), &later)
          .ok());
  CHECK(later.observed_at().seconds() == 1690000200);
  CHECK(later.observed_at().nanos() == 250'000'000);
}

TEST_CASE("FillBroadcastStatus: tokens taken and refilled, no hourly field without an hourly limit",
          "[plant][status]") {
  sb::PlantOptions options;
  options.limits["telegram"].hourly = 0;  // Telegram: daily bucket only.
  StatusRig rig(options);
  const bus::BucketSpec tw{bus::LimitsKey("twitter"), 10, 50};
  REQUIRE(rig.store.Acquire({&tw, 1}, rig.clock.Now())->acquired);
  REQUIRE(rig.store.Acquire({&tw, 1}, rig.clock.Now())->acquired);
  rig.clock.Advance(absl::Seconds(360));  // 360 * 10 / 3600 = 1 hourly token back.
  v1::BroadcastStatus s;
  REQUIRE(sb::FillBroadcastStatus(*rig.plant, rig.clock.Now(), &s).ok());
  CHECK(Platform(s, "twitter").hourly_tokens() == Approx(9).margin(1e-9));
  CHECK(Platform(s, "twitter").daily_tokens() == Approx(48 + 360.0 * 50 / 86400).margin(1e-9));
  CHECK_FALSE(Platform(s, "telegram").has_hourly_tokens());
  CHECK(Platform(s, "telegram").daily_tokens() == 200);
}

TEST_CASE("FillBroadcastStatus: unreadable buckets leave the token fields absent, not 0",
          "[plant][status]") {
  StatusRig rig;
  rig.faults.peek = true;
  v1::BroadcastStatus s;
  const absl::Status st = sb::FillBroadcastStatus(*rig.plant, rig.clock.Now(), &s);
  CHECK(absl::IsUnavailable(st));
  CHECK(st.message() == "test: token buckets unreadable");
  REQUIRE(s.platforms_size() == 2);  // Still answered.
  for (const auto& p : s.platforms()) {
    CHECK_FALSE(p.has_hourly_tokens());
    CHECK_FALSE(p.has_daily_tokens());
  }
  CHECK_FALSE(s.has_global_daily_tokens());
  CHECK(s.observed_at().seconds() == kBucketStart);
}

TEST_CASE("FillBroadcastStatus: dlq_depth counts the DLQ outcomes the plant recorded",
          "[plant][status]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 30, 7);
  StatusRig rig;
  rig.twitter_refuses = true;
  REQUIRE(rig.plant->IngestLines(lines, 1).ok());
  REQUIRE(rig.plant->Drain().ok());
  auto outcomes = rig.store.HashGetAll(bus::OutcomeKey("twitter"));
  REQUIRE(outcomes.ok());
  int64_t dlq = 0;
  for (const auto& [id, outcome] : *outcomes) dlq += outcome.rfind("dlq:", 0) == 0 ? 1 : 0;
  REQUIRE(dlq > 0);
  v1::BroadcastStatus s;
  REQUIRE(sb::FillBroadcastStatus(*rig.plant, rig.clock.Now(), &s).ok());
  CHECK(s.dlq_depth() == dlq);
  CHECK(s.dlq_depth() == static_cast<int64_t>(rig.store.Range(bus::kDlq)->size()));
}

TEST_CASE("FillBroadcastStatus and FlushBroadcastDigest: the digest's size, staleness and flush",
          "[plant][status]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 40, 5);
  StatusRig rig;
  rig.telegram_down = true;
  REQUIRE(rig.plant->IngestLines(lines, 1).ok());
  // Two minutes with telegram down: its breaker opens and events go to the digest buffer.
  REQUIRE(rig.plant->RunUntil(absl::FromUnixSeconds(kBucketStart + 120)).ok());
  REQUIRE(rig.clock.Now() < absl::FromUnixSeconds(kBucketStart + 900));  // Same bucket.
  // The digest lists in the store: their length, and the first event's time (the plant records
  // first_seen when the event enters the main stage, at or after kBucketStart).
  int64_t listed = 0;
  auto keys = rig.store.KeysWithPrefix("broadcast:digest:telegram:");
  REQUIRE(keys.ok());
  for (const std::string& k : *keys) listed += static_cast<int64_t>(rig.store.ListRange(k)->size());
  REQUIRE(listed > 0);
  rig.clock.Advance(absl::Seconds(30));
  v1::BroadcastStatus s;
  REQUIRE(sb::FillBroadcastStatus(*rig.plant, rig.clock.Now(), &s).ok());
  const auto& tg = Platform(s, "telegram");
  CHECK(tg.breaker_state() == 1);  // OPEN.
  CHECK(tg.digest_size() == listed);
  REQUIRE(tg.has_digest_staleness_s());
  CHECK(tg.digest_staleness_s() >= 30);
  CHECK(tg.digest_staleness_s() <=
        absl::ToDoubleSeconds(rig.clock.Now() - absl::FromUnixSeconds(kBucketStart)));

  v1::FlushDigestRequest bad;
  bad.set_platform("myspace");
  v1::FlushDigestResponse unused;
  const absl::Status b = sb::FlushBroadcastDigest(*rig.plant, bad, &unused);
  CHECK(absl::IsInvalidArgument(b));
  CHECK(b.message() == "platform: platform \"myspace\" is not enabled in this plant");

  // The breaker waits 300 s in OPEN: a flush skips telegram and names it.
  v1::FlushDigestRequest req;
  req.set_platform("telegram");
  req.set_include_current(true);
  v1::FlushDigestResponse skipped;
  REQUIRE(sb::FlushBroadcastDigest(*rig.plant, req, &skipped).ok());
  REQUIRE(skipped.skipped_breaker_open_size() == 1);
  CHECK(skipped.skipped_breaker_open(0) == "telegram");
  CHECK(skipped.buckets() == 0);

  // After the wait, telegram back: the flush sends what the digest held, the status shows none.
  rig.clock.Advance(absl::Seconds(300));
  rig.telegram_down = false;
  const size_t before = rig.tg->accepted().size();
  v1::FlushDigestResponse flushed;
  REQUIRE(sb::FlushBroadcastDigest(*rig.plant, req, &flushed).ok());
  CHECK(flushed.skipped_breaker_open_size() == 0);
  CHECK(flushed.buckets() == 1);
  CHECK(flushed.sent() == listed);
  CHECK(flushed.failed() == 0);
  CHECK(flushed.requeued() == 0);
  CHECK(static_cast<int64_t>(rig.tg->accepted().size() - before) == flushed.sent());
  v1::BroadcastStatus after;
  REQUIRE(sb::FillBroadcastStatus(*rig.plant, rig.clock.Now(), &after).ok());
  CHECK(Platform(after, "telegram").digest_size() == 0);
  CHECK_FALSE(Platform(after, "telegram").has_digest_staleness_s());
}
