#pragma once
// Kernel body of gate, one thread per output element: a (N, C, H, W) feature map times its (N, C, 1, 1)
// gate, y = x * g[n, c] (the host forward, layers/gate.hpp, computes the same product).

#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

struct gate_body {
    const float* x;
    const float* g;  // one factor per (sample, channel)
    float* y;
    std::size_t positions;  // H * W
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = x[t] * g[t / positions]; }
};

}  // namespace xddp::kernels::device
