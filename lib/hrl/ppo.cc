#include "superbet/hrl/ppo.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace superbet::hrl {

absl::Status ValidatePpoConfig(const PpoConfig& c) {
  auto bad = [](const char* field, double v) {
    return absl::InvalidArgumentError(absl::StrCat(field, " out of range, got ", v));
  };
  if (!(c.clip_epsilon > 0 && c.clip_epsilon < 1))
    return bad("clip_epsilon (0, 1)", c.clip_epsilon);
  if (!(c.gamma >= 0 && c.gamma <= 1)) return bad("gamma [0, 1]", c.gamma);
  if (!(c.gae_lambda >= 0 && c.gae_lambda <= 1)) return bad("gae_lambda [0, 1]", c.gae_lambda);
  if (!(c.value_coef >= 0 && std::isfinite(c.value_coef)))
    return bad("value_coef >= 0", c.value_coef);
  if (!(c.entropy_coef >= 0 && std::isfinite(c.entropy_coef))) {
    return bad("entropy_coef >= 0", c.entropy_coef);
  }
  if (!(c.outcome_coef >= 0 && std::isfinite(c.outcome_coef))) {
    return bad("outcome_coef >= 0", c.outcome_coef);
  }
  if (!(c.learning_rate > 0 && c.learning_rate < 1))
    return bad("learning_rate (0, 1)", c.learning_rate);
  if (!(c.adam_beta1 >= 0 && c.adam_beta1 < 1)) return bad("adam_beta1 [0, 1)", c.adam_beta1);
  if (!(c.adam_beta2 >= 0 && c.adam_beta2 < 1)) return bad("adam_beta2 [0, 1)", c.adam_beta2);
  if (!(c.adam_epsilon > 0)) return bad("adam_epsilon > 0", c.adam_epsilon);
  if (!(c.max_grad_norm > 0)) return bad("max_grad_norm > 0", c.max_grad_norm);
  if (c.rollout_steps < 1) return bad("rollout_steps >= 1", c.rollout_steps);
  if (c.epochs < 1) return bad("epochs >= 1", c.epochs);
  if (c.minibatch < 1 || c.minibatch > c.rollout_steps) {
    return bad("minibatch in [1, rollout_steps]", c.minibatch);
  }
  return absl::OkStatus();
}

absl::StatusOr<Advantages> ComputeGae(absl::Span<const double> rewards,
                                      absl::Span<const double> values, absl::Span<const char> dones,
                                      double bootstrap_value, double gamma, double lambda) {
  const size_t n = rewards.size();
  if (values.size() != n || dones.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("GAE: rewards, values and dones must have the "
                     "same size, got ",
                     n, ", ", values.size(), ", ", dones.size()));
  }
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(rewards[i]) || !std::isfinite(values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("GAE: step ", i, " has reward ", rewards[i], " and value ", values[i]));
    }
  }
  if (!std::isfinite(bootstrap_value)) {
    return absl::InvalidArgumentError(absl::StrCat("GAE: bootstrap value ", bootstrap_value));
  }
  Advantages out;
  out.advantages.assign(n, 0.0);
  out.returns.assign(n, 0.0);
  double next_adv = 0;
  double next_value = bootstrap_value;
  for (size_t j = n; j-- > 0;) {
    const double live = dones[j] ? 0.0 : 1.0;
    const double delta = rewards[j] + gamma * next_value * live - values[j];
    next_adv = delta + gamma * lambda * live * next_adv;
    out.advantages[j] = next_adv;
    out.returns[j] = next_adv + values[j];
    next_value = values[j];
  }
  return out;
}

void LogSoftmax3(const float* z, double* lp) {
  const double m =
      std::max({static_cast<double>(z[0]), static_cast<double>(z[1]), static_cast<double>(z[2])});
  const double lse = m + std::log(std::exp(z[0] - m) + std::exp(z[1] - m) + std::exp(z[2] - m));
  for (int k = 0; k < 3; ++k) lp[k] = z[k] - lse;
}

absl::StatusOr<PpoLoss> ComputePpoLoss(const PpoBatch& b, const PpoConfig& c) {
  const size_t n = b.actions.size();
  if (n == 0 || b.logits.size() != 3 * n || b.values.size() != n ||
      b.outcome_logits.size() != 3 * n || b.old_log_probs.size() != n || b.advantages.size() != n ||
      b.returns.size() != n || b.outcomes.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("PPO batch: sizes disagree with B = ", n, " actions"));
  }
  std::vector<double> adv(b.advantages.begin(), b.advantages.end());
  if (c.normalize_advantages && n > 1) {
    double mean = 0;
    for (double a : adv) mean += a;
    mean /= n;
    double var = 0;
    for (double a : adv) var += (a - mean) * (a - mean);
    const double sd = std::sqrt(var / (n - 1));  // torch.std is the unbiased estimate.
    for (double& a : adv) a = (a - mean) / (sd + 1e-8);
  }
  PpoLoss out;
  out.d_logits.assign(3 * n, 0.0f);
  out.d_values.assign(n, 0.0f);
  out.d_outcome_logits.assign(3 * n, 0.0f);
  size_t known_outcomes = 0;
  for (size_t i = 0; i < n; ++i) known_outcomes += b.outcomes[i] >= 0 ? 1 : 0;
  const double inv_n = 1.0 / n;
  for (size_t i = 0; i < n; ++i) {
    const int a = b.actions[i];
    if (a < 0 || a > 2) {
      return absl::InvalidArgumentError(absl::StrCat("PPO batch: action [", i, "] = ", a));
    }
    double lp[3];
    LogSoftmax3(&b.logits[3 * i], lp);
    const double pi[3] = {std::exp(lp[0]), std::exp(lp[1]), std::exp(lp[2])};
    const double log_ratio = lp[a] - b.old_log_probs[i];
    const double ratio = std::exp(log_ratio);
    if (!std::isfinite(ratio) || !std::isfinite(adv[i]) || !std::isfinite(b.values[i]) ||
        !std::isfinite(b.returns[i])) {
      return absl::InvalidArgumentError(absl::StrCat("PPO batch: sample ", i, " is not finite"));
    }
    const double clipped = std::clamp(ratio, 1 - c.clip_epsilon, 1 + c.clip_epsilon);
    const double unclipped_loss = -adv[i] * ratio;
    const double clipped_loss = -adv[i] * clipped;
    out.policy_loss += std::max(unclipped_loss, clipped_loss) * inv_n;
    out.approx_kl += ((ratio - 1) - log_ratio) * inv_n;
    out.clip_fraction += (std::abs(ratio - 1) > c.clip_epsilon ? 1.0 : 0.0) * inv_n;
    // d policy / d log π_a: the unclipped branch is active when it is the max.
    const double d_logp = unclipped_loss >= clipped_loss ? -adv[i] * ratio * inv_n : 0.0;
    double h = 0;
    for (int k = 0; k < 3; ++k) h -= pi[k] * lp[k];
    out.entropy += h * inv_n;
    for (int k = 0; k < 3; ++k) {
      const double d_lp_dz = (k == a ? 1.0 : 0.0) - pi[k];
      const double d_h_dz = -pi[k] * (lp[k] + h);
      out.d_logits[3 * i + k] =
          static_cast<float>(d_logp * d_lp_dz - c.entropy_coef * d_h_dz * inv_n);
    }
    const double err = b.values[i] - b.returns[i];
    out.value_loss += 0.5 * err * err * inv_n;
    out.d_values[i] = static_cast<float>(c.value_coef * err * inv_n);
    const int y = b.outcomes[i];
    if (y > 2) {
      return absl::InvalidArgumentError(absl::StrCat("PPO batch: outcome [", i, "] = ", y));
    }
    if (y >= 0) {
      double lq[3];
      LogSoftmax3(&b.outcome_logits[3 * i], lq);
      const double w = 1.0 / known_outcomes;
      out.outcome_loss -= lq[y] * w;
      for (int k = 0; k < 3; ++k) {
        out.d_outcome_logits[3 * i + k] =
            static_cast<float>(c.outcome_coef * (std::exp(lq[k]) - (k == y ? 1.0 : 0.0)) * w);
      }
    }
  }
  out.total = out.policy_loss - c.entropy_coef * out.entropy + c.value_coef * out.value_loss +
              c.outcome_coef * out.outcome_loss;
  return out;
}

}  // namespace superbet::hrl
