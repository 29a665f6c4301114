#include "superbet/providers/statsbomb/football_data_join.h"


#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "providers/internal/uk_time.h"
#include "superbet/model/fixture.h"
#include "superbet/model/selection.h"
#include "superbet/providers/statsbomb/team_names.h"

namespace superbet::providers::statsbomb {
namespace {

absl::CivilDay DayOf(const google::protobuf::Timestamp& ts, const absl::TimeZone& tz) {
  return absl::ToCivilDay(absl::FromUnixSeconds(ts.seconds()), tz);
}

absl::CivilDay FootballDataDay(const v1::Fixture& f) {
  return DayOf(f.kickoff(), f.kickoff_time_known() ? providers::internal::LondonTimeZone()
                                                   : absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<v1::Fixture> FindFootballDataFixture(
    const v1::Fixture& statsbomb_fixture, absl::Span<const v1::Fixture> football_data_fixtures) {
  const std::string home = FootballDataTeamName(statsbomb_fixture.home().name());
  const std::string away = FootballDataTeamName(statsbomb_fixture.away().name());
  const absl::CivilDay day =
      DayOf(statsbomb_fixture.kickoff(), providers::internal::LondonTimeZone());
  const v1::Fixture* found = nullptr;
  for (const v1::Fixture& f : football_data_fixtures) {
    if (f.home().name() != home || f.away().name() != away || FootballDataDay(f) != day) continue;
    if (found != nullptr) {
      return absl::FailedPreconditionError(absl::StrCat("two football-data fixtures match ",
                                                        statsbomb_fixture.id(), ": ", found->id(),
                                                        " and ", f.id()));
    }
    found = &f;
  }
  if (found == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no football-data fixture ", home, " v ", away, " on ",
                     absl::FormatCivilTime(day), " for ", statsbomb_fixture.id(), " (",
                     statsbomb_fixture.home().name(), " v ", statsbomb_fixture.away().name(), ")"));
  }
  return *found;
}

std::optional<v1::OddsTriple> OneXTwoTriple(absl::Span<const v1::BettingLine> lines,
                                            absl::string_view bookmaker, bool closing) {
  return model::OneXTwoPrices(lines, /*fixture_id=*/"", bookmaker,
                              closing ? model::PriceTime::kClosing : model::PriceTime::kPreMatch);
}

absl::Status AttachOdds(absl::Span<const v1::Fixture> football_data_fixtures,
                        absl::Span<const v1::BettingLine> football_data_lines, Timeline* timeline) {
  absl::StatusOr<v1::Fixture> fd =
      FindFootballDataFixture(timeline->fixture, football_data_fixtures);
  if (!fd.ok()) return fd.status();
  std::vector<v1::BettingLine> lines;
  for (const v1::BettingLine& l : football_data_lines) {
    if (l.fixture_id() == fd->id()) lines.push_back(l);
  }
  if (lines.empty()) {
    return absl::NotFoundError(absl::StrCat("football-data fixture ", fd->id(), " has no prices"));
  }
  std::optional<v1::OddsTriple> triple;
  for (const char* bookmaker : {"Bet365", "Pinnacle", "market_average"}) {
    triple = OneXTwoTriple(lines, bookmaker, /*closing=*/false);
    if (triple) break;
  }
  timeline->football_data_fixture_id = fd->id();
  timeline->lines = std::move(lines);
  if (triple) {
    for (v1::LiveMatchState& s : timeline->states) *s.mutable_live_odds() = *triple;
  }
  return absl::OkStatus();
}

}  // namespace superbet::providers::statsbomb
