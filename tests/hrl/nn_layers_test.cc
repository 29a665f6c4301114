// Layers of hrl/nn against PyTorch.
// Oracle: PyTorch 1.13 (torch.nn.LSTM, torch.nn.MultiheadAttention with key_padding_mask,
// torch.nn.Sequential MLP, torch.optim.Adam, torch.nn.utils.clip_grad_norm_) run by
// tests/hrl/make_reference.py, whose references are themselves checked there with
// torch.autograd.gradcheck in float64. Forward within 1e-5, gradients within 1e-4 (scaled by
// 1 + |reference|).

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "nn_fixture.h"
#include "superbet/hrl/nn/attention.h"
#include "superbet/hrl/nn/losses.h"
#include "superbet/hrl/nn/lstm.h"
#include "superbet/hrl/nn/mlp.h"
#include "superbet/hrl/nn/optim.h"

namespace nn = superbet::hrl::nn;
using superbet::testing::AsMask;
using superbet::testing::LoadNnFixture;
using superbet::testing::MaxScaledError;

namespace {
void SetValues(std::map<std::string, superbet::testing::FixtureTensor>& f, nn::Parameter& p,
               const std::string& key) {
  REQUIRE(f.count(key) == 1);
  REQUIRE(f[key].shape == p.shape);
  p.value = f[key].values;
}
}  // namespace

TEST_CASE("LSTM forward and BPTT match torch.nn.LSTM", "[hrl][nn]") {
  auto f = LoadNnFixture("nn_lstm.txt");
  REQUIRE(!f.empty());
  nn::InitRng rng(1);
  auto lstm = nn::MakeLstm("lstm", 8, 16, rng);
  REQUIRE(lstm.ok());
  for (nn::Parameter* p : lstm->Parameters()) {
    SetValues(f, *p, p->name.substr(5));  // torch names have no "lstm." prefix here
  }
  nn::LstmCache cache;
  std::vector<float> out, h_n, c_n;
  REQUIRE(nn::LstmForward(*lstm, f["x"].values, {}, 3, 5, f["h0"].values, f["c0"].values, &cache,
                          &out, &h_n, &c_n)
              .ok());
  CHECK(MaxScaledError(out, f["out"].values) < 1e-5);
  CHECK(MaxScaledError(h_n, f["h_n"].values) < 1e-5);
  CHECK(MaxScaledError(c_n, f["c_n"].values) < 1e-5);
  std::vector<float> dx, dh0, dc0;
  REQUIRE(nn::LstmBackward(*lstm, cache, f["d_out"].values, f["d_h_n"].values, f["d_c_n"].values,
                           &dx, &dh0, &dc0)
              .ok());
  CHECK(MaxScaledError(dx, f["dx"].values) < 1e-4);
  CHECK(MaxScaledError(dh0, f["d_h0"].values) < 1e-4);
  CHECK(MaxScaledError(dc0, f["d_c0"].values) < 1e-4);
  for (nn::Parameter* p : lstm->Parameters()) {
    INFO(p->name);
    CHECK(MaxScaledError(p->grad, f["grad." + p->name.substr(5)].values) < 1e-4);
  }
}

TEST_CASE("LSTM rejects inputs of the wrong size with the sizes in the message", "[hrl][nn]") {
  nn::InitRng rng(1);
  auto lstm = nn::MakeLstm("lstm", 8, 16, rng);
  REQUIRE(lstm.ok());
  std::vector<float> x(2 * 3 * 8 - 1), out;
  auto s = nn::LstmForward(*lstm, x, {}, 2, 3, {}, {}, nullptr, &out, nullptr, nullptr);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("expected 48") && Catch::Contains("got 47"));
  CHECK(nn::MakeLstm("lstm", 0, 16, rng).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Multi-head attention with key_padding_mask matches torch", "[hrl][nn]") {
  auto f = LoadNnFixture("nn_attention.txt");
  REQUIRE(!f.empty());
  nn::InitRng rng(2);
  auto attn = nn::MakeMultiheadAttention("attention", 16, 4, rng);
  REQUIRE(attn.ok());
  SetValues(f, attn->in_proj_weight, "in_proj_weight");
  SetValues(f, attn->in_proj_bias, "in_proj_bias");
  SetValues(f, attn->out_proj_weight, "out_proj.weight");
  SetValues(f, attn->out_proj_bias, "out_proj.bias");
  const std::vector<uint8_t> valid = AsMask(f["valid"].values);
  nn::AttentionCache cache;
  std::vector<float> out;
  REQUIRE(nn::AttentionForward(*attn, f["x"].values, valid, 3, 5, &cache, &out).ok());
  CHECK(MaxScaledError(out, f["out"].values) < 1e-5);
  std::vector<float> dx;
  REQUIRE(nn::AttentionBackward(*attn, cache, f["d_out"].values, &dx).ok());
  CHECK(MaxScaledError(dx, f["dx"].values) < 1e-4);
  CHECK(MaxScaledError(attn->in_proj_weight.grad, f["grad.in_proj_weight"].values) < 1e-4);
  CHECK(MaxScaledError(attn->in_proj_bias.grad, f["grad.in_proj_bias"].values) < 1e-4);
  CHECK(MaxScaledError(attn->out_proj_weight.grad, f["grad.out_proj.weight"].values) < 1e-4);
  CHECK(MaxScaledError(attn->out_proj_bias.grad, f["grad.out_proj.bias"].values) < 1e-4);
}

TEST_CASE("Attention: a padded key's value reaches no other position", "[hrl][nn]") {
  nn::InitRng rng(3);
  auto attn = nn::MakeMultiheadAttention("attention", 16, 4, rng);
  REQUIRE(attn.ok());
  std::vector<float> x(2 * 5 * 16);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * static_cast<float>(i));
  const std::vector<uint8_t> valid = {1, 0, 1, 1, 0, 1, 1, 1, 1, 0};
  std::vector<float> before, after;
  REQUIRE(nn::AttentionForward(*attn, x, valid, 2, 5, nullptr, &before).ok());
  for (int e = 0; e < 16; ++e) {
    x[1 * 16 + e] += 100.0f;      // row 0, step 1 (padded)
    x[(5 + 4) * 16 + e] = -7.0f;  // row 1, step 4 (padded)
  }
  REQUIRE(nn::AttentionForward(*attn, x, valid, 2, 5, nullptr, &after).ok());
  for (int b = 0; b < 2; ++b) {
    for (int t = 0; t < 5; ++t) {
      if (valid[b * 5 + t] == 0) continue;  // a padded query's own row may change; it is unused
      for (int e = 0; e < 16; ++e) {
        const size_t i = (b * 5 + t) * 16 + e;
        CHECK(after[i] == before[i]);
      }
    }
  }
  const std::vector<uint8_t> none = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
  auto s = nn::AttentionForward(*attn, x, none, 2, 5, nullptr, &after);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.message()), Catch::Contains("batch row 0"));
}

TEST_CASE("MLP (Linear, ReLU) forward and backward match torch.nn.Sequential", "[hrl][nn]") {
  auto f = LoadNnFixture("nn_mlp.txt");
  REQUIRE(!f.empty());
  nn::InitRng rng(4);
  auto mlp = nn::MakeMlp("q", {6, 8, 8, 3}, rng);
  REQUIRE(mlp.ok());
  for (nn::Parameter* p : mlp->Parameters()) SetValues(f, *p, p->name);
  nn::MlpCache cache;
  std::vector<float> y, dx;
  REQUIRE(nn::MlpForward(*mlp, f["x"].values, 5, &cache, &y).ok());
  CHECK(MaxScaledError(y, f["y"].values) < 1e-5);
  REQUIRE(nn::MlpBackward(*mlp, cache, f["dy"].values, &dx).ok());
  CHECK(MaxScaledError(dx, f["dx"].values) < 1e-4);
  for (nn::Parameter* p : mlp->Parameters()) {
    INFO(p->name);
    CHECK(MaxScaledError(p->grad, f["grad." + p->name].values) < 1e-4);
  }
  auto target = nn::MakeMlp("q", {6, 8, 8, 3}, rng);
  REQUIRE(target.ok());
  REQUIRE(nn::CopyMlpValues(*mlp, &*target).ok());
  std::vector<float> y2;
  REQUIRE(nn::MlpForward(*target, f["x"].values, 5, nullptr, &y2).ok());
  CHECK(y2 == y);
  auto other = nn::MakeMlp("q", {6, 4, 3}, rng);
  REQUIRE(other.ok());
  CHECK(nn::CopyMlpValues(*mlp, &*other).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Adam and clip_grad_norm_ follow torch step by step", "[hrl][nn]") {
  auto f = LoadNnFixture("nn_optim.txt");
  REQUIRE(!f.empty());
  nn::Parameter a = nn::ZeroParameter("a", {4, 3});
  nn::Parameter b = nn::ZeroParameter("b", {5});
  a.value = f["a"].values;
  b.value = f["b"].values;
  nn::AdamOptions options;
  options.learning_rate = 0.01;
  options.weight_decay = 0.01;
  auto adam = nn::Adam::Create({&a, &b}, options);
  REQUIRE(adam.ok());
  for (int step = 0; step < 6; ++step) {
    const std::string k = "step" + std::to_string(step);
    a.grad = f[k + ".grad_a"].values;
    b.grad = f[k + ".grad_b"].values;
    adam->Step();
    INFO(k);
    CHECK(MaxScaledError(a.value, f[k + ".a"].values) < 1e-6);
    CHECK(MaxScaledError(b.value, f[k + ".b"].values) < 1e-6);
  }
  CHECK(adam->step_count() == 6);
  a.grad = f["clip.grad_a"].values;
  b.grad = f["clip.grad_b"].values;
  auto total = nn::ClipGradNorm({&a, &b}, 0.5);
  REQUIRE(total.ok());
  CHECK(*total == Approx(f["clip.total_norm"].values[0]).epsilon(1e-6));
  CHECK(MaxScaledError(a.grad, f["clip.clipped_a"].values) < 1e-6);
  CHECK(MaxScaledError(b.grad, f["clip.clipped_b"].values) < 1e-6);
  // Below the threshold nothing changes.
  const std::vector<float> kept = a.grad;
  REQUIRE(nn::ClipGradNorm({&a, &b}, 100.0).ok());
  CHECK(a.grad == kept);
  CHECK(nn::ClipGradNorm({&a}, 0.0).status().code() == absl::StatusCode::kInvalidArgument);
  a.grad[0] = NAN;
  CHECK(nn::ClipGradNorm({&a}, 1.0).status().code() == absl::StatusCode::kInvalidArgument);
  options.learning_rate = -1;
  auto bad = nn::Adam::Create({&a}, options);
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("learning_rate"));
}

TEST_CASE("Adam and clip_grad_norm_ over TensorViews (the PPO trainer's path) follow torch",
          "[hrl][nn]") {
  // Same torch reference as above, but the tensors live in plain arrays seen through TensorViews,
  // as an ActorCritic's ParamTensors are (superbet/hrl/actor_critic.h): the one optimiser serves
  // the nn networks and the PPO live worker alike.
  auto f = LoadNnFixture("nn_optim.txt");
  REQUIRE(!f.empty());
  std::vector<float> a = f["a"].values, b = f["b"].values;
  std::vector<float> ga(a.size()), gb(b.size());
  std::vector<nn::TensorView> views = {{"a", {4, 3}, a.data(), ga.data(), a.size()},
                                       {"b", {5}, b.data(), gb.data(), b.size()}};
  nn::AdamOptions options;
  options.learning_rate = 0.01;
  options.weight_decay = 0.01;
  auto adam = nn::Adam::Create(views, options);
  REQUIRE(adam.ok());
  for (int step = 0; step < 6; ++step) {
    const std::string k = "step" + std::to_string(step);
    ga = f[k + ".grad_a"].values;
    gb = f[k + ".grad_b"].values;
    adam->Step();
    INFO(k);
    CHECK(MaxScaledError(a, f[k + ".a"].values) < 1e-6);
    CHECK(MaxScaledError(b, f[k + ".b"].values) < 1e-6);
  }
  ga = f["clip.grad_a"].values;
  gb = f["clip.grad_b"].values;
  auto total = nn::ClipGradNorm(views, 0.5);
  REQUIRE(total.ok());
  CHECK(*total == Approx(f["clip.total_norm"].values[0]).epsilon(1e-6));
  CHECK(MaxScaledError(ga, f["clip.clipped_a"].values) < 1e-6);
  CHECK(MaxScaledError(gb, f["clip.clipped_b"].values) < 1e-6);
  views[1].grad = nullptr;
  CHECK(nn::Adam::Create(views, options).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Cross-entropy equals the closed form and its gradient is softmax minus one-hot",
          "[hrl][nn]") {
  // Closed form: logits (0, ln 2, ln 3) give softmax (1/6, 2/6, 3/6); -log(2/6) for label 1.
  const std::vector<float> logits = {0.0f, std::log(2.0f), std::log(3.0f), 5.0f, 5.0f, 5.0f};
  const std::vector<int> labels = {1, 0};
  std::vector<float> d;
  auto loss = nn::CrossEntropy(logits, labels, 2, 3, &d);
  REQUIRE(loss.ok());
  CHECK(*loss == Approx((-std::log(2.0 / 6.0) + std::log(3.0)) / 2.0).epsilon(1e-6));
  CHECK(d[0] == Approx((1.0 / 6.0) / 2.0).epsilon(1e-6));
  CHECK(d[1] == Approx((2.0 / 6.0 - 1.0) / 2.0).epsilon(1e-6));
  CHECK(d[3] == Approx((1.0 / 3.0 - 1.0) / 2.0).epsilon(1e-6));
  std::vector<float> p;
  REQUIRE(nn::Softmax(logits, 2, 3, &p).ok());
  CHECK(p[2] == Approx(0.5).epsilon(1e-6));
  const std::vector<int> bad = {3, 0};
  auto s = nn::CrossEntropy(logits, bad, 2, 3, nullptr);
  CHECK(s.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(s.status().message()), Catch::Contains("row 0") && Catch::Contains("3"));
}

TEST_CASE("Init follows PyTorch's default distributions and is deterministic per seed",
          "[hrl][nn]") {
  // Oracle: PyTorch 1.13's reset_parameters bounds; a U(-a, a) sample of n values has mean 0 and
  // variance a^2 / 3 (checked within 5 standard errors).
  nn::InitRng r1(42), r2(42), r3(43);
  auto a = nn::MakeLstm("lstm", 64, 128, r1);
  auto b = nn::MakeLstm("lstm", 64, 128, r2);
  auto c = nn::MakeLstm("lstm", 64, 128, r3);
  REQUIRE((a.ok() && b.ok() && c.ok()));
  CHECK(a->weight_hh.value == b->weight_hh.value);
  CHECK(a->weight_hh.value != c->weight_hh.value);
  const double bound = 1.0 / std::sqrt(128.0);
  double sum = 0.0, sq = 0.0, mx = 0.0;
  for (float v : a->weight_ih.value) {
    sum += v;
    sq += static_cast<double>(v) * v;
    mx = std::max(mx, std::fabs(static_cast<double>(v)));
  }
  const double n = static_cast<double>(a->weight_ih.value.size());
  CHECK(mx <= bound);
  CHECK(mx > 0.99 * bound);
  CHECK(std::fabs(sum / n) < 5 * bound / std::sqrt(3.0 * n));
  CHECK(sq / n == Approx(bound * bound / 3.0).epsilon(0.03));
  nn::InitRng r4(7);
  auto attn = nn::MakeMultiheadAttention("attention", 128, 4, r4);
  REQUIRE(attn.ok());
  const double xavier = std::sqrt(6.0 / (128.0 + 384.0));
  double amax = 0.0;
  for (float v : attn->in_proj_weight.value) amax = std::max(amax, std::fabs(double{v}));
  CHECK(amax <= xavier);
  CHECK(amax > 0.99 * xavier);
  for (float v : attn->in_proj_bias.value) CHECK(v == 0.0f);
  CHECK(nn::MakeMultiheadAttention("a", 130, 4, r4).status().code() ==
        absl::StatusCode::kInvalidArgument);
}
