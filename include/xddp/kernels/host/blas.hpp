#pragma once
// The BLAS calls xddp's host kernels make. Declarations come from xtensor-blas's bundled cblas
// header (including the system <cblas.h> as well would clash with it).

#include <algorithm>
#include <cstddef>
#include <thread>

#include <xflens/cxxblas/drivers/cblas.h>

#include "xddp/core/threads.hpp"

extern "C" {
// OpenBLAS's thread control; weak, so that linking against another BLAS still works.
void openblas_set_num_threads(int) __attribute__((weak));
int openblas_get_num_threads(void) __attribute__((weak));
}

namespace xddp::kernels::host {

// C (m x n) = A (m x k) * B (k x n) [+ C when accumulate], all row-major with leading dimensions.
inline void gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda, const float* b,
                 std::size_t ldb, float* c, std::size_t ldc, bool accumulate = false) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), accumulate ? 1.0f : 0.0f,
                c, static_cast<int>(ldc));
}

// y (m) = A (m x n) * x (n), A row-major: streams A once.
inline void gemv(std::size_t m, std::size_t n, const float* a, const float* x, float* y) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(m), static_cast<int>(n), 1.0f, a,
                static_cast<int>(n), x, 1, 0.0f, y, 1);
}

// Double precision, for the pattern statistics: C (m x n) = op(A) op(B) [+ C when accumulate], row-major,
// op(X) = X^T where trans_x; lda/ldb/ldc are the row lengths of A, B, C as stored.
inline void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, const double* a,
                 std::size_t lda, const double* b, std::size_t ldb, double* c, std::size_t ldc, bool accumulate = false) {
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0, a, static_cast<int>(lda), b,
                static_cast<int>(ldb), accumulate ? 1.0 : 0.0, c, static_cast<int>(ldc));
}

// Sets the BLAS library's own thread count, where the library lets us (OpenBLAS).
inline void set_blas_threads(int threads) {
    if (openblas_set_num_threads) openblas_set_num_threads(threads);
}

// BLAS follows xddp::set_num_threads, never past the hardware's threads: OpenBLAS gives each its own buffer
// (128 MiB of address space) and retries forever when a memory limit refuses one.
inline const bool blas_follows_thread_count = follow_thread_count([](unsigned threads) {
    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    set_blas_threads(static_cast<int>(std::min(threads, hardware)));
});

}  // namespace xddp::kernels::host
