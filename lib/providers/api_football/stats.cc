// API-Football /fixtures/statistics, /fixtures/lineups, /fixtures/players and /players mapping.

#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "providers/api_football/internal/json.h"
#include "superbet/providers/api_football/api_football.h"

namespace superbet::providers::api_football {

using internal::Ctx;
using internal::ForEachElement;
using internal::ForEachField;
using internal::GetBool;
using internal::GetIdText;
using internal::GetInt;
using internal::GetNumberOrText;
using internal::GetString;
using internal::ParseEnvelope;
using internal::Path;
using internal::ReadTeamObject;
namespace od = simdjson::ondemand;
namespace v1 = ::superbet::v1;

namespace {

using internal::AsAbsl;

enum class StatKind { kCount, kShare, kXg, kReal };

struct StatDef {
  std::string_view type;  // API-Football's statistics[].type.
  std::string_view key;   // Canonical key.
  StatKind kind;
};

constexpr StatDef kStats[] = {
    {"Shots on Goal", "shots_on_target", StatKind::kCount},
    {"Shots off Goal", "shots_off_target", StatKind::kCount},
    {"Total Shots", "shots", StatKind::kCount},
    {"Blocked Shots", "blocked_shots", StatKind::kCount},
    {"Shots insidebox", "shots_inside_box", StatKind::kCount},
    {"Shots outsidebox", "shots_outside_box", StatKind::kCount},
    {"Fouls", "fouls", StatKind::kCount},
    {"Corner Kicks", "corners", StatKind::kCount},
    {"Offsides", "offsides", StatKind::kCount},
    {"Ball Possession", "possession", StatKind::kShare},
    {"Yellow Cards", "yellow_cards", StatKind::kCount},
    {"Red Cards", "red_cards", StatKind::kCount},
    {"Goalkeeper Saves", "goalkeeper_saves", StatKind::kCount},
    {"Total passes", "passes", StatKind::kCount},
    {"Passes accurate", "passes_accurate", StatKind::kCount},
    {"Passes %", "passes_accuracy", StatKind::kShare},
    {"expected_goals", "xg", StatKind::kXg},
    {"goals_prevented", "goals_prevented", StatKind::kReal},
};

// Canonical key of an unknown type: lower case, spaces -> '_'.
std::string GenericKey(std::string_view type) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(internal::AV(type)), {{" ", "_"}, {"%", "pct"}});
}

// The canonical SideStats field of a known statistic, if it has one. `value` has passed
// StoreStat's checks: a kCount value is integral and within 0..kMaxCount, so it fits int32_t.
void SetSideStat(const StatDef& def, double value, v1::SideStats* s) {
  if (def.kind == StatKind::kCount) {
    const int32_t n = static_cast<int32_t>(value);
    if (def.key == "shots_on_target") s->set_shots_on_target(n);
    if (def.key == "shots") s->set_shots(n);
    if (def.key == "corners") s->set_corners(n);
    if (def.key == "yellow_cards") s->set_yellow_cards(n);
    if (def.key == "red_cards") s->set_red_cards(n);
  } else if (def.key == "possession") {
    s->set_possession(value);
  } else if (def.key == "xg") {
    s->set_xg(value);
  }
}

// Validates and stores one statistic; unknown types go to the map only.
void StoreStat(std::string_view type, double value, bool percent, Ctx& ctx,
               v1::TeamStatistics* out) {
  const StatDef* def = nullptr;
  for (const StatDef& d : kStats) {
    if (d.type == type) {
      def = &d;
      break;
    }
  }
  if (!std::isfinite(value)) {
    ++ctx.counters.rejected_values;
    return;
  }
  StatKind kind = def ? def->kind : (percent ? StatKind::kShare : StatKind::kReal);
  if (kind == StatKind::kShare) {
    if (percent || value > 1.0) value /= 100.0;
    if (value < 0.0 || value > 1.0) {
      ++ctx.counters.rejected_values;
      return;
    }
  } else if (kind == StatKind::kCount) {
    // Range-checked before the int32 conversion below (1e10 shots overflowed it).
    if (value < 0.0 || value > static_cast<double>(internal::kMaxCount) ||
        value != std::floor(value)) {
      ++ctx.counters.rejected_counts;
      return;
    }
  } else if (kind == StatKind::kXg) {
    if (value < 0.0 || value > 20.0) {
      ++ctx.counters.rejected_values;
      return;
    }
  }
  const std::string key = def ? std::string(def->key) : GenericKey(type);
  (*out->mutable_statistics())[key] = value;
  if (def != nullptr) SetSideStat(*def, value, out->mutable_stats());
}

// One {"team", "statistics": [{type, value}]} element.
absl::Status ReadTeamStatistics(od::value& v, const Path& path, Ctx& ctx, v1::TeamStatistics* out) {
  out->mutable_stats();  // Present even when every value is null.
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "team") return ReadTeamObject(f, path.Key("team"), ctx, out->mutable_team());
    if (key != "statistics") return absl::OkStatus();
    const Path sp = path.Key("statistics");
    return ForEachElement(f, sp, ctx, [&](int64_t i, od::value& el) -> absl::Status {
      const Path ep = sp.Index(i);
      std::string type;
      std::optional<double> value;
      bool percent = false;
      SUPERBET_RETURN_IF_ERROR(
          ForEachField(el, ep, ctx, [&](std::string_view k, od::value& x) -> absl::Status {
            if (k == "type") {
              std::optional<std::string_view> t;
              SUPERBET_RETURN_IF_ERROR(GetString(x, ep.Key("type"), ctx, &t));
              if (t) type = std::string(*t);
            } else if (k == "value") {
              SUPERBET_RETURN_IF_ERROR(GetNumberOrText(x, ep.Key("value"), ctx, &value, &percent));
            }
            return absl::OkStatus();
          }));
      if (!type.empty() && value) StoreStat(type, *value, percent, ctx, out);
      return absl::OkStatus();
    });
  });
}

// {"id", "name", "number", "pos", "grid"} of a lineup entry.
absl::Status ReadLineupPlayer(od::value& v, const Path& path, Ctx& ctx, const std::string& team_id,
                              v1::Player* p) {
  if (!team_id.empty()) p->set_team_id(team_id);
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key != "player") return absl::OkStatus();
    const Path pp = path.Key("player");
    return ForEachField(f, pp, ctx, [&](std::string_view k, od::value& x) -> absl::Status {
      if (k == "id") {
        std::optional<std::string> id;
        SUPERBET_RETURN_IF_ERROR(GetIdText(x, pp.Key("id"), ctx, &id));
        if (id) p->set_id(CanonicalId(AsAbsl(*id)));
      } else if (k == "name") {
        std::optional<std::string_view> s;
        SUPERBET_RETURN_IF_ERROR(GetString(x, pp.Key("name"), ctx, &s));
        if (s) p->set_name(std::string(*s));
      } else if (k == "number") {
        std::optional<int64_t> n;
        SUPERBET_RETURN_IF_ERROR(GetInt(x, pp.Key("number"), ctx, &n));
        n = internal::ValidCount(n, ctx);
        if (n) p->set_shirt_number(static_cast<int32_t>(*n));
      } else if (k == "pos") {
        std::optional<std::string_view> s;
        SUPERBET_RETURN_IF_ERROR(GetString(x, pp.Key("pos"), ctx, &s));
        if (s) p->set_position(std::string(*s));
      }
      return absl::OkStatus();
    });
  });
}

absl::Status ReadLineup(od::value& v, const Path& path, Ctx& ctx, v1::Lineup* out) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "team") return ReadTeamObject(f, path.Key("team"), ctx, out->mutable_team());
    if (key == "formation") {
      std::optional<std::string_view> s;
      SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("formation"), ctx, &s));
      if (s) out->set_formation(std::string(*s));
      return absl::OkStatus();
    }
    if (key == "coach") {
      const Path cp = path.Key("coach");
      return ForEachField(f, cp, ctx, [&](std::string_view k, od::value& x) -> absl::Status {
        if (k != "name") return absl::OkStatus();
        std::optional<std::string_view> s;
        SUPERBET_RETURN_IF_ERROR(GetString(x, cp.Key("name"), ctx, &s));
        if (s) out->set_coach(std::string(*s));
        return absl::OkStatus();
      });
    }
    const bool starting = key == "startXI";
    if (!starting && key != "substitutes") return absl::OkStatus();
    const Path lp = path.Key(starting ? "startXI" : "substitutes");
    return ForEachElement(f, lp, ctx, [&](int64_t i, od::value& el) -> absl::Status {
      v1::Player* p = starting ? out->add_starting() : out->add_substitutes();
      return ReadLineupPlayer(el, lp.Index(i), ctx, out->team().id(), p);
    });
  });
}

// Performance groups of /fixtures/players and /players statistics[] entries: numeric leaves are
// stored as "<group>.<key>", with canonical short names for the common ones.
std::string PerformanceKey(std::string_view group, std::string_view key) {
  if (group == "games" && key == "minutes") return "minutes";
  if (group == "games" && key == "rating") return "rating";
  if (group == "goals" && key == "total") return "goals";
  if (group == "goals" && key == "assists") return "assists";
  if (group == "goals" && key == "conceded") return "conceded";
  if (group == "goals" && key == "saves") return "saves";
  return absl::StrCat(internal::AV(group), ".", internal::AV(key));
}

// `max_minutes`: 150 for one match, unbounded for a season.
absl::Status ReadPerformance(od::value& v, const Path& path, Ctx& ctx, v1::Player* p, bool set_team,
                             double max_minutes) {
  return ForEachField(v, path, ctx, [&](std::string_view group, od::value& g) -> absl::Status {
    const std::string group_name(group);
    const Path gp = path.Key(group_name);
    if (group_name == "team") {
      v1::Team team;
      SUPERBET_RETURN_IF_ERROR(ReadTeamObject(g, gp, ctx, &team));
      if (set_team && !team.id().empty()) p->set_team_id(team.id());
      return absl::OkStatus();
    }
    od::json_type type;
    if (auto e = g.type().get(type)) return ctx.Error(e, gp);
    if (type != od::json_type::object) {
      if (type == od::json_type::number) {  // "offsides": 1
        std::optional<double> x;
        bool percent = false;
        SUPERBET_RETURN_IF_ERROR(GetNumberOrText(g, gp, ctx, &x, &percent));
        if (x && std::isfinite(*x) && *x >= 0) (*p->mutable_performance())[group_name] = *x;
      }
      return absl::OkStatus();
    }
    if (group_name == "league") return absl::OkStatus();
    return ForEachField(g, gp, ctx, [&](std::string_view key, od::value& x) -> absl::Status {
      const std::string k(key);
      od::json_type t;
      if (auto e = x.type().get(t)) return ctx.Error(e, gp.Key(k));
      if (group_name == "games" && k == "position") {
        std::optional<std::string_view> s;
        SUPERBET_RETURN_IF_ERROR(GetString(x, gp.Key(k), ctx, &s));
        if (s) p->set_position(std::string(*s));
        return absl::OkStatus();
      }
      if (group_name == "games" && k == "number") {
        std::optional<int64_t> n;
        SUPERBET_RETURN_IF_ERROR(GetInt(x, gp.Key(k), ctx, &n));
        n = internal::ValidCount(n, ctx);
        if (n) p->set_shirt_number(static_cast<int32_t>(*n));
        return absl::OkStatus();
      }
      if (t != od::json_type::number && t != od::json_type::string) return absl::OkStatus();
      std::optional<double> value;
      bool percent = false;
      SUPERBET_RETURN_IF_ERROR(GetNumberOrText(x, gp.Key(k), ctx, &value, &percent));
      if (!value) return absl::OkStatus();
      if (!std::isfinite(*value) || *value < 0) {
        ++ctx.counters.rejected_counts;
        return absl::OkStatus();
      }
      const std::string name = PerformanceKey(group_name, k);
      if (name == "minutes" && *value > max_minutes) {
        ++ctx.counters.rejected_minutes;
        return absl::OkStatus();
      }
      (*p->mutable_performance())[name] = *value;
      return absl::OkStatus();
    });
  });
}

}  // namespace

absl::StatusOr<std::vector<v1::TeamStatistics>> MapStatistics(absl::string_view json_in,
                                                              MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::TeamStatistics> out;
  SUPERBET_RETURN_IF_ERROR(internal::MapResponseArray(
      json, ctx, &out, [&](od::value& el, const Path& p, v1::TeamStatistics* t) {
        return ReadTeamStatistics(el, p, ctx, t);
      }));
  if (!ctx.fixture_param.empty()) {
    for (v1::TeamStatistics& t : out) t.set_fixture_id(CanonicalId(AsAbsl(ctx.fixture_param)));
  }
  return out;
}

absl::StatusOr<v1::TeamStatistics> MapStatisticsItem(absl::string_view json_in,
                                                     MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  SUPERBET_RETURN_IF_ERROR(ctx.Parse(json));
  od::value root;
  if (auto e = ctx.doc().get_value().get(root)) return ctx.Error(e, internal::Root());
  v1::TeamStatistics out;
  SUPERBET_RETURN_IF_ERROR(ReadTeamStatistics(root, internal::Root(), ctx, &out));
  SUPERBET_RETURN_IF_ERROR(ctx.CheckAtEnd());
  return out;
}

absl::StatusOr<v1::LiveMatchState> StatisticsToState(const std::string& fixture_id,
                                                     const std::vector<v1::TeamStatistics>& teams,
                                                     absl::Time observed_at) {
  if (teams.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat("api-football: statistics of ", fixture_id,
                                                   " name ", teams.size(), " teams, need 2"));
  }
  v1::LiveMatchState s;
  s.set_match_id(CanonicalId(AsAbsl(fixture_id)));
  s.set_home_team(teams[0].team().name());
  s.set_away_team(teams[1].team().name());
  *s.mutable_home() = teams[0].stats();
  *s.mutable_away() = teams[1].stats();
  s.set_data_staleness_s(0.0);
  s.set_provider(kProviderName);
  if (observed_at != absl::InfinitePast()) {
    internal::SetTimestamp(observed_at, s.mutable_observed_at());
  }
  return s;
}

absl::StatusOr<std::vector<v1::Lineup>> MapLineups(absl::string_view json_in,
                                                   MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::Lineup> out;
  SUPERBET_RETURN_IF_ERROR(internal::MapResponseArray(
      json, ctx, &out,
      [&](od::value& el, const Path& p, v1::Lineup* l) { return ReadLineup(el, p, ctx, l); }));
  if (!ctx.fixture_param.empty()) {
    for (v1::Lineup& l : out) l.set_fixture_id(CanonicalId(AsAbsl(ctx.fixture_param)));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Player>> MapFixturePlayers(absl::string_view json_in,
                                                          MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::Player> out;
  SUPERBET_RETURN_IF_ERROR(
      ParseEnvelope(json, ctx, [&](od::value& response, const Path& path) -> absl::Status {
        return ForEachElement(response, path, ctx, [&](int64_t i, od::value& team_el) {
          const Path tp = path.Index(i);
          std::string team_id;
          return ForEachField(team_el, tp, ctx, [&](std::string_view key, od::value& f) {
            if (key == "team") {
              v1::Team team;
              SUPERBET_RETURN_IF_ERROR(ReadTeamObject(f, tp.Key("team"), ctx, &team));
              team_id = team.id();
              return absl::OkStatus();
            }
            if (key != "players") return absl::OkStatus();
            const Path pp = tp.Key("players");
            return ForEachElement(f, pp, ctx, [&](int64_t j, od::value& pl) {
              v1::Player player;
              if (!team_id.empty()) player.set_team_id(team_id);
              const Path ep = pp.Index(j);
              SUPERBET_RETURN_IF_ERROR(
                  ForEachField(pl, ep, ctx, [&](std::string_view k, od::value& x) {
                    if (k == "player") {
                      v1::Team who;  // {id, name, photo}: same shape as a team.
                      SUPERBET_RETURN_IF_ERROR(ReadTeamObject(x, ep.Key("player"), ctx, &who));
                      player.set_id(who.id());
                      player.set_name(who.name());
                      return absl::OkStatus();
                    }
                    if (k != "statistics") return absl::OkStatus();
                    const Path sp = ep.Key("statistics");
                    return ForEachElement(x, sp, ctx, [&](int64_t n, od::value& st) {
                      if (n > 0) return absl::OkStatus();
                      return ReadPerformance(st, sp.Index(n), ctx, &player, false, 150.0);
                    });
                  }));
              out.push_back(std::move(player));
              return absl::OkStatus();
            });
          });
        });
      }));
  return out;
}

absl::StatusOr<PlayerPage> MapPlayers(absl::string_view json_in, MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  PlayerPage page;
  SUPERBET_RETURN_IF_ERROR(
      ParseEnvelope(json, ctx, [&](od::value& response, const Path& path) -> absl::Status {
        return ForEachElement(response, path, ctx, [&](int64_t i, od::value& el) {
          const Path ep = path.Index(i);
          v1::Player player;
          SUPERBET_RETURN_IF_ERROR(ForEachField(el, ep, ctx, [&](std::string_view k, od::value& x) {
            if (k == "statistics") {
              const Path sp = ep.Key("statistics");
              return ForEachElement(x, sp, ctx, [&](int64_t n, od::value& st) {
                if (n > 0) return absl::OkStatus();
                return ReadPerformance(st, sp.Index(n), ctx, &player, true, 1e6);
              });
            }
            if (k != "player") return absl::OkStatus();
            const Path pp = ep.Key("player");
            return ForEachField(x, pp, ctx, [&](std::string_view f, od::value& y) {
              if (f == "id") {
                std::optional<std::string> id;
                SUPERBET_RETURN_IF_ERROR(GetIdText(y, pp.Key("id"), ctx, &id));
                if (id) player.set_id(CanonicalId(AsAbsl(*id)));
              } else if (f == "name" || f == "nationality") {
                std::optional<std::string_view> s;
                SUPERBET_RETURN_IF_ERROR(GetString(y, pp.Key(f), ctx, &s));
                if (s && f == "name") player.set_name(std::string(*s));
                if (s && f == "nationality") player.set_nationality(std::string(*s));
              } else if (f == "age") {
                std::optional<int64_t> age;
                SUPERBET_RETURN_IF_ERROR(GetInt(y, pp.Key("age"), ctx, &age));
                if (age && (*age < 10 || *age > 70)) {
                  ++ctx.counters.rejected_values;
                } else if (age) {
                  player.set_age(static_cast<int32_t>(*age));
                }
              } else if (f == "injured") {
                std::optional<bool> injured;
                SUPERBET_RETURN_IF_ERROR(GetBool(y, pp.Key("injured"), ctx, &injured));
                if (injured) player.set_injury_status(*injured ? "out" : "fit");
              }
              return absl::OkStatus();
            });
          }));
          page.players.push_back(std::move(player));
          return absl::OkStatus();
        });
      }));
  page.current_page = ctx.paging_current;
  page.total_pages = ctx.paging_total;
  return page;
}

}  // namespace superbet::providers::api_football
