#pragma once
// Step 1 of a contribution profile (specs/ddp.md section 3): the influential neurons of one layer.
// t = tail where (head > 0) == (tail > 0), else 0. A (C, H, W) layer scores channel c by the spatial max of
// t[c] (element_neurons also keeps where that max is, first occurrence in row-major order); a vector layer
// scores each element by t. Scores are clamped at 0 and SELECTed with clip = number of scores.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <vector>

#include "xddp/kernels/influence.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp {

struct weighted_neuron {
    std::size_t index;  // flat neuron index under the policy
    float weight;
};

namespace detail::profiles {

using kernels::agreeing;

// max over k < n of agreeing(h[k], t[k]); SIMD, since a max is exact in any order.
inline float masked_max(const float* h, const float* t, std::size_t n) {
    float best = -std::numeric_limits<float>::infinity();
    std::size_t k = 0;
#if defined(__GNUC__)
    using detail::rules::simd_float, detail::rules::simd_floats;
    if (n >= simd_floats) {
        const simd_float zero{};
        simd_float top = zero - std::numeric_limits<float>::infinity();
        for (; k + simd_floats <= n; k += simd_floats) {
            simd_float hv, tv;
            std::memcpy(&hv, h + k, sizeof hv);
            std::memcpy(&tv, t + k, sizeof tv);
            top = detail::rules::simd_max(top, (hv > zero) == (tv > zero) ? tv : zero);
        }
        for (std::size_t lane = 0; lane < simd_floats; ++lane) best = std::max(best, top[lane]);
    }
#endif
    for (; k < n; ++k) best = std::max(best, agreeing(h[k], t[k]));
    return best;
}

}  // namespace detail::profiles

// head, tail: one sample's activations, element_count(shape) floats each. Appends the influential neurons
// to `out` sorted by index. Channel maxima are computed first; the position of a maximum (element_neurons)
// only for the channels SELECT accepts.
template <neuron_policy P>
void influential_neurons(const float* head, const float* tail, const shape_t& shape, double threshold,
                         std::vector<weighted_neuron>& out, rule_scratch& s) {
    using detail::profiles::agreeing;
    out.clear();
    std::vector<float>& scores = s.values;
    const bool channels = planar(shape);
    const std::size_t plane = channels ? shape[1] * shape[2] : 1;
    if (channels) {
        scores.resize(shape[0]);
        for (std::size_t c = 0; c < shape[0]; ++c)
            scores[c] = std::max(0.0f, detail::profiles::masked_max(head + c * plane, tail + c * plane, plane));
    } else {
        const std::size_t n = element_count(shape);
        scores.resize(n);
        for (std::size_t p = 0; p < n; ++p) scores[p] = std::max(0.0f, agreeing(head[p], tail[p]));
    }
    cumulative_select(scores, threshold, s.picked, s.select);
    for (const selected& sel : s.picked) {
        std::size_t index = sel.position;
        if constexpr (std::same_as<P, element_neurons>) {
            if (channels) {  // the first position holding the channel's max (selected scores are positive)
                index = sel.position * plane;
                while (agreeing(head[index], tail[index]) != scores[sel.position]) ++index;
            }
        }
        out.push_back({index, sel.weight});
    }
    std::sort(out.begin(), out.end(), [](const weighted_neuron& a, const weighted_neuron& b) { return a.index < b.index; });
}

}  // namespace xddp
