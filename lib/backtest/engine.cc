#include "superbet/backtest/engine.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "superbet/core/status_macros.h"
#include "superbet/model/selection.h"
#include "superbet/odds/kelly.h"
#include "superbet/odds/margin.h"

namespace superbet::backtest {
namespace {

using superbet::v1::BettingLine;
using superbet::v1::Fixture;

constexpr absl::string_view kClosingBookmaker = "Pinnacle";

using model::OneXTwoIndex;

absl::Time KickoffTime(const Fixture& f) {
  return absl::FromUnixSeconds(f.kickoff().seconds()) + absl::Nanoseconds(f.kickoff().nanos());
}

absl::CivilDay KickoffDay(const Fixture& f) {
  return absl::ToCivilDay(KickoffTime(f), absl::UTCTimeZone());
}

int Outcome(const Fixture& f) {
  const int h = f.full_time().home(), a = f.full_time().away();
  return h > a ? 0 : (h == a ? 1 : 2);
}

// The lines of one fixture: the source's pre-match 1X2 triple, the source's pre-match lines, and
// the Pinnacle closing 1X2 triple.
struct FixtureLines {
  std::array<double, 3> pre{0, 0, 0};
  std::array<double, 3> closing{0, 0, 0};
  std::vector<BettingLine> visible;
};

absl::flat_hash_map<std::string, FixtureLines> IndexLines(absl::Span<const BettingLine> lines,
                                                          absl::string_view bookmaker) {
  absl::flat_hash_map<std::string, FixtureLines> out;
  for (const BettingLine& l : lines) {
    const bool source = l.bookmaker() == bookmaker;
    const bool close = l.is_closing() && l.bookmaker() == kClosingBookmaker;
    if (!source && !close) continue;
    FixtureLines& fl = out[l.fixture_id()];
    const int idx = l.market() == superbet::v1::MARKET_1X2 ? OneXTwoIndex(l.selection()) : -1;
    if (close && idx >= 0) fl.closing[idx] = l.decimal_odds();
    if (source && !l.is_closing() && !l.is_live()) {
      fl.visible.push_back(l);
      if (idx >= 0) fl.pre[idx] = l.decimal_odds();
    }
  }
  return out;
}

bool ValidTriple(const std::array<double, 3>& o) {
  return std::all_of(o.begin(), o.end(), [](double x) { return std::isfinite(x) && x > 1.0; });
}

absl::Status ValidateOptions(const EngineOptions& o) {
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  if (!positive(o.initial_bankroll)) {
    return absl::InvalidArgumentError(
        absl::StrCat("initial_bankroll must be finite and > 0, got ", o.initial_bankroll));
  }
  if (!positive(o.flat_stake)) {
    return absl::InvalidArgumentError(
        absl::StrCat("flat_stake must be finite and > 0, got ", o.flat_stake));
  }
  if (!positive(o.kelly_multiplier) || o.kelly_multiplier > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("kelly_multiplier must be in (0, 1], got ", o.kelly_multiplier));
  }
  if (!positive(o.kelly_cap) || o.kelly_cap > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("kelly_cap must be in (0, 1], got ", o.kelly_cap));
  }
  return absl::OkStatus();
}

// What the strategy may see of `f`.
Fixture PreKickoffCopy(const Fixture& f) {
  Fixture copy = f;
  copy.clear_full_time();
  copy.clear_half_time();
  copy.clear_statistics();
  copy.clear_elapsed_minute();
  copy.set_status(superbet::v1::FIXTURE_STATUS_SCHEDULED);
  return copy;
}

struct SeasonTally {
  int64_t matches = 0;
  int64_t skipped_no_odds = 0;
  int64_t skipped_stake = 0;
  double start_bankroll = 0;
};

struct PendingBet {
  const Fixture* fixture;
  BetRecord record;
};

class Replay {
 public:
  Replay(Strategy& strategy, const EngineOptions& options)
      : strategy_(strategy), options_(options), bankroll_(options.initial_bankroll) {}

  absl::Status Run(std::vector<const Fixture*> order,
                   const absl::flat_hash_map<std::string, FixtureLines>& lines) {
    size_t i = 0;
    while (i < order.size()) {
      const absl::CivilDay day = KickoffDay(*order[i]);
      size_t j = i;
      while (j < order.size() && KickoffDay(*order[j]) == day) ++j;
      SUPERBET_RETURN_IF_ERROR(RunDay(order, i, j, lines));
      i = j;
    }
    return absl::OkStatus();
  }

  BacktestReport Finish() {
    BacktestReport report;
    report.strategy = strategy_.name();
    report.options = options_;
    report.overall = ComputeMetrics(bets_, forecasts_, options_.initial_bankroll);
    report.overall.season = "overall";
    for (const std::string& season : season_order_) {
      std::vector<BetRecord> bets;
      std::vector<ForecastRecord> forecasts;
      for (const BetRecord& b : bets_) {
        if (b.season == season) bets.push_back(b);
      }
      for (const ForecastRecord& f : forecasts_) {
        if (f.season == season) forecasts.push_back(f);
      }
      const SeasonTally& t = tally_[season];
      Metrics m = ComputeMetrics(bets, forecasts, t.start_bankroll);
      m.season = season;
      m.matches = t.matches;
      m.skipped_no_odds = t.skipped_no_odds;
      m.skipped_stake_over_bankroll = t.skipped_stake;
      report.overall.matches += t.matches;
      report.overall.skipped_no_odds += t.skipped_no_odds;
      report.overall.skipped_stake_over_bankroll += t.skipped_stake;
      report.per_season.push_back(std::move(m));
    }
    report.bets = std::move(bets_);
    report.forecasts = std::move(forecasts_);
    return report;
  }

 private:
  SeasonTally& Tally(const std::string& season) {
    auto [it, inserted] = tally_.try_emplace(season);
    if (inserted) {
      season_order_.push_back(season);
      it->second.start_bankroll = bankroll_;
    }
    return it->second;
  }

  absl::StatusOr<double> Stake(const Decision& d, double odds, double day_bankroll) {
    if (options_.staking == Staking::kFlat) return options_.flat_stake;
    SUPERBET_ASSIGN_OR_RETURN(
        double fraction,
        odds::FractionalKelly(d.probability, odds, options_.kelly_multiplier, options_.kelly_cap));
    return fraction * day_bankroll;
  }

  absl::Status RunDay(const std::vector<const Fixture*>& order, size_t begin, size_t end,
                      const absl::flat_hash_map<std::string, FixtureLines>& lines) {
    const double day_bankroll = bankroll_;
    double committed = 0;
    std::vector<PendingBet> pending;
    for (size_t k = begin; k < end; ++k) {
      const Fixture& f = *order[k];
      SeasonTally& tally = Tally(f.season());
      auto it = lines.find(f.id());
      if (it == lines.end() || !ValidTriple(it->second.pre)) {
        ++tally.skipped_no_odds;
        continue;
      }
      ++tally.matches;
      MatchView view;
      view.fixture = PreKickoffCopy(f);
      view.decimal_odds = it->second.pre;
      view.lines = it->second.visible;
      SUPERBET_ASSIGN_OR_RETURN(std::vector<double> fair,
                                odds::RemoveMarginMultiplicative(view.decimal_odds));
      std::copy(fair.begin(), fair.end(), view.market_probabilities.begin());
      auto decision = strategy_.Decide(view, history_);
      if (!decision.ok()) {
        return absl::Status(decision.status().code(),
                            absl::StrCat(f.id(), ": ", decision.status().message()));
      }
      if (decision->probabilities.has_value()) {
        forecasts_.push_back({f.season(), *decision->probabilities, Outcome(f)});
      }
      const int idx = OneXTwoIndex(decision->selection);
      if (idx < 0) continue;
      const double odds_taken = view.decimal_odds[idx];
      SUPERBET_ASSIGN_OR_RETURN(double stake, Stake(*decision, odds_taken, day_bankroll));
      if (!(stake > 0)) continue;
      if (stake > bankroll_ - committed) {
        ++tally.skipped_stake;
        continue;
      }
      committed += stake;
      BetRecord r;
      r.fixture_id = f.id();
      r.season = f.season();
      r.kickoff = KickoffTime(f);
      r.selection = decision->selection;
      r.decimal_odds = odds_taken;
      r.probability = decision->probability;
      r.stake = stake;
      if (it->second.closing[idx] > 1.0) r.closing_odds = it->second.closing[idx];
      pending.push_back({&f, std::move(r)});
    }
    // Settlement: only now are the day's results read.
    for (PendingBet& p : pending) {
      p.record.won = Outcome(*p.fixture) == OneXTwoIndex(p.record.selection);
      p.record.profit =
          p.record.won ? p.record.stake * (p.record.decimal_odds - 1.0) : -p.record.stake;
      bankroll_ += p.record.profit;
      p.record.bankroll_after = bankroll_;
      bets_.push_back(std::move(p.record));
    }
    for (size_t k = begin; k < end; ++k) history_.push_back(*order[k]);
    return absl::OkStatus();
  }

  Strategy& strategy_;
  const EngineOptions& options_;
  double bankroll_;
  std::vector<Fixture> history_;
  std::vector<BetRecord> bets_;
  std::vector<ForecastRecord> forecasts_;
  absl::flat_hash_map<std::string, SeasonTally> tally_;
  std::vector<std::string> season_order_;
};

}  // namespace

absl::StatusOr<OddsSource> ParseOddsSource(absl::string_view name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "b365") return OddsSource::kBet365;
  if (n == "pinnacle") return OddsSource::kPinnacle;
  if (n == "avg") return OddsSource::kMarketAverage;
  if (n == "max") return OddsSource::kMarketMax;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown odds source '", name, "' (expected b365, pinnacle, avg or max)"));
}

absl::string_view OddsSourceName(OddsSource source) {
  switch (source) {
    case OddsSource::kBet365:
      return "b365";
    case OddsSource::kPinnacle:
      return "pinnacle";
    case OddsSource::kMarketAverage:
      return "avg";
    case OddsSource::kMarketMax:
      return "max";
  }
  return "b365";
}

absl::string_view OddsSourceBookmaker(OddsSource source) {
  switch (source) {
    case OddsSource::kBet365:
      return "Bet365";
    case OddsSource::kPinnacle:
      return "Pinnacle";
    case OddsSource::kMarketAverage:
      return "market_average";
    case OddsSource::kMarketMax:
      return "market_max";
  }
  return "Bet365";
}

absl::StatusOr<Staking> ParseStaking(absl::string_view name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "flat") return Staking::kFlat;
  if (n == "kelly") return Staking::kKelly;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown staking '", name, "' (expected flat or kelly)"));
}

absl::string_view StakingName(Staking staking) {
  return staking == Staking::kKelly ? "kelly" : "flat";
}

absl::StatusOr<BacktestReport> RunBacktest(absl::Span<const Fixture> fixtures,
                                           absl::Span<const BettingLine> lines, Strategy& strategy,
                                           const EngineOptions& options) {
  SUPERBET_RETURN_IF_ERROR(ValidateOptions(options));
  std::vector<const Fixture*> order;
  order.reserve(fixtures.size());
  for (const Fixture& f : fixtures) {
    if (f.has_full_time()) order.push_back(&f);
  }
  std::stable_sort(order.begin(), order.end(), [](const Fixture* a, const Fixture* b) {
    return KickoffTime(*a) < KickoffTime(*b);
  });
  const auto index = IndexLines(lines, OddsSourceBookmaker(options.odds_source));
  Replay replay(strategy, options);
  SUPERBET_RETURN_IF_ERROR(replay.Run(std::move(order), index));
  return replay.Finish();
}

}  // namespace superbet::backtest
