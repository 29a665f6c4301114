// ReplayProvider: the Provider interface over recorded data, as if it were live. It is what the
// agents' training environments and adapter-svc --replay read.
//
// What is replayed:
//  * StatsBomb timelines (statsbomb.h), joined to football-data prices
//  (statsbomb/football_data_join.h). All
//    matches kick off together when the provider is created (or Restart()ed) and advance minute
//    by minute with an injected clock: replay minute = floor(elapsed clock time x speed / 60 s),
//    so speed 60 plays one match minute per clock second and speed 1 plays in real time. A match
//    shows state min(replay minute, last) and is FINISHED from its last state on (full time).
//    While a match is live its Fixture carries status LIVE and elapsed_minute, and NOT the final
//    or half-time score (the future never leaks); once finished, the recorded result.
//  * API-Football `fixtures?live=all` snapshots (api_football.h MapLiveFixtures): each recorded
//    snapshot is a fixed moment; its fixtures are served as recorded (minute, score, statistics
//    and events of that moment), ids "api-football:<id>".
//
// Endpoints and what they return (ids: "statsbomb:<id>", "api-football:<id>" or a bare id,
// looked up among StatsBomb matches first):
//   LiveFixtures   every StatsBomb match not yet finished + every API-Football snapshot fixture.
//   GetFixture     the fixture and its current state (StatsBomb) / recorded state (API-Football).
//   Statistics     the current LiveMatchState.
//   Events         API-Football: the snapshot's embedded events. StatsBomb: goals, cards and
//                  substitutions that have happened by the current replay minute.
//   Lineups        StatsBomb: both teams (lineups/<id>.json) as known at the current replay
//                  minute: starting XI and bench from kick-off; a substitute's position (where he
//                  played on coming on) only once his substitution event is visible (Events), so
//                  at kick-off the substitutes differ in nothing but who they are (id, name,
//                  shirt number, nationality). API-Football: Unimplemented.
//   PrematchOdds   StatsBomb: every football-data BettingLine of the match (opening and closing).
//                  API-Football: Unimplemented (no odds recorded with the snapshots).
//   LiveOdds, Injuries, Players: Unimplemented (nothing recorded).
// Unknown ids: NotFound.
//
// Thread-safety: thread-safe. The recorded data is immutable after construction; the replay start
// time is guarded by a mutex. The clock is not owned and must outlive the provider.

#ifndef SUPERBET_PROVIDERS_REPLAY_PROVIDER_H_
#define SUPERBET_PROVIDERS_REPLAY_PROVIDER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "superbet/core/clock.h"
#include "superbet/providers/provider.h"
#include "superbet/providers/statsbomb/statsbomb.h"
#include "superbet/v1/model.pb.h"

namespace superbet::providers {

// Recorded data for a replay.
struct ReplayData {
  std::vector<statsbomb::Timeline> timelines;  // Sorted by kickoff, then id.
  // By "statsbomb:<id>", as recorded after the match (a used substitute carries the position he
  // came on in); ReplayProvider::Lineups serves them as known at the current minute.
  std::map<std::string, std::vector<superbet::v1::Lineup>> lineups;
  std::vector<LiveFixture> api_football;  // Fixtures of every recorded fixtures?live=all snapshot.
};

// Where LoadReplayData looks, relative to the data root (../shared/data layout).
struct ReplayLoadOptions {
  std::string matches_file = "statsbomb/matches/2/27.json";
  std::string events_dir = "statsbomb/events";    // <match_id>.json per match.
  std::string lineups_dir = "statsbomb/lineups";  // Optional per match.
  std::string football_data_file = "football-data/E0_1516.csv";
  std::string api_football_dir = "api-football";  // fixtures_live_all_*.json; may be absent.
  // Only these StatsBomb matches ("statsbomb:<id>" or bare); empty = every match with events.
  std::vector<std::string> only_matches;
  // How events files are read (statsbomb.h): lenient counts bad or repeated events in each
  // Timeline (events_rejected, events_duplicated, rejections); strict fails on the first.
  statsbomb::ParseMode events_mode = statsbomb::ParseMode::kLenient;
};

// The StatsBomb fixtures that have an events file under the data root, sorted by kickoff, then id.
// Errors: those of LoadMatchesFile; NotFound when the events folder is absent or a file there
// names a match that is not in the matches file.
[[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Fixture>> ReplayableMatches(
    const std::string& data_root, const ReplayLoadOptions& options = {});

// Loads everything a replay needs: timelines (BuildTimeline) joined to football-data odds
// (AttachOdds), lineups, API-Football live snapshots.
// Events are read in options.events_mode (lenient by default: bad or repeated events are counted
// in each Timeline, see statsbomb.h; strict: the first one is an error naming its JSON path).
// Errors: the first error of a file, prefixed by its path; a match that does not join to
// football-data is NotFound (every recorded match must carry its prices). For an id in
// only_matches: NotFound "<events_dir>/<id>.json: no events file for match statsbomb:<id>" when
// the matches file lists the match but its events file is missing, and NotFound "match
// statsbomb:<id> is not in <matches_file>" when the matches file does not list it;
// InvalidArgument when the id is not "statsbomb:<integer>" or a bare integer.
[[nodiscard]] absl::StatusOr<ReplayData> LoadReplayData(const std::string& data_root,
                                                        const ReplayLoadOptions& options = {});

class ReplayProvider final : public Provider {
 public:
  // `speed` is match minutes per clock minute (> 0, finite). The replay starts at clock.Now().
  // Errors: InvalidArgument for a bad speed.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ReplayProvider>> Create(
      ReplayData data, const core::Clock& clock, double speed);

  // "replay".
  std::string name() const override { return "replay"; }

  [[nodiscard]] absl::StatusOr<std::vector<LiveFixture>> LiveFixtures() override;
  [[nodiscard]] absl::StatusOr<LiveFixture> GetFixture(const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<superbet::v1::LiveMatchState> Statistics(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::MatchEvent>> Events(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Lineup>> Lineups(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::BettingLine>> PrematchOdds(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::BettingLine>> LiveOdds(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Injury>> Injuries(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<PlayerPage> Players(const std::string& team_id, int season,
                                                   int page) override;

  // The replay minute now: floor((clock.Now() - start) x speed / 60 s), >= 0.
  int CurrentMinute() const;
  // Restarts every match at kick-off (start = clock.Now()).
  void Restart();
  // The StatsBomb match ids ("statsbomb:<id>"), by kickoff.
  std::vector<std::string> MatchIds() const;
  // The recorded timeline of a StatsBomb match (nullptr when unknown). Valid while *this lives.
  const statsbomb::Timeline* FindTimeline(const std::string& fixture_id) const;

 private:
  ReplayProvider(ReplayData data, const core::Clock& clock, double speed);
  const LiveFixture* FindApiFootball(const std::string& fixture_id) const;
  LiveFixture SnapshotOf(const statsbomb::Timeline& t, int minute) const;

  const ReplayData data_;
  const core::Clock& clock_;
  const double speed_;
  mutable absl::Mutex mu_;
  absl::Time start_ ABSL_GUARDED_BY(mu_);
};

}  // namespace superbet::providers

#endif  // SUPERBET_PROVIDERS_REPLAY_PROVIDER_H_
