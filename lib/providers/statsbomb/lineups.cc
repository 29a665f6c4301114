// StatsBomb lineups file -> v1::Lineup (one per team).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "providers/statsbomb/internal/statsbomb_json.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::providers::statsbomb {
namespace {

using internal::Field;
using internal::Int;
using internal::NestedString;
using internal::String;
using simdjson::dom::element;

// The first entry of the player's `positions` array, if any.
std::optional<element> FirstPosition(element player) {
  std::optional<element> positions = Field(player, "positions");
  simdjson::dom::array a;
  if (!positions || positions->get(a) != simdjson::SUCCESS || a.size() == 0) return std::nullopt;
  element first;
  if (a.at(0).get(first) != simdjson::SUCCESS) return std::nullopt;
  return first;
}

absl::StatusOr<bool> MapPlayer(element p, const std::string& team_id, const std::string& path,
                               v1::Player* out) {
  std::optional<int64_t> id = Int(p, "player_id");
  std::optional<absl::string_view> name = String(p, "player_name");
  if (!id || !name) {
    return absl::InvalidArgumentError(path + ": needs player_id (integer) and player_name");
  }
  out->set_id(absl::StrCat("statsbomb:", *id));
  out->set_name(std::string(*name));
  out->set_team_id(team_id);
  if (auto n = Int(p, "jersey_number"); n && *n >= 0 && *n < 1000) {
    out->set_shirt_number(static_cast<int32_t>(*n));
  }
  if (auto c = NestedString(p, "country", "name")) out->set_nationality(std::string(*c));
  std::optional<element> first = FirstPosition(p);
  if (!first) return false;
  if (auto pos = String(*first, "position")) out->set_position(std::string(*pos));
  return String(*first, "start_reason") == absl::string_view("Starting XI");
}

absl::StatusOr<v1::Lineup> MapTeam(element team, const std::string& fixture_id,
                                   const std::string& path) {
  std::optional<int64_t> id = Int(team, "team_id");
  std::optional<element> players = Field(team, "lineup");
  simdjson::dom::array arr;
  if (!id || !players || players->get(arr) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(path + ": needs team_id (integer) and a lineup array");
  }
  v1::Lineup lineup;
  lineup.set_fixture_id(fixture_id);
  lineup.mutable_team()->set_id(absl::StrCat("statsbomb:", *id));
  if (auto name = String(team, "team_name")) lineup.mutable_team()->set_name(std::string(*name));
  size_t i = 0;
  for (element p : arr) {
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
