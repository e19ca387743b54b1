#pragma once
// Kernel body of mul, one thread per element: the product of two activations of one shape (the host
// forward, layers/mul.hpp, computes the same product).

#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

struct mul_body {
    const float* a;
    const float* b;
    float* y;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = a[t] * b[t]; }
};

}  // namespace xddp::kernels::device
