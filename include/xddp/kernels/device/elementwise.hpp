#pragma once
// Kernel bodies of the element-wise layers, one thread per element: relu, elu, leaky_relu, hardtanh, the
// inference batch norm as a per-channel affine map (scale and shift folded on the host), the residual add
// and a copy (flatten, dropout).

#include <cmath>
#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

struct relu_body {
    const float* x;
    float* y;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const float v = x[t];
        y[t] = v > 0.0f || v != v ? v : 0.0f;
    }
};

struct elu_body {
    const float* x;
    float* y;
    float alpha;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const float v = x[t];
        y[t] = v > 0.0f ? v : alpha * ::expm1f(v);
    }
};

struct leaky_relu_body {
    const float* x;
    float* y;
    float slope;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const float v = x[t];
        y[t] = v > 0.0f ? v : slope * v;
    }
};

struct hardtanh_body {
    const float* x;
    float* y;
    float lo, hi;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const float v = x[t];
        y[t] = v < lo ? lo : (v > hi ? hi : v);
    }
};

// y = x * scale[c] + shift[c] over (batch, channels, positions).
struct channel_affine_body {
    const float* x;
    float* y;
    const float* scale;
    const float* shift;
    std::size_t channels, positions;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t c = t / positions % channels;
        y[t] = x[t] * scale[c] + shift[c];
    }
};

struct add_body {
    const float* a;
    const float* b;
    float* y;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = a[t] + b[t]; }
};

struct copy_body {
    const float* x;
    float* y;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = x[t]; }
};

}  // namespace xddp::kernels::device
