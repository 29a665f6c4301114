// StatsBomb lineups file -> v1::Lineup (one per team).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "providers/statsbomb/internal/statsbomb_json.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::providers::statsbomb {
namespace {

using internal::Array;
using internal::Int;
using internal::NestedString;
using internal::String;
using simdjson::dom::element;

constexpr int64_t kMaxShirtNumber = 1000;  // jersey_number must be in 0 .. kMaxShirtNumber - 1.

// The first entry of the player's `positions` array (absent for an empty or absent array).
absl::StatusOr<std::optional<element>> FirstPosition(element player, const std::string& path) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<simdjson::dom::array> positions,
                            Array(player, path, "positions"));
  element first;
  if (!positions || positions->at(0).get(first) != simdjson::SUCCESS) return std::nullopt;
  SUPERBET_RETURN_IF_ERROR(internal::ExpectObject(first, path + ".positions[0]"));
  return first;
}

// id, name, shirt number and nationality of one lineup entry.
absl::Status MapIdentity(element p, const std::string& path, v1::Player* out) {
  SUPERBET_RETURN_IF_ERROR(internal::ExpectObject(p, path));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> id, Int(p, path, "player_id"));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> name, String(p, path, "player_name"));
  if (!id || !name) {
    return absl::InvalidArgumentError(path + ": needs player_id (integer) and player_name");
  }
  out->set_id(absl::StrCat("statsbomb:", *id));
  out->set_name(std::string(*name));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> shirt, Int(p, path, "jersey_number"));
  if (shirt && (*shirt < 0 || *shirt >= kMaxShirtNumber)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".jersey_number: not in 0..", kMaxShirtNumber - 1, ", got ", *shirt));
  }
  if (shirt) out->set_shirt_number(static_cast<int32_t>(*shirt));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> country,
                            NestedString(p, path, "country", "name"));
  if (country) out->set_nationality(std::string(*country));
  return absl::OkStatus();
}

// Maps one lineup entry; returns whether the player is in the starting XI.
absl::StatusOr<bool> MapPlayer(element p, const std::string& team_id, const std::string& path,
                               v1::Player* out) {
  SUPERBET_RETURN_IF_ERROR(MapIdentity(p, path, out));
  out->set_team_id(team_id);
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> first, FirstPosition(p, path));
  if (!first) return false;
  const std::string first_path = path + ".positions[0]";
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> pos,
                            String(*first, first_path, "position"));
  if (pos) out->set_position(std::string(*pos));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> reason,
                            String(*first, first_path, "start_reason"));
  return reason == absl::string_view("Starting XI");
}

absl::StatusOr<v1::Lineup> MapTeam(element team, const std::string& fixture_id,
                                   const std::string& path) {
  SUPERBET_RETURN_IF_ERROR(internal::ExpectObject(team, path));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> id, Int(team, path, "team_id"));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<simdjson::dom::array> players,
                            Array(team, path, "lineup"));
  if (!id || !players) {
    return absl::InvalidArgumentError(path + ": needs team_id (integer) and a lineup array");
  }
  v1::Lineup lineup;
  lineup.set_fixture_id(fixture_id);
  lineup.mutable_team()->set_id(absl::StrCat("statsbomb:", *id));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> name, String(team, path, "team_name"));
  if (name) lineup.mutable_team()->set_name(std::string(*name));
  size_t i = 0;
  for (element p : *players) {
    v1::Player player;
    SUPERBET_ASSIGN_OR_RETURN(
        bool starting,
        MapPlayer(p, lineup.team().id(), absl::StrCat(path, ".lineup[", i++, "]"), &player));
    *(starting ? lineup.add_starting() : lineup.add_substitutes()) = std::move(player);
  }
  return lineup;
}

}  // namespace

absl::StatusOr<std::vector<v1::Lineup>> MapLineups(absl::string_view json,
                                                   const std::string& fixture_id) {
  SUPERBET_ASSIGN_OR_RETURN(element root, internal::ParseDom(json));
  simdjson::dom::array teams;
  if (root.get(teams) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("$: a lineups file must be a JSON array");
  }
  std::vector<v1::Lineup> out;
  size_t i = 0;
  for (element team : teams) {
    SUPERBET_ASSIGN_OR_RETURN(v1::Lineup l, MapTeam(team, fixture_id, absl::StrCat("[", i++, "]")));
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace superbet::providers::statsbomb
