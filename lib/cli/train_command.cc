// `superbet train`: trains an agent of the decision core offline on real data and writes its
// checkpoint. `--agent prematch` here; `--agent live` is the live worker's (see TrainLive below).

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/load_rejections.h"
#include "cli/train_live.h"
#include "superbet/backtest/backtest_data.h"
#include "superbet/core/progress.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/env.h"
#include "superbet/hrl/prematch.h"
#include "superbet/hrl/prematch_training.h"
#include "superbet/hrl/train_prematch.h"
#include "superbet/providers/football_data/football_data.h"

ABSL_FLAG(std::string, out, "", "Folder the checkpoint is written to (created when missing).");
ABSL_FLAG(std::string, train_seasons, "",
          "Comma-separated season codes to train on (0506,0607,...). Default: every season found "
          "but the last three.");
ABSL_FLAG(int, episodes, 10, "prematch: passes over the training seasons.");
ABSL_FLAG(std::string, worker, "q", "prematch: q (tabular Q-learning) or dqn.");
ABSL_FLAG(std::string, train_matches, "",
          "live: comma-separated StatsBomb match ids to train on (default: the first 25 by "
          "kickoff).");
ABSL_FLAG(std::string, eval_matches, "",
          "live: held-out StatsBomb match ids (default: every other recorded match).");
ABSL_FLAG(int64_t, steps, 20000, "live: environment steps to train for.");
ABSL_FLAG(bool, decide_at_closing, false,
          "prematch: decide and settle at the closing prices (line movement observed) instead of "
          "the pre-match ones.");

namespace superbet::cli {
namespace {

namespace fd = superbet::providers::football_data;

constexpr char kUsage[] =
    R"(superbet train: train an agent of the decision core offline, "as if live", on real data.

Usage: superbet train --agent prematch --out DIR [--data DIR] [--league E0]
                      [--train_seasons 0506,...,1415] [--seed N] [--episodes 10]
                      [--worker q|dqn] [--decide_at_closing] [--json PATH] [--strict]
       superbet train --agent live --out DIR [--data DIR] [--train_matches LIST]
                      [--eval_matches LIST] [--steps N] [--seed N] [--json PATH]

--agent prematch: the pre-match worker (tabular Q-learning, or DQN with --worker dqn;
include/superbet/hrl/prematch.h) on
football-data.co.uk seasons, one step per fixture in kickoff order. Its observation is computed
only from matches over by the kickoff (form, goals and shots for/against, Dixon-Coles strengths,
margin-free Bet365 probabilities, line movement when deciding at the closing prices; injuries
are absent in this data and masked). Actions: back home / draw / away / no bet, staked at 5 % of
the remaining budget and settled at the real Bet365 prices; reward: the decided reward function
(include/superbet/reward/reward.h). Earlier seasons found in the data folder feed the features
only (history); the training seasons are stepped --episodes times, epsilon falling linearly from
1.0 to 0.05 over the first half of the steps.

--agent live: the live worker (PPO with GAE; options below the flags). In-play prices are
modelled, not recorded.

Flags:
  --agent NAME        prematch or live.
  --out DIR           checkpoint folder: DIR/checkpoint.pb (read by `superbet backtest
                      --strategy hrl --model DIR`) and DIR/checkpoint.json (the same, readable).
                      The checkpoint records the feature spec, hyperparameters, the training
                      seasons (the backtest refuses to evaluate on them), seed and the library
                      version.
  --data DIR          data root laid out like ../shared/data.
  --league CODE       football-data division code (default E0).
  --train_seasons L   season codes to train on; default: every season found but the last three
                      (kept out for evaluation).
  --seed N            random seed (default 1): same seed and data give a byte-identical
                      checkpoint and JSON log.
  --episodes N        passes over the training seasons (default 10).
  --worker q|dqn      tabular Q-learning (default) or DQN (MLP 2x64, replay 1e5, target sync
                      1000; defaults from CleanRL / Stable-Baselines3, see hrl/prematch.h).
  --decide_at_closing decide at Bet365's closing prices (2019/20 on) instead of the pre-match ones
                      (line movement observed). Such a checkpoint is for research: `superbet
                      backtest --strategy hrl` refuses it (strategies see pre-match prices only).
  --json PATH         training log as JSON ('-' = stdout): per episode steps, bets, explored,
                      mean_reward, loss (mean squared TD error), epsilon, roi (null without a bet),
                      final_budget; and the data counts.
  --strict            fail on the first malformed row.

Progress (episodes, mean reward, loss) is printed on stderr.

Exit status: 0 done, 1 the job failed (data missing, write error), 2 bad flags (checked before
any data is loaded: a value out of range, an --out whose parent folder does not exist or that is
a file, a flag of the other agent such as --steps with --agent prematch).
)";

int Fail(const absl::Status& s, int code) {
  std::fprintf(stderr, "superbet train: %s\n", std::string(s.message()).c_str());
  return code;
}

// The flags only --agent prematch reads, and those only --agent live reads.
constexpr const char* kPreMatchOnlyFlags[] = {"train_seasons",     "episodes", "worker",
                                              "decide_at_closing", "league",   "strict"};
constexpr const char* kLiveOnlyFlags[] = {"train_matches", "eval_matches", "steps"};

// InvalidArgument naming the first of `flags` (the other agent's) set to a value other than its
// default: such a flag would be silently ignored by `agent`.
template <size_t N>
absl::Status RejectFlagsOf(const char* const (&flags)[N], absl::string_view other,
                           absl::string_view agent) {
  for (const char* name : flags) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag != nullptr && flag->CurrentValue() != flag->DefaultValue()) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " is a flag of --agent ", other,
                                                     ", not of --agent ", agent, " (see --help)"));
    }
  }
  return absl::OkStatus();
}

nlohmann::json EpisodeJson(const hrl::PreMatchEpisodeLog& e) {
  nlohmann::json j;
  j["episode"] = e.episode;
  j["steps"] = e.steps;
  j["bets"] = e.bets;
  j["explored"] = e.explored;
  j["mean_reward"] = e.mean_reward;
  j["loss"] = e.loss;
  j["epsilon"] = e.epsilon_end;
  j["roi"] = e.roi.has_value() ? nlohmann::json(*e.roi) : nlohmann::json(nullptr);
  j["final_budget"] = e.final_budget;
  return j;
}

int TrainPreMatchAgent() {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (absl::Status s = CheckOutputFolder("out", out); !s.ok()) return Fail(s, 2);
  if (absl::Status s = RejectFlagsOf(kLiveOnlyFlags, "live", "prematch"); !s.ok()) {
    return Fail(s, 2);
  }
  if (absl::Status s = CheckLeagueFlag(); !s.ok()) return Fail(s, 2);
  const int episodes = absl::GetFlag(FLAGS_episodes);
  if (episodes < 1 || episodes > 100000) {
    return Fail(absl::InvalidArgumentError(
                    absl::StrCat("--episodes must be in [1, 100000], got ", episodes)),
                2);
  }
  const std::string kind = absl::GetFlag(FLAGS_worker);
  if (kind != "q" && kind != "dqn") {
    return Fail(
        absl::InvalidArgumentError(absl::StrCat("--worker must be q or dqn, got '", kind, "'")), 2);
  }
  const int64_t seed = absl::GetFlag(FLAGS_seed);
  if (seed < 0) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("--seed must be >= 0, got ", seed)), 2);
  }
  auto train = ParseSeasonList(absl::GetFlag(FLAGS_train_seasons));
  if (!train.ok()) return Fail(train.status(), 2);
  if (absl::Status s = CheckJsonDestination(); !s.ok()) return Fail(s, 2);
  auto root = ResolveDataRoot();
  if (!root.ok()) return Fail(root.status(), 1);
  // The loading and training are superbet/hrl/train_prematch.h's, shared with agent-svc.
  hrl::PreMatchTrainArgs args;
  args.data_root = *root;
  args.league = absl::GetFlag(FLAGS_league);
  args.train_seasons = *train;
  args.seed = static_cast<uint64_t>(seed);
  args.episodes = episodes;
  args.worker = kind;
  args.decide_at_closing = absl::GetFlag(FLAGS_decide_at_closing);
  args.mode = absl::GetFlag(FLAGS_strict) ? fd::ParseMode::kStrict : fd::ParseMode::kLenient;
  const std::string& league = args.league;
  std::fprintf(stderr, "superbet train: loading %s seasons %s (and earlier ones as history)\n",
               league.c_str(),
               train->empty() ? "(all but the last three)" : absl::StrJoin(*train, ",").c_str());
  auto data = hrl::LoadPreMatchTraining(args);
  // Every flag was checked above; what the loader rejects is the data (an empty or unreadable
  // season file, a malformed row in strict mode): the job failed.
  if (!data.ok()) return Fail(data.status(), 1);
  PrintLoadRejections(data->data, args.mode == fd::ParseMode::kStrict, stderr, "train");
  std::fprintf(stderr, "superbet train: computing features (Dixon-Coles refits weekly)\n");
  std::optional<core::ProgressBar> bar;  // Once the features are computed.
  hrl::PreMatchTrainHooks hooks;
  hooks.on_env = [&](int64_t) { bar.emplace(episodes, "train prematch"); };
  hooks.on_episode = [&](const hrl::PreMatchEpisodeLog& e) {
    bar->Advance(1, absl::StrFormat("episode %d: mean reward %.4f, loss %.4f, bets %d, eps %.3f",
                                    e.episode, e.mean_reward, e.loss, e.bets, e.epsilon_end));
  };
  auto trained = hrl::TrainPreMatchCheckpoint(args, *data, hooks);
  if (bar.has_value()) bar->Done();
  if (!trained.ok()) return Fail(trained.status(), 1);
  const superbet::v1::Checkpoint& c = trained->checkpoint;
  if (absl::Status s = hrl::SaveCheckpoint(out, c); !s.ok()) return Fail(s, 1);
  const std::vector<hrl::PreMatchEpisodeLog>* logs = &trained->logs;
  std::FILE* human = HumanOutput();
  const hrl::PreMatchEpisodeLog& last = logs->back();
  std::fprintf(human,
               "superbet train: %lld steps x %d episodes; last episode: %lld bets, mean reward "
               "%.4f; checkpoint %s/checkpoint.pb (%s)\n",
               static_cast<long long>(trained->steps_per_episode), episodes,
               static_cast<long long>(last.bets), last.mean_reward, out.c_str(),
               c.model_version().c_str());
  if (!absl::GetFlag(FLAGS_json).empty()) {
    nlohmann::json j;
    j["agent"] = c.agent();
    j["model_version"] = c.model_version();
    j["league"] = league;
    j["train_seasons"] = data->data.bet_labels;
    j["history_seasons"] = data->data.history_seasons;
    j["seed"] = seed;
    j["steps_per_episode"] = trained->steps_per_episode;
    j["skipped_no_odds"] = trained->skipped_no_odds;
    j["dixon_coles_fits"] = trained->dixon_coles_fits;
    j["rejected_rows"] = data->data.rows_rejected;
    j["rejected_prices"] = data->data.prices_rejected;
    j["rejected_duplicates"] = data->data.duplicates_rejected;
    j["rejected_cells"] = data->data.cells_rejected;
    j["decide_at"] = args.decide_at_closing ? "closing" : "pre-match";
    j["checkpoint"] = out + "/checkpoint.pb";
    nlohmann::json eps = nlohmann::json::array();
    for (const auto& e : *logs) eps.push_back(EpisodeJson(e));
    j["episodes"] = std::move(eps);
    if (!WriteJsonOutput(j.dump(2))) return 1;
  }
  return 0;
}

// --agent live: the live worker (lib/cli/train_live.cc).
int TrainLive() {
  if (absl::Status s = CheckOutputFolder("out", absl::GetFlag(FLAGS_out)); !s.ok()) {
    return Fail(s, 2);
  }
  if (absl::Status s = RejectFlagsOf(kPreMatchOnlyFlags, "prematch", "live"); !s.ok()) {
    return Fail(s, 2);
  }
  TrainLiveArgs live;
  absl::StatusOr<std::string> root = ResolveDataRoot();
  if (!root.ok()) return Fail(root.status(), 1);
  live.data_root = *root;
  for (auto [flag, dst] : {std::pair{&FLAGS_train_matches, &live.train_matches},
                           std::pair{&FLAGS_eval_matches, &live.eval_matches}}) {
    absl::StatusOr<std::vector<std::string>> ids = ParseMatchList(absl::GetFlag(*flag));
    if (!ids.ok()) return Fail(ids.status(), 2);
    *dst = *ids;
  }
  const int64_t seed = absl::GetFlag(FLAGS_seed);
  const int64_t steps = absl::GetFlag(FLAGS_steps);
  if (seed < 0) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("--seed must be >= 0, got ", seed)), 2);
  }
  if (steps < 1) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("--steps must be >= 1, got ", steps)), 2);
  }
  live.seed = static_cast<uint64_t>(seed);
  live.total_env_steps = steps;
  live.out_dir = absl::GetFlag(FLAGS_out);
  if (live.out_dir.empty()) return Fail(absl::InvalidArgumentError("--out DIR is required"), 2);
  if (absl::Status s = CheckJsonDestination(); !s.ok()) return Fail(s, 2);
  live.json_path = absl::GetFlag(FLAGS_json);
  return RunTrainLive(live);
}

int RunTrainCommand(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr, "superbet train: unexpected argument '%s' (see --help)\n",
                 args[0].c_str());
    return 2;
  }
  const std::string agent = absl::GetFlag(FLAGS_agent);
  if (agent == "prematch") return TrainPreMatchAgent();
  if (agent == "live") return TrainLive();
  return Fail(absl::InvalidArgumentError(
                  absl::StrCat("--agent must be prematch or live, got '", agent, "'")),
              2);
}

}  // namespace
}  // namespace superbet::cli

SUPERBET_REGISTER_COMMAND(train, "train",
                          "Train an agent (prematch; live) offline on real data; write its "
                          "checkpoint.",
                          std::string(superbet::cli::kUsage) +
                              std::string(superbet::cli::TrainLiveHelp()),
                          &superbet::cli::RunTrainCommand,
                          {"agent", "data", "json", "league", "seed", "strict"});
