#pragma once
// Kernel bodies of the pools over (planes = N*C, H, W), one thread per output element.
//  - max: padding never wins, NaN propagates (PyTorch);
//  - avg: PyTorch's divisor, the window clipped to the padded input (count_include_pad) or to the input;
//  - adaptive avg: windows [floor(i*H/Ho), ceil((i+1)*H/Ho)).

#include <cstddef>

#include "xddp/config.hpp"
#include "xddp/kernels/window.hpp"

namespace xddp::kernels::device {

struct max_pool2d_body {
    const float* x;
    float* y;
    std::size_t h, w, ho, wo;
    window win;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t plane = t / (ho * wo), i = t % (ho * wo) / wo, j = t % wo;
        const float* p = x + plane * h * w;
        bool found = false;
        float best = 0.0f;
        for_each_inside_tap(win, i, j, h, w, [&](std::size_t flat) {
            const float v = p[flat];
            if (!found) {
                best = v;
                found = true;
            } else if (best == best && (v > best || v != v)) {  // a NaN, once met, stays
                best = v;
            }
        });
        y[t] = best;
    }
};

struct avg_pool2d_body {
    const float* x;
    float* y;
    std::size_t h, w, ho, wo;
    std::size_t kh, kw, sh, sw, ph, pw, pad_end_h, pad_end_w;
    bool count_include_pad;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t plane = t / (ho * wo), i = t % (ho * wo) / wo, j = t % wo;
        const pool_span r = avg_pool_span(i, h, kh, sh, ph, pad_end_h, count_include_pad);
        const pool_span q = avg_pool_span(j, w, kw, sw, pw, pad_end_w, count_include_pad);
        const float* p = x + plane * h * w;
        float sum = 0.0f;
        for (std::size_t a = r.begin; a < r.end; ++a)
            for (std::size_t b = q.begin; b < q.end; ++b) sum += p[a * w + b];
        y[t] = sum / static_cast<float>(r.divisor * q.divisor);
    }
};

struct adaptive_avg_pool2d_body {
    const float* x;
    float* y;
    std::size_t h, w, ho, wo;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t plane = t / (ho * wo), i = t % (ho * wo) / wo, j = t % wo;
        const std::size_t r0 = adaptive_begin(i, h, ho), r1 = adaptive_end(i, h, ho);
        const std::size_t q0 = adaptive_begin(j, w, wo), q1 = adaptive_end(j, w, wo);
        const float* p = x + plane * h * w;
        float sum = 0.0f;
        for (std::size_t r = r0; r < r1; ++r)
            for (std::size_t q = q0; q < q1; ++q) sum += p[r * w + q];
        y[t] = sum / static_cast<float>((r1 - r0) * (q1 - q0));
    }
};

}  // namespace xddp::kernels::device
