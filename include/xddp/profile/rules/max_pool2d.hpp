#pragma once
// Contribution rule of max_pool2d (specs/ddp.md section 4).
//  - channel_neurons: identity, synapse (c, c) with weight 1.
//  - element_neurons: the arg-max of the window of (c, i, j): first occurrence in row-major window order,
//    padding (and, with ceil_mode, the part of a window past the input) never wins, dilation respected;
//    the weight is the max value itself, and a zero max is dropped.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "xddp/core/error.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp::detail::rules {

// Synapses (c, c) with weight 1: pools under channel_neurons, where a channel maps onto itself.
inline void identity_contributions(std::span<const std::size_t> neurons, synapse_list& out) {
    for (const std::size_t n : neurons) out.push_back({n, n, 1.0});
}

// Both shapes (C, H, W), checked before a rule reads their extents.
inline void check_planar(std::string_view kind, const shape_t& in, const shape_t& out) {
    if (in.size() != 3 || out.size() != 3)
        throw shape_error(std::string(kind) + " contributions: input " + to_string(in) + " and output " + to_string(out) +
                          " do not fit the layer");
}

inline void check_pool_shapes(std::string_view kind, const shape_t& in, const shape_t& out, std::size_t ho,
                              std::size_t wo) {
    if (in.size() != 3 || out.size() != 3 || in[0] != out[0] || out[1] != ho || out[2] != wo)
        throw shape_error(std::string(kind) + " contributions: input " + to_string(in) + " and output " +
                          to_string(out) + " do not fit the layer");
}

}  // namespace xddp::detail::rules

namespace xddp {
template <>
struct contribution_rule<max_pool2d> {
    template <neuron_policy P>
    static void apply(const max_pool2d& layer, const contribution_step& step) {
        const tensor_ref& x = step.inputs[0];
        const shape_t& out_shape = step.head.shape();
        const std::span<const std::size_t> neurons = step.neurons;
        synapse_list& out = step.synapses[0];
        const window2d& win = layer.window();
        const shape_t& in = x.shape();
        if (in.size() != 3) throw shape_error("max_pool2d contributions: input " + to_string(in) + " is not (C, H, W)");
        detail::rules::check_pool_shapes("max_pool2d", in, out_shape, win.output(in[1], 0), win.output(in[2], 1));
        if constexpr (std::same_as<P, channel_neurons>) {
            detail::rules::identity_contributions(neurons, out);
        } else {
            const std::size_t h = in[1], w = in[2], ho = out_shape[1], wo = out_shape[2];
            const kernels::window geo = taps_of(win);
            for (const std::size_t n : neurons) {
                const std::size_t c = n / (ho * wo), i = n % (ho * wo) / wo, j = n % wo;
                const float* plane = x.data() + c * h * w;
                bool found = false;
                float best = 0.0f;
                std::size_t arg = 0;
                kernels::for_each_inside_tap(geo, i, j, h, w, [&](std::size_t flat) {
                    if (!found || plane[flat] > best) {
                        found = true;
                        best = plane[flat];
                        arg = flat;
                    }
                });
                if (found && best != 0.0f) out.push_back({n, c * h * w + arg, best});
            }
        }
    }
};

}  // namespace xddp
