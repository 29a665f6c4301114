#include "superbet/model/masking.h"

#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace superbet::model {

using superbet::v1::LiveMatchState;

namespace extractors {

bool Minute(const LiveMatchState& s, double* raw) {
  if (!s.has_minute()) return false;
  *raw = s.minute();
  return true;
}
bool ScoreHome(const LiveMatchState& s, double* raw) {
  if (!s.has_score_home()) return false;
  *raw = s.score_home();
  return true;
}
bool ScoreAway(const LiveMatchState& s, double* raw) {
  if (!s.has_score_away()) return false;
  *raw = s.score_away();
  return true;
}
bool XgHome(const LiveMatchState& s, double* raw) {
  if (!s.home().has_xg()) return false;
  *raw = s.home().xg();
  return true;
}
bool XgAway(const LiveMatchState& s, double* raw) {
  if (!s.away().has_xg()) return false;
  *raw = s.away().xg();
  return true;
}
bool DangerousAttacks(const LiveMatchState& s, double* raw) {
  if (!s.home().has_dangerous_attacks() || !s.away().has_dangerous_attacks()) return false;
  *raw = static_cast<double>(s.home().dangerous_attacks()) + s.away().dangerous_attacks();
  return true;
}
bool StalenessS(const LiveMatchState& s, double* raw) {
  *raw = s.data_staleness_s();
  return true;
}

#define SUPERBET_SIDE_EXTRACTOR(fn, side, field)  \
  bool fn(const LiveMatchState& s, double* raw) { \
    if (!s.side().has_##field()) return false;    \
    *raw = s.side().field();                      \
    return true;                                  \
  }
SUPERBET_SIDE_EXTRACTOR(ShotsHome, home, shots)
SUPERBET_SIDE_EXTRACTOR(ShotsAway, away, shots)
SUPERBET_SIDE_EXTRACTOR(ShotsOnTargetHome, home, shots_on_target)
SUPERBET_SIDE_EXTRACTOR(ShotsOnTargetAway, away, shots_on_target)
SUPERBET_SIDE_EXTRACTOR(CornersHome, home, corners)
SUPERBET_SIDE_EXTRACTOR(CornersAway, away, corners)
SUPERBET_SIDE_EXTRACTOR(PossessionHome, home, possession)
#undef SUPERBET_SIDE_EXTRACTOR

namespace {
bool Implied(bool has_odds, double odds, double* raw) {
  if (!has_odds || !(odds > 1.0) || !std::isfinite(odds)) return false;
  *raw = 1.0 / odds;
  return true;
}
}  // namespace

bool ImpliedHome(const LiveMatchState& s, double* raw) {
  return Implied(s.has_live_odds(), s.live_odds().home(), raw);
}
bool ImpliedDraw(const LiveMatchState& s, double* raw) {
  return Implied(s.has_live_odds(), s.live_odds().draw(), raw);
}
bool ImpliedAway(const LiveMatchState& s, double* raw) {
  return Implied(s.has_live_odds(), s.live_odds().away(), raw);
}

}  // namespace extractors

absl::StatusOr<FeatureSpec> FeatureSpec::Create(std::vector<FeatureDef> features) {
  if (features.empty()) return absl::InvalidArgumentError("feature spec has no features");
  absl::flat_hash_set<std::string> names;
  for (size_t i = 0; i < features.size(); ++i) {
    const FeatureDef& f = features[i];
    if (f.name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("feature ", i, " has an empty name"));
    }
    if (!names.insert(f.name).second) {
      return absl::InvalidArgumentError(absl::StrCat("feature name \"", f.name, "\" repeated"));
    }
    if (f.extract == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("feature \"", f.name, "\" has no extractor"));
    }
    if (!std::isfinite(f.scale) || !std::isfinite(f.offset)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "feature \"", f.name, "\" scale/offset must be finite, got ", f.scale, "/", f.offset));
    }
  }
  return FeatureSpec(std::move(features));
}

const FeatureSpec& FeatureSpec::Default() {
  static const FeatureSpec* spec = [] {
    namespace e = extractors;
    std::vector<FeatureDef> f = {
        {"minute", e::Minute, 1.0, 0.0, false},
        {"score_home", e::ScoreHome, 1.0, 0.0, false},
        {"score_away", e::ScoreAway, 1.0, 0.0, false},
        {"xg_home", e::XgHome, 1.0, 0.0, false},
        {"xg_away", e::XgAway, 1.0, 0.0, false},
        {"dangerous_attacks", e::DangerousAttacks, 1.0, 0.0, false},
        {"staleness_norm", e::StalenessS, 1.0 / kStalenessScaleS, 0.0, true},
    };
    return new FeatureSpec(std::move(f));
  }();
  return *spec;
}

int FeatureSpec::IndexOf(absl::string_view name) const {
  for (size_t i = 0; i < features_.size(); ++i) {
    if (features_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

MaskedFeatures Mask(const LiveMatchState& state) {
  MaskedFeatures out;  // Zero-initialised: missing = (0, 0).
  if (state.has_minute()) {
    out.value[kSlotMinute] = static_cast<float>(state.minute());
    out.mask[kSlotMinute] = 1.0f;
  }
  if (state.has_score_home()) {
    out.value[kSlotScoreHome] = static_cast<float>(state.score_home());
    out.mask[kSlotScoreHome] = 1.0f;
  }
  if (state.has_score_away()) {
    out.value[kSlotScoreAway] = static_cast<float>(state.score_away());
    out.mask[kSlotScoreAway] = 1.0f;
  }
  out.value[kSlotStalenessNorm] = static_cast<float>(state.data_staleness_s() / kStalenessScaleS);
  out.mask[kSlotStalenessNorm] = 1.0f;
  const superbet::v1::SideStats& home = state.home();
  const superbet::v1::SideStats& away = state.away();
  if (home.has_xg()) {
    out.value[kSlotXgHome] = static_cast<float>(home.xg());
    out.mask[kSlotXgHome] = 1.0f;
  }
  if (away.has_xg()) {
    out.value[kSlotXgAway] = static_cast<float>(away.xg());
    out.mask[kSlotXgAway] = 1.0f;
  }
  if (home.has_dangerous_attacks() && away.has_dangerous_attacks()) {
    out.value[kSlotDangerousAttacks] =
        static_cast<float>(home.dangerous_attacks()) + static_cast<float>(away.dangerous_attacks());
    out.mask[kSlotDangerousAttacks] = 1.0f;
  }
  return out;
}

absl::Status Mask(const FeatureSpec& spec, const LiveMatchState& state, absl::Span<float> values,
                  absl::Span<float> mask) {
  const size_t n = static_cast<size_t>(spec.size());
  if (values.size() != n || mask.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat("mask buffers must hold ", n,
                                                   " floats, got values=", values.size(),
                                                   " mask=", mask.size()));
  }
  for (size_t i = 0; i < n; ++i) {
    const FeatureDef& f = spec.feature(static_cast<int>(i));
    double raw = 0.0;
    const bool present = f.extract(state, &raw);
    if (present || f.always_observed) {
      values[i] = static_cast<float>(raw * f.scale + f.offset);
      mask[i] = 1.0f;
    } else {
      values[i] = 0.0f;
      mask[i] = 0.0f;
    }
  }
  return absl::OkStatus();
}

MaskedSequence::MaskedSequence(int num_features)
    : num_features_(num_features < 1 ? 1 : num_features) {}

void MaskedSequence::Reserve(int steps) {
  if (steps <= 0) return;
  const size_t cells = static_cast<size_t>(steps) * num_features_;
  values_.reserve(cells);
  mask_.reserve(cells);
  delta_s_.reserve(cells);
  step_valid_.reserve(steps);
  times_s_.reserve(steps);
}

absl::Status MaskedSequence::CheckTime(double time_s) const {
  if (!std::isfinite(time_s)) {
    return absl::InvalidArgumentError(absl::StrCat("step time must be finite, got ", time_s));
  }
  if (steps_ > 0 && time_s < times_s_.back()) {
    return absl::InvalidArgumentError(absl::StrCat("step ", steps_, " time ", time_s,
                                                   " s is before the previous step's ",
                                                   times_s_.back(), " s"));
  }
  return absl::OkStatus();
}

// Appends row `steps_` of delta_s from the previous row's mask (GRU-D eq. 2).
void MaskedSequence::AppendDeltas(double time_s) {
  if (steps_ == 0) {
    delta_s_.insert(delta_s_.end(), num_features_, 0.0f);
    return;
  }
  const float gap = static_cast<float>(time_s - times_s_.back());
  const size_t prev = static_cast<size_t>(steps_ - 1) * num_features_;
  for (int f = 0; f < num_features_; ++f) {
    const float carried = mask_[prev + f] > 0.0f ? 0.0f : delta_s_[prev + f];
    delta_s_.push_back(gap + carried);
  }
}

absl::Status MaskedSequence::AppendStep(double time_s, absl::Span<const float> values,
                                        absl::Span<const float> mask) {
  const size_t n = static_cast<size_t>(num_features_);
  if (values.size() != n || mask.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "step must have ", n, " features, got values=", values.size(), " mask=", mask.size()));
  }
  if (absl::Status s = CheckTime(time_s); !s.ok()) return s;
  AppendDeltas(time_s);
  values_.insert(values_.end(), values.begin(), values.end());
  mask_.insert(mask_.end(), mask.begin(), mask.end());
  step_valid_.push_back(1.0f);
  times_s_.push_back(time_s);
  ++steps_;
  return absl::OkStatus();
}

absl::Status MaskedSequence::AppendStep(double time_s, const MaskedFeatures& features) {
  return AppendStep(time_s, absl::MakeConstSpan(features.value),
                    absl::MakeConstSpan(features.mask));
}

absl::Status MaskedSequence::AppendMissingStep(double time_s) {
  if (absl::Status s = CheckTime(time_s); !s.ok()) return s;
  AppendDeltas(time_s);
  values_.insert(values_.end(), num_features_, 0.0f);
  mask_.insert(mask_.end(), num_features_, 0.0f);
  step_valid_.push_back(0.0f);
  times_s_.push_back(time_s);
  ++steps_;
  return absl::OkStatus();
}

void MaskedSequence::Clear() {
  steps_ = 0;
  values_.clear();
  mask_.clear();
  delta_s_.clear();
  step_valid_.clear();
  times_s_.clear();
}

}  // namespace superbet::model
