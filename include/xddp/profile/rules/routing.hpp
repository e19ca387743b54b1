#pragma once
// What the routing layers' contribution rules share (concat, channel_slice, channel_shuffle; specs/ddp.md
// section 9): each output channel is one channel of one input, copied, so an influential neuron has exactly
// one contributor, the same position in that channel, with weight 1. Counts move through such a layer
// unchanged.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "xddp/core/error.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp::detail::rules {

// Neurons per channel of a (C, ...) activation under policy P: 1 for channel neurons of a (C, H, W) map and
// for a vector, the positions H*W (or whatever follows the channel axis) otherwise.
template <neuron_policy P>
std::size_t neurons_per_channel(const shape_t& shape) {
    return shape.empty() || shape[0] == 0 ? 0 : neuron_count<P>(shape) / shape[0];
}

// For every influential neuron n = (c, position r) of the layer, the synapse (n, (channel, r), 1) to input
// `input`, where {input, channel} = source(c). Each input must have the output's positions per channel.
template <neuron_policy P, class Source>
void route_channels(const contribution_step& step, std::string_view kind, Source source) {
    const shape_t& out = step.head.shape();
    const std::size_t per = neurons_per_channel<P>(out);
    for (std::size_t k = 0; k < step.inputs.size(); ++k) {
        const shape_t& in = step.inputs[k].shape();
        if (in.size() != out.size() || neurons_per_channel<P>(in) != per)
            throw shape_error(std::string(kind) + " contributions: input " + std::to_string(k) + " of shape " + to_string(in) +
                              " does not fit the output " + to_string(out) + " (channels must hold the same positions)");
    }
    for (const std::size_t n : step.neurons) {
        const std::size_t c = n / per, r = n % per;
        const auto [input, channel] = source(c);
        step.synapses[input].push_back({n, channel * per + r, 1.0});
    }
}

}  // namespace xddp::detail::rules
