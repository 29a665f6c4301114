// API-Football v3 payload -> canonical protos. See
// include/superbet/providers/api_football/api_football.h.

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
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
namespace od = simdjson::ondemand;
using internal::ParseEnvelope;
using internal::Path;
namespace v1 = ::superbet::v1;

void MapCounters::Add(const MapCounters& o) {
  rejected_odds += o.rejected_odds;
  rejected_minutes += o.rejected_minutes;
  rejected_counts += o.rejected_counts;
  rejected_values += o.rejected_values;
  suspended_odds += o.suspended_odds;
}

std::string CanonicalId(absl::string_view id_in) {
  const std::string_view id(id_in.data(), id_in.size());
  if (absl::StartsWith(internal::AV(id), "api-football:")) return std::string(id);
  return absl::StrCat(kProviderName, ":", internal::AV(id));
}

absl::StatusOr<std::string> BareId(absl::string_view id_in) {
  const std::string_view id(id_in.data(), id_in.size());
  absl::string_view bare = internal::AV(id);
  absl::ConsumePrefix(&bare, "api-football:");
  if (bare.empty() || bare.size() > 18 ||
      !std::all_of(bare.begin(), bare.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    return absl::InvalidArgumentError(
        absl::StrCat("api-football: id must be digits or \"api-football:<digits>\", got \"",
                     internal::AV(id.substr(0, 40)), "\""));
  }
  return std::string(bare);
}

v1::FixtureStatus StatusFromShort(absl::string_view s_in) {
  const std::string_view s(s_in.data(), s_in.size());
  if (s == "NS" || s == "TBD") return v1::FIXTURE_STATUS_SCHEDULED;
  if (s == "1H" || s == "HT" || s == "2H" || s == "ET" || s == "BT" || s == "P" || s == "LIVE" ||
      s == "INT") {
    return v1::FIXTURE_STATUS_LIVE;
  }
  if (s == "FT" || s == "AET" || s == "PEN") return v1::FIXTURE_STATUS_FINISHED;
  if (s == "PST") return v1::FIXTURE_STATUS_POSTPONED;
  if (s == "CANC" || s == "ABD" || s == "AWD" || s == "WO" || s == "SUSP") {
    return v1::FIXTURE_STATUS_CANCELLED;
  }
  return v1::FIXTURE_STATUS_UNSPECIFIED;
}

namespace {

using internal::AsAbsl;

constexpr int kMaxMinute = 150;
// 9999-12-31T23:59:59Z, the last second google.protobuf.Timestamp can hold.
constexpr int64_t kMaxUnixSeconds = 253402300799;

void SetTime(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t s = absl::ToUnixSeconds(t);
  ts->set_seconds(s);
  ts->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(s))));
}

// "2021-04-22T16:00:40+00:00" -> Timestamp; false when unparsable.
bool ParseIsoTime(std::string_view text, google::protobuf::Timestamp* ts) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err)) return false;
  SetTime(t, ts);
  return true;
}

// Validates a minute; counts and drops it when outside 0..kMaxMinute.
std::optional<int64_t> CheckMinute(std::optional<int64_t> m, Ctx& ctx) {
  if (m && (*m < 0 || *m > kMaxMinute)) {
    ++ctx.counters.rejected_minutes;
    return std::nullopt;
  }
  return m;
}

std::optional<int64_t> CheckCount(std::optional<int64_t> c, Ctx& ctx) {
  if (c && (*c < 0 || *c > internal::kMaxCount)) {
    ++ctx.counters.rejected_counts;
    return std::nullopt;
  }
  return c;
}

// A team object {id, name, logo, ...}.
absl::Status ReadTeam(od::value& v, const Path& path, Ctx& ctx, v1::Team* team) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "id") {
      std::optional<std::string> id;
      SUPERBET_RETURN_IF_ERROR(GetIdText(f, path.Key("id"), ctx, &id));
      if (id) team->set_id(CanonicalId(AsAbsl(*id)));
    } else if (key == "name") {
      std::optional<std::string_view> s;
      SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("name"), ctx, &s));
      if (s) team->set_name(std::string(*s));
    } else if (key == "logo") {
      std::optional<std::string_view> s;
      SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("logo"), ctx, &s));
      if (s) team->set_logo_url(std::string(*s));
    }
    return absl::OkStatus();
  });
}

// {home: x, away: y} of integers (goals, score.halftime, ...).
struct Pair {
  std::optional<int64_t> home, away;
  bool complete() const { return home.has_value() && away.has_value(); }
};

absl::Status ReadPair(od::value& v, const Path& path, Ctx& ctx, Pair* pair) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "home") {
      SUPERBET_RETURN_IF_ERROR(
          GetInt(f, path.Key("home"), ctx, &pair->home, &ctx.counters.rejected_counts));
      pair->home = CheckCount(pair->home, ctx);
    } else if (key == "away") {
      SUPERBET_RETURN_IF_ERROR(
          GetInt(f, path.Key("away"), ctx, &pair->away, &ctx.counters.rejected_counts));
      pair->away = CheckCount(pair->away, ctx);
    }
    return absl::OkStatus();
  });
}

// {id, name} of a player or an assist.
struct PersonRef {
  std::optional<std::string> id;
  std::optional<std::string_view> name;
};

absl::Status ReadPerson(od::value& v, const Path& path, Ctx& ctx, PersonRef* person) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "id") return GetIdText(f, path.Key("id"), ctx, &person->id);
    if (key == "name") return GetString(f, path.Key("name"), ctx, &person->name);
    return absl::OkStatus();
  });
}

// One event object (embedded in /fixtures or from /fixtures/events). False in *keep when the
// event is rejected (minute out of range).
absl::Status ReadEvent(od::value& v, const Path& path, Ctx& ctx, const std::string& fixture_id,
                       v1::MatchEvent* event, bool* keep) {
  *keep = true;
  event->set_fixture_id(fixture_id);
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "time") {
      const Path p = path.Key("time");
      return ForEachField(f, p, ctx, [&](std::string_view k, od::value& t) -> absl::Status {
        std::optional<int64_t> m;
        if (k == "elapsed") {
          const int64_t before = ctx.counters.rejected_minutes;
          SUPERBET_RETURN_IF_ERROR(
              GetInt(t, p.Key("elapsed"), ctx, &m, &ctx.counters.rejected_minutes));
          m = CheckMinute(m, ctx);
          if (ctx.counters.rejected_minutes != before) {
            *keep = false;  // A rejected minute (400, 1e300) drops the event.
          } else if (m) {
            event->set_minute(static_cast<int32_t>(*m));  // Absent when null.
          }
        } else if (k == "extra") {
          SUPERBET_RETURN_IF_ERROR(
              GetInt(t, p.Key("extra"), ctx, &m, &ctx.counters.rejected_minutes));
          if (m && (*m < 0 || *m > 60)) {
            ++ctx.counters.rejected_minutes;
          } else if (m) {
            event->set_extra_minute(static_cast<int32_t>(*m));
          }
        }
        return absl::OkStatus();
      });
    }
    if (key == "team") {
      v1::Team team;
      SUPERBET_RETURN_IF_ERROR(ReadTeam(f, path.Key("team"), ctx, &team));
      event->set_team_id(team.id());
      event->set_team_name(team.name());
      return absl::OkStatus();
    }
    if (key == "player" || key == "assist") {
      const bool player = key == "player";
      PersonRef who;
      SUPERBET_RETURN_IF_ERROR(ReadPerson(f, path.Key(player ? "player" : "assist"), ctx, &who));
      if (player) {
        if (who.id) event->set_player_id(CanonicalId(AsAbsl(*who.id)));
        if (who.name) event->set_player_name(std::string(*who.name));
      } else {
        if (who.id) event->set_assist_id(CanonicalId(AsAbsl(*who.id)));
        if (who.name) event->set_assist_name(std::string(*who.name));
      }
      return absl::OkStatus();
    }
    std::optional<std::string_view> s;
    if (key == "type") {
      SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("type"), ctx, &s));
      if (s) event->set_type(std::string(*s));
    } else if (key == "detail") {
      SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("detail"), ctx, &s));
      if (s) event->set_detail(std::string(*s));
    } else if (key == "comments") {
      SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("comments"), ctx, &s));
      if (s) event->set_comments(std::string(*s));
    }
    return absl::OkStatus();
  });
}

absl::Status ReadEvents(od::value& v, const Path& path, Ctx& ctx, const std::string& fixture_id,
                        std::vector<v1::MatchEvent>* out) {
  return ForEachElement(v, path, ctx, [&](int64_t i, od::value& el) -> absl::Status {
    v1::MatchEvent event;
    bool keep = true;
    SUPERBET_RETURN_IF_ERROR(ReadEvent(el, path.Index(i), ctx, fixture_id, &event, &keep));
    if (keep) out->push_back(std::move(event));
    return absl::OkStatus();
  });
}

// The parts of a /fixtures element both the Fixture record and the live state need.
struct FixtureScratch {
  std::string id;  // Canonical.
  v1::FixtureStatus status = v1::FIXTURE_STATUS_UNSPECIFIED;
  std::optional<int64_t> elapsed;
  Pair goals;
  std::optional<int64_t> kickoff_s;  // fixture.timestamp (Unix seconds), when valid.
};

// Targets of one /fixtures element; any may be null.
struct FixtureTargets {
  v1::Fixture* fixture = nullptr;
  v1::LiveMatchState* state = nullptr;
  std::vector<v1::MatchEvent>* events = nullptr;
};

absl::Status ReadFixtureBlock(od::value& v, const Path& path, Ctx& ctx, FixtureScratch* s,
                              v1::Fixture* fixture) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "id") {
      std::optional<std::string> id;
      SUPERBET_RETURN_IF_ERROR(GetIdText(f, path.Key("id"), ctx, &id));
      if (id) s->id = CanonicalId(AsAbsl(*id));
      return absl::OkStatus();
    }
    if (key == "status") {
      const Path p = path.Key("status");
      return ForEachField(f, p, ctx, [&](std::string_view k, od::value& x) -> absl::Status {
        if (k == "short") {
          std::optional<std::string_view> st;
          SUPERBET_RETURN_IF_ERROR(GetString(x, p.Key("short"), ctx, &st));
          if (st) s->status = StatusFromShort(AsAbsl(*st));
        } else if (k == "elapsed") {
          SUPERBET_RETURN_IF_ERROR(
              GetInt(x, p.Key("elapsed"), ctx, &s->elapsed, &ctx.counters.rejected_minutes));
          s->elapsed = CheckMinute(s->elapsed, ctx);
        }
        return absl::OkStatus();
      });
    }
    if (key == "timestamp") {  // The kickoff: the Fixture's and the live state's.
      std::optional<int64_t> ts;
      SUPERBET_RETURN_IF_ERROR(GetInt(f, path.Key("timestamp"), ctx, &ts));
      if (ts && (*ts < 0 || *ts > kMaxUnixSeconds)) {
        if (fixture != nullptr) ++ctx.counters.rejected_values;
      } else if (ts) {
        s->kickoff_s = *ts;
        if (fixture != nullptr) {
          fixture->mutable_kickoff()->set_seconds(*ts);
          fixture->set_kickoff_time_known(true);
        }
      }
      return absl::OkStatus();
    }
    if (fixture == nullptr) return absl::OkStatus();
    if (key == "referee") {
      std::optional<std::string_view> r;
      SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("referee"), ctx, &r));
      if (r) fixture->set_referee(std::string(*r));
    } else if (key == "date") {
      std::optional<std::string_view> d;
      SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("date"), ctx, &d));
      if (d && !fixture->kickoff_time_known()) {
        if (ParseIsoTime(*d, fixture->mutable_kickoff())) {
          fixture->set_kickoff_time_known(true);
        } else {
          ++ctx.counters.rejected_values;
        }
      }
    } else if (key == "venue") {
      const Path p = path.Key("venue");
      return ForEachField(f, p, ctx, [&](std::string_view k, od::value& x) -> absl::Status {
        if (k != "name") return absl::OkStatus();
        std::optional<std::string_view> n;
        SUPERBET_RETURN_IF_ERROR(GetString(x, p.Key("name"), ctx, &n));
        if (n) fixture->set_venue(std::string(*n));
        return absl::OkStatus();
      });
    }
    return absl::OkStatus();
  });
}

// "Regular Season - 18" -> 18; 0 when there is no trailing number.
int RoundNumber(std::string_view round) {
  const size_t dash = round.rfind("- ");
  if (dash == std::string_view::npos) return 0;
  int n = 0;
  return absl::SimpleAtoi(internal::AV(round.substr(dash + 2)), &n) && n >= 0 && n < 1000 ? n : 0;
}

absl::Status ReadLeague(od::value& v, const Path& path, Ctx& ctx, v1::Fixture* fixture) {
  return ForEachField(v, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "name") {
      std::optional<std::string_view> s;
      SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("name"), ctx, &s));
      if (s) fixture->set_competition(std::string(*s));
    } else if (key == "season") {
      std::optional<std::string> s;
      SUPERBET_RETURN_IF_ERROR(GetIdText(f, path.Key("season"), ctx, &s));
      if (s) fixture->set_season(*s);
    } else if (key == "round") {
      std::optional<std::string_view> s;
      SUPERBET_RETURN_IF_ERROR(GetString(f, path.Key("round"), ctx, &s));
      if (s) fixture->set_round(RoundNumber(*s));
    }
    return absl::OkStatus();
  });
}

void SetScore(const Pair& p, v1::Score* score) {
  score->set_home(static_cast<int32_t>(*p.home));
  score->set_away(static_cast<int32_t>(*p.away));
}

absl::Status ReadFixtureItem(od::value& item, const Path& path, Ctx& ctx, absl::Time observed_at,
                             FixtureTargets out) {
  FixtureScratch s;
  v1::Team home, away;
  v1::Fixture* fixture = out.fixture;
  SUPERBET_RETURN_IF_ERROR(
      ForEachField(item, path, ctx, [&](std::string_view key, od::value& f) -> absl::Status {
        if (key == "fixture") return ReadFixtureBlock(f, path.Key("fixture"), ctx, &s, fixture);
        if (key == "teams") {
          const Path p = path.Key("teams");
          return ForEachField(f, p, ctx, [&](std::string_view k, od::value& t) -> absl::Status {
            if (k == "home") return ReadTeam(t, p.Key("home"), ctx, &home);
            if (k == "away") return ReadTeam(t, p.Key("away"), ctx, &away);
            return absl::OkStatus();
          });
        }
        if (key == "goals") return ReadPair(f, path.Key("goals"), ctx, &s.goals);
        if (key == "league" && fixture != nullptr) {
          return ReadLeague(f, path.Key("league"), ctx, fixture);
        }
        if (key == "score" && fixture != nullptr) {
          const Path p = path.Key("score");
          return ForEachField(f, p, ctx, [&](std::string_view k, od::value& x) -> absl::Status {
            Pair pair;
            if (k == "halftime") {
              SUPERBET_RETURN_IF_ERROR(ReadPair(x, p.Key("halftime"), ctx, &pair));
              if (pair.complete()) SetScore(pair, fixture->mutable_half_time());
            } else if (k == "fulltime") {
              SUPERBET_RETURN_IF_ERROR(ReadPair(x, p.Key("fulltime"), ctx, &pair));
              if (pair.complete()) SetScore(pair, fixture->mutable_full_time());
            }
            return absl::OkStatus();
          });
        }
        if (key == "events" && out.events != nullptr) {
          return ReadEvents(f, path.Key("events"), ctx, s.id, out.events);
        }
        return absl::OkStatus();
      }));
  if (s.id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("api-football: ", path.ToString(), ": no fixture.id"));
  }
  if (fixture != nullptr) {
    fixture->set_id(s.id);
    fixture->set_provider(kProviderName);
    fixture->set_status(s.status);
    *fixture->mutable_home() = home;
    *fixture->mutable_away() = away;
    if (s.elapsed && s.status == v1::FIXTURE_STATUS_LIVE) {
      fixture->set_elapsed_minute(static_cast<int32_t>(*s.elapsed));
    }
  }
  if (out.state != nullptr) {
    v1::LiveMatchState* st = out.state;
    st->set_match_id(s.id);
    st->set_home_team(home.name());
    st->set_away_team(away.name());
    // Absent (not 0) when null or rejected; checked against kMaxMinute / kMaxCount, so they fit.
    if (s.elapsed) st->set_minute(static_cast<int32_t>(*s.elapsed));
    if (s.goals.home) st->set_score_home(static_cast<int32_t>(*s.goals.home));
    if (s.goals.away) st->set_score_away(static_cast<int32_t>(*s.goals.away));
    st->mutable_home();  // Present but empty: /fixtures carries no statistics.
    st->mutable_away();
    st->set_data_staleness_s(0.0);
    st->set_provider(kProviderName);
    st->set_status(s.status);
    if (observed_at != absl::InfinitePast()) SetTime(observed_at, st->mutable_observed_at());
    if (s.kickoff_s) st->mutable_kickoff()->set_seconds(*s.kickoff_s);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> EnvelopeEndpoint(absl::string_view json_in) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(nullptr);
  SUPERBET_RETURN_IF_ERROR(ctx.Parse(json));
  od::value root;
  if (auto e = ctx.doc().get_value().get(root)) return ctx.Error(e, internal::Root());
  bool found = false;
  SUPERBET_RETURN_IF_ERROR(ForEachField(
      root, internal::Root(), ctx, [&](std::string_view key, od::value& v) -> absl::Status {
        if (key != "get" || found) return absl::OkStatus();
        std::optional<std::string_view> s;
        SUPERBET_RETURN_IF_ERROR(GetString(v, internal::Root().Key("get"), ctx, &s));
        if (s) {
          found = true;
          ctx.endpoint = std::string(*s);
        }
        return absl::OkStatus();
      }));
  SUPERBET_RETURN_IF_ERROR(ctx.CheckAtEnd());
  if (!found) return absl::NotFoundError("api-football: no `get` field (not an envelope)");
  return ctx.endpoint;
}

absl::Status EnvelopeStatus(absl::string_view json_in) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(nullptr);
  return ParseEnvelope(json, ctx, [](od::value&, const Path&) { return absl::OkStatus(); });
}

absl::StatusOr<std::vector<LiveFixture>> MapLiveFixtures(absl::string_view json_in,
                                                         absl::Time observed_at,
                                                         MapCounters* counters,
                                                         size_t readable_after) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<LiveFixture> out;
  SUPERBET_RETURN_IF_ERROR(ParseEnvelope(
      json, ctx,
      [&](od::value& response, const Path& path) -> absl::Status {
        return ForEachElement(response, path, ctx, [&](int64_t i, od::value& item) {
          LiveFixture lf;
          SUPERBET_RETURN_IF_ERROR(ReadFixtureItem(item, path.Index(i), ctx, observed_at,
                                                   {&lf.fixture, &lf.state, &lf.events}));
          out.push_back(std::move(lf));
          return absl::OkStatus();
        });
      },
      readable_after));
  return out;
}

absl::StatusOr<std::vector<v1::LiveMatchState>> MapLiveStates(absl::string_view json_in,
                                                              absl::Time observed_at,
                                                              MapCounters* counters,
                                                              size_t readable_after) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::LiveMatchState> out;
  SUPERBET_RETURN_IF_ERROR(internal::MapResponseArray(
      json, ctx, &out,
      [&](od::value& item, const Path& p, v1::LiveMatchState* s) {
        return ReadFixtureItem(item, p, ctx, observed_at, {nullptr, s});
      },
      readable_after));
  return out;
}

absl::StatusOr<std::vector<v1::Fixture>> MapHeadToHead(absl::string_view json_in,
                                                       MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::Fixture> out;
  SUPERBET_RETURN_IF_ERROR(internal::MapResponseArray(
      json, ctx, &out, [&](od::value& item, const Path& p, v1::Fixture* f) {
        return ReadFixtureItem(item, p, ctx, absl::InfinitePast(), {f, nullptr});
      }));
  return out;
}

absl::StatusOr<std::vector<v1::MatchEvent>> MapEvents(absl::string_view json_in,
                                                      MapCounters* counters) {
  const std::string_view json(json_in.data(), json_in.size());
  Ctx ctx(counters);
  std::vector<v1::MatchEvent> out;
  SUPERBET_RETURN_IF_ERROR(
      ParseEnvelope(json, ctx, [&](od::value& response, const Path& path) -> absl::Status {
        const std::string fixture_id =
            ctx.fixture_param.empty() ? "" : CanonicalId(AsAbsl(ctx.fixture_param));
        return ReadEvents(response, path, ctx, fixture_id, &out);
      }));
  return out;
}

std::optional<v1::OddsTriple> OddsTripleOf(const std::vector<v1::BettingLine>& lines) {
  v1::OddsTriple t;
  bool h = false, d = false, a = false;
  for (const v1::BettingLine& l : lines) {
    if (l.market() != v1::MARKET_1X2) continue;
    if (!t.bookmaker().empty() && l.bookmaker() != t.bookmaker()) continue;
    t.set_bookmaker(l.bookmaker());
    *t.mutable_timestamp() = l.timestamp();
    if (l.selection() == v1::SELECTION_HOME && !h) t.set_home(l.decimal_odds()), h = true;
    if (l.selection() == v1::SELECTION_DRAW && !d) t.set_draw(l.decimal_odds()), d = true;
    if (l.selection() == v1::SELECTION_AWAY && !a) t.set_away(l.decimal_odds()), a = true;
  }
  if (h && d && a) return t;
  return std::nullopt;
}

// Shared with the other mapping files.
namespace internal {

absl::Status ReadTeamObject(od::value& v, const Path& path, Ctx& ctx, v1::Team* team) {
  return ReadTeam(v, path, ctx, team);
}
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts) { SetTime(t, ts); }
bool ParseIsoTimestamp(std::string_view text, google::protobuf::Timestamp* ts) {
  return ParseIsoTime(text, ts);
}
std::optional<int64_t> ValidCount(std::optional<int64_t> c, Ctx& ctx) { return CheckCount(c, ctx); }

}  // namespace internal

}  // namespace superbet::providers::api_football
