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

using internal::Int;
using internal::JsonPath;
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

// A player named by an event (player, substitution.replacement); each part absent when absent.
// The name is a view into the parsed document.
struct Person {
  std::optional<int64_t> id;
  std::optional<absl::string_view> name;
};

// The players of the event being read, for its MatchEvent (kept apart from Event so the events
// kept for counting stay small).
struct Players {
  Person player;       // Read for the events that become MatchEvents only.
  Person replacement;  // Substitutions only.
};

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

// Counts rejected events and keeps the first kMaxRejections reasons.
class Rejector {
 public:
  explicit Rejector(Timeline* t) : t_(t) {}
  void Reject(const absl::Status& reason) {
    ++t_->events_rejected;
    if (t_->rejections.size() < kMaxRejections) {
      t_->rejections.push_back(std::string(reason.message()));
    }
  }

 private:
  Timeline* t_;
};

absl::Status Invalid(const JsonPath& path, absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path.ToString(), ".", field, ": ", what));
}

// The top-level fields of one event the timeline reads.
enum Field : int {
  kId,
  kPeriod,
  kMinute,
  kType,
  kTeam,
  kPossession,
  kPossessionTeam,
  kLocation,
  kShot,
  kPass,
  kFoulCommitted,
  kBadBehaviour,
  kPlayer,
  kSubstitution,
  kFieldCount,
};

// The fields of one event, found in one pass over its keys (an event has 13-19 keys; a key
// lookup per field scanned them up to 10 times). A missing key is std::nullopt; for a key given
// twice the first counts, as with simdjson's at_key. Made once per file and cleared per event
// (a bit mask: nothing else is written).
class EventFields {
 public:
  void Clear() { found_ = 0; }
  void Set(Field f, element value) {
    const uint32_t bit = 1u << f;
    if ((found_ & bit) != 0) return;
    found_ |= bit;
    values_[f] = value;
  }
  // The field's element, nullptr when the key is missing.
  const element* operator[](Field f) const {
    return (found_ & (1u << f)) != 0 ? &values_[f] : nullptr;
  }

 private:
  uint32_t found_ = 0;
  std::array<element, kFieldCount> values_;
};

struct NamedField {
  std::string_view key;
  Field field = kFieldCount;  // kFieldCount: an empty bucket.
};

constexpr std::array<NamedField, kFieldCount> kEventFields = {{
    {"id", kId},
    {"period", kPeriod},
    {"minute", kMinute},
    {"type", kType},
    {"team", kTeam},
    {"possession", kPossession},
    {"possession_team", kPossessionTeam},
    {"location", kLocation},
    {"shot", kShot},
    {"pass", kPass},
    {"foul_committed", kFoulCommitted},
    {"bad_behaviour", kBadBehaviour},
    {"player", kPlayer},
    {"substitution", kSubstitution},
}};

// A perfect hash of the keys above into 32 buckets (no two share one: static_assert below), so a
// key is matched with one table read and one comparison instead of a chain of branches.
constexpr size_t kFieldBuckets = 32;
constexpr size_t FieldBucket(std::string_view key) {
  return (key.size() + 3 * static_cast<unsigned char>(key.front()) +
          15 * static_cast<unsigned char>(key.back())) %
         kFieldBuckets;
}

constexpr std::array<NamedField, kFieldBuckets> MakeFieldTable() {
  std::array<NamedField, kFieldBuckets> table{};
  for (const NamedField& f : kEventFields) table[FieldBucket(f.key)] = f;
  return table;
}
constexpr std::array<NamedField, kFieldBuckets> kFieldTable = MakeFieldTable();

constexpr bool FieldTableIsComplete() {
  size_t filled = 0;
  for (const NamedField& f : kFieldTable) filled += f.field != kFieldCount ? 1 : 0;
  return filled == kEventFields.size();
}
static_assert(FieldTableIsComplete(), "two event fields share a bucket: change FieldBucket");

// The field `key` names, or kFieldCount for a key the timeline does not read.
Field FieldOf(std::string_view key) {
  if (key.empty()) return kFieldCount;
  const NamedField& f = kFieldTable[FieldBucket(key)];
  return f.field != kFieldCount && f.key == key ? f.field : kFieldCount;
}

// Collects the fields of the event `e` at `path`. Errors: InvalidArgument when `e` is not an
// object.
absl::Status CollectFields(element e, const JsonPath& path, EventFields* out) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return internal::ExpectObject(e, path);
  out->Clear();
  for (simdjson::dom::key_value_pair kv : obj) {
    const Field f = FieldOf(kv.key);
    if (f != kFieldCount) out->Set(f, kv.value);
  }
  return absl::OkStatus();
}

// e[key].card.id (0 when absent), `card_holder` being e[key].
absl::StatusOr<int64_t> CardIn(const element* card_holder, const JsonPath& path,
                               std::string_view key) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f,
                            internal::ObjectValue(card_holder, path, key));
  if (!f) return 0;
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> card,
                            NestedInt(*f, path.Child(key), "card", "id"));
  return card.value_or(0);
}

// The card of a Foul Committed or Bad Behaviour event (0 for none).
absl::StatusOr<int64_t> CardOf(const EventFields& e, const JsonPath& path) {
  SUPERBET_ASSIGN_OR_RETURN(int64_t foul_card, CardIn(e[kFoulCommitted], path, "foul_committed"));
  if (foul_card != 0) return foul_card;
  return CardIn(e[kBadBehaviour], path, "bad_behaviour");
}

// The person `value` (field `key` of the element at `path`): its id and name.
absl::StatusOr<Person> PersonOf(const element* value, const JsonPath& path, std::string_view key) {
  Person p;
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> f, internal::ObjectValue(value, path, key));
  if (!f) return p;
  const JsonPath person_path = path.Child(key);
  SUPERBET_ASSIGN_OR_RETURN(p.id, Int(*f, person_path, "id"));
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> name,
                            internal::String(*f, person_path, "name"));
  p.name = name;
  return p;
}

// Whether `location` (absent: no) has an x >= kFinalThirdX. A present location must be an array
// of at least two finite numbers.
absl::StatusOr<bool> InFinalThird(const element* location, const JsonPath& path) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<simdjson::dom::array> loc,
                            internal::ArrayValue(location, path, "location"));
  if (!loc) return false;
  double x = 0, y = 0;
  if (loc->size() < 2 || loc->at(0).get_double().get(x) != simdjson::SUCCESS ||
      loc->at(1).get_double().get(y) != simdjson::SUCCESS || !std::isfinite(x) ||
      !std::isfinite(y)) {
    return Invalid(path, "location",
                   absl::StrCat("expected [x, y] numbers, got ", internal::Describe(*location)));
  }
  return x >= kFinalThirdX;
}

// The event's id (a string, required: it is how repeated events are detected).
// The view points into the parsed document.
absl::StatusOr<absl::string_view> EventId(const EventFields& f, const JsonPath& path) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<absl::string_view> id,
                            internal::StringValue(f[kId], path, "id"));
  if (!id || id->empty()) return Invalid(path, "id", "missing");
  return *id;
}

// period, minute, type and team: required, range-checked.
absl::Status ReadCore(const EventFields& e, const JsonPath& path, int64_t home_id, int64_t away_id,
                      Event* out) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> period,
                            internal::IntValue(e[kPeriod], path, "period"));
  if (!period || *period < 1 || *period > 5) {
    return Invalid(path, "period",
                   absl::StrCat("not in 1..5, got ", period ? absl::StrCat(*period) : "null"));
  }
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> minute,
                            internal::IntValue(e[kMinute], path, "minute"));
  if (!minute || *minute < 0 || *minute > kMaxMinute) {
    return Invalid(
        path, "minute",
        absl::StrCat("not in 0..", kMaxMinute, ", got ", minute ? absl::StrCat(*minute) : "null"));
  }
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> type,
                            internal::NestedIntValue(e[kType], path, "type", "id"));
  if (!type) return Invalid(path, "type.id", "missing");
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> team,
                            internal::NestedIntValue(e[kTeam], path, "team", "id"));
  if (!team || (*team != home_id && *team != away_id)) {
    return Invalid(path, "team.id",
                   absl::StrCat("not ", home_id, " or ", away_id, " (the fixture's sides), got ",
                                team ? absl::StrCat(*team) : "null"));
  }
  out->period = static_cast<int>(*period);
  out->minute = static_cast<int>(*minute);
  out->type = *type;
  out->side = *team == home_id ? 0 : 1;
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> possession,
                            internal::IntValue(e[kPossession], path, "possession"));
  out->possession = possession.value_or(-1);
  SUPERBET_ASSIGN_OR_RETURN(
      std::optional<int64_t> possession_team,
      internal::NestedIntValue(e[kPossessionTeam], path, "possession_team", "id"));
  out->own_possession = possession_team == team;
  SUPERBET_ASSIGN_OR_RETURN(out->in_final_third, InFinalThird(e[kLocation], path));
  return absl::OkStatus();
}

absl::Status ReadShot(const EventFields& e, const JsonPath& path, Event* out) {
  SUPERBET_ASSIGN_OR_RETURN(std::optional<element> shot,
                            internal::ObjectValue(e[kShot], path, "shot"));
  if (!shot) return Invalid(path, "shot", "missing");
  const JsonPath shot_path = path.Child("shot");
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> outcome,
                            NestedInt(*shot, shot_path, "outcome", "id"));
  if (!outcome) return Invalid(path, "shot.outcome.id", "missing");
  SUPERBET_ASSIGN_OR_RETURN(std::optional<double> xg,
                            internal::Double(*shot, shot_path, "statsbomb_xg"));
  if (!xg || !(*xg >= 0.0 && *xg <= 1.0)) {
    return Invalid(path, "shot.statsbomb_xg",
                   absl::StrCat("missing or not in [0, 1], got ", xg ? absl::StrCat(*xg) : "null"));
  }
  SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> shot_type,
                            NestedInt(*shot, shot_path, "type", "id"));
  out->shot_outcome = *outcome;
  out->shot_type = shot_type.value_or(0);
  out->xg = *xg;
  return absl::OkStatus();
}

// The fields of the event's type (shot, pass, card) and, for the events that become
// MatchEvents, the players.
absl::Status ReadDetails(const EventFields& e, const JsonPath& path, Event* out, Players* players) {
  if (out->type == kTypeShot) {
    SUPERBET_RETURN_IF_ERROR(ReadShot(e, path, out));
  } else if (out->type == kTypePass) {
    SUPERBET_ASSIGN_OR_RETURN(std::optional<element> pass,
                              internal::ObjectValue(e[kPass], path, "pass"));
    if (pass) {
      SUPERBET_ASSIGN_OR_RETURN(std::optional<int64_t> pass_type,
                                NestedInt(*pass, path.Child("pass"), "type", "id"));
      out->pass_type = pass_type.value_or(0);
    }
  } else if (out->type == kTypeFoulCommitted || out->type == kTypeBadBehaviour) {
    SUPERBET_ASSIGN_OR_RETURN(out->card, CardOf(e, path));
  }
  const bool goal = out->type == kTypeShot && out->shot_outcome == kOutcomeGoal;
  if (goal || out->type == kTypeOwnGoalAgainst || out->card != 0 ||
      out->type == kTypeSubstitution) {
    SUPERBET_ASSIGN_OR_RETURN(players->player, PersonOf(e[kPlayer], path, "player"));
  }
  if (out->type == kTypeSubstitution) {
    SUPERBET_ASSIGN_OR_RETURN(std::optional<element> sub,
                              internal::ObjectValue(e[kSubstitution], path, "substitution"));
    if (sub) {
      element replacement;
      const bool found = sub->at_key("replacement").get(replacement) == simdjson::SUCCESS;
      SUPERBET_ASSIGN_OR_RETURN(
          players->replacement,
          PersonOf(found ? &replacement : nullptr, path.Child("substitution"), "replacement"));
    }
  }
  return absl::OkStatus();
}

// The ids of the events read so far, to detect a repeated one. Holds views into the parsed
// document; its hash set holds only 4-byte positions into them (a map of views to indexes has
// 24-byte slots, and probing it cost ~10 % of BuildTimeline's time). Positions fit in 32 bits: a
// simdjson document is below 4 GiB. Not copyable (the set's functors point at ids_).
class EventIds {
 public:
  explicit EventIds(size_t expected) : first_(0, Hash{&ids_}, Equal{&ids_}) {
    ids_.reserve(expected);
    event_index_.reserve(expected);
    first_.reserve(expected);
  }
  EventIds(const EventIds&) = delete;
  EventIds& operator=(const EventIds&) = delete;

  // Records `id` of the event at `index`. When an earlier event had this id: false, and
  // *first_index is that event's index.
  bool Insert(absl::string_view id, size_t index, size_t* first_index) {
    ids_.push_back(id);
    auto [it, inserted] = first_.insert(static_cast<uint32_t>(ids_.size() - 1));
    if (inserted) {
      event_index_.push_back(index);
      return true;
    }
    ids_.pop_back();
    *first_index = event_index_[*it];
    return false;
  }

 private:
  struct Hash {
    const std::vector<absl::string_view>* ids;
    size_t operator()(uint32_t k) const { return absl::Hash<absl::string_view>{}((*ids)[k]); }
  };
  struct Equal {
    const std::vector<absl::string_view>* ids;
    bool operator()(uint32_t a, uint32_t b) const { return (*ids)[a] == (*ids)[b]; }
  };
  std::vector<absl::string_view> ids_;  // Distinct ids, first seen first.
  std::vector<size_t> event_index_;     // event_index_[k]: the event ids_[k] came from.
  absl::flat_hash_set<uint32_t, Hash, Equal> first_;
};

// Reads event number `index` (JSON path "[index]"). Its id must not have been seen before:
// `ids` holds the ids of the events before; a repeated id sets
// *duplicate. `fields_buffer` is scratch space reused from event to event. Errors:
// InvalidArgument naming the field and the offending value.
absl::Status ReadEvent(element e, size_t index, int64_t home_id, int64_t away_id, EventIds* ids,
                       EventFields* fields_buffer, bool* duplicate, Event* out, Players* players) {
  const JsonPath path(index);
  SUPERBET_RETURN_IF_ERROR(CollectFields(e, path, fields_buffer));
  const EventFields& fields = *fields_buffer;
  SUPERBET_ASSIGN_OR_RETURN(absl::string_view id, EventId(fields, path));
  size_t first = 0;
  if (!ids->Insert(id, index, &first)) {
    *duplicate = true;
    return Invalid(path, "id", absl::StrCat("duplicate of [", first, "], got \"", id, "\""));
  }
  SUPERBET_RETURN_IF_ERROR(ReadCore(fields, path, home_id, away_id, out));
  return ReadDetails(fields, path, out, players);
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

// The MatchEvent `e` stands for, if any (goals, own goals, cards, substitutions).
std::optional<v1::MatchEvent> ToMatchEvent(const Event& e, const Players& players,
                                           const v1::Fixture& f) {
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
  const Person& player = players.player;
  const Person& replacement = players.replacement;
  if (player.id) m.set_player_id(absl::StrCat("statsbomb:", *player.id));
  if (player.name && !player.name->empty()) m.set_player_name(std::string(*player.name));
  if (replacement.id) m.set_assist_id(absl::StrCat("statsbomb:", *replacement.id));
  if (replacement.name && !replacement.name->empty()) {
    m.set_assist_name(std::string(*replacement.name));
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
    if (f.has_kickoff()) *s.mutable_kickoff() = f.kickoff();
    s.set_status(k == n ? v1::FIXTURE_STATUS_FINISHED : v1::FIXTURE_STATUS_LIVE);
  }
}

}  // namespace

absl::StatusOr<Timeline> BuildTimeline(absl::string_view events_json, const v1::Fixture& fixture,
                                       ParseMode mode) {
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
  EventIds ids(events.size());
  EventFields fields;
  int last_period = 1;
  size_t i = 0;
  for (element e : events) {
    ++t.events_total;
    Event ev;
    Players players;
    bool duplicate = false;
    absl::Status read =
        ReadEvent(e, i++, home_id, away_id, &ids, &fields, &duplicate, &ev, &players);
    if (!read.ok()) {
      if (mode == ParseMode::kStrict) return read;
      rej.Reject(read);
      if (duplicate) ++t.events_duplicated;
      continue;
    }
    if (ev.period > 4) continue;  // Penalty shoot-out: ignored (statsbomb.h).
    last_period = std::max(last_period, ev.period);
    if (std::optional<v1::MatchEvent> m = ToMatchEvent(ev, players, fixture)) {
      ev.record = static_cast<int>(t.events.size());
      t.events.push_back(*std::move(m));
    }
    kept.push_back(ev);
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
