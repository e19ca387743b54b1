#pragma once
// Kernel bodies of conv2d: im2col (one thread per column entry), a row-major GEMM (one thread per output
// element; the cuda policy calls cuBLAS instead, the emulated policy runs this body) and the bias add.
// A grouped conv is one im2col + GEMM per image and group, as on the host.

#include <cstddef>

#include "xddp/config.hpp"
#include "xddp/kernels/window.hpp"

namespace xddp::kernels::device {

// cols (cg*kh*kw, ho*wo) of one image and group: cols[(c*kh + r)*kw + q][i*wo + j] = x[c][tap_i][tap_j], 0 in
// the padding. x points at the group's first input channel.
struct im2col_body {
    const float* x;
    float* cols;
    std::size_t channels, h, w, ho, wo;
    window win;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t hw_out = ho * wo;
        const std::size_t row = t / hw_out, col = t % hw_out;
        const std::size_t q = row % win.kw, r = row / win.kw % win.kh, c = row / (win.kw * win.kh);
        const std::size_t i = col / wo, j = col % wo;
        const long long ii = tap(i, r, win.sh, win.dh, win.ph), jj = tap(j, q, win.sw, win.dw, win.pw);
        cols[t] = inside(ii, h) && inside(jj, w)
                      ? x[(c * h + static_cast<std::size_t>(ii)) * w + static_cast<std::size_t>(jj)]
                      : 0.0f;
    }
    std::size_t threads() const { return channels * win.kh * win.kw * ho * wo; }
};

// c (m, n) = a (m, k) * b (k, n), row-major with leading dimensions lda, ldb, ldc; sums in k order.
struct gemm_body {
    const float* a;
    const float* b;
    float* c;
    std::size_t m, n, k, lda, ldb, ldc;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t row = t / n, col = t % n;
        float acc = 0.0f;
        for (std::size_t p = 0; p < k; ++p) acc += a[row * lda + p] * b[p * ldb + col];
        c[row * ldc + col] = acc;
    }
    std::size_t threads() const { return m * n; }
};

// y[b][o][p] += bias[o] over (batch, channels, positions).
struct bias_add_body {
    float* y;
    const float* bias;
    std::size_t channels, positions;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] += bias[t / positions % channels]; }
};

}  // namespace xddp::kernels::device
