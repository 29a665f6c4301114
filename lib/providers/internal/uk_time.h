// Private helper of the football-data and StatsBomb adapters: both sources give English kick-off
// times in UK local time. Not installed.

#ifndef SUPERBET_LIB_PROVIDERS_INTERNAL_UK_TIME_H_
#define SUPERBET_LIB_PROVIDERS_INTERNAL_UK_TIME_H_

#include "absl/time/time.h"

namespace superbet::providers::internal {

// The Europe/London time zone, loaded once (thread-safe static initialisation; the zone is never
// freed). If the system has no tz database entry for it, UTC is returned instead and a warning is
// logged once; `*loaded` (when non-null) tells which of the two was returned.
const absl::TimeZone& LondonTimeZone(bool* loaded = nullptr);

}  // namespace superbet::providers::internal

#endif  // SUPERBET_LIB_PROVIDERS_INTERNAL_UK_TIME_H_
