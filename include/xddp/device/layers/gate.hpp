#pragma once
// gate under a kernel policy: one thread per element of the feature map; its contribution rule (specs/ddp.md
// section 9: the feature map carries every contribution, synapse (n, n) with weight 1) needs no kernel.

#include <cstddef>
#include <span>

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/gate.hpp"
#include "xddp/layers/gate.hpp"

namespace xddp {

template <>
struct device_layer<gate> {
    template <class P>
    static void forward(const gate&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::gate_body{c.x(0), c.x(1), c.y(), element_count(std::span(c.x_shape(0)).subspan(2))});
    }

    template <neuron_policy N, class P>
    static void contributions(const gate&, const device_rule_call<P>& c) {
        for (const std::size_t n : c.neurons) c.synapses[0].push_back({n, n, 1.0});
    }
};

XDDP_DEVICE_LAYER(gate)

}  // namespace xddp
