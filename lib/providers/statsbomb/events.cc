// StatsBomb events -> per-minute LiveMatchState timeline (definitions in statsbomb.h).

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "providers/statsbomb/internal/statsbomb_json.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::providers::statsbomb {
namespace {

using internal::Field;
using internal::Int;
using internal::NestedInt;
using simdjson::dom::element;

// StatsBomb ids (Open Data Events v4).
constexpr int64_t kTypePass = 30;
constexpr int64_t kTypeShot = 16;
constexpr int64_t kTypeOwnGoalFor = 25;
constexpr int64_t kTypeOwnGoalAgainst = 20;
constexpr int64_t kTypeSubstitution = 19;
constexpr int64_t kShotTypePenalty = 88;
constexpr int64_t kTypeFoulCommitted = 22;
constexpr int64_t kTypeBadBehaviour = 24;
constexpr int64_t kOutcomeGoal = 97;
constexpr int64_t kOutcomeSaved = 100;
constexpr int64_t kOutcomeSavedToPost = 116;
constexpr int64_t kPassCorner = 61;
constexpr int64_t kCardRed = 5;
constexpr int64_t kCardSecondYellow = 6;
constexpr int64_t kCardYellow = 7;
constexpr int kMaxMinute = 200;
constexpr double kFinalThirdX = 80.0;
constexpr size_t kMaxRejections = 10;

// The fields of one event the timeline needs.
struct Event {
  int period = 0;
  int minute = 0;
  int64_t type = 0;
  int side = 0;  // 0 home, 1 away.
  int64_t possession = -1;
  bool own_possession = false;  // team == possession_team.
  bool in_final_third = false;  // location x >= 80.
  int64_t shot_outcome = 0;
  double xg = 0;
  int64_t pass_type = 0;
  int64_t card = 0;
  int64_t shot_type = 0;
  int record = -1;  // Index into Timeline::events of the MatchEvent this event produced, or -1.
};

// Per-minute increments of one side.
struct Counts {
  int goals = 0, shots = 0, on_target = 0, corners = 0, yellows = 0, reds = 0, attacks = 0;
  int passes = 0;
  double xg = 0;
  void Add(const Counts& o) {
    goals += o.goals, shots += o.shots, on_target += o.on_target, corners += o.corners;
    yellows += o.yellows, reds += o.reds, attacks += o.attacks, passes += o.passes, xg += o.xg;
  }
};

class Rejector {
 public:
  explicit Rejector(Timeline* t) : t_(t) {}
  void Reject(size_t index, absl::string_view reason) {
    ++t_->events_rejected;
    if (t_->rejections.size() < kMaxRejections) {
      t_->rejections.push_back(absl::StrCat("[", index, "]", reason));
    }
  }

 private:
  Timeline* t_;
};

int64_t CardOf(element e) {
  if (auto f = Field(e, "foul_committed")) {
    if (auto c = NestedInt(*f, "card", "id")) return *c;
  }
  if (auto b = Field(e, "bad_behaviour")) {
    if (auto c = NestedInt(*b, "card", "id")) return *c;
  }
  return 0;
}

// Reads one event; returns false (after recording why) when it must be ignored.
bool ReadEvent(element e, size_t index, int64_t home_id, int64_t away_id, Rejector* rej,
               Event* out) {
  std::optional<int64_t> period = Int(e, "period");
  if (!period || *period < 1 || *period > 5)
    return rej->Reject(index, ".period: not in 1..5"), false;
  std::optional<int64_t> minute = Int(e, "minute");
  if (!minute || *minute < 0 || *minute > kMaxMinute) {
    return rej->Reject(index, absl::StrCat(".minute: not in 0..", kMaxMinute)), false;
  }
  std::optional<int64_t> type = NestedInt(e, "type", "id");
  if (!type) return rej->Reject(index, ".type.id: missing"), false;
  std::optional<int64_t> team = NestedInt(e, "team", "id");
  if (!team || (*team != home_id && *team != away_id)) {
    return rej->Reject(index, ".team.id: missing or neither side of the fixture"), false;
  }
  out->period = static_cast<int>(*period);
  out->minute = static_cast<int>(*minute);
  out->type = *type;
  out->side = *team == home_id ? 0 : 1;
  out->possession = Int(e, "possession").value_or(-1);
  out->own_possession = NestedInt(e, "possession_team", "id") == team;
  if (auto loc = Field(e, "location")) {
    simdjson::dom::array a;
    double x = 0;
    if (loc->get(a) == simdjson::SUCCESS && a.size() >= 2 &&
        a.at(0).get_double().get(x) == simdjson::SUCCESS && std::isfinite(x)) {
      out->in_final_third = x >= kFinalThirdX;
    }
  }
  if (*type == kTypeShot) {
    std::optional<element> shot = Field(e, "shot");
    std::optional<int64_t> outcome = shot ? NestedInt(*shot, "outcome", "id") : std::nullopt;
    std::optional<double> xg = shot ? internal::Double(*shot, "statsbomb_xg") : std::nullopt;
    if (!outcome) return rej->Reject(index, ".shot.outcome.id: missing"), false;
    if (!xg || !(*xg >= 0.0 && *xg <= 1.0)) {
      return rej->Reject(index, ".shot.statsbomb_xg: missing or not in [0, 1]"), false;
    }
    out->shot_outcome = *outcome;
    out->shot_type = NestedInt(*shot, "type", "id").value_or(0);
    out->xg = *xg;
  } else if (*type == kTypePass) {
    if (auto pass = Field(e, "pass")) out->pass_type = NestedInt(*pass, "type", "id").value_or(0);
  } else if (*type == kTypeFoulCommitted || *type == kTypeBadBehaviour) {
    out->card = CardOf(e);
  }
  return true;
}

// The minute of the timeline an event is counted in (stoppage of a period followed by another is
// folded into the minute before that period starts).
int EffectiveMinute(const Event& e, int last_period) {
  static constexpr std::array<int, 4> kNextStart = {45, 90, 105, 120};
  if (e.period < last_period && e.period <= 4) {
    return std::min(e.minute, kNextStart[e.period - 1] - 1);
  }
  return e.minute;
}

// The displayed minute of an event and its stoppage-time part (see Timeline::events).
void SetDisplayMinute(const Event& e, v1::MatchEvent* m) {
  static constexpr int kPeriodEnd[] = {45, 90, 105, 120};
  const int end = kPeriodEnd[e.period - 1];
  const int shown = e.minute + 1;
  if (shown > end) {
    m->set_minute(end);
    m->set_extra_minute(shown - end);
  } else {
    m->set_minute(shown);
  }
}

void SetPerson(element e, std::string_view key, std::string* id, std::string* name) {
  std::optional<element> person = Field(e, key);
  if (!person) return;
  if (auto pid = Int(*person, "id")) *id = absl::StrCat("statsbomb:", *pid);
  if (auto pname = internal::String(*person, "name")) *name = std::string(*pname);
}

// The MatchEvent `e` stands for, if any (goals, own goals, cards, substitutions).
std::optional<v1::MatchEvent> ToMatchEvent(element raw, const Event& e, const v1::Fixture& f) {
  v1::MatchEvent m;
  int side = e.side;
  if (e.type == kTypeShot && e.shot_outcome == kOutcomeGoal) {
    m.set_type("Goal");
    m.set_detail(e.shot_type == kShotTypePenalty ? "Penalty" : "Normal Goal");
  } else if (e.type == kTypeOwnGoalAgainst) {
    m.set_type("Goal");
    m.set_detail("Own Goal");
    side = 1 - e.side;  // Credited to the other side.
  } else if (e.card == kCardYellow || e.card == kCardSecondYellow || e.card == kCardRed) {
    m.set_type("Card");
    m.set_detail(e.card == kCardYellow         ? "Yellow Card"
                 : e.card == kCardSecondYellow ? "Second Yellow Card"
                                               : "Red Card");
  } else if (e.type == kTypeSubstitution) {
    m.set_type("subst");
    m.set_detail("Substitution");
  } else {
    return std::nullopt;
  }
  m.set_fixture_id(f.id());
  SetDisplayMinute(e, &m);
  const v1::Team& team = side == 0 ? f.home() : f.away();
  m.set_team_id(team.id());
  m.set_team_name(team.name());
  std::string id, name;
  SetPerson(raw, "player", &id, &name);
  if (!id.empty()) m.set_player_id(id);
  if (!name.empty()) m.set_player_name(name);
  if (e.type == kTypeSubstitution) {
    if (std::optional<element> s = Field(raw, "substitution")) {
      std::string rid, rname;
      SetPerson(*s, "replacement", &rid, &rname);
      if (!rid.empty()) m.set_assist_id(rid);
      if (!rname.empty()) m.set_assist_name(rname);
    }
  }
  return m;
}

void Count(const Event& e, Counts* c, absl::flat_hash_set<int64_t>* attacks) {
  if (e.type == kTypeShot) {
    ++c->shots;
    c->xg += e.xg;
    if (e.shot_outcome == kOutcomeGoal) ++c->goals;
    if (e.shot_outcome == kOutcomeGoal || e.shot_outcome == kOutcomeSaved ||
        e.shot_outcome == kOutcomeSavedToPost) {
      ++c->on_target;
    }
  } else if (e.type == kTypeOwnGoalFor) {
    ++c->goals;
  } else if (e.type == kTypePass) {
    ++c->passes;
    if (e.pass_type == kPassCorner) ++c->corners;
  }
  if (e.card == kCardYellow) ++c->yellows;
  if (e.card == kCardSecondYellow || e.card == kCardRed) ++c->reds;
  if (e.own_possession && e.in_final_third && e.possession >= 0 &&
      attacks->insert(e.possession).second) {
    ++c->attacks;
  }
}

void FillSide(const Counts& c, int total_passes, v1::SideStats* s) {
  s->set_xg(c.xg);
  s->set_dangerous_attacks(c.attacks);
  s->set_shots(c.shots);
  s->set_shots_on_target(c.on_target);
  s->set_corners(c.corners);
  s->set_yellow_cards(c.yellows);
  s->set_red_cards(c.reds);
  if (total_passes > 0) s->set_possession(static_cast<double>(c.passes) / total_passes);
}

void BuildStates(const std::vector<std::array<Counts, 2>>& per_minute, const v1::Fixture& f,
                 Timeline* t) {
  const int n = static_cast<int>(per_minute.size());  // Minutes 0 .. n-1 carry events.
  std::array<Counts, 2> total;
  const int64_t kickoff_s = f.kickoff().seconds();
  t->states.reserve(n + 1);
  for (int k = 0; k <= n; ++k) {
    if (k > 0) {
      total[0].Add(per_minute[k - 1][0]);
      total[1].Add(per_minute[k - 1][1]);
    }
    v1::LiveMatchState& s = t->states.emplace_back();
    s.set_match_id(f.id());
    s.set_home_team(f.home().name());
    s.set_away_team(f.away().name());
    s.set_minute(k);
    s.set_score_home(total[0].goals);
    s.set_score_away(total[1].goals);
    const int passes = total[0].passes + total[1].passes;
    FillSide(total[0], passes, s.mutable_home());
    FillSide(total[1], passes, s.mutable_away());
    s.set_data_staleness_s(0);
    s.set_provider("statsbomb");
    s.mutable_observed_at()->set_seconds(kickoff_s + 60 * static_cast<int64_t>(k));
    s.set_status(k == n ? v1::FIXTURE_STATUS_FINISHED : v1::FIXTURE_STATUS_LIVE);
  }
}

}  // namespace

absl::StatusOr<Timeline> BuildTimeline(absl::string_view events_json, const v1::Fixture& fixture) {
  SUPERBET_ASSIGN_OR_RETURN(int64_t home_id, ParseStatsBombId(fixture.home().id()));
  SUPERBET_ASSIGN_OR_RETURN(int64_t away_id, ParseStatsBombId(fixture.away().id()));
  SUPERBET_ASSIGN_OR_RETURN(element root, internal::ParseDom(events_json));
  simdjson::dom::array events;
  if (root.get(events) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("$: an events file must be a JSON array");
  }
  Timeline t;
  t.fixture = fixture;
  Rejector rej(&t);
  std::vector<Event> kept;
  kept.reserve(events.size());
  int last_period = 1;
  size_t i = 0;
  for (element e : events) {
    ++t.events_total;
    Event ev;
    if (ReadEvent(e, i++, home_id, away_id, &rej, &ev) && ev.period <= 4) {
      last_period = std::max(last_period, ev.period);
      if (std::optional<v1::MatchEvent> m = ToMatchEvent(e, ev, fixture)) {
        ev.record = static_cast<int>(t.events.size());
        t.events.push_back(*std::move(m));
      }
      kept.push_back(ev);
    }
  }
  int last_minute = -1;
  for (const Event& e : kept) last_minute = std::max(last_minute, EffectiveMinute(e, last_period));
  std::vector<std::array<Counts, 2>> per_minute(last_minute + 1);
  absl::flat_hash_set<int64_t> attacks;
  t.event_visible_from.assign(t.events.size(), 0);
  for (const Event& e : kept) {
    const int m = EffectiveMinute(e, last_period);
    Count(e, &per_minute[m][e.side], &attacks);
    if (e.record >= 0) t.event_visible_from[e.record] = m + 1;
  }
  BuildStates(per_minute, fixture, &t);
  return t;
}

}  // namespace superbet::providers::statsbomb
