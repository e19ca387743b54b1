#pragma once
// Kernel body of hard_swish, one thread per element, and the value it computes, which the host forward
// (layers/hard_swish.hpp) computes with too, so that both give the same bits.

#include <cstddef>

#include "xddp/config.hpp"
#include "xddp/kernels/device/hard_sigmoid.hpp"

namespace xddp::kernels::device {

// PyTorch's Hardswish, x * relu6(x + 3) / 6, evaluated left to right as it does (its bits).
XDDP_HOST_DEVICE float hard_swish_value(float v) { return v * relu6_plus_3(v) / 6.0f; }

struct hard_swish_body {
    const float* x;
    float* y;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = hard_swish_value(x[t]); }
};

}  // namespace xddp::kernels::device
