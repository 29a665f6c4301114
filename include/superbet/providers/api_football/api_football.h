// API-Football v3 (https://www.api-football.com/documentation-v3) payload mapping: pure functions
// from a response body to canonical protos (proto/superbet/v1/model.proto). No HTTP here; the
// client is in api_football_client.h. Parsed with simdjson On-Demand; the input is copied once
// into a padded buffer (simdjson reads up to 64 bytes past the end).
//
// Envelope. Every v3 answer is {"get", "parameters", "errors", "results", "paging", "response"}.
// Each Map* function checks `errors` first: a non-empty `errors` (object {"field": "message"} or
// array form) becomes
//   kUnauthenticated     a "token" / "key" error ("Error/Missing application key", ...),
//   kResourceExhausted   a "requests" / "rateLimit" error ("You have reached the request limit"),
//   kInvalidArgument     anything else ({"required": "At least one parameter is required."}),
// with "api-football errors: <field>: <message>" as the message.
//
// Payload errors: kDataLoss for truncated or unparsable JSON (message: byte offset and JSON path,
// e.g. "$.response[3].events[2]"); kInvalidArgument for a well-formed value of the wrong type
// (path and the offending JSON text).
//
// Canonical conventions: ids are "api-football:<id>"; a JSON null leaves
// the canonical field absent (never 0); "62%" -> 0.62; `expected_goals` -> xg only when non-null;
// API-Football has no dangerous-attacks statistic, so SideStats.dangerous_attacks is always
// absent; LiveMatchState.minute = fixture.status.elapsed, scores = goals, each absent (has_*()
// false, masked as missing) when null or rejected, never a stand-in 0; MatchEvent.minute =
// time.elapsed, absent when null; data_staleness_s = 0 (a live read).
//
// Untrusted values are validated and counted in MapCounters, never passed on: decimal odds must
// pass model::ValidateDecimalOdds (finite, > 1.0, <= kMaxDecimalOdds = 1000); goals lines and
// handicaps must be finite; minutes in 0..150; counts in 0..1,000,000; shares in [0, 1];
// 0 <= xG <= 20. Every number is range-checked before it is narrowed to an integer, so a value
// such as 1e300 is rejected (counted) rather than converted (undefined behaviour). A rejected value
// is dropped (its field stays absent; a rejected betting line or event is left out); the rest of
// the response maps as usual.
//
// Thread-safety: all functions are reentrant (each call has its own parser).

#ifndef SUPERBET_PROVIDERS_API_FOOTBALL_API_FOOTBALL_H_
#define SUPERBET_PROVIDERS_API_FOOTBALL_API_FOOTBALL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/providers/provider.h"
#include "superbet/v1/model.pb.h"

namespace superbet::providers::api_football {

inline constexpr char kProviderName[] = "api-football";

// What the mappers rejected or skipped; add-only counters.
struct MapCounters {
  int64_t rejected_odds = 0;     // Odds failing ValidateDecimalOdds, or a line / handicap that is
                                 // not a finite number (betting line dropped).
  int64_t rejected_minutes = 0;  // A minute outside 0..150 (field absent / event dropped).
  int64_t rejected_counts = 0;   // A count < 0 or > 1,000,000 (statistic / score absent).
  int64_t rejected_values = 0;   // A share outside [0, 1], xG outside 0..20, unparsable number
                                 // text, an integer beyond int64 (1e300), a bad timestamp or page.
  int64_t suspended_odds = 0;    // Live odds marked suspended or blocked (skipped, not an error).
  int64_t total_rejected() const {
    return rejected_odds + rejected_minutes + rejected_counts + rejected_values;
  }
  void Add(const MapCounters& other);
};

// The envelope's `get` field ("fixtures", "fixtures/statistics", "odds", ...). NotFound when the
// document is a JSON object without `get` (e.g. an envelope-less statistics item); DataLoss when
// it is not JSON.
[[nodiscard]] absl::StatusOr<std::string> EnvelopeEndpoint(absl::string_view json);

// The status an envelope's `errors` field stands for (OkStatus when empty). See the file comment.
[[nodiscard]] absl::Status EnvelopeStatus(absl::string_view json);

// Bytes simdjson may read past the end of the input. A caller whose buffer has that many readable
// bytes after json.data() + json.size() (e.g. a std::string with capacity() >= size() +
// kJsonPadding) passes `readable_after` >= kJsonPadding and saves the padded copy.
inline constexpr size_t kJsonPadding = 64;

// GET /fixtures (?live=all, ?id=, ?league=&season=, ...): one LiveFixture per response element:
// the Fixture record, the LiveMatchState (observed_at = `observed_at` unless it is InfinitePast),
// and the embedded `events` when present. `readable_after`: see kJsonPadding (0 = copy).
[[nodiscard]] absl::StatusOr<std::vector<LiveFixture>> MapLiveFixtures(
    absl::string_view json, absl::Time observed_at = absl::InfinitePast(),
    MapCounters* counters = nullptr, size_t readable_after = 0);

// As MapLiveFixtures, only the LiveMatchStates (the agents' hot path; events are skipped unread).
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::LiveMatchState>> MapLiveStates(
    absl::string_view json, absl::Time observed_at = absl::InfinitePast(),
    MapCounters* counters = nullptr, size_t readable_after = 0);

// GET /fixtures/headtohead: the fixtures between two teams (Fixture records only).
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Fixture>> MapHeadToHead(
    absl::string_view json, MapCounters* counters = nullptr);

// GET /fixtures/statistics?fixture=ID[&team=T]: one TeamStatistics per team, in payload order
// (API-Football lists the home team first). fixture_id comes from parameters.fixture.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::TeamStatistics>> MapStatistics(
    absl::string_view json, MapCounters* counters = nullptr);

// One envelope-less element of a /fixtures/statistics `response` ({"team", "statistics"}).
[[nodiscard]] absl::StatusOr<superbet::v1::TeamStatistics> MapStatisticsItem(
    absl::string_view json, MapCounters* counters = nullptr);

// The live state carried by a two-team statistics answer: home = first element, away = second.
// Scores and minute are not in /fixtures/statistics and stay absent (has_minute(),
// has_score_home(), has_score_away() false). Errors: InvalidArgument unless exactly two teams are
// given.
[[nodiscard]] absl::StatusOr<superbet::v1::LiveMatchState> StatisticsToState(
    const std::string& fixture_id, const std::vector<superbet::v1::TeamStatistics>& teams,
    absl::Time observed_at = absl::InfinitePast());

// GET /fixtures/events?fixture=ID. fixture_id from parameters.fixture.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::MatchEvent>> MapEvents(
    absl::string_view json, MapCounters* counters = nullptr);

// GET /fixtures/lineups?fixture=ID: one Lineup per team.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Lineup>> MapLineups(
    absl::string_view json, MapCounters* counters = nullptr);

// GET /fixtures/players?fixture=ID: every player of both teams with the match performance
// (performance keys: "minutes", "rating", "goals", "assists", "conceded", "saves", and
// "<group>.<key>" for the rest, e.g. "shots.total", "passes.accuracy").
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Player>> MapFixturePlayers(
    absl::string_view json, MapCounters* counters = nullptr);

// GET /odds?fixture=ID (pre-match; bookmakers -> bets -> values). Mapped bets: "Match Winner" ->
// MARKET_1X2, "Goals Over/Under" ("Over 2.5") -> MARKET_OVER_UNDER, "Asian Handicap"
// ("Home -0.5" / "Away +0.5") -> MARKET_ASIAN_HANDICAP with the home side's line. Other bets are
// skipped. timestamp = `update`; is_closing = false; is_live = false.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::BettingLine>> MapPrematchOdds(
    absl::string_view json, MapCounters* counters = nullptr);

// GET /odds/live (documented schema; no recording exists). Mapped bets: "Fulltime Result" ->
// 1X2, "Over/Under Line" and "Match Goals" -> OVER_UNDER (line = handicap), "Asian Handicap" ->
// ASIAN_HANDICAP (line = home handicap). Values with main == false are alternatives and skipped;
// suspended values, and every value while status.blocked or status.stopped, are skipped and
// counted as suspended_odds. bookmaker "api-football-live", is_live = true, timestamp = `update`.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::BettingLine>> MapLiveOdds(
    absl::string_view json, MapCounters* counters = nullptr);

// The 1X2 triple of the lines of one fixture (the first complete home/draw/away set), if any.
std::optional<superbet::v1::OddsTriple> OddsTripleOf(
    const std::vector<superbet::v1::BettingLine>& lines);

// GET /injuries: player (injury_status "out" for "Missing Fixture", "doubtful" for
// "Questionable"), team, fixture.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Injury>> MapInjuries(
    absl::string_view json, MapCounters* counters = nullptr);

// GET /players?team=&season=&page= (or league=): one page; performance from the first
// statistics entry (the player's team in that league/season).
[[nodiscard]] absl::StatusOr<PlayerPage> MapPlayers(absl::string_view json,
                                                    MapCounters* counters = nullptr);

// GET /predictions?fixture=ID.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::PredictionSummary>> MapPredictions(
    absl::string_view json, MapCounters* counters = nullptr);

// GET /standings?league=&season=: every row of every group.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Standing>> MapStandings(
    absl::string_view json, MapCounters* counters = nullptr);

// "api-football:<id>" for a bare id; a canonical id is returned unchanged.
std::string CanonicalId(absl::string_view id);
// The bare provider id of "api-football:<id>" or "<id>". InvalidArgument when it is not digits.
[[nodiscard]] absl::StatusOr<std::string> BareId(absl::string_view id);

// FixtureStatus for API-Football's status.short ("1H" -> LIVE, "FT" -> FINISHED, ...).
superbet::v1::FixtureStatus StatusFromShort(absl::string_view short_status);

}  // namespace superbet::providers::api_football

#endif  // SUPERBET_PROVIDERS_API_FOOTBALL_API_FOOTBALL_H_
