#pragma once
// Kernel body of sigmoid, one thread per element, and the value it computes, which the host forward
// (layers/sigmoid.hpp) computes with too, so that both give the same bits.

#include <cmath>
#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

// PyTorch's expression (its scalar CPU path gives these bits); exp(-v) = inf gives 0, not NaN.
XDDP_HOST_DEVICE float sigmoid_value(float v) { return 1.0f / (1.0f + ::expf(-v)); }

struct sigmoid_body {
    const float* x;
    float* y;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = sigmoid_value(x[t]); }
};

}  // namespace xddp::kernels::device
