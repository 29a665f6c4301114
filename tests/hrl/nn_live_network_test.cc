// The live network (LSTM -> attention -> heads at the last valid step) against PyTorch, masking,
// determinism, finite differences and the checkpoint round trip.
// Oracle: tests/hrl/make_reference.py (PyTorch 1.13 modules + autograd; its reference network is
// checked there with torch.autograd.gradcheck in float64): forward within 1e-5, gradients within
// 1e-4 (scaled by 1 + |reference|). Finite differences: central differences in float32, tolerance
// justified at the test.

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "nn_fixture.h"
#include "superbet/hrl/nn/live_network.h"
#include "superbet/hrl/nn/losses.h"
#include "superbet/hrl/nn/tensor_io.h"

namespace nn = superbet::hrl::nn;
using superbet::testing::AsMask;
using superbet::testing::FixtureTensor;
using superbet::testing::HashWeights;
using superbet::testing::LoadNnFixture;
using superbet::testing::MaxScaledError;

namespace {

struct Reference {
  std::map<std::string, FixtureTensor> f;
  int batch = 0, steps = 0;
  std::vector<uint8_t> valid;
  std::vector<int> labels;
};

Reference Load(const std::string& file, int batch, int steps) {
  Reference r{LoadNnFixture(file), batch, steps, {}, {}};
  r.valid = AsMask(r.f["valid"].values);
  for (float v : r.f["labels"].values) r.labels.push_back(static_cast<int>(v));
  return r;
}

// Forward + loss + backward as the reference script; returns the output.
nn::LiveNetworkOutput RunAndBackward(nn::LiveNetwork& net, Reference& r, std::vector<float>* dx) {
  nn::ZeroGrad(net.Parameters());
  nn::LiveWindowInput in{r.batch, r.steps,          r.f["x"].values,
                         r.valid, r.f["h0"].values, r.f["c0"].values};
  nn::LiveNetworkCache cache;
  nn::LiveNetworkOutput out;
  REQUIRE(nn::LiveNetworkForward(net, in, &cache, &out).ok());
  std::vector<float> d_outcome;
  auto ce = nn::CrossEntropy(out.outcome_logits, r.labels, r.batch, 3, &d_outcome);
  REQUIRE(ce.ok());
  CHECK(std::fabs(*ce - r.f["loss_ce"].values[0]) < 1e-5);
  nn::LiveNetworkUpstream up{r.f["d_policy"].values, r.f["d_value"].values, d_outcome};
  REQUIRE(nn::LiveNetworkBackward(net, cache, up, dx).ok());
  return out;
}

void CheckOutputs(const nn::LiveNetworkOutput& out, Reference& r) {
  CHECK(MaxScaledError(out.policy_logits, r.f["policy"].values) < 1e-5);
  CHECK(MaxScaledError(out.value, r.f["value"].values) < 1e-5);
  CHECK(MaxScaledError(out.outcome_logits, r.f["outcome"].values) < 1e-5);
  CHECK(MaxScaledError(out.h_n, r.f["h_n"].values) < 1e-5);
  CHECK(MaxScaledError(out.c_n, r.f["c_n"].values) < 1e-5);
  for (int b = 0; b < r.batch; ++b) {
    CHECK(out.last_valid[b] == static_cast<int>(r.f["last_valid"].values[b]));
  }
}

nn::LiveNetwork SmallNetwork(uint64_t seed, int input = 8, int hidden = 16, int heads = 4,
                             int steps = 6) {
  nn::LiveNetworkConfig config;
  config.input_size = input;
  config.hidden_size = hidden;
  config.num_heads = heads;
  config.window_steps = steps;
  auto net = nn::MakeLiveNetwork(config, seed);
  REQUIRE(net.ok());
  return *std::move(net);
}

}  // namespace

TEST_CASE("Live network (reduced sizes) matches torch: outputs and every gradient", "[hrl][nn]") {
  Reference r = Load("nn_live_small.txt", 4, 6);
  REQUIRE(!r.f.empty());
  nn::LiveNetwork net = SmallNetwork(9);
  for (nn::Parameter* p : net.Parameters()) {
    REQUIRE(r.f.count(p->name) == 1);
    REQUIRE(r.f[p->name].shape == p->shape);
    p->value = r.f[p->name].values;
  }
  std::vector<float> dx;
  const nn::LiveNetworkOutput out = RunAndBackward(net, r, &dx);
  CheckOutputs(out, r);
  CHECK(MaxScaledError(dx, r.f["dx"].values) < 1e-4);
  for (nn::Parameter* p : net.Parameters()) {
    INFO(p->name);
    CHECK(MaxScaledError(p->grad, r.f["grad." + p->name].values) < 1e-4);
  }
}

TEST_CASE("Live network at the real sizes (64, 128, 4 heads, T = 10) matches torch", "[hrl][nn]") {
  Reference r = Load("nn_live_full.txt", 2, 10);
  REQUIRE(!r.f.empty());
  auto made = nn::MakeLiveNetwork({}, 1);
  REQUIRE(made.ok());
  nn::LiveNetwork net = *std::move(made);
  const nn::ParameterList params = net.Parameters();
  for (size_t k = 0; k < params.size(); ++k) {
    nn::Parameter& p = *params[k];
    const bool lstm = p.name.rfind("lstm", 0) == 0;
    const double bound = 1.0 / std::sqrt(static_cast<double>(lstm ? 128 : p.shape.back()));
    p.value = HashWeights(p.size(), bound, 1000 + k);
  }
  std::vector<float> dx;
  const nn::LiveNetworkOutput out = RunAndBackward(net, r, &dx);
  CheckOutputs(out, r);
  CHECK(MaxScaledError(dx, r.f["dx"].values) < 1e-4);
  const int stride = static_cast<int>(r.f["grad_stride"].values[0]);
  for (nn::Parameter* p : params) {
    std::vector<float> sampled;
    for (size_t i = 0; i < p->grad.size(); i += stride) sampled.push_back(p->grad[i]);
    INFO(p->name);
    CHECK(MaxScaledError(sampled, r.f["grad_sampled." + p->name].values) < 1e-4);
  }
}

TEST_CASE("Masked minutes do not reach the outputs nor the gradients", "[hrl][nn]") {
  nn::LiveNetwork net = SmallNetwork(11);
  const int B = 3, T = 6, I = 8;
  std::vector<float> x(B * T * I);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(0.11f * static_cast<float>(i));
  const std::vector<uint8_t> valid = {1, 0, 1, 1, 0, 0,  //
                                      0, 1, 1, 1, 1, 1,  //
                                      1, 1, 0, 1, 1, 0};
  auto run = [&](const std::vector<float>& input, nn::LiveNetworkOutput* out,
                 std::vector<float>* grads) {
    nn::ZeroGrad(net.Parameters());
    nn::LiveNetworkCache cache;
    REQUIRE(nn::LiveNetworkForward(net, {B, T, input, valid, {}, {}}, &cache, out).ok());
    const std::vector<float> ones_p(B * 3, 1.0f), ones_v(B, 1.0f);
    REQUIRE(nn::LiveNetworkBackward(net, cache, {ones_p, ones_v, ones_p}, nullptr).ok());
    grads->clear();
    for (nn::Parameter* p : net.Parameters())
      grads->insert(grads->end(), p->grad.begin(), p->grad.end());
  };
  nn::LiveNetworkOutput a, b;
  std::vector<float> ga, gb;
  run(x, &a, &ga);
  std::vector<float> changed = x;
  for (int bt = 0; bt < B * T; ++bt) {
    if (valid[bt] != 0) continue;
    for (int k = 0; k < I; ++k) changed[bt * I + k] = 1e3f * static_cast<float>(k + 1);
  }
  run(changed, &b, &gb);
  CHECK(a.policy_logits == b.policy_logits);
  CHECK(a.value == b.value);
  CHECK(a.outcome_logits == b.outcome_logits);
  CHECK(a.h_n == b.h_n);
  CHECK(ga == gb);
  CHECK(a.last_valid == std::vector<int>{3, 5, 4});
  // A change at a valid minute does change the output (the test can fail).
  changed = x;
  changed[(0 * T + 2) * I] += 1.0f;
  run(changed, &b, &gb);
  CHECK(a.policy_logits != b.policy_logits);
  // A non-finite input is refused with its position.
  changed = x;
  changed[(1 * T + 4) * I + 6] = INFINITY;
  nn::LiveNetworkOutput refused;
  auto bad = nn::LiveNetworkForward(net, {B, T, changed, valid, {}, {}}, nullptr, &refused);
  CHECK(bad.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(bad.message()), Catch::Contains("row 1, step 4, slot 6"));
  // A window without any valid minute has no decision.
  const std::vector<uint8_t> none(T, 0);
  nn::LiveNetworkOutput out;
  auto s = nn::LiveNetworkForward(
      net, {1, T, absl::MakeConstSpan(x).subspan(0, T * I), none, {}, {}}, nullptr, &out);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("no valid step"));
}

TEST_CASE("Same seed gives identical weights and outputs, another seed does not", "[hrl][nn]") {
  auto a = nn::MakeLiveNetwork({}, 2024);
  auto b = nn::MakeLiveNetwork({}, 2024);
  auto c = nn::MakeLiveNetwork({}, 2025);
  REQUIRE((a.ok() && b.ok() && c.ok()));
  const nn::ParameterList pa = a->Parameters(), pb = b->Parameters(), pc = c->Parameters();
  REQUIRE(pa.size() == 14);
  CHECK(nn::CountScalars(pa) == 4 * 128 * 64 + 4 * 128 * 128 + 8 * 128 + 3 * 128 * 128 + 3 * 128 +
                                    128 * 128 + 128 + 7 * 128 + 7);
  for (size_t k = 0; k < pa.size(); ++k) {
    INFO(pa[k]->name);
    CHECK(pa[k]->name == pb[k]->name);
    CHECK(pa[k]->value == pb[k]->value);
  }
  CHECK(pa[0]->value != pc[0]->value);
  std::vector<float> x(3 * 10 * 64);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.013f * static_cast<float>(i * i % 977));
  nn::LiveNetworkOutput oa, ob;
  REQUIRE(nn::LiveNetworkForward(*a, {3, 10, x, {}, {}, {}}, nullptr, &oa).ok());
  REQUIRE(nn::LiveNetworkForward(*b, {3, 10, x, {}, {}, {}}, nullptr, &ob).ok());
  CHECK(oa.policy_logits == ob.policy_logits);
  CHECK(oa.value == ob.value);
  CHECK(oa.outcome_logits == ob.outcome_logits);
}

TEST_CASE("Gradients agree with central finite differences", "[hrl][nn]") {
  // Float32 central differences with step eps = 1e-2 on a loss of order 1: rounding error about
  // ulp(loss) / eps ~ 1e-5, truncation eps^2 / 6 * |L'''| ~ 2e-5 for these smooth functions
  // (tanh, sigmoid, softmax with O(1) curvature); the tolerance 1e-3 + 2e-2 * |g| is 30x that
  // and still far below a wrong gradient (a missing term is O(|g|)).
  nn::LiveNetwork net = SmallNetwork(5, 4, 8, 2, 4);
  const int B = 2, T = 4, I = 4;
  std::vector<float> x(B * T * I);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.8f * std::sin(1.7f * static_cast<float>(i) + 0.3f);
  const std::vector<uint8_t> valid = {1, 1, 0, 1, 1, 0, 1, 0};
  std::vector<float> h0(B * 8), c0(B * 8);
  for (size_t i = 0; i < h0.size(); ++i) {
    h0[i] = 0.3f * std::cos(static_cast<float>(i));
    c0[i] = 0.2f * std::sin(static_cast<float>(i));
  }
  const std::vector<float> dp = {0.5f, -1.0f, 0.25f, 1.0f, 0.75f, -0.5f};
  const std::vector<float> dv = {0.7f, -0.3f};
  const std::vector<int> labels = {2, 0};
  auto loss = [&]() {
    nn::LiveNetworkOutput out;
    REQUIRE(nn::LiveNetworkForward(net, {B, T, x, valid, h0, c0}, nullptr, &out).ok());
    double l = 0;
    for (size_t i = 0; i < dp.size(); ++i) l += double{dp[i]} * out.policy_logits[i];
    for (size_t i = 0; i < dv.size(); ++i) l += double{dv[i]} * out.value[i];
    auto ce = nn::CrossEntropy(out.outcome_logits, labels, B, 3, nullptr);
    REQUIRE(ce.ok());
    return l + *ce;
  };
  nn::ZeroGrad(net.Parameters());
  nn::LiveNetworkCache cache;
  nn::LiveNetworkOutput out;
  REQUIRE(nn::LiveNetworkForward(net, {B, T, x, valid, h0, c0}, &cache, &out).ok());
  std::vector<float> d_outcome;
  REQUIRE(nn::CrossEntropy(out.outcome_logits, labels, B, 3, &d_outcome).ok());
  std::vector<float> dx;
  REQUIRE(nn::LiveNetworkBackward(net, cache, {dp, dv, d_outcome}, &dx).ok());
  const float eps = 1e-2f;
  int checked = 0;
  for (nn::Parameter* p : net.Parameters()) {
    for (size_t i = 0; i < p->value.size(); i += 1 + p->value.size() / 5) {
      const float keep = p->value[i];
      p->value[i] = keep + eps;
      const double up = loss();
      p->value[i] = keep - eps;
      const double down = loss();
      p->value[i] = keep;
      const double fd = (up - down) / (2.0 * eps);
      INFO(p->name << "[" << i << "] analytic " << p->grad[i] << " fd " << fd);
      CHECK(std::fabs(fd - p->grad[i]) <= 1e-3 + 2e-2 * std::fabs(fd));
      ++checked;
    }
  }
  for (size_t i = 0; i < x.size(); i += 3) {
    const float keep = x[i];
    x[i] = keep + eps;
    const double up = loss();
    x[i] = keep - eps;
    const double down = loss();
    x[i] = keep;
    const double fd = (up - down) / (2.0 * eps);
    INFO("x[" << i << "] analytic " << dx[i] << " fd " << fd);
    CHECK(std::fabs(fd - dx[i]) <= 1e-3 + 2e-2 * std::fabs(fd));
    ++checked;
  }
  CHECK(checked > 60);
}

TEST_CASE("Parameters round-trip through checkpoint tensors and bad tensors are refused",
          "[hrl][nn]") {
  nn::LiveNetwork a = SmallNetwork(21);
  nn::LiveNetwork b = SmallNetwork(22);
  superbet::v1::Checkpoint checkpoint;
  nn::ExportParameters(a.Parameters(), &checkpoint);
  REQUIRE(checkpoint.tensors_size() == 14);
  CHECK(checkpoint.tensors(0).name() == "lstm.weight_ih_l0");
  CHECK(checkpoint.tensors(0).shape(0) == 64);
  CHECK(checkpoint.tensors(0).shape(1) == 8);
  superbet::v1::Checkpoint parsed;
  REQUIRE(parsed.ParseFromString(checkpoint.SerializeAsString()));
  REQUIRE(nn::ImportParameters(parsed, b.Parameters()).ok());
  std::vector<float> x(2 * 6 * 8, 0.25f);
  nn::LiveNetworkOutput oa, ob;
  REQUIRE(nn::LiveNetworkForward(a, {2, 6, x, {}, {}, {}}, nullptr, &oa).ok());
  REQUIRE(nn::LiveNetworkForward(b, {2, 6, x, {}, {}, {}}, nullptr, &ob).ok());
  CHECK(oa.policy_logits == ob.policy_logits);
  CHECK(oa.outcome_logits == ob.outcome_logits);

  superbet::v1::Checkpoint wrong_shape = parsed;
  wrong_shape.mutable_tensors(3)->set_shape(0, 63);
  auto s = nn::ImportParameters(wrong_shape, b.Parameters());
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("lstm.bias_hh_l0") &&
                                           Catch::Contains("[63]") && Catch::Contains("[64]"));
  superbet::v1::Checkpoint missing = parsed;
  missing.mutable_tensors()->RemoveLast();
  s = nn::ImportParameters(missing, b.Parameters());
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(s.message()), Catch::Contains("outcome_head.bias"));
  superbet::v1::Checkpoint nan = parsed;
  nan.mutable_tensors(5)->set_data(2, NAN);
  CHECK(nn::ImportParameters(nan, b.Parameters()).code() == absl::StatusCode::kInvalidArgument);
  // A refused import changed nothing.
  REQUIRE(nn::LiveNetworkForward(b, {2, 6, x, {}, {}, {}}, nullptr, &ob).ok());
  CHECK(oa.policy_logits == ob.policy_logits);
}
