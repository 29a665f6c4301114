// `superbet train --agent prematch` as two library calls, shared by the `train` command and
// agent-svc's StartTraining (superbet/agent/training_jobs.h),
// so the two write the same checkpoint bytes for the same arguments and seed:
//   1. LoadPreMatchTraining: the football-data seasons (backtest::LoadBacktestData,
//   superbet/backtest/backtest_data.h).
//   2. TrainPreMatchCheckpoint: the features (PreMatchEnv), the worker (tabular Q or DQN,
//      superbet/hrl/prematch.h), `episodes` passes (hrl::TrainPreMatch) and the checkpoint.
// Deterministic: the seed fixes every random draw; no clock is read.

#ifndef SUPERBET_HRL_TRAIN_PREMATCH_H_
#define SUPERBET_HRL_TRAIN_PREMATCH_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "superbet/backtest/backtest_data.h"
#include "superbet/hrl/env.h"
#include "superbet/hrl/prematch_training.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/v1/checkpoint.pb.h"

namespace superbet::hrl {

struct PreMatchTrainArgs {
  std::string data_root;  // Laid out like ../shared/data.
  std::string league = "E0";
  // Season codes to train on ("1415"); empty = every season found but the last three.
  std::vector<std::string> train_seasons;
  uint64_t seed = 1;
  int episodes = 10;               // Passes over the training seasons, in [1, 100000].
  std::string worker = "q";        // "q" (tabular Q-learning) or "dqn".
  bool decide_at_closing = false;  // Decide at Bet365's closing prices.
  providers::football_data::ParseMode mode = providers::football_data::ParseMode::kLenient;
};

// True for a football-data season code: four digits, two consecutive years ("1516", "9900").
bool IsPreMatchSeasonCode(absl::string_view code);

// Errors: InvalidArgument naming the field and the value: episodes outside [1, 100000], worker
// not q / dqn, seed > 2^63 - 1, a train season that is not a season code or is repeated, an
// empty league or data_root.
[[nodiscard]] absl::Status CheckPreMatchTrainArgs(const PreMatchTrainArgs& args);

// The seasons of a run, loaded.
struct PreMatchTrainingData {
  std::vector<std::string> train_seasons;  // The codes trained on (the default resolved).
  backtest::BacktestData data;             // Train seasons plus every earlier one (history).
};

// Loads the training seasons and every earlier season found as history (Bet365 pre-match and
// closing lines only).
// Errors: those of CheckPreMatchTrainArgs; NotFound when fewer than 4 seasons are found and no
// train season is named, or a named season's file is missing; LoadBacktestData's.
[[nodiscard]] absl::StatusOr<PreMatchTrainingData> LoadPreMatchTraining(
    const PreMatchTrainArgs& args);

struct PreMatchTrainResult {
  superbet::v1::Checkpoint checkpoint;  // With train_seasons, model_version and metadata.
  std::vector<hrl::PreMatchEpisodeLog> logs;
  int64_t steps_per_episode = 0;
  int64_t skipped_no_odds = 0;
  int dixon_coles_fits = 0;
  std::string bookmaker;  // Whose prices were bet at ("Bet365").
};

// Hooks of a run, all optional: `on_env` once the features are computed (steps per pass),
// `on_episode` after each pass, `stop` polled before each pass (true: Cancelled).
struct PreMatchTrainHooks {
  std::function<void(int64_t steps_per_episode)> on_env;
  std::function<void(const hrl::PreMatchEpisodeLog&)> on_episode;
  std::function<bool()> stop;
};

// Builds the environment (features; Dixon-Coles refits weekly), trains the worker and returns
// its checkpoint.
// Errors: NotFound when no fixture has a result and Bet365 prices; Cancelled when hooks.stop()
// turned true; PreMatchEnv::Create's, the worker's, TrainPreMatch's.
[[nodiscard]] absl::StatusOr<PreMatchTrainResult> TrainPreMatchCheckpoint(
    const PreMatchTrainArgs& args, const PreMatchTrainingData& data,
    const PreMatchTrainHooks& hooks = {});

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_TRAIN_PREMATCH_H_
