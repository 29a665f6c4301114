#include "superbet/bus/transport.h"

#include <algorithm>

namespace superbet::bus {

const std::string& Entry::Field(absl::string_view name) const {
  static const std::string* const kEmpty = new std::string();
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return *kEmpty;
}

double RefillBucket(const BucketSpec& spec, int64_t now_ms, BucketState* s) {
  if (s->ts_ms == 0) {
    s->hourly = spec.hourly;
    s->daily = spec.daily;
    s->ts_ms = now_ms;
  }
  const double dt = std::max<int64_t>(0, now_ms - s->ts_ms) / 1000.0;
  if (spec.hourly > 0) s->hourly = std::min(spec.hourly, s->hourly + dt * spec.hourly / 3600.0);
  s->daily = std::min(spec.daily, s->daily + dt * spec.daily / 86400.0);
  s->ts_ms = std::max(s->ts_ms, now_ms);
  double wait = 0;
  if (spec.hourly > 0 && s->hourly < 1.0) {
    wait = std::max(wait, (1.0 - s->hourly) * 3600.0 / spec.hourly);
  }
  if (s->daily < 1.0) wait = std::max(wait, (1.0 - s->daily) * 86400.0 / spec.daily);
  return wait;
}

}  // namespace superbet::bus
