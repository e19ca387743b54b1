#pragma once
// channel_shuffle: ShuffleNet's permutation of the channels of an (N, C, ...) input in `groups` groups,
// x.view(N, g, C/g, ...).transpose(1, 2).reshape(N, C, ...) (torch.nn.ChannelShuffle). Output channel c is
// input channel (c % g) * (C / g) + c / g. A routing layer (specs/ddp.md section 9). Device kernel body:
// kernels/device/channel_shuffle.hpp.

#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/layer.hpp"
#include "xddp/layers/detail/checks.hpp"

namespace xddp {

class channel_shuffle {
public:
    static constexpr std::string_view kind = "channel_shuffle";
    static constexpr profile_role role = profile_role::starts_layer;
    static constexpr std::string_view aliases[] = {"ChannelShuffle"};  // PyTorch

    explicit channel_shuffle(std::size_t groups) : groups_(groups) {
        detail::require(groups > 0, "channel_shuffle", "groups must be positive");
    }

    std::size_t groups() const noexcept { return groups_; }

    // The input channel that output channel c of `channels` comes from.
    std::size_t source_channel(std::size_t c, std::size_t channels) const noexcept {
        return c % groups_ * (channels / groups_) + c / groups_;
    }

    layer_cost cost(std::span<const shape_t> inputs) const { return output_cost(output_shape(inputs), 0); }

    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "channel_shuffle");
        if (in.size() < 2 || in[1] % groups_ != 0)
            throw shape_error("channel_shuffle: input shape " + to_string(in) + " does not fit " + std::to_string(groups_) +
                              " groups, expected (N, C, ...) with C divisible by the groups");
        return in;
    }

    std::vector<parameter> parameters() { return {}; }

    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        y.resize(output_shape(std::span(&in, 1)));
        const std::size_t channels = in[1], positions = element_count(std::span(in).subspan(2));
        if (positions == 0) return;
        for (std::size_t b = 0; b < in[0]; ++b)
            for (std::size_t c = 0; c < channels; ++c)
                std::memcpy(y.data() + (b * channels + c) * positions,
                            x.data() + (b * channels + source_channel(c, channels)) * positions, positions * sizeof(float));
    }

private:
    std::size_t groups_;
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/channel_shuffle.hpp"
