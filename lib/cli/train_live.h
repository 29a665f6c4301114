// `superbet train --agent live`: trains the live worker (PPO, superbet/hrl/live_worker.h) on
// replayed StatsBomb matches and evaluates it on held-out ones. The `train` command
// (lib/cli/train_command.cc) parses the flags and calls RunTrainLive.
//
// In-play prices are modelled, not recorded (superbet/hrl/live_prices.h); every report says so.

#ifndef SUPERBET_LIB_CLI_TRAIN_LIVE_H_
#define SUPERBET_LIB_CLI_TRAIN_LIVE_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "superbet/hrl/training_job.h"

namespace superbet::cli {

struct TrainLiveArgs {
  std::string data_root;  // Laid out like ../shared/data.
  // StatsBomb ids to train on ("3754097" or "statsbomb:3754097"); empty = the first
  // kDefaultLiveTrainMatches recorded matches by kickoff.
  std::vector<std::string> train_matches;
  // Held-out matches to evaluate on; empty = every recorded match not trained on.
  std::vector<std::string> eval_matches;
  uint64_t seed = 1;
  int64_t total_env_steps = 20000;
  std::string out_dir;    // checkpoint.pb / .json written there (created when missing).
  std::string json_path;  // Training log + evaluation JSON ("" = none, "-" = stdout).
};

inline constexpr int kDefaultLiveTrainMatches = hrl::kDefaultLiveTrainMatches;

// Help text of the live path, for the train command's --help.
absl::string_view TrainLiveHelp();

// Parses a comma-separated list of StatsBomb ids into "statsbomb:<id>" ids.
// Errors: InvalidArgument naming the entry that is not an id, or a repeated id.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ParseMatchList(absl::string_view list);

// Runs the job; progress bar on stderr. Returns the exit code: 0 success, 1 failure (the message
// names the file or the match), 2 bad usage (a train and an eval match overlap).
int RunTrainLive(const TrainLiveArgs& args);

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_TRAIN_LIVE_H_
