#pragma once
// The rule of a two-input layer whose influential neuron is credited wholly, with weight 1, to the input
// that holds the larger value (specs/ddp.md sections 4 and 9): the residual add, and the product of two
// activations (mul). Its predecessors p1 < p2 are taken by profile layer index, whatever the order of the
// node's inputs; under channel_neurons the larger channel maximum wins, under element_neurons the larger
// element; ties go to p2.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "xddp/core/error.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp::detail::rules {

template <neuron_policy P>
void credit_larger_input(std::string_view kind, const contribution_step& step) {
    if (step.input_layers[0] == step.input_layers[1])
        throw unsupported_error("a " + std::string(kind) + " of a layer's output with itself has no contribution rule; "
                                "it needs two distinct predecessor layers");
    const bool swapped = step.input_layers[0] > step.input_layers[1];
    const tensor_ref& x1 = step.inputs[swapped ? 1 : 0];
    const tensor_ref& x2 = step.inputs[swapped ? 0 : 1];
    synapse_list& out1 = step.synapses[swapped ? 1 : 0];
    synapse_list& out2 = step.synapses[swapped ? 0 : 1];
    if (x1.shape() != x2.shape())
        throw shape_error(std::string(kind) + " contributions: input shapes " + to_string(x1.shape()) + " and " +
                          to_string(x2.shape()) + " differ");
    const bool by_channel = std::same_as<P, channel_neurons> && planar(x1.shape());
    const std::size_t plane = by_channel ? x1.shape()[1] * x1.shape()[2] : 1;
    for (const std::size_t n : step.neurons) {
        const float* a = x1.data() + n * plane;
        const float* b = x2.data() + n * plane;
        const float va = *std::max_element(a, a + plane);
        const float vb = *std::max_element(b, b + plane);
        (va > vb ? out1 : out2).push_back({n, n, 1.0});
    }
}

}  // namespace xddp::detail::rules
