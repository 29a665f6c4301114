// Streaming inference against full-window recomputation.
// Oracle: LiveNetworkForward (itself checked against PyTorch in nn_live_network_test.cc) over the
// last T minutes of each match, started from the LSTM state after the minutes before the window
// (computed by LstmForward over the match's prefix). Agreement within 1e-5 (scaled by 1 + |ref|).

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "nn_fixture.h"
#include "superbet/hrl/nn/live_network.h"
#include "superbet/hrl/nn/streaming.h"

namespace nn = superbet::hrl::nn;
using superbet::testing::MaxScaledError;

namespace {

// Default-init attention is almost uniform (scores near 0), which would hide errors in the scores;
// larger weights make it peaked, so the comparison below is sensitive to them.
nn::LiveNetwork Sharpened(uint64_t seed) {
  auto made = nn::MakeLiveNetwork({}, seed);
  REQUIRE(made.ok());
  nn::LiveNetwork net = *std::move(made);
  for (float& v : net.attention.in_proj_weight.value) v *= 4.0f;
  for (float& v : net.lstm.weight_hh.value) v *= 2.0f;
  for (nn::Linear* head : {&net.policy_head, &net.value_head, &net.outcome_head}) {
    for (float& v : head->weight.value) v *= 8.0f;
  }
  return net;
}

struct MatchHistory {
  std::vector<float> x;        // [minutes, I]
  std::vector<uint8_t> valid;  // [minutes]
};

float Feature(int match, int minute, int k) {
  if (k >= 26) return 0.0f;  // slots 26-63 are 0 in the live feature layout
  return 0.9f * std::sin(0.7f * static_cast<float>(match * 31 + minute * 7 + k));
}

// Full-window reference for a match after its minutes so far.
void Reference(const nn::LiveNetwork& net, const MatchHistory& m, std::vector<float>* policy,
               std::vector<float>* value, std::vector<float>* outcome, bool* has) {
  const int I = net.config.input_size, H = net.config.hidden_size, W = net.config.window_steps;
  const int n = static_cast<int>(m.valid.size());
  const int start = std::max(0, n - W);
  std::vector<float> h0(H, 0.0f), c0(H, 0.0f);
  if (start > 0) {
    std::vector<float> out;
    REQUIRE(nn::LstmForward(net.lstm, absl::MakeConstSpan(m.x).subspan(0, start * I),
                            absl::MakeConstSpan(m.valid).subspan(0, start), 1, start, {}, {},
                            nullptr, &out, &h0, &c0)
                .ok());
  }
  const int steps = n - start;
  auto window_valid = absl::MakeConstSpan(m.valid).subspan(start, steps);
  *has = std::any_of(window_valid.begin(), window_valid.end(), [](uint8_t v) { return v != 0; });
  if (!*has) return;
  nn::LiveNetworkOutput out;
  REQUIRE(nn::LiveNetworkForward(net,
                                 {1, steps, absl::MakeConstSpan(m.x).subspan(start * I, steps * I),
                                  window_valid, h0, c0},
                                 nullptr, &out)
              .ok());
  *policy = out.policy_logits;
  *value = out.value;
  *outcome = out.outcome_logits;
}

}  // namespace

TEST_CASE("Incremental steps equal full-window forward, through roll-over and padded minutes",
          "[hrl][nn][streaming]") {
  const nn::LiveNetwork net = Sharpened(77);
  const int I = 64, kMatches = 5, kMinutes = 34;
  auto engine = nn::LiveStreamingInference::Create(net);
  REQUIRE(engine.ok());
  std::vector<int> handles;
  for (int m = 0; m < kMatches; ++m) {
    auto h = (*engine)->OpenMatch();
    REQUIRE(h.ok());
    handles.push_back(*h);
  }
  // Padding: match 1 misses every third minute; match 2 has 12 padded minutes (a window with no
  // valid minute at all) from minute 15 on; match 3 starts with 4 padded minutes.
  auto is_valid = [](int m, int minute) {
    if (m == 1) return minute % 3 != 2;
    if (m == 2) return minute < 15 || minute >= 27;
    if (m == 3) return minute >= 4;
    return true;
  };
  std::vector<MatchHistory> history(kMatches);
  nn::LiveStepOutput out;
  int compared = 0, without_output = 0;
  double worst = 0.0;
  for (int minute = 0; minute < kMinutes; ++minute) {
    // Matches updating together this minute (match 4 skips every fifth call: it does not advance).
    std::vector<int> rows;
    for (int k = 0; k < kMatches; ++k) {
      const int m = (k + minute) % kMatches;  // a different order every minute
      if (m == 4 && minute % 5 == 0) continue;
      rows.push_back(m);
    }
    std::vector<int> batch_handles;
    std::vector<float> x;
    std::vector<uint8_t> valid;
    for (int m : rows) {
      batch_handles.push_back(handles[m]);
      const int local = static_cast<int>(history[m].valid.size());
      for (int k = 0; k < I; ++k) {
        const float v = Feature(m, local, k);
        x.push_back(v);
        history[m].x.push_back(v);
      }
      valid.push_back(is_valid(m, local) ? 1 : 0);
      history[m].valid.push_back(valid.back());
    }
    REQUIRE((*engine)->Step(batch_handles, x, valid, &out).ok());
    for (size_t r = 0; r < rows.size(); ++r) {
      std::vector<float> policy, value, outcome;
      bool has = false;
      Reference(net, history[rows[r]], &policy, &value, &outcome, &has);
      INFO("minute " << minute << " match " << rows[r]);
      REQUIRE(out.has_output[r] == (has ? 1 : 0));
      if (!has) {
        CHECK(std::isnan(out.value[r]));
        ++without_output;
        continue;
      }
      const std::vector<float> p(out.policy_logits.begin() + 3 * r,
                                 out.policy_logits.begin() + 3 * r + 3);
      const std::vector<float> o(out.outcome_logits.begin() + 3 * r,
                                 out.outcome_logits.begin() + 3 * r + 3);
      const std::vector<float> v = {out.value[r]};
      worst = std::max(
          {worst, MaxScaledError(p, policy), MaxScaledError(o, outcome), MaxScaledError(v, value)});
      ++compared;
    }
  }
  CAPTURE(worst);
  CHECK(worst < 1e-5);
  CHECK(compared > 120);
  CHECK(without_output >= 3);  // match 2's window with no valid minute (minutes 24-26)
  // The stream's LSTM state equals the LSTM over the whole history.
  std::vector<float> h, c, out_seq, h_ref, c_ref;
  REQUIRE((*engine)->GetState(handles[1], &h, &c).ok());
  const int n = static_cast<int>(history[1].valid.size());
  REQUIRE(nn::LstmForward(net.lstm, history[1].x, history[1].valid, 1, n, {}, {}, nullptr, &out_seq,
                          &h_ref, &c_ref)
              .ok());
  CHECK(MaxScaledError(h, h_ref) < 1e-5);
  CHECK(MaxScaledError(c, c_ref) < 1e-5);
}

TEST_CASE("A stream opened with a state equals a full window from that state",
          "[hrl][nn][streaming]") {
  const nn::LiveNetwork sharpened = Sharpened(5);
  const nn::LiveNetwork* made = &sharpened;
  std::vector<float> h0(128), c0(128), x(10 * 64);
  for (int k = 0; k < 128; ++k) {
    h0[k] = 0.4f * std::sin(0.3f * k);
    c0[k] = 0.8f * std::cos(0.2f * k);
  }
  for (int i = 0; i < 10 * 64; ++i) x[i] = Feature(0, i / 64, i % 64);
  const std::vector<uint8_t> valid = {1, 1, 0, 1, 1, 1, 1, 0, 1, 0};  // last minute padded
  auto engine = nn::LiveStreamingInference::Create(*made);
  REQUIRE(engine.ok());
  auto handle = (*engine)->OpenMatch(h0, c0);
  REQUIRE(handle.ok());
  nn::LiveStepOutput step;
  for (int t = 0; t < 10; ++t) {
    const int hs[] = {*handle};
    REQUIRE((*engine)
                ->Step(hs, absl::MakeConstSpan(x).subspan(t * 64, 64),
                       absl::MakeConstSpan(valid).subspan(t, 1), &step)
                .ok());
  }
  nn::LiveNetworkOutput full;
  REQUIRE(nn::LiveNetworkForward(*made, {1, 10, x, valid, h0, c0}, nullptr, &full).ok());
  CHECK(full.last_valid[0] == 8);
  CHECK(MaxScaledError(step.policy_logits, full.policy_logits) < 1e-5);
  CHECK(MaxScaledError(step.value, full.value) < 1e-5);
  CHECK(MaxScaledError(step.outcome_logits, full.outcome_logits) < 1e-5);
}

TEST_CASE("Streaming rejects bad calls without changing any match", "[hrl][nn][streaming]") {
  auto made = nn::MakeLiveNetwork({}, 6);
  REQUIRE(made.ok());
  auto engine = nn::LiveStreamingInference::Create(*made);
  REQUIRE(engine.ok());
  auto& e = **engine;
  auto a = e.OpenMatch();
  auto b = e.OpenMatch();
  REQUIRE((a.ok() && b.ok()));
  CHECK(e.open_matches() == 2);
  std::vector<float> x(2 * 64, 0.5f);
  nn::LiveStepOutput out;
  const int twice[] = {*a, *a};
  auto s = e.Step(twice, x, {}, &out);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("appears twice"));
  const int unknown[] = {*a, 99};
  CHECK(e.Step(unknown, x, {}, &out).code() == absl::StatusCode::kNotFound);
  const int one[] = {*a};
  CHECK(e.Step(one, x, {}, &out).code() == absl::StatusCode::kInvalidArgument);  // 128 != 64
  std::vector<float> one_x(64, 0.5f);
  one_x[17] = NAN;
  s = e.Step(one, one_x, {}, &out);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("row 0, slot 17") && Catch::Contains("nan"));
  std::vector<float> h, c;
  REQUIRE(e.GetState(*a, &h, &c).ok());
  CHECK(std::all_of(h.begin(), h.end(), [](float v) { return v == 0.0f; }));
  REQUIRE(e.CloseMatch(*a).ok());
  CHECK(e.CloseMatch(*a).code() == absl::StatusCode::kNotFound);
  CHECK(e.GetState(*a, &h, &c).code() == absl::StatusCode::kNotFound);
  auto again = e.OpenMatch();
  REQUIRE(again.ok());
  CHECK(*again == *a);  // the freed slot is reused, with a fresh state
  CHECK(e.OpenMatch(std::vector<float>(5)).status().code() == absl::StatusCode::kInvalidArgument);
  nn::LiveNetworkConfig other;
  other.window_steps = 5;
  auto other_net = nn::MakeLiveNetwork(other, 1);
  REQUIRE(other_net.ok());
  CHECK(e.Reload(*other_net).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("A match's outputs do not depend on which matches share its batch",
          "[hrl][nn][streaming]") {
  // Oracle: the same matches stepped one at a time. Every row's arithmetic is independent of the
  // other rows (skipped all-zero columns add exactly 0), so the outputs must be bit-identical,
  // also past the 64-row chunks a large batch is cut into.
  const nn::LiveNetwork net = Sharpened(8);
  auto together = nn::LiveStreamingInference::Create(net);
  auto alone = nn::LiveStreamingInference::Create(net);
  REQUIRE((together.ok() && alone.ok()));
  const int kMatches = 70, I = 64;
  std::vector<int> ht, ha;
  for (int m = 0; m < kMatches; ++m) {
    ht.push_back(*(*together)->OpenMatch());
    ha.push_back(*(*alone)->OpenMatch());
  }
  int differing = 0;
  for (int minute = 0; minute < 12; ++minute) {
    std::vector<float> x;
    std::vector<uint8_t> valid;
    std::vector<int> rows;
    for (int k = 0; k < kMatches; ++k) {
      const int m = (k * 17 + minute) % kMatches;  // a shuffled order every minute
      rows.push_back(m);
      for (int s = 0; s < I; ++s) {
        // Match 3 has no input at all in slots 0-9: other matches' non-zero columns must not
        // change its result.
        x.push_back(m == 3 && s < 10 ? 0.0f : Feature(m, minute, s));
      }
      valid.push_back((m + minute) % 7 == 0 ? 0 : 1);
    }
    std::vector<int> handles;
    for (int m : rows) handles.push_back(ht[m]);
    nn::LiveStepOutput batch, one;
    REQUIRE((*together)->Step(handles, x, valid, &batch).ok());
    for (int r = 0; r < kMatches; ++r) {
      const int h[] = {ha[rows[r]]};
      REQUIRE((*alone)
                  ->Step(h, absl::MakeConstSpan(x).subspan(r * I, I),
                         absl::MakeConstSpan(valid).subspan(r, 1), &one)
                  .ok());
      REQUIRE(one.has_output[0] == batch.has_output[r]);
      if (one.has_output[0] == 0) continue;
      for (int a = 0; a < 3; ++a) {
        differing += one.policy_logits[a] != batch.policy_logits[3 * r + a];
        differing += one.outcome_logits[a] != batch.outcome_logits[3 * r + a];
      }
      differing += one.value[0] != batch.value[r];
    }
  }
  CHECK(differing == 0);
}
