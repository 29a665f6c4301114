#include "superbet/backtest/engine.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "superbet/core/status_macros.h"
#include "superbet/model/fixture.h"
#include "superbet/model/selection.h"
#include "superbet/odds/kelly.h"
#include "superbet/odds/margin.h"

namespace superbet::backtest {
namespace {

using superbet::v1::BettingLine;
using superbet::v1::Fixture;

constexpr double kForecastSumTolerance = 1e-6;

using model::OneXTwoIndex;

// absl::ToCivilDay(t, absl::UTCTimeZone()) without the time-zone lookup: a UTC day is the whole
// number of 86400 s days since the epoch (ToUnixSeconds rounds toward -inf, as does the floor
// division), so the result is the same day for every finite time.
absl::CivilDay UtcDay(absl::Time t) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) {
    return absl::ToCivilDay(t, absl::UTCTimeZone());
  }
  const int64_t s = absl::ToUnixSeconds(t);
  const int64_t days = s / 86400 - (s % 86400 < 0 ? 1 : 0);
  return absl::CivilDay(1970, 1, 1) + days;
}

int Outcome(const Fixture& f) {
  const int h = f.full_time().home(), a = f.full_time().away();
  return h > a ? 0 : (h == a ? 1 : 2);
}

// The lines of one fixture: the source's pre-match 1X2 triple, the source's pre-match lines, and
// the closing 1X2 triple of the CLV closing bookmaker. `visible` points into the `lines` handed to
// RunBacktest (valid for the run): the lines are copied once, into the MatchView of their match.
struct FixtureLines {
  std::array<double, 3> pre{0, 0, 0};
  std::array<double, 3> closing{0, 0, 0};
  std::vector<const BettingLine*> visible;
};

// Keyed by BettingLine::fixture_id, viewed in `lines` (valid for the run).
using LineIndex = absl::flat_hash_map<absl::string_view, FixtureLines>;

LineIndex IndexLines(absl::Span<const BettingLine> lines, absl::string_view bookmaker,
                     absl::string_view closing_bookmaker) {
  LineIndex out;
  for (const BettingLine& l : lines) {
    const bool source = l.bookmaker() == bookmaker;
    const bool close = l.is_closing() && !l.is_live() && l.bookmaker() == closing_bookmaker;
    if (!source && !close) continue;
    FixtureLines& fl = out[l.fixture_id()];
    const int idx = l.market() == superbet::v1::MARKET_1X2 ? OneXTwoIndex(l.selection()) : -1;
    if (close && idx >= 0) fl.closing[idx] = l.decimal_odds();
    if (source && !l.is_closing() && !l.is_live()) {
      fl.visible.push_back(&l);
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

// What the strategy may see of `f`, written into `copy` (reused across matches so that its strings
// and sub-messages keep their storage): every field of `f` except full_time, half_time, statistics
// and elapsed_minute, with status SCHEDULED. Fields are copied one by one rather than copying the
// whole message and clearing: the statistics map is the costly part of a copy. A field added to
// Fixture must be added here (engine_test checks the field count).
void PreKickoffCopy(const Fixture& f, Fixture& copy) {
  copy.set_id(f.id());
  copy.set_provider(f.provider());
  copy.set_competition(f.competition());
  copy.set_season(f.season());
  if (f.has_kickoff()) {
    *copy.mutable_kickoff() = f.kickoff();
  } else {
    copy.clear_kickoff();
  }
  copy.set_kickoff_time_known(f.kickoff_time_known());
  if (f.has_home()) {
    *copy.mutable_home() = f.home();
  } else {
    copy.clear_home();
  }
  if (f.has_away()) {
    *copy.mutable_away() = f.away();
  } else {
    copy.clear_away();
  }
  copy.set_status(superbet::v1::FIXTURE_STATUS_SCHEDULED);
  copy.clear_full_time();
  copy.clear_half_time();
  if (f.has_referee()) {
    copy.set_referee(f.referee());
  } else {
    copy.clear_referee();
  }
  copy.clear_elapsed_minute();
  copy.clear_statistics();
  if (f.has_venue()) {
    copy.set_venue(f.venue());
  } else {
    copy.clear_venue();
  }
  copy.set_round(f.round());
}

// `to` = `from`, field by field into a reused message (its strings and timestamp keep their
// storage): BettingLine's CopyFrom is a Clear plus a generic merge, about four times the
// instructions for these nine fields. A field added to BettingLine must be added here (engine_test
// checks the field count and compares with protobuf's copy).
void CopyLine(const BettingLine& from, BettingLine& to) {
  to.set_fixture_id(from.fixture_id());
  to.set_bookmaker(from.bookmaker());
  to.set_market(from.market());
  if (from.has_line()) {
    to.set_line(from.line());
  } else {
    to.clear_line();
  }
  to.set_selection(from.selection());
  to.set_decimal_odds(from.decimal_odds());
  if (from.has_timestamp()) {
    google::protobuf::Timestamp* ts = to.mutable_timestamp();
    ts->set_seconds(from.timestamp().seconds());
    ts->set_nanos(from.timestamp().nanos());
  } else {
    to.clear_timestamp();
  }
  to.set_is_closing(from.is_closing());
  to.set_is_live(from.is_live());
}

// When the engine takes `f` to be over: kickoff + kMatchDuration when the kickoff time is known;
// the end of its UTC date when only the date is (football-data before 2019/20), so that a match
// whose time is unknown is never taken to be over before any same-day kickoff.
absl::Time EndTime(const Fixture& f, absl::Time kickoff) {
  if (f.kickoff_time_known()) return kickoff + kMatchDuration;
  return absl::FromCivil(UtcDay(kickoff) + 1, absl::UTCTimeZone());
}

// A finished fixture with its replay times.
struct Entry {
  const Fixture* fixture;
  absl::Time kickoff;
  absl::Time end;  // EndTime(*fixture, kickoff).
};

// The entries stably sorted by end time: the order matches join the history.
std::vector<const Entry*> EndOrder(const std::vector<Entry>& by_kickoff) {
  std::vector<const Entry*> by_end;
  by_end.reserve(by_kickoff.size());
  for (const Entry& e : by_kickoff) by_end.push_back(&e);
  std::stable_sort(by_end.begin(), by_end.end(),
                   [](const Entry* a, const Entry* b) { return a->end < b->end; });
  return by_end;
}

// When the input is already every match in the order they end (a season file usually is), the
// history is a prefix of it and needs no copy: this halves a long backtest's memory.
bool HistoryInPlace(absl::Span<const Fixture> input, const std::vector<const Entry*>& by_end) {
  bool in_place = by_end.size() == input.size();
  for (size_t i = 0; in_place && i < by_end.size(); ++i) {
    in_place = by_end[i]->fixture == &input[i];
  }
  return in_place;
}

struct SeasonTally {
  int64_t matches = 0;
  int64_t skipped_no_odds = 0;
  int64_t skipped_stake = 0;
  double start_bankroll = 0;
};

std::string FormatTriple(const std::array<double, 3>& p) {
  return absl::StrCat("(", p[0], ", ", p[1], ", ", p[2], ")");
}

// A strategy's forecast must be a probability vector: each finite in [0, 1], summing to 1.
absl::Status CheckForecast(const std::array<double, 3>& p) {
  double sum = 0;
  for (double x : p) {
    if (!std::isfinite(x) || x < 0 || x > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("forecast ", FormatTriple(p), " has a value that is not finite in [0, 1]"));
    }
    sum += x;
  }
  if (std::abs(sum - 1.0) > kForecastSumTolerance) {
    return absl::InvalidArgumentError(
        absl::StrCat("forecast ", FormatTriple(p), " sums to ", sum, ", not 1"));
  }
  return absl::OkStatus();
}

absl::Status CheckDecision(const Decision& d) {
  if (d.selection != superbet::v1::SELECTION_UNSPECIFIED && OneXTwoIndex(d.selection) < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("selection ", superbet::v1::Selection_Name(d.selection),
                     " is not a 1X2 outcome (SELECTION_HOME, SELECTION_DRAW, SELECTION_AWAY) nor "
                     "SELECTION_UNSPECIFIED for no bet"));
  }
  if (d.probabilities.has_value()) SUPERBET_RETURN_IF_ERROR(CheckForecast(*d.probabilities));
  if (OneXTwoIndex(d.selection) >= 0 &&
      (!std::isfinite(d.probability) || d.probability < 0 || d.probability > 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("probability of the pick ", d.probability, " is not finite in [0, 1]"));
  }
  if (d.stake.has_value() && !(std::isfinite(*d.stake) && *d.stake >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stake chosen by the strategy must be finite and >= 0, got ", *d.stake));
  }
  return absl::OkStatus();
}

// OutOfRange naming the fixture when a money figure stopped being a finite double.
absl::Status CheckFiniteMoney(const Fixture& f, absl::string_view what, double value) {
  if (std::isfinite(value)) return absl::OkStatus();
  return absl::OutOfRangeError(
      absl::StrCat(f.id(), ": ", what, " is not a finite number (", value, ")"));
}

class Replay {
 public:
  Replay(Strategy& strategy, const EngineOptions& options)
      : strategy_(strategy),
        options_(options),
        bet_seasons_(options.bet_seasons.begin(), options.bet_seasons.end()),
        bankroll_(options.initial_bankroll),
        day_bankroll_(options.initial_bankroll) {}

  // `by_kickoff`: the finished fixtures of `input` sorted by kickoff (input order breaks ties);
  // `by_end`: the same by end time (EndOrder); `in_place`: HistoryInPlace.
  absl::Status Run(absl::Span<const Fixture> input, const std::vector<Entry>& by_kickoff,
                   const std::vector<const Entry*>& by_end, bool in_place, const LineIndex& lines) {
    history_in_place_ = in_place;
    input_ = input;
    size_t next_end = 0;
    std::optional<absl::CivilDay> day;
    for (const Entry& e : by_kickoff) {
      // Every match over by this kickoff settles and joins the history; no other does.
      for (; next_end < by_end.size() && by_end[next_end]->end <= e.kickoff; ++next_end) {
        SUPERBET_RETURN_IF_ERROR(Close(*by_end[next_end]));
      }
      const absl::CivilDay d = UtcDay(e.kickoff);
      if (!day.has_value() || *day != d) {
        day = d;
        day_bankroll_ = bankroll_;
      }
      SUPERBET_RETURN_IF_ERROR(Decide(e, lines));
    }
    for (; next_end < by_end.size(); ++next_end) SUPERBET_RETURN_IF_ERROR(Close(*by_end[next_end]));
    return absl::OkStatus();
  }

  absl::StatusOr<BacktestReport> Finish() {
    BacktestReport report;
    report.strategy = strategy_.name();
    report.options = options_;
    report.overall =
        ComputeMetrics(bets_, forecasts_, options_.initial_bankroll, options_.flat_stake);
    report.overall.season = "overall";
    // Each season's records in their order, gathered in one pass (was one pass per season).
    absl::flat_hash_map<absl::string_view, size_t> season_index;
    for (size_t i = 0; i < season_order_.size(); ++i) season_index.emplace(season_order_[i], i);
    std::vector<std::vector<BetRecord>> season_bets(season_order_.size());
    std::vector<std::vector<ForecastRecord>> season_forecasts(season_order_.size());
    for (const BetRecord& b : bets_) {
      const auto it = season_index.find(b.season);
      if (it != season_index.end()) season_bets[it->second].push_back(b);
    }
    for (const ForecastRecord& f : forecasts_) {
      const auto it = season_index.find(f.season);
      if (it != season_index.end()) season_forecasts[it->second].push_back(f);
    }
    for (size_t i = 0; i < season_order_.size(); ++i) {
      const std::string& season = season_order_[i];
      const std::vector<BetRecord>& bets = season_bets[i];
      const std::vector<ForecastRecord>& forecasts = season_forecasts[i];
      const SeasonTally& t = tally_[season];
      Metrics m = ComputeMetrics(bets, forecasts, t.start_bankroll, options_.flat_stake);
      m.season = season;
      m.matches = t.matches;
      m.skipped_no_odds = t.skipped_no_odds;
      m.skipped_stake_over_bankroll = t.skipped_stake;
      report.overall.matches += t.matches;
      report.overall.skipped_no_odds += t.skipped_no_odds;
      report.overall.skipped_stake_over_bankroll += t.skipped_stake;
      SUPERBET_RETURN_IF_ERROR(CheckMetricsFinite(m));
      report.per_season.push_back(std::move(m));
    }
    AddSeasonsWithoutMatches(report);
    SUPERBET_RETURN_IF_ERROR(CheckMetricsFinite(report.overall));
    report.bets = std::move(bets_);
    report.forecasts = std::move(forecasts_);
    return report;
  }

 private:
  // A season named in bet_seasons that had no match at all (a header-only file) still gets its
  // row, with counts 0 and every ratio absent, so a report never silently drops a season asked
  // for; rows follow bet_seasons' order when it is given.
  void AddSeasonsWithoutMatches(BacktestReport& report) const {
    if (options_.bet_seasons.empty()) return;
    std::vector<Metrics> ordered;
    ordered.reserve(options_.bet_seasons.size());
    for (const std::string& season : options_.bet_seasons) {
      auto seen = std::find_if(report.per_season.begin(), report.per_season.end(),
                               [&](const Metrics& m) { return m.season == season; });
      if (seen != report.per_season.end()) {
        ordered.push_back(std::move(*seen));
        continue;
      }
      Metrics empty = ComputeMetrics({}, {}, bankroll_, options_.flat_stake);
      empty.season = season;
      ordered.push_back(std::move(empty));
    }
    report.per_season = std::move(ordered);
  }

  SeasonTally& Tally(const std::string& season) {
    auto [it, inserted] = tally_.try_emplace(season);
    if (inserted) {
      season_order_.push_back(season);
      it->second.start_bankroll = bankroll_;
    }
    return it->second;
  }

  bool Bets(const std::string& season) const {
    return bet_seasons_.empty() || bet_seasons_.contains(season);
  }

  absl::StatusOr<double> Stake(const Decision& d, double odds) {
    if (d.stake.has_value()) return *d.stake;  // The strategy sizes its own bets.
    if (options_.staking == Staking::kFlat) return options_.flat_stake;
    SUPERBET_ASSIGN_OR_RETURN(
        double fraction,
        odds::FractionalKelly(d.probability, odds, options_.kelly_multiplier, options_.kelly_cap));
    return fraction * day_bankroll_;
  }

  // Shows the match to the strategy and, in a season that is bet, records its forecast and bet.
  absl::Status Decide(const Entry& e, const LineIndex& lines) {
    const Fixture& f = *e.fixture;
    const bool bet_season = Bets(f.season());
    SeasonTally* tally = bet_season ? &Tally(f.season()) : nullptr;
    auto it = lines.find(f.id());
    if (it == lines.end() || !ValidTriple(it->second.pre)) {
      if (tally != nullptr) ++tally->skipped_no_odds;
      return absl::OkStatus();
    }
    if (tally != nullptr) ++tally->matches;
    // view_ is reused from match to match: its strings and lines keep their storage.
    MatchView& view = view_;
    PreKickoffCopy(f, view.fixture);
    view.decimal_odds = it->second.pre;
    const std::vector<const BettingLine*>& visible = it->second.visible;
    view.lines.resize(visible.size());
    for (size_t i = 0; i < visible.size(); ++i) CopyLine(*visible[i], view.lines[i]);
    SUPERBET_ASSIGN_OR_RETURN(std::vector<double> fair,
                              odds::RemoveMarginMultiplicative(view.decimal_odds));
    std::copy(fair.begin(), fair.end(), view.market_probabilities.begin());
    const auto decision = strategy_.Decide(view, History());
    const absl::Status checked = decision.ok() ? CheckDecision(*decision) : decision.status();
    if (!checked.ok()) {
      return absl::Status(checked.code(), absl::StrCat(f.id(), ": ", checked.message()));
    }
    if (tally == nullptr) return absl::OkStatus();  // Seen by the strategy only (warm-up).
    if (decision->probabilities.has_value()) {
      forecasts_.push_back({f.season(), *decision->probabilities, Outcome(f)});
    }
    const int idx = OneXTwoIndex(decision->selection);
    if (idx < 0) return absl::OkStatus();
    const double odds_taken = view.decimal_odds[idx];
    SUPERBET_ASSIGN_OR_RETURN(double stake, Stake(*decision, odds_taken));
    SUPERBET_RETURN_IF_ERROR(CheckFiniteMoney(f, "the stake", stake));
    if (!(stake > 0)) return absl::OkStatus();
    if (stake > bankroll_ - outstanding_) {
      ++tally->skipped_stake;
      return absl::OkStatus();
    }
    if (options_.on_bet) {
      const absl::Status observed =
          options_.on_bet({&view, &*decision, stake, bankroll_ - outstanding_, e.kickoff});
      if (!observed.ok()) {
        return absl::Status(observed.code(), absl::StrCat(f.id(), ": ", observed.message()));
      }
    }
    outstanding_ += stake;
    BetRecord& r = pending_[&f];
    r.fixture_id = f.id();
    r.season = f.season();
    r.kickoff = e.kickoff;
    r.selection = decision->selection;
    r.decimal_odds = odds_taken;
    r.probability = decision->probability;
    r.stake = stake;
    if (it->second.closing[idx] > 1.0) r.closing_odds = it->second.closing[idx];
    return absl::OkStatus();
  }

  // The match of `e` is over: its bet (if any) settles at the odds taken, then it joins the
  // history. Only now is its result read.
  absl::Status Close(const Entry& e) {
    const Fixture& f = *e.fixture;
    if (auto it = pending_.find(&f); it != pending_.end()) {
      BetRecord r = std::move(it->second);
      pending_.erase(it);
      r.won = Outcome(f) == OneXTwoIndex(r.selection);
      r.profit = r.won ? r.stake * (r.decimal_odds - 1.0) : -r.stake;
      SUPERBET_RETURN_IF_ERROR(CheckFiniteMoney(f, "the profit", r.profit));
      outstanding_ -= r.stake;
      bankroll_ += r.profit;
      turnover_ += r.stake;
      pnl_ += r.profit;
      SUPERBET_RETURN_IF_ERROR(CheckFiniteMoney(f, "the bankroll after settlement", bankroll_));
      SUPERBET_RETURN_IF_ERROR(CheckFiniteMoney(f, "the turnover", turnover_));
      SUPERBET_RETURN_IF_ERROR(CheckFiniteMoney(f, "the P&L", pnl_));
      r.bankroll_after = bankroll_;
      bets_.push_back(std::move(r));
    }
    if (history_in_place_) {
      ++history_size_;
    } else {
      history_.push_back(f);
    }
    return absl::OkStatus();
  }

  Strategy& strategy_;
  const EngineOptions& options_;
  MatchView view_;  // What the strategy sees of the current match (Decide).
  absl::flat_hash_set<std::string> bet_seasons_;  // Empty: every season.
  double bankroll_;         // Cash after every settled bet (outstanding stakes not deducted).
  double day_bankroll_;     // bankroll_ at the first kickoff of the current UTC day (Kelly base).
  double outstanding_ = 0;  // Stakes of the bets not settled yet.
  double turnover_ = 0, pnl_ = 0;  // Running totals, checked finite at each settlement.
  // The matches over so far, in the order they ended: a prefix of the input when it is in that
  // order (history_in_place_), else copies.
  absl::Span<const Fixture> History() const {
    return history_in_place_ ? input_.first(history_size_) : absl::MakeConstSpan(history_);
  }
  absl::Span<const Fixture> input_;
  bool history_in_place_ = false;
  size_t history_size_ = 0;
  std::vector<Fixture> history_;
  absl::flat_hash_map<const Fixture*, BetRecord> pending_;  // Bets whose match is not over.
  std::vector<BetRecord> bets_;
  std::vector<ForecastRecord> forecasts_;
  absl::flat_hash_map<std::string, SeasonTally> tally_;
  std::vector<std::string> season_order_;
};

// One enum<->name table per enum (STYLE.md): the flag spelling, and for odds/closing sources the
// BettingLine.bookmaker they read (empty where it depends on another option).
template <typename E>
struct EnumName {
  E value;
  absl::string_view name;
  absl::string_view bookmaker;
};

constexpr EnumName<OddsSource> kOddsSources[] = {
    {OddsSource::kBet365, "b365", "Bet365"},
    {OddsSource::kPinnacle, "pinnacle", "Pinnacle"},
    {OddsSource::kMarketAverage, "avg", "market_average"},
    {OddsSource::kMarketMax, "max", "market_max"}};
constexpr EnumName<ClosingSource> kClosingSources[] = {
    {ClosingSource::kPinnacle, "pinnacle", "Pinnacle"},
    {ClosingSource::kOddsSource, "source", ""},
    {ClosingSource::kMarketAverage, "avg", "market_average"}};
constexpr EnumName<Staking> kStakings[] = {{Staking::kFlat, "flat", ""},
                                           {Staking::kKelly, "kelly", ""}};

template <typename E, size_t N>
const EnumName<E>& EnumEntry(const EnumName<E> (&table)[N], E value) {
  for (const EnumName<E>& e : table) {
    if (e.value == value) return e;
  }
  return table[0];  // Unreachable for a valid enum value.
}

// The value whose name is `name` (ASCII case ignored). Errors: InvalidArgument naming the text
// and the accepted names: "unknown odds source 'x' (expected b365, pinnacle, avg or max)".
template <typename E, size_t N>
absl::StatusOr<E> ParseEnum(const EnumName<E> (&table)[N], absl::string_view name,
                            absl::string_view what) {
  const std::string lower = absl::AsciiStrToLower(name);
  std::string expected;
  for (size_t i = 0; i < N; ++i) {
    if (lower == table[i].name) return table[i].value;
    absl::StrAppend(&expected, i == 0 ? "" : (i + 1 == N ? " or " : ", "), table[i].name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " '", name, "' (expected ", expected, ")"));
}

}  // namespace

absl::StatusOr<OddsSource> ParseOddsSource(absl::string_view name) {
  return ParseEnum(kOddsSources, name, "odds source");
}

absl::string_view OddsSourceName(OddsSource source) { return EnumEntry(kOddsSources, source).name; }

absl::string_view OddsSourceBookmaker(OddsSource source) {
  return EnumEntry(kOddsSources, source).bookmaker;
}

absl::StatusOr<ClosingSource> ParseClosingSource(absl::string_view name) {
  return ParseEnum(kClosingSources, name, "closing source");
}

absl::string_view ClosingSourceName(ClosingSource source) {
  return EnumEntry(kClosingSources, source).name;
}

std::string ClosingBookmaker(ClosingSource source, OddsSource odds_source) {
  if (source == ClosingSource::kOddsSource) return std::string(OddsSourceBookmaker(odds_source));
  return std::string(EnumEntry(kClosingSources, source).bookmaker);
}

absl::StatusOr<Staking> ParseStaking(absl::string_view name) {
  return ParseEnum(kStakings, name, "staking");
}

absl::string_view StakingName(Staking staking) { return EnumEntry(kStakings, staking).name; }

struct ReplayInput::Data {
  absl::Span<const Fixture> fixtures;
  std::vector<Entry> by_kickoff;     // The finished fixtures, stably sorted by kickoff.
  std::vector<const Entry*> by_end;  // EndOrder(by_kickoff).
  bool history_in_place = false;     // HistoryInPlace(fixtures, by_end).
  LineIndex index;
  OddsSource odds_source;
  ClosingSource clv_closing_source;
};

absl::StatusOr<ReplayInput> ReplayInput::Build(absl::Span<const Fixture> fixtures,
                                               absl::Span<const BettingLine> lines,
                                               OddsSource odds_source,
                                               ClosingSource clv_closing_source) {
  auto data = std::make_shared<Data>();
  data->fixtures = fixtures;
  data->odds_source = odds_source;
  data->clv_closing_source = clv_closing_source;
  std::vector<Entry>& by_kickoff = data->by_kickoff;
  by_kickoff.reserve(fixtures.size());
  for (const Fixture& f : fixtures) {
    if (!f.has_full_time()) continue;
    const std::optional<absl::Time> kickoff = model::KickoffTime(f);
    if (!kickoff.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(f.id(), ": a finished fixture has no kickoff"));
    }
    by_kickoff.push_back({&f, *kickoff, EndTime(f, *kickoff)});
  }
  std::stable_sort(by_kickoff.begin(), by_kickoff.end(),
                   [](const Entry& a, const Entry& b) { return a.kickoff < b.kickoff; });
  data->by_end = EndOrder(by_kickoff);
  data->history_in_place = HistoryInPlace(fixtures, data->by_end);
  data->index = IndexLines(lines, OddsSourceBookmaker(odds_source),
                           ClosingBookmaker(clv_closing_source, odds_source));
  return ReplayInput(std::move(data));
}

OddsSource ReplayInput::odds_source() const { return data_->odds_source; }

ClosingSource ReplayInput::clv_closing_source() const { return data_->clv_closing_source; }

absl::StatusOr<BacktestReport> RunBacktest(const ReplayInput& input, Strategy& strategy,
                                           const EngineOptions& options) {
  SUPERBET_RETURN_IF_ERROR(ValidateOptions(options));
  if (options.odds_source != input.odds_source() ||
      options.clv_closing_source != input.clv_closing_source()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the replay input was built for odds source ", OddsSourceName(input.odds_source()),
        " and closing source ", ClosingSourceName(input.clv_closing_source()),
        ", the options ask for ", OddsSourceName(options.odds_source), " and ",
        ClosingSourceName(options.clv_closing_source)));
  }
  const ReplayInput::Data& data = input.data();
  Replay replay(strategy, options);
  SUPERBET_RETURN_IF_ERROR(
      replay.Run(data.fixtures, data.by_kickoff, data.by_end, data.history_in_place, data.index));
  return replay.Finish();
}

absl::StatusOr<BacktestReport> RunBacktest(absl::Span<const Fixture> fixtures,
                                           absl::Span<const BettingLine> lines, Strategy& strategy,
                                           const EngineOptions& options) {
  SUPERBET_RETURN_IF_ERROR(ValidateOptions(options));
  SUPERBET_ASSIGN_OR_RETURN(
      ReplayInput input,
      ReplayInput::Build(fixtures, lines, options.odds_source, options.clv_closing_source));
  return RunBacktest(input, strategy, options);
}

absl::StatusOr<std::vector<BacktestReport>> RunBacktests(absl::Span<const Fixture> fixtures,
                                                         absl::Span<const BettingLine> lines,
                                                         absl::Span<Strategy* const> strategies,
                                                         const EngineOptions& options) {
  if (strategies.empty()) return absl::InvalidArgumentError("RunBacktests needs a strategy, got 0");
  std::vector<BacktestReport> reports;
  reports.reserve(strategies.size());
  for (size_t i = 0; i < strategies.size(); ++i) {
    if (strategies[i] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("strategies[", i, "] is null"));
    }
    absl::StatusOr<BacktestReport> r = RunBacktest(fixtures, lines, *strategies[i], options);
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          absl::StrCat(strategies[i]->name(), ": ", r.status().message()));
    }
    reports.push_back(*std::move(r));
  }
  return reports;
}

}  // namespace superbet::backtest
