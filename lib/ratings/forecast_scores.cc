#include "superbet/ratings/forecast_scores.h"

#include <algorithm>
#include <cmath>

namespace superbet::ratings {
namespace {
std::array<double, 3> AsArray(const OneXTwo& p) { return {p.home, p.draw, p.away}; }
}  // namespace

double BrierScore(const OneXTwo& p, int outcome) {
  const std::array<double, 3> q = AsArray(p);
  double s = 0;
  for (int i = 0; i < 3; ++i) {
    const double d = q[i] - (i == outcome ? 1.0 : 0.0);
    s += d * d;
  }
  return s;
}

double LogLoss(const OneXTwo& p, int outcome) { return -std::log(AsArray(p)[outcome]); }

double RankedProbabilityScore(const OneXTwo& p, int outcome) {
  const std::array<double, 3> q = AsArray(p);
  double cp = 0, co = 0, s = 0;
  for (int k = 0; k < 2; ++k) {
    cp += q[k];
    co += k == outcome ? 1.0 : 0.0;
    s += (cp - co) * (cp - co);
  }
  return 0.5 * s;
}

void CalibrationTable::Add(const OneXTwo& p, int outcome) {
  const std::array<double, 3> q = AsArray(p);
  for (int i = 0; i < 3; ++i) {
    const int bin = std::clamp(static_cast<int>(q[i] * 10.0), 0, 9);
    ++count_[bin];
    sum_p_[bin] += q[i];
    hits_[bin] += i == outcome ? 1.0 : 0.0;
  }
}

std::vector<CalibrationBin> CalibrationTable::Bins() const {
  std::vector<CalibrationBin> out(10);
  for (int b = 0; b < 10; ++b) {
    out[b].lower = b / 10.0;
    out[b].count = count_[b];
    if (count_[b] > 0) {
      out[b].mean_probability = sum_p_[b] / count_[b];
      out[b].frequency = hits_[b] / count_[b];
    }
  }
  return out;
}

}  // namespace superbet::ratings
