#pragma once
// Kernel body of channel_scale, one thread per element: y = x * scale[c] over (N, C, positions) (the host
// forward, layers/channel_scale.hpp, computes the same product).

#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

struct channel_scale_body {
    const float* x;
    float* y;
    const float* scale;
    std::size_t channels, positions;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = x[t] * scale[t / positions % channels]; }
};

}  // namespace xddp::kernels::device
