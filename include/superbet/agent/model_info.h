// The answers of agent-svc's two small RPCs, usable without gRPC: the bankroll split of the
// manager (Allocate) and what the loaded checkpoint is (GetModelInfo).
//
// Source: UCB1 (Auer, Cesa-Bianchi and Fischer 2002, "Finite-time analysis of the multiarmed
// bandit problem", Machine Learning 47) as superbet/hrl/manager.h implements it; the checkpoint
// fields of proto/superbet/v1/checkpoint.proto.

#ifndef SUPERBET_AGENT_MODEL_INFO_H_
#define SUPERBET_AGENT_MODEL_INFO_H_

#include "absl/status/status.h"
#include "superbet/hrl/live_decider.h"
#include "superbet/v1/services.pb.h"

namespace superbet::agent {

// The manager's split of `request.bankroll` (currency units) over the workers loaded: the live
// worker only, so one allocation {agent "live", fraction_of_bankroll = the manager's stake /
// bankroll (0 when it skips), settled_bets = 0} is appended to `response` (a fresh manager: no
// bet has settled, so no UCB score yet).
// Errors: InvalidArgument when the bankroll is not finite and > 0 ("bankroll must be finite and >
// 0, got -5"); the manager's errors otherwise.
[[nodiscard]] absl::Status AllocateBankroll(const superbet::v1::AllocateRequest& request,
                                            superbet::v1::AllocateResponse* response);

// Appends the loaded checkpoint's description to `response`: agent, model and format versions,
// feature spec ("live-v1 v1": name, " v", version), library version, seed and the folder it was
// loaded from.
void DescribeModel(const hrl::LiveDecider& decider, superbet::v1::GetModelInfoResponse* response);

}  // namespace superbet::agent

#endif  // SUPERBET_AGENT_MODEL_INFO_H_
