#pragma once
// linear under a kernel policy: one thread per output element; its contribution rule (specs/ddp.md
// section 4) as one thread per (influential neuron, input) product, a segmented sort and one biased
// selection thread per neuron, merged per channel on the host when the input is a (C, H, W) map.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "xddp/device/layer_kernel.hpp"
#include "xddp/device/selection.hpp"
#include "xddp/kernels/device/contributions.hpp"
#include "xddp/kernels/device/linear.hpp"
#include "xddp/layers/linear.hpp"

namespace xddp {

template <>
struct device_layer<linear> {
    template <class P>
    static std::vector<device_buffer<P>> upload(const linear& f) {
        std::vector<device_buffer<P>> p;
        p.push_back(to_device_buffer<P>(f.weight().data(), f.weight().size()));
        if (f.options().bias) p.push_back(to_device_buffer<P>(f.bias().data(), f.bias().size()));
        return p;
    }

    template <class P>
    static void forward(const linear& f, const device_forward_call<P>& c) {
        const linear_options& o = f.options();
        P::launch(c.count(), kernels::device::linear_body{c.x(), c.parameters[0].data(), o.bias ? c.parameters[1].data() : nullptr,
                                                          c.y(), o.out_features, o.in_features});
    }

    template <neuron_policy N, class P>
    static void contributions(const linear& layer, const device_rule_call<P>& c) {
        namespace k = kernels::device;
        const shape_t& in = c.input_shapes[0];
        const linear_options& o = layer.options();
        const std::size_t count = c.neurons.size(), k_in = element_count(in);
        if (k_in != o.in_features)
            throw shape_error("linear contributions: input " + to_string(in) + " has " + std::to_string(k_in) +
                              " elements, expected " + std::to_string(o.in_features));
        const device_buffer<P> weight = to_device_buffer<P>(layer.weight().data(), layer.weight().size());
        const device_buffer<P> bias = to_device_buffer<P>(o.bias ? layer.bias().data() : nullptr, o.bias ? o.out_features : 0);
        const std::size_t padded = k::next_power_of_two(k_in);
        auto z = P::template allocate<float>(count * padded);
        auto y_sel = P::template allocate<float>(count);
        auto b_sel = P::template allocate<float>(count);
        P::launch(count * k_in, k::linear_products_body{c.inputs[0], weight.data(), o.bias ? bias.data() : nullptr, c.head,
                                                        c.neuron_ids, z.data(), y_sel.data(), b_sel.data(), k_in, padded});
        detail::device::selection_buffers<P> sel(count, padded);
        detail::device::sort_segments<P>(sel.order.data(), count, padded, k::descending_values{z.data(), padded, k_in, nullptr});
        P::launch(count, k::select_biased_body{sel.segments(z.data(), padded, padded, k_in, nullptr), c.threshold, y_sel.data(),
                                               b_sel.data()});
        const bool by_channel = std::same_as<N, channel_neurons> && planar(in);
        const std::size_t plane = by_channel ? in[1] * in[2] : 1;
        const auto accepted = sel.download(count, padded);
        synapse_list& out = c.synapses[0];
        if (!by_channel) {
            for (const auto& e : accepted) out.push_back({c.neurons[e.segment], e.position, e.weight});
            return;
        }
        // Per neuron, the weights of one channel summed in sorted order (as the host rule), in channel order.
        std::vector<double> sums(in[0], 0.0);
        for (std::size_t a = 0; a < accepted.size();) {
            std::size_t b = a;
            for (; b < accepted.size() && accepted[b].segment == accepted[a].segment; ++b)
                sums[accepted[b].position / plane] += accepted[b].weight;
            for (std::size_t ch = 0; ch < sums.size(); ++ch)
                if (sums[ch] != 0.0) {
                    out.push_back({c.neurons[accepted[a].segment], ch, sums[ch]});
                    sums[ch] = 0.0;
                }
            a = b;
        }
    }
};

XDDP_DEVICE_LAYER(linear)

}  // namespace xddp
