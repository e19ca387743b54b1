#pragma once
// The device contribution rule of the routing layers (concat, channel_slice, channel_shuffle): their host rule
// itself (profile/rules/routing.hpp), which reads the shapes only, never an activation, so it runs on the
// step's device pointers without a copy or a kernel.

#include <cstddef>
#include <vector>

#include "xddp/core/contribution_rule.hpp"
#include "xddp/device/layer_kernel.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp {

template <class L>
struct routing_device_rule {
    template <neuron_policy N, class P>
    static void contributions(const L& layer, const device_rule_call<P>& c) {
        std::vector<tensor_ref> inputs;
        inputs.reserve(c.inputs.size());
        for (std::size_t i = 0; i < c.inputs.size(); ++i) inputs.emplace_back(c.inputs[i], c.input_shapes[i]);
        const std::vector<std::size_t> input_layers(c.inputs.size());  // unused by a routing rule
        const tensor_ref head(c.head, c.shape);
        rule_scratch scratch;
        const contribution_step step{inputs, input_layers, head, head, c.neurons, c.threshold, c.synapses, scratch};
        contribution_rule<L>::template apply<N>(layer, step);
    }
};

}  // namespace xddp
