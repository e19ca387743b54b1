#pragma once
// Kernel body of hard_sigmoid, one thread per element, and the value it computes, which the host forward
// (layers/hard_sigmoid.hpp) computes with too, so that both give the same bits.

#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

// min(max(v, lo), hi) with std::min/std::max's comparisons, so NaN stays NaN as in PyTorch.
XDDP_HOST_DEVICE float clamp_keeping_nan(float v, float lo, float hi) {
    const float above = v < lo ? lo : v;
    return hi < above ? hi : above;
}

// relu6(x + 3) as PyTorch computes it, min(max(x + 3, 0), 6). Divided by 6 it gives PyTorch's Hardsigmoid
// bits, which ONNX's alpha x + beta misses by an ulp for about one value in five.
XDDP_HOST_DEVICE float relu6_plus_3(float v) { return clamp_keeping_nan(v + 3.0f, 0.0f, 6.0f); }

// ONNX's HardSigmoid max(0, min(1, alpha x + beta)); where alpha and beta are PyTorch's Hardsigmoid's
// (1/6 in float and 1/2, as torch.onnx.export writes them) PyTorch's bits.
XDDP_HOST_DEVICE float hard_sigmoid_value(float v, float alpha, float beta) {
    if (alpha == 1.0f / 6.0f && beta == 0.5f) return relu6_plus_3(v) / 6.0f;
    return clamp_keeping_nan(alpha * v + beta, 0.0f, 1.0f);
}

struct hard_sigmoid_body {
    const float* x;
    float* y;
    float alpha, beta;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = hard_sigmoid_value(x[t], alpha, beta); }
};

}  // namespace xddp::kernels::device
