#include "superbet/scoring/tracker.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/internal/number_text.h"
#include "superbet/scoring/metrics.h"

namespace superbet::scoring {

EvaluationTracker::EvaluationTracker(absl::Duration window) : window_(window) {}

absl::Status EvaluationTracker::Validate(absl::string_view match_id, int selection, absl::Time at,
                                         double probability, double decimal_odds) const {
  if (selection < 0 || selection > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("selection must be 0 (home), 1 (draw) or 2 (away), got ", selection));
  }
  if (!(std::isfinite(probability) && probability >= 0.0 && probability <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("probability must be finite and in [0, 1], got ",
                                                   core::internal::ShortestText(probability)));
  }
  if (!(std::isfinite(decimal_odds) && decimal_odds > 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("decimal odds must be finite and > 1, got ",
                                                   core::internal::ShortestText(decimal_odds)));
  }
  auto found = history_.find(std::make_pair(std::string(match_id), selection));
  if (found != history_.end() && at < found->second.last) {
    return absl::InvalidArgumentError(
        absl::StrCat(match_id, " selection ", selection, ": evaluation time ", absl::FormatTime(at),
                     " is earlier than the previous one, ", absl::FormatTime(found->second.last)));
  }
  return absl::OkStatus();
}

absl::StatusOr<TrackedMetrics> EvaluationTracker::Apply(History& h, absl::Time at,
                                                        double probability, double decimal_odds,
                                                        absl::Duration window) {
  h.last = at;
  // VSNR sample: the last 10 evaluations within the window of this one.
  h.evs.emplace_back(at, probability * decimal_odds - 1.0);
  while (!h.evs.empty() && h.evs.front().first < at - window) h.evs.pop_front();
  while (h.evs.size() > static_cast<size_t>(kVsnrMaxEvaluations)) h.evs.pop_front();
  std::vector<double> evs;
  evs.reserve(h.evs.size());
  for (const auto& [t, ev] : h.evs) evs.push_back(ev);
  TrackedMetrics out;
  out.evaluations = static_cast<int>(evs.size());
  absl::StatusOr<std::optional<double>> vsnr = Vsnr(evs);
  if (!vsnr.ok()) return vsnr.status();
  out.vsnr = *vsnr;
  // Gamma buckets: floor division of the Unix time by 60 s (negative times included).
  const int64_t minute = absl::ToInt64Seconds(at - absl::UnixEpoch()) >= 0
                             ? absl::ToInt64Seconds(at - absl::UnixEpoch()) / 60
                             : -((-absl::ToInt64Seconds(at - absl::UnixEpoch()) + 59) / 60);
  const double implied = 1.0 / decimal_odds;
  if (h.buckets_used > 0 && h.buckets[h.buckets_used - 1].first == minute) {
    h.buckets[h.buckets_used - 1].second = implied;
  } else if (h.buckets_used < 3) {
    h.buckets[h.buckets_used++] = {minute, implied};
  } else {
    h.buckets[0] = h.buckets[1];
    h.buckets[1] = h.buckets[2];
    h.buckets[2] = {minute, implied};
  }
  if (h.buckets_used == 3 && h.buckets[1].first == h.buckets[2].first - 1 &&
      h.buckets[0].first == h.buckets[2].first - 2) {
    absl::StatusOr<double> g =
        Gamma({h.buckets[0].second, h.buckets[1].second, h.buckets[2].second});
    if (!g.ok()) return g.status();
    out.gamma = *g;
  }
  return out;
}

absl::StatusOr<TrackedMetrics> EvaluationTracker::Record(absl::string_view match_id, int selection,
                                                         absl::Time at, double probability,
                                                         double decimal_odds) {
  if (absl::Status s = Validate(match_id, selection, at, probability, decimal_odds); !s.ok()) {
    return s;
  }
  return Apply(history_[std::make_pair(std::string(match_id), selection)], at, probability,
               decimal_odds, window_);
}

absl::StatusOr<TrackedMetrics> EvaluationTracker::Preview(absl::string_view match_id, int selection,
                                                          absl::Time at, double probability,
                                                          double decimal_odds) const {
  if (absl::Status s = Validate(match_id, selection, at, probability, decimal_odds); !s.ok()) {
    return s;
  }
  auto found = history_.find(std::make_pair(std::string(match_id), selection));
  History copy = found == history_.end() ? History{} : found->second;
  return Apply(copy, at, probability, decimal_odds, window_);
}

void EvaluationTracker::Forget(absl::string_view match_id) {
  for (int s = 0; s < 3; ++s) history_.erase(std::make_pair(std::string(match_id), s));
}

}  // namespace superbet::scoring
