// The live network of hrl/nn behind the ActorCritic interface (superbet/hrl/actor_critic.h).

#include <memory>

#include "absl/strings/str_cat.h"
#include "superbet/hrl/actor_critic.h"
#include "superbet/hrl/nn/live_network.h"

namespace superbet::hrl {
namespace {

class LstmAttention final : public ActorCritic {
 public:
  LstmAttention(nn::LiveNetwork net, int window, int features, std::vector<float> scale)
      : net_(std::move(net)), window_(window), features_(features), scale_(std::move(scale)) {}
  int window() const override { return window_; }
  int features() const override { return features_; }
  std::string architecture() const override {
    return absl::StrCat("lstm-attention-", net_.config.hidden_size);
  }

  void Forward(absl::Span<const float> obs, absl::Span<const float> valid, int batch,
               ActorCriticOutput* out) override {
    x_.resize(obs.size());
    for (size_t i = 0; i < obs.size(); ++i) x_[i] = obs[i] * scale_[i % features_];
    valid_.resize(valid.size());
    for (int b = 0; b < batch; ++b) {
      bool any = false;
      for (int t = 0; t < window_; ++t) {
        valid_[b * window_ + t] = valid[b * window_ + t] > 0.5f ? 1 : 0;
        any = any || valid_[b * window_ + t];
      }
      if (!any) valid_[b * window_ + window_ - 1] = 1;
    }
    nn::LiveWindowInput in;
    in.batch = batch;
    in.steps = window_;
    in.x = x_;
    in.valid = valid_;
    // Sizes are checked by construction; a failure here is a programming error.
    if (!nn::LiveNetworkForward(net_, in, &cache_, &y_).ok()) std::abort();
    out->logits = y_.policy_logits;
    out->values = y_.value;
    out->outcome_logits = y_.outcome_logits;
  }

  void Backward(absl::Span<const float> d_logits, absl::Span<const float> d_values,
                absl::Span<const float> d_outcome) override {
    nn::LiveNetworkUpstream up{d_logits, d_values, d_outcome};
    if (!nn::LiveNetworkBackward(net_, cache_, up, nullptr).ok()) std::abort();
  }

  void ZeroGrad() override { nn::ZeroGrad(net_.Parameters()); }

  std::vector<ParamTensor> Parameters() override {
    std::vector<ParamTensor> out;
    for (nn::Parameter* p : net_.Parameters()) {
      out.push_back({p->name, p->shape, p->value.data(), p->grad.data(), p->value.size()});
    }
    return out;
  }

 private:
  nn::LiveNetwork net_;
  int window_, features_;
  std::vector<float> scale_;
  std::vector<float> x_;
  std::vector<uint8_t> valid_;
  nn::LiveNetworkCache cache_;
  nn::LiveNetworkOutput y_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ActorCritic>> MakeLstmAttentionActorCritic(
    int window, int features, std::vector<float> input_scale, uint64_t seed) {
  if (window < 1 || features < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("window and features must be >= 1, got ", window, ", ", features));
  }
  if (input_scale.empty()) input_scale.assign(features, 1.0f);
  if (static_cast<int>(input_scale.size()) != features) {
    return absl::InvalidArgumentError(
        absl::StrCat("input_scale must have ", features, " values, got ", input_scale.size()));
  }
  nn::LiveNetworkConfig config;
  config.input_size = features;
  config.window_steps = window;
  absl::StatusOr<nn::LiveNetwork> net = nn::MakeLiveNetwork(config, seed);
  if (!net.ok()) return net.status();
  return std::unique_ptr<ActorCritic>(
      new LstmAttention(std::move(*net), window, features, std::move(input_scale)));
}

}  // namespace superbet::hrl
