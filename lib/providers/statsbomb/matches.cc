// StatsBomb matches file -> v1::Fixture, and the file-reading variants of the adapter.

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "providers/internal/uk_time.h"
#include "providers/statsbomb/internal/statsbomb_json.h"
#include "superbet/core/file.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::providers::statsbomb {
namespace {

using internal::Int;
using internal::NestedString;
using internal::Object;
using internal::String;
using simdjson::dom::element;

constexpr int64_t kMaxMatchWeek = 1000;  // match_week must be in 0 .. kMaxMatchWeek - 1.
constexpr size_t kMaxRejections = 10;

// "2015/2016" -> "2015/16"; anything else unchanged.
std::string SeasonLabel(absl::string_view name) {
  if (name.size() == 9 && name[4] == '/') {
    return absl::StrCat(name.substr(0, 5), name.substr(7, 2));
  }
  return std::string(name);
}

absl::Status MapTeam(element match, const std::string& side, const std::string& path,
                     v1::Team* team) {
  const std::string key = side + "_team";
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> t, Object(match, path, key));
  if (!t) return absl::InvalidArgumentError(absl::StrCat(internal::Child(path, key), ": missing"));
  const std::string team_path = internal::Child(path, key);
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> id, Int(*t, team_path, side + "_team_id"));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> name,
                            String(*t, team_path, side + "_team_name"));
  if (!id || !name || name->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(team_path, ": needs ", side, "_team_id and ", side, "_team_name"));
  }
  team->set_id(absl::StrCat("statsbomb:", *id));
  team->set_name(std::string(*name));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> country,
                            NestedString(*t, team_path, "country", "name"));
  if (country) team->set_country(std::string(*country));
  return absl::OkStatus();
}

absl::Status MapKickoff(element match, const std::string& path, v1::Fixture* f) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> date,
                            String(match, path, "match_date"));
  if (!date) return absl::InvalidArgumentError(absl::StrCat(path, ".match_date: missing"));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> time, String(match, path, "kick_off"));
  std::string text = absl::StrCat(*date, " ", time ? *time : "12:00:00");
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, providers::internal::LondonTimeZone(), &t,
                       &err)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".match_date/kick_off: cannot parse \"", text, "\": ", err));
  }
  f->mutable_kickoff()->set_seconds(absl::ToUnixSeconds(t));
  f->set_kickoff_time_known(time.has_value());
  return absl::OkStatus();
}

// status, full_time: FINISHED with the score when both scores are present and match_status is
// "available" or absent; SCHEDULED when both scores are absent or the status is another one.
absl::Status MapResult(element match, const std::string& path, v1::Fixture* f) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> hs, Int(match, path, "home_score"));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> as, Int(match, path, "away_score"));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> status,
                            String(match, path, "match_status"));
  if (hs.has_value() != as.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".home_score/away_score: both or neither, got ",
                     hs ? absl::StrCat(*hs) : "null", "-", as ? absl::StrCat(*as) : "null"));
  }
  if (hs && (*hs < 0 || *as < 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".home_score/away_score: negative score ", *hs, "-", *as));
  }
  if (hs && (!status || *status == "available")) {
    f->set_status(v1::FIXTURE_STATUS_FINISHED);
    f->mutable_full_time()->set_home(static_cast<int32_t>(*hs));
    f->mutable_full_time()->set_away(static_cast<int32_t>(*as));
  } else {
    f->set_status(v1::FIXTURE_STATUS_SCHEDULED);
  }
  return absl::OkStatus();
}

// round, referee, venue, competition and season: optional, but typed.
absl::Status MapDetails(element match, const std::string& path, v1::Fixture* f) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> competition,
                            NestedString(match, path, "competition", "competition_name"));
  if (competition) f->set_competition(std::string(*competition));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> season,
                            NestedString(match, path, "season", "season_name"));
  if (season) f->set_season(SeasonLabel(*season));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> week, Int(match, path, "match_week"));
  if (week && (*week < 0 || *week >= kMaxMatchWeek)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".match_week: not in 0..", kMaxMatchWeek - 1, ", got ", *week));
  }
  if (week) f->set_round(static_cast<int32_t>(*week));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> referee,
                            NestedString(match, path, "referee", "name"));
  if (referee) f->set_referee(std::string(*referee));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> venue,
                            NestedString(match, path, "stadium", "name"));
  if (venue) f->set_venue(std::string(absl::StripAsciiWhitespace(*venue)));
  return absl::OkStatus();
}

absl::StatusOr<v1::Fixture> MapMatch(element match, const std::string& path) {
  SUPERBET_RETURN_IF_ERROR(internal::ExpectObject(match, path));
  v1::Fixture f;
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> id, Int(match, path, "match_id"));
  if (!id) return absl::InvalidArgumentError(path + ".match_id: missing");
  f.set_id(absl::StrCat("statsbomb:", *id));
  f.set_provider("statsbomb");
  SUPERBET_RETURN_IF_ERROR(MapTeam(match, "home", path, f.mutable_home()));
  SUPERBET_RETURN_IF_ERROR(MapTeam(match, "away", path, f.mutable_away()));
  SUPERBET_RETURN_IF_ERROR(MapKickoff(match, path, &f));
  SUPERBET_RETURN_IF_ERROR(MapResult(match, path, &f));
  SUPERBET_RETURN_IF_ERROR(MapDetails(match, path, &f));
  return f;
}

}  // namespace

absl::StatusOr<int64_t> ParseStatsBombId(absl::string_view id) {
  absl::string_view bare = id;
  absl::ConsumePrefix(&bare, "statsbomb:");
  int64_t v = 0;
  if (!absl::SimpleAtoi(bare, &v) || v < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a StatsBomb id (\"statsbomb:<integer>\"): \"", id, "\""));
  }
  return v;
}

absl::StatusOr<Matches> MapMatches(absl::string_view json, ParseMode mode) {
  SUPERBET_ASSIGN_OR_RETURN(element root, internal::ParseDom(json));
  simdjson::dom::array matches;
  if (root.get(matches) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("$: a matches file must be a JSON array");
  }
  Matches out;
  out.fixtures.reserve(matches.size());
  for (element match : matches) {
    absl::StatusOr<v1::Fixture> f = MapMatch(match, absl::StrCat("[", out.matches_total++, "]"));
    if (f.ok()) {
      out.fixtures.push_back(*std::move(f));
      continue;
    }
    if (mode == ParseMode::kStrict) return f.status();
    ++out.matches_rejected;
    if (out.rejections.size() < kMaxRejections) {
      out.rejections.push_back(std::string(f.status().message()));
    }
  }
  return out;
}

absl::StatusOr<std::vector<v1::Fixture>> MapMatches(absl::string_view json) {
  SUPERBET_ASSIGN_OR_RETURN(Matches m, MapMatches(json, ParseMode::kStrict));
  return std::move(m.fixtures);
}

absl::StatusOr<Matches> LoadMatchesFile(const std::string& path, ParseMode mode) {
  SUPERBET_ASSIGN_OR_RETURN(std::string bytes, core::ReadFile(path));
  absl::StatusOr<Matches> r = MapMatches(bytes, mode);
  if (!r.ok()) return internal::WithPath(r.status(), path);
  return r;
}

absl::StatusOr<std::vector<v1::Fixture>> LoadMatchesFile(const std::string& path) {
  SUPERBET_ASSIGN_OR_RETURN(Matches m, LoadMatchesFile(path, ParseMode::kStrict));
  return std::move(m.fixtures);
}

absl::StatusOr<Timeline> LoadTimelineFile(const std::string& path, const v1::Fixture& fixture,
                                          ParseMode mode) {
  SUPERBET_ASSIGN_OR_RETURN(std::string bytes, core::ReadFile(path));
  absl::StatusOr<Timeline> r = BuildTimeline(bytes, fixture, mode);
  if (!r.ok()) return internal::WithPath(r.status(), path);
  return r;
}

absl::StatusOr<std::vector<v1::Lineup>> LoadLineupsFile(const std::string& path,
                                                        const std::string& fixture_id) {
  SUPERBET_ASSIGN_OR_RETURN(std::string bytes, core::ReadFile(path));
  absl::StatusOr<std::vector<v1::Lineup>> r = MapLineups(bytes, fixture_id);
  if (!r.ok()) return internal::WithPath(r.status(), path);
  return r;
}

}  // namespace superbet::providers::statsbomb
