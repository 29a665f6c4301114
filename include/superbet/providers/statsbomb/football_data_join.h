// Joins StatsBomb matches to football-data.co.uk fixtures so that every replayed timeline carries
// the real pre-match and closing prices (StatsBomb has no odds; football-data has no events).
//
// Join key: football-data's home and away names equal the StatsBomb names mapped through
// team_names.h, and the dates agree — the StatsBomb kickoff's Europe/London calendar date against
// the football-data fixture's date (its UTC date when the file has no kick-off time, as E0_1516
// has not; its Europe/London date otherwise).
//
// There are no in-play prices in either source. AttachOdds therefore copies the PRE-MATCH
// (opening, is_closing = false) 1X2 triple into every state's live_odds, so the agents see the
// price they could have taken before kick-off; the closing prices (Pinnacle PSCH/PSCD/PSCA) stay
// in Timeline::lines with is_closing = true.

#ifndef SUPERBET_PROVIDERS_STATSBOMB_FOOTBALL_DATA_JOIN_H_
#define SUPERBET_PROVIDERS_STATSBOMB_FOOTBALL_DATA_JOIN_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "superbet/providers/statsbomb/statsbomb.h"
#include "superbet/v1/model.pb.h"

namespace superbet::providers::statsbomb {

// The football-data fixture that is the same match as `statsbomb_fixture` (join key above).
// Errors: NotFound naming both team names (as mapped) and the date when none matches;
// FailedPrecondition when two fixtures match (a corrupt file).
[[nodiscard]] absl::StatusOr<superbet::v1::Fixture> FindFootballDataFixture(
    const superbet::v1::Fixture& statsbomb_fixture,
    absl::Span<const superbet::v1::Fixture> football_data_fixtures);

// The 1X2 triple (home, draw, away decimal odds) of `bookmaker` ("Bet365", "Pinnacle",
// "market_average", "market_max") among `lines`, opening prices when closing is false, closing
// prices when true. timestamp = the home line's timestamp. nullopt when any of the three is absent.
// The same as model::OneXTwoPrices (superbet/model/fixture.h) over every fixture of `lines`.
std::optional<superbet::v1::OddsTriple> OneXTwoTriple(
    absl::Span<const superbet::v1::BettingLine> lines, absl::string_view bookmaker, bool closing);

// Finds the fixture (FindFootballDataFixture), copies every line of it from `football_data_lines`
// into timeline->lines (file order), sets football_data_fixture_id, and sets each state's
// live_odds to the pre-match triple of Bet365, else Pinnacle, else market_average (the first that
// has all three prices; none set when none has).
// Errors: those of FindFootballDataFixture; NotFound when the fixture has no BettingLine at all.
[[nodiscard]] absl::Status AttachOdds(
    absl::Span<const superbet::v1::Fixture> football_data_fixtures,
    absl::Span<const superbet::v1::BettingLine> football_data_lines, Timeline* timeline);

}  // namespace superbet::providers::statsbomb

#endif  // SUPERBET_PROVIDERS_STATSBOMB_FOOTBALL_DATA_JOIN_H_
