#pragma once
// channel_scale: y = x * weight[c] (+ bias[c]) over (N, C, ...), a constant factor per channel (the "layer
// scale" of a residual branch), with an optional shift (GoogLeNet's and Inception v3's transform_input:
// x * a + b per input channel). Absorbed into the layer before it, like batch_norm (specs/ddp.md section 9).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "xddp/core/layer.hpp"
#include "xddp/layers/detail/checks.hpp"

namespace xddp {

class channel_scale {
public:
    static constexpr std::string_view kind = "channel_scale";
    static constexpr profile_role role = profile_role::absorbed;

    // Factors of one and shifts of zero (the identity) until set through weight(), bias() or parameters().
    explicit channel_scale(std::size_t channels, bool bias = false)
        : weight_(xt::ones<float>({channels})), bias_(xt::zeros<float>({bias ? channels : 0})) {
        detail::require(channels > 0, "channel_scale", "channel count must be positive");
    }

    std::size_t channels() const noexcept { return weight_.size(); }
    bool has_bias() const noexcept { return bias_.size() != 0; }
    xt::xtensor<float, 1>& weight() noexcept { return weight_; }
    const xt::xtensor<float, 1>& weight() const noexcept { return weight_; }
    // Empty without a shift.
    xt::xtensor<float, 1>& bias() noexcept { return bias_; }
    const xt::xtensor<float, 1>& bias() const noexcept { return bias_; }

    layer_cost cost(std::span<const shape_t> inputs) const {
        return per_output_element_cost(output_shape(inputs), weight_.size() + bias_.size());
    }

    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "channel_scale");
        if (in.size() < 2 || in[1] != weight_.size())
            throw shape_error("channel_scale: input shape " + to_string(in) + " does not fit, expected (N, " +
                              std::to_string(weight_.size()) + ", ...)");
        return in;
    }

    std::vector<parameter> parameters() {
        std::vector<parameter> p{{"weight", {weight_.size()}, weight_.data()}};
        if (has_bias()) p.push_back({"bias", {bias_.size()}, bias_.data()});
        return p;
    }

    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        y.resize(output_shape(std::span(&in, 1)));
        const std::size_t channels = weight_.size(), positions = element_count(std::span(in).subspan(2));
        const float* src = x.data();
        float* dst = y.data();
        for (std::size_t k = 0; k < in[0] * channels; ++k) {
            const float factor = weight_(k % channels), shift = has_bias() ? bias_(k % channels) : 0.0f;
            for (std::size_t i = k * positions; i < (k + 1) * positions; ++i) dst[i] = src[i] * factor + shift;
        }
    }

private:
    xt::xtensor<float, 1> weight_, bias_;
};

}  // namespace xddp
