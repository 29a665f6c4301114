// The broadcast plant: verified predictions in, platform posts out, through Redis Streams (or the
// embedded transport) in three stages:
//
//   Ingest      a JSON line -> validated Prediction -> XADD risk.verified {event: the Prediction
//               JSON line, event_id} (bad lines counted).
//   main        group broadcast-plant-main: filter (drop with reason) -> priority S and tier ->
//               texts -> XADD broadcast.queue.priority {event_pb, priority, tier, event_id,
//               first_seen}, where event_pb is the scored and formatted event in binary
//               (superbet.v1.broadcast.PlantEvent, proto/superbet/v1/plant_event.proto): the later
//               stages neither parse JSON nor format again; a platform writes the CloudEvent JSON
//               it publishes from it. (Entries in the earlier form, {event: CloudEvent JSON, ...},
//               are still read.)
//   priority    group broadcast-plant-priority: batches of COUNT 5 sorted by priority, highest
//               first; one token of the global bucket per prediction (an event without a token
//               waits); fan-out to broadcast.outbox.{platform} for each enabled platform: the
//               entries' fields as read are copied by one MULTI ... EXEC per run of entries (the
//               queue is not read again), which adds the copies and sends one XACK.
//   platform    group {platform}-adapter-consumer, one bulkhead per platform: delivery count > 5
//               -> DLQ; idempotency guard broadcast:sent:{platform}:{event id} (SET NX EX 86400,
//               value "claimed", deleted when the publish fails, kept after a publish); breaker
//               OPEN -> digest buffer; platform hourly and daily buckets (a limited event waits);
//               publish with equal-jitter retries (5 attempts, base 1 s, cap 60 s, Retry-After
//               honoured); terminal outcome -> XACK.
//   flusher     every 60 s: closed 15-minute digest buckets, oldest first, by priority; platforms
//               whose breaker is OPEN are skipped; a rate-limited or breaker-rejected event is
//               re-queued into the current bucket; a failure goes to broadcast.dlq; one record per
//               flush in broadcast.digest.buffer.
//   reclaim     XAUTOCLAIM of entries idle > 60 s in every group (a dead consumer's batch).
//
// Invariant: every accepted event ends in exactly one of: dropped with a reason (hash
// broadcast:outcome:dropped), or for each enabled platform published / in the DLQ with a reason
// (hash broadcast:outcome:{platform}); no platform receives an event twice (the guard). A consumer
// that dies between the guard and the recording of the publish's result leaves an unknown
// outcome: the entry is reclaimed and sent to the DLQ with reason `unknown_outcome` rather than
// risk a second post. The guard says only that a consumer claimed the event; that it was
// published is the outcome hash's "published" (a guard found set whose outcome is "published",
// or whose value is "sent" as an older plant wrote it, marks a duplicate: recorded, not posted).
// The guard expires after sent_ttl; an event decided more than half of it before now (a replay
// meeting an id again a season later) is also looked up in the outcome hash, which is kept for
// good, so that an expired guard never lets a published event through a second time.
//
// Parsing: each Prediction line is read once per stage that needs it (Ingest, main), by a simdjson
// reader proven equal to protobuf's JSON mapping, which falls back to protobuf's reader (and its
// exact error messages) for anything else; the risk.verified line is written by a writer proven
// equal to protobuf's printer (same fallback).
//
// Round trips: each Pump and each IngestLines runs inside a transport pipeline: writes are sent
// with the next read of the same connection (in call order, so an entry's XACK follows its
// terminal outcome's writes, and a server that logs them in order (AOF) never keeps the XACK
// without the outcome); a stage's XAUTOCLAIM and XREADGROUP share a round trip and read
// `batches_per_read` batches of `batch` entries (each batch sorted by priority on its own); a
// platform sets the idempotency guards of every entry it holds (with rate limits on: of the next
// batch) with one pipelined round of `SET NX GET` ("claimed"; the outcomes of guards found set by
// another consumer in one HMGET), then publishes them in order; a guard whose event is not
// published in this round (breaker open, rate-limited) is deleted again; the "published"
// outcomes are one HSET per guard round (sent with the next guard round, or at the round's end)
// and the round's acknowledgements one XACK, queued after every other write of the round (so
// after each entry's terminal outcome). Per event and platform the server runs one guard SET
// (the guard is not rewritten after the publish), one HSET field and one XACK id.
// With appendfsync always, Redis fsyncs once per event-loop turn, so each round trip that writes
// costs one fsync.
//
// Concurrency: with StartWorkers, every stage runs continuously on its own thread and
// connection (persistent workers, blocking reads), for a live clock. Else, with
// SetPlatformTransports, each platform stage runs on its own thread and
// connection during a Pump, beside the main and priority stages (joined before the flusher), so
// the platforms' round trips and the server's fsyncs overlap; with SetPriorityTransport the
// priority stage too. Without them, one thread runs all.
//
// Time: every wait (backoff, rate limit, flush period, idle) goes through the injected clock and
// sleep function, so a replay on a FakeClock runs a season in seconds with the limits and digest
// buckets behaving as in real time. Limitation: retries sleep inline in their platform's stage,
// and a Pump waits for every platform stage, so a platform's retries delay the other platforms'
// next batch (they overlap it only when concurrent). Concurrent platforms sleep from several
// threads: with a FakeClock their sleeps interleave, so replays that must be bit-for-bit
// repeatable run without SetPlatformTransports.
//
// Thread-safety: thread-compatible (one thread drives a plant; its concurrent platform workers
// touch disjoint state, and the clock, sleep function and publishers they call must be
// thread-safe). With StartWorkers the stages run on the plant's own threads (each stage's state
// is touched by its worker only) while one caller thread ingests and waits (RunUntil / Drain).
// Several plants (consumers) may share one Transport. Does not own the transports, clock or
// publishers; owns the workers' connections while they run.

#ifndef SUPERBET_BROADCAST_PLANT_H_
#define SUPERBET_BROADCAST_PLANT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "superbet/broadcast/filter.h"
#include "superbet/broadcast/format.h"
#include "superbet/broadcast/metrics.h"
#include "superbet/broadcast/publisher.h"
#include "superbet/bus/transport.h"
#include "superbet/core/clock.h"
#include "superbet/resilience/backoff.h"
#include "superbet/resilience/circuit_breaker.h"

namespace superbet::broadcast {

struct PlatformLimits {
  double hourly = 0;  // Tokens per hour (capacity of the hourly bucket); 0 = none.
  double daily = 0;   // Tokens per day, > 0.
};

// The design's limits: twitter 10/h 50/d, telegram 30/h 200/d, android 100/h 1000/d; global
// 200/d charged once per prediction.
std::map<std::string, PlatformLimits> DefaultPlatformLimits();

struct PlantOptions {
  std::vector<std::string> platforms = {"twitter", "telegram"};  // Enabled; android in phase 2.
  FilterThresholds thresholds;
  Templates templates;
  std::map<std::string, PlatformLimits> limits = DefaultPlatformLimits();
  PlatformLimits global_limit{0, 200};
  bool rate_limits = true;
  std::string consumer = "plant-1";  // Consumer name in every group.
  uint64_t seed = 42;                // Backoff jitter.
  int batch = 5;                     // Entries sorted by priority together (XREADGROUP COUNT 5).
  // Batches read per round trip (XREADGROUP COUNT batch * batches_per_read); each batch of
  // `batch` is still sorted on its own. Also bounds the idempotency guards a platform sets in one
  // round trip, hence how many events a consumer dying mid-round sends to the DLQ as
  // unknown_outcome (at most batch * batches_per_read; the per-event guard it replaces risked 1).
  int batches_per_read = 10;
  int max_deliveries = 5;  // More deliveries -> DLQ.
  absl::Duration reclaim_idle = absl::Seconds(60);
  superbet::resilience::BackoffOptions backoff;  // Equal jitter, 1 s, 60 s, 5 attempts.
  absl::Duration breaker_wait_in_open = absl::Seconds(300);
  absl::Duration digest_bucket = absl::Seconds(900);
  absl::Duration digest_ttl = absl::Seconds(1800);
  absl::Duration flush_interval = absl::Seconds(60);
  absl::Duration sent_ttl = absl::Seconds(86400);
  // XADD MINID ~ now - retention: on risk.verified, the priority queue and the outboxes at most
  // once a second (plant clock) per writer, on every other XADD each time.
  absl::Duration retention = absl::Hours(24 * 7);
};

// Errors: InvalidArgument naming the option (unknown platform, missing limits, batch < 1, ...).
[[nodiscard]] absl::Status ValidatePlantOptions(const PlantOptions& options);

// What one on-demand digest flush did (BroadcastPlant::FlushDigestNow).
struct DigestFlushResult {
  int64_t buckets = 0;   // Digest buckets flushed (each leaves one broadcast.digest.buffer record).
  int64_t sent = 0;      // Events published (or already sent: the idempotency guard).
  int64_t failed = 0;    // Events moved to the DLQ.
  int64_t requeued = 0;  // Rate-limited or breaker-rejected: back into the current bucket.
  std::vector<std::string> skipped_breaker_open;  // Platforms skipped: breaker OPEN, waiting.
};

// How a plant sleeps: FakeClock::Advance in replays and tests, absl::SleepFor live.
using SleepFn = std::function<void(absl::Duration)>;

class BroadcastPlant {
 public:
  // `publishers` maps each enabled platform to its publisher (not owned).
  // Errors: as ValidatePlantOptions; InvalidArgument for an enabled platform without publisher or
  // a bad template.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<BroadcastPlant>> Create(
      PlantOptions options, superbet::bus::Transport* transport, const superbet::core::Clock* clock,
      SleepFn sleep, std::map<std::string, Publisher*> publishers);
  ~BroadcastPlant();

  // Gives each enabled platform its own transport (a connection of its own, not owned), and makes
  // Pump run the platform stages concurrently, one thread each. Call before the first Pump.
  // Errors: InvalidArgument when a platform is not enabled, or an enabled one has no transport.
  [[nodiscard]] absl::Status SetPlatformTransports(
      const std::map<std::string, superbet::bus::Transport*>& transports);

  // Gives the priority stage its own transport (a connection of its own, not owned), and makes
  // Pump run it on its own thread beside the main stage (it then fans out what the main stage
  // added in an earlier Pump). Call before the first Pump. Errors: InvalidArgument when null.
  [[nodiscard]] absl::Status SetPriorityTransport(superbet::bus::Transport* transport);

  // How StartWorkers opens a stage's connection (a new RedisTransport::Connect each call).
  using ConnectFn = std::function<absl::StatusOr<std::unique_ptr<superbet::bus::Transport>>()>;

  // Persistent stage workers: the main stage, the priority stage and each platform stage (with
  // its own digest flusher, every flush_interval) each run continuously on a thread and a
  // connection of their own (opened with `connect`: 2 + platforms calls; owned by the plant until
  // StopWorkers), so the stages overlap across batches instead of meeting at every Pump. A stage
  // that finds nothing waits in XREADGROUP ... BLOCK `block` (a transport without blocking reads:
  // a real sleep of `block`); one holding entries that wait for a token sleeps (the injected
  // sleep, at most 1 s at a time) until its wake-up. Each stage's writes are still pipelined with
  // its next read, in call order (an XACK after its entry's terminal outcome). While they run: Pump
  // returns FailedPrecondition; RunUntil / Drain wait (in real time) until nothing is outstanding,
  // the clock reaches `until`, or a worker reports an error (returned, the workers go on);
  // FlushDigestNow stops the workers, flushes, and starts them again (with the same `connect`);
  // Ingest / IngestLines, Outstanding and BucketLevels use the plant's transport, which no worker
  // uses; metrics() reads the workers' counters as of their last step (counters() must wait for
  // StopWorkers: the workers write them).
  // For a live clock: a replay on a FakeClock stays on Pump (single-threaded, repeatable). Call
  // after Start.
  // Errors: FailedPrecondition when already running; InvalidArgument when block < 1 ms;
  // `connect`'s errors (no worker started).
  [[nodiscard]] absl::Status StartWorkers(const ConnectFn& connect,
                                          absl::Duration block = absl::Milliseconds(20));
  // Stops the workers (each finishes its current step: at most max(`block`, 1 s) plus a publish
  // with its retries), joins them and closes their connections; entries they still hold stay held
  // (same consumer) for Pump / RunUntil, which run as before. No-op when not running (the
  // destructor calls it). Returns the first error a worker reported since the last RunUntil, else
  // OK.
  [[nodiscard]] absl::Status StopWorkers();
  bool workers_running() const;

  // Creates the consumer groups (at id 0, MKSTREAM). Errors: the transport's.
  [[nodiscard]] absl::Status Start();

  // Validates one input line and, when valid, adds it to risk.verified. A bad line is counted
  // (metrics().rejected_by_reason) and is not an error. Errors: the transport's only.
  [[nodiscard]] absl::Status Ingest(absl::string_view line, int line_number);

  // Ingest of `lines` (line numbers first_line_number, first_line_number + 1, ...), their XADDs
  // pipelined (one round trip on Redis). Errors: the transport's only.
  [[nodiscard]] absl::Status IngestLines(absl::Span<const std::string> lines,
                                         int first_line_number);
  // As above, line i numbered line_numbers[i]. Errors: InvalidArgument when the two spans differ
  // in length; the transport's.
  [[nodiscard]] absl::Status IngestLines(absl::Span<const std::string> lines,
                                         absl::Span<const int> line_numbers);

  // Runs every stage once (each stage's writes pipelined with its next read). Returns whether
  // anything moved.
  [[nodiscard]] absl::StatusOr<bool> Pump();

  // Pumps, sleeping until the next wake-up when idle, until nothing is outstanding or the next
  // wake-up is at or after `until`. Errors: the transport's; DeadlineExceeded after `max_steps`.
  [[nodiscard]] absl::Status RunUntil(absl::Time until, int64_t max_steps = 50'000'000);
  // RunUntil(InfiniteFuture()): until every event is terminal.
  [[nodiscard]] absl::Status Drain(int64_t max_steps = 50'000'000) {
    return RunUntil(absl::InfiniteFuture(), max_steps);
  }

  // True while some stream entry, held entry or digest bucket is not terminal.
  [[nodiscard]] absl::StatusOr<bool> Outstanding();

  // Runs the digest flusher now, as the periodic flusher does (closed 15-minute buckets, oldest
  // first, by priority; platforms whose breaker is OPEN and waiting are skipped and named), for
  // the platforms in `platforms` (empty = every enabled one); with `include_current` the bucket
  // still filling is flushed too. Does not move the periodic flusher's schedule.
  // While the stage workers run (StartWorkers) they are stopped for the flush and started again.
  // Errors: InvalidArgument naming a platform that is not enabled; the transport's; StartWorkers'
  // when the workers do not start again.
  [[nodiscard]] absl::StatusOr<DigestFlushResult> FlushDigestNow(
      absl::Span<const std::string> platforms = {}, bool include_current = false);

  // Token-bucket levels now, without taking a token: each enabled platform's hourly and daily
  // tokens (hourly 0 when the platform has no hourly limit) and "global" (the per-prediction
  // bucket). A bucket never used is full. Errors: the transport's.
  [[nodiscard]] absl::StatusOr<std::map<std::string, superbet::bus::BucketState>> BucketLevels();

  // Counters so far (breaker states and digest gauges refreshed on each call: reads the digest
  // buckets through the transport).
  PlantMetrics metrics();
  // The counters as they are, without the refresh (no transport call): for a hot path that
  // needs a counter only (rejected_by_reason after an Ingest). Valid until the next call.
  const PlantMetrics& counters() const;
  const PlantOptions& options() const;

 private:
  struct Impl;
  explicit BroadcastPlant(std::unique_ptr<Impl> impl);
  [[nodiscard]] absl::StatusOr<bool> PumpStages();
  [[nodiscard]] absl::StatusOr<DigestFlushResult> FlushDigestNowStopped(
      absl::Span<const std::string> platforms, bool include_current);
  std::unique_ptr<Impl> impl_;
};

// Feeds input lines (1-based line numbers) to `plant` and drains it. With `replay_clock` the
// plant's time follows the predictions' decided_at: the lines are fed in order of decision time
// (a stable sort: input made of blocks each in time order, as `backtest --emit-predictions` writes
// one strategy after another, replays as it happened; a line that does not parse keeps its place
// after its predecessor and keeps its own line number), and before a line whose decision time is
// later than the clock the plant runs (sleeping on the replay clock) up to that time, so rate
// limits, digest buckets and flushes behave as they would have in real time. Lines that do not
// parse are counted by Ingest and do not move the clock. Without `replay_clock`, input order.
// `progress` (may be empty) is called with the number of lines fed so far.
// Errors: the plant's.
[[nodiscard]] absl::Status FeedAndDrain(BroadcastPlant& plant,
                                        const std::vector<std::string>& lines,
                                        superbet::core::FakeClock* replay_clock,
                                        const std::function<void(size_t done)>& progress = {});

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_PLANT_H_
