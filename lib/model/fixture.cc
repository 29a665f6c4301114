#include "superbet/model/fixture.h"

#include "superbet/model/selection.h"

namespace superbet::model {

namespace v1 = superbet::v1;

std::optional<absl::Time> KickoffTime(const v1::Fixture& fixture) {
  if (!fixture.has_kickoff()) return std::nullopt;
  return absl::FromUnixSeconds(fixture.kickoff().seconds()) +
         absl::Nanoseconds(fixture.kickoff().nanos());
}

const std::string& TeamKey(const v1::Team& team) {
  return team.id().empty() ? team.name() : team.id();
}

std::optional<v1::Team> FindTeamByName(absl::Span<const v1::Fixture> fixtures,
                                       absl::string_view name) {
  for (const v1::Fixture& f : fixtures) {
    for (const v1::Team* t : {&f.home(), &f.away()}) {
      if (t->name() == name || t->id() == name) return *t;
    }
  }
  return std::nullopt;
}

std::optional<v1::OddsTriple> OneXTwoPrices(absl::Span<const v1::BettingLine> lines,
                                            absl::string_view fixture_id,
                                            absl::string_view bookmaker, PriceTime when) {
  const bool closing = when == PriceTime::kClosing;
  const v1::BettingLine* picked[3] = {nullptr, nullptr, nullptr};
  for (const v1::BettingLine& l : lines) {
    if (l.market() != v1::MARKET_1X2 || l.bookmaker() != bookmaker || l.is_closing() != closing ||
        l.is_live() || (!fixture_id.empty() && l.fixture_id() != fixture_id)) {
      continue;
    }
    const int i = OneXTwoIndex(l.selection());
    if (i >= 0 && picked[i] == nullptr) picked[i] = &l;
  }
  if (!picked[0] || !picked[1] || !picked[2]) return std::nullopt;
  v1::OddsTriple t;
  t.set_home(picked[0]->decimal_odds());
  t.set_draw(picked[1]->decimal_odds());
  t.set_away(picked[2]->decimal_odds());
  t.set_bookmaker(std::string(bookmaker));
  *t.mutable_timestamp() = picked[0]->timestamp();
  return t;
}

}  // namespace superbet::model
