// Bridge helpers over the canonical Fixture and BettingLine (proto/superbet/v1/model.proto): the
// glue every program that links the library needs, for every provider alike (football-data.co.uk,
// API-Football, StatsBomb joined to football-data).
//
// Team identity. A canonical Team has an `id` of the form "<provider>:<provider's id>":
//   * API-Football: "api-football:33" (the provider's numeric team id);
//   * football-data.co.uk, which has no ids: "football-data:" + the file's team name
//     ("football-data:Man United");
//   * StatsBomb: "statsbomb:<team_id>".
// The rating models key teams by TeamKey(team) (the id), so a model fitted on one provider's
// fixtures is queried with that provider's ids; FindTeamByName finds the Team (and so the id) from
// the name a person types.

#ifndef SUPERBET_MODEL_FIXTURE_H_
#define SUPERBET_MODEL_FIXTURE_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "superbet/v1/model.pb.h"

namespace superbet::model {

// The kickoff of `fixture` as an absl::Time (UTC); nullopt when the fixture has none. For a
// football-data row without a Time column this is 00:00 UTC of the date
// (fixture.kickoff_time_known() is false then).
std::optional<absl::Time> KickoffTime(const superbet::v1::Fixture& fixture);

// The key the rating models use for `team`: its canonical id, or its name when the id is empty.
const std::string& TeamKey(const superbet::v1::Team& team);

// The first home or away Team among `fixtures` whose provider name equals `name` exactly
// (case-sensitive), or whose id equals `name`; nullopt when none does.
std::optional<superbet::v1::Team> FindTeamByName(absl::Span<const superbet::v1::Fixture> fixtures,
                                                 absl::string_view name);

// Which price of a bookmaker's 1X2 market: the pre-match (opening) one or the closing one.
enum class PriceTime { kPreMatch, kClosing };

// The 1X2 prices (decimal odds, home/draw/away) of `bookmaker` for the fixture `fixture_id` among
// `lines`, taken at `when`: is_closing = false lines for kPreMatch, is_closing = true for kClosing;
// live lines (is_live) are never used. The first line of each selection in `lines` order wins.
// Bookmaker names are those of BettingLine.bookmaker: "Bet365", "Pinnacle", "market_average",
// "market_max" for football-data, the provider's bookmaker name for API-Football. An empty
// `fixture_id` matches every line (for a span that holds one fixture's lines).
// Returns nullopt when any of the three prices is missing; timestamp = the home line's.
std::optional<superbet::v1::OddsTriple> OneXTwoPrices(
    absl::Span<const superbet::v1::BettingLine> lines, absl::string_view fixture_id,
    absl::string_view bookmaker, PriceTime when);

}  // namespace superbet::model

#endif  // SUPERBET_MODEL_FIXTURE_H_
