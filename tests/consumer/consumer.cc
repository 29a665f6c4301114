// Links the installed library and uses one function from it: margin removal on real Bet365
// prices (E0_2425.csv, first match: Man United v Fulham, 1.6 / 4.2 / 5.25).
#include <cmath>
#include <cstdio>

#include "superbet/odds/margin.h"

int main() {
  const double odds[] = {1.6, 4.2, 5.25};
  auto probabilities = superbet::odds::RemoveMarginMultiplicative(odds);
  if (!probabilities.ok()) {
    std::fprintf(stderr, "%s\n", probabilities.status().ToString().c_str());
    return 1;
  }
  double sum = 0;
  for (double p : *probabilities) sum += p;
  std::printf("home %.4f draw %.4f away %.4f sum %.12f\n", (*probabilities)[0],
              (*probabilities)[1], (*probabilities)[2], sum);
  return std::fabs(sum - 1.0) < 1e-12 ? 0 : 1;
}
