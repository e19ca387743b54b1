#pragma once
// channel_scale: y = x * weight[c] over (N, C, ...), a learned constant factor per channel (the "layer
// scale" of a residual branch). Absorbed into the layer before it, like batch_norm (specs/ddp.md section 9).

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

    // Factors of one (the identity) until set through weight() or parameters().
    explicit channel_scale(std::size_t channels) : weight_(xt::ones<float>({channels})) {
        detail::require(channels > 0, "channel_scale", "channel count must be positive");
    }

    std::size_t channels() const noexcept { return weight_.size(); }
    xt::xtensor<float, 1>& weight() noexcept { return weight_; }
    const xt::xtensor<float, 1>& weight() const noexcept { return weight_; }

    layer_cost cost(std::span<const shape_t> inputs) const {
        return per_output_element_cost(output_shape(inputs), weight_.size());
    }

    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "channel_scale");
        if (in.size() < 2 || in[1] != weight_.size())
            throw shape_error("channel_scale: input shape " + to_string(in) + " does not fit, expected (N, " +
                              std::to_string(weight_.size()) + ", ...)");
        return in;
    }

    std::vector<parameter> parameters() { return {{"weight", {weight_.size()}, weight_.data()}}; }

    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        y.resize(output_shape(std::span(&in, 1)));
        const std::size_t channels = weight_.size(), positions = element_count(std::span(in).subspan(2));
        const float* src = x.data();
        float* dst = y.data();
        for (std::size_t k = 0; k < in[0] * channels; ++k) {
            const float factor = weight_(k % channels);
            for (std::size_t i = k * positions; i < (k + 1) * positions; ++i) dst[i] = src[i] * factor;
        }
    }

private:
    xt::xtensor<float, 1> weight_;
};

}  // namespace xddp
