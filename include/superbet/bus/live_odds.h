// The live odds feed: adapter-svc publishes each change of a match's live 1X2 prices to the Redis
// stream `odds.live`, encoded as the live feed's match.live entries are (superbet/bus/live_feed.h):
// a few readable fields plus the canonical message in binary.
//
// Entry fields of odds.live:
//   match_id   the match id ("statsbomb:3754237")
//   minute     the match minute the prices were read at, decimal (absent when unknown)
//   update     the superbet.v1.LiveOddsUpdate, protobuf binary encoding
//   provider   the provider name ("replay", "api-football")
//   home, draw, away   the decimal odds, as in update.odds (0: not quoted)
//
// One entry per change: LiveOddsTracker remembers the last prices published per match and answers
// an update only when the home, draw or away price (or the bookmaker) differs from them; the first
// prices seen of a match are a change. A state without live_odds, or with no selection quoted
// (all three 0), publishes nothing.
//
// Sources: redis.io/docs/data-types/streams (XADD, MINID trimming).

#ifndef SUPERBET_BUS_LIVE_ODDS_H_
#define SUPERBET_BUS_LIVE_ODDS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/bus/transport.h"
#include "superbet/v1/model.pb.h"
#include "superbet/v1/services.pb.h"

namespace superbet::bus {

inline constexpr absl::string_view kOddsLive = "odds.live";

// The odds.live fields of `update` (see the table above).
// Errors: InvalidArgument "match_id is empty", "odds.home must be 0 (not quoted) or a decimal
// odds > 1, got 0.97" (each selection; NaN and infinities too), "odds: no selection quoted".
[[nodiscard]] absl::StatusOr<Fields> LiveOddsFields(const superbet::v1::LiveOddsUpdate& update,
                                                    absl::string_view provider);

// XADDs the update to odds.live; `now` (finite: the caller's clock, in the Redis server's time
// base) also trims the stream to `retention` (MINID ~). Returns the entry id.
// Errors: as LiveOddsFields; the transport's.
[[nodiscard]] absl::StatusOr<std::string> PublishLiveOdds(
    Transport& transport, const superbet::v1::LiveOddsUpdate& update, absl::string_view provider,
    absl::Time now = absl::InfinitePast(), absl::Duration retention = absl::Hours(24 * 7));

// Parses an odds.live entry. Errors: InvalidArgument naming the entry id and the field
// ("odds.live 1-0: update: absent or not a LiveOddsUpdate", "... match_id: field says \"x\",
// update says \"y\"").
[[nodiscard]] absl::StatusOr<superbet::v1::LiveOddsUpdate> ParseLiveOddsEntry(const Entry& entry);

// Remembers the last prices published per match.
//
// Thread-compatible (one publisher thread). Owns its map (one entry per match seen).
class LiveOddsTracker {
 public:
  // The update to publish for `state` (its live_odds), or nullopt when they equal the last ones
  // published for its match, are absent, quote no selection, or are invalid (a price that is
  // neither 0 nor a decimal odds > 1: counted in rejected(), the last prices kept). `lines`: the
  // provider's lines the triple came from (live mode), copied into the update. The sequence counts
  // per match from 1.
  std::optional<superbet::v1::LiveOddsUpdate> Observe(
      const superbet::v1::LiveMatchState& state,
      const std::vector<superbet::v1::BettingLine>& lines = {});
  // States whose live_odds were present but invalid, so far.
  int64_t rejected() const { return rejected_; }

 private:
  int64_t rejected_ = 0;
  struct Last {
    superbet::v1::OddsTriple odds;
    int64_t sequence = 0;
  };
  std::map<std::string, Last> last_;
};

}  // namespace superbet::bus

#endif  // SUPERBET_BUS_LIVE_ODDS_H_
