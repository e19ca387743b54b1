#pragma once
// conv2d under a kernel policy: im2col + one GEMM per image and group (cuBLAS under xddp::cuda) + a bias
// add; its contribution rules (specs/ddp.md section 4) as one thread per (influential neuron, candidate),
// a segmented sort and one selection thread per neuron.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "xddp/device/layer_kernel.hpp"
#include "xddp/device/selection.hpp"
#include "xddp/kernels/device/contributions.hpp"
#include "xddp/kernels/device/conv2d.hpp"
#include "xddp/layers/conv2d.hpp"

namespace xddp {

template <>
struct device_layer<conv2d> {
    template <class P>
    static std::vector<device_buffer<P>> upload(const conv2d& c) {
        std::vector<device_buffer<P>> p;
        p.push_back(to_device_buffer<P>(c.weight().data(), c.weight().size()));
        if (c.options().bias) p.push_back(to_device_buffer<P>(c.bias().data(), c.bias().size()));
        return p;
    }

    template <class P>
    static void forward(const conv2d& c, const device_forward_call<P>& call) {
        const conv2d_options& o = c.options();
        const window2d& win = c.window();
        const device_tensor<P>& in = *call.inputs[0];
        device_tensor<P>& y = call.output;
        const std::size_t n = in.shape[0], ch = in.shape[1], h = in.shape[2], w = in.shape[3];
        const std::size_t ho = y.shape[2], wo = y.shape[3], hw_out = ho * wo;
        const std::size_t groups = o.groups, cg = ch / groups, og = o.out_channels / groups;
        const std::size_t kk = cg * win.kernel[0] * win.kernel[1];
        const bool pointwise = win.kernel == pair_t{1, 1} && win.stride == pair_t{1, 1} && win.pad_begin == pair_t{0, 0} &&
                               win.pad_end == pair_t{0, 0};
        device_buffer<P> cols = P::template allocate<float>(pointwise ? 0 : kk * hw_out);
        const kernels::window geo = taps_of(win);
        for (std::size_t b = 0; b < n; ++b)
            for (std::size_t g = 0; g < groups; ++g) {
                const float* src = in.data.data() + (b * ch + g * cg) * h * w;
                if (!pointwise) {
                    const kernels::device::im2col_body body{src, cols.data(), cg, h, w, ho, wo, geo};
                    P::launch(body.threads(), body);
                }
                P::gemm(og, hw_out, kk, call.parameters[0].data() + g * og * kk, kk, pointwise ? src : cols.data(), hw_out,
                        y.data.data() + (b * o.out_channels + g * og) * hw_out, hw_out);
            }
        if (o.bias)
            P::launch(y.size(), kernels::device::bias_add_body{y.data.data(), call.parameters[1].data(), o.out_channels, hw_out});
        // cols is freed here: the launches above are ordered on the policy's stream before any later use, and
        // cudaFree waits for the device to finish with it.
    }

    template <neuron_policy N, class P>
    static void contributions(const conv2d& layer, const device_rule_call<P>& c) {
        namespace k = kernels::device;
        const shape_t& in = c.input_shapes[0];
        detail::rules::check_conv_shapes(layer, in, c.shape);
        const conv2d_options& o = layer.options();
        const std::size_t count = c.neurons.size();
        const std::size_t cg = o.in_channels / o.groups, og = o.out_channels / o.groups;
        const std::size_t h = in[1], w = in[2], ho = c.shape[1], wo = c.shape[2];
        const kernels::window win = taps_of(layer.window());
        const device_buffer<P> weight = to_device_buffer<P>(layer.weight().data(), layer.weight().size());
        if constexpr (std::same_as<N, channel_neurons>) {
            const std::size_t padded = k::next_power_of_two(cg);
            auto maxima = P::template allocate<float>(count * cg);
            P::launch(count * cg, k::conv_channel_maxima_body{c.inputs[0], weight.data(), c.neuron_ids, maxima.data(), cg, og, h,
                                                              w, ho, wo, win});
            detail::device::selection_buffers<P> sel(count, padded);
            detail::device::sort_segments<P>(sel.order.data(), count, padded, k::descending_values{maxima.data(), cg, cg, nullptr});
            P::launch(count, k::select_cumulative_body{sel.segments(maxima.data(), cg, padded, cg, nullptr), c.threshold});
            for (const auto& e : sel.download(count, padded)) {
                const std::size_t o_ = c.neurons[e.segment];
                c.synapses[0].push_back({o_, o_ / og * cg + e.position, e.weight});
            }
        } else {
            const std::size_t candidates = cg * win.kh * win.kw, padded = k::next_power_of_two(candidates);
            auto z = P::template allocate<float>(count * padded);
            auto where = P::template allocate<std::uint32_t>(count * padded);
            P::launch(count * candidates, k::conv_element_products_body{c.inputs[0], weight.data(), c.neuron_ids, z.data(),
                                                                        where.data(), cg, og, h, w, ho, wo, padded, win});
            detail::device::selection_buffers<P> sel(count, padded);
            detail::device::sort_segments<P>(sel.order.data(), count, padded, k::descending_values{z.data(), padded, candidates, nullptr});
            P::launch(count, k::select_signed_body{sel.segments(z.data(), padded, padded, candidates, nullptr), c.threshold});
            const auto wh = detail::device::download<std::uint32_t, P>(where, count * padded);
            for (const auto& e : sel.download(count, padded)) {
                const std::uint32_t from = wh[e.segment * padded + e.position];
                if (from != k::in_padding) c.synapses[0].push_back({c.neurons[e.segment], from, e.weight});
            }
        }
    }
};

XDDP_DEVICE_LAYER(conv2d)

}  // namespace xddp
