// Scores of 1X2 probability forecasts (lower is better for all three) and a reliability table.
//
//   Brier score      sum_i (p_i - o_i)^2 over home, draw, away (Brier 1950, Monthly Weather
//                    Review 78(1)); 0 perfect, 2 worst, 2/3 for the uniform forecast.
//   log loss         -ln p_outcome (Good 1952, JRSS B 14(1)); ln 3 = 1.0986 for the uniform one.
//   RPS              ranked probability score, (1/2) sum_{k=1}^{2} (P_k - O_k)^2 with P_k, O_k
//                    the cumulative forecast and outcome over the order home, draw, away (Epstein
//                    1969, J. Applied Meteorology 8(6); Constantinou & Fenton 2012, JQAS 8(1),
//                    for football).
// Outcome index: 0 home win, 1 draw, 2 away win.

#ifndef SUPERBET_RATINGS_FORECAST_SCORES_H_
#define SUPERBET_RATINGS_FORECAST_SCORES_H_

#include <array>
#include <vector>

#include "superbet/ratings/score_grid.h"

namespace superbet::ratings {

double BrierScore(const OneXTwo& p, int outcome);
double LogLoss(const OneXTwo& p, int outcome);
double RankedProbabilityScore(const OneXTwo& p, int outcome);

// One decile of a reliability table: every (probability, happened) pair of every outcome of every
// match whose probability falls in [lower, lower + 0.1) (the last bin includes 1).
struct CalibrationBin {
  double lower = 0;
  int count = 0;
  double mean_probability = 0;  // Meaningful when count > 0.
  double frequency = 0;         // Share of the pairs whose outcome happened.
};

// Accumulates forecasts into ten bins. Value type; not thread-safe.
class CalibrationTable {
 public:
  void Add(const OneXTwo& p, int outcome);
  std::vector<CalibrationBin> Bins() const;

 private:
  std::array<int, 10> count_{};
  std::array<double, 10> sum_p_{};
  std::array<double, 10> hits_{};
};

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_FORECAST_SCORES_H_
