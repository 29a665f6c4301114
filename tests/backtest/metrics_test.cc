// Report metrics on a hand-made run of four bets, every figure computed by hand.
//
// Bets (stake, odds, won, Pinnacle close):
//   1: 10 @ 2.0 won  -> profit +10, r = +1.0,  bankroll 1010, close 1.9  -> clv 2/1.9 - 1
//   2: 10 @ 3.0 lost -> profit -10, r = -1.0,  bankroll 1000, close 3.3  -> clv 3/3.3 - 1
//   3: 20 @ 1.5 lost -> profit -20, r = -1.0,  bankroll  980, no close
//   4: 10 @ 2.5 won  -> profit +15, r = +1.5,  bankroll  995, no close
// turnover 50, pnl -5, roi -0.1, hit rate 0.5, final bankroll 995;
// max drawdown (1010 - 980) / 1010; mean r = 0.125; sample sd r = sqrt(sum (r - 0.125)^2 / 3)
//   = sqrt((0.765625 + 1.265625 + 1.265625 + 1.890625) / 3) = sqrt(1.7291666...);
// sortino = 0.125 / sqrt((1 + 1) / 4).
// Forecasts: (0.5, 0.3, 0.2) home won -> Brier 0.25 + 0.09 + 0.04 = 0.38, log loss -ln 0.5;
//            (0.2, 0.3, 0.5) draw      -> Brier 0.04 + 0.49 + 0.25 = 0.78, log loss -ln 0.3.

#include "superbet/backtest/metrics.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

namespace superbet::backtest {
namespace {

BetRecord Bet(double stake, double odds, bool won, double bankroll_after,
              std::optional<double> close) {
  BetRecord b;
  b.stake = stake;
  b.decimal_odds = odds;
  b.won = won;
  b.profit = won ? stake * (odds - 1) : -stake;
  b.bankroll_after = bankroll_after;
  b.closing_odds = close;
  return b;
}

TEST_CASE("metrics of a hand-made run equal the hand computation") {
  std::vector<BetRecord> bets = {Bet(10, 2.0, true, 1010, 1.9), Bet(10, 3.0, false, 1000, 3.3),
                                 Bet(20, 1.5, false, 980, std::nullopt),
                                 Bet(10, 2.5, true, 995, std::nullopt)};
  std::vector<ForecastRecord> forecasts = {{"s", {0.5, 0.3, 0.2}, 0}, {"s", {0.2, 0.3, 0.5}, 1}};
  const Metrics m = ComputeMetrics(bets, forecasts, 1000);
  CHECK(m.bets == 4);
  CHECK(m.wins == 2);
  CHECK(m.hit_rate.value() == Approx(0.5));
  CHECK(m.turnover == Approx(50));
  CHECK(m.pnl == Approx(-5));
  CHECK(m.roi.value() == Approx(-0.1));
  CHECK(m.final_bankroll == Approx(995));
  CHECK(m.max_drawdown == Approx(30.0 / 1010));
  CHECK(m.sharpe.value() == Approx(0.125 / std::sqrt(5.1875 / 3)));
  CHECK(m.sortino.value() == Approx(0.125 / std::sqrt(0.5)));
  CHECK(m.clv_bets == 2);
  CHECK(m.clv.value() == Approx(((2.0 / 1.9 - 1) + (3.0 / 3.3 - 1)) / 2));
  CHECK(m.forecasts == 2);
  CHECK(m.brier.value() == Approx((0.38 + 0.78) / 2));
  CHECK(m.log_loss.value() == Approx((-std::log(0.5) - std::log(0.3)) / 2));
}

TEST_CASE("metrics of an empty run are absent, not zero, with the bankroll unchanged") {
  // Oracle: metrics.h, "absent means absent" (Brier 0 would be a perfect forecast).
  const Metrics m = ComputeMetrics({}, {}, 1000);
  CHECK(m.bets == 0);
  CHECK(m.forecasts == 0);
  CHECK(m.clv_bets == 0);
  for (const auto& v : {m.hit_rate, m.roi, m.sharpe, m.sortino, m.clv, m.brier, m.log_loss}) {
    CHECK(!v.has_value());
  }
  CHECK(m.turnover == 0);
  CHECK(m.pnl == 0);
  CHECK(m.final_bankroll == 1000);
  CHECK(m.max_drawdown == 0);
  CHECK(CheckMetricsFinite(m).ok());
}

TEST_CASE("one winning bet: sharpe and sortino are absent, the rest present") {
  const Metrics m = ComputeMetrics({Bet(10, 2.0, true, 1010, std::nullopt)}, {}, 1000);
  CHECK(m.hit_rate.value() == 1.0);
  CHECK(m.roi.value() == Approx(1.0));
  CHECK(!m.sharpe.has_value());   // Fewer than 2 bets.
  CHECK(!m.sortino.has_value());  // No losing bet.
  CHECK(!m.clv.has_value());      // No Pinnacle close.
  CHECK(!m.brier.has_value());
}

TEST_CASE("a non-finite metric is refused naming the season and the field") {
  Metrics m = ComputeMetrics({}, {}, 1000);
  m.season = "2015/16";
  m.pnl = std::numeric_limits<double>::infinity();
  const absl::Status s = CheckMetricsFinite(m);
  CHECK(s.code() == absl::StatusCode::kOutOfRange);
  CHECK(s.message() == "2015/16: pnl is inf");
  m.pnl = 0;
  m.brier = std::nan("");
  CHECK(CheckMetricsFinite(m).code() == absl::StatusCode::kOutOfRange);
}

TEST_CASE("metrics tolerate records that break the field contracts") {
  // A zero stake would divide by zero in r = profit / stake; an outcome of 3 or -1 would index
  // past the 3 probabilities. Oracle: the header's contract (return 0; forecast not scored).
  std::vector<BetRecord> bets = {Bet(0, 2.0, false, 1000, std::nullopt),
                                 Bet(10, 2.0, true, 1010, std::nullopt)};
  std::vector<ForecastRecord> forecasts = {
      {"s", {0.5, 0.3, 0.2}, 3}, {"s", {0.5, 0.3, 0.2}, -1}, {"s", {0.5, 0.3, 0.2}, 0}};
  const Metrics m = ComputeMetrics(bets, forecasts, 1000);
  CHECK(m.bets == 2);
  CHECK(m.turnover == Approx(10));
  CHECK(m.pnl == Approx(10));
  CHECK(std::isfinite(m.sharpe.value()));
  CHECK(!m.sortino.has_value());  // No bet with a negative return.
  CHECK(m.forecasts == 1);
  CHECK(m.brier.value() == Approx(0.38));
  CHECK(m.log_loss.value() == Approx(-std::log(0.5)));
}

}  // namespace
}  // namespace superbet::backtest
