// Test support: a contextual bandit with a known optimum for PPO tests, and a training helper.
#ifndef SUPERBET_TESTS_HRL_PPO_TOY_ENV_H_
#define SUPERBET_TESTS_HRL_PPO_TOY_ENV_H_

#include <cmath>
#include <vector>

#include "catch2/catch.hpp"
#include "superbet/hrl/actor_critic.h"
#include "superbet/hrl/episodic_env.h"
#include "superbet/hrl/ppo.h"
#include "superbet/hrl/ppo_trainer.h"

namespace superbet::hrl::testing {

using superbet::hrl::PpoConfig;

// One-step episodes: context c = episode % 2, one-hot in a [1, 2] observation. Correct bet
// (bet_home in context 0, bet_away in context 1) +1, wrong bet -1, no_bet 0. Optimum 1 per
// episode, uniform random policy 0. The outcome is 0 (home) in context 0 and 2 (away) in 1.
class ContextualBandit final : public superbet::hrl::EpisodicEnv {
 public:
  int window() const override { return 1; }
  int features() const override { return 2; }
  int episodes() const override { return 16; }
  absl::Status Reset(int episode, absl::Span<float> obs, absl::Span<float> valid) override {
    context_ = episode % 2;
    obs[0] = context_ == 0 ? 1.0f : 0.0f;
    obs[1] = context_ == 1 ? 1.0f : 0.0f;
    valid[0] = 1;
    return absl::OkStatus();
  }
  absl::Status Step(int action, double, absl::Span<float>, absl::Span<float>,
                    superbet::hrl::EnvStep* out) override {
    *out = superbet::hrl::EnvStep();
    out->reward = action == 2 ? 0.0 : (action == context_ ? 1.0 : -1.0);
    out->done = true;
    out->outcome = context_ == 0 ? 0 : 2;
    return absl::OkStatus();
  }

 private:
  int context_ = 0;
};

struct BanditRun {
  std::vector<double> returns;
  std::vector<float> params;
  double p_correct_home = 0;
  double p_outcome_home = 0;
};

inline BanditRun TrainBandit(uint64_t seed, int updates, bool lstm = false) {
  ContextualBandit env;
  superbet::hrl::MlpOptions o;
  o.window = 1, o.features = 2, o.hidden = 16, o.seed = seed;
  auto net = lstm ? superbet::hrl::MakeLstmAttentionActorCritic(1, 2, {}, seed)
                  : superbet::hrl::MakeMlpActorCritic(o);
  REQUIRE(net.ok());
  PpoConfig c;
  c.rollout_steps = 256;  // Smaller rollouts, the other values as decided.
  auto trainer = superbet::hrl::PpoTrainer::Create(&env, net->get(), c, seed);
  REQUIRE(trainer.ok());
  BanditRun run;
  for (int u = 0; u < updates; ++u) {
    auto s = trainer->Update();
    REQUIRE(s.ok());
    run.returns.push_back(s->mean_episode_return);
  }
  for (const auto& p : (*net)->Parameters())
    run.params.insert(run.params.end(), p.value, p.value + p.size);
  superbet::hrl::ActorCriticOutput y;
  (*net)->Forward(std::vector<float>{1, 0}, std::vector<float>{1}, 1, &y);
  double lp[3];
  superbet::hrl::LogSoftmax3(y.logits.data(), lp);
  run.p_correct_home = std::exp(lp[0]);
  superbet::hrl::LogSoftmax3(y.outcome_logits.data(), lp);
  run.p_outcome_home = std::exp(lp[0]);
  return run;
}

}  // namespace superbet::hrl::testing

#endif  // SUPERBET_TESTS_HRL_PPO_TOY_ENV_H_
