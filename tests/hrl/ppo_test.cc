// PPO maths, the MLP actor-critic and the trainer.
//
// Oracles: closed forms (GAE with λ = 1 is the discounted return minus V, with λ = 0 the TD error;
// Schulman et al. 2016 eq. 17-18), central finite differences of the loss and of the network, a
// hand-worked CleanRL clipping case, and a contextual bandit whose optimum is known (return 1 per
// episode; a uniformly random policy earns 0).

#include "superbet/hrl/ppo.h"

#include <cmath>
#include <memory>
#include <vector>

#include "catch2/catch.hpp"
#include "hrl/ppo_toy_env.h"
#include "superbet/hrl/actor_critic.h"
#include "superbet/hrl/ppo_trainer.h"

namespace {

using superbet::hrl::ComputeGae;
using superbet::hrl::ComputePpoLoss;
using superbet::hrl::PpoBatch;
using superbet::hrl::PpoConfig;
using superbet::hrl::testing::BanditRun;
using superbet::hrl::testing::TrainBandit;

TEST_CASE("GAE reduces to Monte Carlo returns at lambda 1 and TD errors at lambda 0", "[ppo]") {
  const std::vector<double> r = {1.0, -0.5, 2.0, 0.3, 0.7};
  const std::vector<double> v = {0.2, 0.1, -0.3, 0.5, 0.4};
  const std::vector<char> done = {0, 0, 1, 0, 0};  // Episode ends at step 2; step 4 bootstraps.
  const double gamma = 0.9, boot = 1.5;
  auto mc = ComputeGae(r, v, done, boot, gamma, 1.0);
  REQUIRE(mc.ok());
  const double g2 = 2.0, g1 = -0.5 + gamma * g2, g0 = 1.0 + gamma * g1;
  const double g4 = 0.7 + gamma * boot, g3 = 0.3 + gamma * g4;
  const std::vector<double> expect = {g0, g1, g2, g3, g4};
  for (int i = 0; i < 5; ++i) {
    CHECK(mc->returns[i] == Approx(expect[i]).margin(1e-12));
    CHECK(mc->advantages[i] == Approx(expect[i] - v[i]).margin(1e-12));
  }
  auto td = ComputeGae(r, v, done, boot, gamma, 0.0);
  REQUIRE(td.ok());
  CHECK(td->advantages[1] == Approx(-0.5 + gamma * -0.3 - 0.1).margin(1e-12));
  CHECK(td->advantages[2] == Approx(2.0 - -0.3).margin(1e-12));  // done: no bootstrap
  CHECK(td->advantages[4] == Approx(0.7 + gamma * boot - 0.4).margin(1e-12));
  CHECK(!ComputeGae(r, v, {0, 1}, 0, gamma, 0.95).ok());
}

struct Sample {
  std::vector<float> logits = {0.3f, -0.2f, 0.1f, 1.2f, 0.4f, -0.7f, -0.1f, 0.0f, 0.5f};
  std::vector<float> values = {0.5f, -0.2f, 1.0f};
  std::vector<float> outcome = {0.1f, 0.2f, -0.3f, 0.0f, 1.0f, 0.5f, -1.0f, 0.3f, 0.2f};
  std::vector<int> actions = {0, 1, 2};
  std::vector<double> old_lp = {-1.2, -0.6, -1.5};
  std::vector<double> adv = {1.0, -0.5, 0.3};
  std::vector<double> ret = {0.8, 0.1, 0.4};
  std::vector<int> outcomes = {0, -1, 2};
  PpoBatch Batch() const { return {logits, values, outcome, actions, old_lp, adv, ret, outcomes}; }
};

TEST_CASE("PPO loss gradients match central finite differences", "[ppo]") {
  PpoConfig c;
  c.normalize_advantages = false;
  Sample s;
  auto loss = ComputePpoLoss(s.Batch(), c);
  REQUIRE(loss.ok());
  auto total = [&](Sample t) { return ComputePpoLoss(t.Batch(), c)->total; };
  const float h = 1e-3f;
  for (int i = 0; i < 9; ++i) {
    Sample p = s, m = s;
    p.logits[i] += h, m.logits[i] -= h;
    CHECK(loss->d_logits[i] == Approx((total(p) - total(m)) / (2 * h)).margin(2e-4));
    p = s, m = s;
    p.outcome[i] += h, m.outcome[i] -= h;
    CHECK(loss->d_outcome_logits[i] == Approx((total(p) - total(m)) / (2 * h)).margin(2e-4));
  }
  for (int i = 0; i < 3; ++i) {
    Sample p = s, m = s;
    p.values[i] += h, m.values[i] -= h;
    CHECK(loss->d_values[i] == Approx((total(p) - total(m)) / (2 * h)).margin(2e-4));
  }
}

TEST_CASE("PPO clipping: a ratio beyond 1 + eps with a positive advantage has no policy gradient",
          "[ppo]") {
  PpoConfig c;
  c.normalize_advantages = false;
  c.entropy_coef = 0;
  Sample s;
  // Sample 0: log pi(a=0) = 0.3 - logsumexp(0.3, -0.2, 0.1); make the old policy much less likely.
  double lp[3];
  superbet::hrl::LogSoftmax3(s.logits.data(), lp);
  s.old_lp[0] = lp[0] - std::log(1.5);  // ratio 1.5 > 1.2, advantage +1: clipped.
  auto loss = ComputePpoLoss(s.Batch(), c);
  REQUIRE(loss.ok());
  for (int k = 0; k < 3; ++k) CHECK(loss->d_logits[k] == 0.0f);
  CHECK(loss->clip_fraction == 1.0);  // All three ratios are outside [0.8, 1.2].
  // CleanRL: loss term = max(-A r, -A clip(r)) = -1.2 for this sample.
  s.adv = {1.0, 0.0, 0.0};
  loss = ComputePpoLoss(s.Batch(), c);
  CHECK(loss->policy_loss == Approx(-1.2 / 3).margin(1e-9));
}

TEST_CASE("MLP actor-critic gradients match central finite differences", "[ppo][mlp]") {
  superbet::hrl::MlpOptions o;
  o.window = 3, o.features = 4, o.hidden = 8, o.seed = 7;
  auto net = superbet::hrl::MakeMlpActorCritic(o);
  REQUIRE(net.ok());
  const int b = 2;
  std::vector<float> obs(b * 3 * 4), valid = {1, 1, 0, 0, 1, 1};
  for (size_t i = 0; i < obs.size(); ++i) obs[i] = std::sin(0.7 * i);
  // Loss = sum of fixed weights times every output.
  auto weighted = [&](const superbet::hrl::ActorCriticOutput& y) {
    double l = 0;
    for (int i = 0; i < 3 * b; ++i) l += (0.3 + 0.1 * i) * y.logits[i] - 0.2 * y.outcome_logits[i];
    for (int i = 0; i < b; ++i) l += (1.0 - i) * y.values[i];
    return l;
  };
  superbet::hrl::ActorCriticOutput y;
  (*net)->Forward(obs, valid, b, &y);
  std::vector<float> dl(3 * b), dv(b), dout(3 * b, -0.2f);
  for (int i = 0; i < 3 * b; ++i) dl[i] = 0.3f + 0.1f * i;
  for (int i = 0; i < b; ++i) dv[i] = 1.0f - i;
  (*net)->ZeroGrad();
  (*net)->Backward(dl, dv, dout);
  int checked = 0;
  for (const auto& p : (*net)->Parameters()) {
    for (size_t i = 0; i < p.size; i += 5) {
      const float keep = p.value[i];
      const float h = 1e-2f;
      p.value[i] = keep + h;
      (*net)->Forward(obs, valid, b, &y);
      const double up = weighted(y);
      p.value[i] = keep - h;
      (*net)->Forward(obs, valid, b, &y);
      const double down = weighted(y);
      p.value[i] = keep;
      CHECK(p.grad[i] == Approx((up - down) / (2 * h)).margin(2e-3));
      ++checked;
    }
  }
  CHECK(checked > 20);
}

TEST_CASE("MLP: a padded step's values do not reach the outputs", "[ppo][mlp]") {
  superbet::hrl::MlpOptions o;
  o.window = 2, o.features = 3, o.hidden = 8;
  auto net = superbet::hrl::MakeMlpActorCritic(o);
  REQUIRE(net.ok());
  std::vector<float> obs = {1, 2, 3, 4, 5, 6}, valid = {0, 1};
  superbet::hrl::ActorCriticOutput a, b;
  (*net)->Forward(obs, valid, 1, &a);
  obs[0] = 100, obs[2] = -7;  // Step 0 is padding.
  (*net)->Forward(obs, valid, 1, &b);
  CHECK(a.logits == b.logits);
  CHECK(a.values == b.values);
  obs[4] = 0;  // Step 1 is observed: the change shows.
  (*net)->Forward(obs, valid, 1, &b);
  CHECK(a.logits != b.logits);
}

TEST_CASE("PPO learns a contextual bandit with a known optimum", "[ppo][train]") {
  const BanditRun run = TrainBandit(3, 60);
  // The first rollout is played by the near-uniform initial policy: about 0.
  CHECK(std::abs(run.returns.front()) < 0.25);
  // Within 60 updates (15360 steps) the return is clearly above random and near the optimum 1.
  CHECK(run.returns.back() > 0.8);
  CHECK(run.p_correct_home > 0.85);
  CHECK(run.p_outcome_home > 0.9);  // The outcome head learned the context's result.
}

TEST_CASE("LSTM + attention adapter: a padded step's values do not reach the outputs",
          "[ppo][lstm]") {
  auto net = superbet::hrl::MakeLstmAttentionActorCritic(3, 4, {}, 9);
  REQUIRE(net.ok());
  std::vector<float> obs(12), valid = {1, 0, 1};
  for (size_t i = 0; i < obs.size(); ++i) obs[i] = 0.1f * static_cast<float>(i);
  superbet::hrl::ActorCriticOutput a, b;
  (*net)->Forward(obs, valid, 1, &a);
  obs[4] = 50, obs[7] = -3;  // Step 1 is padding.
  (*net)->Forward(obs, valid, 1, &b);
  CHECK(a.logits == b.logits);
  CHECK(a.outcome_logits == b.outcome_logits);
  obs[9] = 5;  // Step 2 is observed: the change shows.
  (*net)->Forward(obs, valid, 1, &b);
  CHECK(a.logits != b.logits);
}

TEST_CASE("PPO training is bit-for-bit deterministic for a seed", "[ppo][train]") {
  const BanditRun a = TrainBandit(11, 3);
  const BanditRun b = TrainBandit(11, 3);
  const BanditRun c = TrainBandit(12, 3);
  CHECK(a.params == b.params);
  CHECK(a.returns == b.returns);
  CHECK(a.params != c.params);
}

}  // namespace
