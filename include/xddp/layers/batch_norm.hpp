#pragma once
// batch_norm at inference over (N, C, ...): y = (x - running_mean) / sqrt(running_var + eps) * weight + bias,
// folded once per call into a per-channel scale and shift.

#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "xddp/core/layer.hpp"
#include "xddp/layers/detail/checks.hpp"

namespace xddp {

class batch_norm {
public:
    static constexpr std::string_view kind = "batch_norm";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"BatchNorm2d", "BatchNorm1d"};  // PyTorch

    explicit batch_norm(std::size_t channels, float eps = 1e-5f) : channels_(channels), eps_(eps) {
        detail::require(channels > 0, "batch_norm", "channel count must be positive");
        detail::require(eps > 0.0f, "batch_norm", "eps must be positive");
        weight_ = xt::ones<float>({channels});
        bias_ = xt::zeros<float>({channels});
        running_mean_ = xt::zeros<float>({channels});
        running_var_ = xt::ones<float>({channels});
    }

    std::size_t channels() const noexcept { return channels_; }
    float eps() const noexcept { return eps_; }
    xt::xtensor<float, 1>& weight() noexcept { return weight_; }
    xt::xtensor<float, 1>& bias() noexcept { return bias_; }
    xt::xtensor<float, 1>& running_mean() noexcept { return running_mean_; }
    xt::xtensor<float, 1>& running_var() noexcept { return running_var_; }
    const xt::xtensor<float, 1>& weight() const noexcept { return weight_; }
    const xt::xtensor<float, 1>& bias() const noexcept { return bias_; }
    const xt::xtensor<float, 1>& running_mean() const noexcept { return running_mean_; }
    const xt::xtensor<float, 1>& running_var() const noexcept { return running_var_; }

    // Always affine here: weight and bias are trainable, the running statistics are buffers.
    layer_cost cost(std::span<const shape_t> inputs) const {
        return per_output_element_cost(output_shape(inputs), 2 * weight_.size());
    }

    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "batch_norm");
        if (in.size() < 2 || in[1] != channels_)
            throw shape_error("batch_norm: input shape " + to_string(in) + " does not fit, expected (N, " +
                              std::to_string(channels_) + ", ...)");
        return in;
    }

    std::vector<parameter> parameters() {
        return {{"weight", {channels_}, weight_.data()},
                {"bias", {channels_}, bias_.data()},
                {"running_mean", {channels_}, running_mean_.data()},
                {"running_var", {channels_}, running_var_.data()}};
    }

    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        y.resize(output_shape(std::span(&in, 1)));
        const std::size_t inner = element_count(std::span(in).subspan(2));
        std::vector<float> scale(channels_), shift(channels_);
        for (std::size_t c = 0; c < channels_; ++c) {
            // A negative variance is invalid weights, not a NaN to carry into the logits.
            if (!(running_var_(c) >= 0.0f))
                throw value_error("batch_norm: running_var[" + std::to_string(c) + "] = " +
                                  std::to_string(running_var_(c)) + " is not a variance; expected a value >= 0 "
                                  "(invalid weights)");
            scale[c] = weight_(c) / std::sqrt(running_var_(c) + eps_);
            shift[c] = bias_(c) - running_mean_(c) * scale[c];
        }
        const float* src = x.data();
        float* dst = y.data();
        for (std::size_t b = 0; b < in[0]; ++b)
            for (std::size_t c = 0; c < channels_; ++c) {
                const std::size_t off = (b * channels_ + c) * inner;
                for (std::size_t i = 0; i < inner; ++i) dst[off + i] = src[off + i] * scale[c] + shift[c];
            }
    }

private:
    std::size_t channels_;
    float eps_;
    xt::xtensor<float, 1> weight_, bias_, running_mean_, running_var_;
};

}  // namespace xddp
