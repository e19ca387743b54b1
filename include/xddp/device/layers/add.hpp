#pragma once
// add under a kernel policy: one thread per element; its contribution rule (specs/ddp.md section 4: the
// larger predecessor value wins, ties to the second) one thread per influential neuron.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "xddp/device/layer_kernel.hpp"
#include "xddp/device/selection.hpp"
#include "xddp/kernels/device/contributions.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/add.hpp"

namespace xddp {

namespace detail::device {

// The rule of add and mul (profile/rules/larger_input.hpp): each influential neuron credited wholly to the
// input with the larger value (channel max, or element), ties to the second; one thread per neuron.
template <neuron_policy N, class P>
void credit_larger_input(const char* kind, const device_rule_call<P>& c) {
    if (c.input_shapes.size() != 2)
        throw unsupported_error(std::string("a ") + kind + " of a layer's output with itself has no contribution rule; "
                                "it needs two distinct predecessor layers");
    if (c.input_shapes[0] != c.input_shapes[1])
        throw shape_error(std::string(kind) + " contributions: input shapes " + to_string(c.input_shapes[0]) + " and " +
                          to_string(c.input_shapes[1]) + " differ");
    const std::size_t count = c.neurons.size();
    const bool by_channel = std::same_as<N, channel_neurons> && planar(c.input_shapes[0]);
    auto choice = P::template allocate<std::uint8_t>(count);
    P::launch(count, kernels::device::add_choice_body{c.inputs[0], c.inputs[1], c.neuron_ids,
                                                      by_channel ? c.input_shapes[0][1] * c.input_shapes[0][2] : 1,
                                                      choice.data()});
    const auto chosen = download<std::uint8_t, P>(choice, count);
    for (std::size_t i = 0; i < count; ++i) c.synapses[chosen[i]].push_back({c.neurons[i], c.neurons[i], 1.0});
}

}  // namespace detail::device

template <>
struct device_layer<add> {
    template <class P>
    static void forward(const add&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::add_body{c.x(0), c.x(1), c.y()});
    }

    template <neuron_policy N, class P>
    static void contributions(const add&, const device_rule_call<P>& c) {
        detail::device::credit_larger_input<N>("residual add", c);
    }
};

XDDP_DEVICE_LAYER(add)

}  // namespace xddp
