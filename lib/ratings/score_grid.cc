#include "superbet/ratings/score_grid.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/internal/number_text.h"
#include "superbet/ratings/dixon_coles.h"

namespace superbet::ratings {
namespace {

using core::internal::ShortestText;

// `line` in quarter goals when it is a finite multiple of 0.25 within [lo, hi].
absl::StatusOr<int> QuarterGoals(double line, double lo, double hi, const char* what) {
  const double q = line * 4.0;
  if (!std::isfinite(line) || line < lo || line > hi || q != std::nearbyint(q)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be a multiple of 0.25 in [",
                                                   ShortestText(lo), ", ", ShortestText(hi),
                                                   "], got ", ShortestText(line)));
  }
  return static_cast<int>(q);
}

Settlement Mix(const Settlement& a, const Settlement& b) {
  return {0.5 * (a.win + b.win), 0.5 * (a.push + b.push), 0.5 * (a.loss + b.loss)};
}

// A quarter line (q odd in half-quarters, i.e. q % 2 != 0) splits into q - 1 and q + 1.
template <typename SettleFn>
Settlement SettleAnyLine(int quarter_goals, SettleFn settle) {
  if (quarter_goals % 2 != 0) return Mix(settle(quarter_goals - 1), settle(quarter_goals + 1));
  return settle(quarter_goals);
}

}  // namespace

absl::StatusOr<ScoreGrid> ScoreGrid::FromRates(double lambda, double mu, double rho,
                                               int max_goals) {
  auto matrix = ScoreMatrix(lambda, mu, rho, max_goals);
  if (!matrix.ok()) return matrix.status();
  ScoreGrid grid;
  grid.p_ = std::move(*matrix);
  grid.lambda_ = lambda;
  grid.mu_ = mu;
  grid.max_goals_ = max_goals;
  return grid;
}

absl::StatusOr<ScoreGrid> ScoreGrid::FromMatrix(std::vector<double> probabilities, int max_goals) {
  if (max_goals < 1 || max_goals > 30) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_goals must be in [1, 30], got ", max_goals));
  }
  const size_t n = static_cast<size_t>(max_goals) + 1;
  if (probabilities.size() != n * n) {
    return absl::InvalidArgumentError(absl::StrCat("score matrix must hold ", n * n,
                                                   " cells for max_goals ", max_goals, ", got ",
                                                   probabilities.size()));
  }
  double total = 0;
  for (size_t k = 0; k < probabilities.size(); ++k) {
    if (!std::isfinite(probabilities[k]) || probabilities[k] < 0) {
      return absl::InvalidArgumentError(absl::StrCat("score probability of ", k / n, "-", k % n,
                                                     " must be finite and >= 0, got ",
                                                     ShortestText(probabilities[k])));
    }
    total += probabilities[k];
  }
  if (!(total > 0)) return absl::InvalidArgumentError("score matrix sums to 0");
  ScoreGrid grid;
  grid.max_goals_ = max_goals;
  for (size_t k = 0; k < probabilities.size(); ++k) {
    probabilities[k] /= total;
    grid.lambda_ += static_cast<double>(k / n) * probabilities[k];
    grid.mu_ += static_cast<double>(k % n) * probabilities[k];
  }
  grid.p_ = std::move(probabilities);
  return grid;
}

double ScoreGrid::ExactScore(int home_goals, int away_goals) const {
  if (home_goals < 0 || away_goals < 0 || home_goals > max_goals_ || away_goals > max_goals_) {
    return 0.0;
  }
  return p_[home_goals * (max_goals_ + 1) + away_goals];
}

OneXTwo ScoreGrid::OneXTwoProbabilities() const {
  OneXTwo out;
  const int n = max_goals_ + 1;
  for (int x = 0; x < n; ++x) {
    for (int y = 0; y < n; ++y) {
      const double p = p_[x * n + y];
      (x > y ? out.home : x == y ? out.draw : out.away) += p;
    }
  }
  return out;
}

Settlement ScoreGrid::Settle(Line line, int quarter_goals) const {
  Settlement s;
  const int n = max_goals_ + 1;
  for (int x = 0; x < n; ++x) {
    for (int y = 0; y < n; ++y) {
      // In quarter goals, how far the score beats the line: total goals over it, or home margin
      // plus the home handicap above 0.
      const int excess =
          line == Line::kTotal ? 4 * (x + y) - quarter_goals : 4 * (x - y) + quarter_goals;
      (excess > 0 ? s.win : excess == 0 ? s.push : s.loss) += p_[x * n + y];
    }
  }
  return s;
}

absl::StatusOr<Settlement> ScoreGrid::Over(double line) const {
  auto q = QuarterGoals(line, 0.0, 2.0 * max_goals_, "over/under line");
  if (!q.ok()) return q.status();
  return SettleAnyLine(*q, [this](int quarter) { return Settle(Line::kTotal, quarter); });
}

double ScoreGrid::BothTeamsToScore() const {
  const int n = max_goals_ + 1;
  double p = 0;
  for (int x = 1; x < n; ++x) {
    for (int y = 1; y < n; ++y) p += p_[x * n + y];
  }
  return p;
}

absl::StatusOr<Settlement> ScoreGrid::AsianHandicapHome(double home_line) const {
  auto q = QuarterGoals(home_line, -10.0, 10.0, "Asian handicap line");
  if (!q.ok()) return q.status();
  return SettleAnyLine(*q, [this](int quarter) { return Settle(Line::kHomeHandicap, quarter); });
}

}  // namespace superbet::ratings
