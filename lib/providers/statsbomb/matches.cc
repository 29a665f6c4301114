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

using internal::Field;
using internal::Int;
using internal::NestedInt;
using internal::NestedString;
using internal::String;
using simdjson::dom::element;

// "2015/2016" -> "2015/16"; anything else unchanged.
std::string SeasonLabel(absl::string_view name) {
  if (name.size() == 9 && name[4] == '/') {
    return absl::StrCat(name.substr(0, 5), name.substr(7, 2));
  }
  return std::string(name);
}

absl::Status MapTeam(element match, const std::string& side, const std::string& path,
                     v1::Team* team) {
  std::optional<element> t = Field(match, side + "_team");
  if (!t) return absl::InvalidArgumentError(absl::StrCat(path, ".", side, "_team: missing"));
  std::optional<int64_t> id = Int(*t, side + "_team_id");
  std::optional<absl::string_view> name = String(*t, side + "_team_name");
  if (!id || !name || name->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".", side, "_team: needs ", side, "_team_id and ", side, "_team_name"));
  }
  team->set_id(absl::StrCat("statsbomb:", *id));
  team->set_name(std::string(*name));
  if (auto country = NestedString(*t, "country", "name")) team->set_country(std::string(*country));
  return absl::OkStatus();
}

absl::Status MapKickoff(element match, const std::string& path, v1::Fixture* f) {
  std::optional<absl::string_view> date = String(match, "match_date");
  if (!date) return absl::InvalidArgumentError(absl::StrCat(path, ".match_date: missing"));
  std::optional<absl::string_view> time = String(match, "kick_off");
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

absl::StatusOr<v1::Fixture> MapMatch(element match, const std::string& path) {
  v1::Fixture f;
  std::optional<int64_t> id = Int(match, "match_id");
  if (!id) return absl::InvalidArgumentError(path + ".match_id: missing or not an integer");
  f.set_id(absl::StrCat("statsbomb:", *id));
  f.set_provider("statsbomb");
  if (auto c = NestedString(match, "competition", "competition_name")) {
    f.set_competition(std::string(*c));
  }
  if (auto s = NestedString(match, "season", "season_name")) f.set_season(SeasonLabel(*s));
  SUPERBET_RETURN_IF_ERROR(MapTeam(match, "home", path, f.mutable_home()));
  SUPERBET_RETURN_IF_ERROR(MapTeam(match, "away", path, f.mutable_away()));
  SUPERBET_RETURN_IF_ERROR(MapKickoff(match, path, &f));
  std::optional<int64_t> hs = Int(match, "home_score");
  std::optional<int64_t> as = Int(match, "away_score");
  std::optional<absl::string_view> status = String(match, "match_status");
  if (hs && as && (!status || *status == "available")) {
    if (*hs < 0 || *as < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".home_score/away_score: negative score ", *hs, "-", *as));
    }
    f.set_status(v1::FIXTURE_STATUS_FINISHED);
    f.mutable_full_time()->set_home(static_cast<int32_t>(*hs));
    f.mutable_full_time()->set_away(static_cast<int32_t>(*as));
  } else {
    f.set_status(v1::FIXTURE_STATUS_SCHEDULED);
  }
  if (auto week = Int(match, "match_week"); week && *week >= 0 && *week < 1000) {
    f.set_round(static_cast<int32_t>(*week));
  }
  if (auto ref = NestedString(match, "referee", "name")) f.set_referee(std::string(*ref));
  if (auto venue = NestedString(match, "stadium", "name")) {
    f.set_venue(std::string(absl::StripAsciiWhitespace(*venue)));
  }
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

absl::StatusOr<std::vector<v1::Fixture>> MapMatches(absl::string_view json) {
  SUPERBET_ASSIGN_OR_RETURN(element root, internal::ParseDom(json));
  simdjson::dom::array matches;
  if (root.get(matches) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("$: a matches file must be a JSON array");
  }
  std::vector<v1::Fixture> out;
  out.reserve(matches.size());
  size_t i = 0;
  for (element match : matches) {
    SUPERBET_ASSIGN_OR_RETURN(v1::Fixture f, MapMatch(match, absl::StrCat("[", i, "]")));
    out.push_back(std::move(f));
    ++i;
  }
  return out;
}

absl::StatusOr<std::vector<v1::Fixture>> LoadMatchesFile(const std::string& path) {
  SUPERBET_ASSIGN_OR_RETURN(std::string bytes, core::ReadFile(path));
  absl::StatusOr<std::vector<v1::Fixture>> r = MapMatches(bytes);
  if (!r.ok()) return internal::WithPath(r.status(), path);
  return r;
}

absl::StatusOr<Timeline> LoadTimelineFile(const std::string& path, const v1::Fixture& fixture) {
  SUPERBET_ASSIGN_OR_RETURN(std::string bytes, core::ReadFile(path));
  absl::StatusOr<Timeline> r = BuildTimeline(bytes, fixture);
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
