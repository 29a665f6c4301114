#include "providers/internal/uk_time.h"

#include "spdlog/spdlog.h"

namespace superbet::providers::internal {
namespace {

struct UkZone {
  absl::TimeZone zone;
  bool loaded = false;
};

const UkZone& Zone() {
  static const UkZone* const kZone = [] {
    auto* z = new UkZone;
    z->loaded = absl::LoadTimeZone("Europe/London", &z->zone);
    if (!z->loaded) {
      z->zone = absl::UTCTimeZone();
      spdlog::warn("time zone Europe/London unavailable; UK local times read as UTC");
    }
    return z;
  }();
  return *kZone;
}

}  // namespace

const absl::TimeZone& LondonTimeZone(bool* loaded) {
  const UkZone& z = Zone();
  if (loaded != nullptr) *loaded = z.loaded;
  return z.zone;
}

}  // namespace superbet::providers::internal
