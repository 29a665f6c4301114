// LiveDecider: the LiveMatchState -> live-v1 row mapping equals LiveEnv's own rows minute by
// minute on a real StatsBomb replay, every decision goes through the risk gate with a verdict
// (and a reason id when denied), dry runs record nothing, and an incompatible checkpoint is
// refused.
//
// Oracles: LiveEnv's observation for the same minute (the training environment is the
// reference for the feature layout); the gate's own counts; the bankroll arithmetic
// (B₀ − Σ accepted stakes).

#include "superbet/hrl/live_decider.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "catch2/catch.hpp"
#include "google/protobuf/util/json_util.h"
#include "superbet/core/append_log.h"
#include "superbet/hrl/settlement.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/scoring/prediction_json.h"
#include "support/failing_stream.h"
#include "support/file_size_limit.h"
#include "support/test_data.h"

namespace {

namespace hrl = superbet::hrl;

hrl::LiveMatch LoadMatch(const std::string& id) {
  superbet::providers::ReplayLoadOptions options;
  options.only_matches = {id};
  auto d = superbet::providers::LoadReplayData(superbet::testing::DataDir(), options);
  REQUIRE(d.ok());
  REQUIRE(d->timelines.size() == 1);
  auto m = hrl::PrepareLiveMatch(d->timelines[0], {});
  REQUIRE(m.ok());
  return *m;
}

// The states with live_odds set to the environment's modelled prices of the same minute, so
// that the decider sees exactly what the environment quoted.
std::vector<superbet::v1::LiveMatchState> QuotedStates(const hrl::LiveMatch& m) {
  std::vector<superbet::v1::LiveMatchState> out = m.states;
  for (size_t k = 0; k < out.size(); ++k) {
    const auto& q = m.quoted[k];
    // An unquoted selection is 0 (OddsTriple has no per-price presence; 0 is never a price).
    out[k].mutable_live_odds()->set_home(q[0].value_or(0.0));
    out[k].mutable_live_odds()->set_draw(q[1].value_or(0.0));
    out[k].mutable_live_odds()->set_away(q[2].value_or(0.0));
  }
  return out;
}

superbet::v1::Checkpoint TinyCheckpoint() {
  hrl::LiveTrainOptions o;
  o.architecture = hrl::LiveArchitecture::kMlp;
  o.seed = 3;
  o.total_env_steps = 200;
  o.ppo.rollout_steps = 200;
  auto r = hrl::TrainLiveWorker({LoadMatch("3754097"), LoadMatch("3754300")}, o, {});
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return r->checkpoint;
}

}  // namespace

TEST_CASE("LiveRowFromState equals LiveEnv's row for every minute of a real match",
          "[live][decider]") {
  const hrl::LiveMatch m = LoadMatch("3754097");
  hrl::LiveEnvOptions eo;
  eo.sigma_training_median_sd = 0.02;
  auto env = hrl::LiveEnv::Create({m}, eo);
  REQUIRE(env.ok());
  std::vector<float> obs(hrl::kLiveWindow * hrl::kLiveInputWidth), valid(hrl::kLiveWindow);
  REQUIRE(env->Reset(0, absl::MakeSpan(obs), absl::MakeSpan(valid)).ok());
  const auto states = QuotedStates(m);
  std::map<int, superbet::v1::LiveMatchState> history;
  int compared = 0;
  for (int k = 0; k < static_cast<int>(states.size()) - 1; ++k) {
    REQUIRE(env->minute() == k);
    auto row = hrl::LiveRowFromState(states[k], history, 1.0, eo.sigma_training_median_sd);
    REQUIRE(row.ok());
    const float* env_row = obs.data() + (hrl::kLiveWindow - 1) * hrl::kLiveInputWidth;
    for (int i = 0; i < hrl::kLiveInputWidth; ++i) {
      INFO("minute " << k << " slot " << i << " (" << hrl::LiveSlotNames()[i] << ")");
      CHECK((*row)[i] == Approx(env_row[i]).margin(1e-6));
    }
    ++compared;
    history[k] = states[k];
    hrl::EnvStep step;
    REQUIRE(env->Step(hrl::kNoBet, 1.0, absl::MakeSpan(obs), absl::MakeSpan(valid), &step).ok());
    if (step.done) break;
  }
  CHECK(compared > 80);
}

TEST_CASE("LiveRowFromState refuses a state without a minute", "[live][decider]") {
  superbet::v1::LiveMatchState s;
  auto row = hrl::LiveRowFromState(s, {}, 1.0, 0.02);
  REQUIRE(row.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(row.status().message() == "state.minute must be >= 0, got absent");
}

TEST_CASE("LiveDecider gates every decision and dry runs record nothing", "[live][decider]") {
  const hrl::LiveMatch m = LoadMatch("3754237");
  std::ostringstream ledger;
  hrl::LiveDeciderOptions o;
  o.ledger = &ledger;
  auto decider = hrl::LiveDecider::FromCheckpoint(TinyCheckpoint(), "mem", o);
  REQUIRE(decider.ok());
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);

  // A dry run first: a verdict, but neither bankroll nor counts nor ledger change.
  const auto states = QuotedStates(m);
  auto dry = (*decider)->Decide(states[0], t0, /*dry_run=*/true);
  REQUIRE(dry.ok());
  CHECK(dry->verdict() != superbet::v1::VERDICT_UNSPECIFIED);
  CHECK((*decider)->gate_counts().accepted + (*decider)->gate_counts().denied == 0);
  CHECK(ledger.str().empty());

  double staked = 0;
  int64_t accepted = 0, denied = 0, lines = 0;
  for (size_t k = 0; k + 1 < states.size(); ++k) {
    auto d = (*decider)->Decide(states[k], t0 + absl::Minutes(k), false);
    REQUIRE(d.ok());
    if (d->verdict() == superbet::v1::VERDICT_ACCEPTED) {
      ++accepted;
      staked += d->stake();
      CHECK(d->stake() == Approx(0.05 * d->bankroll_before()));
      CHECK(d->prediction().kelly_fraction() > 0);
    } else {
      REQUIRE(d->verdict() == superbet::v1::VERDICT_DENIED);
      ++denied;
      CHECK_FALSE(d->reason().empty());
      CHECK(d->stake() == 0);
    }
  }
  for (char c : ledger.str()) lines += c == '\n';
  const auto counts = (*decider)->gate_counts();
  CHECK(counts.accepted == accepted);
  CHECK(counts.denied == denied);
  CHECK(lines == accepted + denied);
  CHECK((*decider)->bankroll() == Approx(10000.0 - staked));
  // One bet per match at most (the gate's default has no per-match limit; the decider's does not
  // either), so just check the totals add up.
  CHECK(accepted + denied == static_cast<int64_t>(states.size()) - 1);

  SECTION("a state without match_id is refused naming the field") {
    superbet::v1::LiveMatchState s = states[1];
    s.clear_match_id();
    auto d = (*decider)->Decide(s, t0, false);
    CHECK(d.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(d.status().message() == "state.match_id is empty");
  }
}

TEST_CASE("LiveDecider::DecideWithHistory equals Decide while the bankroll is untouched",
          "[live][decider]") {
  // Oracle: Decide on the same states fed in minute order (the decider's own history). While no
  // bet is accepted the bankroll ratio is 1 for both, so every Decision must be equal field by
  // field; a decider that has seen other matches decides the same (history is the caller's).
  // The gate's max_decimal_odds (1.0001) denies every bet, so the bankroll never moves and the
  // whole match is compared, bet actions included.
  const hrl::LiveMatch m = LoadMatch("3754237");
  const auto states = QuotedStates(m);
  const superbet::v1::Checkpoint c = TinyCheckpoint();
  hrl::LiveDeciderOptions deny_all;
  deny_all.limits.max_decimal_odds = 1.0001;
  auto own = hrl::LiveDecider::FromCheckpoint(c, "mem", deny_all);
  auto shared = hrl::LiveDecider::FromCheckpoint(c, "mem", deny_all);
  REQUIRE(own.ok());
  REQUIRE(shared.ok());
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  // Another match's states through `shared`'s own history first: they must not matter.
  const hrl::LiveMatch other = LoadMatch("3754097");
  for (size_t k = 0; k < 20; ++k) {
    REQUIRE((*shared)->Decide(other.states[k], t0, /*dry_run=*/true).ok());
  }
  std::map<int, superbet::v1::LiveMatchState> history;
  size_t compared = 0;
  int bets = 0;
  for (size_t k = 0; k + 1 < states.size(); ++k) {
    auto a = (*own)->Decide(states[k], t0 + absl::Minutes(k), false);
    auto b = (*shared)->DecideWithHistory(states[k], history, t0 + absl::Minutes(k), false);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    INFO("minute " << k);
    CHECK(a->SerializeAsString() == b->SerializeAsString());
    ++compared;
    history[static_cast<int>(k)] = states[k];
    CHECK(a->verdict() == superbet::v1::VERDICT_DENIED);
    bets += a->prediction().action() != superbet::v1::ACTION_NO_BET;
  }
  CHECK(compared + 1 == states.size());
  CHECK(bets > 0);  // Bet actions were compared too (denied odds_above_max, not no_bet).

  SECTION("minutes at or after the state's are ignored, errors as Decide") {
    std::map<int, superbet::v1::LiveMatchState> h2 = history;
    superbet::v1::LiveMatchState future = states[40];
    future.mutable_home()->set_dangerous_attacks(999);
    h2[35] = future;
    h2[30] = future;  // The state's own minute: the state passed wins.
    const int k = 30;
    auto fresh = hrl::LiveDecider::FromCheckpoint(c, "mem", {});
    auto fresh2 = hrl::LiveDecider::FromCheckpoint(c, "mem", {});
    auto x = (*fresh)->DecideWithHistory(states[k], history, t0, true);
    auto y = (*fresh2)->DecideWithHistory(states[k], h2, t0, true);
    REQUIRE(x.ok());
    REQUIRE(y.ok());
    CHECK(x->SerializeAsString() == y->SerializeAsString());
    superbet::v1::LiveMatchState bad = states[1];
    bad.clear_minute();
    CHECK((*fresh)->DecideWithHistory(bad, history, t0, true).status().message() ==
          "state.minute is absent");
  }
}

TEST_CASE("LiveDecider refuses a checkpoint with another feature spec", "[live][decider]") {
  superbet::v1::Checkpoint c = TinyCheckpoint();
  c.mutable_feature_spec()->set_slots(3, "xg_home_renamed");
  auto d = hrl::LiveDecider::FromCheckpoint(c, "mem", {});
  REQUIRE(d.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(d.status().message()).find("xg_home_renamed") != std::string::npos);
}

// The broadcast plant reads predictions with the decision core's line reader, which requires
// kickoff (superbet/scoring/prediction_json.h): every quoted prediction with a pick must read back
// as written, carrying the kickoff of the fixture the replay loaded (StatsBomb matches/2/27.json).
TEST_CASE("LiveDecider predictions carry the state's kickoff and read back as prediction lines",
          "[live][decider]") {
  superbet::providers::ReplayLoadOptions options;
  options.only_matches = {"3754237"};
  auto data = superbet::providers::LoadReplayData(superbet::testing::DataDir(), options);
  REQUIRE(data.ok());
  const superbet::v1::Fixture& fixture = data->timelines[0].fixture;
  REQUIRE(fixture.has_kickoff());
  const hrl::LiveMatch m = LoadMatch("3754237");
  auto decider = hrl::LiveDecider::FromCheckpoint(TinyCheckpoint(), "mem", {});
  REQUIRE(decider.ok());
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  const auto states = QuotedStates(m);
  int64_t with_pick = 0;
  for (size_t k = 0; k + 1 < states.size(); ++k) {
    REQUIRE(states[k].kickoff().seconds() == fixture.kickoff().seconds());
    auto d = (*decider)->Decide(states[k], t0 + absl::Minutes(k), false);
    REQUIRE(d.ok());
    CHECK(d->prediction().kickoff().seconds() == fixture.kickoff().seconds());
    // A bet on an unquoted pick (no odds: denied invalid_decision) is no prediction line.
    if (d->prediction().pick().empty() || !d->prediction().odds().has_home()) continue;
    ++with_pick;
    auto line = superbet::scoring::PredictionToJsonLine(d->prediction());
    REQUIRE(line.ok());
    auto back = superbet::scoring::PredictionFromJsonLine(*line, 1);
    INFO(*line);
    REQUIRE(back.ok());
    CHECK(back->SerializeAsString() == d->prediction().SerializeAsString());
  }
  CHECK(with_pick > 0);

  // A state without kickoff gives a prediction without one (absent, never a stand-in 0).
  superbet::v1::LiveMatchState s = states[5];
  s.clear_kickoff();
  s.set_match_id("statsbomb:no-kickoff");
  auto d = (*decider)->Decide(s, t0, true);
  REQUIRE(d.ok());
  CHECK_FALSE(d->prediction().has_kickoff());
}

// Issue 17: the FINISHED state of a match comes on match.live one minute after its last live
// state, and nothing stopped a decision on it. Oracle: the recorded status of each state
// (StatsBomb: every minute LIVE, the last one FINISHED) and the gate's rule table
// (superbet/risk/gate.h: not_in_play first). The same states marked FINISHED are denied where the
// live ones are accepted, so the status alone decides; the recorded final state is denied and
// costs nothing.
TEST_CASE("LiveDecider denies a decision on a match that is not in play (not_in_play)",
          "[live][decider][status]") {
  const hrl::LiveMatch m = LoadMatch("3754237");
  const auto states = QuotedStates(m);
  REQUIRE(m.full_time.status() == superbet::v1::FIXTURE_STATUS_FINISHED);
  REQUIRE(m.full_time.minute() == states.back().minute() + 1);
  std::ostringstream ledger;
  hrl::LiveDeciderOptions o;
  o.ledger = &ledger;
  auto decider = hrl::LiveDecider::FromCheckpoint(TinyCheckpoint(), "mem", o);
  REQUIRE(decider.ok());
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  std::map<int, superbet::v1::LiveMatchState> history;
  int accepted_live = 0;
  for (size_t k = 0; k < states.size(); ++k) {
    INFO("minute " << k);
    REQUIRE(states[k].status() == superbet::v1::FIXTURE_STATUS_LIVE);
    superbet::v1::LiveMatchState finished = states[k];
    finished.set_status(superbet::v1::FIXTURE_STATUS_FINISHED);
    const absl::Time t = t0 + absl::Minutes(k);
    auto f = (*decider)->DecideWithHistory(finished, history, t, /*dry_run=*/true);
    auto d = (*decider)->DecideWithHistory(states[k], history, t, /*dry_run=*/false);
    REQUIRE(f.ok());
    REQUIRE(d.ok());
    CHECK(f->verdict() == superbet::v1::VERDICT_DENIED);
    CHECK(f->reason() == "not_in_play");
    CHECK(f->detail() == "match status FIXTURE_STATUS_FINISHED is not FIXTURE_STATUS_LIVE");
    CHECK(f->stake() == 0);
    CHECK(f->prediction().action() == d->prediction().action());  // Same window, same policy.
    accepted_live += d->verdict() == superbet::v1::VERDICT_ACCEPTED;
    history[static_cast<int>(k)] = states[k];
  }
  REQUIRE(accepted_live > 0);  // Bets the status alone stopped were compared.

  // The recorded final state, priced as the last live minute (so no missing price can be the
  // reason), through both entry points: denied not_in_play, counted, ledgered, nothing staked.
  superbet::v1::LiveMatchState full_time = m.full_time;
  *full_time.mutable_live_odds() = states.back().live_odds();
  const double bankroll = (*decider)->bankroll();
  const auto before = (*decider)->gate_counts();
  const absl::Time t_end = t0 + absl::Minutes(states.size());
  auto a = (*decider)->DecideWithHistory(full_time, history, t_end, false);
  auto b = (*decider)->Decide(full_time, t_end, false);
  for (const auto* d : {&a, &b}) {
    REQUIRE(d->ok());
    CHECK((*d)->verdict() == superbet::v1::VERDICT_DENIED);
    CHECK((*d)->reason() == "not_in_play");
    CHECK((*d)->stake() == 0);
  }
  CHECK((*decider)->bankroll() == bankroll);
  const auto after = (*decider)->gate_counts();
  CHECK(after.accepted == before.accepted);
  CHECK(after.denied_by_reason.at("not_in_play") == 2);
  CHECK(before.denied_by_reason.count("not_in_play") == 0);  // Dry runs counted nothing.
  const std::string text = ledger.str();
  CHECK(text.rfind("\"reason\":\"not_in_play\"") != std::string::npos);
}

// Issue 17: the decider debited the stake before writing the ledger, so every retry of a decision
// whose ledger write failed staked the bankroll again. Oracle: a twin decider on the same
// checkpoint without a ledger, fed the same states (what the decider must equal once the failed
// attempts are forgotten), and the bankroll arithmetic (one debit of 5 % of the free bankroll).
TEST_CASE("LiveDecider records nothing when the ledger write fails, then debits exactly once",
          "[live][decider][ledger]") {
  const hrl::LiveMatch m = LoadMatch("3754237");
  const auto states = QuotedStates(m);
  const superbet::v1::Checkpoint c = TinyCheckpoint();
  superbet::testing::FailingStream ledger(/*failing=*/false);
  hrl::LiveDeciderOptions o;
  o.ledger = &ledger;
  auto decider = hrl::LiveDecider::FromCheckpoint(c, "mem", o);
  auto twin = hrl::LiveDecider::FromCheckpoint(c, "mem", {});
  REQUIRE(decider.ok());
  REQUIRE(twin.ok());
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  std::map<int, superbet::v1::LiveMatchState> history;
  // Up to the first minute the twin would accept (after a few minutes of VSNR / gamma history),
  // both decide everything and the ledger works.
  size_t k = 0;
  for (; k < states.size(); ++k) {
    const absl::Time t = t0 + absl::Minutes(k);
    auto preview = (*twin)->DecideWithHistory(states[k], history, t, /*dry_run=*/true);
    REQUIRE(preview.ok());
    if (k >= 5 && preview->verdict() == superbet::v1::VERDICT_ACCEPTED) break;
    REQUIRE((*decider)->DecideWithHistory(states[k], history, t, false).ok());
    REQUIRE((*twin)->DecideWithHistory(states[k], history, t, false).ok());
    history[static_cast<int>(k)] = states[k];
  }
  REQUIRE(k < states.size());
  const absl::Time t = t0 + absl::Minutes(k);
  const double bankroll = (*decider)->bankroll();
  REQUIRE(bankroll == (*twin)->bankroll());
  const std::string lines_before = ledger.str();
  const auto counts_before = (*decider)->gate_counts();

  // The disk is full: every attempt fails. The second finds the stream still failed (its owner has
  // not cleared it); the others are retried after a clear, as an owner would.
  ledger.set_failing(true);
  for (int attempt = 0; attempt < 5; ++attempt) {
    INFO("attempt " << attempt);
    if (attempt >= 2) ledger.clear();
    auto d = (*decider)->DecideWithHistory(states[k], history, t, false);
    REQUIRE(d.status().code() == absl::StatusCode::kDataLoss);
    CHECK(d.status().message() ==
          (attempt == 1 ? "ledger write failed (the stream is still failed from an earlier "
                          "write); decision not recorded"
                        : "ledger write failed; decision not recorded"));
    CHECK((*decider)->bankroll() == bankroll);
    CHECK((*decider)->budget_ratio() == bankroll / 10000.0);
    const auto counts = (*decider)->gate_counts();
    CHECK(counts.accepted == counts_before.accepted);
    CHECK(counts.denied == counts_before.denied);
  }
  CHECK(ledger.failed_writes() >= 4);
  CHECK(ledger.str() == lines_before);

  // The disk has space again: the owner clears the stream; the decision is recorded once.
  ledger.set_failing(false);
  ledger.clear();
  auto d = (*decider)->DecideWithHistory(states[k], history, t, false);
  auto expected = (*twin)->DecideWithHistory(states[k], history, t, false);
  REQUIRE(d.ok());
  REQUIRE(expected.ok());
  REQUIRE(d->verdict() == superbet::v1::VERDICT_ACCEPTED);
  CHECK(d->stake() == 0.05 * bankroll);
  CHECK(d->bankroll_before() == bankroll);
  CHECK((*decider)->bankroll() == bankroll - 0.05 * bankroll);
  CHECK((*decider)->gate_counts().accepted == counts_before.accepted + 1);
  // Same VSNR / gamma history, gate and bankroll as the twin that never failed: field by field.
  CHECK(d->SerializeAsString() == expected->SerializeAsString());
  CHECK((*decider)->bankroll() == (*twin)->bankroll());
  const std::string added = ledger.str().substr(lines_before.size());
  CHECK(std::count(added.begin(), added.end(), '\n') == 1);
  CHECK(added.find("VERDICT_ACCEPTED") != std::string::npos);

  SECTION("a ledger on /dev/full (ENOSPC on every flush) never stakes the bankroll") {
    std::ofstream full("/dev/full");
    REQUIRE(full.is_open());
    hrl::LiveDeciderOptions fo;
    fo.ledger = &full;
    auto on_full = hrl::LiveDecider::FromCheckpoint(c, "mem", fo);
    REQUIRE(on_full.ok());
    for (int attempt = 0; attempt < 3; ++attempt) {
      full.clear();
      auto r = (*on_full)->DecideWithHistory(states[k], history, t, false);
      CHECK(r.status().code() == absl::StatusCode::kDataLoss);
    }
    CHECK((*on_full)->bankroll() == 10000.0);
    CHECK((*on_full)->gate_counts().accepted + (*on_full)->gate_counts().denied == 0);
  }
}

// Issue 17: settlements never reached the decider, so its free bankroll (the budget slot, the
// exported hrl_budget_remaining, the gate's open exposure and stop-loss) only went down. Oracle:
// the bankroll arithmetic in closed form on the real in-play price of the first accepted bet of
// StatsBomb match 3754237 (B₀ − stake + stake × decimal odds on a win, + stake on a void, + 0 on
// a loss), and the gate's open exposure of the match.
TEST_CASE("LiveDecider::RecordSettlement credits the gross payout and releases the exposure",
          "[live][decider][settlement]") {
  const hrl::LiveMatch m = LoadMatch("3754237");
  const auto states = QuotedStates(m);
  hrl::LiveDeciderOptions o;
  o.limits.daily_stop_loss = 1.0;  // Any realised loss of a UTC day stops that day's bets.
  auto decider = hrl::LiveDecider::FromCheckpoint(TinyCheckpoint(), "mem", o);
  REQUIRE(decider.ok());
  hrl::LiveDecider& dec = **decider;
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  std::optional<superbet::v1::Decision> bet;
  size_t k = 0;
  for (; k < states.size() && !bet; ++k) {
    auto d = dec.Decide(states[k], t0 + absl::Minutes(k), false);
    REQUIRE(d.ok());
    if (d->verdict() == superbet::v1::VERDICT_ACCEPTED) bet = *d;
  }
  REQUIRE(bet.has_value());
  const std::string id = states[0].match_id();
  const double stake = bet->stake();
  const std::string& pick = bet->prediction().pick();
  const double odds =
      pick == "home" ? states[k - 1].live_odds().home() : states[k - 1].live_odds().away();
  REQUIRE(odds > 1.0);
  REQUIRE(stake == 0.05 * 10000.0);
  CHECK(dec.bankroll() == 10000.0 - stake);
  CHECK(dec.open_stake(id) == stake);
  const absl::Time settled_at = t0 + absl::Minutes(100);

  // Bad input is refused naming the value, and changes nothing.
  {
    CHECK(dec.RecordSettlement("", 1, 1, settled_at).code() == absl::StatusCode::kInvalidArgument);
    const absl::Status neg = dec.RecordSettlement(id, 1, -1, settled_at);
    CHECK(neg.code() == absl::StatusCode::kInvalidArgument);
    CHECK(neg.message() == "payout must be finite and >= 0, got -1");
    CHECK(dec.RecordSettlement(id, 0, 0, settled_at).code() == absl::StatusCode::kInvalidArgument);
    CHECK(dec.RecordSettlement("statsbomb:other", 1, 1, settled_at).code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  CHECK(dec.bankroll() == 10000.0 - stake);
  CHECK(dec.open_stake(id) == stake);

  double payout = -1;
  SECTION("a win credits stake x odds") { payout = stake * odds; }
  SECTION("a void credits the stake") { payout = stake; }
  SECTION("a loss credits nothing") { payout = 0; }
  REQUIRE(dec.RecordSettlement(id, stake, payout, settled_at).ok());
  CHECK(dec.bankroll() == 10000.0 - stake + payout);
  CHECK(dec.budget_ratio() == (10000.0 - stake + payout) / 10000.0);
  CHECK(dec.open_stake(id) == 0);  // The match's open exposure is released.
  // Settled once: a second credit for the same stake is refused and changes nothing.
  const absl::Status again = dec.RecordSettlement(id, stake, payout, settled_at);
  CHECK(again.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(dec.bankroll() == 10000.0 - stake + payout);
  // The gate's realised profit of the settlement day: a loss trips the daily stop-loss for the
  // next bet decided that day; a win or a void does not.
  int stopped = 0;
  for (size_t j = k; j < states.size(); ++j) {
    auto d = dec.Decide(states[j], settled_at, /*dry_run=*/true);
    REQUIRE(d.ok());
    stopped += d->reason() == "daily_stop_loss";
  }
  if (payout < stake) {
    CHECK(stopped > 0);
  } else {
    CHECK(stopped == 0);
  }
}

// Issue 17: the BetSettler's B and the decider's free bankroll must agree once a match settles.
// Oracle: the closed form B₀ − Σ stakes + Σ stake × decimal odds of the bets whose pick matches
// the recorded final score of StatsBomb match 3754237 (real in-play prices of ../shared/data),
// and the settler's B / B₀.
TEST_CASE("LiveDecider's budget ratio after a match settles equals the settler's B / B0",
          "[live][decider][settlement]") {
  const hrl::LiveMatch m = LoadMatch("3754237");
  const auto states = QuotedStates(m);
  REQUIRE(m.full_time.status() == superbet::v1::FIXTURE_STATUS_FINISHED);
  REQUIRE(m.full_time.has_score_home());
  REQUIRE(m.full_time.has_score_away());
  const int result = m.full_time.score_home() > m.full_time.score_away()    ? 0
                     : m.full_time.score_home() == m.full_time.score_away() ? 1
                                                                            : 2;
  const superbet::v1::Checkpoint c = TinyCheckpoint();
  auto decider = hrl::LiveDecider::FromCheckpoint(c, "mem", {});
  REQUIRE(decider.ok());
  auto env = hrl::LiveEnvOptionsFromCheckpoint(c);
  REQUIRE(env.ok());
  hrl::SettlerOptions so;
  so.initial_budget = 10000.0;
  auto settler = hrl::BetSettler::Create(so);
  REQUIRE(settler.ok());
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  std::map<int, superbet::v1::LiveMatchState> history;
  double staked = 0, win_payouts = 0;
  int bets = 0, won = 0;
  for (size_t k = 0; k < states.size(); ++k) {
    auto d = (*decider)->DecideWithHistory(states[k], history, t0 + absl::Minutes(k), false);
    REQUIRE(d.ok());
    if (d->verdict() == superbet::v1::VERDICT_ACCEPTED) {
      const int sel = d->prediction().pick() == "home" ? 0 : 2;
      const double odds = sel == 0 ? states[k].live_odds().home() : states[k].live_odds().away();
      staked += d->stake();
      win_payouts += sel == result ? d->stake() * odds : 0.0;
      ++bets;
      won += sel == result;
      REQUIRE((*settler)
                  ->Open(*d, hrl::PickSigma(states[k], history, sel, env->sigma_training_median_sd))
                  .ok());
    }
    history[static_cast<int>(k)] = states[k];
  }
  REQUIRE(bets > 0);
  INFO(bets << " bets, " << won << " won");
  CHECK((*decider)->bankroll() == Approx(10000.0 - staked).epsilon(1e-12));
  superbet::v1::LiveMatchState final_state = m.full_time;
  double expected = 0;
  SECTION("finished: the recorded score decides (stake x odds on a win, 0 on a loss)") {
    expected = 10000.0 - staked + win_payouts;
  }
  SECTION("cancelled (abandoned): every bet void, every stake back") {
    final_state.set_status(superbet::v1::FIXTURE_STATUS_CANCELLED);
    expected = 10000.0;
  }
  const absl::Time at = t0 + absl::Minutes(120);
  auto settled = (*settler)->Settle(final_state, at);
  REQUIRE(settled.ok());
  REQUIRE(static_cast<int>(settled->bets.size()) == bets);
  for (const hrl::SettledBet& b : settled->bets) {
    REQUIRE(
        (*decider)->RecordSettlement(m.full_time.match_id(), b.inputs.stake, b.payout, at).ok());
  }
  CHECK((*decider)->bankroll() == Approx(expected).epsilon(1e-12));
  CHECK((*decider)->budget_ratio() == Approx((*settler)->stats().budget / 10000.0).epsilon(1e-12));
  CHECK((*decider)->open_stake(m.full_time.match_id()) == 0);
}

// Issue 17: agent-svc's --ledger on a full disk stayed failed until restarted (the stream's error
// state was never cleared; a failed line could stay buffered or torn in the file). With its
// ledger on a core::AppendLog (ledger_recovers), the decider records decisions again once the
// disk has space. The fault is real: RLIMIT_FSIZE lets the kernel write part of the line and
// refuse the rest. Oracles: every line of the file parses as a Decision (protobuf's JSON parser),
// the file holds exactly the recorded decisions, and a twin decider without a ledger fed the same
// states (the bankroll and verdicts of a decider that never failed).
TEST_CASE("LiveDecider on an AppendLog ledger records again once a full disk has space",
          "[live][decider][ledger]") {
  const hrl::LiveMatch m = LoadMatch("3754237");
  const auto states = QuotedStates(m);
  const superbet::v1::Checkpoint c = TinyCheckpoint();
  char tmpl[] = "/tmp/superbet_decider_ledger_XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  const std::string path = dir + "/ledger.jsonl";
  {
    auto log = superbet::core::AppendLog::Open(path);
    REQUIRE(log.ok());
    std::unique_ptr<std::ostream> stream = (*log)->NewStream();
    hrl::LiveDeciderOptions o;
    o.ledger = stream.get();
    o.ledger_recovers = true;
    auto decider = hrl::LiveDecider::FromCheckpoint(c, "mem", o);
    auto twin = hrl::LiveDecider::FromCheckpoint(c, "mem", {});
    REQUIRE(decider.ok());
    REQUIRE(twin.ok());
    const absl::Time t0 = absl::FromUnixSeconds(1700000000);
    std::map<int, superbet::v1::LiveMatchState> history;
    const size_t full_from = 2, full_to = 6;  // Minutes decided on a full disk.
    int failed = 0, recorded = 0, accepted_after = 0;
    for (size_t k = 0; k < states.size(); ++k) {
      INFO("minute " << k);
      const absl::Time t = t0 + absl::Minutes(k);
      absl::StatusOr<superbet::v1::Decision> d;
      if (k >= full_from && k < full_to) {
        const auto size = std::filesystem::file_size(path);
        superbet::testing::FileSizeLimit full(size + 40);  // Part of the line fits.
        d = (*decider)->DecideWithHistory(states[k], history, t, false);
        REQUIRE(d.status().code() == absl::StatusCode::kDataLoss);
        CHECK(std::filesystem::file_size(path) == size);  // No torn line left behind.
        ++failed;
      } else {
        d = (*decider)->DecideWithHistory(states[k], history, t, false);
        INFO(d.status().ToString());
        REQUIRE(d.ok());  // Recorded again after the full disk (was: DataLoss forever).
        auto e = (*twin)->DecideWithHistory(states[k], history, t, false);
        REQUIRE(e.ok());
        CHECK(d->verdict() == e->verdict());
        ++recorded;
        accepted_after += k >= full_to && d->verdict() == superbet::v1::VERDICT_ACCEPTED;
      }
      history[static_cast<int>(k)] = states[k];
    }
    CHECK(failed == 4);
    CHECK((*log)->failed_appends() >= 4);
    CHECK((*decider)->bankroll() == (*twin)->bankroll());
    CHECK(accepted_after > 0);  // Bets are staked again after the full disk.
    // Every line is a whole Decision; one per recorded decision.
    std::ifstream in(path);
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
      superbet::v1::Decision parsed;
      INFO("line " << lines + 1 << ": " << line);
      CHECK(google::protobuf::util::JsonStringToMessage(line, &parsed).ok());
      ++lines;
    }
    CHECK(lines == recorded);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE(
    "LiveDecider::RestoreDecision and RestoreSettlement restore bankroll, exposure and counts",
    "[live][decider][restore]") {
  // Oracle: the closed form of the free bankroll (B0 - stake + stake x decimal odds for a won bet)
  // and the gate's counts, on the prices of Burnley v Man City (E0_2324.csv: Bet365 away 1.33).
  namespace v1 = superbet::v1;
  auto decider = hrl::LiveDecider::FromCheckpoint(TinyCheckpoint(), "mem", {});
  REQUIRE(decider.ok());
  hrl::LiveDecider& d = **decider;
  const std::string match = "football-data:E0_2324:Burnley-Man City";
  v1::Decision bet;
  v1::Prediction* p = bet.mutable_prediction();
  p->set_match_id(match);
  p->set_pick("away");
  p->set_action(v1::ACTION_BET_AWAY);
  p->mutable_odds()->set_home(8.0);
  p->mutable_odds()->set_draw(5.5);
  p->mutable_odds()->set_away(1.33);
  p->mutable_prob()->set_away(0.8);
  p->set_data_staleness_s(0);
  p->mutable_decided_at()->set_seconds(1691783100);
  bet.set_verdict(v1::VERDICT_ACCEPTED);
  bet.set_stake(500);
  bet.set_bankroll_before(10000);
  v1::Decision denied = bet;
  denied.set_verdict(v1::VERDICT_DENIED);
  denied.set_stake(0);
  denied.set_reason("no_bet");
  denied.mutable_prediction()->clear_pick();
  denied.mutable_prediction()->set_action(v1::ACTION_NO_BET);

  REQUIRE(d.RestoreDecision(denied).ok());
  REQUIRE(d.RestoreDecision(bet).ok());
  CHECK(d.bankroll() == 9500.0);
  CHECK(d.open_stake(match) == 500.0);
  CHECK(d.gate_counts().accepted == 1);
  CHECK(d.gate_counts().denied == 1);
  CHECK(d.gate_counts().denied_by_reason.at("no_bet") == 1);

  v1::Decision settled = bet;
  settled.set_profit(500 * 1.33 - 500);  // Man City won 0-3: the away bet won.
  const absl::Time at = absl::FromUnixSeconds(1691790000);
  CHECK(d.RestoreDecision(settled).code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(d.RestoreSettlement(settled, at).ok());
  CHECK(d.bankroll() == 10000.0 - 500 + 500 * 1.33);  // Bit for bit: the gross payout credited.
  CHECK(d.open_stake(match) == 0);
  // Settled twice: no open stake left.
  CHECK(d.RestoreSettlement(settled, at).code() == absl::StatusCode::kFailedPrecondition);

  // Bad lines change nothing.
  const double b = d.bankroll();
  v1::Decision huge = bet;
  huge.set_stake(1e9);
  const absl::Status h = d.RestoreDecision(huge);
  CHECK(h.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(h.message().find("exceeds the restored free bankroll") != std::string::npos);
  v1::Decision unpriced = bet;
  unpriced.mutable_prediction()->mutable_odds()->clear_away();
  CHECK(d.RestoreDecision(unpriced).code() == absl::StatusCode::kInvalidArgument);
  v1::Decision unspecified = bet;
  unspecified.set_verdict(v1::VERDICT_UNSPECIFIED);
  CHECK(d.RestoreDecision(unspecified).code() == absl::StatusCode::kInvalidArgument);
  v1::Decision no_reason = denied;
  no_reason.clear_reason();
  CHECK(d.RestoreDecision(no_reason).code() == absl::StatusCode::kInvalidArgument);
  v1::Decision lost_wrong = bet;
  lost_wrong.set_profit(-400);  // Neither won, void nor lost (-500).
  REQUIRE(d.RestoreDecision(bet).ok());
  CHECK(d.RestoreSettlement(lost_wrong, at).code() == absl::StatusCode::kInvalidArgument);
  CHECK(d.bankroll() == b - 500);
  CHECK(d.gate_counts().accepted == 2);
  CHECK(d.gate_counts().denied == 1);
}
