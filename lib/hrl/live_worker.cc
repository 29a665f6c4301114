#include "superbet/hrl/live_worker.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "superbet/risk/gate.h"
#include "superbet/scoring/metrics.h"

namespace superbet::hrl {
namespace {

constexpr char kInputScaleTensor[] = "input_scale";

void PutHyper(v1::Checkpoint& c, const char* name, double v) {
  (*c.mutable_hyperparameters())[name] = v;
}

absl::StatusOr<double> GetHyper(const v1::Checkpoint& c, const char* name) {
  auto it = c.hyperparameters().find(name);
  if (it == c.hyperparameters().end()) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint has no hyperparameter ", name));
  }
  return it->second;
}

double Brier(const std::array<double, 3>& p, int outcome) {
  double s = 0;
  for (int k = 0; k < 3; ++k) {
    const double y = k == outcome ? 1.0 : 0.0;
    s += (p[k] - y) * (p[k] - y);
  }
  return s;
}

std::array<double, 3> Softmax(const float* z) {
  double lp[3];
  LogSoftmax3(z, lp);
  return {std::exp(lp[0]), std::exp(lp[1]), std::exp(lp[2])};
}

}  // namespace

std::vector<float> LiveInputScale() {
  std::vector<float> s(kLiveInputWidth, 1.0f);
  s[0] = 1.0f / 90;              // minute
  s[1] = s[2] = 1.0f / 3;        // scores
  s[3] = s[4] = 1.0f / 3;        // xG
  s[5] = 1.0f / 100;             // dangerous attacks (home + away)
  s[18] = s[19] = s[20] = 0.5f;  // avg_da
  s[25] = 0.2f;                  // σ
  return s;
}

absl::StatusOr<LiveDecision> LiveWorker::Decide(absl::Span<const float> observation,
                                                absl::Span<const float> step_valid) {
  const size_t tf = static_cast<size_t>(net_->window()) * net_->features();
  if (observation.size() != tf || step_valid.size() != static_cast<size_t>(net_->window())) {
    return absl::InvalidArgumentError(
        absl::StrCat("observation must hold ", tf, " floats and step_valid ", net_->window(),
                     ", got ", observation.size(), " and ", step_valid.size()));
  }
  net_->Forward(observation, step_valid, 1, &out_);
  LiveDecision d;
  d.policy = Softmax(out_.logits.data());
  d.outcome = Softmax(out_.outcome_logits.data());
  d.value = out_.values[0];
  int best = kNoBet;
  for (int a : {kBetHome, kBetAway}) {
    if (d.policy[a] > d.policy[best]) best = a;
  }
  d.action = best;
  d.confidence = d.policy[best];
  return d;
}

v1::FeatureSpec LiveFeatureSpec() {
  v1::FeatureSpec spec;
  spec.set_name(kLiveFeatureSpecName);
  spec.set_version(kLiveFeatureSpecVersion);
  for (const std::string& s : LiveSlotNames()) spec.add_slots(s);
  return spec;
}

absl::StatusOr<LiveTrainResult> TrainLiveWorker(
    std::vector<LiveMatch> train, const LiveTrainOptions& options,
    const std::function<void(const PpoUpdateStats&)>& on_update) {
  LiveTrainResult result;
  std::vector<std::string> ids;
  for (const LiveMatch& m : train) ids.push_back(m.match_id);
  absl::StatusOr<double> median = MedianPriceVolatility(train);
  if (!median.ok()) return median.status();
  result.sigma_training_median_sd = *median;
  LiveEnvOptions env_options = options.env;
  env_options.sigma_training_median_sd = *median;
  env_options.seed = options.seed;
  // Each pass over the training matches replays them from B₀ (a stationary budget term).
  if (env_options.bankroll_reset_episodes == 0) {
    env_options.bankroll_reset_episodes = static_cast<int>(train.size());
  }
  absl::StatusOr<LiveEnv> env = LiveEnv::Create(std::move(train), env_options);
  if (!env.ok()) return env.status();
  absl::StatusOr<std::unique_ptr<ActorCritic>> net =
      options.architecture == LiveArchitecture::kMlp
          ? MakeMlpActorCritic(
                {kLiveWindow, kLiveInputWidth, options.hidden, LiveInputScale(), options.seed})
          : MakeLstmAttentionActorCritic(kLiveWindow, kLiveInputWidth, LiveInputScale(),
                                         options.seed);
  if (!net.ok()) return net.status();
  absl::StatusOr<PpoTrainer> trainer =
      PpoTrainer::Create(&*env, net->get(), options.ppo, options.seed);
  if (!trainer.ok()) return trainer.status();
  while (trainer->total_env_steps() < options.total_env_steps) {
    if (options.stop_requested && options.stop_requested()) {
      return absl::CancelledError(absl::StrCat("training stopped on request after ",
                                               result.log.size(), " PPO updates (",
                                               trainer->total_env_steps(), " steps)"));
    }
    absl::StatusOr<PpoUpdateStats> s = trainer->Update();
    if (!s.ok()) return s.status();
    result.log.push_back(*s);
    if (on_update) on_update(*s);
  }
  result.env_stats = env->stats();

  v1::Checkpoint& c = result.checkpoint;
  c.set_format_version(kCheckpointFormatVersion);
  c.set_agent(kLiveAgentName);
  c.set_model_version(absl::StrCat("live-ppo-", (*net)->architecture(), "-seed", options.seed,
                                   "-steps", trainer->total_env_steps()));
  *c.mutable_feature_spec() = LiveFeatureSpec();
  const PpoConfig& p = options.ppo;
  PutHyper(c, "clip_epsilon", p.clip_epsilon);
  PutHyper(c, "gamma", p.gamma);
  PutHyper(c, "gae_lambda", p.gae_lambda);
  PutHyper(c, "value_coef", p.value_coef);
  PutHyper(c, "entropy_coef", p.entropy_coef);
  PutHyper(c, "outcome_coef", p.outcome_coef);
  PutHyper(c, "learning_rate", p.learning_rate);
  PutHyper(c, "max_grad_norm", p.max_grad_norm);
  PutHyper(c, "rollout_steps", p.rollout_steps);
  PutHyper(c, "epochs", p.epochs);
  PutHyper(c, "minibatch", p.minibatch);
  PutHyper(c, "total_env_steps", static_cast<double>(trainer->total_env_steps()));
  PutHyper(c, "hidden", options.hidden);
  PutHyper(c, "window", kLiveWindow);
  PutHyper(c, "price_margin", env_options.prices.margin);
  PutHyper(c, "price_latency_s", env_options.prices.latency_s);
  PutHyper(c, "match_minutes", env_options.prices.match_minutes);
  PutHyper(c, "initial_bankroll", env_options.initial_bankroll);
  PutHyper(c, "stake_fraction", env_options.stake_fraction);
  PutHyper(c, "min_stake", env_options.min_stake);
  PutHyper(c, "max_bets_per_match", env_options.max_bets_per_match);
  PutHyper(c, "sigma_training_median_sd", *median);
  PutHyper(c, "snapshot_dropout", env_options.snapshot_dropout);
  PutHyper(c, "bankroll_reset_episodes", env_options.bankroll_reset_episodes);
  for (const std::string& id : ids) c.add_train_match_ids(id);
  c.add_train_seasons("E0:2015/16");
  c.set_seed(options.seed);
  c.set_library_version(LibraryVersionString());
  for (const ParamTensor& t : (*net)->Parameters()) {
    v1::Tensor* out = c.add_tensors();
    out->set_name(t.name);
    for (int64_t d : t.shape) out->add_shape(d);
    out->mutable_data()->Add(t.value, t.value + t.size);
  }
  v1::Tensor* scale = c.add_tensors();
  scale->set_name(kInputScaleTensor);
  scale->add_shape(kLiveInputWidth);
  const std::vector<float> s = LiveInputScale();
  scale->mutable_data()->Add(s.begin(), s.end());
  (*c.mutable_metadata())["architecture"] = (*net)->architecture();
  (*c.mutable_metadata())["in_play_prices"] =
      "modelled, not recorded: Poisson goals calibrated to the margin-free pre-match 1X2 "
      "(superbet/hrl/live_prices.h)";
  (*c.mutable_metadata())["data"] =
      "StatsBomb open data PL 2015/16 timelines joined to football-data.co.uk E0_1516 pre-match "
      "odds";
  return result;
}

absl::StatusOr<LiveWorker> LoadLiveWorker(const v1::Checkpoint& c) {
  if (absl::Status s = CheckCheckpoint(c, LiveFeatureSpec(), "the live checkpoint"); !s.ok()) {
    return s;
  }
  if (c.agent() != kLiveAgentName) {
    return absl::FailedPreconditionError(
        absl::StrCat("checkpoint agent is '", c.agent(), "', expected '", kLiveAgentName, "'"));
  }
  std::vector<float> scale;
  for (const v1::Tensor& t : c.tensors()) {
    if (t.name() == kInputScaleTensor) scale.assign(t.data().begin(), t.data().end());
  }
  auto arch_it = c.metadata().find("architecture");
  const std::string arch = arch_it == c.metadata().end() ? "" : arch_it->second;
  absl::StatusOr<std::unique_ptr<ActorCritic>> net = absl::InvalidArgumentError(absl::StrCat(
      "checkpoint architecture '", arch, "' is neither lstm-attention-128 nor mlp-2x<N>"));
  if (arch == "lstm-attention-128") {
    net = MakeLstmAttentionActorCritic(kLiveWindow, kLiveInputWidth, scale, c.seed());
  } else if (absl::StartsWith(arch, "mlp-2x")) {
    absl::StatusOr<double> hidden = GetHyper(c, "hidden");
    if (!hidden.ok()) return hidden.status();
    MlpOptions mlp;
    mlp.window = kLiveWindow;
    mlp.features = kLiveInputWidth;
    mlp.hidden = static_cast<int>(*hidden);
    mlp.input_scale = scale;
    if (arch == absl::StrCat("mlp-2x", mlp.hidden)) net = MakeMlpActorCritic(mlp);
  }
  if (!net.ok()) return net.status();
  for (const ParamTensor& p : (*net)->Parameters()) {
    const v1::Tensor* found = nullptr;
    for (const v1::Tensor& t : c.tensors()) {
      if (t.name() == p.name) found = &t;
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint has no tensor ", p.name));
    }
    if (absl::Status s = SetParameter(**net, p.name, found->data()); !s.ok()) return s;
  }
  return LiveWorker(std::move(*net), c.model_version());
}

absl::StatusOr<LiveEnvOptions> LiveEnvOptionsFromCheckpoint(const v1::Checkpoint& c) {
  LiveEnvOptions o;
  struct Field {
    const char* name;
    double* dst;
  };
  double max_bets = 1;
  for (const Field& f :
       {Field{"price_margin", &o.prices.margin}, Field{"price_latency_s", &o.prices.latency_s},
        Field{"match_minutes", &o.prices.match_minutes},
        Field{"initial_bankroll", &o.initial_bankroll}, Field{"stake_fraction", &o.stake_fraction},
        Field{"min_stake", &o.min_stake}, Field{"max_bets_per_match", &max_bets},
        Field{"sigma_training_median_sd", &o.sigma_training_median_sd}}) {
    absl::StatusOr<double> v = GetHyper(c, f.name);
    if (!v.ok()) return v.status();
    *f.dst = *v;
  }
  o.max_bets_per_match = static_cast<int>(max_bets);
  o.snapshot_dropout = 0;  // Evaluation and replay see every recorded minute.
  o.seed = c.seed();
  return o;
}

std::string CheckpointBytes(const v1::Checkpoint& c) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);  // Map entries in key order.
    c.SerializeToCodedStream(&coded);
  }
  return bytes;
}

std::array<std::optional<double>, 3> MatchedLiveBook(const LiveMatch& match, int minute,
                                                     const InPlayPriceOptions& prices) {
  std::array<std::optional<double>, 3> book{};
  if (minute < 0 || minute >= static_cast<int>(match.states.size())) return book;
  const v1::LiveMatchState& s = match.states[minute];
  if (!s.has_score_home() || !s.has_score_away()) return book;
  return QuotePrices(InPlayProbabilities(match.rates, minute + prices.latency_s / 60.0,
                                         s.score_home(), s.score_away(), prices.match_minutes),
                     prices);
}

v1::Prediction LivePrediction(const LiveMatch& match, const LiveDecision& decision,
                              const std::array<std::optional<double>, 3>& book,
                              double data_staleness_s) {
  v1::Prediction p;
  p.set_match_id(match.match_id);
  p.mutable_prob()->set_home(decision.outcome[0]);
  p.mutable_prob()->set_draw(decision.outcome[1]);
  p.mutable_prob()->set_away(decision.outcome[2]);
  if (book[0]) p.mutable_odds()->set_home(*book[0]);
  if (book[1]) p.mutable_odds()->set_draw(*book[1]);
  if (book[2]) p.mutable_odds()->set_away(*book[2]);
  p.set_confidence(decision.confidence);
  p.set_data_staleness_s(data_staleness_s);
  return p;
}

absl::StatusOr<LiveEvaluation> EvaluateLiveWorker(LiveWorker& worker,
                                                  std::vector<LiveMatch> matches,
                                                  const LiveEnvOptions& options) {
  LiveEvaluation ev;
  std::vector<LiveMatch> copy = matches;
  absl::StatusOr<LiveEnv> env = LiveEnv::Create(std::move(copy), options);
  if (!env.ok()) return env.status();
  risk::RiskLimits limits;
  limits.max_decisions_per_match = options.max_bets_per_match;
  absl::StatusOr<risk::RiskGate> gate = risk::RiskGate::Create(limits);
  if (!gate.ok()) return gate.status();
  std::vector<float> obs(kLiveWindow * kLiveInputWidth), valid(kLiveWindow);
  double reward_sum = 0;
  int64_t inplay_n = 0;
  for (int e = 0; e < env->episodes(); ++e) {
    const LiveMatch& m = matches[e];
    if (absl::Status s = env->Reset(e, absl::MakeSpan(obs), absl::MakeSpan(valid)); !s.ok()) {
      return s;
    }
    const int diff = m.full_time.score_home() - m.full_time.score_away();
    const int outcome = diff > 0 ? 0 : (diff == 0 ? 1 : 2);
    EnvStep step;
    int k = 0;
    do {
      absl::StatusOr<LiveDecision> d = worker.Decide(obs, valid);
      if (!d.ok()) return d.status();
      if (k == 0) {
        ev.brier_head_kickoff += Brier(d->outcome, outcome);
        std::array<double, 3> market{};
        double sum = 0;
        for (int i = 0; i < 3; ++i) sum += market[i] = 1.0 / m.prematch_decimal_odds[i];
        for (double& v : market) v /= sum;
        ev.brier_market_kickoff += Brier(market, outcome);
      }
      const auto& s = m.states[k];
      if (s.has_score_home() && s.has_score_away()) {
        ev.brier_head_inplay += Brier(d->outcome, outcome);
        ev.brier_model_inplay +=
            Brier(InPlayProbabilities(m.rates, k, s.score_home(), s.score_away(),
                                      options.prices.match_minutes),
                  outcome);
        ++inplay_n;
      }
      int played = d->action;
      if (played != kNoBet) {  // The risk gate decides whether the bet counts.
        const int sel = played == kBetHome ? 0 : 2;
        const std::array<std::optional<double>, 3> book = MatchedLiveBook(m, k, options.prices);
        v1::Prediction p = LivePrediction(m, *d, book, env->data_staleness_s());
        p.set_pick(sel == 0 ? "home" : "away");
        p.set_action(sel == 0 ? v1::ACTION_BET_HOME : v1::ACTION_BET_AWAY);
        if (book[sel].has_value()) (void)scoring::SetPickMetrics(p);
        const double free = env->bankroll() - env->open_stakes();
        const risk::GateVerdict v = gate->Check(p, options.stake_fraction * free, free);
        if (!v.accepted) {
          played = kNoBet;
          ++ev.gate_denied_by_reason[std::string(risk::DenialReasonId(*v.reason))];
        }
      }
      if (absl::Status st =
              env->Step(played, d->confidence, absl::MakeSpan(obs), absl::MakeSpan(valid), &step);
          !st.ok()) {
        return st;
      }
      reward_sum += step.reward;
      ++k;
    } while (!step.done);
    for (const DeferredReward& r : step.deferred) reward_sum += r.reward;
    for (const LiveBet& b : env->bets()) {  // This match's settled bets leave the gate's exposure.
      if (b.match_id == m.match_id) {
        gate->RecordSettlement(b.match_id, b.stake, b.payout - b.stake, absl::UnixEpoch());
      }
    }
    ++ev.matches;
  }
  const LiveEnv::Stats& st = env->stats();
  ev.steps = st.steps;
  ev.bets = st.bets_placed;
  ev.bets_void_latency = st.bets_void_latency;
  ev.bets_won = st.bets_won;
  ev.staked = st.staked;
  ev.profit = st.profit;
  if (st.staked > 0) ev.roi = st.profit / st.staked;
  ev.mean_episode_reward = ev.matches > 0 ? reward_sum / ev.matches : 0;
  if (ev.matches > 0) {
    ev.brier_head_kickoff /= ev.matches;
    ev.brier_market_kickoff /= ev.matches;
  }
  if (inplay_n > 0) {
    ev.brier_head_inplay /= inplay_n;
    ev.brier_model_inplay /= inplay_n;
  }
  ev.bet_list = env->bets();
  return ev;
}

}  // namespace superbet::hrl
