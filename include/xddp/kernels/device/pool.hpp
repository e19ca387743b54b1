#pragma once
// Kernel bodies of the pools over (planes = N*C, H, W), one thread per output element.
//  - max: padding never wins, NaN propagates (PyTorch);
//  - avg: PyTorch's divisor, the window clipped to the padded input (count_include_pad) or to the input;
//  - adaptive avg: windows [floor(i*H/Ho), ceil((i+1)*H/Ho)).

#include <cstddef>

#include "xddp/config.hpp"
#include "xddp/kernels/device/window.hpp"

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

    // [begin, end) along one dimension and the divisor extent, as layers/avg_pool2d.hpp computes them.
    XDDP_HOST_DEVICE static void bounds(std::size_t o, std::size_t n, std::size_t k, std::size_t s, std::size_t pb,
                                        std::size_t pe, bool include_pad, std::size_t& b, std::size_t& e,
                                        std::size_t& divisor) {
        const long long start = static_cast<long long>(o * s) - static_cast<long long>(pb);
        long long stop = start + static_cast<long long>(k);
        if (stop > static_cast<long long>(n + pe)) stop = static_cast<long long>(n + pe);
        const std::size_t padded = static_cast<std::size_t>(stop - start);
        b = static_cast<std::size_t>(start < 0 ? 0 : start);
        e = static_cast<std::size_t>(stop < static_cast<long long>(n) ? stop : static_cast<long long>(n));
        divisor = include_pad ? padded : e - b;
    }

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t plane = t / (ho * wo), i = t % (ho * wo) / wo, j = t % wo;
        std::size_t r0, r1, dr, q0, q1, dq;
        bounds(i, h, kh, sh, ph, pad_end_h, count_include_pad, r0, r1, dr);
        bounds(j, w, kw, sw, pw, pad_end_w, count_include_pad, q0, q1, dq);
        const float* p = x + plane * h * w;
        float sum = 0.0f;
        for (std::size_t r = r0; r < r1; ++r)
            for (std::size_t q = q0; q < q1; ++q) sum += p[r * w + q];
        y[t] = sum / static_cast<float>(dr * dq);
    }
};

XDDP_HOST_DEVICE std::size_t adaptive_begin(std::size_t o, std::size_t n, std::size_t out) { return o * n / out; }
XDDP_HOST_DEVICE std::size_t adaptive_end(std::size_t o, std::size_t n, std::size_t out) {
    return ((o + 1) * n + out - 1) / out;
}

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
