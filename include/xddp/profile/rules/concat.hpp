#pragma once
// Contribution rule of concat (specs/ddp.md section 9): routing. Output channel c is channel c - offset_k of
// input k (offset_k: the channels of the inputs before k); synapse (c, c - offset_k) to input k with weight 1
// under channel_neurons, ((c, i, j), (c - offset_k, i, j)) under element_neurons.

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/layers/concat.hpp"
#include "xddp/profile/rules/routing.hpp"

namespace xddp {

template <>
struct contribution_rule<concat> {
    template <neuron_policy P>
    static void apply(const concat&, const contribution_step& step) {
        // ends[k]: one past the last output channel of input k.
        const shape_t& out = step.head.shape();
        const std::size_t positions = detail::rules::output_positions(out, "concat");
        std::vector<std::size_t> ends;
        ends.reserve(step.inputs.size());
        std::size_t channels = 0;
        for (const tensor_ref& x : step.inputs) ends.push_back(channels += detail::rules::node_channels(x.shape(), positions, "concat"));
        if (out[0] != channels)
            throw shape_error("concat contributions: inputs of " + std::to_string(channels) + " channels in all do not fit the output " +
                              to_string(out));
        detail::rules::route_channels<P>(step, "concat", [&](std::size_t c) {
            const std::size_t k = static_cast<std::size_t>(std::upper_bound(ends.begin(), ends.end(), c) - ends.begin());
            return std::pair{k, c - (k ? ends[k - 1] : 0)};
        });
    }
};

}  // namespace xddp
