#include "superbet/providers/replay_provider.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "superbet/core/file.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/api_football/api_football.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/providers/statsbomb/football_data_join.h"

namespace superbet::providers {
namespace {

std::string StatsBombId(const std::string& id) {
  return absl::StartsWith(id, "statsbomb:") ? id : absl::StrCat("statsbomb:", id);
}

bool KickoffOrder(const v1::Fixture& a, const v1::Fixture& b) {
  if (a.kickoff().seconds() != b.kickoff().seconds()) {
    return a.kickoff().seconds() < b.kickoff().seconds();
  }
  return a.id() < b.id();
}

absl::Status LoadApiFootball(const std::string& dir, std::vector<LiveFixture>* out) {
  if (!core::DirectoryExists(dir)) return absl::OkStatus();
  SUPERBET_ASSIGN_OR_RETURN(std::vector<std::string> names, core::ListFiles(dir));
  for (const std::string& name : names) {
    if (!absl::StartsWith(name, "fixtures_live_all_") || !absl::EndsWith(name, ".json")) continue;
    const std::string path = dir + "/" + name;
    SUPERBET_ASSIGN_OR_RETURN(std::string bytes, core::ReadFile(path));
    absl::StatusOr<std::vector<LiveFixture>> fixtures = api_football::MapLiveFixtures(bytes);
    if (!fixtures.ok()) {
      return absl::Status(fixtures.status().code(),
                          absl::StrCat(path, ": ", fixtures.status().message()));
    }
    for (LiveFixture& f : *fixtures) out->push_back(std::move(f));
  }
  return absl::OkStatus();
}

absl::Status Unimplemented(absl::string_view what, const std::string& id) {
  return absl::UnimplementedError(
      absl::StrCat("replay: no recorded ", what, " for ", id, " (see replay_provider.h)"));
}

// The ids of the players who have come on by replay minute `minute`: the replacements
// (assist_id) of the substitutions visible then.
absl::flat_hash_set<std::string> CameOnBy(const statsbomb::Timeline& t, int minute) {
  absl::flat_hash_set<std::string> ids;
  for (size_t i = 0; i < t.events.size(); ++i) {
    const v1::MatchEvent& e = t.events[i];
    if (e.type() == "subst" && e.has_assist_id() && t.event_visible_from[i] <= minute) {
      ids.insert(e.assist_id());
    }
  }
  return ids;
}

// The lineups as known at replay minute `minute`: a substitute's position (the position he played
// on coming on) is cleared until his substitution is visible, so the bench does not tell who
// will play.
std::vector<v1::Lineup> LineupsAsKnownAt(const std::vector<v1::Lineup>& recorded,
                                         const statsbomb::Timeline& t, int minute) {
  const absl::flat_hash_set<std::string> came_on = CameOnBy(t, minute);
  std::vector<v1::Lineup> out = recorded;
  for (v1::Lineup& lineup : out) {
    for (v1::Player& p : *lineup.mutable_substitutes()) {
      if (!came_on.contains(p.id())) p.clear_position();
    }
  }
  return out;
}

// The fixtures of options.only_matches, in that order. Errors: NotFound telling a match that the
// matches file does not list from a listed match whose events file is missing (names the path).
absl::StatusOr<std::vector<v1::Fixture>> ChosenMatches(const std::string& data_root,
                                                       const ReplayLoadOptions& options) {
  SUPERBET_ASSIGN_OR_RETURN(std::vector<v1::Fixture> all,
                            statsbomb::LoadMatchesFile(data_root + "/" + options.matches_file));
  std::vector<v1::Fixture> chosen;
  for (const std::string& wanted : options.only_matches) {
    SUPERBET_ASSIGN_OR_RETURN(int64_t bare, statsbomb::ParseStatsBombId(wanted));
    const std::string id = absl::StrCat("statsbomb:", bare);
    auto it =
        std::find_if(all.begin(), all.end(), [&](const v1::Fixture& f) { return f.id() == id; });
    if (it == all.end()) {
      return absl::NotFoundError(
          absl::StrCat("match ", id, " is not in ", data_root, "/", options.matches_file));
    }
    const std::string events = absl::StrCat(data_root, "/", options.events_dir, "/", bare, ".json");
    if (!core::FileExists(events)) {
      return absl::NotFoundError(
          absl::StrCat(events, ": no events file for match ", id, " (the matches file lists it)"));
    }
    chosen.push_back(*it);
  }
  return chosen;
}

}  // namespace

absl::StatusOr<std::vector<v1::Fixture>> ReplayableMatches(const std::string& data_root,
                                                           const ReplayLoadOptions& options) {
  SUPERBET_ASSIGN_OR_RETURN(std::vector<v1::Fixture> all,
                            statsbomb::LoadMatchesFile(data_root + "/" + options.matches_file));
  const std::string events_dir = data_root + "/" + options.events_dir;
  SUPERBET_ASSIGN_OR_RETURN(std::vector<std::string> names, core::ListFiles(events_dir));
  std::vector<v1::Fixture> out;
  for (const std::string& name : names) {
    if (!absl::EndsWith(name, ".json")) continue;
    const std::string id = "statsbomb:" + name.substr(0, name.size() - 5);
    auto it =
        std::find_if(all.begin(), all.end(), [&](const v1::Fixture& f) { return f.id() == id; });
    if (it == all.end()) {
      return absl::NotFoundError(
          absl::StrCat(events_dir, "/", name, ": match ", id, " is not in ", options.matches_file));
    }
    out.push_back(*it);
  }
  std::sort(out.begin(), out.end(), KickoffOrder);
  return out;
}

absl::StatusOr<ReplayData> LoadReplayData(const std::string& data_root,
                                          const ReplayLoadOptions& options) {
  std::vector<v1::Fixture> chosen;
  if (options.only_matches.empty()) {
    SUPERBET_ASSIGN_OR_RETURN(chosen, ReplayableMatches(data_root, options));
  } else {
    SUPERBET_ASSIGN_OR_RETURN(chosen, ChosenMatches(data_root, options));
  }
  const std::string fd_path = data_root + "/" + options.football_data_file;
  SUPERBET_ASSIGN_OR_RETURN(
      football_data::SeasonData season,
      football_data::LoadSeasonFile(fd_path, football_data::ParseMode::kLenient));
  ReplayData data;
  for (const v1::Fixture& f : chosen) {
    const std::string bare = f.id().substr(10);
    SUPERBET_ASSIGN_OR_RETURN(statsbomb::Timeline t,
                              statsbomb::LoadTimelineFile(
                                  data_root + "/" + options.events_dir + "/" + bare + ".json", f,
                                  options.events_mode));
    absl::Status joined = statsbomb::AttachOdds(season.fixtures, season.lines, &t);
    if (!joined.ok()) {
      return absl::Status(joined.code(), absl::StrCat(fd_path, ": ", joined.message()));
    }
    const std::string lineups = data_root + "/" + options.lineups_dir + "/" + bare + ".json";
    if (core::FileExists(lineups)) {
      SUPERBET_ASSIGN_OR_RETURN(data.lineups[f.id()], statsbomb::LoadLineupsFile(lineups, f.id()));
    }
    data.timelines.push_back(std::move(t));
  }
  SUPERBET_RETURN_IF_ERROR(
      LoadApiFootball(data_root + "/" + options.api_football_dir, &data.api_football));
  return data;
}

absl::StatusOr<std::unique_ptr<ReplayProvider>> ReplayProvider::Create(ReplayData data,
                                                                       const core::Clock& clock,
                                                                       double speed) {
  if (!std::isfinite(speed) || speed <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("replay speed must be a finite number > 0, got ", speed));
  }
  std::sort(data.timelines.begin(), data.timelines.end(),
            [](const statsbomb::Timeline& a, const statsbomb::Timeline& b) {
              return KickoffOrder(a.fixture, b.fixture);
            });
  return std::unique_ptr<ReplayProvider>(new ReplayProvider(std::move(data), clock, speed));
}

ReplayProvider::ReplayProvider(ReplayData data, const core::Clock& clock, double speed)
    : data_(std::move(data)), clock_(clock), speed_(speed), start_(clock.Now()) {}

int ReplayProvider::CurrentMinute() const {
  absl::Time start;
  {
    absl::MutexLock lock(&mu_);
    start = start_;
  }
  const double minutes = absl::ToDoubleSeconds(clock_.Now() - start) * speed_ / 60.0;
  if (!(minutes > 0)) return 0;
  return static_cast<int>(std::min(std::floor(minutes), 1e6));
}

void ReplayProvider::Restart() {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  start_ = now;
}

std::vector<std::string> ReplayProvider::MatchIds() const {
  std::vector<std::string> ids;
  for (const statsbomb::Timeline& t : data_.timelines) ids.push_back(t.fixture.id());
  return ids;
}

const statsbomb::Timeline* ReplayProvider::FindTimeline(const std::string& fixture_id) const {
  const std::string id = StatsBombId(fixture_id);
  for (const statsbomb::Timeline& t : data_.timelines) {
    if (t.fixture.id() == id) return &t;
  }
  return nullptr;
}

const LiveFixture* ReplayProvider::FindApiFootball(const std::string& fixture_id) const {
  const std::string id = absl::StartsWith(fixture_id, "api-football:")
                             ? fixture_id
                             : absl::StrCat("api-football:", fixture_id);
  for (const LiveFixture& f : data_.api_football) {
    if (f.fixture.id() == id) return &f;
  }
  return nullptr;
}

LiveFixture ReplayProvider::SnapshotOf(const statsbomb::Timeline& t, int minute) const {
  LiveFixture out;
  const int last = static_cast<int>(t.states.size()) - 1;
  const int k = std::min(minute, last);
  out.state = t.states[k];
  out.fixture = t.fixture;
  if (k < last) {  // Live: the recorded result must not leak.
    out.fixture.set_status(v1::FIXTURE_STATUS_LIVE);
    out.fixture.clear_full_time();
    out.fixture.clear_half_time();
    out.fixture.clear_statistics();
    out.fixture.set_elapsed_minute(k);
  }
  return out;
}

absl::StatusOr<std::vector<LiveFixture>> ReplayProvider::LiveFixtures() {
  const int minute = CurrentMinute();
  std::vector<LiveFixture> out;
  for (const statsbomb::Timeline& t : data_.timelines) {
    if (minute < static_cast<int>(t.states.size()) - 1) out.push_back(SnapshotOf(t, minute));
  }
  out.insert(out.end(), data_.api_football.begin(), data_.api_football.end());
  return out;
}

absl::StatusOr<LiveFixture> ReplayProvider::GetFixture(const std::string& fixture_id) {
  if (const statsbomb::Timeline* t = FindTimeline(fixture_id)) {
    return SnapshotOf(*t, CurrentMinute());
  }
  if (const LiveFixture* f = FindApiFootball(fixture_id)) return *f;
  return absl::NotFoundError(absl::StrCat("replay: no recorded fixture ", fixture_id));
}

absl::StatusOr<v1::LiveMatchState> ReplayProvider::Statistics(const std::string& fixture_id) {
  SUPERBET_ASSIGN_OR_RETURN(LiveFixture f, GetFixture(fixture_id));
  return f.state;
}

absl::StatusOr<std::vector<v1::MatchEvent>> ReplayProvider::Events(const std::string& fixture_id) {
  if (const statsbomb::Timeline* t = FindTimeline(fixture_id)) {
    // Only what has happened by the replay's current minute (never the future).
    const int minute = CurrentMinute();
    std::vector<v1::MatchEvent> out;
    for (size_t i = 0; i < t->events.size(); ++i) {
      if (t->event_visible_from[i] <= minute) out.push_back(t->events[i]);
    }
    return out;
  }
  if (const LiveFixture* f = FindApiFootball(fixture_id)) return f->events;
  return absl::NotFoundError(absl::StrCat("replay: no recorded fixture ", fixture_id));
}

absl::StatusOr<std::vector<v1::Lineup>> ReplayProvider::Lineups(const std::string& fixture_id) {
  if (const statsbomb::Timeline* t = FindTimeline(fixture_id)) {
    auto it = data_.lineups.find(t->fixture.id());
    if (it == data_.lineups.end()) {
      return absl::NotFoundError("replay: no lineups for " + fixture_id);
    }
    return LineupsAsKnownAt(it->second, *t, CurrentMinute());
  }
  if (FindApiFootball(fixture_id) != nullptr) return Unimplemented("lineups", fixture_id);
  return absl::NotFoundError(absl::StrCat("replay: no recorded fixture ", fixture_id));
}

absl::StatusOr<std::vector<v1::BettingLine>> ReplayProvider::PrematchOdds(
    const std::string& fixture_id) {
  if (const statsbomb::Timeline* t = FindTimeline(fixture_id)) return t->lines;
  if (FindApiFootball(fixture_id) != nullptr) return Unimplemented("pre-match odds", fixture_id);
  return absl::NotFoundError(absl::StrCat("replay: no recorded fixture ", fixture_id));
}

absl::StatusOr<std::vector<v1::BettingLine>> ReplayProvider::LiveOdds(
    const std::string& fixture_id) {
  return Unimplemented("in-play odds", fixture_id);
}

absl::StatusOr<std::vector<v1::Injury>> ReplayProvider::Injuries(const std::string& fixture_id) {
  return Unimplemented("injuries", fixture_id);
}

absl::StatusOr<PlayerPage> ReplayProvider::Players(const std::string& team_id, int season,
                                                   int page) {
  return Unimplemented("players", absl::StrCat(team_id, " season ", season, " page ", page));
}

}  // namespace superbet::providers
