#pragma once
// channel_slice: channels [begin, begin + channels) of an (N, C, ...) input, what ONNX Split and Slice along
// the channel axis compute (torch's chunk and x[:, a:b]; ShuffleNet v2's units). A routing layer: output
// channel c is input channel begin + c (specs/ddp.md section 9). Device kernel body:
// kernels/device/channel_slice.hpp.

#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/layer.hpp"
#include "xddp/layers/detail/checks.hpp"

namespace xddp {

class channel_slice {
public:
    static constexpr std::string_view kind = "channel_slice";
    static constexpr profile_role role = profile_role::starts_layer;

    channel_slice(std::size_t begin, std::size_t channels) : begin_(begin), channels_(channels) {
        detail::require(channels > 0, "channel_slice", "the slice must keep at least one channel");
    }

    std::size_t begin() const noexcept { return begin_; }
    std::size_t channels() const noexcept { return channels_; }

    layer_cost cost(std::span<const shape_t> inputs) const { return output_cost(output_shape(inputs), 0); }

    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "channel_slice");
        if (in.size() < 2 || begin_ > in[1] || channels_ > in[1] - begin_)
            throw shape_error("channel_slice: input shape " + to_string(in) + " does not fit channels [" +
                              std::to_string(begin_) + ", " + std::to_string(begin_ + channels_) +
                              "), expected (N, C, ...) with C >= " + std::to_string(begin_ + channels_));
        shape_t out = in;
        out[1] = channels_;
        return out;
    }

    std::vector<parameter> parameters() { return {}; }

    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        y.resize(output_shape(std::span(&in, 1)));
        const std::size_t positions = element_count(std::span(in).subspan(2)), block = channels_ * positions;
        if (block == 0) return;
        for (std::size_t b = 0; b < in[0]; ++b)
            std::memcpy(y.data() + b * block, x.data() + (b * in[1] + begin_) * positions, block * sizeof(float));
    }

private:
    std::size_t begin_, channels_;
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/channel_slice.hpp"
