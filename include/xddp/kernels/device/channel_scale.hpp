#pragma once
// Kernel body of channel_scale, one thread per element: y = x * scale[c] + shift[c] over (N, C, positions),
// shift null for none (the host forward, layers/channel_scale.hpp, computes the same).

#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

struct channel_scale_body {
    const float* x;
    float* y;
    const float* scale;
    const float* shift;
    std::size_t channels, positions;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t c = t / positions % channels;
        y[t] = x[t] * scale[c] + (shift ? shift[c] : 0.0f);
    }
};

}  // namespace xddp::kernels::device
