// LiveEnv: replays recorded matches minute by minute "as if live" for the live worker.
//
// IN-PLAY PRICES ARE MODELLED, NOT RECORDED (superbet/hrl/live_prices.h): the only real prices
// are the football-data.co.uk pre-match 1X2 joined to each StatsBomb timeline; every in-play price
// the environment quotes and settles at comes from the Poisson model calibrated to them.
//
// Episode = one match. Step k = the decision at match minute k (k = 0 .. L, the last LIVE state
// of the timeline; the full-time state is used only for settlement). Actions (at most one per
// match-minute): kBetHome, kBetAway, kNoBet.
//
// Observation: the last T = 10 minutes (k − 9 .. k, oldest first) of 64-slot rows, live-v1:
//    0- 6  the masked default live features (superbet/model/masking.h: minute, score_home,
//          score_away, xg_home, xg_away, dangerous_attacks = home + away, staleness_norm)
//    7-13  their masks
//   14-16  implied probabilities 1/o of the modelled in-play prices (home, draw, away), including
//          the book's margin
//   17     odds mask: 1 when all three prices are quoted; otherwise 14-17 are all 0
//   18-20  momentum avg_da over the last 1, 5 and 15 minutes: (DA(k) − DA(k − w)) / w, with DA the
//          home + away dangerous attacks (per minute)
//   21-23  their masks (1 when k − w >= 0 and both DA values are observed)
//   24     B/B₀: the bankroll not tied up in open bets over the initial bankroll, at that minute
//   25     σ: market volatility at that minute, the mean over home and away prices of
//          reward::Sigma (15-minute window, the environment's training median, floor 0.1); 1 when
//          fewer than 3 consecutive prices are quoted
//   26-63  0
// and a [T] step-validity mask: 0 for minutes before kick-off and for minutes whose snapshot was
// dropped (options.snapshot_dropout, a seeded coverage dropout; the row is then all 0). A row is
// written once, at its minute, from states[0 .. minute] only: later minutes and the result are
// never read before settlement (tested by altering them).
//
// Bets: stake = options.stake_fraction of the free bankroll (what is not in open bets), at most
// options.max_bets_per_match per match (a further bet action, a bet whose pick is not quoted or
// whose stake would be below options.min_stake is not placed: counted in
// Stats::bets_not_placed, played as no_bet). The bet is matched at the price of minute
// k + latency_s / 60 with the score of minute k; when the score of minute k + 1 differs and
// latency_s > 0 (a goal may have come within the delay), the bookmaker refuses: the bet is void
// (stake returned, counted in Stats::bets_void_latency). Bets are settled on the final score
// after the last minute.
//
// Reward (reward::ComputeReward, the decided final form with default options): a no_bet (or
// unplaced) minute gets R with stake 0 at once; a placed bet's R is computed at settlement with
// its payout, σ and ρ = reward::Rho(confidence) of its minute, B after settlement, τ = its data
// staleness, and WR₁₀ and ō of the last 10 settled bets including it (ō = 2.00 before the first
// settled bet), and is delivered as a DeferredReward for its step.
//
// Bankroll and win-rate history persist across episodes until ResetBankroll(), or until
// options.bankroll_reset_episodes episodes have started since the last reset (training replays
// the matches pass after pass, each pass from B₀); statistics persist until ResetBankroll().
// Thread-safety: not thread-safe. Owns copies of the matches it was given.

#ifndef SUPERBET_HRL_LIVE_ENV_H_
#define SUPERBET_HRL_LIVE_ENV_H_

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "superbet/hrl/episodic_env.h"
#include "superbet/hrl/live_prices.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::hrl {

inline constexpr int kLiveInputWidth = 64;  // Slots per row.
inline constexpr int kLiveWindow = 10;      // T, one-minute steps.
inline constexpr char kLiveFeatureSpecName[] = "live-v1";
inline constexpr int kLiveFeatureSpecVersion = 1;

enum LiveAction : int { kBetHome = 0, kBetAway = 1, kNoBet = 2 };

// "bet_home", "bet_away", "no_bet".
const char* LiveActionName(int action);

// The 64 slot names of live-v1 in order ("minute", ..., "mask.minute", ..., "implied.home", ...,
// "odds_mask", "avg_da_1m", ..., "budget_ratio", "sigma", "unused.26", ...).
const std::vector<std::string>& LiveSlotNames();

struct LiveEnvOptions {
  InPlayPriceOptions prices;
  double initial_bankroll = 10000.0;  // B₀, > 0.
  double stake_fraction = 0.05;       // Of the free bankroll, in (0, 0.05] (the gate's cap).
  double min_stake = 1.0;             // Below it no bet is placed, >= 0.
  int max_bets_per_match = 1;         // >= 1.
  // σ's normaliser: the training matches' median sd of 1-minute log price changes over 15
  // minutes (MedianPriceVolatility), > 0.
  double sigma_training_median_sd = 0.01;
  double snapshot_dropout = 0.0;  // Probability a minute's snapshot is missing, in [0, 1).
  uint64_t seed = 1;              // Seeds the dropout (a hash of seed, match and minute).
  // > 0: bankroll and win-rate history go back to B₀ and empty every this many episodes (at the
  // start of the episode); 0 = never (one continuous bankroll).
  int bankroll_reset_episodes = 0;
};

// One placed bet, for reports and the ledger.
struct LiveBet {
  std::string match_id;
  int minute = 0;
  int action = kNoBet;      // kBetHome or kBetAway.
  double decimal_odds = 0;  // Modelled price matched (after latency).
  double stake = 0;
  double bankroll_before = 0;  // Free bankroll at the decision.
  double confidence = 0;
  double data_staleness_s = 0;
  bool void_latency = false;  // Refused: a goal within the bet delay (stake returned).
  double payout = 0;          // Gross, at settlement.
  double reward = 0;          // R at settlement.
};

// A timeline prepared for replay: the modelled prices of each minute.
struct LiveMatch {
  std::string match_id;  // "statsbomb:<id>".
  std::string home, away;
  std::vector<superbet::v1::LiveMatchState> states;  // LIVE states only (minute k at index k).
  superbet::v1::LiveMatchState full_time;            // The last (FINISHED) state.
  std::array<double, 3> prematch_decimal_odds{};     // The joined pre-match 1X2.
  PoissonRates rates{};
  // quoted[k]: the modelled prices at minute k with the score of minute k.
  std::vector<std::array<std::optional<double>, 3>> quoted;
};

// Prepares one timeline (football-data odds attached). Errors: InvalidArgument naming the match
// when it has no LIVE state, no pre-match 1X2 (live_odds) or a bad price ("match statsbomb:1:
// pre-match odds [1] must be > 1, got 0.97"), or when a state's minute differs from its index.
[[nodiscard]] absl::StatusOr<LiveMatch> PrepareLiveMatch(
    const superbet::providers::statsbomb::Timeline& timeline, const InPlayPriceOptions& prices);

// The median over every minute k >= 2 of every match of the raw sd of the 1-minute log changes of
// the home price over the last 15 minutes (windows with an unquoted price are skipped).
// Errors: FailedPrecondition when no window qualifies.
[[nodiscard]] absl::StatusOr<double> MedianPriceVolatility(absl::Span<const LiveMatch> matches);

class LiveEnv final : public EpisodicEnv {
 public:
  struct Stats {
    int64_t steps = 0;
    int64_t bets_placed = 0;
    int64_t bets_not_placed = 0;  // Bet actions played as no_bet (limit, no price, min stake).
    int64_t bets_void_latency = 0;
    int64_t bets_won = 0;
    double staked = 0;
    double profit = 0;  // Sum of payout − stake over settled bets.
  };

  // Errors: InvalidArgument for an option out of range (naming it) or an empty match list.
  [[nodiscard]] static absl::StatusOr<LiveEnv> Create(std::vector<LiveMatch> matches,
                                                      const LiveEnvOptions& options);

  int window() const override { return kLiveWindow; }
  int features() const override { return kLiveInputWidth; }
  int episodes() const override { return static_cast<int>(matches_.size()); }
  [[nodiscard]] absl::Status Reset(int episode, absl::Span<float> observation,
                                   absl::Span<float> step_valid) override;
  [[nodiscard]] absl::Status Step(int action, double confidence, absl::Span<float> observation,
                                  absl::Span<float> step_valid, EnvStep* out) override;

  // Bankroll back to B₀, win-rate history and statistics cleared.
  void ResetBankroll();
  double bankroll() const { return bankroll_; }
  double open_stakes() const { return open_stakes_; }  // Stakes of this match's open bets.
  const Stats& stats() const { return stats_; }
  // Bets settled so far (in order), with their rewards.
  const std::vector<LiveBet>& bets() const { return bets_; }
  const LiveMatch& match(int episode) const { return matches_[episode]; }
  // Minute of the current step and its data staleness in seconds (time since the newest valid
  // snapshot), for loggers; valid inside an episode.
  int minute() const { return minute_; }
  double data_staleness_s() const;
  // The modelled prices quoted at the current minute.
  const std::array<std::optional<double>, 3>& current_prices() const;

 private:
  LiveEnv(std::vector<LiveMatch> matches, const LiveEnvOptions& options)
      : matches_(std::move(matches)), options_(options) {}
  void WriteRow(int minute);
  void WriteObservation(absl::Span<float> observation, absl::Span<float> step_valid) const;
  bool Dropped(int minute) const;
  double SigmaOf(int minute, int selection) const;
  [[nodiscard]] absl::Status Settle(EnvStep* out);

  std::vector<LiveMatch> matches_;
  LiveEnvOptions options_;
  double bankroll_ = 0;  // Settled cash (open stakes included until settlement).
  double open_stakes_ = 0;
  std::deque<std::pair<bool, double>> last10_;  // (won, decimal odds) of settled bets.
  Stats stats_;
  std::vector<LiveBet> bets_;

  // Episode state.
  int episode_ = -1;
  int64_t episodes_started_ = 0;  // Since the last bankroll reset.
  int minute_ = 0;
  int bets_this_match_ = 0;
  int last_valid_minute_ = -1;
  std::vector<std::array<float, kLiveInputWidth>> rows_;  // rows_[k]: written at minute k.
  std::vector<char> valid_;                               // valid_[k].
  std::vector<std::pair<int, LiveBet>> open_bets_;        // (step, bet).
};

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_LIVE_ENV_H_
