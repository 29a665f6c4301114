#include "superbet/core/clock.h"

namespace superbet::core {

SystemClock& SystemClock::Instance() {
  static SystemClock* clock = new SystemClock();
  return *clock;
}

}  // namespace superbet::core
