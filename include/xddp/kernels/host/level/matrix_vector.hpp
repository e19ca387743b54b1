// The per-level part of matrix_rows (kernels/host/matrix_vector.hpp): dot products of rows of A with inputs.
// Included into each level's namespace by simd/for_each_level.hpp, where vec, lanes, load and fma are the
// level's.

namespace matrix_vector_tiles {

// y[c * ldy + r] = dot(a row r, x row c) for Rows consecutive rows of a (n floats each, lda apart) and Cols
// rows of x (ldx apart). Every dot product is summed in the same order whatever Rows and Cols are, so a
// batch gives each input exactly the bits it gets alone.
template <int Rows, int Cols>
XDDP_TARGET inline void rows_dot(std::size_t n, const float* a, std::size_t lda, const float* x, std::size_t ldx,
                                 float* y, std::size_t ldy) {
    vec acc[Rows][Cols][2];
    XDDP_UNROLL
    for (int r = 0; r < Rows; ++r)
        XDDP_UNROLL
        for (int c = 0; c < Cols; ++c) acc[r][c][0] = acc[r][c][1] = broadcast(0.0f);
    std::size_t j = 0;
    for (; j + 2 * lanes <= n; j += 2 * lanes) {
        vec x0[Cols], x1[Cols];
        XDDP_UNROLL
        for (int c = 0; c < Cols; ++c) {
            x0[c] = load(x + c * ldx + j);
            x1[c] = load(x + c * ldx + j + lanes);
        }
        XDDP_UNROLL
        for (int r = 0; r < Rows; ++r) {
            const vec a0 = load(a + r * lda + j), a1 = load(a + r * lda + j + lanes);
            XDDP_UNROLL
            for (int c = 0; c < Cols; ++c) {
                acc[r][c][0] = fma(a0, x0[c], acc[r][c][0]);
                acc[r][c][1] = fma(a1, x1[c], acc[r][c][1]);
            }
        }
    }
    XDDP_UNROLL
    for (int r = 0; r < Rows; ++r)
        XDDP_UNROLL
        for (int c = 0; c < Cols; ++c) {
            const vec both = acc[r][c][0] + acc[r][c][1];
            float sum = 0.0f;
            for (std::size_t l = 0; l < lanes; ++l) sum += both[l];
            for (std::size_t t = j; t < n; ++t) sum = std::fma(a[r * lda + t], x[c * ldx + t], sum);
            y[c * ldy + r] = sum;
        }
}

// Rows [first, last) of a against the batch rows of x: four rows of a at a time (they stay in cache) against
// every input, two inputs at a time.
XDDP_TARGET inline void row_block(std::size_t first, std::size_t last, std::size_t n, const float* a,
                                  std::size_t batch, const float* x, float* y, std::size_t ldy) {
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

}  // namespace matrix_vector_tiles
