// The live feed between the services: a producer (adapter-svc) publishes canonical
// superbet.v1.LiveMatchUpdate messages to the stream `match.live`; consumers (agent-svc replicas)
// read it as one consumer group, decide each entry and publish accepted decisions to
// `risk.verified` (the broadcast plant's input stream, superbet/broadcast/plant.h).
//
// Entry fields of match.live (Redis Streams semantics: superbet/bus/transport.h):
//   match_id      the state's match id ("statsbomb:3754237")
//   minute        the state's match minute, decimal
//   update        the LiveMatchUpdate, protobuf binary encoding (state, sequence, finished,
//                 degraded)
//   provider      the provider name ("replay", "api-football")
//   staleness_s   the state's data_staleness_s, seconds, decimal (0 on a live read)
//
// Affinity rule: none is needed. No match is bound to a replica: each match's decision window is
// kept in Redis, not in a replica, so any replica decides any entry, and an entry reclaimed from a
// dead replica (XAUTOCLAIM after `claim_idle`) is decided on the same window as the dead replica
// would have. The window is one key per (match, minute), `live:window:{match_id}:{minute}`,
// holding the state's binary encoding, written with SET NX EX (the first state of a minute wins;
// an older or duplicate update never overwrites or rewinds it; trimming is by expiry and by
// reading only the `history_minutes` minutes before the entry's). The producer writes the key
// before the XADD, so by the time any replica reads an entry every earlier minute of its match is
// already there, whichever replica decided those (a consumer also writes its entry's own minute,
// for producers that do not). Decisions are idempotent per (match, minute): before deciding, a
// consumer claims the guard `live:decided:{match_id}:{minute}` with SET NX "deciding:<entry id>",
// and overwrites it with the outcome ("published" or "denied:<reason>"). An entry whose guard
// holds an outcome (a reclaimed entry the dead replica had already decided) or another entry's
// claim (a second update for the same minute, in flight elsewhere) is acked as a duplicate
// without deciding; one whose guard holds its own claim (its consumer died after claiming it) is
// decided. So each (match, minute) is decided once, whichever entry of it comes first.
//
// Consumer order per entry: claim the guard (SET NX), read it back with the window (one MGET),
// decide, then in one pipelined write: XADD risk.verified (accepted only), SET the guard to the
// outcome, XACK match.live. The XACK thus never
// precedes the publication: an entry whose consumer dies before that write stays pending and is
// reclaimed. The one window for a duplicate is a consumer killed after the kernel took that write
// but before Redis applied all of it; the plant's event ids ("pred-{match}-{decided_at ms}") are
// then equal, because decided_at is the entry's own time (the millisecond part of its stream id,
// the Redis server's clock), not the consumer's.
//
// Retry cap and dead-letter stream: an entry whose decide call fails is NOT acked; it stays pending
// and is delivered again once idle for claim_idle (XAUTOCLAIM raises its delivery count), the
// error kept in `live:error:{entry id}` (SET EX guard_ttl). An entry whose decision fails on its
// max_deliveries-th delivery (5: the design's "DLQ after 5 deliveries"), or that is delivered more
// than max_deliveries times (its consumers died or stalled holding it), is moved to the stream
// `match.live.dlq` with reason "max_deliveries" and acked; an entry that does not parse goes there
// at once with reason "unparseable". The move is one pipelined write: XADD match.live.dlq, SET
// the guard to "dlq:<reason>" (parsed entries), XACK. Fields of a match.live.dlq entry:
//   reason        "unparseable" or "max_deliveries"
//   last_error    the last error (the parse error, the decide error); absent when none was
//                 recorded (a consumer died holding the entry)
//   attempts      the entry's delivery count when it was moved
//   first_seen    when the entry was added to match.live: its id's Unix milliseconds
//   entry_id      its match.live id
//   consumer      the consumer that moved it
//   entry.<name>  each field of the match.live entry, unchanged ("entry.update", ...)
// The DLQ is final: nothing reads it but operators (or a tool that re-adds the entry.* fields).
//
// Sources: redis.io/docs/data-types/streams (XREADGROUP, XACK, XAUTOCLAIM, XPENDING); Kafka's
// manual-commit consumer (commit after the side effect), which these semantics mirror.

#ifndef SUPERBET_BUS_LIVE_FEED_H_
#define SUPERBET_BUS_LIVE_FEED_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/bus/transport.h"
#include "superbet/v1/model.pb.h"
#include "superbet/v1/services.pb.h"

namespace superbet::bus {

inline constexpr absl::string_view kMatchLive = "match.live";
// Entries of match.live that could not be decided (the retry cap) or parsed.
inline constexpr absl::string_view kMatchLiveDlq = "match.live.dlq";
// The agents' consumer group on match.live (the design's name for it).
inline constexpr absl::string_view kAgentLiveGroup = "agent-svc-live";

// "live:window:statsbomb:3754237:12".
std::string LiveWindowKey(absl::string_view match_id, int minute);
// "live:decided:statsbomb:3754237:12".
std::string LiveDecidedKey(absl::string_view match_id, int minute);
// "live:error:1700000000123-0": the last decide error of a match.live entry still pending.
std::string LiveErrorKey(absl::string_view entry_id);

struct LiveFeedOptions {
  absl::Duration window_ttl = absl::Hours(6);  // Expiry of the window keys, > 0.
  absl::Duration guard_ttl = absl::Hours(24);  // Expiry of the idempotency guards, > 0.
  // Stream retention (XADD MINID ~): match.live entries older than now - retention are trimmed
  // by PublishLiveUpdate (when given `now`), risk.verified entries older than the decided
  // entry's time - retention by the consumer. The design's 7 days (Kafka's retention.ms).
  absl::Duration retention = absl::Hours(24 * 7);
};

// The match.live fields of `update` (see the table above).
// Errors: InvalidArgument "state.match_id is empty" / "state.minute must be >= 0, got -1" /
// "state.minute is absent".
[[nodiscard]] absl::StatusOr<Fields> LiveFeedFields(const superbet::v1::LiveMatchUpdate& update,
                                                    absl::string_view provider);

// Writes the state's window key (SET NX EX window_ttl), then XADDs the update to match.live (two
// round trips, in that order). `now` (finite: the caller's clock, in the Redis server's time
// base) also trims match.live to options.retention. Returns the entry id.
// Errors: as LiveFeedFields; the transport's.
[[nodiscard]] absl::StatusOr<std::string> PublishLiveUpdate(
    Transport& transport, const superbet::v1::LiveMatchUpdate& update, absl::string_view provider,
    const LiveFeedOptions& options = {}, absl::Time now = absl::InfinitePast());

// One match.live entry as read back.
struct LiveFeedEntry {
  std::string id;  // Stream id "<ms>-<seq>".
  superbet::v1::LiveMatchUpdate update;
  std::string provider;
  absl::Time time;  // The id's milliseconds (when Redis added it).
  int64_t deliveries = 1;
};

// Parses a match.live entry. Errors: InvalidArgument naming the field and the entry id
// ("match.live 1-0: update: not a LiveMatchUpdate", "... minute: field says 12, state says 13").
[[nodiscard]] absl::StatusOr<LiveFeedEntry> ParseLiveFeedEntry(const Entry& entry);

// What the consumer's decide function answers for one entry.
struct LiveOutcome {
  bool accepted = false;
  Fields verified;     // accepted: the risk.verified entry (the plant's fields).
  std::string reason;  // denied: the reason id ("no_bet", "stale_data", ...).
};

// Decides one entry. `history` maps the earlier minutes of the entry's match found in the window
// (at most history_minutes before the entry's minute) to their states. An error leaves the entry
// pending, to be delivered again, until the retry cap moves it to match.live.dlq (one bad entry
// costs that entry only).
using LiveDecideFn = std::function<absl::StatusOr<LiveOutcome>(
    const LiveFeedEntry& entry, const std::map<int, superbet::v1::LiveMatchState>& history)>;

struct LiveConsumerOptions {
  std::string group = std::string(kAgentLiveGroup);
  std::string consumer;  // Required: this replica's name, unique in the group.
  // Entries pending longer than this on any consumer (a dead or stuck replica) are claimed.
  absl::Duration claim_idle = absl::Seconds(60);
  int batch = 5;             // XREADGROUP / XAUTOCLAIM COUNT, in [1, 1000].
  int history_minutes = 24;  // Window minutes read before the entry's, in [0, 200].
  // Deliveries of an entry whose decision keeps failing before it is moved to match.live.dlq,
  // in [1, 100] (the design's 5).
  int max_deliveries = 5;
  LiveFeedOptions feed;
};

// Counts since the consumer was created. accepted + denied + dead_lettered + duplicate = acked.
struct LiveConsumerCounts {
  int64_t accepted = 0;       // Decided, published to risk.verified.
  int64_t denied = 0;         // Decided, denied (by reason below).
  int64_t dead_lettered = 0;  // Moved to match.live.dlq (by reason below).
  int64_t duplicate = 0;      // Guard already present: decided before (reclaimed) or same minute.
  int64_t retried = 0;        // Decide errors left pending for another delivery (not acked).
  int64_t reclaimed = 0;      // Entries taken over by XAUTOCLAIM.
  std::map<std::string, int64_t> denied_by_reason;
  std::map<std::string, int64_t> dead_lettered_by_reason;  // "unparseable", "max_deliveries".
};

// Ownership and thread-safety: borrows the transport (which must outlive it); thread-compatible
// (one thread polls a consumer; several consumers may share a thread-safe transport).
class LiveFeedConsumer {
 public:
  // Errors: InvalidArgument naming the option and its value.
  [[nodiscard]] static absl::StatusOr<LiveFeedConsumer> Create(Transport* transport,
                                                               LiveConsumerOptions options);

  // Creates the group on match.live (at id 0, MKSTREAM). Errors: the transport's.
  [[nodiscard]] absl::Status Start();

  // Claims entries idle > claim_idle, reads up to `batch` new ones, and decides, publishes and
  // acks each (claimed first, then new, in stream order). Returns the number of entries acked
  // (decided, duplicate or dead-lettered; an entry whose decision failed below the retry cap
  // stays pending and is not counted).
  // Errors: the transport's (entries not yet acked stay pending, to be reclaimed); nothing else.
  [[nodiscard]] absl::StatusOr<int> PollOnce(const LiveDecideFn& decide);

  // How Run waits and reports (all required).
  struct RunHooks {
    std::function<bool()> stop;                         // Polled before each poll.
    std::function<void(absl::Duration)> sleep;          // Sleeps (tests: advance a fake clock).
    std::function<void(const absl::Status&)> on_error;  // A failed poll (logged by the caller).
    std::function<void()> after_poll;                   // After every poll (e.g. refresh metrics).
    absl::Duration idle_wait = absl::Milliseconds(20);  // After a poll that handled nothing.
    absl::Duration error_wait = absl::Seconds(1);       // After a failed poll.
  };
  // Polls until hooks.stop() is true. The poll in progress when stop turns true finishes (its
  // entries decided, published and acked) before Run returns: a SIGTERM stops reading without
  // losing accepted work. Transport errors are reported and retried, never fatal.
  void Run(const LiveDecideFn& decide, const RunHooks& hooks);

  const LiveConsumerCounts& counts() const { return counts_; }
  const LiveConsumerOptions& options() const { return options_; }

 private:
  LiveFeedConsumer(Transport* transport, LiveConsumerOptions options)
      : transport_(transport), options_(std::move(options)) {}
  // OK with *acked false when the entry was left pending (its decision failed).
  [[nodiscard]] absl::Status Handle(const Entry& raw, const LiveDecideFn& decide, bool* acked);
  // XADD match.live.dlq, the guard (when not empty) set to "dlq:<reason>", XACK.
  [[nodiscard]] absl::Status DeadLetter(const Entry& raw, absl::string_view reason,
                                        const std::optional<std::string>& last_error,
                                        const std::string& guard);
  Transport* transport_;
  LiveConsumerOptions options_;
  LiveConsumerCounts counts_;
};

}  // namespace superbet::bus

#endif  // SUPERBET_BUS_LIVE_FEED_H_
