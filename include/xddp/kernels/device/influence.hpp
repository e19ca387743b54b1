#pragma once
// Step 1 of a contribution profile (specs/ddp.md section 3) as kernel bodies: the masked tail
// t = tail where (head > 0) == (tail > 0), else 0, scored per channel (spatial max, and where it first
// occurs) or per element; scores clamped at 0. The selection then runs as sort.hpp + selection.hpp.

#include <cstddef>
#include <cstdint>

#include "xddp/config.hpp"
#include "xddp/kernels/influence.hpp"

namespace xddp::kernels::device {

// One thread per channel of a (C, plane) activation: score[c] = max(0, max_p t[c][p]); arg[c] = the first
// p in row-major order where t[c][p] equals that maximum (meaningful when the score is positive).
struct channel_scores_body {
    const float* head;
    const float* tail;
    std::size_t plane;
    float* scores;
    std::uint32_t* arg;

    XDDP_HOST_DEVICE void operator()(std::size_t c) const {
        const float* h = head + c * plane;
        const float* t = tail + c * plane;
        float best = agreeing(h[0], t[0]);
        std::size_t where = 0;
        for (std::size_t p = 1; p < plane; ++p) {
            const float v = agreeing(h[p], t[p]);
            if (v > best) {
                best = v;
                where = p;
            }
        }
        scores[c] = best > 0.0f ? best : 0.0f;
        arg[c] = static_cast<std::uint32_t>(where);
    }
};

// One thread per element of a vector activation: score[p] = max(0, t[p]).
struct element_scores_body {
    const float* head;
    const float* tail;
    float* scores;

    XDDP_HOST_DEVICE void operator()(std::size_t p) const {
        const float v = agreeing(head[p], tail[p]);
        scores[p] = v > 0.0f ? v : 0.0f;
    }
};

}  // namespace xddp::kernels::device
