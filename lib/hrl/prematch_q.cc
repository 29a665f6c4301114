// Tabular Q pre-match worker and the outcome model (include/superbet/hrl/prematch.h).

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "hrl/internal/epsilon_greedy.h"
#include "superbet/hrl/prematch.h"

namespace superbet::hrl {
namespace {

int Bin3(float mask, float value, double edge) {
  if (mask == 0.0f) return 0;
  return value < -edge ? 1 : value > edge ? 3 : 2;
}

}  // namespace

PreMatchAction GreedyAction(const std::array<double, kPreMatchActions>& q) {
  // Ties: no bet, then home, draw, away.
  constexpr PreMatchAction kOrder[] = {PreMatchAction::kNoBet, PreMatchAction::kBackHome,
                                       PreMatchAction::kBackDraw, PreMatchAction::kBackAway};
  PreMatchAction best = kOrder[0];
  for (PreMatchAction a : kOrder) {
    if (q[static_cast<int>(a)] > q[static_cast<int>(best)]) best = a;
  }
  return best;
}

double BoltzmannProbability(const std::array<double, kPreMatchActions>& q, PreMatchAction a,
                            double tau) {
  const double mx = *std::max_element(q.begin(), q.end());
  double sum = 0;
  for (double v : q) sum += std::exp((v - mx) / tau);
  return std::exp((q[static_cast<int>(a)] - mx) / tau) / sum;
}

OutcomeModel::OutcomeModel(double learning_rate, double l2)
    : lr_(learning_rate), l2_(l2), w_(3 * (kInputs + 1), 0.0f) {}

std::array<double, 3> OutcomeModel::Predict(const PreMatchObservation& obs) const {
  const auto x = obs.Flat();
  std::array<double, 3> logit{};
  for (int k = 0; k < 3; ++k) {
    const float* w = &w_[k * (kInputs + 1)];
    double z = w[kInputs];
    for (int i = 0; i < kInputs; ++i) z += static_cast<double>(w[i]) * x[i];
    const double market = std::max(static_cast<double>(obs.value[kMarketHome + k]), 1e-9);
    logit[k] = std::log(market) + z;
  }
  const double mx = std::max({logit[0], logit[1], logit[2]});
  std::array<double, 3> p{};
  double s = 0;
  for (int k = 0; k < 3; ++k) s += (p[k] = std::exp(logit[k] - mx));
  for (double& v : p) v /= s;
  return p;
}

void OutcomeModel::Update(const PreMatchObservation& obs, int outcome) {
  const auto p = Predict(obs);
  const auto x = obs.Flat();
  for (int k = 0; k < 3; ++k) {
    const double g = p[k] - (k == outcome ? 1.0 : 0.0);  // d(cross-entropy)/d(logit_k).
    float* w = &w_[k * (kInputs + 1)];
    for (int i = 0; i < kInputs; ++i) {
      w[i] -= static_cast<float>(lr_ * (g * x[i] + l2_ * w[i]));
    }
    w[kInputs] -= static_cast<float>(lr_ * g);
  }
}

absl::Status OutcomeModel::SetWeights(const std::vector<float>& weights) {
  if (weights.size() != w_.size()) {
    return absl::InvalidArgumentError(absl::StrCat("outcome model weights: expected ", w_.size(),
                                                   " values (3 x ", kInputs + 1, "), got ",
                                                   weights.size()));
  }
  w_ = weights;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<TabularQWorker>> TabularQWorker::Create(const TabularQOptions& o) {
  auto bad = [](absl::string_view name, double v, absl::string_view want) {
    return absl::InvalidArgumentError(absl::StrCat(name, " must be ", want, ", got ", v));
  };
  if (!(o.alpha > 0 && o.alpha <= 1)) return bad("alpha", o.alpha, "in (0, 1]");
  if (absl::Status s = internal::ValidateExplorationOptions(o.epsilon_start, o.epsilon_end,
                                                            o.epsilon_decay_steps, o.tau,
                                                            o.outcome_learning_rate, o.outcome_l2);
      !s.ok()) {
    return s;
  }
  return std::unique_ptr<TabularQWorker>(new TabularQWorker(o));
}

TabularQWorker::TabularQWorker(const TabularQOptions& options)
    : options_(options),
      q_(kStates * kPreMatchActions, 0.0f),
      outcome_(options.outcome_learning_rate, options.outcome_l2),
      rng_(options.seed) {}

void TabularQWorker::BeginEpisode() {
  outcome_ = OutcomeModel(options_.outcome_learning_rate, options_.outcome_l2);
}

double TabularQWorker::epsilon() const {
  return internal::LinearEpsilon(options_.epsilon_start, options_.epsilon_end,
                                 options_.epsilon_decay_steps, steps_);
}

int TabularQWorker::StateIndex(const PreMatchObservation& obs, const std::array<double, 3>& p) {
  constexpr double kEdges[] = {0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
  int m = 0;
  while (m < 6 && obs.value[kMarketHome] >= kEdges[m]) ++m;
  int f = 0;
  if (obs.mask[kFormHome] != 0 && obs.mask[kFormAway] != 0) {
    const double d = obs.value[kFormHome] - obs.value[kFormAway];
    f = d < -0.15 ? 1 : d > 0.15 ? 3 : 2;
  }
  int i = 0;
  if (obs.mask[kInjuriesHome] != 0 && obs.mask[kInjuriesAway] != 0) {
    const double d = obs.value[kInjuriesHome] - obs.value[kInjuriesAway];
    i = d < -0.5 ? 1 : d > 0.5 ? 3 : 2;
  }
  const int l = Bin3(obs.mask[kLineMoveHome], obs.value[kLineMoveHome], 0.01);
  double edge = -1;
  for (int k = 0; k < 3; ++k) edge = std::max(edge, p[k] - obs.value[kMarketHome + k]);
  const int e = edge <= 0.01 ? 0 : edge <= 0.03 ? 1 : edge <= 0.06 ? 2 : 3;
  return (((m * 4 + f) * 4 + i) * 4 + l) * 4 + e;
}

WorkerDecision TabularQWorker::Act(const PreMatchObservation& obs, bool explore) {
  WorkerDecision d;
  d.probabilities = outcome_.Predict(obs);
  const int s = StateIndex(obs, d.probabilities);
  d.state = s;
  for (int a = 0; a < kPreMatchActions; ++a) d.q[a] = q_[s * kPreMatchActions + a];
  internal::ChooseEpsilonGreedy(options_.tau, explore, epsilon(), rng_, &steps_, &d);
  return d;
}

void TabularQWorker::Learn(const PreMatchObservation& obs, const WorkerDecision& decision,
                           const SettledStep& settled, bool learn_policy) {
  if (learn_policy) {
    // The state as Act saw it (the outcome model may have learnt other matches since).
    const int s = decision.state >= 0 ? decision.state : StateIndex(obs, outcome_.Predict(obs));
    float& q = q_[s * kPreMatchActions + static_cast<int>(settled.action)];
    q += static_cast<float>(options_.alpha * (settled.reward.reward - q));
  }
  outcome_.Update(obs, settled.outcome);
}

superbet::v1::Checkpoint TabularQWorker::ToCheckpoint() const {
  superbet::v1::Checkpoint c;
  c.set_agent(agent());
  *c.mutable_feature_spec() = PreMatchFeatureSpec();
  auto& h = *c.mutable_hyperparameters();
  h["alpha"] = options_.alpha;
  h["epsilon_start"] = options_.epsilon_start;
  h["epsilon_end"] = options_.epsilon_end;
  h["epsilon_decay_steps"] = static_cast<double>(options_.epsilon_decay_steps);
  h["tau"] = options_.tau;
  h["outcome_learning_rate"] = options_.outcome_learning_rate;
  h["outcome_l2"] = options_.outcome_l2;
  c.set_seed(options_.seed);
  auto* q = c.add_tensors();
  q->set_name("q_table");
  q->add_shape(kStates);
  q->add_shape(kPreMatchActions);
  q->mutable_data()->Add(q_.begin(), q_.end());
  auto* w = c.add_tensors();
  w->set_name("outcome.weight");
  w->add_shape(3);
  w->add_shape(OutcomeModel::kInputs + 1);
  w->mutable_data()->Add(outcome_.weights().begin(), outcome_.weights().end());
  return c;
}

absl::StatusOr<std::unique_ptr<TabularQWorker>> TabularQWorker::FromCheckpoint(
    const superbet::v1::Checkpoint& c) {
  if (c.agent() != "prematch-q") {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint agent is '", c.agent(), "', expected 'prematch-q'"));
  }
  TabularQOptions o;
  auto get = [&](const char* key, double& out) -> absl::Status {
    auto it = c.hyperparameters().find(key);
    if (it == c.hyperparameters().end()) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint lacks hyperparameter ", key));
    }
    out = it->second;
    return absl::OkStatus();
  };
  double steps = 0;
  for (auto [key, out] : {std::pair<const char*, double*>{"alpha", &o.alpha},
                          {"epsilon_start", &o.epsilon_start},
                          {"epsilon_end", &o.epsilon_end},
                          {"epsilon_decay_steps", &steps},
                          {"tau", &o.tau},
                          {"outcome_learning_rate", &o.outcome_learning_rate},
                          {"outcome_l2", &o.outcome_l2}}) {
    if (absl::Status s = get(key, *out); !s.ok()) return s;
  }
  o.epsilon_decay_steps = static_cast<int64_t>(steps);
  o.seed = c.seed();
  auto worker = Create(o);
  if (!worker.ok()) return worker.status();
  bool have_q = false, have_w = false;
  for (const auto& t : c.tensors()) {
    if (t.name() == "q_table") {
      if (t.shape_size() != 2 || t.shape(0) != kStates || t.shape(1) != kPreMatchActions ||
          t.data_size() != kStates * kPreMatchActions) {
        return absl::InvalidArgumentError(absl::StrCat(
            "checkpoint tensor q_table: expected shape [", kStates, ", ", kPreMatchActions,
            "] with ", kStates * kPreMatchActions, " values, got ", t.data_size(), " values"));
      }
      (*worker)->q_.assign(t.data().begin(), t.data().end());
      have_q = true;
    } else if (t.name() == "outcome.weight") {
      if (absl::Status s = (*worker)->outcome_.SetWeights({t.data().begin(), t.data().end()});
          !s.ok()) {
        return s;
      }
      have_w = true;
    }
  }
  if (!have_q || !have_w) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint lacks tensor ", have_q ? "outcome.weight" : "q_table"));
  }
  return worker;
}

}  // namespace superbet::hrl
