// EvaluationTracker: the per-(match, selection) history that VSNR and gamma need (metrics.h).
//
// Every time an agent evaluates a selection it records (time, p, o). The tracker keeps, per match
// and selection:
//   * the expected values EV = p·o − 1 of the last kVsnrMaxEvaluations evaluations that lie
//     within `window` of the newest one (15 minutes live, 24 hours pre-match), for VSNR;
//   * the pick's implied probability 1/o of the last three 1-minute buckets (a bucket is
//     [k·60 s, (k+1)·60 s) since the Unix epoch; the last price recorded in a bucket is its
//     value), for gamma.
// Times are injected (absl::Time, UTC); the tracker never reads a clock.
//
// Ownership and thread-safety: owns its history; NOT thread-safe (one tracker per agent loop or
// guard it with a mutex). Memory grows with the number of (match, selection) keys; Forget() drops
// a finished match.

#ifndef SUPERBET_SCORING_TRACKER_H_
#define SUPERBET_SCORING_TRACKER_H_

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace superbet::scoring {

// What the tracker computes for one evaluation.
struct TrackedMetrics {
  std::optional<double> vsnr;   // Absent with fewer than 3 evaluations in the window.
  std::optional<double> gamma;  // Absent unless the last three 1-minute buckets all have a price.
  int evaluations = 0;          // Evaluations used for VSNR (this one included), 1..10.
};

class EvaluationTracker {
 public:
  // The VSNR window of in-play evaluations (15 minutes) and of pre-match ones (24 hours).
  static constexpr absl::Duration kLiveWindow = absl::Minutes(15);
  static constexpr absl::Duration kPreMatchWindow = absl::Hours(24);

  // `window` > 0: evaluations older than (newest − window) leave the VSNR sample.
  explicit EvaluationTracker(absl::Duration window);

  // Records one evaluation of `selection` (0 home, 1 draw, 2 away) of `match_id` at time `at`
  // with probability p and decimal odds o, and returns VSNR and gamma including it.
  //
  // Errors: InvalidArgument when selection is not 0..2, p is not in [0, 1], o is not finite and
  // > 1, or `at` is earlier than the previous evaluation of the same key (time must not go
  // backwards; the message names both times). A rejected evaluation changes nothing.
  [[nodiscard]] absl::StatusOr<TrackedMetrics> Record(absl::string_view match_id, int selection,
                                                      absl::Time at, double probability,
                                                      double decimal_odds);

  // The metrics Record would return on the same arguments now, recording nothing: for a caller
  // that records an evaluation only once the decision it belongs to is recorded (a ledger write
  // that fails must leave the history as it was). Errors: as Record.
  [[nodiscard]] absl::StatusOr<TrackedMetrics> Preview(absl::string_view match_id, int selection,
                                                       absl::Time at, double probability,
                                                       double decimal_odds) const;

  // Drops every selection of `match_id`.
  void Forget(absl::string_view match_id);

  // Number of (match, selection) keys held.
  size_t size() const { return history_.size(); }

 private:
  struct History {
    std::deque<std::pair<absl::Time, double>> evs;        // (time, EV), oldest first, <= 10.
    std::array<std::pair<int64_t, double>, 3> buckets{};  // (minute index, 1/o), oldest first.
    int buckets_used = 0;
    absl::Time last = absl::InfinitePast();
  };
  // Record's checks (InvalidArgument), on the history as it is.
  [[nodiscard]] absl::Status Validate(absl::string_view match_id, int selection, absl::Time at,
                                      double probability, double decimal_odds) const;
  // Adds one evaluation to `h` and returns the metrics including it.
  [[nodiscard]] static absl::StatusOr<TrackedMetrics> Apply(History& h, absl::Time at,
                                                            double probability, double decimal_odds,
                                                            absl::Duration window);
  absl::Duration window_;
  absl::flat_hash_map<std::pair<std::string, int>, History> history_;
};

}  // namespace superbet::scoring

#endif  // SUPERBET_SCORING_TRACKER_H_
