#!/usr/bin/env python3
"""Per-step baseline for bench/prematch_train_bench.cc from the original design.

The original design (../shared/anchors/original_design.py) names a pre-match DQN worker but never
defines it (PreMatchWorkerAgent holds only win/loss statistics), so there is no pre-match training
loop to run. The closest per-decision work it defines is the manager's UCB allocation
(ManagerAgent.allocate_capital) and the reward (compute_reward); this script times one of each per
step, on a fixed synthetic bet stream (random.Random(seed)), and prints steps per second. Our
figure does strictly more per step (an epsilon-greedy action from the outcome model and the Q
table, settlement, reward, Q and outcome-model updates), so the ratio flatters the baseline.

    /usr/bin/python3 bench/prematch_step_baseline.py [--steps 20000] [--seed 1]
"""
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "anchors"))
import original_design as od  # noqa: E402  (imports torch, as the original does)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    best = float("inf")
    for _ in range(a.repeats):
        rng = random.Random(a.seed)
        manager = od.ManagerAgent()
        pre = manager.sub_agents["prematch"]
        start = time.perf_counter()
        for _ in range(a.steps):
            odds = rng.uniform(1.3, 6.0)
            won = rng.random() < 1.0 / odds
            agent, stake = manager.allocate_capital([1, 1, 1, 0, 0, 0])
            payout = stake * odds if won else 0.0
            pre.bets_placed += 1
            pre.results.append(1 if won else 0)
            manager.performance_memory.append(1 if won else 0)
            state = {"market_volatility": 1.0, "risk_score": 1.0, "budget_kalan": manager.budget,
                     "baslangic_butcesi": 10000.0, "avg_odds": odds,
                     "last_10_win_rate": pre.get_last_10_win_rate()}
            od.compute_reward(state, payout, stake, 0.0)
        best = min(best, time.perf_counter() - start)
    print(f"original_design allocate_capital + compute_reward: {a.steps / best:,.0f} steps/s "
          f"({best / a.steps * 1e6:.2f} us/step, best of {a.repeats})")


if __name__ == "__main__":
    main()
