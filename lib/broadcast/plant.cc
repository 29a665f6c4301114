#include "superbet/broadcast/plant.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broadcast/internal/plant_event.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/broadcast/prediction_input.h"
#include "superbet/bus/topics.h"

namespace superbet::broadcast {

namespace bus = superbet::bus;
using superbet::resilience::Backoff;
using superbet::resilience::BreakerState;
using superbet::resilience::CircuitBreaker;

std::map<std::string, PlatformLimits> DefaultPlatformLimits() {
  return {{"twitter", {10, 50}}, {"telegram", {30, 200}}, {"android", {100, 1000}}};
}

absl::Status ValidatePlantOptions(const PlantOptions& o) {
  if (o.platforms.empty()) return absl::InvalidArgumentError("platforms: at least one is needed");
  for (size_t i = 0; i < o.platforms.size(); ++i) {
    const std::string& p = o.platforms[i];
    if (p != "twitter" && p != "telegram" && p != "android") {
      return absl::InvalidArgumentError(
          absl::StrCat("platforms: unknown platform '", p, "' (twitter, telegram, android)"));
    }
    // One outbox and consumer group per platform: a platform named twice would share them.
    if (std::find(o.platforms.begin(), o.platforms.begin() + i, p) != o.platforms.begin() + i) {
      return absl::InvalidArgumentError(absl::StrCat("platforms: '", p, "' is named twice"));
    }
    auto it = o.limits.find(p);
    if (o.rate_limits && (it == o.limits.end() || !(it->second.daily > 0))) {
      return absl::InvalidArgumentError(absl::StrCat("limits.", p, ": daily must be > 0"));
    }
  }
  if (o.rate_limits && !(o.global_limit.daily > 0)) {
    return absl::InvalidArgumentError("global_limit.daily must be > 0");
  }
  if (o.batch < 1)
    return absl::InvalidArgumentError(absl::StrCat("batch must be >= 1, got ", o.batch));
  if (o.batches_per_read < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("batches_per_read must be >= 1, got ", o.batches_per_read));
  }
  if (o.max_deliveries < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_deliveries must be >= 1, got ", o.max_deliveries));
  }
  if (o.digest_bucket <= absl::ZeroDuration() || o.flush_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("digest_bucket and flush_interval must be > 0");
  }
  if (absl::Status s = ValidateThresholds(o.thresholds); !s.ok()) return s;
  return superbet::resilience::ValidateOptions(o.backoff);
}

namespace {

uint64_t Fnv1a(absl::string_view a, absl::string_view b) {
  uint64_t h = 1469598103934665603ull;
  for (absl::string_view s : {a, absl::string_view("\x1f"), b}) {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
  }
  return h;
}

double PriorityOf(const bus::Entry& e) {
  double p = 0;
  (void)absl::SimpleAtod(e.Field("priority"), &p);
  return p;
}

// Sorts each consecutive batch of `batch` entries by priority, highest first (the design's
// XREADGROUP COUNT 5 sorted per batch; several batches are read in one round trip). Entries still
// held from the previous read are at the front and share the first batch with the new ones.
void SortByPriorityInBatches(std::vector<bus::Entry>* v, int batch) {
  for (size_t at = 0; at < v->size(); at += static_cast<size_t>(batch)) {
    const auto end = v->begin() + std::min(v->size(), at + static_cast<size_t>(batch));
    std::stable_sort(v->begin() + at, end, [](const bus::Entry& a, const bus::Entry& b) {
      return PriorityOf(a) > PriorityOf(b);
    });
  }
}

// The CloudEvent JSON of an entry of broadcast.queue.priority or an outbox: written from its
// binary event (field event_pb) or, for an entry in the JSON form (field event), that field; ""
// when the binary event does not decode. Fills `*event` and sets `*decoded` when it decodes.
std::string EntryEventJson(const bus::Entry& e, BroadcastEvent* event, bool* decoded) {
  *decoded = false;
  const std::string& pb = e.Field(internal::kEventPbField);
  if (pb.empty()) return e.Field("event");
  std::string json;
  if (!internal::DecodePlantEvent(pb, event)) return json;
  *decoded = true;
  json.reserve(1536);
  AppendCloudEventJson(*event, &json);
  return json;
}

// A digest list value: "priority \t first_seen_ms \t event id \t event JSON".
struct DigestItem {
  double priority = 0;
  int64_t first_seen_ms = 0;
  std::string event_id;
  std::string event_json;
};

std::string EncodeDigest(const DigestItem& d) {
  return absl::StrCat(d.priority, "\t", d.first_seen_ms, "\t", d.event_id, "\t", d.event_json);
}

std::optional<DigestItem> DecodeDigest(absl::string_view s) {
  std::vector<absl::string_view> parts = absl::StrSplit(s, absl::MaxSplits('\t', 3));
  if (parts.size() != 4) return std::nullopt;
  DigestItem d;
  if (!absl::SimpleAtod(parts[0], &d.priority) || !absl::SimpleAtoi(parts[1], &d.first_seen_ms)) {
    return std::nullopt;
  }
  d.event_id = std::string(parts[2]);
  d.event_json = std::string(parts[3]);
  return d;
}

enum class Outcome { kPublished, kDlq, kDigest, kWait, kDuplicate };

struct AttemptResult {
  Outcome outcome = Outcome::kDlq;
  std::string reason;
  std::string last_error;
  int attempts = 0;
  absl::Duration wait = absl::ZeroDuration();
};

}  // namespace

struct BroadcastPlant::Impl {
  struct Platform {
    std::string name;
    Publisher* publisher = nullptr;
    std::unique_ptr<CircuitBreaker> breaker;
    std::vector<bus::Entry> held;  // Read, not yet terminal (waiting for a token).
    absl::Time wake = absl::InfinitePast();
    std::string outbox, group;
    // The platform's connection: the plant's transport, or its own (SetPlatformTransports).
    bus::Transport* t = nullptr;
    PlatformMetrics* m = nullptr;  // Node of metrics.platforms (stable address).
    // Guards this plant claimed for held entries: event id -> stream entry id.
    std::map<std::string, std::string> owned;
    BroadcastEvent scratch;  // The event being delivered (buffers reused across events).
    // Terminal writes of the round not yet queued: outcome "published" per event id, then the
    // XACKs (queued together at the end of the round, the XACKs after the outcomes).
    bus::Fields published;
    std::vector<std::string> acks;
    absl::Time next_flush = absl::InfinitePast();  // Its own flusher (persistent workers only).
  };

  PlantOptions options;
  bus::Transport* transport = nullptr;
  const superbet::core::Clock* clock = nullptr;
  SleepFn sleep;
  std::optional<Formatter> formatter;
  std::vector<Platform> platforms;
  std::vector<bus::Entry> priority_held;
  std::vector<std::string> outboxes;  // broadcast.outbox.{platform} of each enabled platform.
  absl::Time priority_wake = absl::InfinitePast();
  absl::Time next_flush = absl::InfinitePast();
  PlantMetrics metrics;
  BroadcastEvent main_event;  // The main stage's event (buffers reused across events).

  absl::Time Now() const { return clock->Now(); }
  // XREADGROUP COUNT when `held` entries are still held (read only while held < batch): the
  // first batch is topped up to `batch`, then batches_per_read - 1 more batches.
  int ReadCount(size_t held) const {
    return options.batch * options.batches_per_read - static_cast<int>(held);
  }
  int64_t MinId() const {
    return std::max<int64_t>(0, absl::ToUnixMillis(Now() - options.retention));
  }
  // The MINID of a high-volume XADD (risk.verified, the priority queue, the outboxes): MinId()
  // at most once a second (of the plant's clock) per writer, else 0 (no trimming clause): the
  // retention is approximate anyway (MINID ~), and the server need not check it per entry.
  // `next_ms`: the writer's own schedule (each is used by one thread).
  int64_t TrimId(int64_t* next_ms) const {
    const int64_t now_ms = absl::ToUnixMillis(Now());
    if (now_ms < *next_ms) return 0;
    *next_ms = now_ms + 1000;
    return MinId();
  }
  int64_t ingest_trim_ms = 0, main_trim_ms = 0, fanout_trim_ms = 0;

  PlatformMetrics& M(const Platform& p) { return *p.m; }
  bool concurrent = false;  // Platform stages on their own transports and threads.
  // The priority stage's connection when it has its own (SetPriorityTransport): it then runs on
  // its own thread beside the main stage. Null: it shares `transport` and runs after main.
  bus::Transport* priority_t = nullptr;
  bus::Transport& PT() { return priority_t != nullptr ? *priority_t : *transport; }
  // The main stage's connection: its worker's while persistent workers run, else `transport`.
  bus::Transport* main_t = nullptr;
  bus::Transport& MT() { return main_t != nullptr ? *main_t : *transport; }

  // ---- persistent stage workers (StartWorkers) ---------------------------------------------
  std::vector<std::thread> workers;
  std::vector<std::unique_ptr<bus::Transport>> worker_conns;
  std::unique_ptr<std::atomic<bool>[]> worker_idle;  // Its last step moved nothing.
  size_t n_workers = 0;
  std::atomic<bool> stop_workers{false};
  bool workers_running = false;
  absl::Duration worker_block = absl::Milliseconds(20);
  std::mutex worker_mu;  // Guards worker_error and idle_epoch.
  std::condition_variable worker_cv;
  absl::Status worker_error;
  uint64_t idle_epoch = 0;  // Bumped when a worker goes idle.
  // The connections the stages had before StartWorkers (restored by StopWorkers).
  bus::Transport* saved_priority_t = nullptr;
  std::vector<bus::Transport*> saved_platform_t;
  // Guards metrics.dropped_by_reason, which the main and priority stages both count into.
  std::mutex dropped_mu;
  void CountDropped(const std::string& reason) {
    std::lock_guard<std::mutex> lock(dropped_mu);
    metrics.dropped_by_reason[reason]++;
  }

  absl::Status Dlq(bus::Transport& t, absl::string_view platform, absl::string_view event_id,
                   absl::string_view event_json, absl::string_view reason, int attempts,
                   int64_t first_seen_ms, absl::string_view last_error) {
    if (absl::Status s = t.AddNoReply(bus::kDlq,
                                      {{"event_id", std::string(event_id)},
                                       {"event", std::string(event_json)},
                                       {"platform", std::string(platform)},
                                       {"reason", std::string(reason)},
                                       {"attempts", std::to_string(attempts)},
                                       {"first_seen", std::to_string(first_seen_ms)},
                                       {"last_error", std::string(last_error)}},
                                      MinId());
        !s.ok()) {
      return s;
    }
    if (!platform.empty()) {
      metrics.platforms.find(std::string(platform))->second.dlq_by_reason[std::string(reason)]++;
      return t.HashSet(bus::OutcomeKey(platform), event_id, absl::StrCat("dlq:", reason));
    }
    // A poison entry of the main or priority stage: the event is in the DLQ for every platform.
    CountDropped(absl::StrCat("dlq_", reason));
    if (event_id.empty()) return absl::OkStatus();
    for (const Platform& p : platforms) {
      if (absl::Status s =
              t.HashSet(bus::OutcomeKey(p.name), event_id, absl::StrCat("dlq:", reason));
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  // ---- main stage --------------------------------------------------------------------------
  absl::StatusOr<bool> MainStage(absl::Duration block = absl::ZeroDuration()) {
    bool progress = false;
    auto read = MT().ClaimAndReadBlocking(bus::kRiskVerified, bus::kMainGroup, options.consumer,
                                          options.reclaim_idle, options.batch, ReadCount(0), block);
    if (!read.ok()) return read.status();
    std::vector<bus::Entry> entries = std::move(read->first);
    for (bus::Entry& e : read->second) entries.push_back(std::move(e));
    // One XACK for the entries handled, queued after their writes (so after their outcomes).
    std::vector<std::string> acks;
    acks.reserve(entries.size());
    absl::Status status;
    for (const bus::Entry& e : entries) {
      progress = true;
      const std::string& json = e.Field("event");
      if (e.deliveries > options.max_deliveries) {
        status = Dlq(MT(), "", e.Field("event_id"), json, "max_deliveries_exceeded",
                     static_cast<int>(e.deliveries), 0, "");
      } else {
        status = MainOne(json);
      }
      if (!status.ok()) break;
      acks.push_back(e.id);
    }
    absl::Status acked = MT().AckMany(bus::kRiskVerified, bus::kMainGroup, acks);
    if (!status.ok()) return status;
    if (!acked.ok()) return acked;
    return progress;
  }

  absl::Status MainOne(const std::string& json) {
    auto p = ParsePredictionLine(json, 0);
    if (!p.ok()) {
      return Dlq(MT(), "", "", json, "invalid_event", 1, 0, p.status().message());
    }
    const std::string event_id = EventId(*p);
    if (std::optional<DropReason> drop = FilterPrediction(*p, options.thresholds)) {
      CountDropped(std::string(DropReasonName(*drop)));
      return MT().HashSet(bus::kDroppedKey, event_id, DropReasonName(*drop));
    }
    metrics.passed_filter++;
    // The event travels on in binary (PlantEvent): the later stages neither parse JSON nor format.
    BroadcastEvent& event = main_event;
    BuildEventInto(*std::move(p), *formatter, &event);
    std::string pb;
    pb.reserve(1024);
    internal::EncodePlantEvent(event, &pb);
    return MT().AddNoReply(bus::kPriorityQueue,
                           {{std::string(internal::kEventPbField), std::move(pb)},
                            {"priority", absl::StrCat(event.priority_score)},
                            {"tier", std::string(TierName(event.tier))},
                            {"event_id", event.id},
                            {"first_seen", std::to_string(absl::ToUnixMillis(Now()))}},
                           TrimId(&main_trim_ms));
  }

  // ---- priority stage ----------------------------------------------------------------------
  absl::StatusOr<bool> PriorityStage(absl::Duration block = absl::ZeroDuration()) {
    bool progress = false;
    if (static_cast<int>(priority_held.size()) < options.batch) {
      auto read = PT().ClaimAndReadBlocking(bus::kPriorityQueue, bus::kPriorityGroup,
                                            options.consumer, options.reclaim_idle, options.batch,
                                            ReadCount(priority_held.size()), block);
      if (!read.ok()) return read.status();
      for (auto* v : {&read->first, &read->second}) {
        for (bus::Entry& e : *v) {
          // An entry reclaimed from ourselves is already held.
          bool dup = false;
          for (const auto& h : priority_held) dup = dup || h.id == e.id;
          if (!dup) priority_held.push_back(std::move(e));
          progress = true;
        }
      }
      SortByPriorityInBatches(&priority_held, options.batch);
    }
    if (Now() < priority_wake) return progress;
    // Entries [start, i) have their global token and wait for the fan-out, which copies them
    // (event_pb, priority, tier, event_id, first_seen) to every enabled platform's outbox and
    // acknowledges them: one step for the run of entries (one MULTI ... EXEC on Redis, given the
    // fields as read: the queue is not read again).
    size_t i = 0, start = 0;
    auto fan_out = [&]() -> absl::Status {
      if (i == start) return absl::OkStatus();
      absl::Status s =
          PT().FanOutAndAckMany(bus::kPriorityQueue, bus::kPriorityGroup,
                                absl::MakeConstSpan(priority_held.data() + start, i - start),
                                outboxes, TrimId(&fanout_trim_ms));
      if (s.ok()) start = i;
      return s;
    };
    absl::Status status;
    for (; i < priority_held.size(); ++i) {
      bus::Entry& e = priority_held[i];
      if (e.deliveries > options.max_deliveries) {
        status = fan_out();
        if (!status.ok()) break;
        BroadcastEvent scratch;
        bool decoded = false;
        status = Dlq(PT(), "", e.Field("event_id"), EntryEventJson(e, &scratch, &decoded),
                     "max_deliveries_exceeded", static_cast<int>(e.deliveries), 0, "");
        if (!status.ok()) break;
        status = PT().Ack(bus::kPriorityQueue, bus::kPriorityGroup, e.id);
        if (!status.ok()) break;
        start = i + 1;
        continue;
      }
      if (options.rate_limits) {
        const bus::BucketSpec global{bus::LimitsKey("global"), options.global_limit.hourly,
                                     options.global_limit.daily};
        auto got = PT().Acquire({&global, 1}, Now());
        if (!got.ok()) {
          status = got.status();
          break;
        }
        if (!got->acquired) {
          metrics.global_rate_limited++;
          priority_wake = Now() + got->wait;
          break;
        }
      }
    }
    absl::Status fanned = fan_out();
    if (status.ok()) status = fanned;
    priority_held.erase(priority_held.begin(),
                        priority_held.begin() + static_cast<std::ptrdiff_t>(start));
    progress = progress || start > 0;
    if (!status.ok()) return status;
    return progress;
  }

  // ---- platform stage ----------------------------------------------------------------------
  absl::Status Digest(Platform& p, const DigestItem& item) {
    const int64_t bucket = absl::ToUnixSeconds(Now()) / absl::ToInt64Seconds(options.digest_bucket);
    M(p).digest_buffered++;
    return p.t->ListPushIndexed(bus::DigestKey(p.name, bucket), EncodeDigest(item),
                                options.digest_ttl, bus::DigestIndexKey(p.name));
  }

  // Publishes with the retry policy. `permission_held`: the breaker permission for the first
  // attempt is already taken.
  AttemptResult PublishWithRetries(Platform& p, const BroadcastEvent& event, absl::string_view json,
                                   bool permission_held) {
    AttemptResult out;
    // Built at the first failure (seeding its mt19937_64 costs more than a successful publish);
    // nothing is drawn from it before, so the jitter is the same as when built up front.
    std::optional<Backoff> backoff;
    while (true) {
      if (!permission_held && !p.breaker->TryAcquirePermission()) {
        out.outcome = Outcome::kDigest;
        out.reason = "breaker_open";
        return out;
      }
      permission_held = false;
      ++out.attempts;
      M(p).publish_attempts++;
      const absl::Time t0 = Now();
      PublishResult r = p.publisher->Publish(event, json);
      const absl::Duration d = Now() - t0;
      RecordLatency(p, d);
      if (r.success) {
        p.breaker->OnSuccess(d);
        out.outcome = Outcome::kPublished;
        return out;
      }
      M(p).publish_errors[r.reason]++;
      out.last_error = r.error.empty() ? r.reason : r.error;
      if (!r.retry) {
        p.breaker->ReleasePermission();
        out.outcome = Outcome::kDlq;
        out.reason = r.reason;
        return out;
      }
      p.breaker->OnError(d);
      if (!backoff) backoff.emplace(options.backoff, options.seed ^ Fnv1a(event.id, p.name));
      if (!backoff->CanRetry()) {
        out.outcome = Outcome::kDlq;
        out.reason = "max_attempts_exceeded";
        return out;
      }
      sleep(backoff->NextDelay(r.retry_after));
    }
  }

  void RecordLatency(Platform& p, absl::Duration d) {
    PlatformMetrics& m = M(p);
    const double s = absl::ToDoubleSeconds(d);
    size_t i = 0;
    while (i < kLatencyBucketsS.size() && s > kLatencyBucketsS[i]) ++i;
    m.latency_buckets[i]++;
    m.latency_sum_s += s;
    m.latency_count++;
  }

  // The idempotency guard's protocol (broadcast:sent:{platform}:{event id}, SET NX EX
  // sent_ttl, the design's key): a consumer claims an event for a platform by setting its guard
  // (value kClaimed) before publishing; a failed or deferred publish deletes it again; a publish
  // leaves it set. Whether a claimed event was published is the outcome hash's field
  // (broadcast:outcome:{platform} event id = "published"), written before the entry's XACK: the
  // guard is not rewritten to "sent" after the publish (that second SET per event and platform
  // is gone; a guard holding "sent", written by an older plant, still reads as published).
  // A consumer finding a guard set by someone else: published (guard "sent", or the outcome says
  // so) -> a duplicate, recorded as published, not posted; else the claimer died between the
  // guard and the recording of its result -> DLQ `unknown_outcome`, never a second post.
  static constexpr absl::string_view kClaimed = "claimed";

  // What the caller knows of an event's idempotency guard before Deliver.
  struct Guard {
    bool owned = false;  // This plant claimed it (SetIfAbsentMany) for this entry.
    bool known = false;  // Not owned: `existing` is its value read this round.
    std::optional<std::string> existing;
    // Known and existing, or owned and MayOutliveGuard: its outcome read "published" this round
    // (owned: the guard of an earlier publish had expired; the event is a duplicate all the same).
    bool published = false;
  };

  // Ingests `lines` (line i numbered `number(i)`) in one pipelined round trip; stops at the first
  // transport error, and the round is flushed either way.
  template <typename Number>
  absl::Status IngestPipelined(BroadcastPlant& plant, absl::Span<const std::string> lines,
                               Number number) {
    transport->BeginPipeline();
    absl::Status status;
    for (size_t i = 0; i < lines.size() && status.ok(); ++i) {
      status = plant.Ingest(lines[i], number(i));
    }
    absl::Status flushed = transport->EndPipeline();
    return status.ok() ? flushed : status;
  }

  // Whether an earlier guard of `event_id` may have expired by now, so that a guard found absent
  // (or just set) does not prove the event unpublished and the outcome hash (kept for good) must
  // be read. A guard is set when a consumer claims the event, at or after its decision, and lives
  // sent_ttl: while the decision (the id's "-{unix ms}" suffix, EventId) is younger than half the
  // TTL, every earlier guard is still set (the other half is a margin for producer clocks ahead of
  // the plant's). True for an id without that suffix.
  bool MayOutliveGuard(absl::string_view event_id) const {
    const size_t dash = event_id.rfind('-');
    int64_t decided_ms = 0;
    if (dash == absl::string_view::npos ||
        !absl::SimpleAtoi(event_id.substr(dash + 1), &decided_ms)) {
      return true;
    }
    return absl::FromUnixMillis(decided_ms) < Now() - options.sent_ttl / 2;
  }

  // Whether the event is published on `p` as far as this consumer can tell: its outcome queued
  // in this round (p.published, not yet written) or in the outcome hash.
  absl::StatusOr<bool> OutcomePublished(Platform& p, const std::string& event_id) {
    for (const auto& [id, outcome] : p.published) {
      if (id == event_id) return true;
    }
    auto got = p.t->HashGetMany(bus::OutcomeKey(p.name), {event_id});
    if (!got.ok()) return got.status();
    return got->at(0) == std::optional<std::string>("published");
  }

  // One event for one platform, from the outbox or a digest bucket. kWait: nothing changed, the
  // event must wait `wait` for a token. A guard owned on entry stays set after a publish and is
  // deleted on every other outcome.
  // `known`: the event already decoded (item.event_json is its JSON), else it is parsed from
  // item.event_json. `deferred`: the outcome "published" is left in p.published for the caller
  // to write (before the entry's XACK) instead of being queued here.
  absl::StatusOr<AttemptResult> Deliver(Platform& p, const DigestItem& item, absl::string_view tier,
                                        bool from_digest, const Guard& guard,
                                        const BroadcastEvent* known = nullptr,
                                        bool deferred = false) {
    AttemptResult res;
    bus::Transport& t = *p.t;
    const std::string sent_key = bus::SentKey(p.name, item.event_id);
    auto mark_published = [&]() -> absl::Status {
      if (deferred) {
        p.published.emplace_back(item.event_id, "published");
        return absl::OkStatus();
      }
      return t.HashSet(bus::OutcomeKey(p.name), item.event_id, "published");
    };
    auto release_guard = [&]() -> absl::Status {
      return guard.owned ? t.Delete(sent_key) : absl::OkStatus();
    };
    if (guard.owned && guard.published) {  // Published before its guard expired.
      M(p).duplicates_suppressed++;
      if (absl::Status s = mark_published(); !s.ok()) return s;
      res.outcome = Outcome::kDuplicate;
      return res;
    }
    if (!guard.owned) {
      absl::StatusOr<std::optional<std::string>> existing =
          guard.known ? absl::StatusOr<std::optional<std::string>>(guard.existing)
                      : t.Get(sent_key);
      if (!existing.ok()) return existing.status();
      if (!existing->has_value() && MayOutliveGuard(item.event_id)) {
        // No guard, but an old event: an expired guard may have covered a publish.
        absl::StatusOr<bool> outcome = OutcomePublished(p, item.event_id);
        if (!outcome.ok()) return outcome.status();
        if (*outcome) {
          M(p).duplicates_suppressed++;
          if (absl::Status s = mark_published(); !s.ok()) return s;
          res.outcome = Outcome::kDuplicate;
          return res;
        }
      }
      if (existing->has_value()) {
        bool published = **existing == "sent" || (guard.known && guard.published);
        if (!published && !guard.known) {
          absl::StatusOr<bool> outcome = OutcomePublished(p, item.event_id);
          if (!outcome.ok()) return outcome.status();
          published = *outcome;
        }
        if (published) {
          M(p).duplicates_suppressed++;
          if (absl::Status s = mark_published(); !s.ok()) return s;
          res.outcome = Outcome::kDuplicate;
          return res;
        }
        // Claimed, not published: a consumer died between the guard and the publish's result.
        if (absl::Status s = Dlq(t, p.name, item.event_id, item.event_json, "unknown_outcome", 0,
                                 item.first_seen_ms, "consumer died during publish");
            !s.ok()) {
          return s;
        }
        res.outcome = Outcome::kDlq;
        return res;
      }
    }
    if (!p.breaker->TryAcquirePermission()) {
      if (absl::Status s = release_guard(); !s.ok()) return s;
      if (from_digest) {
        res.outcome = Outcome::kDigest;  // Caller re-queues.
        return res;
      }
      if (absl::Status s = Digest(p, item); !s.ok()) return s;
      res.outcome = Outcome::kDigest;
      return res;
    }
    if (options.rate_limits) {
      const PlatformLimits lim = options.limits.at(p.name);
      const bus::BucketSpec spec{bus::LimitsKey(p.name), lim.hourly, lim.daily};
      auto got = t.Acquire({&spec, 1}, Now());
      if (!got.ok()) {
        p.breaker->ReleasePermission();
        return got.status();
      }
      if (!got->acquired) {
        p.breaker->ReleasePermission();
        if (absl::Status s = release_guard(); !s.ok()) return s;
        M(p).rate_limited++;
        res.outcome = Outcome::kWait;
        res.wait = got->wait;
        return res;
      }
    }
    if (!guard.owned) {
      auto fresh = t.SetIfAbsent(sent_key, kClaimed, options.sent_ttl);
      if (!fresh.ok()) {
        p.breaker->ReleasePermission();
        return fresh.status();
      }
      if (!*fresh) {  // Another consumer got there first.
        p.breaker->ReleasePermission();
        M(p).duplicates_suppressed++;
        res.outcome = Outcome::kDuplicate;
        return res;
      }
    }
    absl::StatusOr<BroadcastEvent> parsed;
    const BroadcastEvent* event = known;
    if (event == nullptr) {
      parsed = item.event_json.empty() ? absl::StatusOr<BroadcastEvent>(absl::InvalidArgumentError(
                                             "event_pb: not a PlantEvent"))
                                       : ParseCloudEventJson(item.event_json);
      if (!parsed.ok()) {
        p.breaker->ReleasePermission();
        if (absl::Status s = t.Delete(sent_key); !s.ok()) return s;
        if (absl::Status s = Dlq(t, p.name, item.event_id, item.event_json, "invalid_event", 0,
                                 item.first_seen_ms, parsed.status().message());
            !s.ok()) {
          return s;
        }
        res.outcome = Outcome::kDlq;
        return res;
      }
      event = &*parsed;
    }
    res = PublishWithRetries(p, *event, item.event_json, true);
    switch (res.outcome) {
      case Outcome::kPublished: {
        // The guard stays claimed; the outcome records the publish (before the XACK).
        if (absl::Status s = mark_published(); !s.ok()) return s;
        M(p).published_by_tier[std::string(tier)]++;
        if (from_digest) M(p).digest_flushed_published++;
        break;
      }
      case Outcome::kDlq: {
        if (absl::Status s = t.Delete(sent_key); !s.ok()) return s;
        if (absl::Status s = Dlq(t, p.name, item.event_id, item.event_json, res.reason,
                                 res.attempts, item.first_seen_ms, res.last_error);
            !s.ok()) {
          return s;
        }
        break;
      }
      case Outcome::kDigest: {
        if (absl::Status s = t.Delete(sent_key); !s.ok()) return s;
        if (!from_digest) {
          if (absl::Status s = Digest(p, item); !s.ok()) return s;
        }
        break;
      }
      default:
        break;
    }
    return res;
  }

  // Deletes the guards still owned for held entries (the stage stops before reaching them).
  absl::Status ReleaseOwnedGuards(Platform& p) {
    for (const auto& [event_id, entry_id] : p.owned) {
      if (absl::Status s = p.t->Delete(bus::SentKey(p.name, event_id)); !s.ok()) return s;
    }
    p.owned.clear();
    return absl::OkStatus();
  }

  absl::StatusOr<bool> PlatformStage(Platform& p, absl::Duration block = absl::ZeroDuration()) {
    bool progress = false;
    bus::Transport& t = *p.t;
    if (static_cast<int>(p.held.size()) < options.batch) {
      auto read = t.ClaimAndReadBlocking(p.outbox, p.group, options.consumer, options.reclaim_idle,
                                         options.batch, ReadCount(p.held.size()), block);
      if (!read.ok()) return read.status();
      for (auto* v : {&read->first, &read->second}) {
        for (bus::Entry& e : *v) {
          bool dup = false;
          for (const auto& h : p.held) dup = dup || h.id == e.id;
          if (!dup) p.held.push_back(std::move(e));
          progress = true;
        }
      }
      SortByPriorityInBatches(&p.held, options.batch);
    }
    if (Now() < p.wake || p.held.empty()) return progress;
    // The idempotency guards in one round trip of SET NX GET kClaimed: of every held entry, or
    // with rate limits on, of the next batch only (a token wait would delete them again). A guard
    // set here is owned until the entry's outcome (then kept or deleted); one that existed is
    // read as the GET did. An event id held twice (an XADD that ran twice) is guarded by its
    // first entry only; its second entry checks its guard alone, after the first is done.
    std::vector<Guard> guards(p.held.size());
    std::vector<bool> attempted(p.held.size(), false);
    std::set<std::string> seen_ids;
    const size_t chunk = options.rate_limits ? static_cast<size_t>(options.batch) : p.held.size();
    auto guard_from = [&](size_t start) -> absl::Status {
      std::vector<std::string> keys;
      std::vector<size_t> guarded;  // Index in held of each key.
      for (size_t i = start; i < p.held.size() && i < start + chunk; ++i) {
        attempted[i] = true;
        const bus::Entry& e = p.held[i];
        if (e.deliveries > options.max_deliveries) continue;
        const std::string& id = e.Field("event_id");
        auto owned = p.owned.find(id);
        if (owned != p.owned.end()) {  // Set in an earlier round that stopped on an error.
          guards[i].owned = owned->second == e.id;
          continue;
        }
        if (!seen_ids.insert(id).second) continue;
        keys.push_back(bus::SentKey(p.name, id));
        guarded.push_back(i);
      }
      if (keys.empty()) return absl::OkStatus();
      // The outcomes "published" of the round so far are written first: the same round trip,
      // and a consumer dying later in the round leaves them recorded (its claimed, unrecorded
      // events go to the DLQ as unknown_outcome when reclaimed).
      if (absl::Status s = t.HashSetMany(bus::OutcomeKey(p.name), p.published); !s.ok()) return s;
      p.published.clear();
      auto set = t.SetIfAbsentMany(keys, kClaimed, options.sent_ttl);
      if (!set.ok()) return set.status();
      for (size_t k = 0; k < guarded.size(); ++k) {
        Guard& g = guards[guarded[k]];
        const bus::Entry& e = p.held[guarded[k]];
        if (!(*set)[k].has_value()) {
          p.owned[e.Field("event_id")] = e.id;
          g.owned = true;
        } else {
          g.known = true;
          g.existing = (*set)[k];
        }
      }
      // Guards someone else claimed (a reclaimed batch, a repeated event): their outcomes in one
      // HMGET, to tell a published event (a duplicate) from an unknown outcome. With them, the
      // guards set here for events old enough for an earlier guard to have expired
      // (MayOutliveGuard: none in a live run, whose decisions are minutes old).
      std::vector<std::string> claimed_ids;
      std::vector<size_t> claimed_at;
      for (size_t k = 0; k < guarded.size(); ++k) {
        const Guard& g = guards[guarded[k]];
        if ((g.known && g.existing.has_value() && *g.existing != "sent") ||
            (g.owned && MayOutliveGuard(p.held[guarded[k]].Field("event_id")))) {
          claimed_ids.push_back(p.held[guarded[k]].Field("event_id"));
          claimed_at.push_back(guarded[k]);
        }
      }
      if (claimed_ids.empty()) return absl::OkStatus();
      auto outcomes = t.HashGetMany(bus::OutcomeKey(p.name), claimed_ids);
      if (!outcomes.ok()) return outcomes.status();
      for (size_t k = 0; k < claimed_at.size(); ++k) {
        guards[claimed_at[k]].published = (*outcomes)[k] == std::optional<std::string>("published");
      }
      return absl::OkStatus();
    };
    size_t done = 0;
    absl::Status status;
    for (; done < p.held.size(); ++done) {
      if (!attempted[done]) {
        status = guard_from(done);
        if (!status.ok()) break;
      }
      const bus::Entry& e = p.held[done];
      DigestItem item;
      item.priority = PriorityOf(e);
      item.event_id = e.Field("event_id");
      bool decoded = false;
      item.event_json = EntryEventJson(e, &p.scratch, &decoded);
      (void)absl::SimpleAtoi(e.Field("first_seen"), &item.first_seen_ms);
      if (e.deliveries > options.max_deliveries) {
        status = Dlq(t, p.name, item.event_id, item.event_json, "max_deliveries_exceeded",
                     static_cast<int>(e.deliveries), item.first_seen_ms, "");
        if (!status.ok()) break;
      } else {
        auto r = Deliver(p, item, e.Field("tier"), false, guards[done],
                         decoded ? &p.scratch : nullptr, /*deferred=*/true);
        if (guards[done].owned) p.owned.erase(item.event_id);
        if (!r.ok()) {
          status = r.status();
          break;
        }
        if (r->outcome == Outcome::kWait) {
          p.wake = Now() + r->wait;
          break;
        }
      }
      p.acks.push_back(e.id);
      progress = true;
    }
    p.held.erase(p.held.begin(), p.held.begin() + static_cast<std::ptrdiff_t>(done));
    // The round's deferred terminal writes: outcomes first, then one XACK.
    absl::Status written = t.HashSetMany(bus::OutcomeKey(p.name), p.published);
    if (written.ok()) written = t.AckMany(p.outbox, p.group, p.acks);
    p.published.clear();
    p.acks.clear();
    if (!status.ok()) return status;
    if (!written.ok()) return written;
    if (absl::Status s = ReleaseOwnedGuards(p); !s.ok()) return s;
    return progress;
  }

  // ---- digest flusher ----------------------------------------------------------------------
  int64_t CurrentBucket() const {
    return absl::ToUnixSeconds(Now()) / absl::ToInt64Seconds(options.digest_bucket);
  }

  // The platform's digest lists (bucket id, key), oldest first, from its index set (a list is
  // named there by the push that creates it; Start adds lists written before the index existed):
  // the keyspace is not scanned. `via`: the connection to ask (default the platform's).
  absl::StatusOr<std::vector<std::pair<int64_t, std::string>>> DigestBuckets(
      const Platform& p, bus::Transport* via = nullptr) {
    const std::string prefix = absl::StrCat("broadcast:digest:", p.name, ":");
    auto keys = (via != nullptr ? via : p.t)->IndexedKeys(bus::DigestIndexKey(p.name));
    if (!keys.ok()) return keys.status();
    std::vector<std::pair<int64_t, std::string>> out;
    for (const std::string& k : *keys) {
      int64_t id = 0;
      if (absl::StartsWith(k, prefix) &&
          absl::SimpleAtoi(absl::string_view(k).substr(prefix.size()), &id))
        out.emplace_back(id, k);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  bool BreakerWaiting(const Platform& p) const {
    return p.breaker->state() == BreakerState::kOpen &&
           Now() - p.breaker->opened_at() < options.breaker_wait_in_open;
  }

  absl::StatusOr<bool> Flush() {
    if (Now() < next_flush) return false;
    next_flush = Now() + options.flush_interval;
    DigestFlushResult result;
    if (absl::Status s = FlushBuckets({}, false, &result); !s.ok()) return s;
    return result.sent > 0 || result.failed > 0;
  }

  // Flushes the closed digest buckets (and the current one when `include_current`) of the
  // platforms named in `only` (empty = all), adding to `result`.
  absl::Status FlushBuckets(absl::Span<const std::string> only, bool include_current,
                            DigestFlushResult* result) {
    for (Platform& p : platforms) {
      if (!only.empty() && std::find(only.begin(), only.end(), p.name) == only.end()) continue;
      if (BreakerWaiting(p)) {
        result->skipped_breaker_open.push_back(p.name);
        continue;
      }
      auto buckets = DigestBuckets(p);
      if (!buckets.ok()) return buckets.status();
      const int64_t current = CurrentBucket();
      for (const auto& [bucket, key] : *buckets) {
        if (bucket > current || (bucket == current && !include_current)) continue;
        auto values = p.t->ListRange(key);
        if (!values.ok()) return values.status();
        std::vector<DigestItem> items;
        for (const std::string& v : *values) {
          if (auto d = DecodeDigest(v)) items.push_back(*std::move(d));
        }
        std::stable_sort(items.begin(), items.end(), [](const DigestItem& a, const DigestItem& b) {
          return a.priority > b.priority;
        });
        int64_t ok = 0, failed = 0, requeued = 0;
        std::vector<const DigestItem*> back;  // Re-queued into the current bucket.
        for (const DigestItem& item : items) {
          auto tier = ParseCloudEventJson(item.event_json);
          const std::string tier_name =
              tier.ok() ? std::string(TierName(tier->tier)) : std::string("low");
          auto r = Deliver(p, item, tier_name, true, Guard{});
          if (!r.ok()) return r.status();
          switch (r->outcome) {
            case Outcome::kPublished:
            case Outcome::kDuplicate:
              ++ok;
              break;
            case Outcome::kDlq:
              ++failed;
              break;
            case Outcome::kWait:
            case Outcome::kDigest:
              ++requeued;
              back.push_back(&item);
              break;
          }
        }
        // Deleted before the re-queue: the current bucket may be the one just flushed.
        if (absl::Status s = p.t->Delete(key); !s.ok()) return s;
        for (const DigestItem* item : back) {
          if (absl::Status s =
                  p.t->ListPushIndexed(bus::DigestKey(p.name, current), EncodeDigest(*item),
                                       options.digest_ttl, bus::DigestIndexKey(p.name));
              !s.ok()) {
            return s;
          }
        }
        auto id = p.t->Add(bus::kDigestStream,
                           {{"platform", p.name},
                            {"bucket", std::to_string(bucket)},
                            {"success", std::to_string(ok)},
                            {"failure", std::to_string(failed)},
                            {"requeued", std::to_string(requeued)}},
                           MinId());
        if (!id.ok()) return id.status();
        {
          std::lock_guard<std::mutex> lock(dropped_mu);  // Platform workers count here together.
          metrics.digest_flushes++;
        }
        result->buckets++;
        result->sent += ok;
        result->failed += failed;
        result->requeued += requeued;
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> Open(absl::string_view stream, absl::string_view group) {
    auto a = transport->Undelivered(stream, group);
    if (!a.ok()) return a.status();
    auto b = transport->PendingCount(stream, group);
    if (!b.ok()) return b.status();
    return *a + *b;
  }

  // The earliest time a stage may have work (InfiniteFuture when none is scheduled).
  absl::StatusOr<absl::Time> NextWake() {
    absl::Time wake = absl::InfiniteFuture();
    const absl::Time now = Now();
    if (!priority_held.empty()) wake = std::min(wake, std::max(now, priority_wake));
    auto foreign = [&](absl::string_view stream, absl::string_view group,
                       size_t held) -> absl::Status {
      auto pending = transport->PendingCount(stream, group);
      if (!pending.ok()) return pending.status();
      if (*pending > static_cast<int64_t>(held)) wake = std::min(wake, now + options.reclaim_idle);
      return absl::OkStatus();
    };
    if (absl::Status s = foreign(bus::kRiskVerified, bus::kMainGroup, 0); !s.ok()) return s;
    if (absl::Status s = foreign(bus::kPriorityQueue, bus::kPriorityGroup, priority_held.size());
        !s.ok()) {
      return s;
    }
    for (Platform& p : platforms) {
      if (!p.held.empty()) wake = std::min(wake, std::max(now, p.wake));
      if (absl::Status s = foreign(p.outbox, p.group, p.held.size()); !s.ok()) return s;
      auto buckets = DigestBuckets(p);
      if (!buckets.ok()) return buckets.status();
      if (!buckets->empty()) wake = std::min(wake, std::max(now, next_flush));
    }
    return wake;
  }

  // ---- persistent stage workers ------------------------------------------------------------
  // One stage's loop on its own thread and connection `t`: each step's writes are pipelined with
  // its next read; a step that moved nothing makes the next read block (XREADGROUP BLOCK) when
  // the stage holds nothing, or sleeps (the injected sleep, at most 1 s at a time) until the
  // stage's wake-up when it holds entries waiting for a token. An error is kept for RunUntil and
  // the loop goes on after a pause (a restarted redis-server is reconnected by the transport).
  void WorkerLoop(size_t w, bus::Transport* t,
                  const std::function<absl::StatusOr<bool>(absl::Duration)>& step,
                  const std::function<std::optional<absl::Time>()>& held_until) {
    bool block_next = false;
    while (!stop_workers.load(std::memory_order_acquire)) {
      t->BeginPipeline();
      absl::StatusOr<bool> moved = step(block_next ? worker_block : absl::ZeroDuration());
      absl::Status flushed = t->EndPipeline();
      if (moved.ok() && !flushed.ok()) moved = flushed;
      block_next = false;
      if (!moved.ok()) {
        {
          std::lock_guard<std::mutex> lock(worker_mu);
          if (worker_error.ok()) worker_error = moved.status();
        }
        worker_cv.notify_all();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      if (*moved) {
        worker_idle[w].store(false, std::memory_order_release);
        continue;
      }
      if (!worker_idle[w].exchange(true, std::memory_order_acq_rel)) {
        {
          std::lock_guard<std::mutex> lock(worker_mu);
          ++idle_epoch;
        }
        worker_cv.notify_all();
      }
      const std::optional<absl::Time> until = held_until();
      if (!until.has_value()) {
        if (t->blocking_reads()) {
          block_next = true;
        } else {
          std::this_thread::sleep_for(absl::ToChronoNanoseconds(worker_block));
        }
        continue;
      }
      sleep(std::clamp(*until - Now(), absl::Milliseconds(1), absl::Seconds(1)));
    }
  }

  // A platform worker's step: its stage, then its digest flusher when due.
  absl::StatusOr<bool> PlatformStepWithFlush(Platform& p, absl::Duration block) {
    absl::StatusOr<bool> moved = PlatformStage(p, block);
    if (!moved.ok() || Now() < p.next_flush) return moved;
    p.next_flush = Now() + options.flush_interval;
    DigestFlushResult flushed;
    const std::string only[] = {p.name};
    if (absl::Status s = FlushBuckets(only, false, &flushed); !s.ok()) return s;
    return *moved || flushed.sent > 0 || flushed.failed > 0;
  }

  // The workers' counters as of their last step (metrics() while they run), under snap_mu.
  std::mutex snap_mu;
  int64_t snap_passed_filter = 0, snap_global_rate_limited = 0;
  std::map<std::string, PlatformMetrics> snap_platforms;
  BroadcastPlant::ConnectFn connect_fn;  // Kept to restart the workers (FlushDigestNow).

  absl::Status StartWorkers(const BroadcastPlant::ConnectFn& connect, absl::Duration block) {
    if (workers_running) return absl::FailedPreconditionError("stage workers already running");
    if (block < absl::Milliseconds(1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("worker block must be >= 1ms, got ", absl::FormatDuration(block)));
    }
    // One connection per stage: main, priority, then each platform.
    std::vector<std::unique_ptr<bus::Transport>> conns;
    for (size_t i = 0; i < 2 + platforms.size(); ++i) {
      absl::StatusOr<std::unique_ptr<bus::Transport>> c = connect();
      if (!c.ok()) return c.status();
      if (*c == nullptr) return absl::InvalidArgumentError("stage workers: connect gave null");
      conns.push_back(*std::move(c));
    }
    worker_conns = std::move(conns);
    worker_block = block;
    stop_workers.store(false);
    worker_error = absl::OkStatus();
    n_workers = worker_conns.size();
    worker_idle = std::make_unique<std::atomic<bool>[]>(n_workers);
    for (size_t i = 0; i < n_workers; ++i) worker_idle[i].store(false);
    saved_priority_t = priority_t;
    saved_platform_t.clear();
    main_t = worker_conns[0].get();
    priority_t = worker_conns[1].get();
    for (size_t i = 0; i < platforms.size(); ++i) {
      saved_platform_t.push_back(platforms[i].t);
      platforms[i].t = worker_conns[2 + i].get();
      platforms[i].next_flush = next_flush;
    }
    connect_fn = connect;
    {
      std::lock_guard<std::mutex> lock(snap_mu);
      snap_passed_filter = metrics.passed_filter;
      snap_global_rate_limited = metrics.global_rate_limited;
      snap_platforms = metrics.platforms;
      for (const Platform& p : platforms) {
        snap_platforms[p.name].breaker_state = static_cast<int>(p.breaker->state());
      }
    }
    workers_running = true;
    workers.emplace_back([this] {
      WorkerLoop(
          0, main_t,
          [this](absl::Duration b) {
            absl::StatusOr<bool> moved = MainStage(b);
            std::lock_guard<std::mutex> lock(snap_mu);
            snap_passed_filter = metrics.passed_filter;
            return moved;
          },
          []() -> std::optional<absl::Time> { return std::nullopt; });
    });
    workers.emplace_back([this] {
      WorkerLoop(
          1, priority_t,
          [this](absl::Duration b) {
            absl::StatusOr<bool> moved = PriorityStage(b);
            std::lock_guard<std::mutex> lock(snap_mu);
            snap_global_rate_limited = metrics.global_rate_limited;
            return moved;
          },
          [this]() -> std::optional<absl::Time> {
            if (priority_held.empty()) return std::nullopt;
            return priority_wake;
          });
    });
    for (size_t i = 0; i < platforms.size(); ++i) {
      Platform* p = &platforms[i];
      workers.emplace_back([this, i, p] {
        WorkerLoop(
            2 + i, p->t,
            [this, p](absl::Duration b) -> absl::StatusOr<bool> {
              absl::StatusOr<bool> moved = PlatformStepWithFlush(*p, b);
              PlatformMetrics snap = *p->m;
              snap.breaker_state = static_cast<int>(p->breaker->state());
              std::lock_guard<std::mutex> lock(snap_mu);
              snap_platforms[p->name] = std::move(snap);
              return moved;
            },
            [p]() -> std::optional<absl::Time> {
              if (p->held.empty()) return std::nullopt;
              return p->wake;
            });
      });
    }
    return absl::OkStatus();
  }

  absl::Status StopWorkers() {
    if (!workers_running) return absl::OkStatus();
    stop_workers.store(true, std::memory_order_release);
    for (std::thread& w : workers) w.join();
    workers.clear();
    // Back to the connections the stages had (held entries stay held: same consumer name).
    main_t = nullptr;
    priority_t = saved_priority_t;
    absl::Time earliest = absl::InfiniteFuture();
    for (size_t i = 0; i < platforms.size(); ++i) {
      platforms[i].t = saved_platform_t[i];
      earliest = std::min(earliest, platforms[i].next_flush);
    }
    next_flush = std::min(next_flush, earliest);
    worker_conns.clear();
    workers_running = false;
    std::lock_guard<std::mutex> lock(worker_mu);
    absl::Status s = worker_error;
    worker_error = absl::OkStatus();
    return s;
  }

  // RunUntil while the workers run: waits (really, on the workers' idle notifications, at most
  // 50 ms between checks) until nothing is outstanding, the clock reaches `until`, or a worker
  // reports an error.
  absl::Status AwaitWorkers(absl::Time until, const std::function<absl::StatusOr<bool>()>& open) {
    uint64_t seen = 0;
    {
      std::lock_guard<std::mutex> lock(worker_mu);
      seen = idle_epoch;
    }
    while (true) {
      {
        std::lock_guard<std::mutex> lock(worker_mu);
        if (!worker_error.ok()) {
          absl::Status s = worker_error;
          worker_error = absl::OkStatus();
          return s;
        }
      }
      if (Now() >= until) return absl::OkStatus();
      absl::StatusOr<bool> outstanding = open();
      if (!outstanding.ok()) return outstanding.status();
      if (!*outstanding) return absl::OkStatus();
      std::unique_lock<std::mutex> lock(worker_mu);
      worker_cv.wait_for(lock, std::chrono::milliseconds(50), [&] {
        if (!worker_error.ok()) return true;
        if (idle_epoch == seen) return false;
        for (size_t i = 0; i < n_workers; ++i) {
          if (!worker_idle[i].load(std::memory_order_acquire)) return false;
        }
        return true;
      });
      seen = idle_epoch;
    }
  }
};

BroadcastPlant::BroadcastPlant(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BroadcastPlant::~BroadcastPlant() {
  if (impl_ != nullptr) (void)impl_->StopWorkers();
}

absl::StatusOr<std::unique_ptr<BroadcastPlant>> BroadcastPlant::Create(
    PlantOptions options, bus::Transport* transport, const superbet::core::Clock* clock,
    SleepFn sleep, std::map<std::string, Publisher*> publishers) {
  if (absl::Status s = ValidatePlantOptions(options); !s.ok()) return s;
  auto formatter = Formatter::Create(options.templates);
  if (!formatter.ok()) return formatter.status();
  auto impl = std::make_unique<Impl>();
  impl->transport = transport;
  impl->clock = clock;
  impl->sleep = std::move(sleep);
  impl->formatter.emplace(*std::move(formatter));
  for (const std::string& name : options.platforms) {
    auto it = publishers.find(name);
    if (it == publishers.end() || it->second == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("platform '", name, "' has no publisher"));
    }
    Impl::Platform p;
    p.name = name;
    p.t = transport;
    p.m = &impl->metrics.platforms[name];
    p.publisher = it->second;
    auto bo = superbet::resilience::PlatformBreakerOptions(name);
    bo.wait_in_open = options.breaker_wait_in_open;
    p.breaker = std::make_unique<CircuitBreaker>(bo, *clock);
    p.outbox = bus::OutboxStream(name);
    impl->outboxes.push_back(p.outbox);
    p.group = bus::AdapterGroup(name);
    impl->metrics.platforms[name];
    impl->platforms.push_back(std::move(p));
  }
  impl->options = std::move(options);
  return std::unique_ptr<BroadcastPlant>(new BroadcastPlant(std::move(impl)));
}

absl::Status BroadcastPlant::Start() {
  auto& t = *impl_->transport;
  if (absl::Status s = t.CreateGroup(bus::kRiskVerified, bus::kMainGroup); !s.ok()) return s;
  if (absl::Status s = t.CreateGroup(bus::kPriorityQueue, bus::kPriorityGroup); !s.ok()) return s;
  for (const auto& p : impl_->platforms) {
    if (absl::Status s = t.CreateGroup(p.outbox, p.group); !s.ok()) return s;
    // Digest lists written before their index existed (an older plant) join it: the one scan of
    // the keyspace, here rather than on every Outstanding / flush.
    auto old = t.KeysWithPrefix(absl::StrCat("broadcast:digest:", p.name, ":"));
    if (!old.ok()) return old.status();
    if (absl::Status s = t.IndexAdd(bus::DigestIndexKey(p.name), *old, impl_->options.digest_ttl);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status BroadcastPlant::Ingest(absl::string_view line, int line_number) {
  impl_->metrics.input_lines++;
  auto p = ParsePredictionLine(line, line_number);
  if (!p.ok()) {
    impl_->metrics.rejected_by_reason[RejectReason(p.status())]++;
    if (impl_->metrics.rejected_lines.size() < kMaxRejectedLineMessages) {
      impl_->metrics.rejected_lines.emplace_back(p.status().message());
    }
    return absl::OkStatus();
  }
  impl_->metrics.accepted++;
  return impl_->transport->AddNoReply(bus::kRiskVerified,
                                      {{"event", PredictionToJson(*p)}, {"event_id", EventId(*p)}},
                                      impl_->TrimId(&impl_->ingest_trim_ms));
}

absl::Status BroadcastPlant::IngestLines(absl::Span<const std::string> lines,
                                         absl::Span<const int> line_numbers) {
  if (lines.size() != line_numbers.size()) {
    return absl::InvalidArgumentError(absl::StrCat("IngestLines: ", lines.size(), " lines but ",
                                                   line_numbers.size(), " line numbers"));
  }
  return impl_->IngestPipelined(*this, lines, [&](size_t i) { return line_numbers[i]; });
}

absl::Status BroadcastPlant::IngestLines(absl::Span<const std::string> lines,
                                         int first_line_number) {
  return impl_->IngestPipelined(*this, lines,
                                [&](size_t i) { return first_line_number + static_cast<int>(i); });
}

absl::Status BroadcastPlant::SetPlatformTransports(
    const std::map<std::string, bus::Transport*>& transports) {
  for (const auto& [name, t] : transports) {
    bool found = false;
    for (const auto& p : impl_->platforms) found = found || p.name == name;
    if (!found || t == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "platform transports: '", name, "' is not an enabled platform or has no transport"));
    }
  }
  for (auto& p : impl_->platforms) {
    if (transports.count(p.name) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("platform transports: enabled platform '", p.name, "' has none"));
    }
  }
  for (auto& p : impl_->platforms) p.t = transports.at(p.name);
  impl_->concurrent = true;
  return absl::OkStatus();
}

absl::Status BroadcastPlant::SetPriorityTransport(bus::Transport* transport) {
  if (transport == nullptr) {
    return absl::InvalidArgumentError("priority transport: none given");
  }
  impl_->priority_t = transport;
  return absl::OkStatus();
}

absl::Status BroadcastPlant::StartWorkers(const ConnectFn& connect, absl::Duration block) {
  return impl_->StartWorkers(connect, block);
}

absl::Status BroadcastPlant::StopWorkers() { return impl_->StopWorkers(); }

bool BroadcastPlant::workers_running() const { return impl_->workers_running; }

absl::StatusOr<bool> BroadcastPlant::Pump() {
  if (impl_->workers_running) {
    return absl::FailedPreconditionError("Pump: the persistent stage workers are running");
  }
  // Every stage's writes are queued and sent with its next read on its connection (one round
  // trip per read); the platforms' own connections (SetPlatformTransports) each keep theirs.
  std::vector<bus::Transport*> transports = {impl_->transport};
  if (impl_->priority_t != nullptr && impl_->priority_t != impl_->transport) {
    transports.push_back(impl_->priority_t);
  }
  for (auto& p : impl_->platforms) {
    if (std::find(transports.begin(), transports.end(), p.t) == transports.end()) {
      transports.push_back(p.t);
    }
  }
  for (bus::Transport* t : transports) t->BeginPipeline();
  absl::StatusOr<bool> progress = PumpStages();
  absl::Status flushed;
  for (bus::Transport* t : transports) {
    absl::Status s = t->EndPipeline();
    if (flushed.ok()) flushed = s;
  }
  if (!progress.ok()) return progress;
  if (!flushed.ok()) return flushed;
  return progress;
}

absl::StatusOr<bool> BroadcastPlant::PumpStages() {
  Impl& m = *impl_;
  bool progress = false;
  // Platform stages: on their own threads and connections when concurrent (joined before the
  // flusher and before returning), else one after the other after the priority stage.
  std::vector<absl::StatusOr<bool>> platform_results(m.platforms.size(), false);
  std::vector<std::thread> workers;
  if (m.concurrent) {
    workers.reserve(m.platforms.size());
    for (size_t i = 0; i < m.platforms.size(); ++i) {
      workers.emplace_back(
          [&m, &platform_results, i] { platform_results[i] = m.PlatformStage(m.platforms[i]); });
    }
  }
  // The priority stage on its own thread and connection beside the main stage when it has one
  // (it then moves what main added in an earlier Pump), else after main on the same connection.
  absl::StatusOr<bool> b = false;
  if (m.priority_t != nullptr) {
    workers.emplace_back([&m, &b] { b = m.PriorityStage(); });
  }
  absl::StatusOr<bool> a = m.MainStage();
  if (m.priority_t == nullptr && a.ok()) b = m.PriorityStage();
  for (std::thread& w : workers) w.join();
  if (!a.ok()) return a.status();
  if (!b.ok()) return b.status();
  progress = *a || *b;
  for (size_t i = 0; i < m.platforms.size(); ++i) {
    if (!m.concurrent) platform_results[i] = m.PlatformStage(m.platforms[i]);
    if (!platform_results[i].ok()) return platform_results[i].status();
    progress |= *platform_results[i];
  }
  auto f = impl_->Flush();
  if (!f.ok()) return f.status();
  progress |= *f;
  return progress;
}

absl::StatusOr<bool> BroadcastPlant::Outstanding() {
  auto& t = *impl_;
  // While the workers run, their held entries are not read here: they are still pending in
  // their group (XACK comes after the terminal outcome), which Open counts.
  const bool workers = t.workers_running;
  if (!workers && !t.priority_held.empty()) return true;
  for (auto [s, g] :
       {std::pair<absl::string_view, absl::string_view>{bus::kRiskVerified, bus::kMainGroup},
        {bus::kPriorityQueue, bus::kPriorityGroup}}) {
    auto n = t.Open(s, g);
    if (!n.ok()) return n.status();
    if (*n > 0) return true;
  }
  for (auto& p : t.platforms) {
    if (!workers && !p.held.empty()) return true;
    auto n = t.Open(p.outbox, p.group);
    if (!n.ok()) return n.status();
    if (*n > 0) return true;
  }
  // The digest buckets last (one small script per platform: the index, not the keyspace).
  for (auto& p : t.platforms) {
    auto buckets = t.DigestBuckets(p, t.transport);
    if (!buckets.ok()) return buckets.status();
    if (!buckets->empty()) return true;
  }
  return false;
}

absl::Status BroadcastPlant::RunUntil(absl::Time until, int64_t max_steps) {
  if (impl_->workers_running) return impl_->AwaitWorkers(until, [this] { return Outstanding(); });
  for (int64_t step = 0; step < max_steps; ++step) {
    auto progress = Pump();
    if (!progress.ok()) return progress.status();
    if (*progress) continue;
    auto outstanding = Outstanding();
    if (!outstanding.ok()) return outstanding.status();
    if (!*outstanding) return absl::OkStatus();
    auto wake = impl_->NextWake();
    if (!wake.ok()) return wake.status();
    if (*wake >= until) return absl::OkStatus();
    const absl::Time now = impl_->Now();
    impl_->sleep(std::max(*wake - now, absl::Milliseconds(1)));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("broadcast plant: not drained after ", max_steps, " steps"));
}

PlantMetrics BroadcastPlant::metrics() {
  Impl& m = *impl_;
  PlantMetrics out;
  if (m.workers_running) {
    // The caller's own counters, the shared ones under their lock, the workers' as of their last
    // step.
    out.input_lines = m.metrics.input_lines;
    out.rejected_by_reason = m.metrics.rejected_by_reason;
    out.rejected_lines = m.metrics.rejected_lines;
    out.accepted = m.metrics.accepted;
    {
      std::lock_guard<std::mutex> lock(m.dropped_mu);
      out.dropped_by_reason = m.metrics.dropped_by_reason;
      out.digest_flushes = m.metrics.digest_flushes;
    }
    std::lock_guard<std::mutex> lock(m.snap_mu);
    out.passed_filter = m.snap_passed_filter;
    out.global_rate_limited = m.snap_global_rate_limited;
    out.platforms = m.snap_platforms;
  } else {
    for (auto& p : m.platforms) m.M(p).breaker_state = static_cast<int>(p.breaker->state());
  }
  PlantMetrics& target = m.workers_running ? out : m.metrics;
  for (auto& p : m.platforms) {
    PlatformMetrics& pm = target.platforms[p.name];
    pm.digest_buffer_size = 0;
    int64_t oldest_ms = 0;
    auto buckets = m.DigestBuckets(p, m.transport);
    if (buckets.ok()) {
      for (const auto& [id, key] : *buckets) {
        auto values = m.transport->ListRange(key);
        if (!values.ok()) continue;
        pm.digest_buffer_size += static_cast<int64_t>(values->size());
        for (const auto& v : *values) {
          if (auto d = DecodeDigest(v)) {
            if (oldest_ms == 0 || d->first_seen_ms < oldest_ms) oldest_ms = d->first_seen_ms;
          }
        }
      }
    }
    pm.digest_staleness_s =
        oldest_ms == 0 ? 0.0 : std::max(0.0, (absl::ToUnixMillis(m.Now()) - oldest_ms) / 1000.0);
  }
  if (m.workers_running) return out;
  return m.metrics;
}

const PlantOptions& BroadcastPlant::options() const { return impl_->options; }

const PlantMetrics& BroadcastPlant::counters() const { return impl_->metrics; }

absl::StatusOr<DigestFlushResult> BroadcastPlant::FlushDigestNow(
    absl::Span<const std::string> platforms, bool include_current) {
  // While the workers run they are stopped for the flush (each platform's state is its
  // worker's) and started again after it; an error a worker reported meanwhile is kept.
  const bool restart = impl_->workers_running;
  absl::Status worker_error;
  if (restart) worker_error = impl_->StopWorkers();
  absl::StatusOr<DigestFlushResult> result = FlushDigestNowStopped(platforms, include_current);
  if (restart) {
    absl::Status started = impl_->StartWorkers(impl_->connect_fn, impl_->worker_block);
    if (!started.ok()) return started;
    std::lock_guard<std::mutex> lock(impl_->worker_mu);
    if (!worker_error.ok()) impl_->worker_error = worker_error;
  }
  return result;
}

absl::StatusOr<DigestFlushResult> BroadcastPlant::FlushDigestNowStopped(
    absl::Span<const std::string> platforms, bool include_current) {
  for (const std::string& name : platforms) {
    bool known = false;
    for (const auto& p : impl_->platforms) known = known || p.name == name;
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat("platform \"", name, "\" is not enabled in this plant"));
    }
  }
  DigestFlushResult result;
  impl_->transport->BeginPipeline();
  absl::Status status = impl_->FlushBuckets(platforms, include_current, &result);
  absl::Status flushed = impl_->transport->EndPipeline();
  if (!status.ok()) return status;
  if (!flushed.ok()) return flushed;
  return result;
}

absl::StatusOr<std::map<std::string, bus::BucketState>> BroadcastPlant::BucketLevels() {
  std::map<std::string, bus::BucketState> out;
  const absl::Time now = impl_->Now();
  for (const auto& p : impl_->platforms) {
    const PlatformLimits lim = impl_->options.limits.at(p.name);
    auto s = impl_->transport->PeekBucket({bus::LimitsKey(p.name), lim.hourly, lim.daily}, now);
    if (!s.ok()) return s.status();
    out[p.name] = *s;
  }
  const PlatformLimits& g = impl_->options.global_limit;
  auto s = impl_->transport->PeekBucket({bus::LimitsKey("global"), g.hourly, g.daily}, now);
  if (!s.ok()) return s.status();
  out["global"] = *s;
  return out;
}

absl::Status FeedAndDrain(BroadcastPlant& plant, const std::vector<std::string>& lines,
                          superbet::core::FakeClock* replay_clock,
                          const std::function<void(size_t done)>& progress) {
  // Replay: each line's decision time (a line that does not parse takes its predecessor's, so it
  // stays where it was), and the order to feed them in: by decision time, stable, so that input
  // made of blocks each in time order (`backtest --emit-predictions` writes one strategy's season
  // after another) replays as it happened, not the later blocks at the end of the first one.
  std::vector<std::optional<absl::Time>> when(lines.size());
  std::vector<size_t> order(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) order[i] = i;
  if (replay_clock != nullptr) {
    std::vector<absl::Time> key(lines.size());
    absl::Time last = absl::InfinitePast();
    for (size_t i = 0; i < lines.size(); ++i) {
      auto p = ParsePredictionLine(lines[i], static_cast<int>(i + 1));
      if (p.ok()) {
        when[i] = absl::FromUnixSeconds(p->decided_at().seconds()) +
                  absl::Nanoseconds(p->decided_at().nanos());
        last = *when[i];
      }
      key[i] = last;
    }
    std::stable_sort(order.begin(), order.end(),
                     [&key](size_t a, size_t b) { return key[a] < key[b]; });
  }
  const bool in_order = std::is_sorted(order.begin(), order.end());
  // Lines are ingested in chunks of up to 256 (one pipelined round trip each); a replay line
  // whose decision time is later than the clock first sends the chunk, then runs the plant.
  constexpr size_t kChunk = 256;
  size_t start = 0;
  std::vector<std::string> chunk_lines;
  std::vector<int> chunk_numbers;
  auto send = [&](size_t end) -> absl::Status {
    if (end <= start) return absl::OkStatus();
    absl::Status s;
    if (in_order) {
      s = plant.IngestLines(absl::MakeConstSpan(lines).subspan(start, end - start),
                            static_cast<int>(start + 1));
    } else {
      chunk_lines.clear();
      chunk_numbers.clear();
      for (size_t k = start; k < end; ++k) {
        chunk_lines.push_back(lines[order[k]]);
        chunk_numbers.push_back(static_cast<int>(order[k] + 1));
      }
      s = plant.IngestLines(chunk_lines, chunk_numbers);
    }
    if (!s.ok()) return s;
    if (progress) {
      for (size_t k = start; k < end; ++k) progress(k + 1);
    }
    start = end;
    return absl::OkStatus();
  };
  for (size_t k = 0; k < lines.size(); ++k) {
    const std::optional<absl::Time>& t = when[order[k]];
    if (replay_clock != nullptr && t.has_value() && *t > replay_clock->Now()) {
      if (absl::Status s = send(k); !s.ok()) return s;
      if (absl::Status s = plant.RunUntil(*t); !s.ok()) return s;
      if (*t > replay_clock->Now()) replay_clock->Set(*t);
    }
    if (k + 1 - start >= kChunk) {
      if (absl::Status s = send(k + 1); !s.ok()) return s;
    }
  }
  if (absl::Status s = send(lines.size()); !s.ok()) return s;
  return plant.Drain();
}

}  // namespace superbet::broadcast
