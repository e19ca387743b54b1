#pragma once
// Contribution rules of the average pools, adaptive_avg_pool2d and avg_pool2d (specs/ddp.md section 4).
//  - channel_neurons: identity, synapse (c, c) with weight 1.
//  - element_neurons: the window of (c, i, j), clamped at 0 and divided by the pool's divisor, in row-major
//    window order; SELECT over it; contributors (c, r, q). The adaptive pool uses PyTorch's windows
//    [floor(i*H/Ho), ceil((i+1)*H/Ho)) (overlapping when sizes do not divide) and divides by the window
//    area. avg_pool2d uses its own kernel/stride/padding/ceil_mode windows; positions in the padding are
//    never candidates, and the divisor follows count_include_pad (it scales every candidate alike, so it
//    changes weights only through float rounding, as in DDP's float32 code).

#include <cstddef>
#include <span>

#include "xddp/layers/adaptive_avg_pool2d.hpp"
#include "xddp/layers/avg_pool2d.hpp"
#include "xddp/profile/rules/common.hpp"
#include "xddp/profile/rules/max_pool2d.hpp"

namespace xddp::detail::rules {

// SELECT over rows [r0, r1) x columns [q0, q1) of one plane, values max(x, 0) / divisor.
inline void window_contributions(std::size_t n, const float* plane, std::size_t plane_offset, std::size_t w,
                                 std::size_t r0, std::size_t r1, std::size_t q0, std::size_t q1, float divisor,
                                 double threshold, synapse_list& out, rule_scratch& s) {
    std::vector<float>& v = s.values;
    std::vector<std::size_t>& where = s.positions;
    v.clear();
    where.clear();
    for (std::size_t r = r0; r < r1; ++r)
        for (std::size_t q = q0; q < q1; ++q) {
            const float x = plane[r * w + q];
            v.push_back((x > 0.0f ? x : 0.0f) / divisor);
            where.push_back(plane_offset + r * w + q);
        }
    cumulative_select(v, threshold, s.picked, s.select);
    for (const selected& sel : s.picked) out.push_back({n, where[sel.position], sel.weight});
}

}  // namespace xddp::detail::rules

namespace xddp {
template <>
struct contribution_rule<adaptive_avg_pool2d> {
    template <neuron_policy P>
    static void apply(const adaptive_avg_pool2d& layer, const contribution_step& step) {
        const tensor_ref& x = step.inputs[0];
        const shape_t& out_shape = step.head.shape();
        const std::span<const std::size_t> neurons = step.neurons;
        const double threshold = step.threshold;
        synapse_list& out = step.synapses[0];
        rule_scratch& s = step.scratch;
        const shape_t& in = x.shape();
        if (in.size() != 3) throw shape_error("adaptive_avg_pool2d contributions: input " + to_string(in) + " is not (C, H, W)");
        detail::rules::check_pool_shapes("adaptive_avg_pool2d", in, out_shape, layer.output_size()[0], layer.output_size()[1]);
        if constexpr (std::same_as<P, channel_neurons>) {
            detail::rules::identity_contributions(neurons, out);
        } else {
            const std::size_t h = in[1], w = in[2], ho = out_shape[1], wo = out_shape[2];
            for (const std::size_t n : neurons) {
                const std::size_t c = n / (ho * wo), i = n % (ho * wo) / wo, j = n % wo;
                const auto [r0, r1] = adaptive_avg_pool2d::window(i, h, ho);
                const auto [q0, q1] = adaptive_avg_pool2d::window(j, w, wo);
                detail::rules::window_contributions(n, x.data() + c * h * w, c * h * w, w, r0, r1, q0, q1,
                                             static_cast<float>((r1 - r0) * (q1 - q0)), threshold, out, s);
            }
        }
    }
};

template <>
struct contribution_rule<avg_pool2d> {
    template <neuron_policy P>
    static void apply(const avg_pool2d& layer, const contribution_step& step) {
        const tensor_ref& x = step.inputs[0];
        const shape_t& out_shape = step.head.shape();
        const std::span<const std::size_t> neurons = step.neurons;
        const double threshold = step.threshold;
        synapse_list& out = step.synapses[0];
        rule_scratch& s = step.scratch;
        const shape_t& in = x.shape();
        if (in.size() != 3) throw shape_error("avg_pool2d contributions: input " + to_string(in) + " is not (C, H, W)");
        detail::rules::check_pool_shapes("avg_pool2d", in, out_shape, layer.window().output(in[1], 0),
                                  layer.window().output(in[2], 1));
        if constexpr (std::same_as<P, channel_neurons>) {
            detail::rules::identity_contributions(neurons, out);
        } else {
            const std::size_t h = in[1], w = in[2], ho = out_shape[1], wo = out_shape[2];
            for (const std::size_t n : neurons) {
                const std::size_t c = n / (ho * wo), i = n % (ho * wo) / wo, j = n % wo;
                const auto bi = layer.window_span(i, h, 0);
                const auto bj = layer.window_span(j, w, 1);
                detail::rules::window_contributions(n, x.data() + c * h * w, c * h * w, w, bi.begin, bi.end, bj.begin, bj.end,
                                             static_cast<float>(bi.divisor * bj.divisor), threshold, out, s);
            }
        }
    }
};

}  // namespace xddp
