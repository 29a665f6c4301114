#include "superbet/bus/live_odds.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace superbet::bus {
namespace {

namespace v1 = superbet::v1;

absl::Status CheckOdds(const v1::OddsTriple& o) {
  const std::pair<const char*, double> prices[] = {
      {"home", o.home()}, {"draw", o.draw()}, {"away", o.away()}};
  bool quoted = false;
  for (const auto& [name, v] : prices) {
    if (v == 0) continue;
    if (!std::isfinite(v) || !(v > 1.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("odds.", name, " must be 0 (not quoted) or a decimal odds > 1, got ", v));
    }
    quoted = true;
  }
  if (!quoted) return absl::InvalidArgumentError("odds: no selection quoted");
  return absl::OkStatus();
}

bool SamePrices(const v1::OddsTriple& a, const v1::OddsTriple& b) {
  return a.home() == b.home() && a.draw() == b.draw() && a.away() == b.away() &&
         a.bookmaker() == b.bookmaker();
}

absl::Status Bad(const Entry& e, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(kOddsLive, " ", e.id, ": ", what));
}

}  // namespace

absl::StatusOr<Fields> LiveOddsFields(const v1::LiveOddsUpdate& update,
                                      absl::string_view provider) {
  if (update.match_id().empty()) return absl::InvalidArgumentError("match_id is empty");
  if (absl::Status s = CheckOdds(update.odds()); !s.ok()) return s;
  Fields f = {{"match_id", update.match_id()}};
  if (update.has_minute()) f.emplace_back("minute", absl::StrCat(update.minute()));
  f.emplace_back("update", update.SerializeAsString());
  f.emplace_back("provider", std::string(provider));
  f.emplace_back("home", absl::StrCat(update.odds().home()));
  f.emplace_back("draw", absl::StrCat(update.odds().draw()));
  f.emplace_back("away", absl::StrCat(update.odds().away()));
  return f;
}

absl::StatusOr<std::string> PublishLiveOdds(Transport& transport, const v1::LiveOddsUpdate& update,
                                            absl::string_view provider, absl::Time now,
                                            absl::Duration retention) {
  absl::StatusOr<Fields> fields = LiveOddsFields(update, provider);
  if (!fields.ok()) return fields.status();
  const int64_t min_id_ms =
      now == absl::InfinitePast() ? 0 : std::max<int64_t>(1, absl::ToUnixMillis(now - retention));
  return transport.Add(kOddsLive, *fields, min_id_ms);
}

absl::StatusOr<v1::LiveOddsUpdate> ParseLiveOddsEntry(const Entry& entry) {
  v1::LiveOddsUpdate out;
  const std::string& bytes = entry.Field("update");
  if (bytes.empty() || !out.ParseFromString(bytes)) {
    return Bad(entry, "update: absent or not a LiveOddsUpdate");
  }
  if (entry.Field("match_id") != out.match_id()) {
    return Bad(entry, absl::StrCat("match_id: field says \"", entry.Field("match_id"),
                                   "\", update says \"", out.match_id(), "\""));
  }
  if (out.match_id().empty()) return Bad(entry, "match_id is empty");
  if (absl::Status s = CheckOdds(out.odds()); !s.ok()) return Bad(entry, s.message());
  return out;
}

std::optional<v1::LiveOddsUpdate> LiveOddsTracker::Observe(
    const v1::LiveMatchState& state, const std::vector<v1::BettingLine>& lines) {
  if (!state.has_live_odds() || state.match_id().empty()) return std::nullopt;
  if (absl::Status s = CheckOdds(state.live_odds()); !s.ok()) {
    if (s.message() != "odds: no selection quoted") ++rejected_;
    return std::nullopt;
  }
  auto it = last_.find(state.match_id());
  if (it != last_.end() && SamePrices(it->second.odds, state.live_odds())) return std::nullopt;
  Last& last = last_[state.match_id()];
  last.odds = state.live_odds();
  v1::LiveOddsUpdate u;
  u.set_match_id(state.match_id());
  if (state.has_minute()) u.set_minute(state.minute());
  *u.mutable_odds() = state.live_odds();
  u.set_sequence(++last.sequence);
  for (const v1::BettingLine& l : lines) *u.add_lines() = l;
  return u;
}

}  // namespace superbet::bus
