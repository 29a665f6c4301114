#include "cli/train_live.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "cli/live_report.h"
#include "superbet/core/progress.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/hrl/training_job.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::cli {
namespace {

constexpr char kHelp[] =
    R"(  --agent live: the live worker (LSTM 64->128 + 4-head self-attention + policy, value and
    outcome heads), PPO with GAE (clip 0.2, gamma 0.99, lambda 0.95, value coef
    0.5, entropy 0.01, Adam 3e-4, grad-norm clip 0.5, rollouts of 2048 steps rounded up to whole
    matches, 4 epochs, minibatch 64), one episode = one StatsBomb match (PL 2015/16), one step per
    match minute, actions bet_home / bet_away / no_bet, reward as in superbet/reward/reward.h.
    IN-PLAY PRICES ARE MODELLED, NOT RECORDED: Poisson goals calibrated to the real margin-free
    pre-match 1X2 (football-data E0_1516), conditioned on the score and the time left, 5 % margin,
    5 s bet delay (superbet/hrl/live_prices.h).
    --train_matches LIST  StatsBomb ids to train on (default: the first 25 recorded matches by
                          kickoff, weeks 1-3)
    --eval_matches LIST   held-out ids to evaluate on (default: every other recorded match);
                          must not overlap the training matches (exit 2)
    --steps N             environment steps to train for (default 20000, about 8 passes over
                          25 matches)
    --seed N              seeds the network, the sampling and the episode order
    --out DIR             writes DIR/checkpoint.pb (superbet.v1.Checkpoint, feature spec live-v1,
                          agent live-ppo) and DIR/checkpoint.json; `superbet replay --agent DIR`
                          reads it
    --json PATH           training log and held-out evaluation as JSON (same seed, same data =>
                          byte-identical)
)";

std::string Num(double v) { return absl::StrFormat("%.10g", v); }

std::string Quoted(const std::vector<std::string>& v) {
  std::vector<std::string> q;
  for (const std::string& s : v) q.push_back(absl::StrCat("\"", s, "\""));
  return absl::StrCat("[", absl::StrJoin(q, ","), "]");
}

}  // namespace

absl::string_view TrainLiveHelp() { return kHelp; }

absl::StatusOr<std::vector<std::string>> ParseMatchList(absl::string_view list) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  if (absl::StripAsciiWhitespace(list).empty()) return out;
  for (absl::string_view entry : absl::StrSplit(list, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    absl::StatusOr<int64_t> id = providers::statsbomb::ParseStatsBombId(entry);
    if (!id.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", entry, "' is not a StatsBomb match id (3754097 or statsbomb:3754097)"));
    }
    std::string full = absl::StrCat("statsbomb:", *id);
    if (!seen.insert(full).second) {
      return absl::InvalidArgumentError(absl::StrCat("match ", full, " is listed twice"));
    }
    out.push_back(full);
  }
  return out;
}

int RunTrainLive(const TrainLiveArgs& args) {
  const char* kTool = "superbet train";
  std::fprintf(stderr,
               "%s: live worker; in-play prices are MODELLED, not recorded (Poisson model "
               "calibrated to the pre-match 1X2)\n",
               kTool);
  hrl::LiveTrainingSpec spec;
  spec.data_root = args.data_root;
  spec.train_matches = args.train_matches;
  spec.eval_matches = args.eval_matches;
  spec.seed = args.seed;
  spec.total_env_steps = args.total_env_steps;
  absl::StatusOr<hrl::PreparedLiveTraining> prepared = hrl::PrepareLiveTraining(spec);
  if (!prepared.ok()) {
    std::fprintf(stderr, "%s: %s\n", kTool, prepared.status().ToString().c_str());
    return absl::IsInvalidArgument(prepared.status()) ? 2 : 1;
  }
  std::vector<hrl::LiveMatch>& train_matches = prepared->train;
  std::vector<hrl::LiveMatch>& eval_matches = prepared->eval;
  const hrl::LiveTrainOptions& options = prepared->options;
  const std::vector<std::string>& rejected = prepared->left_out;
  for (const std::string& r : rejected) {
    std::fprintf(stderr, "%s: warning: match left out: %s\n", kTool, r.c_str());
  }
  const int64_t expected_updates = std::max<int64_t>(
      1, (args.total_env_steps + options.ppo.rollout_steps - 1) / options.ppo.rollout_steps);
  core::ProgressBar bar(expected_updates, "train live");
  const absl::Time start = absl::Now();  // For the stderr throughput line only, never the JSON.
  absl::StatusOr<hrl::LiveTrainResult> result =
      hrl::TrainLiveWorker(train_matches, options, [&](const hrl::PpoUpdateStats& s) {
        bar.Advance(1, absl::StrFormat("steps %d, mean return %.3f, policy loss %.4f, value "
                                       "loss %.4f, outcome CE %.4f",
                                       s.total_env_steps, s.mean_episode_return, s.policy_loss,
                                       s.value_loss, s.outcome_loss));
      });
  bar.Done();
  if (!result.ok()) {
    std::fprintf(stderr, "%s: %s\n", kTool, result.status().ToString().c_str());
    return 1;
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const int64_t steps = result->log.empty() ? 0 : result->log.back().total_env_steps;
  std::fprintf(stderr, "%s: %lld environment steps in %.1f s (%.0f steps/s)\n", kTool,
               static_cast<long long>(steps), seconds, seconds > 0 ? steps / seconds : 0.0);
  const std::string ckpt_path = absl::StrCat(args.out_dir, "/checkpoint.pb");
  if (absl::Status s = hrl::SaveCheckpoint(args.out_dir, result->checkpoint); !s.ok()) {
    std::fprintf(stderr, "%s: %s\n", kTool, s.ToString().c_str());
    return 1;
  }
  std::string eval_json = "null";
  if (!eval_matches.empty()) {
    absl::StatusOr<hrl::LiveWorker> worker = hrl::LoadLiveWorker(result->checkpoint);
    absl::StatusOr<hrl::LiveEnvOptions> env_options =
        hrl::LiveEnvOptionsFromCheckpoint(result->checkpoint);
    if (!worker.ok() || !env_options.ok()) {
      std::fprintf(stderr, "%s: %s\n", kTool,
                   (!worker.ok() ? worker.status() : env_options.status()).ToString().c_str());
      return 1;
    }
    absl::StatusOr<hrl::LiveEvaluation> ev =
        hrl::EvaluateLiveWorker(*worker, eval_matches, *env_options);
    if (!ev.ok()) {
      std::fprintf(stderr, "%s: %s\n", kTool, ev.status().ToString().c_str());
      return 1;
    }
    eval_json = LiveEvaluationJson(*ev);
    PrintLiveEvaluation(*ev, stderr);
  }
  std::vector<std::string> updates;
  for (const hrl::PpoUpdateStats& s : result->log) {
    updates.push_back(absl::StrCat(
        "{\"update\":", s.update, ",\"env_steps\":", s.env_steps,
        ",\"total_env_steps\":", s.total_env_steps, ",\"episodes\":", s.episodes,
        ",\"mean_episode_return\":", Num(s.mean_episode_return), ",\"policy_loss\":",
        Num(s.policy_loss), ",\"value_loss\":", Num(s.value_loss), ",\"entropy\":", Num(s.entropy),
        ",\"outcome_loss\":", Num(s.outcome_loss), ",\"approx_kl\":", Num(s.approx_kl),
        ",\"clip_fraction\":", Num(s.clip_fraction), ",\"grad_norm\":", Num(s.grad_norm), "}"));
  }
  std::vector<std::string> train_ids, eval_ids;
  for (const auto& m : train_matches) train_ids.push_back(m.match_id);
  for (const auto& m : eval_matches) eval_ids.push_back(m.match_id);
  const hrl::LiveEnv::Stats& es = result->env_stats;
  const std::string json = absl::StrCat(
      "{\"agent\":\"live-ppo\",\"in_play_prices\":\"modelled, not recorded\",\"seed\":", args.seed,
      ",\"model_version\":\"", result->checkpoint.model_version(),
      "\",\"feature_spec\":\"live-v1\",\"checkpoint\":\"checkpoint.pb\",\"train_match_ids\":",
      Quoted(train_ids), ",\"eval_match_ids\":", Quoted(eval_ids),
      ",\"matches_left_out\":", rejected.size(),
      ",\"sigma_training_median_sd\":", Num(result->sigma_training_median_sd),
      ",\"training\":{\"env_steps\":", es.steps, ",\"bets_placed\":", es.bets_placed,
      ",\"bets_not_placed\":", es.bets_not_placed, ",\"bets_void_latency\":", es.bets_void_latency,
      ",\"bets_won\":", es.bets_won, ",\"staked\":", Num(es.staked), ",\"profit\":", Num(es.profit),
      ",\"updates\":[", absl::StrJoin(updates, ","), "]},\"evaluation\":", eval_json, "}\n");
  if (!args.json_path.empty()) {
    std::FILE* f = args.json_path == "-" ? stdout : std::fopen(args.json_path.c_str(), "w");
    if (f == nullptr) {
      std::fprintf(stderr, "%s: cannot write --json %s\n", kTool, args.json_path.c_str());
      return 1;
    }
    std::fwrite(json.data(), 1, json.size(), f);
    if (f != stdout && std::fclose(f) != 0) {
      std::fprintf(stderr, "%s: writing --json %s failed\n", kTool, args.json_path.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "%s: checkpoint written to %s\n", kTool, ckpt_path.c_str());
  return 0;
}

}  // namespace superbet::cli
