#pragma once
// max_pool2d under a kernel policy: one thread per output element; its contribution rule (specs/ddp.md
// section 4): identity for channel neurons, the window's arg-max (one thread per neuron) for elements.

#include <cstddef>
#include <cstdint>

#include "xddp/device/layer_kernel.hpp"
#include "xddp/device/selection.hpp"
#include "xddp/kernels/device/contributions.hpp"
#include "xddp/kernels/device/pool.hpp"
#include "xddp/layers/max_pool2d.hpp"

namespace xddp {

template <>
struct device_layer<max_pool2d> {
    template <class P>
    static void forward(const max_pool2d& m, const device_forward_call<P>& c) {
        const shape_t& s = c.x_shape();
        P::launch(c.count(), kernels::device::max_pool2d_body{c.x(), c.y(), s[2], s[3], c.output.shape[2], c.output.shape[3],
                                                              taps_of(m.window())});
    }

    template <neuron_policy N, class P>
    static void contributions(const max_pool2d& layer, const device_rule_call<P>& c) {
        const shape_t& in = c.input_shapes[0];
        detail::rules::check_planar("max_pool2d", in, c.shape);
        detail::rules::check_pool_shapes("max_pool2d", in, c.shape, layer.window().output(in[1], 0), layer.window().output(in[2], 1));
        if constexpr (std::same_as<N, channel_neurons>) {
            detail::rules::identity_contributions(c.neurons, c.synapses[0]);
        } else {
            const std::size_t count = c.neurons.size();
            auto best = P::template allocate<float>(count);
            auto where = P::template allocate<std::uint32_t>(count);
            P::launch(count, kernels::device::max_pool_argmax_body{c.inputs[0], c.neuron_ids, best.data(), where.data(), in[1], in[2],
                                                                   c.shape[1], c.shape[2], taps_of(layer.window())});
            const auto b = detail::device::download<float, P>(best, count);
            const auto wh = detail::device::download<std::uint32_t, P>(where, count);
            for (std::size_t i = 0; i < count; ++i)
                if (wh[i] != kernels::device::in_padding) c.synapses[0].push_back({c.neurons[i], wh[i], b[i]});
        }
    }
};

XDDP_DEVICE_LAYER(max_pool2d)

}  // namespace xddp
