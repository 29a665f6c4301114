// Must NOT compile: it drops an absl::StatusOr returned by the library. The test
// "lint: an ignored Status is a compile error" compiles it with the project's flags
// (-Werror=unused-result) and expects the compiler to refuse it, naming nodiscard.
#include "superbet/odds/margin.h"

void DropTheResult() {
  const double decimal_odds[] = {1.6, 4.2, 5.25};
  superbet::odds::RemoveMarginShin(decimal_odds);
}
