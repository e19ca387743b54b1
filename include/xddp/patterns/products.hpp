#pragma once
// The two matrix products of the pattern statistics, written so that every element is summed in one fixed
// order whatever the thread count: threads split the output rows, never a sum. (A threaded BLAS splits its
// products differently for one and two threads and moves the last bits of the moments.)

#include <algorithm>
#include <cstddef>

#include "xddp/core/parallel_for.hpp"

namespace xddp::detail::patterns {

// y (rows x n) = x (rows x k) w (k x n), all row-major.
inline void multiply(const double* x, std::size_t rows, std::size_t k, const double* w, std::size_t n, double* y) {
    auto one_row = [&](std::size_t r) {
        double* yr = y + r * n;
        std::fill(yr, yr + n, 0.0);
        const double* xr = x + r * k;
        for (std::size_t i = 0; i < k; ++i) {
            const double a = xr[i];
            if (a == 0.0) continue;  // ReLU outputs and padding: half the rows' entries
            const double* wi = w + i * n;
            for (std::size_t j = 0; j < n; ++j) yr[j] += a * wi[j];
        }
    };
    if (rows * k * n < (1u << 16)) {
        for (std::size_t r = 0; r < rows; ++r) one_row(r);
    } else {
        parallel_for(0, rows, one_row, std::max<std::size_t>(1, rows / 64));
    }
}

// s (k x n) += x^T r over the rows [i0, i1) of s only, for x (rows x k) and r (rows x n), all row-major;
// each s(i, j) sums over rows in order. Callers split s's rows among threads.
inline void accumulate_transposed(const double* x, std::size_t rows, std::size_t k, const double* r, std::size_t n,
                                  double* s, std::size_t i0, std::size_t i1) {
    for (std::size_t row = 0; row < rows; ++row) {
        const double* xr = x + row * k;
        const double* rr = r + row * n;
        for (std::size_t i = i0; i < i1; ++i) {
            const double a = xr[i];
            if (a == 0.0) continue;
            double* si = s + i * n;
            for (std::size_t j = 0; j < n; ++j) si[j] += a * rr[j];
        }
    }
}

}  // namespace xddp::detail::patterns
