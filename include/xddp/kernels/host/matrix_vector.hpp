#pragma once
// matrix_rows / matrix_vector: the linear layer's products, y = A x per input for a row-major A. At the
// batch sizes of inference they are memory bound, so the aim is to stream A at the machine's bandwidth: rows
// go in blocks to all of xddp's threads, and each thread reads four rows at a time against two inputs.

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "xddp/core/parallel_for.hpp"
#include "xddp/kernels/host/blas.hpp"
#include "xddp/kernels/host/simd.hpp"

namespace xddp::kernels::host {

#if XDDP_HAS_XSIMD
namespace matrix_vector_detail {

// y[c * ldy + r] = dot(a row r, x row c) for Rows consecutive rows of a (n floats each, lda apart) and Cols
// rows of x (ldx apart). Every dot product is summed in the same order whatever Rows and Cols are, so a
// batch gives each input exactly the bits it gets alone.
template <int Rows, int Cols>
inline void rows_dot(std::size_t n, const float* a, std::size_t lda, const float* x, std::size_t ldx, float* y,
                     std::size_t ldy) {
    using simd::batch;
    using simd::lanes;
    batch acc[Rows][Cols][2];
    for (int r = 0; r < Rows; ++r)
        for (int c = 0; c < Cols; ++c) acc[r][c][0] = acc[r][c][1] = batch(0.0f);
    std::size_t j = 0;
    for (; j + 2 * lanes <= n; j += 2 * lanes) {
        batch x0[Cols], x1[Cols];
        for (int c = 0; c < Cols; ++c) {
            x0[c] = batch::load_unaligned(x + c * ldx + j);
            x1[c] = batch::load_unaligned(x + c * ldx + j + lanes);
        }
        for (int r = 0; r < Rows; ++r) {
            const batch a0 = batch::load_unaligned(a + r * lda + j), a1 = batch::load_unaligned(a + r * lda + j + lanes);
            for (int c = 0; c < Cols; ++c) {
                acc[r][c][0] = xsimd::fma(a0, x0[c], acc[r][c][0]);
                acc[r][c][1] = xsimd::fma(a1, x1[c], acc[r][c][1]);
            }
        }
    }
    for (int r = 0; r < Rows; ++r)
        for (int c = 0; c < Cols; ++c) {
            float sum = xsimd::hadd(acc[r][c][0] + acc[r][c][1]);
            for (std::size_t t = j; t < n; ++t) sum = std::fma(a[r * lda + t], x[c * ldx + t], sum);
            y[c * ldy + r] = sum;
        }
}

// Rows [first, last) of a against the batch rows of x: four rows of a at a time (they stay in cache) against
// every input, two inputs at a time.
inline void row_block(std::size_t first, std::size_t last, std::size_t n, const float* a, std::size_t batch,
                      const float* x, float* y, std::size_t ldy) {
    for (std::size_t r = first; r < last; r += 4) {
        const bool four = r + 4 <= last;
        std::size_t c = 0;
        for (; c + 2 <= batch; c += 2) {
            if (four) rows_dot<4, 2>(n, a + r * n, n, x + c * n, n, y + c * ldy + r, ldy);
            else
                for (std::size_t q = r; q < last; ++q) rows_dot<1, 2>(n, a + q * n, n, x + c * n, n, y + c * ldy + q, ldy);
        }
        for (; c < batch; ++c) {
            if (four) rows_dot<4, 1>(n, a + r * n, n, x + c * n, n, y + c * ldy + r, ldy);
            else
                for (std::size_t q = r; q < last; ++q) rows_dot<1, 1>(n, a + q * n, n, x + c * n, n, y + c * ldy + q, ldy);
        }
    }
}

}  // namespace matrix_vector_detail
#endif

// Y (batch x m) = X (batch x n) * A^T, A (m x n) row-major: the linear layer. Memory bound at small batches
// (each weight is used batch times), so rows of A go in blocks to all of xddp's threads and each block is
// applied to every input while it is in cache. Each output is one fixed-order dot product: the result of an
// input does not depend on the batch it came in, nor on the thread count. Without xsimd, BLAS's sgemv per input.
inline void matrix_rows(std::size_t m, std::size_t n, const float* a, std::size_t batch, const float* x, float* y) {
#if XDDP_HAS_XSIMD
    // Blocks of rows big enough to stream well, small enough to share out among the threads evenly.
    constexpr std::size_t rows_per_item = 32;
    parallel_for(0, (m + rows_per_item - 1) / rows_per_item, [&](std::size_t item) {
        const std::size_t first = item * rows_per_item, last = std::min(m, first + rows_per_item);
        matrix_vector_detail::row_block(first, last, n, a, batch, x, y, m);
    });
#else
    for (std::size_t c = 0; c < batch; ++c) gemv(m, n, a, x + c * n, y + c * m);
#endif
}

// y (m) = A (m x n, row-major) * x (n).
inline void matrix_vector(std::size_t m, std::size_t n, const float* a, const float* x, float* y) {
    matrix_rows(m, n, a, 1, x, y);
}

}  // namespace xddp::kernels::host
