// LiveEnv and the modelled in-play prices.
//
// Oracles: closed forms of the double-Poisson model (P(draw) = e^{-2} I0(2) for λ = μ = 1, with
// I0(2) = 2.2795853023 from Abramowitz & Stegun table 9.8; a lead at the final whistle is a
// certain win), the definition of overround, and, for no look-ahead, the environment itself run
// on a copy of a real match whose later minutes and result were altered: everything the agent saw
// and decided up to minute t must be bit-for-bit the same.

#include "superbet/hrl/live_env.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "catch2/catch.hpp"
#include "superbet/hrl/live_prices.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/hrl/nn/live_network.h"
#include "superbet/hrl/nn/streaming.h"
#include "superbet/providers/replay_provider.h"
#include "support/test_data.h"

namespace {

using superbet::hrl::kBetAway;
using superbet::hrl::kBetHome;
using superbet::hrl::kLiveInputWidth;
using superbet::hrl::kLiveWindow;
using superbet::hrl::kNoBet;
using superbet::hrl::LiveEnv;
using superbet::hrl::LiveEnvOptions;
using superbet::hrl::LiveMatch;

const std::vector<superbet::providers::statsbomb::Timeline>& Timelines() {
  static const auto* t = [] {
    superbet::providers::ReplayLoadOptions options;
    options.only_matches = {"3754097", "3754237", "3754300"};
    auto d = superbet::providers::LoadReplayData(superbet::testing::DataDir(), options);
    REQUIRE(d.ok());
    return new std::vector<superbet::providers::statsbomb::Timeline>(d->timelines);
  }();
  return *t;
}

TEST_CASE("Poisson in-play model matches closed forms", "[live][prices]") {
  const superbet::hrl::PoissonRates even{1.0, 1.0, 0.0};
  const auto p = superbet::hrl::InPlayProbabilities(even, 0, 0, 0);
  CHECK(p[1] == Approx(std::exp(-2.0) * 2.2795853023).margin(1e-9));
  CHECK(p[0] == Approx(p[2]).margin(1e-12));
  // A lead at the final whistle is a certain win, whatever the rates.
  const auto ft = superbet::hrl::InPlayProbabilities({2.0, 0.5, 0.0}, 90, 0, 1);
  CHECK(ft[2] == 1.0);
  // 0-0: the draw gets likelier as time runs out.
  double last = 0;
  for (int minute : {0, 30, 60, 85}) {
    const double d = superbet::hrl::InPlayProbabilities({1.5, 1.1, 0.0}, minute, 0, 0)[1];
    CHECK(d > last);
    last = d;
  }
}

TEST_CASE("FitPoissonRates recovers the rates that produced a 1X2", "[live][prices]") {
  for (auto [l, m] : {std::pair{1.6, 0.9}, {1.1, 1.4}, {2.7, 0.6}}) {
    const auto p = superbet::hrl::InPlayProbabilities({l, m, 0.0}, 0, 0, 0);
    auto fit = superbet::hrl::FitPoissonRates(p);
    REQUIRE(fit.ok());
    CHECK(fit->home_goals == Approx(l).epsilon(1e-5));
    CHECK(fit->away_goals == Approx(m).epsilon(1e-5));
    CHECK(fit->fit_residual < 1e-9);
  }
  auto bad = superbet::hrl::FitPoissonRates({0.5, 0.6, -0.1});
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.status().message()).find("[2]") != std::string::npos);
}

TEST_CASE("Quoted prices carry exactly the configured overround", "[live][prices]") {
  superbet::hrl::InPlayPriceOptions o;
  o.margin = 0.06;
  const auto q = superbet::hrl::QuotePrices({0.45, 0.28, 0.27}, o);
  REQUIRE(q[0].has_value());
  CHECK(1 / *q[0] + 1 / *q[1] + 1 / *q[2] == Approx(1.06).margin(1e-12));
  const auto suspended = superbet::hrl::QuotePrices({0.99995, 0.00004, 0.00001}, o);
  CHECK(suspended[0] == 1.01);
  CHECK(!suspended[1].has_value());
  o.margin = -0.1;
  CHECK(!superbet::hrl::ValidateInPlayPriceOptions(o).ok());
}

LiveMatch Prepare(const superbet::providers::statsbomb::Timeline& t) {
  auto m = superbet::hrl::PrepareLiveMatch(t, {});
  REQUIRE(m.ok());
  return *m;
}

TEST_CASE("LiveEnv observation follows the live-v1 layout on a real match", "[live][env]") {
  const LiveMatch m = Prepare(Timelines()[0]);
  // Manchester United 1-0 Tottenham: the model's pre-match favourite is the home side.
  CHECK(m.rates.home_goals > m.rates.away_goals);
  CHECK(superbet::hrl::LiveSlotNames().size() == kLiveInputWidth);
  CHECK(superbet::hrl::LiveSlotNames()[24] == "budget_ratio");
  auto env = LiveEnv::Create({m}, LiveEnvOptions());
  REQUIRE(env.ok());
  std::vector<float> obs(kLiveWindow * kLiveInputWidth), valid(kLiveWindow);
  REQUIRE(env->Reset(0, absl::MakeSpan(obs), absl::MakeSpan(valid)).ok());
  for (int t = 0; t < kLiveWindow - 1; ++t) CHECK(valid[t] == 0);  // Before kick-off.
  CHECK(valid[kLiveWindow - 1] == 1);
  const float* row = obs.data() + (kLiveWindow - 1) * kLiveInputWidth;
  CHECK(row[0] == 0);   // minute
  CHECK(row[7] == 1);   // mask.minute
  CHECK(row[17] == 1);  // all three prices quoted
  CHECK(row[14] + row[15] + row[16] == Approx(1.05).margin(1e-5));
  CHECK(row[21] == 0);  // no 1-minute momentum at kick-off
  CHECK(row[24] == 1);  // B/B0
  for (int s = 26; s < kLiveInputWidth; ++s) CHECK(row[s] == 0);
  superbet::hrl::EnvStep step;
  int minutes = 0;
  do {
    REQUIRE(env->Step(kNoBet, 1.0, absl::MakeSpan(obs), absl::MakeSpan(valid), &step).ok());
    ++minutes;
    if (minutes == 20) {
      CHECK(row[0] == 20);
      CHECK(row[21] == 1);  // momentum over 1, 5 and 15 minutes observed
      CHECK(row[23] == 1);
      for (int t = 0; t < kLiveWindow; ++t) CHECK(valid[t] == 1);
    }
  } while (!step.done);
  CHECK(minutes == static_cast<int>(m.states.size()));
  REQUIRE(step.outcome.has_value());
  CHECK(*step.outcome == 0);  // 1-0
  CHECK(env->bankroll() == 10000.0);
}

TEST_CASE("LiveEnv settles a bet at the modelled price on the final score", "[live][env]") {
  const LiveMatch m = Prepare(Timelines()[0]);  // 1-0 home win.
  LiveEnvOptions options;
  options.prices.latency_s = 0;
  auto env = LiveEnv::Create({m}, options);
  REQUIRE(env.ok());
  std::vector<float> obs(kLiveWindow * kLiveInputWidth), valid(kLiveWindow);
  REQUIRE(env->Reset(0, absl::MakeSpan(obs), absl::MakeSpan(valid)).ok());
  const double price = *m.quoted[0][0];
  superbet::hrl::EnvStep step;
  REQUIRE(env->Step(kBetHome, 0.8, absl::MakeSpan(obs), absl::MakeSpan(valid), &step).ok());
  CHECK(env->stats().bets_placed == 1);
  // Observation at minute 1: 500 of 10000 is in the open bet.
  CHECK(obs[(kLiveWindow - 1) * kLiveInputWidth + 24] == Approx(0.95));
  REQUIRE(env->Step(kBetAway, 0.8, absl::MakeSpan(obs), absl::MakeSpan(valid), &step).ok());
  CHECK(env->stats().bets_not_placed == 1);  // one bet per match by default
  while (!step.done) {
    REQUIRE(env->Step(kNoBet, 0.9, absl::MakeSpan(obs), absl::MakeSpan(valid), &step).ok());
  }
  REQUIRE(step.deferred.size() == 1);
  CHECK(step.deferred[0].step == 0);
  CHECK(env->bankroll() == Approx(10000 + 500 * (price - 1)).epsilon(1e-12));
  REQUIRE(env->bets().size() == 1);
  CHECK(env->bets()[0].decimal_odds == price);
}

// Runs `m` with a fixed rule that reads only the observation; returns every observation, validity
// mask and action up to and including minute `until`.
struct Trace {
  std::vector<float> obs;
  std::vector<float> valid;
  std::vector<int> actions;
};
Trace Run(const LiveMatch& m, int until, double dropout,
          superbet::hrl::LiveWorker* worker = nullptr) {
  LiveEnvOptions options;
  options.snapshot_dropout = dropout;
  options.max_bets_per_match = 3;
  auto env = LiveEnv::Create({m}, options);
  REQUIRE(env.ok());
  Trace tr;
  std::vector<float> obs(kLiveWindow * kLiveInputWidth), valid(kLiveWindow);
  REQUIRE(env->Reset(0, absl::MakeSpan(obs), absl::MakeSpan(valid)).ok());
  superbet::hrl::EnvStep step;
  for (int k = 0; k <= until; ++k) {
    tr.obs.insert(tr.obs.end(), obs.begin(), obs.end());
    tr.valid.insert(tr.valid.end(), valid.begin(), valid.end());
    const float* row = obs.data() + (kLiveWindow - 1) * kLiveInputWidth;
    int action = row[14] > 0.5f && k % 7 == 3    ? kBetHome
                 : row[16] > 0.3f && k % 11 == 5 ? kBetAway
                                                 : kNoBet;
    if (worker != nullptr) {  // A network's greedy decision on the same observation.
      auto d = worker->Decide(obs, valid);
      REQUIRE(d.ok());
      action = d->action;
    }
    tr.actions.push_back(action);
    REQUIRE(env->Step(action, 0.6, absl::MakeSpan(obs), absl::MakeSpan(valid), &step).ok());
    REQUIRE(!step.done);
  }
  return tr;
}

TEST_CASE("LiveEnv has no look-ahead: altering minutes after t changes nothing up to t",
          "[live][env][lookahead]") {
  for (const auto& timeline : Timelines()) {
    const int t = 50;
    superbet::providers::statsbomb::Timeline altered = timeline;
    for (size_t k = t + 1; k < altered.states.size(); ++k) {
      auto& s = altered.states[k];
      s.set_score_home(s.score_home() + 3);  // Later goals, xG and attacks that never happened.
      s.mutable_home()->set_xg(s.home().xg() + 2.5);
      s.mutable_away()->set_dangerous_attacks(s.away().dangerous_attacks() + 40);
    }
    altered.states.back().set_score_away(9);  // And another final result.
    for (double dropout : {0.0, 0.2}) {
      const Trace a = Run(Prepare(timeline), t, dropout);
      const Trace b = Run(Prepare(altered), t, dropout);
      CHECK(a.obs == b.obs);
      CHECK(a.valid == b.valid);
      CHECK(a.actions == b.actions);
      // The same with a live worker deciding (an untrained MLP with a sharpened policy head: its
      // greedy action moves with the observation, so a leak would change it).
      superbet::hrl::MlpOptions o;
      o.input_scale = superbet::hrl::LiveInputScale();
      o.seed = 21;
      superbet::hrl::LiveWorker w1(std::move(*superbet::hrl::MakeMlpActorCritic(o)), "t");
      superbet::hrl::LiveWorker w2(std::move(*superbet::hrl::MakeMlpActorCritic(o)), "t");
      for (auto* w : {&w1, &w2}) {  // Sharpen the policy head so the greedy action varies.
        for (const auto& p : w->network().Parameters()) {
          const float gain = p.name == "policy.weight"    ? 500.0f
                             : p.name == "trunk.0.weight" ? 30.0f
                                                          : 1.0f;
          for (size_t i = 0; i < p.size; ++i) p.value[i] *= gain;
        }
      }
      const Trace wa = Run(Prepare(timeline), t, dropout, &w1);
      const Trace wb = Run(Prepare(altered), t, dropout, &w2);
      CHECK(wa.obs == wb.obs);
      CHECK(wa.actions == wb.actions);
      CHECK(std::set<int>(wa.actions.begin(), wa.actions.end()).size() >= 2);  // It does decide.
      // The alteration is visible once its minute is reached: the test can fail.
      const Trace c = Run(Prepare(timeline), t + 5, dropout);
      const Trace d = Run(Prepare(altered), t + 5, dropout);
      CHECK(c.obs != d.obs);
    }
  }
}

TEST_CASE("LiveEnv rejects bad options and a match without prices", "[live][env]") {
  LiveEnvOptions o;
  o.stake_fraction = 0.2;
  auto env = LiveEnv::Create({Prepare(Timelines()[0])}, o);
  CHECK(env.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(env.status().message()).find("stake_fraction") != std::string::npos);
  superbet::providers::statsbomb::Timeline no_odds = Timelines()[0];
  for (auto& s : no_odds.states) s.clear_live_odds();
  auto m = superbet::hrl::PrepareLiveMatch(no_odds, {});
  CHECK(m.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace

namespace {

TEST_CASE("LiveEnv restores B0 every bankroll_reset_episodes episodes", "[live][env]") {
  const LiveMatch m = Prepare(Timelines()[0]);  // 1-0: a home bet wins.
  LiveEnvOptions options;
  options.bankroll_reset_episodes = 1;
  auto env = LiveEnv::Create({m}, options);
  REQUIRE(env.ok());
  std::vector<float> obs(kLiveWindow * kLiveInputWidth), valid(kLiveWindow);
  superbet::hrl::EnvStep step;
  REQUIRE(env->Reset(0, absl::MakeSpan(obs), absl::MakeSpan(valid)).ok());
  int action = kBetHome;
  do {
    REQUIRE(env->Step(action, 0.7, absl::MakeSpan(obs), absl::MakeSpan(valid), &step).ok());
    action = kNoBet;
  } while (!step.done);
  CHECK(env->bankroll() > 10000.0);
  REQUIRE(env->Reset(0, absl::MakeSpan(obs), absl::MakeSpan(valid)).ok());
  CHECK(env->bankroll() == 10000.0);
  CHECK(obs[(kLiveWindow - 1) * kLiveInputWidth + 24] == 1.0f);  // B/B0 back to 1
  CHECK(env->stats().bets_placed == 1);                          // statistics kept
}

}  // namespace

namespace {

// Streaming inference (superbet/hrl/nn/streaming.h) fed one minute at a time from a replayed real
// match, against LiveNetworkForward over the environment's 10-minute window (oracle; itself checked
// against PyTorch in nn_live_network_test.cc). The streaming engine carries the LSTM state across
// the whole match, while the window forward the live worker is trained and replayed with starts
// every window from a zero state: the two agree (1e-5) only while the match still fits the window
// (minutes 0-9, padded steps leave the state at 0). From minute 10 on they are different functions;
// the test records that they do differ, so that replay --agent cannot switch to streaming without
// changing what the trained policy sees.
TEST_CASE("Streaming equals the live window on a replayed match only while the match fits it",
          "[live][env][streaming]") {
  namespace nn = superbet::hrl::nn;
  const LiveMatch m = Prepare(Timelines()[0]);
  auto env = LiveEnv::Create({m}, LiveEnvOptions());
  REQUIRE(env.ok());
  auto net = nn::MakeLiveNetwork(nn::LiveNetworkConfig(), 7);
  REQUIRE(net.ok());
  auto engine = nn::LiveStreamingInference::Create(*net);
  REQUIRE(engine.ok());
  auto handle = (*engine)->OpenMatch();
  REQUIRE(handle.ok());
  const std::vector<float> scale = superbet::hrl::LiveInputScale();
  std::vector<float> obs(kLiveWindow * kLiveInputWidth), valid(kLiveWindow), x(obs.size());
  std::vector<uint8_t> valid8(kLiveWindow);
  superbet::hrl::EnvStep step;
  REQUIRE(env->Reset(0, absl::MakeSpan(obs), absl::MakeSpan(valid)).ok());
  nn::LiveNetworkOutput full;
  nn::LiveStepOutput streamed;
  double max_diff_early = 0, max_diff_late = 0;
  int minute = 0;
  do {
    for (size_t i = 0; i < obs.size(); ++i) x[i] = obs[i] * scale[i % kLiveInputWidth];
    for (int t = 0; t < kLiveWindow; ++t) valid8[t] = valid[t] > 0.5f ? 1 : 0;
    const int newest = (kLiveWindow - 1) * kLiveInputWidth;
    REQUIRE((*engine)
                ->Step({*handle}, absl::MakeConstSpan(x).subspan(newest, kLiveInputWidth),
                       absl::MakeConstSpan(valid8).subspan(kLiveWindow - 1, 1), &streamed)
                .ok());
    if (streamed.has_output[0]) {
      REQUIRE(nn::LiveNetworkForward(*net, {1, kLiveWindow, x, valid8}, nullptr, &full).ok());
      double diff = 0;
      for (int a = 0; a < 3; ++a) {
        diff = std::max(diff, std::fabs(double(full.policy_logits[a]) - streamed.policy_logits[a]));
        diff =
            std::max(diff, std::fabs(double(full.outcome_logits[a]) - streamed.outcome_logits[a]));
      }
      diff = std::max(diff, std::fabs(double(full.value[0]) - streamed.value[0]));
      (minute < kLiveWindow ? max_diff_early : max_diff_late) =
          std::max(minute < kLiveWindow ? max_diff_early : max_diff_late, diff);
    }
    REQUIRE(env->Step(kNoBet, 1.0, absl::MakeSpan(obs), absl::MakeSpan(valid), &step).ok());
    ++minute;
  } while (!step.done);
  REQUIRE(minute > 2 * kLiveWindow);
  INFO("max |full - streamed| minutes 0-9: " << max_diff_early
                                             << ", minutes 10+: " << max_diff_late);
  CHECK(max_diff_early < 1e-5);
  CHECK(max_diff_late > 1e-3);
}

}  // namespace
