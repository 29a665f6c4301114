#include "cli/live_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace superbet::cli {
namespace {
std::string Num(double v) { return absl::StrFormat("%.10g", v); }
std::string Denied(const hrl::LiveEvaluation& ev) {
  std::vector<std::string> parts;
  for (const auto& [reason, n] : ev.gate_denied_by_reason) {
    parts.push_back(absl::StrCat("\"", reason, "\":", n));
  }
  return absl::StrJoin(parts, ",");
}
}  // namespace

std::string LiveEvaluationJson(const hrl::LiveEvaluation& ev) {
  std::vector<std::string> bets;
  for (const hrl::LiveBet& b : ev.bet_list) {
    bets.push_back(absl::StrCat("{\"match_id\":\"", b.match_id, "\",\"minute\":", b.minute,
                                ",\"selection\":\"", hrl::LiveActionName(b.action),
                                "\",\"decimal_odds\":", Num(b.decimal_odds),
                                ",\"stake\":", Num(b.stake), ",\"confidence\":", Num(b.confidence),
                                ",\"void_latency\":", b.void_latency ? "true" : "false",
                                ",\"payout\":", Num(b.payout), ",\"reward\":", Num(b.reward), "}"));
  }
  return absl::StrCat("{\"in_play_prices\":\"modelled, not recorded\",\"matches\":", ev.matches,
                      ",\"steps\":", ev.steps, ",\"bets\":", ev.bets,
                      ",\"bets_void_latency\":", ev.bets_void_latency,
                      ",\"bets_won\":", ev.bets_won, ",\"staked\":", Num(ev.staked),
                      ",\"profit\":", Num(ev.profit), ",\"roi\":", ev.roi ? Num(*ev.roi) : "null",
                      ",\"clv\":null,\"mean_episode_reward\":", Num(ev.mean_episode_reward),
                      ",\"brier\":{\"outcome_head_kickoff\":", Num(ev.brier_head_kickoff),
                      ",\"market_kickoff\":", Num(ev.brier_market_kickoff),
                      ",\"outcome_head_inplay\":", Num(ev.brier_head_inplay),
                      ",\"price_model_inplay\":", Num(ev.brier_model_inplay), "},\"bet_list\":[",
                      absl::StrJoin(bets, ","), "],\"gate_denied_by_reason\":{", Denied(ev), "}}");
}

void PrintLiveEvaluation(const hrl::LiveEvaluation& ev, std::FILE* out) {
  std::fprintf(out,
               "held-out: %d matches, %lld bets (%lld void), %lld won, staked %.2f, profit "
               "%.2f, ROI %s (in-play prices modelled, not recorded)\n",
               ev.matches, static_cast<long long>(ev.bets),
               static_cast<long long>(ev.bets_void_latency), static_cast<long long>(ev.bets_won),
               ev.staked, ev.profit, ev.roi ? absl::StrFormat("%.4f", *ev.roi).c_str() : "n/a");
  for (const auto& [reason, n] : ev.gate_denied_by_reason) {
    std::fprintf(out, "held-out: risk gate denied %lld bet action(s): %s\n",
                 static_cast<long long>(n), reason.c_str());
  }
  std::fprintf(out,
               "held-out Brier: outcome head %.4f vs market %.4f at kick-off; in play %.4f vs "
               "price model %.4f\n",
               ev.brier_head_kickoff, ev.brier_market_kickoff, ev.brier_head_inplay,
               ev.brier_model_inplay);
}

}  // namespace superbet::cli
