#pragma once
// Contribution rule of channel_slice (specs/ddp.md section 9): routing. Output channel c is input channel
// begin + c: synapse (c, begin + c) with weight 1 under channel_neurons, ((c, i, j), (begin + c, i, j)) under
// element_neurons.

#include <cstddef>
#include <string>
#include <utility>

#include "xddp/core/error.hpp"
#include "xddp/layers/channel_slice.hpp"
#include "xddp/profile/rules/routing.hpp"

namespace xddp {

template <>
struct contribution_rule<channel_slice> {
    template <neuron_policy P>
    static void apply(const channel_slice& layer, const contribution_step& step) {
        const shape_t& in = step.inputs[0].shape();
        const shape_t& out = step.head.shape();
        const std::size_t channels = detail::rules::node_channels(in, detail::rules::output_positions(out, "channel_slice"), "channel_slice");
        if (layer.begin() + layer.channels() > channels || out[0] != layer.channels())
            throw shape_error("channel_slice contributions: input " + to_string(in) + " and output " + to_string(out) +
                              " do not fit the layer");
        detail::rules::route_channels<P>(step, "channel_slice",
                                         [&](std::size_t c) { return std::pair{std::size_t{0}, layer.begin() + c}; });
    }
};

}  // namespace xddp
