// Reports of the live worker shared by `superbet train --agent live` and `superbet replay
// --agent`: the held-out evaluation as JSON and as text. Both say that in-play prices are
// modelled, not recorded.

#ifndef SUPERBET_LIB_CLI_LIVE_REPORT_H_
#define SUPERBET_LIB_CLI_LIVE_REPORT_H_

#include <cstdio>
#include <string>

#include "superbet/hrl/live_worker.h"

namespace superbet::cli {

// {"in_play_prices":"modelled, not recorded","matches":..,"bets":..,"roi":null|x,...}; numbers
// with 10 significant digits, so the same evaluation always prints the same bytes.
std::string LiveEvaluationJson(const hrl::LiveEvaluation& ev);

// A few human-readable lines.
void PrintLiveEvaluation(const hrl::LiveEvaluation& ev, std::FILE* out);

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_LIVE_REPORT_H_
