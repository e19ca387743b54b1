#pragma once
// matrix_rows / matrix_vector: the linear layer's products, y = A x per input for a row-major A. At the
// batch sizes of inference they are memory bound, so the aim is to stream A at the machine's bandwidth: rows
// go in blocks to all of xddp's threads, and each thread reads four rows at a time against two inputs
// (level/matrix_vector.hpp, compiled for every SIMD level).

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "xddp/core/parallel_for.hpp"
#include "xddp/core/simd_level.hpp"
#include "xddp/kernels/host/simd.hpp"

#if XDDP_SIMD_KERNELS
#define XDDP_SIMD_BODY "xddp/kernels/host/level/matrix_vector.hpp"
#include "xddp/kernels/host/simd/for_each_level.hpp"
#endif

namespace xddp::kernels::host {

namespace matrix_vector_detail {

// The scalar level's dot product: eight partial sums in a fixed order (a compiler may vectorise them without
// changing a bit), then added in a fixed order. Portable, and like the vector levels' independent of the
// batch and the thread count (BLAS's sgemv is not).
inline float dot(const float* a, const float* x, std::size_t n) noexcept {
    float acc[8] = {};
    std::size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (std::size_t l = 0; l < 8; ++l) acc[l] += a[j + l] * x[j + l];
    float sum = 0.0f;
    for (const float v : acc) sum += v;
    for (; j < n; ++j) sum += a[j] * x[j];
    return sum;
}

inline void row_block(std::size_t first, std::size_t last, std::size_t n, const float* a, std::size_t batch,
                      const float* x, float* y, std::size_t ldy) {
    for (std::size_t r = first; r < last; ++r)
        for (std::size_t c = 0; c < batch; ++c) y[c * ldy + r] = dot(a + r * n, x + c * n, n);
}

}  // namespace matrix_vector_detail

// Y (batch x m) = X (batch x n) * A^T, A (m x n) row-major: the linear layer, with the kernels of `level`
// (which the CPU must run). Memory bound at small batches (each weight is used batch times), so rows of A go
// in blocks to all of xddp's threads and each block is applied to every input while it is in cache. Each
// output is one fixed-order dot product: the result of an input does not depend on the batch it came in,
// nor on the thread count.
inline void matrix_rows(simd_level level, std::size_t m, std::size_t n, const float* a, std::size_t batch,
                        const float* x, float* y) {
    using row_block_function = void (*)(std::size_t, std::size_t, std::size_t, const float*, std::size_t,
                                        const float*, float*, std::size_t);
    row_block_function row_block = &matrix_vector_detail::row_block;
    switch (level) {
#if XDDP_SIMD_KERNELS
        case simd_level::sse2: row_block = &sse2::matrix_vector_tiles::row_block; break;
        case simd_level::avx2: row_block = &avx2::matrix_vector_tiles::row_block; break;
        case simd_level::avx512: row_block = &avx512::matrix_vector_tiles::row_block; break;
#endif
        default: break;
    }
    // Blocks of rows big enough to stream well, small enough to share out among the threads evenly.
    constexpr std::size_t rows_per_item = 32;
    parallel_for(0, (m + rows_per_item - 1) / rows_per_item, [&](std::size_t item) {
        const std::size_t first = item * rows_per_item, last = std::min(m, first + rows_per_item);
        row_block(first, last, n, a, batch, x, y, m);
    });
}

// The same at the active level (core/simd_level.hpp).
inline void matrix_rows(std::size_t m, std::size_t n, const float* a, std::size_t batch, const float* x, float* y) {
    matrix_rows(active_simd_level(), m, n, a, batch, x, y);
}

// y (m) = A (m x n, row-major) * x (n).
inline void matrix_vector(std::size_t m, std::size_t n, const float* a, const float* x, float* y) {
    matrix_rows(m, n, a, 1, x, y);
}

}  // namespace xddp::kernels::host
