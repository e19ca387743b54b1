#pragma once
// Kernel body of silu, one thread per element, and the value it computes, which the host forward
// (layers/silu.hpp) computes with too, so that both give the same bits.

#include <cmath>
#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

// x * sigmoid(x) as PyTorch writes it, x / (1 + exp(-x)) (its scalar CPU path gives these bits).
XDDP_HOST_DEVICE float silu_value(float v) { return v / (1.0f + ::expf(-v)); }

struct silu_body {
    const float* x;
    float* y;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = silu_value(x[t]); }
};

}  // namespace xddp::kernels::device
