#pragma once
// Kernel body of linear: y (n, m) = x (n, k) W^T + b, one thread per output element, sums in k order.

#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

struct linear_body {
    const float* x;       // (n, k)
    const float* weight;  // (m, k), PyTorch layout
    const float* bias;    // (m) or null
    float* y;             // (n, m)
    std::size_t m, k;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t row = t / m, o = t % m;
        const float* xr = x + row * k;
        const float* wr = weight + o * k;
        float acc = 0.0f;
        for (std::size_t p = 0; p < k; ++p) acc += xr[p] * wr[p];
        y[t] = bias ? acc + bias[o] : acc;
    }
};

}  // namespace xddp::kernels::device
