#pragma once
// matrix_vector: y = A x for a row-major A, the batch-1 linear layer. It is memory bound (each weight is used
// once), so the aim is to stream A at the machine's bandwidth: rows go in blocks to all of xddp's threads, and
// each thread reads four rows at a time so that x (which stays in cache) is loaded once per four rows.
// Without xsimd it is BLAS's sgemv.

#include <algorithm>
#include <cstddef>

#include "xddp/core/parallel_for.hpp"
#include "xddp/kernels/host/blas.hpp"
#include "xddp/kernels/host/simd.hpp"

namespace xddp::kernels::host {

#if XDDP_HAS_XSIMD
namespace matrix_vector_detail {

// y[r] = dot(a row r, x) for Rows consecutive rows (n floats each, lda apart).
template <int Rows>
inline void rows_dot(std::size_t n, const float* a, std::size_t lda, const float* x, float* y) {
    using simd::batch;
    using simd::lanes;
    batch acc[Rows][2];
    for (int r = 0; r < Rows; ++r) acc[r][0] = acc[r][1] = batch(0.0f);
    std::size_t j = 0;
    for (; j + 2 * lanes <= n; j += 2 * lanes) {
        const batch x0 = batch::load_unaligned(x + j), x1 = batch::load_unaligned(x + j + lanes);
        for (int r = 0; r < Rows; ++r) {
            acc[r][0] = xsimd::fma(batch::load_unaligned(a + r * lda + j), x0, acc[r][0]);
            acc[r][1] = xsimd::fma(batch::load_unaligned(a + r * lda + j + lanes), x1, acc[r][1]);
        }
    }
    for (int r = 0; r < Rows; ++r) {
        float sum = xsimd::hadd(acc[r][0] + acc[r][1]);
        for (std::size_t t = j; t < n; ++t) sum += a[r * lda + t] * x[t];
        y[r] = sum;
    }
}

}  // namespace matrix_vector_detail
#endif

// y (m) = A (m x n, row-major) * x (n).
inline void matrix_vector(std::size_t m, std::size_t n, const float* a, const float* x, float* y) {
#if XDDP_HAS_XSIMD
    // Blocks of rows big enough to stream well, small enough to share out among the threads evenly.
    constexpr std::size_t rows_per_item = 32;
    parallel_for(0, (m + rows_per_item - 1) / rows_per_item, [&](std::size_t item) {
        const std::size_t first = item * rows_per_item, last = std::min(m, first + rows_per_item);
        std::size_t r = first;
        for (; r + 4 <= last; r += 4) matrix_vector_detail::rows_dot<4>(n, a + r * n, n, x, y + r);
        for (; r < last; ++r) matrix_vector_detail::rows_dot<1>(n, a + r * n, n, x, y + r);
    });
#else
    gemv(m, n, a, x, y);
#endif
}

}  // namespace xddp::kernels::host
