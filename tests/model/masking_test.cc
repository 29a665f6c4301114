// Masking tests (ARCHITECTURE.md §2.3). Oracles: hand computation for each state and for the GRU-D
// Δt recurrence (Che et al. 2018, eq. 2) on a hand-made 5-step sequence; the buffer layout is
// checked against the row-major index t * F + f.

#include "superbet/model/masking.h"

#include <catch2/catch.hpp>

namespace sm = superbet::model;
using superbet::v1::LiveMatchState;

namespace {

LiveMatchState State(int minute, int home, int away) {
  LiveMatchState s;
  s.set_match_id("api-football:1");
  s.set_minute(minute);
  s.set_score_home(home);
  s.set_score_away(away);
  return s;
}

}  // namespace

TEST_CASE("0.0 xG present differs from xG absent", "[masking]") {
  LiveMatchState s = State(37, 1, 0);
  s.mutable_home()->set_xg(0.0);  // Present, zero.
  // away.xg absent.
  const sm::MaskedFeatures m = sm::Mask(s);
  CHECK(m.value[sm::kSlotXgHome] == 0.0f);
  CHECK(m.mask[sm::kSlotXgHome] == 1.0f);
  CHECK(m.value[sm::kSlotXgAway] == 0.0f);
  CHECK(m.mask[sm::kSlotXgAway] == 0.0f);
  // Always-observed slots.
  CHECK(m.value[sm::kSlotMinute] == 37.0f);
  CHECK(m.value[sm::kSlotScoreHome] == 1.0f);
  CHECK(m.value[sm::kSlotScoreAway] == 0.0f);
  CHECK(m.mask[sm::kSlotMinute] == 1.0f);
  CHECK(m.mask[sm::kSlotScoreHome] == 1.0f);
  CHECK(m.mask[sm::kSlotScoreAway] == 1.0f);
  CHECK(m.mask[sm::kSlotStalenessNorm] == 1.0f);
  // No -1 sentinel anywhere.
  for (float v : m.value) CHECK(v >= 0.0f);
}

TEST_CASE("dangerous attacks: sum, observed only when both sides are", "[masking]") {
  LiveMatchState s = State(10, 0, 0);
  s.mutable_home()->set_dangerous_attacks(12);
  CHECK(sm::Mask(s).mask[sm::kSlotDangerousAttacks] == 0.0f);
  CHECK(sm::Mask(s).value[sm::kSlotDangerousAttacks] == 0.0f);
  s.mutable_away()->set_dangerous_attacks(0);
  const auto m = sm::Mask(s);
  CHECK(m.mask[sm::kSlotDangerousAttacks] == 1.0f);
  CHECK(m.value[sm::kSlotDangerousAttacks] == 12.0f);
}

TEST_CASE("staleness is data_staleness_s / 300 and not clipped", "[masking]") {
  LiveMatchState s = State(60, 2, 2);
  CHECK(sm::Mask(s).value[sm::kSlotStalenessNorm] == 0.0f);  // Live read.
  s.set_data_staleness_s(150);
  CHECK(sm::Mask(s).value[sm::kSlotStalenessNorm] == Approx(0.5f));
  s.set_data_staleness_s(900);  // 15 minutes old: 3.0, not clipped to 1.
  CHECK(sm::Mask(s).value[sm::kSlotStalenessNorm] == Approx(3.0f));
}

TEST_CASE("the generic spec path agrees with the fast default path", "[masking]") {
  const sm::FeatureSpec& spec = sm::FeatureSpec::Default();
  REQUIRE(spec.size() == sm::kLiveFeatureCount);
  CHECK(spec.IndexOf("staleness_norm") == sm::kSlotStalenessNorm);
  CHECK(spec.IndexOf("dangerous_attacks") == sm::kSlotDangerousAttacks);
  CHECK(spec.IndexOf("nope") == -1);
  LiveMatchState s = State(88, 3, 1);
  s.mutable_home()->set_xg(2.31);
  s.mutable_away()->set_xg(0.4);
  s.mutable_home()->set_dangerous_attacks(40);
  s.mutable_away()->set_dangerous_attacks(21);
  s.set_data_staleness_s(42);
  std::array<float, sm::kLiveFeatureCount> values, mask;
  REQUIRE(sm::Mask(spec, s, absl::MakeSpan(values), absl::MakeSpan(mask)).ok());
  const auto fast = sm::Mask(s);
  for (int i = 0; i < sm::kLiveFeatureCount; ++i) {
    INFO(spec.feature(i).name);
    CHECK(values[i] == Approx(fast.value[i]));
    CHECK(mask[i] == fast.mask[i]);
  }
  CHECK(fast.value[sm::kSlotXgHome] == Approx(2.31f));
  CHECK(fast.value[sm::kSlotDangerousAttacks] == 61.0f);
  CHECK(fast.value[sm::kSlotStalenessNorm] == Approx(0.14f));
  std::array<float, 3> small;
  CHECK(sm::Mask(spec, s, absl::MakeSpan(small), absl::MakeSpan(mask)).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a custom spec: implied probabilities with scale and offset", "[masking]") {
  namespace e = sm::extractors;
  auto spec = sm::FeatureSpec::Create({{"p_home", e::ImpliedHome, 2.0, -1.0, false},
                                       {"possession_home", e::PossessionHome, 1.0, 0.0, false}});
  REQUIRE(spec.ok());
  LiveMatchState s = State(5, 0, 0);
  std::array<float, 2> v, m;
  REQUIRE(sm::Mask(*spec, s, absl::MakeSpan(v), absl::MakeSpan(m)).ok());
  CHECK(m[0] == 0.0f);
  CHECK(m[1] == 0.0f);
  s.mutable_live_odds()->set_home(2.5);  // 1/2.5 = 0.4 -> 0.4 * 2 - 1 = -0.2.
  s.mutable_home()->set_possession(0.62);
  REQUIRE(sm::Mask(*spec, s, absl::MakeSpan(v), absl::MakeSpan(m)).ok());
  CHECK(v[0] == Approx(-0.2f));
  CHECK(m[0] == 1.0f);
  CHECK(v[1] == Approx(0.62f));
  // Spec validation.
  CHECK(sm::FeatureSpec::Create({}).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(sm::FeatureSpec::Create({{"a", e::Minute}, {"a", e::Minute}}).status().message() ==
        "feature name \"a\" repeated");
  CHECK(!sm::FeatureSpec::Create({{"a", nullptr}}).ok());
}

TEST_CASE("GRU-D delta on a hand-made sequence, layout and padding", "[masking]") {
  // 5 steps at t = 0, 60, 120, 180, 300 s; step 3 (t = 180) has no snapshot.
  //   xg_home observed at t = 0 and 300 only; minute etc. at every real step.
  sm::MaskedSequence seq;
  seq.Reserve(5);
  LiveMatchState s = State(1, 0, 0);
  s.mutable_home()->set_xg(0.1);
  REQUIRE(seq.AppendStep(0, sm::Mask(s)).ok());
  s = State(2, 0, 0);
  REQUIRE(seq.AppendStep(60, sm::Mask(s)).ok());
  s = State(3, 1, 0);
  REQUIRE(seq.AppendStep(120, sm::Mask(s)).ok());
  REQUIRE(seq.AppendMissingStep(180).ok());
  s = State(5, 1, 0);
  s.mutable_home()->set_xg(0.9);
  const float* values_before = seq.values();
  REQUIRE(seq.AppendStep(300, sm::Mask(s)).ok());
  CHECK(seq.values() == values_before);  // Reserve kept the buffer in place.

  REQUIRE(seq.steps() == 5);
  CHECK(seq.shape() == std::array<int64_t, 2>{5, 7});
  // Hand computation, xg_home (mask 1,0,0,0,1):
  //   δ0 = 0; δ1 = 60 (m0 = 1); δ2 = 60 + 60 = 120; δ3 = 60 + 120 = 180; δ4 = 120 + 180 = 300.
  const float want_xg[] = {0, 60, 120, 180, 300};
  // minute (mask 1,1,1,0,1): δ = 0, 60, 60, 60, 120 + 60 = 180.
  const float want_minute[] = {0, 60, 60, 60, 180};
  for (int t = 0; t < 5; ++t) {
    INFO("step " << t);
    CHECK(seq.delta_s(t, sm::kSlotXgHome) == want_xg[t]);
    CHECK(seq.delta_s(t, sm::kSlotMinute) == want_minute[t]);
  }
  // Step validity and padding.
  const float want_valid[] = {1, 1, 1, 0, 1};
  for (int t = 0; t < 5; ++t) CHECK(seq.step_valid()[t] == want_valid[t]);
  for (int f = 0; f < 7; ++f) {
    CHECK(seq.mask(3, f) == 0.0f);
    CHECK(seq.value(3, f) == 0.0f);
  }
  // Row-major layout: (t, f) at t * 7 + f in the raw buffers.
  CHECK(seq.values()[4 * 7 + sm::kSlotMinute] == 5.0f);
  CHECK(seq.values()[2 * 7 + sm::kSlotScoreHome] == 1.0f);
  CHECK(seq.values()[4 * 7 + sm::kSlotXgHome] == Approx(0.9f));
  CHECK(seq.mask()[1 * 7 + sm::kSlotXgHome] == 0.0f);
  CHECK(seq.delta_s()[4 * 7 + sm::kSlotXgHome] == 300.0f);
  CHECK(seq.times_s()[3] == 180.0);
}

TEST_CASE("sequence rejects bad steps and stays unchanged", "[masking]") {
  sm::MaskedSequence seq(2);
  const float v[] = {1, 2}, m[] = {1, 1};
  REQUIRE(seq.AppendStep(10, v, m).ok());
  auto late = seq.AppendStep(5, v, m);
  CHECK(late.code() == absl::StatusCode::kInvalidArgument);
  CHECK(late.message() == "step 1 time 5 s is before the previous step's 10 s");
  const float three[] = {1, 2, 3};
  CHECK(!seq.AppendStep(20, three, m).ok());
  CHECK(!seq.AppendMissingStep(std::nan("")).ok());
  CHECK(seq.steps() == 1);
  seq.Clear();
  CHECK(seq.steps() == 0);
}
