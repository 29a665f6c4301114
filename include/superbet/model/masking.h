// Masked features: turning a LiveMatchState into the (values, mask) pair the agents consume, so
// that "0.0 xG" (observed, zero) and "no xG" (missing) stay distinct.
//
//   mask = 1  observed: value = raw * scale + offset
//   mask = 0  missing:  value = 0.0
//
// Presence comes from proto3 `optional` (has_*()), never from the value: an xG of 0.0 that the
// provider sent is observed.
//
// The default live spec, 7 slots:
//   0 minute           observed when minute is present (a provider's null is missing, not 0)
//   1 score_home       observed when score_home is present
//   2 score_away       observed when score_away is present
//   3 xg_home          observed when home.xg is present
//   4 xg_away          observed when away.xg is present
//   5 dangerous_attacks  home + away, observed only when BOTH sides are present
//   6 staleness_norm   data_staleness_s / 300, always observed, NOT clipped (> 1 means the data
//                      is older than 5 minutes)
// Scale 1 and offset 0 everywhere except staleness_norm (scale 1/300).
//
// Rejected by design:
//   * a -1.0 sentinel for missing values: the network cannot tell it from a real value and it
//     distorts the feature's scale;
//   * a learned "missing" token / embedding (e.g. 999): it enlarges the state space and needs an
//     embedding layer the 64-wide input does not have.
//
// Sequences: MaskedSequence lays out T steps of F features as contiguous row-major float buffers
// [T, F] (values, mask, delta_s) plus a [T] step-validity mask, which a tensor can wrap without
// copying (torch::from_blob(data(), {T, F})). delta_s is GRU-D's time since the last observation
// of each feature (Che, Purushotham, Cho, Sontag & Liu 2018, "Recurrent Neural Networks for
// Multivariate Time Series with Missing Values", Scientific Reports 8:6085, eq. 2):
//   delta_0 = 0;  delta_t = (s_t - s_{t-1}) + delta_{t-1}  if m_{t-1} = 0
//                 delta_t = (s_t - s_{t-1})                 if m_{t-1} = 1
// with s_t the step's time in seconds. A step without a snapshot (padding) has step_valid = 0 and
// every mask 0; it drives LSTM packing and the attention key_padding_mask.
//
// No torch (or any tensor library) in this header.

#ifndef SUPERBET_MODEL_MASKING_H_
#define SUPERBET_MODEL_MASKING_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "superbet/v1/model.pb.h"

namespace superbet::model {

// Number of slots of the default live spec.
inline constexpr int kLiveFeatureCount = 7;
// Staleness normaliser: 300 s (5 minutes) = 1.0.
inline constexpr double kStalenessScaleS = 300.0;

// Slot indices of the default live spec.
enum LiveSlot : int {
  kSlotMinute = 0,
  kSlotScoreHome = 1,
  kSlotScoreAway = 2,
  kSlotXgHome = 3,
  kSlotXgAway = 4,
  kSlotDangerousAttacks = 5,
  kSlotStalenessNorm = 6,
};

// Reads one raw feature from a state. Returns false when the feature is absent (nothing written).
using FeatureExtractor = bool (*)(const superbet::v1::LiveMatchState& state, double* raw);

// One named feature: value = raw * scale + offset when observed.
struct FeatureDef {
  std::string name;
  FeatureExtractor extract = nullptr;
  double scale = 1.0;
  double offset = 0.0;
  // When true the feature's mask is 1 in every snapshot; an absent raw value is read as 0
  // (data_staleness_s, a proto3 scalar without presence, always has a value).
  bool always_observed = false;
};

// An ordered list of features. Immutable after construction; thread-safe to share.
class FeatureSpec {
 public:
  // Errors: InvalidArgument when `features` is empty, a name is empty or repeated, an extractor is
  // null, or a scale/offset is not finite (the message names the feature).
  [[nodiscard]] static absl::StatusOr<FeatureSpec> Create(std::vector<FeatureDef> features);
  // The default 7-slot spec (the table above).
  static const FeatureSpec& Default();

  int size() const { return static_cast<int>(features_.size()); }
  const FeatureDef& feature(int i) const { return features_[i]; }
  const std::vector<FeatureDef>& features() const { return features_; }
  // Index of `name`, or -1.
  int IndexOf(absl::string_view name) const;

 private:
  explicit FeatureSpec(std::vector<FeatureDef> features) : features_(std::move(features)) {}
  std::vector<FeatureDef> features_;
};

// Extractors available to build specs; names match the default spec's feature names and the
// canonical SideStats fields. Each returns false when the field is absent.
namespace extractors {
bool Minute(const superbet::v1::LiveMatchState& s, double* raw);
bool ScoreHome(const superbet::v1::LiveMatchState& s, double* raw);
bool ScoreAway(const superbet::v1::LiveMatchState& s, double* raw);
bool XgHome(const superbet::v1::LiveMatchState& s, double* raw);
bool XgAway(const superbet::v1::LiveMatchState& s, double* raw);
// home + away; absent unless both are present.
bool DangerousAttacks(const superbet::v1::LiveMatchState& s, double* raw);
// data_staleness_s (raw seconds; the default spec scales it by 1/300).
bool StalenessS(const superbet::v1::LiveMatchState& s, double* raw);
bool ShotsHome(const superbet::v1::LiveMatchState& s, double* raw);
bool ShotsAway(const superbet::v1::LiveMatchState& s, double* raw);
bool ShotsOnTargetHome(const superbet::v1::LiveMatchState& s, double* raw);
bool ShotsOnTargetAway(const superbet::v1::LiveMatchState& s, double* raw);
bool CornersHome(const superbet::v1::LiveMatchState& s, double* raw);
bool CornersAway(const superbet::v1::LiveMatchState& s, double* raw);
bool PossessionHome(const superbet::v1::LiveMatchState& s, double* raw);  // Fraction [0, 1].
// Implied probabilities 1 / decimal odds of the live 1X2 prices; absent without live_odds or
// when the price is not > 1.
bool ImpliedHome(const superbet::v1::LiveMatchState& s, double* raw);
bool ImpliedDraw(const superbet::v1::LiveMatchState& s, double* raw);
bool ImpliedAway(const superbet::v1::LiveMatchState& s, double* raw);
}  // namespace extractors

// The masked default live features: `value` and `mask` by LiveSlot. No heap.
struct MaskedFeatures {
  std::array<float, kLiveFeatureCount> value{};
  std::array<float, kLiveFeatureCount> mask{};
};

// Masks one state with the default spec. Allocation-free (the hot path; target <= 50 ns).
MaskedFeatures Mask(const superbet::v1::LiveMatchState& state);

// Masks one state with any spec into caller buffers of spec.size() floats each.
// Errors: InvalidArgument when a buffer's size differs from spec.size().
[[nodiscard]] absl::Status Mask(const FeatureSpec& spec, const superbet::v1::LiveMatchState& state,
                                absl::Span<float> values, absl::Span<float> mask);

// T steps x F features of masked observations, row-major (step-major) in four contiguous buffers.
// Not thread-safe for writes; const methods may be called concurrently. Pointers returned by the
// accessors stay valid until the next Append*/Clear (use Reserve() to keep them stable).
class MaskedSequence {
 public:
  // `num_features` >= 1 (clamped to 1).
  explicit MaskedSequence(int num_features = kLiveFeatureCount);

  // Reserves room for `steps` steps (no reallocation until then).
  void Reserve(int steps);
  // Appends an observed step at `time_s` (seconds on any fixed origin, e.g. match seconds).
  // Errors: InvalidArgument when a span's size is not num_features(), when time_s is not finite,
  // or when it is earlier than the previous step's time (names both times). The sequence is
  // unchanged on error.
  [[nodiscard]] absl::Status AppendStep(double time_s, absl::Span<const float> values,
                                        absl::Span<const float> mask);
  [[nodiscard]] absl::Status AppendStep(double time_s, const MaskedFeatures& features);
  // Appends a padding step (no snapshot at that time): values 0, mask 0, step_valid 0; Δt keeps
  // growing. Errors: as AppendStep.
  [[nodiscard]] absl::Status AppendMissingStep(double time_s);
  void Clear();

  int steps() const { return steps_; }
  int features() const { return num_features_; }
  // {steps(), features()} — the shape of values/mask/delta_s.
  std::array<int64_t, 2> shape() const { return {steps_, num_features_}; }

  // [T, F] row-major: element (t, f) at index t * features() + f.
  const float* values() const { return values_.data(); }
  const float* mask() const { return mask_.data(); }
  // GRU-D time since the last observation, in seconds (see the header comment).
  const float* delta_s() const { return delta_s_.data(); }
  // [T]: 1 when the step has a snapshot, 0 for padding.
  const float* step_valid() const { return step_valid_.data(); }
  // Step times in seconds, [T].
  const double* times_s() const { return times_s_.data(); }

  // Element access (no bounds check beyond debug asserts).
  float value(int t, int f) const { return values_[Index(t, f)]; }
  float mask(int t, int f) const { return mask_[Index(t, f)]; }
  float delta_s(int t, int f) const { return delta_s_[Index(t, f)]; }

 private:
  size_t Index(int t, int f) const { return static_cast<size_t>(t) * num_features_ + f; }
  [[nodiscard]] absl::Status CheckTime(double time_s) const;
  void AppendDeltas(double time_s);

  int num_features_;
  int steps_ = 0;
  std::vector<float> values_;
  std::vector<float> mask_;
  std::vector<float> delta_s_;
  std::vector<float> step_valid_;
  std::vector<double> times_s_;
};

}  // namespace superbet::model

#endif  // SUPERBET_MODEL_MASKING_H_
