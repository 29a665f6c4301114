#include "superbet/hrl/ppo_trainer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace superbet::hrl {

int SampleAction(const float* logits, double u, double* log_prob) {
  double lp[3];
  LogSoftmax3(logits, lp);
  double acc = 0;
  int a = 2;
  for (int k = 0; k < 3; ++k) {
    acc += std::exp(lp[k]);
    if (u < acc) {
      a = k;
      break;
    }
  }
  *log_prob = lp[a];
  return a;
}

absl::StatusOr<PpoTrainer> PpoTrainer::Create(EpisodicEnv* env, ActorCritic* net,
                                              const PpoConfig& config, uint64_t seed) {
  if (absl::Status s = ValidatePpoConfig(config); !s.ok()) return s;
  if (env == nullptr || net == nullptr) {
    return absl::InvalidArgumentError("PpoTrainer needs an environment and a network");
  }
  if (env->window() != net->window() || env->features() != net->features()) {
    return absl::InvalidArgumentError(absl::StrCat("network input [", net->window(), ", ",
                                                   net->features(),
                                                   "] differs from the "
                                                   "environment's observation [",
                                                   env->window(), ", ", env->features(), "]"));
  }
  PpoTrainer trainer(env, net, config, seed);
  absl::StatusOr<nn::Adam> adam =
      nn::Adam::Create(trainer.params_, {.learning_rate = config.learning_rate,
                                         .beta1 = config.adam_beta1,
                                         .beta2 = config.adam_beta2,
                                         .eps = config.adam_epsilon});
  if (!adam.ok()) return adam.status();
  trainer.adam_.emplace(*std::move(adam));
  return trainer;
}

PpoTrainer::PpoTrainer(EpisodicEnv* env, ActorCritic* net, const PpoConfig& config, uint64_t seed)
    : env_(env), net_(net), config_(config), rng_(seed), params_(net->Parameters()) {}

double PpoTrainer::Uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

int PpoTrainer::NextEpisode() {
  if (order_pos_ >= order_.size()) {
    order_.resize(env_->episodes());
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<int>(i);
    for (size_t i = order_.size(); i > 1; --i) {  // Fisher-Yates with our own draws.
      const size_t j = static_cast<size_t>(Uniform() * i);
      std::swap(order_[i - 1], order_[std::min(j, i - 1)]);
    }
    order_pos_ = 0;
  }
  return order_[order_pos_++];
}

absl::Status PpoTrainer::OptimizerStep(PpoUpdateStats* stats) {
  absl::StatusOr<double> norm = nn::ClipGradNorm(params_, config_.max_grad_norm);
  if (!norm.ok()) return norm.status();
  stats->grad_norm += *norm;
  adam_->Step();
  return absl::OkStatus();
}

absl::StatusOr<PpoUpdateStats> PpoTrainer::Update() {
  const int tf = env_->window() * env_->features();
  const int tw = env_->window();
  std::vector<float> obs, valid;
  std::vector<int> actions, outcomes;
  std::vector<double> log_probs, values, rewards;
  std::vector<char> dones;
  std::vector<float> cur_obs(tf), cur_valid(tw);
  ActorCriticOutput out;
  PpoUpdateStats stats;
  stats.update = ++updates_;
  double return_sum = 0;
  while (static_cast<int>(actions.size()) < config_.rollout_steps) {
    const int episode = NextEpisode();
    if (absl::Status s = env_->Reset(episode, absl::MakeSpan(cur_obs), absl::MakeSpan(cur_valid));
        !s.ok()) {
      return s;
    }
    const size_t first = actions.size();
    EnvStep step;
    do {
      net_->Forward(cur_obs, cur_valid, 1, &out);
      double lp = 0;
      const int a = SampleAction(out.logits.data(), Uniform(), &lp);
      obs.insert(obs.end(), cur_obs.begin(), cur_obs.end());
      valid.insert(valid.end(), cur_valid.begin(), cur_valid.end());
      actions.push_back(a);
      log_probs.push_back(lp);
      values.push_back(out.values[0]);
      if (absl::Status s = env_->Step(a, std::exp(lp), absl::MakeSpan(cur_obs),
                                      absl::MakeSpan(cur_valid), &step);
          !s.ok()) {
        return s;
      }
      rewards.push_back(step.reward);
      dones.push_back(step.done ? 1 : 0);
      outcomes.push_back(-1);
    } while (!step.done);
    for (const DeferredReward& d : step.deferred) {
      const size_t at = first + d.step;
      if (d.step < 0 || at >= rewards.size()) {
        return absl::InternalError(
            absl::StrCat("deferred reward for step ", d.step, " outside the episode"));
      }
      rewards[at] += d.reward;
    }
    for (size_t i = first; i < actions.size(); ++i) {
      outcomes[i] = step.outcome.value_or(-1);
      return_sum += rewards[i];
    }
    ++stats.episodes;
  }
  const size_t n = actions.size();
  stats.env_steps = static_cast<int64_t>(n);
  total_steps_ += stats.env_steps;
  stats.total_env_steps = total_steps_;
  stats.mean_episode_return = return_sum / stats.episodes;
  absl::StatusOr<Advantages> gae =
      ComputeGae(rewards, values, dones, 0.0, config_.gamma, config_.gae_lambda);
  if (!gae.ok()) return gae.status();

  std::vector<size_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = i;
  const size_t mb = static_cast<size_t>(config_.minibatch);
  std::vector<float> b_obs, b_valid;
  std::vector<int> b_actions, b_outcomes;
  std::vector<double> b_logp, b_adv, b_ret;
  int minibatches = 0;
  for (int epoch = 0; epoch < config_.epochs; ++epoch) {
    for (size_t i = n; i > 1; --i) {
      const size_t j = std::min(static_cast<size_t>(Uniform() * i), i - 1);
      std::swap(idx[i - 1], idx[j]);
    }
    for (size_t start = 0; start < n; start += mb) {
      const size_t end = std::min(n, start + mb);
      const int bsz = static_cast<int>(end - start);
      b_obs.clear(), b_valid.clear(), b_actions.clear(), b_outcomes.clear();
      b_logp.clear(), b_adv.clear(), b_ret.clear();
      for (size_t r = start; r < end; ++r) {
        const size_t i = idx[r];
        b_obs.insert(b_obs.end(), obs.begin() + i * tf, obs.begin() + (i + 1) * tf);
        b_valid.insert(b_valid.end(), valid.begin() + i * tw, valid.begin() + (i + 1) * tw);
        b_actions.push_back(actions[i]);
        b_outcomes.push_back(outcomes[i]);
        b_logp.push_back(log_probs[i]);
        b_adv.push_back(gae->advantages[i]);
        b_ret.push_back(gae->returns[i]);
      }
      net_->Forward(b_obs, b_valid, bsz, &out);
      PpoBatch batch{out.logits, out.values, out.outcome_logits, b_actions, b_logp,
                     b_adv,      b_ret,      b_outcomes};
      absl::StatusOr<PpoLoss> loss = ComputePpoLoss(batch, config_);
      if (!loss.ok()) return loss.status();
      net_->ZeroGrad();
      net_->Backward(loss->d_logits, loss->d_values, loss->d_outcome_logits);
      if (absl::Status s = OptimizerStep(&stats); !s.ok()) return s;
      stats.policy_loss += loss->policy_loss;
      stats.value_loss += loss->value_loss;
      stats.entropy += loss->entropy;
      stats.outcome_loss += loss->outcome_loss;
      stats.approx_kl += loss->approx_kl;
      stats.clip_fraction += loss->clip_fraction;
      ++minibatches;
    }
  }
  for (double* v : {&stats.policy_loss, &stats.value_loss, &stats.entropy, &stats.outcome_loss,
                    &stats.approx_kl, &stats.clip_fraction, &stats.grad_norm}) {
    *v /= minibatches;
  }
  return stats;
}

}  // namespace superbet::hrl
