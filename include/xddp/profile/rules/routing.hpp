#pragma once
// What the routing layers' contribution rules share (concat, channel_slice, channel_shuffle; specs/ddp.md
// section 9): each output channel is one channel of one input, copied, so an influential neuron has exactly
// one contributor, the neuron of that input holding the same element, with weight 1. Counts move through
// such a layer unchanged.
//
// The layer works on its node's shapes, (C, positions...) with the positions of its output; an input's tail
// comes shaped as its profile layer, which may be the shape before a flatten (a concat of two flattened
// global pools reads (C, 1, 1) tails and writes a vector). So the rule routes flat elements: output element
// (c, p) is element (c', p) of the input's node shape, which is flat element c' * positions + p of the tail,
// held by the tail's neuron containing it under the policy (its channel for channel neurons of a (C, H, W)
// map, the element itself otherwise).

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "xddp/core/error.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp::detail::rules {

// Elements per channel of the layer's output (1 for a vector).
inline std::size_t output_positions(const shape_t& out, std::string_view kind) {
    if (out.empty() || out[0] == 0 || element_count(out) % out[0] != 0)
        throw shape_error(std::string(kind) + " contributions: output " + to_string(out) + " has no channels");
    return element_count(out) / out[0];
}

// The channels of an input as the layer's node sees it: its elements over the output's positions per channel.
inline std::size_t node_channels(const shape_t& in, std::size_t positions, std::string_view kind) {
    const std::size_t n = element_count(in);
    if (positions == 0 || n % positions != 0)
        throw shape_error(std::string(kind) + " contributions: an input of shape " + to_string(in) + " does not hold channels of " +
                          std::to_string(positions) + " positions, as the output does");
    return n / positions;
}

// For every influential neuron n of the layer, the synapse (n, the input neuron holding its first element, 1)
// to input `input`, where {input, channel} = source(c) routes output channel c to a node channel of an input.
template <neuron_policy P, class Source>
void route_channels(const contribution_step& step, std::string_view kind, Source source) {
    const shape_t& out = step.head.shape();
    const std::size_t positions = output_positions(out, kind);
    const std::size_t per = neuron_count<P>(out) / out[0];  // neurons per output channel: 1 or positions
    const std::size_t stride = positions / per;               // elements per output neuron
    for (const std::size_t n : step.neurons) {
        const std::size_t c = n / per, p = n % per * stride;
        const auto [input, channel] = source(c);
        const shape_t& in = step.inputs[input].shape();
        const std::size_t element = channel * positions + p, elements = element_count(in);
        if (element >= elements)
            throw shape_error(std::string(kind) + " contributions: output channel " + std::to_string(c) + " routes past input " +
                              std::to_string(input) + " of shape " + to_string(in));
        step.synapses[input].push_back({n, element / (elements / neuron_count<P>(in)), 1.0});
    }
}

}  // namespace xddp::detail::rules
