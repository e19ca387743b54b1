#pragma once
// The average pools under a kernel policy, adaptive_avg_pool2d and avg_pool2d: one thread per output
// element; their contribution rule (specs/ddp.md section 4): identity for channel neurons; for elements,
// the window of each influential neuron clamped at 0 and divided (one thread per window slot), a segmented
// sort and one selection thread per neuron.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "xddp/device/layer_kernel.hpp"
#include "xddp/device/selection.hpp"
#include "xddp/kernels/device/contributions.hpp"
#include "xddp/kernels/device/pool.hpp"
#include "xddp/layers/adaptive_avg_pool2d.hpp"
#include "xddp/layers/avg_pool2d.hpp"

namespace xddp {

namespace detail::device {

// The element rule of both pools; `body` holds the pool's window description, `largest` its largest window.
template <class P>
void window_value_contributions(const device_rule_call<P>& c, kernels::device::window_values_body body, std::size_t largest) {
    namespace k = kernels::device;
    const std::size_t count = c.neurons.size(), padded = k::next_power_of_two(largest);
    auto values = P::template allocate<float>(count * padded);
    auto where = P::template allocate<std::uint32_t>(count * padded);
    auto lengths = P::template allocate<std::uint32_t>(count);
    body.x = c.inputs[0];
    body.neurons = c.neuron_ids;
    body.values = values.data();
    body.where = where.data();
    body.lengths = lengths.data();
    body.h = c.input_shapes[0][1];
    body.w = c.input_shapes[0][2];
    body.ho = c.shape[1];
    body.wo = c.shape[2];
    body.padded = padded;
    P::launch(count * padded, body);
    selection_buffers<P> sel(count, padded);
    sort_segments<P>(sel.order.data(), count, padded, k::descending_values{values.data(), padded, 0, lengths.data()});
    P::launch(count, k::select_cumulative_body{sel.segments(values.data(), padded, padded, 0, lengths.data()), c.threshold});
    const auto wh = download<std::uint32_t, P>(where, count * padded);
    for (const auto& e : sel.download(count, padded))
        c.synapses[0].push_back({c.neurons[e.segment], wh[e.segment * padded + e.position], e.weight});
}

}  // namespace detail::device

template <>
struct device_layer<avg_pool2d> {
    template <class P>
    static void forward(const avg_pool2d& a, const device_forward_call<P>& c) {
        const shape_t& s = c.x_shape();
        const window2d& w = a.window();
        P::launch(c.count(), kernels::device::avg_pool2d_body{c.x(), c.y(), s[2], s[3], c.output.shape[2], c.output.shape[3],
                                                              w.kernel[0], w.kernel[1], w.stride[0], w.stride[1], w.pad_begin[0],
                                                              w.pad_begin[1], w.pad_end[0], w.pad_end[1],
                                                              a.options().count_include_pad});
    }

    template <neuron_policy N, class P>
    static void contributions(const avg_pool2d& layer, const device_rule_call<P>& c) {
        const shape_t& in = c.input_shapes[0];
        detail::rules::check_planar("avg_pool2d", in, c.shape);
        const window2d& win = layer.window();
        detail::rules::check_pool_shapes("avg_pool2d", in, c.shape, win.output(in[1], 0), win.output(in[2], 1));
        if constexpr (std::same_as<N, channel_neurons>) {
            detail::rules::identity_contributions(c.neurons, c.synapses[0]);
        } else {
            kernels::device::window_values_body body{};
            body.adaptive = false;
            body.kh = win.kernel[0];
            body.kw = win.kernel[1];
            body.sh = win.stride[0];
            body.sw = win.stride[1];
            body.ph = win.pad_begin[0];
            body.pw = win.pad_begin[1];
            body.pad_end_h = win.pad_end[0];
            body.pad_end_w = win.pad_end[1];
            body.count_include_pad = layer.options().count_include_pad;
            detail::device::window_value_contributions(c, body, win.kernel[0] * win.kernel[1]);
        }
    }
};

template <>
struct device_layer<adaptive_avg_pool2d> {
    template <class P>
    static void forward(const adaptive_avg_pool2d&, const device_forward_call<P>& c) {
        const shape_t& s = c.x_shape();
        P::launch(c.count(), kernels::device::adaptive_avg_pool2d_body{c.x(), c.y(), s[2], s[3], c.output.shape[2], c.output.shape[3]});
    }

    template <neuron_policy N, class P>
    static void contributions(const adaptive_avg_pool2d& layer, const device_rule_call<P>& c) {
        const shape_t& in = c.input_shapes[0];
        detail::rules::check_planar("adaptive_avg_pool2d", in, c.shape);
        detail::rules::check_pool_shapes("adaptive_avg_pool2d", in, c.shape, layer.output_size()[0], layer.output_size()[1]);
        if constexpr (std::same_as<N, channel_neurons>) {
            detail::rules::identity_contributions(c.neurons, c.synapses[0]);
        } else {
            const std::size_t h = in[1], w = in[2], ho = c.shape[1], wo = c.shape[2];
            std::size_t rows = 0, cols = 0;
            for (std::size_t i = 0; i < ho; ++i)
                rows = std::max(rows, kernels::adaptive_end(i, h, ho) - kernels::adaptive_begin(i, h, ho));
            for (std::size_t j = 0; j < wo; ++j)
                cols = std::max(cols, kernels::adaptive_end(j, w, wo) - kernels::adaptive_begin(j, w, wo));
            kernels::device::window_values_body body{};
            body.adaptive = true;
            detail::device::window_value_contributions(c, body, rows * cols);
        }
    }
};

XDDP_DEVICE_LAYER(avg_pool2d)
XDDP_DEVICE_LAYER(adaptive_avg_pool2d)

}  // namespace xddp
