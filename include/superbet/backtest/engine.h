// The chronological backtest engine: replays finished fixtures in kickoff order, asks a Strategy
// about each one with only pre-kickoff information, stakes, settles at the odds taken and reports.
//
// Replay, one UTC calendar day at a time:
//   1. every fixture of the day (kickoff order; input order breaks ties) that has a result and
//      the odds source's three pre-match 1X2 prices (each finite and > 1) is shown to the strategy
//      as a MatchView (strategy.h) together with the finished fixtures of earlier days; a fixture
//      without the prices is skipped and counted (Metrics::skipped_no_odds); one without a result
//      is ignored;
//   2. a bet's stake is `flat_stake` (flat) or FractionalKelly(p, o, kelly_multiplier, kelly_cap)
//      x the bankroll at the start of the day (Kelly; odds/kelly.h, capped at 5 % by default); a
//      stake <= 0 is no bet; a stake larger than the cash not yet staked that day is skipped and
//      counted (Metrics::skipped_stake_over_bankroll);
//   3. after all of the day's decisions, the day's bets are settled at the odds taken (won:
//      + stake (o - 1), lost: - stake), and the day's fixtures join the history.
// Closing-line value is measured against the Pinnacle closing price (BettingLine bookmaker
// "Pinnacle", is_closing) of the selection when the data has one.
//
// Money is in the bankroll's currency unit as double, never rounded.

#ifndef SUPERBET_BACKTEST_ENGINE_H_
#define SUPERBET_BACKTEST_ENGINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "superbet/backtest/metrics.h"
#include "superbet/backtest/strategy.h"
#include "superbet/v1/model.pb.h"

namespace superbet::backtest {

enum class Staking { kFlat, kKelly };

// Parses "flat" or "kelly" (ASCII case ignored). Errors: InvalidArgument naming the text.
absl::StatusOr<Staking> ParseStaking(absl::string_view name);
absl::string_view StakingName(Staking staking);

struct EngineOptions {
  OddsSource odds_source = OddsSource::kBet365;
  Staking staking = Staking::kFlat;
  double initial_bankroll = 1000.0;  // Currency units, > 0.
  double flat_stake = 1.0;           // Currency units per bet (one "unit"), > 0.
  double kelly_multiplier = 0.25;    // Fraction of full Kelly, in (0, 1].
  double kelly_cap = 0.05;           // Max fraction of bankroll per bet, in (0, 1].
};

// The outcome of one run.
struct BacktestReport {
  std::string strategy;
  EngineOptions options;
  Metrics overall;                  // season = "overall"
  std::vector<Metrics> per_season;  // In order of each season's first kickoff.
  std::vector<BetRecord> bets;      // Settlement order.
  std::vector<ForecastRecord> forecasts;
};

// Replays `fixtures` (any order; sorted here) with the prices in `lines` (matched by
// fixture_id) through `strategy`.
// Errors: InvalidArgument for invalid options (names the field and value); any error the
// strategy returns, prefixed with the fixture id.
absl::StatusOr<BacktestReport> RunBacktest(absl::Span<const superbet::v1::Fixture> fixtures,
                                           absl::Span<const superbet::v1::BettingLine> lines,
                                           Strategy& strategy, const EngineOptions& options);

}  // namespace superbet::backtest

#endif  // SUPERBET_BACKTEST_ENGINE_H_
