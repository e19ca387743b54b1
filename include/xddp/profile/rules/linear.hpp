#pragma once
// Contribution rule of linear (specs/ddp.md section 4): for influential output o, the flattened input x,
// z = max(0, x * W[o]), sorted descending; goal = threshold * y[o] with y the layer's head (its output,
// bias included); accept while cs + b[o] <= goal, plus one (cumulative_select_biased). An input from a
// (C, H, W) layer under channel_neurons credits channel k / (H*W), weights of one (o, channel) summed and
// counted once; under element_neurons contributors keep their flat index. The output neurons of a linear
// layer are elements under both policies.

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>

#include "xddp/core/error.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp {

// y: the layer's output for this sample (out_features floats).
template <>
struct contribution_rule<linear> {
    template <neuron_policy P>
    static void apply(const linear& layer, const contribution_step& step) {
        const tensor_ref& x = step.inputs[0];
        const float* y = step.head.data();
        const std::span<const std::size_t> neurons = step.neurons;
        const double threshold = step.threshold;
        synapse_list& out = step.synapses[0];
        rule_scratch& s = step.scratch;
        const linear_options& opt = layer.options();
        const std::size_t k_in = x.size();
        if (k_in != opt.in_features)
            throw shape_error("linear contributions: input " + to_string(x.shape()) + " has " + std::to_string(k_in) +
                              " elements, expected " + std::to_string(opt.in_features));
        const bool by_channel = std::same_as<P, channel_neurons> && planar(x.shape());
        const std::size_t plane = by_channel ? x.shape()[1] * x.shape()[2] : 1;
        const float thr = static_cast<float>(threshold);
        const float* xs = x.data();
        std::vector<float>& z = s.values;
        z.resize(k_in);
        std::vector<double>& sums = s.sums;
        if (by_channel) sums.assign(x.shape()[0], 0.0);
        for (const std::size_t o : neurons) {
            const float* wrow = layer.weight().data() + o * k_in;
            for (std::size_t k = 0; k < k_in; ++k) {
                const float v = xs[k] * wrow[k];
                z[k] = v > 0.0f ? v : 0.0f;
            }
            const float bias = opt.bias ? layer.bias().data()[o] : 0.0f;
            cumulative_select_biased(z, thr * y[o], bias, s.picked, s.select);
            if (!by_channel) {
                for (const selected& sel : s.picked) out.push_back({o, sel.position, sel.weight});
                continue;
            }
            // Sum per channel; emit in channel order (the profile sorts by (out, in) anyway).
            std::size_t lo = sums.size(), hi = 0;
            for (const selected& sel : s.picked) {
                const std::size_t c = sel.position / plane;
                sums[c] += sel.weight;
                lo = std::min(lo, c);
                hi = std::max(hi, c);
            }
            for (std::size_t c = lo; c <= hi && c < sums.size(); ++c)
                if (sums[c] != 0.0) {
                    out.push_back({o, c, sums[c]});
                    sums[c] = 0.0;
                }
        }
    }
};

}  // namespace xddp
