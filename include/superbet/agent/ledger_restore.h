// Restoring a live agent's state from its ledger file (agent-svc's --ledger): the decision lines
// and settlement lines that hrl::LiveDecider and hrl::BetSettler wrote
// (superbet/hrl/live_decider.h, superbet/hrl/settlement.h; one superbet.v1.Decision JSON line
// each, superbet/scoring/prediction_json.h) are replayed in file order, writing nothing:
//   decision line (no `profit`)   LiveDecider::RestoreDecision (bankroll, gate, tracker); when
//                                 accepted, BetSettler::Open with σ = the line's pick_sigma (as
//                                 the running agent opened it); a line without one (written
//                                 before the field existed): manager.market_volatility when the
//                                 line has a `manager`, else σ = 1 (the live worker's neutral
//                                 convention);
//   settlement line (`profit`)    BetSettler::RestoreSettlement (UCB1, WR₁₀, Sharpe) and
//                                 LiveDecider::RestoreSettlement at the decided_at of the next
//                                 decision line (the final state decided right after the
//                                 settlement), or the last decided_at of the file when none
//                                 follows.
// So a restarted agent continues with the same free bankroll, open exposure per match, daily
// exposure and stop-loss, gate counts, VSNR / gamma history and settler statistics, and its open
// bets settle when their match's final state arrives. Blank lines are skipped. The replay follows
// the file's order; in the rare case a settlement (live feed thread) and a decision (Decide RPC)
// interleaved, the memory order may have differed from it: the sums agree up to rounding. What is
// not restored is listed in the two headers (the decider's per-match feature history, matches that
// settled with no bet).
//
// Thread-safety: call before the decider and settler serve (no other thread uses them).

#ifndef SUPERBET_AGENT_LEDGER_RESTORE_H_
#define SUPERBET_AGENT_LEDGER_RESTORE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "superbet/hrl/live_decider.h"
#include "superbet/hrl/settlement.h"

namespace superbet::agent {

// What RestoreFromLedger replayed.
struct LedgerRestoreSummary {
  int64_t decisions = 0;         // Decision lines.
  int64_t accepted = 0;          // Of which VERDICT_ACCEPTED.
  int64_t settlement_lines = 0;  // Settlement lines.
  int64_t refused = 0;           // Accepted lines the settler did not reopen (as it refused them).
  double bankroll = 0;           // The decider's free bankroll after the replay, currency units.
  int64_t open_bets = 0;         // Bets open in the settler after the replay.
  int64_t open_matches = 0;      // Matches with open bets.
};

// Replays the ledger at `path` (see the file comment) into `decider` and `settler`, which must be
// fresh (nothing decided or opened yet) and share the bankroll B0 `initial_bankroll`. A path that
// is not a regular file (a pipe, /dev/full) has no history: nothing is read (an empty summary).
// Errors (the caller must not serve then: the state is partly restored): NotFound /
// PermissionDenied when the file cannot be read; InvalidArgument "<path>:<line>: not a Decision
// JSON line: <the JSON parser's message>" for a line that is not JSON of a Decision, and
// "<path>:<line>: <field> ..." for a line the decider or settler refuses (FailedPrecondition keeps
// its code: a settlement line of a bet that is not open, an accepted stake above the restored
// bankroll); FailedPrecondition when the first decision line's bankroll_before is not
// `initial_bankroll` (the ledger was started with another --bankroll).
[[nodiscard]] absl::StatusOr<LedgerRestoreSummary> RestoreFromLedger(const std::string& path,
                                                                     double initial_bankroll,
                                                                     hrl::LiveDecider& decider,
                                                                     hrl::BetSettler& settler);

}  // namespace superbet::agent

#endif  // SUPERBET_AGENT_LEDGER_RESTORE_H_
