// The provider interface: every data source (API-Football over HTTP, recorded StatsBomb and
// API-Football replays, later the store) is reached through it, and every answer is canonical
// protos (proto/superbet/v1/model.proto). Agents never see provider payloads.
//
// Status codes tell the caller what to do:
//   kUnavailable          transient (network error, timeout, HTTP 5xx): retry with backoff.
//   kResourceExhausted    rate-limited (HTTP 429 or the provider's quota message): wait, then retry
//                         (the message carries "retry_after_s=N" when the server said so).
//   kUnauthenticated      bad or missing key: do not retry.
//   kInvalidArgument      the provider rejected the request (its `errors` field), or a payload
//   field
//                         is malformed; the message names the JSON path and the value.
//   kDataLoss             truncated or unparsable payload (names the byte offset / JSON path).
//   kNotFound             no such fixture / nothing recorded.
//   kUnimplemented        this provider does not offer the endpoint (see its coverage matrix).

#ifndef SUPERBET_PROVIDERS_PROVIDER_H_
#define SUPERBET_PROVIDERS_PROVIDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "superbet/v1/model.pb.h"

namespace superbet::providers {

// One page of players (API-Football's /players is paged).
struct PlayerPage {
  std::vector<superbet::v1::Player> players;
  int current_page = 1;
  int total_pages = 1;
};

// A fixture's live snapshot: the fixture record plus the live state the agents consume.
struct LiveFixture {
  superbet::v1::Fixture fixture;
  superbet::v1::LiveMatchState state;
  std::vector<superbet::v1::MatchEvent> events;  // Embedded events, when the payload has them.
};

// Abstract provider. Implementations document their own thread-safety; the HTTP adapter and the
// replay provider are thread-safe. Fixture ids are the canonical "<provider>:<id>" strings or the
// provider's bare id; implementations accept both.
class Provider {
 public:
  virtual ~Provider() = default;

  // Provider name as used in ids and the coverage matrix: "api-football", "statsbomb", ...
  virtual std::string name() const = 0;

  // Fixtures in play now (API-Football: GET /fixtures?live=all).
  [[nodiscard]] virtual absl::StatusOr<std::vector<LiveFixture>> LiveFixtures() = 0;
  // One fixture's live snapshot (GET /fixtures?id=ID).
  [[nodiscard]] virtual absl::StatusOr<LiveFixture> GetFixture(const std::string& fixture_id) = 0;
  // Fixture statistics mapped into a LiveMatchState (GET /fixtures/statistics?fixture=ID).
  [[nodiscard]] virtual absl::StatusOr<superbet::v1::LiveMatchState> Statistics(
      const std::string& fixture_id) = 0;
  // Match events (GET /fixtures/events?fixture=ID).
  [[nodiscard]] virtual absl::StatusOr<std::vector<superbet::v1::MatchEvent>> Events(
      const std::string& fixture_id) = 0;
  // Both teams' lineups (GET /fixtures/lineups?fixture=ID).
  [[nodiscard]] virtual absl::StatusOr<std::vector<superbet::v1::Lineup>> Lineups(
      const std::string& fixture_id) = 0;
  // Pre-match prices of every bookmaker and market (GET /odds?fixture=ID).
  [[nodiscard]] virtual absl::StatusOr<std::vector<superbet::v1::BettingLine>> PrematchOdds(
      const std::string& fixture_id) = 0;
  // In-play prices (GET /odds/live?fixture=ID); lines have is_live = true.
  [[nodiscard]] virtual absl::StatusOr<std::vector<superbet::v1::BettingLine>> LiveOdds(
      const std::string& fixture_id) = 0;
  // Injuries of a fixture (GET /injuries?fixture=ID).
  [[nodiscard]] virtual absl::StatusOr<std::vector<superbet::v1::Injury>> Injuries(
      const std::string& fixture_id) = 0;
  // Players of a team in a season, one page (GET /players?team=T&season=S&page=P), page >= 1.
  [[nodiscard]] virtual absl::StatusOr<PlayerPage> Players(const std::string& team_id, int season,
                                                           int page) = 0;
};

}  // namespace superbet::providers

#endif  // SUPERBET_PROVIDERS_PROVIDER_H_
