// The chronological backtest engine: replays finished fixtures in kickoff order, asks a Strategy
// about each one with only pre-kickoff information, stakes, settles at the odds taken and reports.
//
// When a match is over: kickoff + kMatchDuration (2 h 15 min: 90 minutes, half-time, stoppage
// time, with margin) when the kickoff time is known (Fixture.kickoff_time_known); the end of its
// UTC date when only the date is known (football-data rows before 2019/20 carry no time).
//
// Replay, fixture by fixture in kickoff order (input order breaks ties), at each kickoff t:
//   1. every match over by t (end <= t) settles its bet at the odds taken (won: + stake (o - 1),
//      lost: - stake) and joins the history, in the order the matches end; no other match does,
//      so a 23:30 UTC match is NOT in the history of a 00:30 UTC match the next day;
//   2. a fixture that has a result and the odds source's three pre-match 1X2 prices (each finite
//      and > 1) is shown to the strategy as a MatchView (strategy.h) with that history; one
//      without the prices is skipped and counted (Metrics::skipped_no_odds); one without a result
//      is ignored;
//   3. a bet's stake is `flat_stake` (flat) or FractionalKelly(p, o, kelly_multiplier, kelly_cap)
//      x the bankroll at the first kickoff of the UTC day (Kelly; odds/kelly.h, capped at 5 % by
//      default); a stake <= 0 is no bet; a stake larger than the cash not staked on a match still
//      being played is skipped and counted (Metrics::skipped_stake_over_bankroll).
// With date-only kickoffs (or whenever no match overlaps the next one's kickoff) this is the same
// as replaying one UTC day at a time and settling at the end of the day.
// Closing-line value is measured against the closing price (is_closing) of the selection from
// EngineOptions::clv_closing_source: Pinnacle by default (the sharpest book: football-data
// PSCH/PSCD/PSCA, 2012/13 on), or the bookmaker bet at (B365CH... from 2019/20), or the market
// average close (AvgCH...); a bet without that price has no CLV (Metrics::clv_bets counts the
// others).
//
// Seasons bet: with EngineOptions::bet_seasons set, every fixture is still shown to the strategy
// (so a model learns from every earlier season), but only fixtures of those seasons are counted,
// forecast-scored, bet and reported. Figures of a season S do not depend on which earlier seasons
// are bet, except through the bankroll the season starts with (Kelly stakes are proportional to
// it; flat stakes are not).
//
// Money is in the bankroll's currency unit as double, never rounded. No figure of a report is
// ever inf or NaN: a stake, profit, bankroll, turnover or P&L that is not a finite double is an
// error naming the match (OutOfRange), and so is a forecast that is not a probability vector.

#ifndef SUPERBET_BACKTEST_ENGINE_H_
#define SUPERBET_BACKTEST_ENGINE_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "superbet/backtest/metrics.h"
#include "superbet/backtest/strategy.h"
#include "superbet/v1/model.pb.h"

namespace superbet::backtest {

// How long after its kickoff a match is taken to be over (see the top of this file).
inline constexpr absl::Duration kMatchDuration = absl::Minutes(135);

enum class Staking { kFlat, kKelly };

// Whose closing price a bet's closing-line value is measured against.
enum class ClosingSource {
  kPinnacle,       // BettingLine bookmaker "Pinnacle", is_closing.
  kOddsSource,     // The bookmaker of EngineOptions::odds_source (the one bet at), is_closing.
  kMarketAverage,  // "market_average", is_closing.
};

// Parses "pinnacle", "source" or "avg" (ASCII case ignored).
// Errors: InvalidArgument naming the text and the accepted names.
[[nodiscard]] absl::StatusOr<ClosingSource> ParseClosingSource(absl::string_view name);
// The flag spelling ("pinnacle", "source", "avg"), which ParseClosingSource reads back.
absl::string_view ClosingSourceName(ClosingSource source);
// The BettingLine.bookmaker whose closing prices a run with these options uses ("Pinnacle",
// "Bet365", "market_average", ...).
std::string ClosingBookmaker(ClosingSource source, OddsSource odds_source);

// Parses "flat" or "kelly" (ASCII case ignored). Errors: InvalidArgument naming the text.
[[nodiscard]] absl::StatusOr<Staking> ParseStaking(absl::string_view name);
absl::string_view StakingName(Staking staking);

// One bet as the engine places it, handed to EngineOptions::on_bet (e.g. `superbet backtest
// --emit-predictions`). The pointers are valid only during the call.
struct BetPlacement {
  const MatchView* match = nullptr;    // What the strategy saw (the odds source's prices).
  const Decision* decision = nullptr;  // Its decision; `selection` is a 1X2 outcome.
  double stake = 0;                    // Currency units, > 0.
  double available_bankroll = 0;       // Cash not staked on a running match, before this stake.
  absl::Time decided_at;               // The match's kickoff: the engine decides at kickoff.
};

struct EngineOptions {
  OddsSource odds_source = OddsSource::kBet365;
  Staking staking = Staking::kFlat;
  double initial_bankroll = 1000.0;  // Currency units, > 0.
  double flat_stake = 1.0;           // Currency units per bet (one "unit"), > 0.
  double kelly_multiplier = 0.25;    // Fraction of full Kelly, in (0, 1].
  double kelly_cap = 0.05;           // Max fraction of bankroll per bet, in (0, 1].
  ClosingSource clv_closing_source = ClosingSource::kPinnacle;
  // Fixture.season values ("2015/16") that are bet and reported; empty = every season. Fixtures of
  // other seasons are still shown to the strategy (history, warm-up), never bet or counted.
  std::vector<std::string> bet_seasons;
  // Optional observer, called for every bet placed (after the stake checks), in placement order,
  // in the seasons that are bet; an error it returns aborts the run, prefixed with the match id.
  std::function<absl::Status(const BetPlacement&)> on_bet;
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
// Errors, each prefixed with the fixture id where one is involved:
//   InvalidArgument for invalid options (names the field and value), and for a decision the
//     engine cannot honour, naming the match and the field: a `selection` that is neither a 1X2
//     outcome nor SELECTION_UNSPECIFIED (e.g. SELECTION_OVER), a forecast (`probabilities`) not
//     finite in [0, 1] summing to 1 within 1e-6, or a pick `probability` not finite in [0, 1];
//   OutOfRange when a stake, profit, bankroll, turnover or P&L stops being a finite double (e.g.
//     a flat stake of 1e306 won at odds 1000), naming the match and the figure; or, for a
//     metric, the season and the field (see CheckMetricsFinite);
//   any error the strategy returns.
[[nodiscard]] absl::StatusOr<BacktestReport> RunBacktest(
    absl::Span<const superbet::v1::Fixture> fixtures,
    absl::Span<const superbet::v1::BettingLine> lines, Strategy& strategy,
    const EngineOptions& options);

// The replay order (the finished fixtures by kickoff) and the price index (the odds source's
// pre-match lines and the closing prices, by fixture id) of one data set, built once and shared by
// the runs of several strategies on the same prices, e.g. a strategy and the favourite and home
// baselines. RunBacktest on it gives the report RunBacktest gives on the spans it was built from.
// Views `fixtures` and `lines`, which must outlive it unchanged. Immutable once built: any number
// of threads may run backtests on one ReplayInput at the same time (each with its own strategy).
// Copies share the built index.
class ReplayInput {
 public:
  // Errors: InvalidArgument when a finished fixture has no kickoff (names the fixture).
  [[nodiscard]] static absl::StatusOr<ReplayInput> Build(
      absl::Span<const superbet::v1::Fixture> fixtures,
      absl::Span<const superbet::v1::BettingLine> lines, OddsSource odds_source,
      ClosingSource clv_closing_source);
  OddsSource odds_source() const;
  ClosingSource clv_closing_source() const;

  struct Data;  // Defined in engine.cc.
  const Data& data() const { return *data_; }

 private:
  explicit ReplayInput(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;
};

// As RunBacktest above, on a prepared input.
// Errors: as above; InvalidArgument when options.odds_source or options.clv_closing_source is not
// the one `input` was built for (names both).
[[nodiscard]] absl::StatusOr<BacktestReport> RunBacktest(const ReplayInput& input,
                                                         Strategy& strategy,
                                                         const EngineOptions& options);

// Runs every strategy of `strategies` over the same fixtures, prices and options, one after the
// other (each sees a fresh replay), so that their reports compare like with like; the reports
// come back in the order of `strategies`. Render them side by side with FormatComparisonTable
// (report.h). The pointers are not owned; each strategy is used by one run at a time.
// Errors: InvalidArgument when `strategies` is empty or holds a null pointer; else the first error
// of RunBacktest, prefixed with the strategy's name.
[[nodiscard]] absl::StatusOr<std::vector<BacktestReport>> RunBacktests(
    absl::Span<const superbet::v1::Fixture> fixtures,
    absl::Span<const superbet::v1::BettingLine> lines, absl::Span<Strategy* const> strategies,
    const EngineOptions& options);

}  // namespace superbet::backtest

#endif  // SUPERBET_BACKTEST_ENGINE_H_
