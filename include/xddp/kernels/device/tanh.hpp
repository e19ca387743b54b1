#pragma once
// Kernel body of tanh, one thread per element, and the value it computes, which the host forward
// (layers/tanh.hpp) computes with too, so that both give the same bits.

#include <cmath>
#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

XDDP_HOST_DEVICE float tanh_value(float v) { return ::tanhf(v); }

struct tanh_body {
    const float* x;
    float* y;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = tanh_value(x[t]); }
};

}  // namespace xddp::kernels::device
