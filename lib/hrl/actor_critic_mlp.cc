// MlpActorCritic (superbet/hrl/actor_critic.h): Eigen float32, one thread.

#include <cmath>
#include <random>

#include "Eigen/Dense"
#include "absl/strings/str_cat.h"
#include "superbet/hrl/actor_critic.h"

namespace superbet::hrl {
namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Mat = Eigen::MatrixXf;
using Vec = Eigen::VectorXf;

struct Linear {
  std::string name;
  RowMat w, gw;  // [out, in]
  Vec b, gb;     // [out]
  void Init(const std::string& n, int in, int out, float gain, std::mt19937_64& rng) {
    name = n;
    w.resize(out, in);
    b.resize(out);
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    // Uniform from the top 53 bits: identical on every platform (std::uniform_real_distribution
    // is not specified bit for bit).
    auto u = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53 * 2.0 - 1.0; };
    for (int i = 0; i < out; ++i) {
      for (int j = 0; j < in; ++j) w(i, j) = static_cast<float>(gain * bound * u());
    }
    for (int i = 0; i < out; ++i) b(i) = static_cast<float>(bound * u());
    gw = RowMat::Zero(out, in);
    gb = Vec::Zero(out);
  }
  void Params(std::vector<ParamTensor>* out) {
    out->push_back({name + ".weight",
                    {w.rows(), w.cols()},
                    w.data(),
                    gw.data(),
                    static_cast<size_t>(w.size())});
    out->push_back(
        {name + ".bias", {b.size()}, b.data(), gb.data(), static_cast<size_t>(b.size())});
  }
};

class Mlp final : public ActorCritic {
 public:
  explicit Mlp(const MlpOptions& o) : o_(o) {
    std::mt19937_64 rng(o.seed);
    const int d = o.window * (o.features + 1);
    l1_.Init("trunk.0", d, o.hidden, 1.0f, rng);
    l2_.Init("trunk.1", o.hidden, o.hidden, 1.0f, rng);
    policy_.Init("policy", o.hidden, 3, 0.01f, rng);
    value_.Init("value", o.hidden, 1, 1.0f, rng);
    outcome_.Init("outcome", o.hidden, 3, 1.0f, rng);
    if (o_.input_scale.empty()) o_.input_scale.assign(o.features, 1.0f);
  }
  int window() const override { return o_.window; }
  int features() const override { return o_.features; }
  std::string architecture() const override { return absl::StrCat("mlp-2x", o_.hidden); }

  void Forward(absl::Span<const float> obs, absl::Span<const float> valid, int batch,
               ActorCriticOutput* out) override {
    const int t_steps = o_.window, f = o_.features;
    const int d = t_steps * (f + 1);
    x_.resize(d, batch);
    for (int b = 0; b < batch; ++b) {
      for (int t = 0; t < t_steps; ++t) {
        const float v = valid[b * t_steps + t];
        const float* src = obs.data() + (static_cast<size_t>(b) * t_steps + t) * f;
        float* dst = x_.col(b).data() + t * (f + 1);
        for (int k = 0; k < f; ++k) dst[k] = v * o_.input_scale[k] * src[k];
        dst[f] = v;
      }
    }
    // Each product straight into a member (no temporary per call), then bias and tanh in place:
    // the same kernels and operations, in the same order, as ((W x) + b).tanh().
    h1_.noalias() = l1_.w * x_;
    h1_ = (h1_.colwise() + l1_.b).array().tanh();
    h2_.noalias() = l2_.w * h1_;
    h2_ = (h2_.colwise() + l2_.b).array().tanh();
    Mat& logits = logits_;
    Mat& values = values_;
    Mat& outcome = outcome_out_;
    logits.noalias() = policy_.w * h2_;
    logits.colwise() += policy_.b;
    values.noalias() = value_.w * h2_;
    values.colwise() += value_.b;
    outcome.noalias() = outcome_.w * h2_;
    outcome.colwise() += outcome_.b;
    out->logits.resize(3 * batch);
    out->values.resize(batch);
    out->outcome_logits.resize(3 * batch);
    for (int b = 0; b < batch; ++b) {
      for (int k = 0; k < 3; ++k) {
        out->logits[3 * b + k] = logits(k, b);
        out->outcome_logits[3 * b + k] = outcome(k, b);
      }
      out->values[b] = values(0, b);
    }
  }

  void Backward(absl::Span<const float> d_logits, absl::Span<const float> d_values,
                absl::Span<const float> d_outcome) override {
    const int batch = static_cast<int>(x_.cols());
    Mat dl(3, batch), dv(1, batch), doc(3, batch);
    for (int b = 0; b < batch; ++b) {
      for (int k = 0; k < 3; ++k) {
        dl(k, b) = d_logits[3 * b + k];
        doc(k, b) = d_outcome[3 * b + k];
      }
      dv(0, b) = d_values[b];
    }
    Mat dh2 = policy_.w.transpose() * dl + value_.w.transpose() * dv + outcome_.w.transpose() * doc;
    Accumulate(policy_, dl, h2_);
    Accumulate(value_, dv, h2_);
    Accumulate(outcome_, doc, h2_);
    const Mat dz2 = dh2.array() * (1.0f - h2_.array().square());
    Accumulate(l2_, dz2, h1_);
    const Mat dh1 = l2_.w.transpose() * dz2;
    const Mat dz1 = dh1.array() * (1.0f - h1_.array().square());
    Accumulate(l1_, dz1, x_);
  }

  void ZeroGrad() override {
    for (Linear* l : {&l1_, &l2_, &policy_, &value_, &outcome_}) {
      l->gw.setZero();
      l->gb.setZero();
    }
  }

  std::vector<ParamTensor> Parameters() override {
    std::vector<ParamTensor> p;
    for (Linear* l : {&l1_, &l2_, &policy_, &value_, &outcome_}) l->Params(&p);
    return p;
  }

 private:
  static void Accumulate(Linear& l, const Mat& dz, const Mat& in) {
    l.gw.noalias() += dz * in.transpose();
    l.gb.noalias() += dz.rowwise().sum();
  }

  MlpOptions o_;
  Linear l1_, l2_, policy_, value_, outcome_;
  Mat x_, h1_, h2_;
  Mat logits_, values_, outcome_out_;  // Forward's heads (scratch, reused across calls).
};

}  // namespace

absl::StatusOr<std::unique_ptr<ActorCritic>> MakeMlpActorCritic(const MlpOptions& options) {
  if (options.window < 1 || options.features < 1 || options.hidden < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("MLP window, features and hidden must be >= 1, got ", options.window, ", ",
                     options.features, ", ", options.hidden));
  }
  if (!options.input_scale.empty() &&
      static_cast<int>(options.input_scale.size()) != options.features) {
    return absl::InvalidArgumentError(absl::StrCat("input_scale must have ", options.features,
                                                   " values, got ", options.input_scale.size()));
  }
  return std::unique_ptr<ActorCritic>(new Mlp(options));
}

absl::Status SetParameter(ActorCritic& net, const std::string& name,
                          absl::Span<const float> values) {
  for (const ParamTensor& p : net.Parameters()) {
    if (p.name != name) continue;
    if (p.size != values.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter ", name, " has ", p.size, " values, got ", values.size()));
    }
    std::copy(values.begin(), values.end(), p.value);
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("no parameter named ", name));
}

}  // namespace superbet::hrl
