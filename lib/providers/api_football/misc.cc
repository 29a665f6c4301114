// API-Football /injuries, /predictions and /standings mapping.

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
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

absl::Status ReadStringField(od::value& v, const Path& path, Ctx& ctx, std::string* out,
                             bool* present = nullptr) {
  std::optional<std::string_view> s;
  SUPERBET_RETURN_IF_ERROR(GetString(v, path, ctx, &s));
  if (s) *out = std::string(*s);
  if (present != nullptr) *present = s.has_value();
  return absl::OkStatus();
}

absl::Status ReadInjury(od::value& v, const Path& path, Ctx& ctx, v1::Injury* out) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "team") {
      v1::Team team;
      SUPERBET_RETURN_IF_ERROR(ReadTeamObject(f, path.Key("team"), ctx, &team));
      out->set_team_id(team.id());
      out->set_team_name(team.name());
      out->mutable_player()->set_team_id(team.id());
      return absl::OkStatus();
    }
    if (key == "fixture") {
      const Path fp = path.Key("fixture");
      return ForEachField(f, fp, ctx, [&](std::string_view k, od::value& x) -> absl::Status {
        if (k != "id") return absl::OkStatus();
        std::optional<std::string> id;
        SUPERBET_RETURN_IF_ERROR(GetIdText(x, fp.Key("id"), ctx, &id));
        if (id) out->set_fixture_id(CanonicalId(AsAbsl(*id)));
        return absl::OkStatus();
      });
    }
    if (key != "player") return absl::OkStatus();
    const Path pp = path.Key("player");
    v1::Player* player = out->mutable_player();
    return ForEachField(f, pp, ctx, [&](std::string_view k, od::value& x) -> absl::Status {
      if (k == "id") {
        std::optional<std::string> id;
        SUPERBET_RETURN_IF_ERROR(GetIdText(x, pp.Key("id"), ctx, &id));
        if (id) player->set_id(CanonicalId(AsAbsl(*id)));
      } else if (k == "name") {
        std::string s;
        SUPERBET_RETURN_IF_ERROR(ReadStringField(x, pp.Key("name"), ctx, &s));
        player->set_name(s);
      } else if (k == "type") {
        std::string s;
        SUPERBET_RETURN_IF_ERROR(ReadStringField(x, pp.Key("type"), ctx, &s));
        out->set_type(s);
        if (s == "Missing Fixture") player->set_injury_status("out");
        if (s == "Questionable") player->set_injury_status("doubtful");
      } else if (k == "reason") {
        std::string s;
        bool present = false;
        SUPERBET_RETURN_IF_ERROR(ReadStringField(x, pp.Key("reason"), ctx, &s, &present));
        out->set_reason(s);
        if (present) player->set_injury_reason(s);
      }
      return absl::OkStatus();
    });
  });
}

// "45%" -> 0.45; rejected (counted) outside [0, 1].
absl::Status ReadShare(od::value& v, const Path& path, Ctx& ctx, std::optional<double>* out) {
  bool percent = false;
  SUPERBET_RETURN_IF_ERROR(GetNumberOrText(v, path, ctx, out, &percent));
  if (*out && percent) **out /= 100.0;
  if (*out && (**out < 0.0 || **out > 1.0)) {
    ++ctx.counters.rejected_values;
    out->reset();
  }
  return absl::OkStatus();
}

absl::Status ReadPredictionBlock(od::value& v, const Path& path, Ctx& ctx,
                                 v1::PredictionSummary* out) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    const std::string k(key);
    const Path kp = path.Key(k);
    if (k == "winner") {
      return ForEachField(f, kp, ctx, [&](std::string_view wk, od::value& x) -> absl::Status {
        if (wk == "id") {
          std::optional<std::string> id;
          SUPERBET_RETURN_IF_ERROR(GetIdText(x, kp.Key("id"), ctx, &id));
          if (id) out->set_winner_team_id(CanonicalId(AsAbsl(*id)));
        } else if (wk == "comment") {
          std::optional<std::string_view> s;
          SUPERBET_RETURN_IF_ERROR(GetString(x, kp.Key("comment"), ctx, &s));
          if (s) out->set_winner_comment(std::string(*s));
        }
        return absl::OkStatus();
      });
    }
    if (k == "win_or_draw") {
      std::optional<bool> b;
      SUPERBET_RETURN_IF_ERROR(GetBool(f, kp, ctx, &b));
      if (b) out->set_win_or_draw(*b);
      return absl::OkStatus();
    }
    if (k == "under_over" || k == "advice") {
      std::optional<std::string_view> s;
      SUPERBET_RETURN_IF_ERROR(GetString(f, kp, ctx, &s));
      if (s && k == "under_over") out->set_under_over(std::string(*s));
      if (s && k == "advice") out->set_advice(std::string(*s));
      return absl::OkStatus();
    }
    if (k == "goals") {
      return ForEachField(f, kp, ctx, [&](std::string_view gk, od::value& x) -> absl::Status {
        std::optional<std::string_view> s;
        if (gk != "home" && gk != "away") return absl::OkStatus();
        SUPERBET_RETURN_IF_ERROR(GetString(x, kp.Key(gk), ctx, &s));
        if (s && gk == "home") out->set_goals_home(std::string(*s));
        if (s && gk == "away") out->set_goals_away(std::string(*s));
        return absl::OkStatus();
      });
    }
    if (k == "percent") {
      return ForEachField(f, kp, ctx, [&](std::string_view pk, od::value& x) -> absl::Status {
        std::optional<double> p;
        if (pk != "home" && pk != "draw" && pk != "away") return absl::OkStatus();
        SUPERBET_RETURN_IF_ERROR(ReadShare(x, kp.Key(pk), ctx, &p));
        if (p && pk == "home") out->set_home_probability(*p);
        if (p && pk == "draw") out->set_draw_probability(*p);
        if (p && pk == "away") out->set_away_probability(*p);
        return absl::OkStatus();
      });
    }
    return absl::OkStatus();
  });
}

// {played, win, draw, lose, goals: {for, against}} of a standings row.
absl::Status ReadRecord(od::value& v, const Path& path, Ctx& ctx, v1::Standing* out) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    const std::string k(key);
    if (k == "goals") {
      const Path gp = path.Key("goals");
      return ForEachField(f, gp, ctx, [&](std::string_view gk, od::value& x) -> absl::Status {
        std::optional<int64_t> n;
        if (gk != "for" && gk != "against") return absl::OkStatus();
        SUPERBET_RETURN_IF_ERROR(GetInt(x, gp.Key(gk), ctx, &n));
        n = internal::ValidCount(n, ctx);
        if (n && gk == "for") out->set_goals_for(static_cast<int32_t>(*n));
        if (n && gk == "against") out->set_goals_against(static_cast<int32_t>(*n));
        return absl::OkStatus();
      });
    }
    if (k != "played" && k != "win" && k != "draw" && k != "lose") return absl::OkStatus();
    std::optional<int64_t> n;
    SUPERBET_RETURN_IF_ERROR(GetInt(f, path.Key(k), ctx, &n));
    n = internal::ValidCount(n, ctx);
    if (!n) return absl::OkStatus();
    const int32_t x = static_cast<int32_t>(*n);
    if (k == "played") out->set_played(x);
    if (k == "win") out->set_won(x);
    if (k == "draw") out->set_drawn(x);
    if (k == "lose") out->set_lost(x);
    return absl::OkStatus();
  });
}

absl::Status ReadStandingRow(od::value& v, const Path& path, Ctx& ctx, v1::Standing* out) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    const std::string k(key);
    const Path kp = path.Key(k);
    if (k == "team") return ReadTeamObject(f, kp, ctx, out->mutable_team());
    if (k == "all") return ReadRecord(f, kp, ctx, out);
    if (k == "rank" || k == "points" || k == "goalsDiff") {
      std::optional<int64_t> n;
      SUPERBET_RETURN_IF_ERROR(GetInt(f, kp, ctx, &n));
      if (n && k != "goalsDiff") n = internal::ValidCount(n, ctx);
      if (n && (*n < -internal::kMaxCount || *n > internal::kMaxCount)) {  // Before int32.
        ++ctx.counters.rejected_counts;
        n.reset();
      }
      if (!n) return absl::OkStatus();
      if (k == "rank") out->set_rank(static_cast<int32_t>(*n));
      if (k == "points") out->set_points(static_cast<int32_t>(*n));
      if (k == "goalsDiff") out->set_goal_difference(static_cast<int32_t>(*n));
      return absl::OkStatus();
    }
    if (k == "group" || k == "form" || k == "description") {
      std::optional<std::string_view> s;
      SUPERBET_RETURN_IF_ERROR(GetString(f, kp, ctx, &s));
      if (!s) return absl::OkStatus();
      if (k == "group") out->set_group(std::string(*s));
      if (k == "form") out->set_form(std::string(*s));
      if (k == "description") out->set_description(std::string(*s));
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<std::vector<v1::Injury>> MapInjuries(absl::string_view json_in,
                                                    MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::Injury> out;
  SUPERBET_RETURN_IF_ERROR(internal::MapResponseArray(
      json, ctx, &out,
      [&](od::value& el, const Path& p, v1::Injury* i) { return ReadInjury(el, p, ctx, i); }));
  return out;
}

absl::StatusOr<std::vector<v1::PredictionSummary>> MapPredictions(absl::string_view json_in,
                                                                  MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::PredictionSummary> out;
  SUPERBET_RETURN_IF_ERROR(
      ParseEnvelope(json, ctx, [&](od::value& response, const Path& path) -> absl::Status {
        return ForEachElement(response, path, ctx, [&](int64_t i, od::value& el) {
          out.emplace_back();
          v1::PredictionSummary* p = &out.back();
          const Path ep = path.Index(i);
          return ForEachField(el, ep, ctx, [&](std::string_view key, od::value& f) {
            if (key == "predictions") return ReadPredictionBlock(f, ep.Key("predictions"), ctx, p);
            if (key != "teams") return absl::OkStatus();
            const Path tp = ep.Key("teams");
            return ForEachField(f, tp, ctx, [&](std::string_view k, od::value& t) {
              if (k == "home") return ReadTeamObject(t, tp.Key("home"), ctx, p->mutable_home());
              if (k == "away") return ReadTeamObject(t, tp.Key("away"), ctx, p->mutable_away());
              return absl::OkStatus();
            });
          });
        });
      }));
  if (!ctx.fixture_param.empty()) {
    for (v1::PredictionSummary& p : out) p.set_fixture_id(CanonicalId(AsAbsl(ctx.fixture_param)));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Standing>> MapStandings(absl::string_view json_in,
                                                       MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::Standing> out;
  SUPERBET_RETURN_IF_ERROR(
      ParseEnvelope(json, ctx, [&](od::value& response, const Path& path) -> absl::Status {
        return ForEachElement(response, path, ctx, [&](int64_t i, od::value& el) {
          const Path ep = path.Index(i);
          return ForEachField(el, ep, ctx, [&](std::string_view key, od::value& league) {
            if (key != "league") return absl::OkStatus();
            const Path lp = ep.Key("league");
            std::string competition, season;
            const size_t first = out.size();
            SUPERBET_RETURN_IF_ERROR(
                ForEachField(league, lp, ctx, [&](std::string_view k, od::value& x) {
                  if (k == "name") return ReadStringField(x, lp.Key("name"), ctx, &competition);
                  if (k == "season") {
                    std::optional<std::string> s;
                    SUPERBET_RETURN_IF_ERROR(GetIdText(x, lp.Key("season"), ctx, &s));
                    if (s) season = *s;
                    return absl::OkStatus();
                  }
                  if (k != "standings") return absl::OkStatus();
                  const Path sp = lp.Key("standings");
                  return ForEachElement(x, sp, ctx, [&](int64_t g, od::value& group) {
                    const Path gp = sp.Index(g);
                    return ForEachElement(group, gp, ctx, [&](int64_t r, od::value& row) {
                      out.emplace_back();
                      return ReadStandingRow(row, gp.Index(r), ctx, &out.back());
                    });
                  });
                }));
            for (size_t n = first; n < out.size(); ++n) {
              out[n].set_competition(competition);
              out[n].set_season(season);
            }
            return absl::OkStatus();
          });
        });
      }));
  return out;
}

}  // namespace superbet::providers::api_football
