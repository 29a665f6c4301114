#include "superbet/hrl/live_env.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "superbet/model/masking.h"
#include "superbet/odds/margin.h"
#include "superbet/reward/reward.h"

namespace superbet::hrl {
namespace {

constexpr int kSlotImplied = 14;
constexpr int kSlotOddsMask = 17;
constexpr int kSlotAvgDa = 18;
constexpr int kSlotAvgDaMask = 21;
constexpr int kSlotBudget = 24;
constexpr int kSlotSigma = 25;
constexpr std::array<int, 3> kMomentumMinutes = {1, 5, 15};
constexpr int kSigmaMinutes = 15;
constexpr double kNeutralMeanOdds = 2.0;  // ō before the first settled bet.

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::optional<double> DangerousAttacks(const v1::LiveMatchState& s) {
  if (!s.home().has_dangerous_attacks() || !s.away().has_dangerous_attacks()) return std::nullopt;
  return static_cast<double>(s.home().dangerous_attacks() + s.away().dangerous_attacks());
}

// Raw sd of 1-minute log changes of selection `sel` over minutes max(0, k-15) .. k; nullopt when
// fewer than 3 consecutive quoted prices end at k.
std::optional<double> RawSd(const LiveMatch& m, int k, int sel, double median, double floor) {
  std::vector<double> prices;
  for (int j = k; j >= 0 && j >= k - kSigmaMinutes; --j) {
    if (!m.quoted[j][sel].has_value()) break;
    prices.push_back(*m.quoted[j][sel]);
  }
  if (prices.size() < 3) return std::nullopt;
  std::reverse(prices.begin(), prices.end());
  absl::StatusOr<double> s = reward::Sigma(prices, median, floor);
  if (!s.ok()) return std::nullopt;
  return *s;
}

}  // namespace

const char* LiveActionName(int action) {
  switch (action) {
    case kBetHome:
      return "bet_home";
    case kBetAway:
      return "bet_away";
    case kNoBet:
      return "no_bet";
  }
  return "unknown";
}

const std::vector<std::string>& LiveSlotNames() {
  static const std::vector<std::string>* names = [] {
    auto* n = new std::vector<std::string>();
    const model::FeatureSpec& spec = model::FeatureSpec::Default();
    for (const auto& f : spec.features()) n->push_back(f.name);
    for (const auto& f : spec.features()) n->push_back("mask." + f.name);
    for (const char* s : {"implied.home", "implied.draw", "implied.away", "odds_mask", "avg_da_1m",
                          "avg_da_5m", "avg_da_15m", "mask.avg_da_1m", "mask.avg_da_5m",
                          "mask.avg_da_15m", "budget_ratio", "sigma"}) {
      n->push_back(s);
    }
    while (n->size() < kLiveInputWidth) n->push_back(absl::StrCat("unused.", n->size()));
    return n;
  }();
  return *names;
}

absl::StatusOr<LiveMatch> PrepareLiveMatch(const providers::statsbomb::Timeline& timeline,
                                           const InPlayPriceOptions& prices) {
  if (absl::Status s = ValidateInPlayPriceOptions(prices); !s.ok()) return s;
  const std::string& id = timeline.fixture.id();
  LiveMatch m;
  m.match_id = id;
  m.home = timeline.fixture.home().name();
  m.away = timeline.fixture.away().name();
  for (size_t k = 0; k < timeline.states.size(); ++k) {
    const v1::LiveMatchState& s = timeline.states[k];
    if (s.minute() != static_cast<int>(k)) {
      return absl::InvalidArgumentError(absl::StrCat("match ", id, ": state ", k, " has minute ",
                                                     s.has_minute() ? s.minute() : -1));
    }
    if (s.status() == v1::FIXTURE_STATUS_FINISHED) {
      m.full_time = s;
      break;
    }
    m.states.push_back(s);
  }
  if (m.states.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("match ", id, ": no LIVE state"));
  }
  if (m.full_time.status() != v1::FIXTURE_STATUS_FINISHED || !m.full_time.has_score_home() ||
      !m.full_time.has_score_away()) {
    return absl::InvalidArgumentError(absl::StrCat("match ", id, ": no full-time score"));
  }
  const v1::LiveMatchState& first = m.states.front();
  if (!first.has_live_odds()) {
    return absl::InvalidArgumentError(absl::StrCat("match ", id, ": no pre-match 1X2 joined"));
  }
  m.prematch_decimal_odds = {first.live_odds().home(), first.live_odds().draw(),
                             first.live_odds().away()};
  for (int i = 0; i < 3; ++i) {
    const double o = m.prematch_decimal_odds[i];
    if (!std::isfinite(o) || o <= 1.0) {
      return absl::InvalidArgumentError(
          absl::StrCat("match ", id, ": pre-match odds [", i, "] must be > 1, got ", o));
    }
  }
  absl::StatusOr<std::vector<double>> fair =
      odds::RemoveMarginMultiplicative(m.prematch_decimal_odds);
  if (!fair.ok()) return fair.status();
  absl::StatusOr<PoissonRates> rates = FitPoissonRates({(*fair)[0], (*fair)[1], (*fair)[2]});
  if (!rates.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("match ", id, ": ", rates.status().message()));
  }
  m.rates = *rates;
  m.quoted.reserve(m.states.size());
  for (const v1::LiveMatchState& s : m.states) {
    if (!s.has_score_home() || !s.has_score_away()) {
      m.quoted.push_back({});
      continue;
    }
    m.quoted.push_back(QuotePrices(InPlayProbabilities(m.rates, s.minute(), s.score_home(),
                                                       s.score_away(), prices.match_minutes),
                                   prices));
  }
  return m;
}

absl::StatusOr<double> MedianPriceVolatility(absl::Span<const LiveMatch> matches) {
  std::vector<double> sds;
  for (const LiveMatch& m : matches) {
    for (int k = 2; k < static_cast<int>(m.states.size()); ++k) {
      if (auto sd = RawSd(m, k, 0, 1.0, 0.0); sd.has_value()) sds.push_back(*sd);
    }
  }
  if (sds.empty()) {
    return absl::FailedPreconditionError("no 3-minute window of quoted home prices");
  }
  std::sort(sds.begin(), sds.end());
  const size_t n = sds.size();
  return n % 2 == 1 ? sds[n / 2] : 0.5 * (sds[n / 2 - 1] + sds[n / 2]);
}

absl::StatusOr<LiveEnv> LiveEnv::Create(std::vector<LiveMatch> matches,
                                        const LiveEnvOptions& options) {
  if (absl::Status s = ValidateInPlayPriceOptions(options.prices); !s.ok()) return s;
  if (matches.empty()) return absl::InvalidArgumentError("LiveEnv needs at least one match");
  auto bad = [](const char* field, double v) {
    return absl::InvalidArgumentError(absl::StrCat(field, " out of range, got ", v));
  };
  if (!(options.initial_bankroll > 0) || !std::isfinite(options.initial_bankroll)) {
    return bad("initial_bankroll (> 0)", options.initial_bankroll);
  }
  if (!(options.stake_fraction > 0 && options.stake_fraction <= 0.05)) {
    return bad("stake_fraction (in (0, 0.05])", options.stake_fraction);
  }
  if (!(options.min_stake >= 0) || !std::isfinite(options.min_stake)) {
    return bad("min_stake (>= 0)", options.min_stake);
  }
  if (options.max_bets_per_match < 1) {
    return bad("max_bets_per_match (>= 1)", options.max_bets_per_match);
  }
  if (!(options.sigma_training_median_sd > 0) || !std::isfinite(options.sigma_training_median_sd)) {
    return bad("sigma_training_median_sd (> 0)", options.sigma_training_median_sd);
  }
  if (options.bankroll_reset_episodes < 0) {
    return bad("bankroll_reset_episodes (>= 0)", options.bankroll_reset_episodes);
  }
  if (!(options.snapshot_dropout >= 0 && options.snapshot_dropout < 1)) {
    return bad("snapshot_dropout (in [0, 1))", options.snapshot_dropout);
  }
  LiveEnv env(std::move(matches), options);
  env.ResetBankroll();
  return env;
}

void LiveEnv::ResetBankroll() {
  bankroll_ = options_.initial_bankroll;
  open_stakes_ = 0;
  last10_.clear();
  stats_ = Stats();
  bets_.clear();
  episode_ = -1;
  episodes_started_ = 0;
}

bool LiveEnv::Dropped(int minute) const {
  if (options_.snapshot_dropout <= 0 || minute == 0) return false;
  const uint64_t h =
      SplitMix(options_.seed ^ SplitMix(static_cast<uint64_t>(episode_) * 1000003ULL + minute));
  return static_cast<double>(h >> 11) * 0x1.0p-53 < options_.snapshot_dropout;
}

double LiveEnv::SigmaOf(int minute, int sel) const {
  const auto sd = RawSd(matches_[episode_], minute, sel, options_.sigma_training_median_sd, 0.1);
  return sd.value_or(1.0);
}

void LiveEnv::WriteRow(int k) {
  std::array<float, kLiveInputWidth> row{};
  const bool dropped = Dropped(k);
  valid_[k] = dropped ? 0 : 1;
  if (!dropped) {
    const LiveMatch& m = matches_[episode_];
    const v1::LiveMatchState& s = m.states[k];
    const model::MaskedFeatures f = model::Mask(s);
    for (int i = 0; i < model::kLiveFeatureCount; ++i) {
      row[i] = f.value[i];
      row[model::kLiveFeatureCount + i] = f.mask[i];
    }
    const auto& q = m.quoted[k];
    if (q[0] && q[1] && q[2]) {
      for (int i = 0; i < 3; ++i) row[kSlotImplied + i] = static_cast<float>(1.0 / *q[i]);
      row[kSlotOddsMask] = 1;
    }
    const std::optional<double> da = DangerousAttacks(s);
    for (int i = 0; i < 3; ++i) {
      const int w = kMomentumMinutes[i];
      if (k - w < 0 || !da) continue;
      const std::optional<double> before = DangerousAttacks(m.states[k - w]);
      if (!before) continue;
      row[kSlotAvgDa + i] = static_cast<float>((*da - *before) / w);
      row[kSlotAvgDaMask + i] = 1;
    }
    row[kSlotBudget] = static_cast<float>((bankroll_ - open_stakes_) / options_.initial_bankroll);
    row[kSlotSigma] = static_cast<float>(0.5 * (SigmaOf(k, 0) + SigmaOf(k, 2)));
    last_valid_minute_ = k;
  }
  rows_[k] = row;
}

void LiveEnv::WriteObservation(absl::Span<float> observation, absl::Span<float> valid) const {
  for (int t = 0; t < kLiveWindow; ++t) {
    const int k = minute_ - (kLiveWindow - 1) + t;
    float* dst = observation.data() + t * kLiveInputWidth;
    if (k < 0 || !valid_[k]) {
      std::fill(dst, dst + kLiveInputWidth, 0.0f);
      valid[t] = 0;
    } else {
      std::copy(rows_[k].begin(), rows_[k].end(), dst);
      valid[t] = 1;
    }
  }
}

double LiveEnv::data_staleness_s() const {
  if (last_valid_minute_ < 0) return 0;  // Kick-off is always observed.
  return 60.0 * (minute_ - last_valid_minute_);
}

const std::array<std::optional<double>, 3>& LiveEnv::current_prices() const {
  return matches_[episode_].quoted[minute_];
}

absl::Status LiveEnv::Reset(int episode, absl::Span<float> observation,
                            absl::Span<float> step_valid) {
  if (episode < 0 || episode >= episodes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("episode must be in [0, ", episodes(), "), got ", episode));
  }
  if (observation.size() != kLiveWindow * kLiveInputWidth || step_valid.size() != kLiveWindow) {
    return absl::InvalidArgumentError(absl::StrCat(
        "observation must hold ", kLiveWindow * kLiveInputWidth, " floats and step_valid ",
        kLiveWindow, ", got ", observation.size(), " and ", step_valid.size()));
  }
  if (options_.bankroll_reset_episodes > 0 &&
      episodes_started_ >= options_.bankroll_reset_episodes) {
    bankroll_ = options_.initial_bankroll;
    open_stakes_ = 0;
    last10_.clear();
    episodes_started_ = 0;
  }
  ++episodes_started_;
  episode_ = episode;
  minute_ = 0;
  bets_this_match_ = 0;
  last_valid_minute_ = -1;
  open_bets_.clear();
  const size_t n = matches_[episode].states.size();
  rows_.assign(n, {});
  valid_.assign(n, 0);
  WriteRow(0);
  WriteObservation(observation, step_valid);
  return absl::OkStatus();
}

absl::Status LiveEnv::Step(int action, double confidence, absl::Span<float> observation,
                           absl::Span<float> step_valid, EnvStep* out) {
  if (episode_ < 0) return absl::FailedPreconditionError("LiveEnv::Step before Reset");
  if (action < 0 || action > 2) {
    return absl::InvalidArgumentError(absl::StrCat("action must be 0, 1 or 2, got ", action));
  }
  if (observation.size() != kLiveWindow * kLiveInputWidth || step_valid.size() != kLiveWindow) {
    return absl::InvalidArgumentError("observation or step_valid of the wrong size");
  }
  *out = EnvStep();
  const LiveMatch& m = matches_[episode_];
  const double staleness_s = data_staleness_s();
  bool placed = false;
  if (action != kNoBet) {
    const int sel = action == kBetHome ? 0 : 2;
    const double free = bankroll_ - open_stakes_;
    const double stake = options_.stake_fraction * free;
    const v1::LiveMatchState& s = m.states[minute_];
    std::optional<double> price;
    if (s.has_score_home() && s.has_score_away()) {
      const double at = minute_ + options_.prices.latency_s / 60.0;
      price = QuotePrices(InPlayProbabilities(m.rates, at, s.score_home(), s.score_away(),
                                              options_.prices.match_minutes),
                          options_.prices)[sel];
    }
    if (bets_this_match_ < options_.max_bets_per_match && price.has_value() &&
        stake >= options_.min_stake && stake > 0) {
      LiveBet bet;
      bet.match_id = m.match_id;
      bet.minute = minute_;
      bet.action = action;
      bet.decimal_odds = *price;
      bet.stake = stake;
      bet.bankroll_before = free;
      bet.confidence = confidence;
      bet.data_staleness_s = staleness_s;
      // A goal between minute k and k + 1 may have come within the bet delay: refused.
      const size_t next = static_cast<size_t>(minute_) + 1;
      const v1::LiveMatchState& after = next < m.states.size() ? m.states[next] : m.full_time;
      bet.void_latency = options_.prices.latency_s > 0 && (after.score_home() != s.score_home() ||
                                                           after.score_away() != s.score_away());
      open_stakes_ += stake;
      ++bets_this_match_;
      ++stats_.bets_placed;
      open_bets_.emplace_back(minute_, bet);
      placed = true;
    } else {
      ++stats_.bets_not_placed;
    }
  }
  ++stats_.steps;
  if (!placed) {
    reward::RewardInputs in;
    in.payout = 0;
    in.stake = 0;
    in.sigma = SigmaOf(minute_, 0);
    in.rho = reward::Rho(confidence);
    in.budget_remaining = bankroll_;
    in.initial_budget = options_.initial_bankroll;
    in.data_staleness_s = staleness_s;
    int wins = 0;
    double odds_sum = 0;
    for (const auto& [won, o] : last10_) wins += won, odds_sum += o;
    in.win_rate_last10 = last10_.empty() ? 0.0 : static_cast<double>(wins) / last10_.size();
    in.mean_decimal_odds_last10 = last10_.empty() ? kNeutralMeanOdds : odds_sum / last10_.size();
    absl::StatusOr<reward::RewardTerms> r = reward::ComputeReward(in);
    if (!r.ok()) return r.status();
    out->reward = r->reward;
  }
  ++minute_;
  if (minute_ >= static_cast<int>(m.states.size())) {
    out->done = true;
    return Settle(out);
  }
  WriteRow(minute_);
  WriteObservation(observation, step_valid);
  return absl::OkStatus();
}

absl::Status LiveEnv::Settle(EnvStep* out) {
  const LiveMatch& m = matches_[episode_];
  const int diff = m.full_time.score_home() - m.full_time.score_away();
  const int outcome = diff > 0 ? 0 : (diff == 0 ? 1 : 2);
  out->outcome = outcome;
  for (auto& [step, bet] : open_bets_) {
    const bool won =
        (bet.action == kBetHome && outcome == 0) || (bet.action == kBetAway && outcome == 2);
    bet.payout = bet.void_latency ? bet.stake : (won ? bet.stake * bet.decimal_odds : 0.0);
    open_stakes_ -= bet.stake;
    bankroll_ += bet.payout - bet.stake;
    if (bet.void_latency) {
      ++stats_.bets_void_latency;
    } else {
      last10_.emplace_back(bet.payout > bet.stake, bet.decimal_odds);
      if (last10_.size() > 10) last10_.pop_front();
      stats_.bets_won += won ? 1 : 0;
      stats_.staked += bet.stake;
      stats_.profit += bet.payout - bet.stake;
    }
    reward::RewardInputs in;
    in.payout = bet.void_latency ? 0 : bet.payout;
    in.stake = bet.void_latency ? 0 : bet.stake;
    in.sigma = SigmaOf(bet.minute, bet.action == kBetHome ? 0 : 2);
    in.rho = reward::Rho(bet.confidence);
    in.budget_remaining = std::max(0.0, bankroll_);
    in.initial_budget = options_.initial_bankroll;
    in.data_staleness_s = bet.data_staleness_s;
    int wins = 0;
    double odds_sum = 0;
    for (const auto& [w, o] : last10_) wins += w, odds_sum += o;
    in.win_rate_last10 = last10_.empty() ? 0.0 : static_cast<double>(wins) / last10_.size();
    in.mean_decimal_odds_last10 = last10_.empty() ? kNeutralMeanOdds : odds_sum / last10_.size();
    absl::StatusOr<reward::RewardTerms> r = reward::ComputeReward(in);
    if (!r.ok()) return r.status();
    bet.reward = r->reward;
    out->deferred.push_back({step, r->reward});
    bets_.push_back(bet);
  }
  open_bets_.clear();
  open_stakes_ = 0;
  episode_ = -1;
  return absl::OkStatus();
}

}  // namespace superbet::hrl
