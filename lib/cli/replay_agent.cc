#include "cli/replay_agent.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/risk/ledger.h"
#include "superbet/scoring/metrics.h"
#include "superbet/scoring/prediction_json.h"
#include "superbet/scoring/tracker.h"

namespace superbet::cli {
namespace {

constexpr char kTool[] = "superbet replay";

constexpr char kHelp[] =
    R"(  --agent DIR    the live worker of DIR/checkpoint.pb (`superbet train --agent live`) decides
                 minute by minute; each line is then a superbet.v1.Decision (prediction with
                 pick, prob from the outcome head, odds, confidence, kelly_fraction, cas, vsnr,
                 gamma, decided_at = kickoff + minute; stake, bankroll_before, verdict, reason).
                 Every decision, no_bet included, goes through the risk gate (stake <= 5 % of
                 the bankroll, staleness <= 300 s, Kelly > 0, at most the checkpoint's bets per
                 match) into the paper ledger; bets are settled on the final score.
                 IN-PLAY PRICES ARE MODELLED, NOT RECORDED: the odds are the Poisson model's
                 book (calibrated to the real pre-match 1X2, 5 % margin) at the decision minute
                 plus the bet delay. --speed and --features are ignored with --agent.
  --ledger PATH  with --agent: write the paper ledger (every decision, then one settlement line
                 per accepted bet with its profit) to PATH.
)";

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp p;
  const int64_t ns = absl::ToUnixNanos(t);
  p.set_seconds(ns / 1000000000);
  p.set_nanos(static_cast<int32_t>(ns % 1000000000));
  return p;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "%s: %s\n", kTool, s.ToString().c_str());
  return 1;
}

}  // namespace

absl::string_view ReplayAgentHelp() { return kHelp; }

int RunReplayAgent(const providers::statsbomb::Timeline& timeline, const std::string& agent_dir,
                   const std::string& ledger_path, std::FILE* out) {
  absl::StatusOr<v1::Checkpoint> ckpt = hrl::LoadCheckpoint(agent_dir, hrl::LiveFeatureSpec());
  if (!ckpt.ok()) return Fail(ckpt.status());
  absl::StatusOr<hrl::LiveWorker> worker = hrl::LoadLiveWorker(*ckpt);
  if (!worker.ok()) return Fail(worker.status());
  absl::StatusOr<hrl::LiveEnvOptions> options = hrl::LiveEnvOptionsFromCheckpoint(*ckpt);
  if (!options.ok()) return Fail(options.status());
  absl::StatusOr<hrl::LiveMatch> match = hrl::PrepareLiveMatch(timeline, options->prices);
  if (!match.ok()) return Fail(match.status());
  const hrl::LiveMatch m = *match;
  absl::StatusOr<hrl::LiveEnv> env = hrl::LiveEnv::Create({m}, *options);
  if (!env.ok()) return Fail(env.status());

  std::ostringstream ledger_lines;
  risk::RiskLimits limits;
  limits.max_decisions_per_match = options->max_bets_per_match;
  absl::StatusOr<std::unique_ptr<risk::PaperLedger>> ledger =
      risk::PaperLedger::Create(limits, options->initial_bankroll, &ledger_lines);
  if (!ledger.ok()) return Fail(ledger.status());
  scoring::EvaluationTracker tracker(scoring::EvaluationTracker::kLiveWindow);

  std::fprintf(stderr,
               "%s: live worker %s on %s; in-play prices are MODELLED, not recorded (Poisson "
               "model calibrated to the pre-match 1X2)\n",
               kTool, worker->model_version().c_str(), m.match_id.c_str());
  const absl::Time kickoff = ToTime(timeline.fixture.kickoff());
  std::vector<float> obs(hrl::kLiveWindow * hrl::kLiveInputWidth), valid(hrl::kLiveWindow);
  if (absl::Status s = env->Reset(0, absl::MakeSpan(obs), absl::MakeSpan(valid)); !s.ok()) {
    return Fail(s);
  }
  hrl::EnvStep step;
  int minute = 0;
  do {
    absl::StatusOr<hrl::LiveDecision> d = worker->Decide(obs, valid);
    if (!d.ok()) return Fail(d.status());
    const absl::Time at = kickoff + absl::Minutes(minute);
    // The matched book: the model's prices at the decision minute plus the bet delay.
    const std::array<std::optional<double>, 3> book =
        hrl::MatchedLiveBook(m, minute, options->prices);
    v1::Prediction p = hrl::LivePrediction(m, *d, book, env->data_staleness_s());
    p.set_home(m.home);
    p.set_away(m.away);
    *p.mutable_kickoff() = timeline.fixture.kickoff();
    *p.mutable_decided_at() = ToProto(at);
    p.set_agent("live");
    p.set_model_version(worker->model_version());
    const int selection = d->action == hrl::kBetHome ? 0 : (d->action == hrl::kBetAway ? 2 : -1);
    p.set_action(selection == 0   ? v1::ACTION_BET_HOME
                 : selection == 2 ? v1::ACTION_BET_AWAY
                                  : v1::ACTION_NO_BET);
    double stake = 0;
    if (selection >= 0 && book[selection].has_value()) {
      p.set_pick(std::string(scoring::PickName(selection)));
      if (absl::Status s = scoring::SetPickMetrics(p); !s.ok()) return Fail(s);
      absl::StatusOr<scoring::TrackedMetrics> tracked =
          tracker.Record(m.match_id, selection, at, d->outcome[selection], *book[selection]);
      if (tracked.ok()) {
        if (tracked->vsnr) p.set_vsnr(*tracked->vsnr);
        if (tracked->gamma) p.set_gamma(*tracked->gamma);
      }
      stake = options->stake_fraction * (*ledger)->bankroll();
    }
    absl::StatusOr<v1::Decision> decision = (*ledger)->Submit(p, stake);
    if (!decision.ok()) return Fail(decision.status());
    absl::StatusOr<std::string> line = scoring::DecisionToJsonLine(*decision);
    if (!line.ok()) return Fail(line.status());
    std::fprintf(out, "%s\n", line->c_str());
    // The environment (observation: bankroll in open bets) sees only what the gate accepted.
    const int played =
        decision->verdict() == v1::VERDICT_ACCEPTED ? d->action : static_cast<int>(hrl::kNoBet);
    if (absl::Status s =
            env->Step(played, d->confidence, absl::MakeSpan(obs), absl::MakeSpan(valid), &step);
        !s.ok()) {
      return Fail(s);
    }
    ++minute;
  } while (!step.done);
  const int diff = m.full_time.score_home() - m.full_time.score_away();
  absl::StatusOr<risk::SettlementSummary> settled = (*ledger)->Settle(
      m.match_id, diff > 0 ? 0 : (diff == 0 ? 1 : 2), kickoff + absl::Minutes(minute));
  if (!settled.ok()) return Fail(settled.status());
  if (!ledger_path.empty()) {
    std::ofstream f(ledger_path, std::ios::binary | std::ios::trunc);
    f << ledger_lines.str();
    f.close();
    if (!f) return Fail(absl::InternalError(absl::StrCat("writing --ledger ", ledger_path)));
  }
  const risk::GateCounts counts = (*ledger)->counts();
  std::string denied;
  for (const auto& [reason, n] : counts.denied_by_reason) {
    absl::StrAppend(&denied, denied.empty() ? "" : ", ", reason, " ", n);
  }
  std::fprintf(stderr,
               "%s: %d minutes, %lld accepted, %lld denied (%s), %d bet(s) settled, profit %.2f, "
               "bankroll %.2f; in-play prices are modelled, not recorded\n",
               kTool, minute, static_cast<long long>(counts.accepted),
               static_cast<long long>(counts.denied), denied.c_str(), settled->bets,
               settled->profit, (*ledger)->bankroll());
  return 0;
}

}  // namespace superbet::cli
