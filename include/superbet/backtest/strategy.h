// The pre-match strategy interface of the backtest engine, and the odds sources it can bet at.
//
// A strategy only ever sees what was known before kickoff: the engine (engine.h) hands it a COPY
// of the fixture with the result, half-time score and statistics cleared, only the pre-match
// (is_closing = false) 1X2 prices of the chosen odds source, and the matches that were over by
// its kickoff (kickoff + kMatchDuration <= this kickoff; a date-only fixture is over at the end of
// its UTC date), results included. Closing prices, the match's own result and results of matches
// still being played are never passed in. Enforced by the engine and tested in
// tests/backtest/engine_test.cc.

#ifndef SUPERBET_BACKTEST_STRATEGY_H_
#define SUPERBET_BACKTEST_STRATEGY_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "superbet/v1/model.pb.h"

namespace superbet::backtest {

// Where the prices a backtest bets at come from. football-data.co.uk columns: B365H/D/A,
// PSH/D/A, AvgH/D/A (BbAvH… before 2019/20), MaxH/D/A (BbMxH…).
enum class OddsSource { kBet365, kPinnacle, kMarketAverage, kMarketMax };

// Parses "b365", "pinnacle", "avg", "max" (ASCII case ignored).
// Errors: InvalidArgument naming the text and the accepted names.
[[nodiscard]] absl::StatusOr<OddsSource> ParseOddsSource(absl::string_view name);
// The flag spelling ("b365", ...), which ParseOddsSource reads back.
absl::string_view OddsSourceName(OddsSource source);
// The BettingLine.bookmaker value of the source: "Bet365", "Pinnacle", "market_average",
// "market_max".
absl::string_view OddsSourceBookmaker(OddsSource source);

// One match as a strategy sees it before kickoff.
struct MatchView {
  // Copy of the fixture: full_time, half_time and statistics cleared, status SCHEDULED.
  superbet::v1::Fixture fixture;
  // Pre-match 1X2 decimal odds of the odds source, in the order home, draw, away (each > 1).
  std::array<double, 3> decimal_odds{};
  // Margin-free probabilities of `decimal_odds` by the multiplicative method
  // (odds::RemoveMarginMultiplicative), home, draw, away; sum to 1.
  std::array<double, 3> market_probabilities{};
  // Every is_closing = false line of the odds source's bookmaker for this fixture (all markets).
  std::vector<superbet::v1::BettingLine> lines;
};

// What a strategy decided about one match.
struct Decision {
  // The 1X2 probabilities (home, draw, away) the strategy used, or nullopt when it made no
  // forecast (e.g. a team not rated yet). Scored by Brier score and log loss in the report.
  std::optional<std::array<double, 3>> probabilities;
  // SELECTION_HOME / SELECTION_DRAW / SELECTION_AWAY to bet, SELECTION_UNSPECIFIED for no bet.
  superbet::v1::Selection selection = superbet::v1::SELECTION_UNSPECIFIED;
  // The strategy's probability that `selection` wins; the Kelly stake's input.
  double probability = 0;
  // The stake in currency units when the strategy sizes its own bets (a bankroll manager, e.g.
  // the HRL agent's 5 % of the remaining budget); overrides EngineOptions::staking. Finite, >= 0
  // (0 = no bet); nullopt = the engine's staking.
  std::optional<double> stake;
};

// A pre-match betting strategy. Implementations may keep state between calls (a fitted model);
// they are NOT thread-safe and one instance serves one engine run at a time.
class Strategy {
 public:
  virtual ~Strategy() = default;
  // Short name used in reports: "favourite", "home", "model".
  virtual std::string name() const = 0;
  // Decides about `match`. `history` holds the fixtures over by its kickoff (results and
  // statistics included) in the order they ended (engine.h), which is kickoff order whenever all
  // kickoff times are known, or none is; within one engine run each call's history extends the
  // previous one (append-only). Errors abort the backtest.
  [[nodiscard]] virtual absl::StatusOr<Decision> Decide(
      const MatchView& match, absl::Span<const superbet::v1::Fixture> history) = 0;
};

}  // namespace superbet::backtest

#endif  // SUPERBET_BACKTEST_STRATEGY_H_
