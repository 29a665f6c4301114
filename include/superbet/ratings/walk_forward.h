// Walk-forward forecasting: every match of the chosen seasons priced by a TeamModel fitted on
// everything that kicked off on earlier UTC dates (one fit per match date, as of 00:00 UTC of that
// date), learning from every earlier match handed in — the protocol of `superbet forecast` and of
// the issue-16 Brier comparisons against the closing market.

#ifndef SUPERBET_RATINGS_WALK_FORWARD_H_
#define SUPERBET_RATINGS_WALK_FORWARD_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "superbet/ratings/match_table.h"
#include "superbet/ratings/team_model.h"

namespace superbet::ratings {

// One finished match of the data, with what the market said (margin-free, home/draw/away).
struct WalkForwardMatch {
  MatchResult result;
  std::string season;  // "2015/16"; forecasts are made for the seasons in `forecast_seasons`.
  std::optional<OneXTwo> prematch_market;
  std::string prematch_bookmaker;  // Whose prices prematch_market comes from ("" when absent).
  std::optional<OneXTwo> closing_market;
};

struct WalkForwardRow {
  const WalkForwardMatch* match = nullptr;
  // Absent when the model could not price it (no fit yet: too few matches in the window, or an
  // unrated team); `why_absent` then says why.
  std::optional<OneXTwo> probabilities;
  std::optional<double> over_2_5;
  bool imputed = false;  // A side was priced from the unseen-team prior.
  std::string why_absent;
  int outcome = 0;  // 0 home win, 1 draw, 2 away win.
};

struct WalkForwardStats {
  int fits = 0;         // Successful FitBefore calls.
  int failed_fits = 0;  // Match dates whose fit failed (their matches have no forecast).
  long iterations = 0;  // Summed FitInfo::iterations.
};

// Prices every match of `matches` (any order; stably sorted by kickoff inside) whose season is in
// `forecast_seasons`. `model` is fitted once per match date of those matches on every earlier
// match of `matches` (earlier seasons included). `progress(done, total)` is called after each
// date when given; `before_fit(season, model)`, when given, is called before each fit with the
// season label of that date's first match (e.g. to set the season's promoted-side priors). Rows
// come in kickoff order.
// Errors: InvalidArgument from MatchTable::Add (a negative score, a team playing itself).
[[nodiscard]] absl::StatusOr<std::vector<WalkForwardRow>> WalkForward(
    absl::Span<const WalkForwardMatch> matches, const std::vector<std::string>& forecast_seasons,
    TeamModel& model, WalkForwardStats* stats = nullptr,
    const std::function<void(int, int)>& progress = nullptr,
    const std::function<void(const std::string&, TeamModel&)>& before_fit = nullptr);

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_WALK_FORWARD_H_
