#include "cli/replay_store.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::cli {
namespace {

template <typename T>
std::string JsonOr(const std::optional<T>& v) {
  if (!v) return "null";
  if constexpr (std::is_floating_point_v<T>) {
    char buf[40];
    for (int p = 15; p <= 17; ++p) {
      std::snprintf(buf, sizeof buf, "%.*g", p, *v);
      if (std::strtod(buf, nullptr) == *v) break;
    }
    return buf;
  } else {
    return absl::StrCat(*v);
  }
}

}  // namespace

absl::StatusOr<providers::ReplayData> LoadReplayDataFromStore(store::Store& store,
                                                              const std::string& match) {
  SUPERBET_ASSIGN_OR_RETURN(int64_t id, providers::statsbomb::ParseStatsBombId(match));
  const std::string match_id = absl::StrCat("statsbomb:", id);
  SUPERBET_ASSIGN_OR_RETURN(std::optional<superbet::v1::Fixture> fixture,
                            store.GetFixture(match_id));
  if (!fixture) {
    return absl::NotFoundError(absl::StrCat("the store has no match ", match_id,
                                            " (run superbet ingest --store URL first)"));
  }
  SUPERBET_ASSIGN_OR_RETURN(std::vector<store::LiveStatsRow> rows, store.LiveStats(match_id));
  if (rows.empty()) {
    return absl::NotFoundError(absl::StrCat("the store has no live_stats row for match ", match_id,
                                            " (its events file was not ingested)"));
  }
  providers::ReplayData data;
  providers::statsbomb::Timeline t;
  t.fixture = *fixture;
  for (store::LiveStatsRow& r : rows) t.states.push_back(std::move(r.state));
  data.timelines.push_back(std::move(t));
  return data;
}

absl::StatusOr<std::string> MomentumJson(store::Store& store, const std::string& match_id,
                                         absl::Time at) {
  std::string out = "{";
  const std::pair<const char*, store::MomentumWidth> widths[] = {
      {"1m", store::MomentumWidth::k1Min},
      {"5m", store::MomentumWidth::k5Min},
      {"15m", store::MomentumWidth::k15Min}};
  for (const auto& [name, width] : widths) {
    SUPERBET_ASSIGN_OR_RETURN(std::optional<store::MomentumBucket> b,
                              store.MomentumAsOf(match_id, width, at));
    absl::StrAppend(&out, out.size() > 1 ? "," : "", "\"", name, "\":");
    if (!b) {
      out += "null";
      continue;
    }
    absl::StrAppend(&out, "{\"bucket\":\"",
                    absl::FormatTime(absl::RFC3339_sec, b->bucket_start, absl::UTCTimeZone()),
                    "\",\"rows\":", b->rows, ",\"avg_da\":", JsonOr(b->avg_da),
                    ",\"max_sh\":", JsonOr(b->max_sh), ",\"max_sa\":", JsonOr(b->max_sa),
                    ",\"avg_xg_home\":", JsonOr(b->avg_xg_home),
                    ",\"avg_xg_away\":", JsonOr(b->avg_xg_away), "}");
  }
  return out + "}";
}

}  // namespace superbet::cli
