// The manager of the hierarchical agent: a UCB1 bandit that allocates capital between the live
// and the pre-match worker, the way a fund manager allocates between traders. It never watches a
// match itself.
//
// Score of worker i (Auer, Cesa-Bianchi & Fischer 2002, "Finite-time Analysis of the Multiarmed
// Bandit Problem", Machine Learning 47, UCB1, with the win rate of the worker's last 10 settled
// bets as its mean reward):
//
//   U_i = WR_i + sqrt(2 · ln N_eff / (n_i + 1)),   N_eff = max(N, 1)
//
//   WR_i  fraction of the worker's last 10 settled bets that won (a 10-slot ring buffer; a win is
//         payout > stake); 0 while the worker has no settled bet;
//   N     size of the performance memory: settled bets of all workers;
//   n_i   bets placed by worker i (counted when placed, not when settled).
// While nothing has settled yet (N = 0) every score is 1.0 ("scores start at 1.0"). The highest
// score wins; ties go to the lower n_i, then to the order live, prematch.
//
// Stake: 5 % of the REMAINING budget B (B₀ = 10 000 by default), never more than B; a stake below
// `min_stake` is skipped (no bet). Money is in the bankroll's currency unit, never rounded.
//
// State vector (six components, logged and exported with each decision; the UCB rule does not read
// it, it is reserved for a later learned manager): B/B₀, risk score, market volatility, live
// worker's WR₁₀, pre-match worker's WR₁₀, data staleness / 300 s.

#ifndef SUPERBET_HRL_MANAGER_H_
#define SUPERBET_HRL_MANAGER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace superbet::hrl {

// The manager's arms, in tie-break order.
enum class Worker { kLive = 0, kPreMatch = 1 };
inline constexpr int kWorkerCount = 2;

// "live" or "prematch".
absl::string_view WorkerName(Worker worker);

struct ManagerOptions {
  double initial_budget = 10000.0;  // B₀, currency units; finite, > 0.
  double stake_fraction = 0.05;     // Of the remaining budget; in (0, 1].
  double min_stake = 1.0;           // Stakes below this are skipped; finite, >= 0.
  int win_rate_window = 10;         // Settled bets per worker in WR; in [1, 1000].
};

// The six-component state vector, in this order when exported (`ToArray`).
struct ManagerState {
  double budget_ratio = 1;       // B / B₀.
  double risk_score = 0;         // ρ of the decision (reward.h Rho), in [0.5, 1.5]; 0 if none.
  double market_volatility = 0;  // σ of the decision (reward.h Sigma); 0 if none.
  double live_win_rate = 0;      // WR₁₀ of the live worker, in [0, 1].
  double prematch_win_rate = 0;  // WR₁₀ of the pre-match worker, in [0, 1].
  double staleness_norm = 0;     // data staleness [s] / 300, not clipped.
  std::array<double, 6> ToArray() const;
};
inline constexpr std::array<const char*, 6> kManagerStateNames = {
    "budget_remaining", "risk_score",        "market_volatility",
    "live_agent_wr",    "prematch_agent_wr", "data_staleness"};

// One allocation: which worker, its score and every score, the stake and the state vector.
struct Allocation {
  Worker worker = Worker::kPreMatch;
  std::array<double, kWorkerCount> ucb{};  // U_i of each worker, indexed by Worker.
  double stake = 0;                        // Currency units; 0 when skipped (below min_stake).
  bool skipped = false;                    // True when 0.05·B < min_stake.
  ManagerState state;
};

// UCB1 manager. Owns its ring buffers and budget; not thread-safe (one decision loop drives it).
class Manager {
 public:
  // Errors: InvalidArgument naming the option and its value.
  [[nodiscard]] static absl::StatusOr<Manager> Create(const ManagerOptions& options = {});

  // The UCB1 score of `worker` now (1.0 while N = 0).
  double Score(Worker worker) const;

  // Chooses among the workers whose `available` flag is set (e.g. only the pre-match worker before
  // kickoff) and sizes the stake; logs the state vector built from `risk_score`, `volatility`,
  // `data_staleness_s`. Does not count a bet: call `Placed` when the bet is actually made.
  // Errors: FailedPrecondition when no worker is available; InvalidArgument when
  // data_staleness_s is negative or not finite.
  [[nodiscard]] absl::StatusOr<Allocation> Allocate(std::array<bool, kWorkerCount> available,
                                                    double risk_score, double volatility,
                                                    double data_staleness_s) const;

  // Records a bet placed by `worker` (n_i += 1) and takes `stake` from the budget.
  // Errors: InvalidArgument when the stake is not finite, <= 0 or above the budget.
  [[nodiscard]] absl::Status Placed(Worker worker, double stake);

  // Settles a bet of `worker`: `payout` (gross: stake × odds on a win, the stake on a void, 0 on
  // a loss) returns to the budget; won = payout > stake enters the worker's ring buffer; N += 1.
  // Errors: InvalidArgument when payout or stake is negative or not finite.
  [[nodiscard]] absl::Status Settled(Worker worker, double stake, double payout);

  double budget() const { return budget_; }                                // B, currency units.
  double initial_budget() const { return options_.initial_budget; }        // B₀.
  int64_t placed(Worker w) const { return placed_[static_cast<int>(w)]; }  // n_i.
  int64_t settled_total() const { return settled_total_; }                 // N.
  // WR over the last `win_rate_window` settled bets of `w`; 0 with none.
  double WinRate(Worker w) const;

 private:
  explicit Manager(const ManagerOptions& options);
  struct Ring {
    std::array<uint8_t, 1000> won{};
    int size = 0;
    int next = 0;
  };
  ManagerOptions options_;
  double budget_;
  std::array<int64_t, kWorkerCount> placed_{};
  std::array<Ring, kWorkerCount> rings_{};
  int64_t settled_total_ = 0;
};

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_MANAGER_H_
