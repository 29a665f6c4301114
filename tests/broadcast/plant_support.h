// Test support for the broadcast plant: prediction lines built from real matches of
// ../shared/data/football-data (team names and Bet365 1X2 prices of E0_2324.csv), fake publishers
// with scripted failures, and the invariant checker.

#ifndef SUPERBET_TESTS_BROADCAST_PLANT_SUPPORT_H_
#define SUPERBET_TESTS_BROADCAST_PLANT_SUPPORT_H_

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/broadcast/plant.h"
#include "superbet/broadcast/prediction_input.h"
#include "superbet/bus/topics.h"
#include "support/test_data.h"

namespace superbet::testing {

inline double U01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Up to `n` prediction JSON lines from the matches of a football-data CSV, in file order, one
// decision 4 hours before kick-off. Probabilities: the de-margined Bet365 prices perturbed by a
// seeded noise; pick: the best expected value; metrics drawn so that about half pass the filter.
inline std::vector<std::string> PredictionLines(const std::string& csv_relative, size_t n,
                                                uint64_t seed) {
  std::ifstream in(DataPath(csv_relative));
  REQUIRE(in.good());
  std::string header;
  std::getline(in, header);
  std::vector<std::string> cols = absl::StrSplit(header, ',');
  auto col = [&](const std::string& name) {
    auto it = std::find(cols.begin(), cols.end(), name);
    REQUIRE(it != cols.end());
    return static_cast<size_t>(it - cols.begin());
  };
  const size_t c_date = col("Date"), c_time = col("Time"), c_home = col("HomeTeam"),
               c_away = col("AwayTeam"), c_h = col("B365H"), c_d = col("B365D"), c_a = col("B365A");
  std::mt19937_64 rng(seed);
  std::string stem = csv_relative.substr(csv_relative.rfind('/') + 1);
  stem = stem.substr(0, stem.find('.'));
  std::vector<std::string> out;
  std::string line;
  int row = 1;
  while (out.size() < n && std::getline(in, line)) {
    ++row;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() <= std::max({c_h, c_d, c_a})) continue;
    double o[3];
    if (!absl::SimpleAtod(f[c_h], &o[0]) || !absl::SimpleAtod(f[c_d], &o[1]) ||
        !absl::SimpleAtod(f[c_a], &o[2])) {
      continue;
    }
    int d = 0, m = 0, y = 0, hh = 15, mm = 0;
    std::vector<std::string> dp = absl::StrSplit(f[c_date], '/');
    if (dp.size() != 3 || !absl::SimpleAtoi(dp[0], &d) || !absl::SimpleAtoi(dp[1], &m) ||
        !absl::SimpleAtoi(dp[2], &y)) {
      continue;
    }
    std::vector<std::string> tp = absl::StrSplit(f[c_time], ':');
    if (tp.size() == 2) {
      (void)absl::SimpleAtoi(tp[0], &hh);
      (void)absl::SimpleAtoi(tp[1], &mm);
    }
    const absl::Time kickoff =
        absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
    const absl::Time decided = kickoff - absl::Hours(4) + absl::Milliseconds(row);
    double q[3], s = 0;
    for (int i = 0; i < 3; ++i) s += 1.0 / o[i];
    double p[3], ps = 0;
    for (int i = 0; i < 3; ++i) {
      q[i] = (1.0 / o[i]) / s;
      p[i] = q[i] * (0.85 + 0.35 * U01(rng));
      ps += p[i];
    }
    for (double& x : p) x /= ps;
    int pick = 0;
    for (int i = 1; i < 3; ++i) {
      if (p[i] * o[i] > p[pick] * o[pick]) pick = i;
    }
    const double kelly = std::clamp((p[pick] * o[pick] - 1.0) / (o[pick] - 1.0), 0.0, 1.0);
    const char* names[] = {"home", "draw", "away"};
    std::string json = absl::StrFormat(
        R"({"match_id":"football-data:%s:%d","home":"%s","away":"%s","kickoff":"%s",)"
        R"("pick":"%s","prob":{"home":%.6f,"draw":%.6f,"away":%.6f},)"
        R"("odds":{"home":%.2f,"draw":%.2f,"away":%.2f},"confidence":%.4f,"vsnr":%.3f,)"
        R"("cas":%.4f,"kelly_fraction":%.5f,%s"decided_at":"%s","agent":"model",)"
        R"("model_version":"test"})",
        stem, row, f[c_home], f[c_away],
        absl::FormatTime(absl::RFC3339_full, kickoff, absl::UTCTimeZone()), names[pick], p[0], p[1],
        p[2], o[0], o[1], o[2], 0.55 + 0.4 * U01(rng), 1.5 + 4.5 * U01(rng), p[pick] / q[pick],
        kelly, U01(rng) < 0.3 ? "" : absl::StrFormat(R"("gamma":%.4f,)", U01(rng) - 0.5),
        absl::FormatTime(absl::RFC3339_full, decided, absl::UTCTimeZone()));
    out.push_back(json);
  }
  return out;
}

// A publisher whose answer is scripted per call: script(event id, call number for that event,
// now) -> result. Records each event id it accepted (a second acceptance is a duplicate).
class FakePublisher final : public superbet::broadcast::Publisher {
 public:
  using Script = std::function<superbet::broadcast::PublishResult(const std::string& event_id,
                                                                  int call, absl::Time now)>;
  FakePublisher(std::string platform, const superbet::core::Clock& clock, Script script = {})
      : platform_(std::move(platform)), clock_(clock), script_(std::move(script)) {}
  absl::string_view platform() const override { return platform_; }
  superbet::broadcast::PublishResult Publish(const superbet::broadcast::BroadcastEvent& e,
                                             absl::string_view) override {
    const int call = ++calls_[e.id];
    ++total_calls_;
    superbet::broadcast::PublishResult r;
    if (script_) {
      r = script_(e.id, call, clock_.Now());
    } else {
      r.success = true;
    }
    if (r.success) {
      ++accepted_[e.id];
      accept_times_.push_back(clock_.Now());
    }
    return r;
  }
  const std::map<std::string, int>& accepted() const { return accepted_; }
  const std::vector<absl::Time>& accept_times() const { return accept_times_; }
  int total_calls() const { return total_calls_; }

 private:
  std::string platform_;
  const superbet::core::Clock& clock_;
  Script script_;
  std::map<std::string, int> calls_;
  std::map<std::string, int> accepted_;
  std::vector<absl::Time> accept_times_;
  int total_calls_ = 0;
};

// The ids of the events that valid input lines produce.
inline std::set<std::string> EventIds(const std::vector<std::string>& lines) {
  std::set<std::string> ids;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto p = superbet::broadcast::ParsePredictionLine(lines[i], static_cast<int>(i + 1));
    if (p.ok()) ids.insert(superbet::broadcast::EventId(*p));
  }
  return ids;
}

struct InvariantReport {
  int dropped = 0;
  std::map<std::string, int> published;  // Per platform.
  std::map<std::string, int> dlq;        // Per platform.
};

// Checks: every event is dropped (with a reason) or, for every platform, published or in the DLQ
// (with a reason) - exactly one of them; a published event was received exactly once by the
// platform (`received`: event id -> acceptances) and nothing else was received; every DLQ outcome
// has its broadcast.dlq entry with a non-empty reason.
inline InvariantReport CheckInvariant(
    superbet::bus::Transport& t, const std::set<std::string>& ids,
    const std::map<std::string, std::map<std::string, int>>& received) {
  namespace bus = superbet::bus;
  InvariantReport rep;
  auto dropped = t.HashGetAll(bus::kDroppedKey);
  REQUIRE(dropped.ok());
  std::map<std::string, std::string> dropped_map(dropped->begin(), dropped->end());
  auto dlq = t.Range(bus::kDlq);
  REQUIRE(dlq.ok());
  std::map<std::pair<std::string, std::string>, std::string> dlq_reason;
  for (const auto& e : *dlq) {
    CHECK_FALSE(e.Field("reason").empty());
    dlq_reason[{e.Field("platform"), e.Field("event_id")}] = e.Field("reason");
  }
  std::map<std::string, std::map<std::string, std::string>> outcomes;
  for (const auto& [platform, got] : received) {
    auto h = t.HashGetAll(bus::OutcomeKey(platform));
    REQUIRE(h.ok());
    outcomes[platform] = std::map<std::string, std::string>(h->begin(), h->end());
    for (const auto& [id, n] : got) {
      INFO(platform << " received " << id);
      CHECK(n == 1);              // Never twice.
      CHECK(ids.count(id) == 1);  // Nothing that was not input.
    }
  }
  for (const std::string& id : ids) {
    INFO("event " << id);
    const bool was_dropped = dropped_map.count(id) > 0;
    if (was_dropped) {
      ++rep.dropped;
      CHECK_FALSE(dropped_map[id].empty());
    }
    for (const auto& [platform, got] : received) {
      INFO("platform " << platform);
      auto it = outcomes[platform].find(id);
      if (was_dropped) {
        CHECK(it == outcomes[platform].end());
        CHECK(got.count(id) == 0);
        continue;
      }
      REQUIRE(it != outcomes[platform].end());
      if (it->second == "published") {
        ++rep.published[platform];
        CHECK(got.count(id) == 1);
      } else {
        REQUIRE(it->second.rfind("dlq:", 0) == 0);
        CHECK(it->second.size() > 4);
        ++rep.dlq[platform];
        CHECK(got.count(id) == 0);
        CHECK(dlq_reason.count({platform, id}) == 1);
      }
    }
  }
  return rep;
}

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_BROADCAST_PLANT_SUPPORT_H_
