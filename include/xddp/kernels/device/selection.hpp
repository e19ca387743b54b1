#pragma once
// The selection rule of specs/ddp.md section 2 (kernels/selection.hpp, shared with the host) as kernel bodies, one
// thread per selection problem (a layer's scores, or one influential neuron's candidates): each thread
// walks its sorted segment sequentially, because the decision depends on the rounding of a sequential
// float cumulative sum (a double accumulator rounded to float at each step, as torch.cumsum) and a
// parallel scan would round differently. The sort before it is parallel (sort.hpp).
//
// Segment s: values at values + s*stride (unsorted, `n` or lengths[s] of them), its sorted positions at
// order + s*padded. Output: accepted[s] = number of sorted entries accepted (0 for none) and
// weights[s*padded + k] = value / cs[a] for k < accepted[s]; the host drops zero weights.

#include <cstddef>
#include <cstdint>

#include "xddp/config.hpp"
#include "xddp/kernels/selection.hpp"

namespace xddp::kernels::device {

struct selection_segments {
    const float* values;
    const std::uint32_t* order;
    std::size_t stride, padded, n;
    const std::uint32_t* lengths;  // null: every segment has n values
    std::uint32_t* accepted;
    float* weights;

    XDDP_HOST_DEVICE std::size_t length(std::size_t s) const { return lengths ? lengths[s] : n; }
    XDDP_HOST_DEVICE float sorted(std::size_t s, std::size_t k) const {
        return values[s * stride + order[s * padded + k]];
    }
    XDDP_HOST_DEVICE void emit(std::size_t s, const selection_cut& cut) const {
        for (std::size_t k = 0; k <= cut.last; ++k) weights[s * padded + k] = sorted(s, k) / cut.cs;
        accepted[s] = static_cast<std::uint32_t>(cut.last + 1);
    }
};

// cumulative_select: non-negative values, ratio cs / total against the threshold.
struct select_cumulative_body {
    selection_segments seg;
    float threshold;

    XDDP_HOST_DEVICE void operator()(std::size_t s) const {
        seg.accepted[s] = 0;
        const std::size_t n = seg.length(s);
        double total = 0.0;
        for (std::size_t p = 0; p < n; ++p) total += seg.values[s * seg.stride + p];
        selection_cut cut;
        if (cut_cumulative([&](std::size_t k) { return seg.sorted(s, k); }, n, static_cast<float>(total), threshold, cut))
            seg.emit(s, cut);
    }
};

// cumulative_select_biased (linear): accept while cs + bias[s] <= threshold * y[s].
struct select_biased_body {
    selection_segments seg;
    float threshold;
    const float* y;     // the layer's output per segment (influential neuron)
    const float* bias;  // per segment, or null

    XDDP_HOST_DEVICE void operator()(std::size_t s) const {
        seg.accepted[s] = 0;
        selection_cut cut;
        if (cut_biased([&](std::size_t k) { return seg.sorted(s, k); }, seg.length(s), exact_mul(threshold, y[s]),
                       bias ? bias[s] : 0.0f, cut))
            seg.emit(s, cut);
    }
};

// cumulative_select_signed (element conv2d): signed values, a = number of k with cs[k] / cs[n-1] <= thr.
struct select_signed_body {
    selection_segments seg;
    float threshold;

    XDDP_HOST_DEVICE void operator()(std::size_t s) const {
        seg.accepted[s] = 0;
        selection_cut cut;
        if (cut_signed([&](std::size_t k) { return seg.sorted(s, k); }, seg.length(s), threshold, cut)) seg.emit(s, cut);
    }
};

}  // namespace xddp::kernels::device
