#pragma once
// Contribution rule of channel_shuffle (specs/ddp.md section 9): routing by the permutation. Output channel
// c is input channel (c % g) * (C / g) + c / g: synapse (c, that channel) with weight 1 under
// channel_neurons, and the same position (i, j) of it under element_neurons.

#include <cstddef>
#include <string>
#include <utility>

#include "xddp/core/error.hpp"
#include "xddp/layers/channel_shuffle.hpp"
#include "xddp/profile/rules/routing.hpp"

namespace xddp {

template <>
struct contribution_rule<channel_shuffle> {
    template <neuron_policy P>
    static void apply(const channel_shuffle& layer, const contribution_step& step) {
        const shape_t& in = step.inputs[0].shape();
        if (in.empty() || in != step.head.shape() || in[0] % layer.groups() != 0)
            throw shape_error("channel_shuffle contributions: input " + to_string(in) + " and output " +
                              to_string(step.head.shape()) + " do not fit " + std::to_string(layer.groups()) + " groups");
        const std::size_t channels = in[0];
        detail::rules::route_channels<P>(step, "channel_shuffle", [&](std::size_t c) {
            return std::pair{std::size_t{0}, layer.source_channel(c, channels)};
        });
    }
};

}  // namespace xddp
