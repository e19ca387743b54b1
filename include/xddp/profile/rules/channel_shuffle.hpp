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
        const shape_t& out = step.head.shape();
        const std::size_t channels = out.empty() ? 0 : out[0];
        if (detail::rules::node_channels(in, detail::rules::output_positions(out, "channel_shuffle"), "channel_shuffle") != channels ||
            channels % layer.groups() != 0)
            throw shape_error("channel_shuffle contributions: input " + to_string(in) + " and output " + to_string(out) +
                              " do not fit " + std::to_string(layer.groups()) + " groups");
        detail::rules::route_channels<P>(step, "channel_shuffle", [&](std::size_t c) {
            return std::pair{std::size_t{0}, layer.source_channel(c, channels)};
        });
    }
};

}  // namespace xddp
