// StatsBomb open-data adapter: matches, events and lineups JSON -> canonical protos, and a match's
// events -> a per-minute LiveMatchState timeline.
//
// Source format: StatsBomb Open Data specification v4 ("Open Data Events v4.0.0", "Open Data
// Matches v3.0.0", "Open Data Lineups v2.0.0", github.com/statsbomb/open-data/doc). Pitch
// coordinates are 120 x 80 yards with every team attacking towards x = 120.
//
// Timeline definitions (all documented choices are fixed here and tested):
//  * Minutes. StatsBomb's `minute` counts match time (the 2nd half starts at 45, extra time at 90
//    and 105). State k (k = 0 .. L + 1, where L is the last event minute) is the match at clock
//    time k:00, i.e. it contains every event with minute < k. State 0 is kick-off (nothing has
//    happened); state L + 1 is full time (every event) and has status FINISHED, the others LIVE.
//    Stoppage time of a period that is followed by another (1st-half minutes 45, 46, ...) is folded
//    into the last minute before the next period starts (44 for the 1st half, 89 before extra
//    time, 104 before its 2nd half), so that the states stay in the order things happened.
//  * Period 5 (penalty shoot-out) events are ignored: they count neither as goals, shots nor xG.
//  * Score: Shot events with outcome Goal (id 97) plus "Own Goal For" events (type 25; its `team`
//    is the side credited with the goal).
//  * Shots: every Shot event (type 16). Shots on target: outcomes Goal (97), Saved (100) and
//    Saved To Post (116); Post, Off T, Wayward, Blocked and Saved Off Target are not on target.
//  * xG: cumulative sum of shot.statsbomb_xg.
//  * Corners: Pass events (type 30) with pass.type Corner (id 61).
//  * Cards: foul_committed.card and bad_behaviour.card. Yellow Card (7) counts a yellow; Second
//    Yellow (6) and Red Card (5) count a red (a dismissal), as football-data's HY/HR columns do.
//  * Possession: the side's share of all Pass events so far (the "share of passes" definition
//    broadcasters' Opta feeds use). Absent (not 0.5) while no pass has been made.
//  * Dangerous attacks (proxy; StatsBomb has no such statistic): the number of distinct possessions
//    (`possession` counter) of the side in which the side itself has an event located in the
//    final third (location x >= 80). A possession counts in the minute of its first such event.
//  * observed_at = kickoff + k minutes (nominal match time; half-time is not added);
//    data_staleness_s = 0; provider "statsbomb"; live_odds is set only by AttachOdds
//    (statsbomb/football_data_join.h).
//
// Untrusted input: malformed JSON is kDataLoss; a document of the wrong shape (not an array, a
// match without ids) is kInvalidArgument naming the JSON path. Every field is typed: a missing key
// or a JSON null is absent, a present value of another type (`"home_score":"1"`, `"minute":1.5`,
// `"shot":"x"`) is an error naming the JSON path and the value ("[3].home_score: expected an
// integer, got \"1\""), never read as absent.
//  * Matches files: MapMatches(json) is strict (the first bad field fails the call);
//    MapMatches(json, ParseMode) also has a lenient mode that leaves a bad match out and counts it.
//  * Lineups files are read strictly: the first bad field fails the call (a lineup without one of
//    its players would be a wrong lineup).
//  * Events files have two modes (ParseMode). An event with a missing, wrong-typed or
//    out-of-range field (id, period outside 1..5, minute outside 0..200, unknown team, xG outside
//    [0, 1], a location that is not [x, y], ...) or whose `id` repeats an earlier event's (a
//    repeated event would count its goal twice) fails the call in kStrict; in kLenient it is
//    rejected, counted in Timeline::events_rejected (repeats also in events_duplicated; the first
//    copy is kept) and otherwise ignored.

#ifndef SUPERBET_PROVIDERS_STATSBOMB_STATSBOMB_H_
#define SUPERBET_PROVIDERS_STATSBOMB_STATSBOMB_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "superbet/v1/model.pb.h"

namespace superbet::providers::statsbomb {

// How BuildTimeline and MapMatches(json, mode) treat a bad element (an event, a match).
enum class ParseMode {
  kStrict,   // The first bad element fails the call (InvalidArgument naming the JSON path).
  kLenient,  // Bad (and repeated) elements are skipped, counted and their reasons recorded.
};

// A match replayed minute by minute, with the pre-match prices joined from football-data.
struct Timeline {
  superbet::v1::Fixture fixture;                     // As MapMatches returned it.
  std::vector<superbet::v1::LiveMatchState> states;  // states[k].minute() == k.
  // Filled by AttachOdds: the football-data fixture id and every BettingLine of that fixture.
  std::string football_data_fixture_id;
  std::vector<superbet::v1::BettingLine> lines;
  // Match events in file order: goals (Shot with outcome Goal: detail "Normal Goal" or "Penalty";
  // Own Goal Against: detail "Own Goal", team = the side credited with the goal, player = the
  // player who put the ball into his own net), cards (Foul Committed / Bad Behaviour card: detail
  // "Yellow Card", "Second Yellow Card", "Red Card") and substitutions (type "subst", player = the
  // player going off, assist = the replacement). Types follow API-Football's names ("Goal",
  // "Card", "subst") so both providers read alike. MatchEvent.minute is the displayed minute
  // (StatsBomb minute + 1, "12:34" -> 13'), capped at the end of its period (45, 90, 105, 120)
  // with the rest in extra_minute (45:20 in the first half -> 45+1'). Penalty shoot-outs
  // (period 5) are left out. Counting Goal events per team gives the final score.
  std::vector<superbet::v1::MatchEvent> events;
  // event_visible_from[i]: the timeline minute k whose state first includes events[i]
  // (states[k] holds every event before k:00), so a replay at minute k may show it.
  std::vector<int> event_visible_from;
  int64_t events_total = 0;  // Elements of the events array.
  // Events ignored (kLenient) because a field was missing, of the wrong type or out of range, or
  // because their id repeats an earlier event's; the latter are also in events_duplicated.
  int64_t events_rejected = 0;
  int64_t events_duplicated = 0;
  // The first 10 reasons, JSON path first ("[17].minute: not in 0..200, got 250",
  // "[3780].id: duplicate of [0], got \"9f2c...\"").
  std::vector<std::string> rejections;
};

// Maps a matches file (matches/<competition>/<season>.json, an array of match objects) into
// fixtures: id "statsbomb:<match_id>", provider "statsbomb", competition competition_name,
// season "2015/16" style, teams with ids "statsbomb:<team_id>", kickoff = match_date + kick_off
// read as Europe/London local time and converted to UTC (kickoff_time_known false, 12:00 local
// used, when kick_off is null), status FINISHED with full_time when match_status is "available"
// and both scores are present (else SCHEDULED), round = match_week, referee and venue when given.
// Returns the fixtures in file order.
// Errors: DataLoss for unparsable JSON; InvalidArgument naming the JSON path and the value when
// the document is not an array, an element is not an object or lacks match_id, teams or
// match_date ("[12].home_team: missing"), a field has the wrong type ("[3].home_score: expected an
// integer, got \"1\""), one score is present without the other, a score is negative or
// match_week is outside 0..999.
// Strict: the first bad match fails the call.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Fixture>> MapMatches(absl::string_view json);

// A matches file read in either mode.
struct Matches {
  std::vector<superbet::v1::Fixture> fixtures;  // File order, rejected matches left out.
  int64_t matches_total = 0;                    // Elements of the array.
  int64_t matches_rejected = 0;         // kLenient: matches left out for one of the errors above.
  std::vector<std::string> rejections;  // The first 10 reasons, JSON path first.
};

// As MapMatches(json); kStrict fails on the first bad match, kLenient leaves it out and counts it
// (one bad match costs that match only). Errors: DataLoss for unparsable JSON, InvalidArgument
// when the document is not an array; in kStrict also those of MapMatches(json).
[[nodiscard]] absl::StatusOr<Matches> MapMatches(absl::string_view json, ParseMode mode);

// Builds the per-minute timeline of one match from its events file (events/<match_id>.json, an
// array of events) as defined in the file comment. `fixture` must come from MapMatches (its team
// ids "statsbomb:<id>" identify the sides).
// Errors: DataLoss for unparsable JSON; InvalidArgument when the document is not an array or the
// fixture's team ids are not "statsbomb:<integer>". Bad or repeated events (file comment): in
// kLenient counted in the Timeline, in kStrict InvalidArgument naming the first one's JSON path
// and value.
[[nodiscard]] absl::StatusOr<Timeline> BuildTimeline(absl::string_view events_json,
                                                     const superbet::v1::Fixture& fixture,
                                                     ParseMode mode = ParseMode::kLenient);

// Maps a lineups file (lineups/<match_id>.json, one object per team) into one Lineup per team:
// team id "statsbomb:<team_id>", players with id "statsbomb:<player_id>", name (player_name),
// shirt_number, nationality, position (the first position played, absent for unused
// substitutes). A player whose first position's start_reason is "Starting XI" is in `starting`,
// every other player in `substitutes`. `fixture_id` is copied into each Lineup.
// Errors: DataLoss for unparsable JSON; InvalidArgument naming the JSON path for a missing
// team_id, lineup array, player_id or player_name, for any field of the wrong type
// ("[0].lineup[3].jersey_number: expected an integer, got \"7\"") and for a jersey_number outside
// 0..999.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Lineup>> MapLineups(
    absl::string_view json, const std::string& fixture_id);

// File variants: read `path` and call the function above. Every error message starts with the
// path. Errors: those of core::ReadFile (NotFound naming the path for a missing file, ...) and of
// the mapping function.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Fixture>> LoadMatchesFile(
    const std::string& path);
[[nodiscard]] absl::StatusOr<Matches> LoadMatchesFile(const std::string& path, ParseMode mode);
[[nodiscard]] absl::StatusOr<Timeline> LoadTimelineFile(const std::string& path,
                                                        const superbet::v1::Fixture& fixture,
                                                        ParseMode mode = ParseMode::kLenient);
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Lineup>> LoadLineupsFile(
    const std::string& path, const std::string& fixture_id);

// The numeric StatsBomb id inside "statsbomb:<id>" (or a bare "<id>").
// Errors: InvalidArgument naming the id when it is neither.
[[nodiscard]] absl::StatusOr<int64_t> ParseStatsBombId(absl::string_view id);

}  // namespace superbet::providers::statsbomb

#endif  // SUPERBET_PROVIDERS_STATSBOMB_STATSBOMB_H_
