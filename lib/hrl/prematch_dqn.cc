// DQN pre-match worker (include/superbet/hrl/prematch.h).

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "hrl/internal/epsilon_greedy.h"
#include "superbet/core/status_macros.h"
#include "superbet/hrl/nn/mlp.h"
#include "superbet/hrl/nn/optim.h"
#include "superbet/hrl/nn/tensor_io.h"
#include "superbet/hrl/prematch.h"

namespace superbet::hrl {

namespace {
constexpr int kInput = kPreMatchFlatWidth + 3;  // Observation floats + outcome model p.
}  // namespace

class DqnWorker final : public PreMatchWorker {
 public:
  static absl::StatusOr<std::unique_ptr<DqnWorker>> Create(const DqnOptions& o) {
    auto bad = [](absl::string_view name, double v, absl::string_view want) {
      return absl::InvalidArgumentError(absl::StrCat(name, " must be ", want, ", got ", v));
    };
    if (!(o.learning_rate > 0)) return bad("learning_rate", o.learning_rate, "> 0");
    if (o.hidden < 1) return bad("hidden", o.hidden, ">= 1");
    if (o.batch_size < 1) return bad("batch_size", o.batch_size, ">= 1");
    if (o.replay_capacity < o.batch_size) {
      return bad("replay_capacity", static_cast<double>(o.replay_capacity), ">= batch_size");
    }
    if (o.learning_starts < o.batch_size) {
      return bad("learning_starts", static_cast<double>(o.learning_starts), ">= batch_size");
    }
    if (o.train_frequency < 1) return bad("train_frequency", o.train_frequency, ">= 1");
    if (o.target_sync_steps < 1) {
      return bad("target_sync_steps", static_cast<double>(o.target_sync_steps), ">= 1");
    }
    if (!(o.max_grad_norm > 0)) return bad("max_grad_norm", o.max_grad_norm, "> 0");
    if (absl::Status s = internal::ValidateExplorationOptions(
            o.epsilon_start, o.epsilon_end, o.epsilon_decay_steps, o.tau, o.outcome_learning_rate,
            o.outcome_l2);
        !s.ok()) {
      return s;
    }
    std::unique_ptr<DqnWorker> w(new DqnWorker(o));
    nn::InitRng init(o.seed);
    SUPERBET_ASSIGN_OR_RETURN(w->q_, nn::MakeMlp("q", {kInput, o.hidden, o.hidden, 4}, init));
    w->target_ = w->q_;
    SUPERBET_ASSIGN_OR_RETURN(
        nn::Adam adam, nn::Adam::Create(w->q_.Parameters(), {.learning_rate = o.learning_rate}));
    w->adam_ = std::make_unique<nn::Adam>(std::move(adam));
    return w;
  }

  std::string agent() const override { return "prematch-dqn"; }

  WorkerDecision Act(const PreMatchObservation& obs, bool explore) override {
    WorkerDecision d;
    d.probabilities = outcome_.Predict(obs);
    const auto x = Input(obs, d.probabilities);
    std::vector<float> y;
    if (!nn::MlpForward(q_, x, 1, nullptr, &y).ok()) return d;  // Sizes are fixed: cannot fail.
    for (int a = 0; a < kPreMatchActions; ++a) d.q[a] = y[a];
    internal::ChooseEpsilonGreedy(options_.tau, explore, epsilon(), rng_, &steps_, &d);
    return d;
  }

  void Learn(const PreMatchObservation& obs, const WorkerDecision& decision,
             const SettledStep& settled, bool learn_policy) override {
    if (learn_policy) {
      Transition t;
      t.x = Input(obs, decision.probabilities);
      t.action = static_cast<int>(settled.action);
      t.reward = static_cast<float>(settled.reward.reward);
      if (static_cast<int64_t>(replay_.size()) < options_.replay_capacity) {
        replay_.push_back(t);
      } else {
        replay_[static_cast<size_t>(next_slot_)] = t;
      }
      next_slot_ = (next_slot_ + 1) % options_.replay_capacity;
      ++transitions_;
      if (transitions_ >= options_.learning_starts &&
          transitions_ % options_.train_frequency == 0) {
        TrainStep();
      }
    }
    outcome_.Update(obs, settled.outcome);
  }

  void BeginEpisode() override {
    outcome_ = OutcomeModel(options_.outcome_learning_rate, options_.outcome_l2);
  }

  double epsilon() const override {
    return internal::LinearEpsilon(options_.epsilon_start, options_.epsilon_end,
                                   options_.epsilon_decay_steps, steps_);
  }

  superbet::v1::Checkpoint ToCheckpoint() const override {
    superbet::v1::Checkpoint c;
    c.set_agent(agent());
    *c.mutable_feature_spec() = PreMatchFeatureSpec();
    auto& h = *c.mutable_hyperparameters();
    h["learning_rate"] = options_.learning_rate;
    h["hidden"] = options_.hidden;
    h["replay_capacity"] = static_cast<double>(options_.replay_capacity);
    h["batch_size"] = options_.batch_size;
    h["learning_starts"] = static_cast<double>(options_.learning_starts);
    h["train_frequency"] = options_.train_frequency;
    h["target_sync_steps"] = static_cast<double>(options_.target_sync_steps);
    h["max_grad_norm"] = options_.max_grad_norm;
    h["gamma"] = options_.gamma;
    h["epsilon_start"] = options_.epsilon_start;
    h["epsilon_end"] = options_.epsilon_end;
    h["epsilon_decay_steps"] = static_cast<double>(options_.epsilon_decay_steps);
    h["tau"] = options_.tau;
    h["outcome_learning_rate"] = options_.outcome_learning_rate;
    h["outcome_l2"] = options_.outcome_l2;
    c.set_seed(options_.seed);
    nn::Mlp copy = q_;
    nn::ExportParameters(copy.Parameters(), &c);
    auto* w = c.add_tensors();
    w->set_name("outcome.weight");
    w->add_shape(3);
    w->add_shape(OutcomeModel::kInputs + 1);
    w->mutable_data()->Add(outcome_.weights().begin(), outcome_.weights().end());
    return c;
  }

  static absl::StatusOr<std::unique_ptr<DqnWorker>> FromCheckpoint(
      const superbet::v1::Checkpoint& c) {
    DqnOptions o;
    auto get = [&](const char* key) -> absl::StatusOr<double> {
      auto it = c.hyperparameters().find(key);
      if (it == c.hyperparameters().end()) {
        return absl::InvalidArgumentError(absl::StrCat("checkpoint lacks hyperparameter ", key));
      }
      return it->second;
    };
    SUPERBET_ASSIGN_OR_RETURN(o.learning_rate, get("learning_rate"));
    SUPERBET_ASSIGN_OR_RETURN(double hidden, get("hidden"));
    o.hidden = static_cast<int>(hidden);
    SUPERBET_ASSIGN_OR_RETURN(double capacity, get("replay_capacity"));
    o.replay_capacity = static_cast<int64_t>(capacity);
    SUPERBET_ASSIGN_OR_RETURN(double batch, get("batch_size"));
    o.batch_size = static_cast<int>(batch);
    SUPERBET_ASSIGN_OR_RETURN(double starts, get("learning_starts"));
    o.learning_starts = static_cast<int64_t>(starts);
    SUPERBET_ASSIGN_OR_RETURN(double freq, get("train_frequency"));
    o.train_frequency = static_cast<int>(freq);
    SUPERBET_ASSIGN_OR_RETURN(double sync, get("target_sync_steps"));
    o.target_sync_steps = static_cast<int64_t>(sync);
    SUPERBET_ASSIGN_OR_RETURN(o.max_grad_norm, get("max_grad_norm"));
    SUPERBET_ASSIGN_OR_RETURN(o.gamma, get("gamma"));
    SUPERBET_ASSIGN_OR_RETURN(o.epsilon_start, get("epsilon_start"));
    SUPERBET_ASSIGN_OR_RETURN(o.epsilon_end, get("epsilon_end"));
    SUPERBET_ASSIGN_OR_RETURN(double decay, get("epsilon_decay_steps"));
    o.epsilon_decay_steps = static_cast<int64_t>(decay);
    SUPERBET_ASSIGN_OR_RETURN(o.tau, get("tau"));
    SUPERBET_ASSIGN_OR_RETURN(o.outcome_learning_rate, get("outcome_learning_rate"));
    SUPERBET_ASSIGN_OR_RETURN(o.outcome_l2, get("outcome_l2"));
    o.seed = c.seed();
    SUPERBET_ASSIGN_OR_RETURN(std::unique_ptr<DqnWorker> w, Create(o));
    SUPERBET_RETURN_IF_ERROR(nn::ImportParameters(c, w->q_.Parameters()));
    w->target_ = w->q_;
    bool have_w = false;
    for (const auto& t : c.tensors()) {
      if (t.name() != "outcome.weight") continue;
      SUPERBET_RETURN_IF_ERROR(w->outcome_.SetWeights({t.data().begin(), t.data().end()}));
      have_w = true;
    }
    if (!have_w) return absl::InvalidArgumentError("checkpoint lacks tensor outcome.weight");
    return w;
  }

  int64_t gradient_steps() const { return gradient_steps_; }

 private:
  struct Transition {
    std::array<float, kInput> x;
    int action;
    float reward;
  };

  explicit DqnWorker(const DqnOptions& o)
      : options_(o), outcome_(o.outcome_learning_rate, o.outcome_l2), rng_(o.seed ^ 0x5eedULL) {}

  static std::array<float, kInput> Input(const PreMatchObservation& obs,
                                         const std::array<double, 3>& p) {
    std::array<float, kInput> x{};
    const auto flat = obs.Flat();
    std::copy(flat.begin(), flat.end(), x.begin());
    for (int k = 0; k < 3; ++k) x[kPreMatchFlatWidth + k] = static_cast<float>(p[k]);
    return x;
  }

  // One gradient step on a uniform minibatch: loss = mean (Q(s, a) − r)² (terminal transitions).
  void TrainStep() {
    const int b = options_.batch_size;
    std::vector<float> x(static_cast<size_t>(b) * kInput);
    std::vector<int> actions(b);
    std::vector<float> rewards(b);
    for (int i = 0; i < b; ++i) {
      const Transition& t = replay_[static_cast<size_t>(rng_() % replay_.size())];
      std::copy(t.x.begin(), t.x.end(), x.begin() + static_cast<ptrdiff_t>(i) * kInput);
      actions[i] = t.action;
      rewards[i] = t.reward;
    }
    nn::MlpCache cache;
    std::vector<float> q;
    if (!nn::MlpForward(q_, x, b, &cache, &q).ok()) return;
    std::vector<float> dq(q.size(), 0.0f);
    for (int i = 0; i < b; ++i) {
      const float diff = q[static_cast<size_t>(i) * 4 + actions[i]] - rewards[i];
      dq[static_cast<size_t>(i) * 4 + actions[i]] = 2.0f * diff / static_cast<float>(b);
    }
    const nn::ParameterList params = q_.Parameters();
    nn::ZeroGrad(params);
    if (!nn::MlpBackward(q_, cache, dq, nullptr).ok()) return;
    if (!nn::ClipGradNorm(params, options_.max_grad_norm).ok()) return;
    adam_->Step();
    ++gradient_steps_;
    if (gradient_steps_ % options_.target_sync_steps == 0) {
      (void)nn::CopyMlpValues(q_, &target_);  // Same sizes: cannot fail.
    }
  }

  DqnOptions options_;
  nn::Mlp q_;
  nn::Mlp target_;
  std::unique_ptr<nn::Adam> adam_;
  OutcomeModel outcome_;
  std::mt19937_64 rng_;
  std::vector<Transition> replay_;
  int64_t next_slot_ = 0;
  int64_t transitions_ = 0;
  int64_t gradient_steps_ = 0;
  int64_t steps_ = 0;
};

absl::StatusOr<std::unique_ptr<PreMatchWorker>> MakeDqnWorker(const DqnOptions& options) {
  SUPERBET_ASSIGN_OR_RETURN(std::unique_ptr<DqnWorker> w, DqnWorker::Create(options));
  return std::unique_ptr<PreMatchWorker>(std::move(w));
}

absl::StatusOr<std::unique_ptr<PreMatchWorker>> PreMatchWorkerFromCheckpoint(
    const superbet::v1::Checkpoint& c) {
  if (c.agent() == "prematch-q") {
    SUPERBET_ASSIGN_OR_RETURN(std::unique_ptr<TabularQWorker> w, TabularQWorker::FromCheckpoint(c));
    return std::unique_ptr<PreMatchWorker>(std::move(w));
  }
  if (c.agent() == "prematch-dqn") {
    SUPERBET_ASSIGN_OR_RETURN(std::unique_ptr<DqnWorker> w, DqnWorker::FromCheckpoint(c));
    return std::unique_ptr<PreMatchWorker>(std::move(w));
  }
  return absl::InvalidArgumentError(absl::StrCat("checkpoint agent is '", c.agent(),
                                                 "', expected 'prematch-q' or 'prematch-dqn'"));
}

}  // namespace superbet::hrl
