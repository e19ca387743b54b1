#pragma once
// Kernel body of gelu, one thread per element, and the value it computes, which the host forward
// (layers/gelu.hpp) computes with too, so that both give the same bits.

#include <cmath>
#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

// 0.5 x (1 + erf(x / sqrt 2)) as PyTorch writes it, x * 0.5 * (1 + erf(x * sqrt(1/2))) (its scalar CPU
// path gives these bits).
XDDP_HOST_DEVICE float gelu_value(float v) { return v * 0.5f * (1.0f + ::erff(v * 0.70710678118654752440f)); }

struct gelu_body {
    const float* x;
    float* y;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = gelu_value(x[t]); }
};

}  // namespace xddp::kernels::device
