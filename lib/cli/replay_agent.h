// `superbet replay --agent DIR`: the live worker of a checkpoint folder decides minute by minute
// on a recorded match; every decision goes through the risk gate into the paper ledger.
//
// In-play prices are modelled, not recorded (superbet/hrl/live_prices.h): the odds in every line
// are the Poisson model's book at the decision minute plus the bet delay.

#ifndef SUPERBET_LIB_CLI_REPLAY_AGENT_H_
#define SUPERBET_LIB_CLI_REPLAY_AGENT_H_

#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::cli {

// Help text of --agent and --ledger for the replay command's --help.
absl::string_view ReplayAgentHelp();

// Replays `timeline` (football-data odds attached) with the live worker of `agent_dir`
// (DIR/checkpoint.pb written by `superbet train --agent live`). For each LIVE minute k the worker
// decides on the live-v1 observation; the decision becomes a superbet.v1.Prediction (pick, the
// outcome head's prob, the modelled odds, confidence, Kelly, CAS, VSNR, gamma, decided_at =
// kickoff + k minutes, agent "live") staked at the checkpoint's stake fraction of the ledger's
// bankroll and submitted to a PaperLedger (risk gate: the decision core's rules, at most the
// checkpoint's max_bets_per_match accepted decisions per match); no_bet minutes are submitted too
// and denied as no_bet. The Decision lines go to `out` and, when `ledger_path` is not empty, the
// ledger (decisions and settlement lines) to that file. After the last minute the bets are
// settled on the final score. A summary line goes to stderr.
// Returns the exit code: 0 done, 1 the checkpoint or the ledger could not be read or written.
int RunReplayAgent(const providers::statsbomb::Timeline& timeline, const std::string& agent_dir,
                   const std::string& ledger_path, std::FILE* out);

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_REPLAY_AGENT_H_
