// The plant in embedded mode (no Redis) on a replay clock, with in-process fake publishers.
// Input: predictions built from the real E0 2023/24 matches (team names, Bet365 prices).
// Oracles: the invariant (every event dropped, published or in the DLQ, exactly once per
// platform; nothing received twice); the token buckets' closed form (the n-th publish of a
// platform is at least (n - H) * 3600 / H s after the first, and (n - D) * 86400 / D s for the
// daily bucket); the breaker's numbers (open above 50 % of the last 10 calls once 5 were made,
// 300 s open); the retry policy (5 attempts, then max_attempts_exceeded; a 4xx is not retried).

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "plant_support.h"
#include "superbet/bus/embedded_transport.h"

namespace sb = superbet::broadcast;
namespace st = superbet::testing;
using superbet::core::FakeClock;

namespace {

struct Rig {
  FakeClock clock{absl::FromUnixSeconds(1690000000)};
  superbet::bus::EmbeddedTransport transport{clock};
  std::unique_ptr<st::FakePublisher> x, tg;
  std::unique_ptr<sb::BroadcastPlant> plant;

  explicit Rig(st::FakePublisher::Script x_script = {}, st::FakePublisher::Script tg_script = {},
               sb::PlantOptions options = {}) {
    // Keep every DLQ entry of a season-long replay (the default 7-day MINID trims them).
    options.retention = absl::Hours(24 * 3650);
    x = std::make_unique<st::FakePublisher>("twitter", clock, std::move(x_script));
    tg = std::make_unique<st::FakePublisher>("telegram", clock, std::move(tg_script));
    auto p = sb::BroadcastPlant::Create(options, &transport, &clock,
                                        [this](absl::Duration d) { clock.Advance(d); },
                                        {{"twitter", x.get()}, {"telegram", tg.get()}});
    REQUIRE(p.ok());
    plant = *std::move(p);
    REQUIRE(plant->Start().ok());
  }
  st::InvariantReport Run(const std::vector<std::string>& lines) {
    REQUIRE(sb::FeedAndDrain(*plant, lines, &clock).ok());
    auto out = plant->Outstanding();
    REQUIRE(out.ok());
    CHECK_FALSE(*out);
    return st::CheckInvariant(transport, st::EventIds(lines),
                              {{"twitter", x->accepted()}, {"telegram", tg->accepted()}});
  }
};

}  // namespace

TEST_CASE("embedded plant: a season's first 120 predictions all end terminal, once", "[plant]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 120, 7);
  REQUIRE(lines.size() == 120);
  Rig rig;
  st::InvariantReport rep = rig.Run(lines);
  const sb::PlantMetrics m = rig.plant->metrics();
  CHECK(m.accepted == 120);
  CHECK(rep.dropped > 0);
  CHECK(rep.dropped < 120);
  // Nothing fails: every passing event is published on both platforms.
  CHECK(rep.published["twitter"] == 120 - rep.dropped);
  CHECK(rep.published["telegram"] == 120 - rep.dropped);
  CHECK(rep.dlq["twitter"] == 0);
  int64_t drops = 0;
  for (const auto& [reason, n] : m.dropped_by_reason) drops += n;
  CHECK(drops == rep.dropped);
}

TEST_CASE("embedded plant: a burst waits for tokens, never dropped (10/h, 50/d on X)", "[plant]") {
  // 150 predictions all decided within the same second: the buckets make them wait.
  auto lines = st::PredictionLines("football-data/E0_2324.csv", 150, 21);
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t at = lines[i].find("\"decided_at\":\"");
    REQUIRE(at != std::string::npos);
    const size_t end = lines[i].find('"', at + 14);
    lines[i].replace(at + 14, end - at - 14, absl::StrFormat("2023-08-11T10:00:00.%03dZ", i));
  }
  Rig rig;
  st::InvariantReport rep = rig.Run(lines);
  const int passed = 150 - rep.dropped;
  REQUIRE(passed > 60);
  CHECK(rep.published["twitter"] == passed);
  CHECK(rep.published["telegram"] == passed);
  // Closed form of the two buckets (capacity H refilled at H/3600 s^-1, D at D/86400 s^-1):
  // the n-th publish (0-based) is at least (n - H + 1) * 3600 / H s after the first.
  const auto& times = rig.x->accept_times();
  REQUIRE(times.size() == static_cast<size_t>(passed));
  for (size_t n = 0; n < times.size(); ++n) {
    INFO("n=" << n);
    const double since = absl::ToDoubleSeconds(times[n] - times[0]);
    if (n >= 10) CHECK(since >= (n - 10 + 1) * 360.0 - 1e-3);
    if (n >= 50) CHECK(since >= (n - 50 + 1) * 1728.0 - 1e-3);
  }
  // And it is not slower than the buckets require by more than one flush of slack per event.
  CHECK(absl::ToDoubleSeconds(times.back() - times[0]) <= (passed - 50) * 1728.0 + 3600.0);
  auto m = rig.plant->metrics();
  CHECK(m.platforms["twitter"].rate_limited > 0);
  CHECK(m.platforms["telegram"].rate_limited > 0);
}

TEST_CASE("embedded plant: same input, same seed -> identical outcomes", "[plant]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 40, 11);
  auto flaky = [](const std::string& id, int call, absl::Time) {
    sb::PublishResult r;
    r.success = (id.back() % 3 != 0) || call >= 3;
    r.retry = !r.success;
    r.reason = r.success ? "" : "http_503";
    return r;
  };
  Rig a(flaky), b(flaky);
  a.Run(lines);
  b.Run(lines);
  CHECK(a.x->accept_times() == b.x->accept_times());
  CHECK(a.clock.Now() == b.clock.Now());
}

TEST_CASE("embedded plant: permanent 4xx goes to the DLQ unretried, 5xx after 5 attempts",
          "[plant]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 30, 3);
  auto x_script = [](const std::string&, int, absl::Time) {
    sb::PublishResult r;
    r.reason = "http_403";
    r.error = "duplicate content";
    return r;
  };
  int tg_calls = 0;
  auto tg_script = [&tg_calls](const std::string&, int call, absl::Time) {
    ++tg_calls;
    sb::PublishResult r;
    r.success = call > 5;  // Never within one retry cycle of 5 attempts.
    r.retry = true;
    r.reason = "http_500";
    return r;
  };
  Rig rig(x_script, tg_script);
  st::InvariantReport rep = rig.Run(lines);
  const int passed = static_cast<int>(lines.size()) - rep.dropped;
  CHECK(rep.dlq["twitter"] == passed);    // 403: DLQ.
  CHECK(rig.x->total_calls() == passed);  // Never retried.
  auto m = rig.plant->metrics();
  CHECK(m.platforms["twitter"].dlq_by_reason["http_403"] == passed);
  // Telegram: the breaker opens after the first failures; events then wait in the digest and
  // are retried by the flusher; each event ends in the DLQ (max_attempts_exceeded) or published.
  CHECK(rep.dlq["telegram"] + rep.published["telegram"] == passed);
  CHECK(m.platforms["telegram"].dlq_by_reason["max_attempts_exceeded"] >= 1);
  CHECK(m.platforms["telegram"].digest_buffered > 0);
  // Each DLQ entry records what the design lists: event (the CloudEvent), platform, reason,
  // attempts, first_seen (Unix ms, when the plant first took the event), last_error.
  auto dlq = rig.transport.Range(superbet::bus::kDlq);
  REQUIRE(dlq.ok());
  REQUIRE(static_cast<int>(dlq->size()) == rep.dlq["twitter"] + rep.dlq["telegram"]);
  for (const auto& e : *dlq) {
    INFO(e.Field("platform") << " " << e.Field("event_id"));
    CHECK(sb::ValidateCloudEventJson(e.Field("event")).ok());
    CHECK(e.Field("event").find(e.Field("event_id")) != std::string::npos);
    int64_t first_seen = 0;
    CHECK(absl::SimpleAtoi(e.Field("first_seen"), &first_seen));
    CHECK(first_seen >= 1690000000000);
    if (e.Field("platform") == "twitter") {
      CHECK(e.Field("reason") == "http_403");
      CHECK(e.Field("attempts") == "1");
      CHECK(e.Field("last_error") == "duplicate content");
    } else {
      REQUIRE(e.Field("platform") == "telegram");
      CHECK(e.Field("reason") == "max_attempts_exceeded");
      CHECK(e.Field("attempts") == "5");
    }
  }
}

TEST_CASE("embedded plant: breaker opens, digest buffers, recovery flush publishes", "[plant]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 60, 5);
  // Telegram is down for 2 days of replay time after its first call (a weekend of matches).
  absl::Time first = absl::InfiniteFuture();
  auto tg_script = [&first](const std::string&, int, absl::Time now) {
    if (first == absl::InfiniteFuture()) first = now;
    sb::PublishResult r;
    r.success = now - first > absl::Hours(48);
    r.retry = !r.success;
    r.reason = r.success ? "" : "http_502";
    return r;
  };
  Rig rig({}, tg_script);
  st::InvariantReport rep = rig.Run(lines);
  auto m = rig.plant->metrics();
  CHECK(m.platforms["telegram"].digest_buffered > 0);
  CHECK(m.platforms["telegram"].digest_flushed_published > 0);
  CHECK(m.digest_flushes > 0);
  CHECK(rep.published["telegram"] + rep.dlq["telegram"] == 60 - rep.dropped);
  CHECK(rep.published["twitter"] == 60 - rep.dropped);  // The X bulkhead was not held up.
  CHECK(m.platforms["telegram"].breaker_state == 0);    // Closed again after recovery.
  auto flushes = rig.transport.Range(superbet::bus::kDigestStream);
  REQUIRE(flushes.ok());
  CHECK(flushes->size() == static_cast<size_t>(m.digest_flushes));
  // One record per flushed bucket: platform, bucket (floor(unix s / 900)), success and failure
  // counts; a bucket is flushed only once closed (its id below the flush time's bucket), oldest
  // first; the records' successes are the flushes' publishes.
  int64_t last_bucket = -1, successes = 0;
  for (const auto& e : *flushes) {
    CHECK(e.Field("platform") == "telegram");
    int64_t bucket = 0, ok = 0, failed = 0, at_ms = 0;
    REQUIRE(absl::SimpleAtoi(e.Field("bucket"), &bucket));
    REQUIRE(absl::SimpleAtoi(e.Field("success"), &ok));
    REQUIRE(absl::SimpleAtoi(e.Field("failure"), &failed));
    REQUIRE(absl::SimpleAtoi(e.id.substr(0, e.id.find('-')), &at_ms));
    CHECK(bucket < at_ms / 1000 / 900);  // Closed when flushed.
    CHECK(bucket > last_bucket);         // Oldest first.
    last_bucket = bucket;
    successes += ok;
  }
  CHECK(successes == m.platforms["telegram"].digest_flushed_published);
}

TEST_CASE("embedded plant: 429 with a retry hint is honoured and the event still publishes",
          "[plant]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 20, 9);
  std::vector<std::pair<absl::Time, absl::Time>> gaps;
  std::map<std::string, absl::Time> last;
  auto x_script = [&](const std::string& id, int call, absl::Time now) {
    if (last.count(id)) gaps.emplace_back(last[id], now);
    last[id] = now;
    sb::PublishResult r;
    r.success = call >= 2;
    if (!r.success) {
      r.retry = true;
      r.reason = "http_429";
      r.retry_after = absl::Seconds(7);
    }
    return r;
  };
  Rig rig(x_script);
  st::InvariantReport rep = rig.Run(lines);
  CHECK(rep.published["twitter"] == 20 - rep.dropped);
  REQUIRE_FALSE(gaps.empty());
  for (const auto& [a, b] : gaps) CHECK(b - a >= absl::Seconds(7));  // max(w(0) <= 1 s, 7 s).
}

TEST_CASE("embedded plant: bad input lines are counted by field and never stop the run",
          "[plant]") {
  auto lines = st::PredictionLines("football-data/E0_2324.csv", 10, 1);
  lines.insert(lines.begin() + 3, "{not json");
  std::string bad_odds = lines[0];
  const size_t at = bad_odds.find("\"odds\":{\"home\":");
  REQUIRE(at != std::string::npos);
  const size_t comma = bad_odds.find(',', at);
  bad_odds.replace(at + 15, comma - at - 15, "0.97");  // "odds":{"home":X.XX -> 0.97.
  lines.push_back(bad_odds);
  Rig rig;
  rig.Run(lines);
  auto m = rig.plant->metrics();
  CHECK(m.input_lines == 12);
  CHECK(m.accepted == 10);
  CHECK(m.rejected_by_reason["(json)"] == 1);
  CHECK(m.rejected_by_reason["odds.home"] == 1);
  // Each rejection keeps its message: the line number, the JSON path and the value.
  REQUIRE(m.rejected_lines.size() == 2);
  CHECK(absl::StartsWith(m.rejected_lines[0], "line 4: "));
  CHECK(m.rejected_lines[1] == "line 12: odds.home: decimal odds must be finite and > 1, got 0.97");
}

TEST_CASE("embedded plant: the first 100 rejection messages are kept, every one counted",
          "[plant]") {
  std::vector<std::string> lines(150, "[]");
  Rig rig;
  rig.Run(lines);
  auto m = rig.plant->metrics();
  CHECK(m.rejected_by_reason["(json)"] == 150);
  REQUIRE(m.rejected_lines.size() == sb::kMaxRejectedLineMessages);
  CHECK(absl::StartsWith(m.rejected_lines.back(), "line 100: "));
}

TEST_CASE("embedded plant: an entry delivered more than 5 times goes to the DLQ", "[plant]") {
  // One prediction that passes the filter; a crashing consumer takes its Telegram outbox entry
  // five times (first read + 4 reclaims, each idle > 60 s) and never acknowledges it. The plant's
  // own reclaim is the 6th delivery: DLQ with reason max_deliveries_exceeded, never published.
  auto lines = st::PredictionLines("football-data/E0_2324.csv", 40, 31);
  std::string passing;
  for (const auto& l : lines) {
    auto p = sb::ParsePredictionLine(l, 1);
    if (p.ok() && !sb::FilterPrediction(*p, {})) {
      passing = l;
      break;
    }
  }
  REQUIRE_FALSE(passing.empty());
  sb::PlantOptions options;
  options.platforms = {"telegram"};
  superbet::core::FakeClock clock(absl::FromUnixSeconds(1690000000));
  superbet::bus::EmbeddedTransport transport(clock);
  st::FakePublisher tg("telegram", clock);
  // A feeder plant moves the event to the outbox; the crashing consumer reads it first.
  auto plant =
      sb::BroadcastPlant::Create(options, &transport, &clock,
                                 [&](absl::Duration d) { clock.Advance(d); }, {{"telegram", &tg}});
  REQUIRE(plant.ok());
  REQUIRE((*plant)->Start().ok());
  REQUIRE((*plant)->Ingest(passing, 1).ok());
  namespace bus = superbet::bus;
  // Run the main and priority stages by hand (as the plant would), so that the crashing
  // consumer is the first to read the outbox.
  auto main = transport.ReadGroup(bus::kRiskVerified, bus::kMainGroup, "crasher", 5);
  REQUIRE(main->size() == 1);
  auto p = sb::ParsePredictionLine(main->at(0).Field("event"), 1);
  REQUIRE(p.ok());
  const sb::BroadcastEvent e = sb::BuildEvent(*p, *sb::Formatter::Create({}));
  REQUIRE(transport
              .Add(bus::OutboxStream("telegram"), {{"event", sb::CloudEventJson(e)},
                                                   {"priority", "0.1"},
                                                   {"tier", "high"},
                                                   {"event_id", e.id},
                                                   {"first_seen", "1690000000000"}})
              .ok());
  REQUIRE(transport.Ack(bus::kRiskVerified, bus::kMainGroup, main->at(0).id).ok());
  auto first = transport.ReadGroup(bus::OutboxStream("telegram"), bus::AdapterGroup("telegram"),
                                   "crasher", 5);
  REQUIRE(first->size() == 1);
  for (int i = 0; i < 4; ++i) {
    clock.Advance(absl::Seconds(61));
    auto again = transport.AutoClaim(bus::OutboxStream("telegram"), bus::AdapterGroup("telegram"),
                                     "crasher", absl::Seconds(60), 5);
    REQUIRE(again->size() == 1);
    CHECK(again->at(0).deliveries == i + 2);
  }
  REQUIRE((*plant)->Drain().ok());
  CHECK(tg.accepted().empty());
  auto outcomes = transport.HashGetAll(bus::OutcomeKey("telegram"));
  REQUIRE(outcomes->size() == 1);
  CHECK(outcomes->at(0).second == "dlq:max_deliveries_exceeded");
  auto dlq = transport.Range(bus::kDlq);
  REQUIRE(dlq->size() == 1);
  CHECK(dlq->at(0).Field("attempts") == "6");
}

namespace {
// Records the order in which events reach it, with their priority S.
class OrderSink final : public sb::Publisher {
 public:
  explicit OrderSink(std::string p) : platform_(std::move(p)) {}
  absl::string_view platform() const override { return platform_; }
  sb::PublishResult Publish(const sb::BroadcastEvent& e, absl::string_view) override {
    order.emplace_back(e.id, e.priority_score);
    sb::PublishResult r;
    r.success = true;
    return r;
  }
  std::vector<std::pair<std::string, double>> order;

 private:
  std::string platform_;
};
}  // namespace

TEST_CASE("embedded plant: several batches per read, each batch of 5 sorted on its own",
          "[plant]") {
  // Oracle: the design's rule (XREADGROUP COUNT 5, each batch sorted by priority, highest
  // first) applied by hand to the arrival order: reading 4 batches in one round trip must give
  // the same publish order as 4 reads of 5, and not one sort of all 20.
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 20, 31);
  REQUIRE(lines.size() == 20);
  FakeClock clock{absl::FromUnixSeconds(1690000000)};
  superbet::bus::EmbeddedTransport transport{clock};
  OrderSink x("twitter");
  sb::PlantOptions o;
  o.platforms = {"twitter"};
  o.rate_limits = false;
  o.thresholds = {0, -1e9, 0};  // Every event passes.
  o.batches_per_read = 10;
  auto plant = sb::BroadcastPlant::Create(
      o, &transport, &clock, [&](absl::Duration d) { clock.Advance(d); }, {{"twitter", &x}});
  REQUIRE(plant.ok());
  REQUIRE((*plant)->Start().ok());
  REQUIRE(sb::FeedAndDrain(**plant, lines, nullptr).ok());
  REQUIRE(x.order.size() == 20);
  // Arrival order: the input order (event ids); priorities as published.
  std::map<std::string, double> priority;
  for (const auto& [id, s] : x.order) priority[id] = s;
  std::vector<std::string> arrival;
  for (size_t i = 0; i < lines.size(); ++i) {
    arrival.push_back(sb::EventId(*sb::ParsePredictionLine(lines[i], static_cast<int>(i + 1))));
  }
  std::vector<std::string> expected = arrival, global = arrival;
  auto by_priority = [&](const std::string& a, const std::string& b) {
    return priority.at(a) > priority.at(b);
  };
  for (size_t at = 0; at < expected.size(); at += 5) {
    std::stable_sort(expected.begin() + at, expected.begin() + at + 5, by_priority);
  }
  std::stable_sort(global.begin(), global.end(), by_priority);
  std::vector<std::string> got;
  for (const auto& [id, s] : x.order) got.push_back(id);
  CHECK(got == expected);
  CHECK(got != global);  // The input's priorities are not already sorted across batches.
}

TEST_CASE("RiskVerifiedFields writes exactly what Ingest writes for the same prediction",
          "[plant]") {
  // Oracle: the plant's own Ingest on the prediction's JSON line (real football-data matches).
  Rig rig;
  const std::vector<std::string> lines = st::PredictionLines("football-data/E0_2324.csv", 40, 5);
  REQUIRE(lines.size() == 40);
  REQUIRE(rig.plant->IngestLines(lines, 1).ok());
  auto ingested = rig.transport.Range(superbet::bus::kRiskVerified);
  REQUIRE(ingested.ok());
  REQUIRE(ingested->size() == lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    auto p = sb::ParsePredictionLine(lines[i], 1);
    REQUIRE(p.ok());
    auto f = sb::RiskVerifiedFields(*p);
    REQUIRE(f.ok());
    CHECK(*f == (*ingested)[i].fields);
  }
  // A prediction the plant's reader refuses is refused here too, naming the field.
  auto p = sb::ParsePredictionLine(lines[0], 1);
  REQUIRE(p.ok());
  p->clear_kickoff();
  auto f = sb::RiskVerifiedFields(*p);
  CHECK(f.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(f.status().message()).find("kickoff") != std::string::npos);
}

// The guard protocol without the second SET: a publish leaves the guard "claimed" (it is not
// rewritten to "sent"; the outcome hash records "published"). A consumer that then meets the same
// event again -- its input line ingested twice, or a guard claimed by another consumer whose
// outcome is "published" -- records a duplicate, posts nothing and sends nothing to the DLQ; a
// guard claimed with no recorded outcome (the claimer died) is an unknown outcome (DLQ); a guard
// "sent" written by an older plant still reads as published. Oracle: the publishers' own counts
// and the protocol above (plant.h).
TEST_CASE("embedded plant: claimed guards, outcomes and duplicates without a 'sent' rewrite",
          "[plant]") {
  namespace bus = superbet::bus;
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 24, 41);
  sb::PlantOptions o;
  o.thresholds = {0, -1e9, 0};  // Every event passes: each one reaches both platforms.
  o.rate_limits = false;
  Rig rig({}, {}, o);
  const std::vector<std::string> first(lines.begin(), lines.begin() + 20);
  // The clock stays put (no replay): every guard lives through the test (TTL 86400 s).
  REQUIRE(sb::FeedAndDrain(*rig.plant, first, nullptr).ok());
  REQUIRE(rig.x->total_calls() == 20);
  std::vector<std::string> ids;
  for (size_t i = 0; i < lines.size(); ++i) {
    ids.push_back(sb::EventId(*sb::ParsePredictionLine(lines[i], static_cast<int>(i + 1))));
  }
  CHECK(rig.transport.Get(bus::SentKey("telegram", ids[0]))->value() == "claimed");
  // Another consumer claimed and published line 21 (outcome recorded), claimed line 22 and died
  // before recording anything, and an older plant published line 23 (guard "sent").
  for (const std::string p : {"twitter", "telegram"}) {
    REQUIRE(*rig.transport.SetIfAbsent(bus::SentKey(p, ids[20]), "claimed", absl::Hours(24)));
    REQUIRE(rig.transport.HashSet(bus::OutcomeKey(p), ids[20], "published").ok());
    REQUIRE(*rig.transport.SetIfAbsent(bus::SentKey(p, ids[21]), "claimed", absl::Hours(24)));
    REQUIRE(*rig.transport.SetIfAbsent(bus::SentKey(p, ids[22]), "sent", absl::Hours(24)));
  }
  // Lines 1-20 again (duplicates), then 21-24.
  std::vector<std::string> again = first;
  again.insert(again.end(), lines.begin() + 20, lines.end());
  REQUIRE(sb::FeedAndDrain(*rig.plant, again, nullptr).ok());
  for (const auto* pub : {rig.x.get(), rig.tg.get()}) {
    INFO(pub->platform());
    CHECK(pub->total_calls() == 21);  // Lines 1-20 once, line 24; nothing else posted.
    for (const auto& [id, n] : pub->accepted()) CHECK(n == 1);
    CHECK(pub->accepted().count(ids[23]) == 1);
    const std::string p(pub->platform());
    auto outcomes = rig.transport.HashGetMany(bus::OutcomeKey(p), ids);
    REQUIRE(outcomes.ok());
    for (size_t i = 0; i < ids.size(); ++i) {
      INFO("line " << i + 1);
      CHECK((*outcomes)[i] ==
            std::optional<std::string>(i == 21 ? "dlq:unknown_outcome" : "published"));
    }
    CHECK(rig.plant->metrics().platforms[p].duplicates_suppressed == 22);  // 20 + lines 21, 23.
  }
  auto dlq = rig.transport.Range(bus::kDlq);
  REQUIRE(dlq.ok());
  REQUIRE(dlq->size() == 2);  // Line 22 on each platform.
  for (const auto& e : *dlq) {
    CHECK(e.Field("event_id") == ids[21]);
    CHECK(e.Field("reason") == "unknown_outcome");
  }
}

TEST_CASE("embedded plant: an event id published before its guard expired is never posted again",
          "[plant]") {
  // The idempotency guard lives 86400 s; the outcome hash keeps "published" for good. A line whose
  // event id was published more than a day (plant time) earlier - `backtest --emit-predictions`
  // writes one strategy's season after another, so a replay meets the second strategy's bet on a
  // match months after the first one's, under the same id "pred-{match_id}-{decided_at ms}" -
  // must be suppressed as a duplicate, not posted a second time once the guard has expired.
  // Oracle: the invariant (each platform receives an event id once).
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 12, 43);
  sb::PlantOptions o;
  o.thresholds = {0, -1e9, 0};  // Every event passes.
  Rig rig({}, {}, o);
  REQUIRE(sb::FeedAndDrain(*rig.plant, lines, &rig.clock).ok());
  REQUIRE(rig.x->total_calls() == 12);
  rig.clock.Advance(absl::Hours(24 * 30));  // Every guard has expired.
  // The same events again (another agent's lines for the same matches and decision times).
  std::vector<std::string> again(lines.begin(), lines.begin() + 6);
  for (std::string& l : again) {
    const size_t at = l.find("\"agent\":\"model\"");
    REQUIRE(at != std::string::npos);
    l.replace(at, 15, "\"agent\":\"favourite\"");
  }
  REQUIRE(sb::FeedAndDrain(*rig.plant, again, &rig.clock).ok());
  for (auto* pub : {rig.x.get(), rig.tg.get()}) {
    INFO(pub->platform());
    CHECK(pub->total_calls() == 12);
    for (const auto& [id, n] : pub->accepted()) CHECK(n == 1);
    CHECK(rig.plant->metrics().platforms[std::string(pub->platform())].duplicates_suppressed == 6);
  }
  st::CheckInvariant(rig.transport, st::EventIds(lines),
                     {{"twitter", rig.x->accepted()}, {"telegram", rig.tg->accepted()}});
}

TEST_CASE("embedded plant: an entry waiting for a token stays pending (no XACK) until published",
          "[plant]") {
  // X allows 1 post an hour here: of 3 events decided together, one is published at once and two
  // wait in X's outbox, delivered but not acknowledged (XPENDING), while Telegram (30/h) has
  // published and acknowledged all three. Oracle: XPENDING and the outcome hash against the
  // design's rule "XACK only after a terminal outcome"; then the bucket's closed form (one token
  // per 3600 s).
  namespace bus = superbet::bus;
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 3, 47);
  sb::PlantOptions o;
  o.thresholds = {0, -1e9, 0};  // Every event passes.
  o.limits["twitter"] = {1, 50};
  Rig rig({}, {}, o);
  for (size_t i = 0; i < lines.size(); ++i) {
    REQUIRE(rig.plant->Ingest(lines[i], static_cast<int>(i + 1)).ok());
  }
  for (int i = 0; i < 20; ++i) REQUIRE(rig.plant->Pump().ok());  // The clock does not move.
  const std::string x_outbox = bus::OutboxStream("twitter");
  CHECK(*rig.transport.PendingCount(x_outbox, bus::AdapterGroup("twitter")) == 2);
  CHECK(*rig.transport.PendingCount(bus::OutboxStream("telegram"), bus::AdapterGroup("telegram")) ==
        0);
  CHECK(rig.transport.HashGetAll(bus::OutcomeKey("twitter"))->size() == 1);
  CHECK(rig.transport.HashGetAll(bus::OutcomeKey("telegram"))->size() == 3);
  CHECK(rig.x->total_calls() == 1);
  const absl::Time start = rig.clock.Now();
  REQUIRE(rig.plant->Drain().ok());
  CHECK(*rig.transport.PendingCount(x_outbox, bus::AdapterGroup("twitter")) == 0);
  CHECK(rig.transport.HashGetAll(bus::OutcomeKey("twitter"))->size() == 3);
  REQUIRE(rig.x->accept_times().size() == 3);
  CHECK(rig.x->accept_times()[2] - start >= absl::Seconds(2 * 3600) - absl::Milliseconds(1));
  st::CheckInvariant(rig.transport, st::EventIds(lines),
                     {{"twitter", rig.x->accepted()}, {"telegram", rig.tg->accepted()}});
}

TEST_CASE("embedded plant: a dead consumer's entry is reclaimed after 60 s idle, not before",
          "[plant]") {
  // A consumer of broadcast-plant-main reads a passing prediction from risk.verified and dies.
  // Oracle: the design's XAUTOCLAIM min-idle of 60 s - the plant leaves the entry alone at 59 s
  // and reclaims it (second delivery) at 61 s; it is then published once on each platform.
  namespace bus = superbet::bus;
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 1, 53);
  sb::PlantOptions o;
  o.thresholds = {0, -1e9, 0};  // Every event passes.
  Rig rig({}, {}, o);
  REQUIRE(rig.plant->Ingest(lines[0], 1).ok());
  auto stolen = rig.transport.ReadGroup(bus::kRiskVerified, bus::kMainGroup, "dead", 5);
  REQUIRE(stolen.ok());
  REQUIRE(stolen->size() == 1);
  rig.clock.Advance(absl::Seconds(59));
  for (int i = 0; i < 5; ++i) REQUIRE(rig.plant->Pump().ok());
  CHECK(rig.x->total_calls() == 0);
  CHECK(*rig.transport.PendingCount(bus::kRiskVerified, bus::kMainGroup) == 1);
  rig.clock.Advance(absl::Seconds(2));
  for (int i = 0; i < 5; ++i) REQUIRE(rig.plant->Pump().ok());
  CHECK(rig.x->total_calls() == 1);
  CHECK(rig.tg->total_calls() == 1);
  CHECK(*rig.transport.PendingCount(bus::kRiskVerified, bus::kMainGroup) == 0);
  CHECK_FALSE(*rig.plant->Outstanding());
  st::CheckInvariant(rig.transport, st::EventIds(lines),
                     {{"twitter", rig.x->accepted()}, {"telegram", rig.tg->accepted()}});
}

TEST_CASE("embedded plant: the global bucket is charged once per prediction, and waits too",
          "[plant]") {
  // Global limit 6/day, platforms unlimited in practice: 8 predictions decided together. Charged
  // once per prediction (not per platform), 6 go out at once on both platforms; the 7th waits for
  // the global bucket's next token, 86400 / 6 = 14400 s, the 8th 28800 s. Oracle: the closed
  // form of the daily bucket (capacity D refilled at D / 86400 per second).
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 8, 59);
  sb::PlantOptions o;
  o.thresholds = {0, -1e9, 0};  // Every event passes.
  o.global_limit = {0, 6};
  o.limits["twitter"] = {1000, 1000};
  o.limits["telegram"] = {1000, 1000};
  Rig rig({}, {}, o);
  for (size_t i = 0; i < lines.size(); ++i) {
    REQUIRE(rig.plant->Ingest(lines[i], static_cast<int>(i + 1)).ok());
  }
  const absl::Time start = rig.clock.Now();
  REQUIRE(rig.plant->Drain().ok());
  for (const st::FakePublisher* pub : {rig.x.get(), rig.tg.get()}) {
    INFO(pub->platform());
    const auto& t = pub->accept_times();
    REQUIRE(t.size() == 8);
    for (size_t i = 0; i < 6; ++i) CHECK(t[i] == start);
    CHECK(t[6] - start >= absl::Seconds(14400) - absl::Milliseconds(1));
    CHECK(t[6] - start <= absl::Seconds(14400 + 60));
    CHECK(t[7] - start >= absl::Seconds(28800) - absl::Milliseconds(1));
  }
  auto m = rig.plant->metrics();
  CHECK(m.global_rate_limited > 0);
  st::CheckInvariant(rig.transport, st::EventIds(lines),
                     {{"twitter", rig.x->accepted()}, {"telegram", rig.tg->accepted()}});
}

TEST_CASE("embedded plant: retries wait equal-jitter times, [0.5, 1], [1, 2], [2, 4], [4, 8] s",
          "[plant]") {
  // X answers 503 four times, then 200, for each of 6 events. Oracle: the design's retry table
  // (w(a) = m/2 + U(0, m/2), m = min(60 s, 1 s * 2^a)): the a-th wait lies in [2^a / 2, 2^a] s,
  // and there is no wait after the successful 5th attempt.
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 6, 61);
  std::map<std::string, std::vector<absl::Time>> calls;
  auto x_script = [&calls](const std::string& id, int call, absl::Time now) {
    calls[id].push_back(now);
    sb::PublishResult r;
    r.success = call >= 5;
    r.retry = !r.success;
    r.reason = r.success ? "" : "http_503";
    return r;
  };
  sb::PlantOptions o;
  o.thresholds = {0, -1e9, 0};                // Every event passes.
  o.breaker_wait_in_open = absl::Seconds(1);  // The breaker (opened by the failures) recovers.
  Rig rig(x_script, {}, o);
  rig.Run(lines);
  int checked = 0;
  for (const auto& [id, times] : calls) {
    INFO(id);
    // One retry cycle (at most 15 s of waits); events whose attempts the open breaker split
    // (digest, then a new cycle from a = 0) are not a single cycle.
    if (times.size() != 5 || times.back() - times.front() > absl::Seconds(15)) continue;
    for (size_t a = 0; a + 1 < times.size(); ++a) {
      const double wait_s = absl::ToDoubleSeconds(times[a + 1] - times[a]);
      const double m = std::min(60.0, std::ldexp(1.0, static_cast<int>(a)));
      CHECK(wait_s >= m / 2);
      CHECK(wait_s <= m);
    }
    ++checked;
  }
  CHECK(checked >= 1);
  CHECK(rig.x->accepted().size() == 6);  // Every event published in the end, once.
}

TEST_CASE("embedded plant: a replay of blocks each in time order publishes at decision times",
          "[plant]") {
  // `backtest --emit-predictions` writes one strategy's season, then the next one's: two blocks,
  // each in time order. Replayed, every event must go out at its own decided_at (limits off,
  // nothing fails), not the second block at the end of the first; a bad line keeps its number.
  // Oracle: the decision times read from the lines, sorted.
  auto lines = st::PredictionLines("football-data/E0_2324.csv", 40, 67);
  std::vector<std::string> input;
  for (size_t i = 0; i < lines.size(); i += 2) input.push_back(lines[i]);
  for (size_t i = 1; i < lines.size(); i += 2) input.push_back(lines[i]);
  input.insert(input.begin() + 25, "{\"match_id\":");  // Line 26.
  std::vector<absl::Time> decided;
  for (const std::string& l : lines) {
    auto p = sb::ParsePredictionLine(l, 1);
    REQUIRE(p.ok());
    decided.push_back(absl::FromUnixSeconds(p->decided_at().seconds()) +
                      absl::Nanoseconds(p->decided_at().nanos()));
  }
  std::sort(decided.begin(), decided.end());
  sb::PlantOptions o;
  o.thresholds = {0, -1e9, 0};  // Every event passes.
  o.rate_limits = false;
  Rig rig({}, {}, o);
  rig.Run(input);
  CHECK(rig.x->accept_times() == decided);
  CHECK(rig.tg->accept_times() == decided);
  auto m = rig.plant->metrics();
  REQUIRE(m.rejected_lines.size() == 1);
  CHECK(absl::StartsWith(m.rejected_lines[0], "line 26: (json): "));
}
