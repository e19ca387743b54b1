#pragma once
// Kernel body of softmax over the channel axis of (N, C, positions...), one thread per output element,
// and the values it computes, which the host forward (layers/softmax.hpp) computes with too, so that both
// give the same bits.

#include <cmath>
#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

// The largest of `channels` values `stride` apart, the first where they tie; NaN once it is the first.
XDDP_HOST_DEVICE float strided_max(const float* x, std::size_t channels, std::size_t stride) {
    float m = x[0];
    for (std::size_t c = 1; c < channels; ++c) m = x[c * stride] > m ? x[c * stride] : m;
    return m;
}

// The sum of exp(x - m) over the channels, in channel order (a NaN anywhere makes it NaN).
XDDP_HOST_DEVICE float strided_exp_sum(const float* x, std::size_t channels, std::size_t stride, float m) {
    float s = 0.0f;
    for (std::size_t c = 0; c < channels; ++c) s += ::expf(x[c * stride] - m);
    return s;
}

// Each thread recomputes its position's maximum and sum: C is small next to the activation.
struct channel_softmax_body {
    const float* x;
    float* y;
    std::size_t channels, positions;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t position = t % positions;
        const float* first = x + (t / (channels * positions)) * channels * positions + position;
        const float m = strided_max(first, channels, positions);
        y[t] = ::expf(x[t] - m) / strided_exp_sum(first, channels, positions, m);
    }
};

}  // namespace xddp::kernels::device
