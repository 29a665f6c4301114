// The pre-match worker's observation: masked features of one fixture computed strictly from what
// was known before it (feature spec "prematch-v1").
//
// Slots (value i and its mask; mask 1 = observed, 0 = absent with value 0.0, never a sentinel):
//   0-2   market.home/draw/away   margin-free probabilities of the decision prices (multiplicative
//                                 normalisation 1/o_i / Σ 1/o_j; odds/margin.h)
//   3-4   form.home/away          points per match over the team's last `form_window` finished
//                                 matches, / 3 (in [0, 1]); absent below `min_matches`
//   5-8   goals_for/against.home, goals_for/against.away   mean goals over the same matches / 3
//   9-12  shots_for/against.home, shots_for/against.away   mean shots / 20, over the matches of the
//                                 window that carry shots ("home.shots"); absent below min_matches
//   13-15 dc.home/draw/away       Dixon-Coles (1997) 1X2 probabilities of the library's model
//                                 (ratings/dixon_coles.h), refitted every `refit_days` on the
//                                 matches over by then (last `dixon_coles_window_days`), warm
//                                 started from the previous fit; absent until a fit exists and
//                                 both teams have `dixon_coles.min_matches_per_team` matches
//   16    line_move.home          margin-free home probability at the decision prices minus at the
//                                 opening prices; absent when the decision is taken at the opening
//                                 prices (football-data's pre-match columns: there is no earlier
//                                 price to move from)
//   17-18 injuries.home/away      absent: football-data.co.uk has no injury data
// kPreMatchSlots = 19 values, then 19 masks in the flat layout (Flat()): 38 floats.
//
// Look-ahead: PreMatchFeatureState only learns a match through AddFinished, and callers add a
// match only once it is over by the kickoff they compute features for (env.h); the features of a
// fixture read nothing of its own result or statistics.

#ifndef SUPERBET_HRL_PREMATCH_FEATURES_H_
#define SUPERBET_HRL_PREMATCH_FEATURES_H_

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "superbet/ratings/dixon_coles.h"
#include "superbet/v1/checkpoint.pb.h"
#include "superbet/v1/model.pb.h"

namespace superbet::hrl {

inline constexpr int kPreMatchSlots = 19;
inline constexpr int kPreMatchFlatWidth = 2 * kPreMatchSlots;
inline constexpr std::array<const char*, kPreMatchSlots> kPreMatchSlotNames = {"market.home",
                                                                               "market.draw",
                                                                               "market.away",
                                                                               "form.home",
                                                                               "form.away",
                                                                               "goals_for.home",
                                                                               "goals_against.home",
                                                                               "goals_for.away",
                                                                               "goals_against.away",
                                                                               "shots_for.home",
                                                                               "shots_against.home",
                                                                               "shots_for.away",
                                                                               "shots_against.away",
                                                                               "dc.home",
                                                                               "dc.draw",
                                                                               "dc.away",
                                                                               "line_move.home",
                                                                               "injuries.home",
                                                                               "injuries.away"};
enum PreMatchSlot : int {
  kMarketHome = 0,
  kMarketDraw,
  kMarketAway,
  kFormHome,
  kFormAway,
  kGoalsForHome,
  kGoalsAgainstHome,
  kGoalsForAway,
  kGoalsAgainstAway,
  kShotsForHome,
  kShotsAgainstHome,
  kShotsForAway,
  kShotsAgainstAway,
  kDcHome,
  kDcDraw,
  kDcAway,
  kLineMoveHome,
  kInjuriesHome,
  kInjuriesAway
};

// The feature spec written into checkpoints: name "prematch-v1", version 1, the 19 slot names then
// "mask.<name>" for each.
superbet::v1::FeatureSpec PreMatchFeatureSpec();

struct PreMatchFeatureOptions {
  int form_window = 5;  // Last matches per team for form, goals and shots; >= 1.
  int min_matches = 3;  // Fewer earlier matches: those slots are absent; in [1, form_window].
  int refit_days = 7;   // Dixon-Coles refit period in days; >= 1.
  int dixon_coles_window_days = 1095;     // Matches older than this are not fitted; >= 1.
  int dixon_coles_min_fit_matches = 200;  // Fewer finished matches: no fit (dc.* absent).
  ratings::DixonColesOptions dixon_coles = [] {
    ratings::DixonColesOptions o;
    o.min_matches_per_team = 5;
    return o;
  }();
};

// One fixture as the pre-match worker sees it. Nothing here is known only after kickoff.
struct PreMatchObservation {
  std::string match_id;
  std::string home;
  std::string away;
  std::string season;  // "2015/16".
  absl::Time kickoff;
  std::array<double, 3> decimal_odds{};  // Prices the bet would be taken at (home, draw, away).
  std::array<float, kPreMatchSlots> value{};
  std::array<float, kPreMatchSlots> mask{};
  // value then mask, kPreMatchFlatWidth floats (the networks' and the logistic model's input).
  std::array<float, kPreMatchFlatWidth> Flat() const;
};

// Running per-team and Dixon-Coles state fed with finished matches. Owns its history; not
// thread-safe.
class PreMatchFeatureState {
 public:
  explicit PreMatchFeatureState(const PreMatchFeatureOptions& options = {});

  // Learns a finished match (full_time set; ignored otherwise). Matches must be added in the
  // order they ended.
  void AddFinished(const superbet::v1::Fixture& fixture);

  // The observation of `fixture` (its result and statistics are not read) at the decision prices
  // `decision_odds` (home, draw, away; each > 1), with `opening_odds` the earliest prices when
  // they differ from the decision prices (line movement), nullopt otherwise.
  // Errors: InvalidArgument naming the fixture when a price is not finite or <= 1; the error of a
  // Dixon-Coles fit other than non-convergence (a fit that does not converge is kept, counted in
  // dixon_coles_unconverged()).
  [[nodiscard]] absl::StatusOr<PreMatchObservation> Observe(
      const superbet::v1::Fixture& fixture, const std::array<double, 3>& decision_odds,
      const std::optional<std::array<double, 3>>& opening_odds);

  int dixon_coles_fits() const { return fits_; }
  int dixon_coles_unconverged() const { return unconverged_; }

 private:
  struct TeamMatch {
    double points, goals_for, goals_against;
    std::optional<double> shots_for, shots_against;
  };
  [[nodiscard]] absl::Status MaybeRefit(absl::Time at);
  PreMatchFeatureOptions options_;
  absl::flat_hash_map<std::string, std::deque<TeamMatch>> teams_;
  std::vector<ratings::MatchResult> results_;
  std::optional<ratings::DixonColesModel> model_;
  std::optional<absl::Time> last_fit_;
  size_t results_at_fit_ = 0;
  int fits_ = 0;
  int unconverged_ = 0;
};

// When a match is over, for the "known at kickoff" rule: kickoff + 2 h 15 min when the kickoff
// time is known, the end of its UTC date otherwise (the backtest engine's rule).
absl::Time MatchEnd(const superbet::v1::Fixture& fixture);

}  // namespace superbet::hrl

#endif  // SUPERBET_HRL_PREMATCH_FEATURES_H_
