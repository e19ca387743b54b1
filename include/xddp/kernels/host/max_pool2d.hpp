#pragma once
// max_pool2d over planes: every option of window2d (kernel, stride, padding incl. asymmetric, dilation,
// ceil_mode). Padding never wins a window (PyTorch's -inf padding), NaN propagates, and each window is visited
// row by row, left to right, PyTorch's order (it decides which of -0 and +0 a tie keeps), so the vector and
// scalar paths give the same bits.
//
// The vector path copies each plane once into rows padded with -inf and split by column phase (column
// v*stride + phase goes to phase row `phase`, position v), so that one window tap of consecutive outputs is a
// plain vector load whatever the stride; a vector of outputs then takes kh*kw loads, compares and blends.
// That part is compiled for every SIMD level (level/max_pool2d.hpp); the scalar level runs the reference.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <vector>

#include "xddp/core/parallel_for.hpp"
#include "xddp/core/simd_level.hpp"
#include "xddp/kernels/host/simd.hpp"
#include "xddp/kernels/window.hpp"

namespace xddp::kernels::host {

namespace max_pool2d_detail {

// The scalar reference: one output plane, window by window.
inline void plane_scalar(const float* p, std::size_t h, std::size_t w, const window2d& win, std::size_t ho,
                         std::size_t wo, float* q) {
    for (std::size_t i = 0; i < ho; ++i) {
        for (std::size_t j = 0; j < wo; ++j) {
            float best = -std::numeric_limits<float>::infinity();
            for (std::size_t r = 0; r < win.kernel[0]; ++r) {
                const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(i * win.stride[0] + r * win.dilation[0]) -
                                          static_cast<std::ptrdiff_t>(win.pad_begin[0]);
                if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(h)) continue;
                const float* row = p + ih * static_cast<std::ptrdiff_t>(w);
                for (std::size_t s = 0; s < win.kernel[1]; ++s) {
                    const std::ptrdiff_t iw = static_cast<std::ptrdiff_t>(j * win.stride[1] + s * win.dilation[1]) -
                                              static_cast<std::ptrdiff_t>(win.pad_begin[1]);
                    if (iw < 0 || iw >= static_cast<std::ptrdiff_t>(w)) continue;
                    const float v = row[iw];
                    if (v > best || v != v) best = v;  // NaN propagates, as in PyTorch
                }
            }
            q[i * wo + j] = best;
        }
    }
}

struct phase_rows;  // tag of the thread-local row buffer

// Floats per phase row: whole vectors of outputs, plus the farthest window column.
inline std::size_t phase_row_length(std::size_t wo, const window2d& win, std::size_t lanes) {
    return (wo + lanes - 1) / lanes * lanes + (win.kernel[1] - 1) * win.dilation[1] / win.stride[1];
}

}  // namespace max_pool2d_detail

}  // namespace xddp::kernels::host

#if XDDP_SIMD_KERNELS
#define XDDP_SIMD_BODY "xddp/kernels/host/level/max_pool2d.hpp"
#include "xddp/kernels/host/simd/for_each_level.hpp"
#endif

namespace xddp::kernels::host {

// y (planes, ho, wo) = the window maxima of x (planes, h, w), with the kernels of `level` (which the CPU must
// run); ho and wo must be the window's output extents. Every level gives the same bits.
inline void max_pool2d(simd_level level, const float* x, std::size_t planes, std::size_t h, std::size_t w,
                       const window2d& win, std::size_t ho, std::size_t wo, float* y) {
    using plane_function = void (*)(const float*, std::size_t, std::size_t, const window2d&, std::size_t,
                                    std::size_t, const std::size_t*, std::size_t, float*);
    plane_function plane = nullptr;
    std::size_t lanes = 1;
    switch (level) {
#if XDDP_SIMD_KERNELS
        case simd_level::sse2: plane = &sse2::max_pool2d_tiles::plane, lanes = sse2::lanes; break;
        case simd_level::avx2: plane = &avx2::max_pool2d_tiles::plane, lanes = avx2::lanes; break;
        case simd_level::avx512: plane = &avx512::max_pool2d_tiles::plane, lanes = avx512::lanes; break;
#endif
        default: break;
    }
    if (!plane) {
        parallel_for(0, planes, [&](std::size_t p) {
            max_pool2d_detail::plane_scalar(x + p * h * w, h, w, win, ho, wo, y + p * ho * wo);
        });
        return;
    }
    const std::size_t stride_q = max_pool2d_detail::phase_row_length(wo, win, lanes);
    std::vector<std::size_t> taps(win.kernel[1]);
    for (std::size_t s = 0; s < taps.size(); ++s) {
        const std::size_t tap = s * win.dilation[1];
        taps[s] = (tap % win.stride[1]) * stride_q + tap / win.stride[1];
    }
    parallel_for(0, planes, [&](std::size_t p) {
        plane(x + p * h * w, h, w, win, ho, wo, taps.data(), stride_q, y + p * ho * wo);
    });
}

// The same at the active level (core/simd_level.hpp).
inline void max_pool2d(const float* x, std::size_t planes, std::size_t h, std::size_t w, const window2d& win,
                       std::size_t ho, std::size_t wo, float* y) {
    max_pool2d(active_simd_level(), x, planes, h, w, win, ho, wo, y);
}

}  // namespace xddp::kernels::host
